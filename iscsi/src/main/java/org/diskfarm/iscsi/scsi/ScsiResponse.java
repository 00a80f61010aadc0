package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * The outcome of one command.
 *
 * @param status {@link ScsiStatus}
 * @param sense  sense data (fixed format, SPC-4 4.5.3) with CHECK CONDITION; null otherwise
 * @param dataIn the data for the initiator from position to limit, in full (the transport cuts it to the initiator's
 *               expected length and reports the residual); null if the command returns none
 */
public record ScsiResponse(int status, byte[] sense, ByteBuffer dataIn) {

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
