package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * The outcome of one command.
 *
 * @param status {@link ScsiStatus}
 * @param sense  sense data (fixed format, SPC-4 4.5.3) with CHECK CONDITION; null otherwise
 * @param dataIn the data for the initiator from position to limit, in full (the transport cuts it to the initiator's
 *               expected length and reports the residual); null if the command returns none
 * @param lease  the {@link DataInBuffers} lease {@code dataIn} lives in, which the transport gives back once the data
 *               is written or dropped; null for data that needs no giving back
 */
public record ScsiResponse(int status, byte[] sense, ByteBuffer dataIn, DataInBuffers.Lease lease) {

    public ScsiResponse(int status, byte[] sense, ByteBuffer dataIn) {
        this(status, sense, dataIn, null);
    }

    /** Gives the data's buffer back: the transport calls it once the data is written, or when it drops the response. */
    public void release() {
        if (lease != null) {
            lease.giveBack();
        }
    }

    public static ScsiResponse good() {
        return new ScsiResponse(ScsiStatus.GOOD, null, null);
    }

    public static ScsiResponse good(ByteBuffer dataIn) {
        return new ScsiResponse(ScsiStatus.GOOD, null, dataIn);
    }

    public static ScsiResponse checkCondition(byte[] sense) {
        return new ScsiResponse(ScsiStatus.CHECK_CONDITION, sense, null);
    }

    public int dataInLength() {
        return dataIn == null ? 0 : dataIn.remaining();
    }
}
