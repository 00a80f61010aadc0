package org.diskfarm.iscsi;

import java.nio.ByteBuffer;

/** One SCSI command of a session, from its SCSI Command PDU to its response (RFC 7143 section 4.2.2). */
final class IscsiTask {
    final int itt;
    final int cmdSN;
    final long lun;
    final byte[] cdb;
    /** Expected Data Transfer Length, unsigned. */
    final long edtl;
    final boolean read;
    final boolean write;
    /** Must run alone: nothing before it still running, nothing after it started (ORDERED, and non-read/write). */
    final boolean barrier;

    /** What the CDB says the initiator sends (SPDTL of writes); 0 if none. */
    long dataOutLength;
    /** Bytes of Data-Out we keep for the command: min(EDTL, SPDTL), or 0 when refused early. */
    int wanted;
    ByteBuffer dataOut;
    /** A response decided before execution (sense data) because the transfer lengths do not fit. */
    byte[] earlySense;

    // Unsolicited data (immediate data and Data-Out with TTT 0xffffffff)
    boolean unsolicitedOpen;
    long unsolicitedEnd;
    long unsolicitedOffset;
    int unsolicitedDataSN;
    // The current R2T sequence
    int ttt = Pdu.RESERVED_TAG;
    int r2tSN;
    long sequenceOffset;
    long sequenceEnd;
    int sequenceDataSN;
    /** Where the next R2T starts. */
    long nextR2TOffset;

    boolean ready;
    boolean running;
    boolean aborted;

    IscsiTask(int itt, int cmdSN, long lun, byte[] cdb, long edtl, boolean read, boolean write, boolean barrier) {
        this.itt = itt;
        this.cmdSN = cmdSN;
        this.lun = lun;
        this.cdb = cdb;
        this.edtl = edtl;
        this.read = read;
        this.write = write;
        this.barrier = barrier;
    }

    int opcode() {
        return cdb.length == 0 ? -1 : cdb[0] & 0xff;
    }

    boolean isReadOrWrite() {
        return switch (opcode()) {
            case 0x08, 0x28, 0xa8, 0x88, 0x0a, 0x2a, 0xaa, 0x8a -> true;
            default -> false;
        };
    }

    /** Received bytes {@code data} at {@code offset} of the transfer: keeps what lies below {@link #wanted}. */
    void store(long offset, byte[] data) {
        if (offset >= wanted) {
            return;
        }
        int n = (int) Math.min(data.length, wanted - offset);
        dataOut.put((int) offset, data, 0, n);
    }
}
