package org.diskfarm.iscsi;

/**
 * Operational keys of a session as login negotiated them (RFC 7143 section 13), starting from the RFC's defaults.
 * Mutable only during login; the connection reads it afterwards.
 */
final class SessionParams {
    /** What we declare as our MaxRecvDataSegmentLength: the largest data segment an initiator may send us. */
    static final int TARGET_MAX_RECV = 262144;
    /** Our offers for the min-functions. */
    static final int TARGET_MAX_BURST = 1 << 20;
    static final int TARGET_FIRST_BURST = 262144;

    boolean headerDigest;
    boolean dataDigest;
    /** The initiator's MaxRecvDataSegmentLength: the largest data segment we may send it. */
    int initiatorMaxRecv = 8192;
    int targetMaxRecv = TARGET_MAX_RECV;
    int maxBurstLength = 262144;
    int firstBurstLength = 65536;
    boolean initialR2T = true;
    boolean immediateData = true;
    int maxOutstandingR2T = 1;
    boolean dataPduInOrder = true;
    boolean dataSequenceInOrder = true;
    int defaultTime2Wait = 2;
    int defaultTime2Retain = 0;
    int errorRecoveryLevel;
    int maxConnections = 1;

    @Override
    public String toString() {
        return "HeaderDigest=" + (headerDigest ? "CRC32C" : "None") + " DataDigest=" + (dataDigest ? "CRC32C" : "None")
                + " MaxRecvDataSegmentLength=" + initiatorMaxRecv + "/" + targetMaxRecv + " MaxBurstLength="
                + maxBurstLength + " FirstBurstLength=" + firstBurstLength + " InitialR2T=" + yes(initialR2T)
                + " ImmediateData=" + yes(immediateData);
    }

    static String yes(boolean b) {
        return b ? "Yes" : "No";
    }
}
