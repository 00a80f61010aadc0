package org.diskfarm.iscsi.scsi;

/**
 * Fixed-format sense data (SPC-4 4.5.3): the combinations a disk reports. Every builder returns a new 18-byte array
 * (response code 70h, current error) that the caller may keep.
 *
 * <p>Layout: byte 0 VALID (bit 7) and response code, byte 2 sense key, bytes 3-6 INFORMATION, byte 7 additional length
 * (10), bytes 12-13 ASC and ASCQ, bytes 15-17 sense-key specific data (SKSV in bit 7 of byte 15).
 */
public final class Sense {
    public static final int NO_SENSE = 0x0;
    public static final int NOT_READY = 0x2;
    public static final int MEDIUM_ERROR = 0x3;
    public static final int HARDWARE_ERROR = 0x4;
    public static final int ILLEGAL_REQUEST = 0x5;
    public static final int UNIT_ATTENTION = 0x6;
    public static final int DATA_PROTECT = 0x7;
    public static final int ABORTED_COMMAND = 0xb;
    public static final int MISCOMPARE = 0xe;

    /** Length of the fixed-format sense data built here. */
    public static final int LENGTH = 18;

    private Sense() {
    }

    /** 18 bytes: current error, the sense key, additional sense code and qualifier. */
    public static byte[] fixed(int key, int asc, int ascq) {
        byte[] s = new byte[LENGTH];
        s[0] = 0x70;
        s[2] = (byte) key;
        s[7] = LENGTH - 8;
        s[12] = (byte) asc;
        s[13] = (byte) ascq;
        return s;
    }

    /**
     * Sense data whose INFORMATION field is valid (VALID bit set): for a miscompare the offset of the first byte that
     * differs (SBC-3 COMPARE AND WRITE, VERIFY), for a medium error the failing LBA. Only the low 32 bits fit the
     * fixed format.
     */
    public static byte[] withInformation(int key, int asc, int ascq, long information) {
        byte[] s = fixed(key, asc, ascq);
        s[0] = (byte) 0xf0;
        s[3] = (byte) (information >>> 24);
        s[4] = (byte) (information >>> 16);
        s[5] = (byte) (information >>> 8);
        s[6] = (byte) information;
        return s;
    }

    /**
     * ILLEGAL REQUEST with a field pointer (SPC-4 sense-key specific data): SKSV set, C/D says whether the byte is in
     * the CDB or in the parameter list, and the bit pointer when {@code bit} is 0..7 (BPV).
     */
    public static byte[] illegalField(boolean inCdb, int byteIndex, int bit) {
        byte[] s = fixed(ILLEGAL_REQUEST, inCdb ? 0x24 : 0x26, 0x00);
        int flags = 0x80 | (inCdb ? 0x40 : 0);
        if (bit >= 0 && bit <= 7) {
            flags |= 0x08 | bit;
        }
        s[15] = (byte) flags;
        s[16] = (byte) (byteIndex >>> 8);
        s[17] = (byte) byteIndex;
        return s;
    }

    public static byte[] invalidOpcode() {
        return fixed(ILLEGAL_REQUEST, 0x20, 0x00);
    }

    public static byte[] invalidFieldInCdb() {
        return fixed(ILLEGAL_REQUEST, 0x24, 0x00);
    }

    /** INVALID FIELD IN CDB pointing at byte {@code byteIndex} of the CDB. */
    public static byte[] invalidFieldInCdb(int byteIndex) {
        return illegalField(true, byteIndex, -1);
    }

    public static byte[] invalidFieldInParameterList() {
        return fixed(ILLEGAL_REQUEST, 0x26, 0x00);
    }

    /** INVALID FIELD IN PARAMETER LIST pointing at byte {@code byteIndex} of the parameter list. */
    public static byte[] invalidFieldInParameterList(int byteIndex) {
        return illegalField(false, byteIndex, -1);
    }

    public static byte[] parameterListLengthError() {
        return fixed(ILLEGAL_REQUEST, 0x1a, 0x00);
    }

    /** The Data-Out buffer is shorter than the CDB requires (SAM-5: INVALID FIELD IN INFORMATION UNIT). */
    public static byte[] dataOutTooShort() {
        return fixed(ILLEGAL_REQUEST, 0x0e, 0x03);
    }

    public static byte[] lbaOutOfRange() {
        return fixed(ILLEGAL_REQUEST, 0x21, 0x00);
    }

    public static byte[] savingParametersNotSupported() {
        return fixed(ILLEGAL_REQUEST, 0x39, 0x00);
    }

    /** PERSISTENT RESERVE OUT RELEASE with a type other than the reservation's (SPC-4). */
    public static byte[] invalidReleaseOfPersistentReservation() {
        return fixed(ILLEGAL_REQUEST, 0x26, 0x04);
    }

    public static byte[] writeProtected() {
        return fixed(DATA_PROTECT, 0x27, 0x00);
    }

    /** SBC-3: a thin provisioned unit that ran out of space. */
    public static byte[] spaceAllocationFailed() {
        return fixed(DATA_PROTECT, 0x27, 0x07);
    }

    public static byte[] unrecoveredReadError() {
        return fixed(MEDIUM_ERROR, 0x11, 0x00);
    }

    public static byte[] writeError() {
        return fixed(MEDIUM_ERROR, 0x0c, 0x00);
    }

    /** MISCOMPARE DURING VERIFY OPERATION; INFORMATION is the offset in the Data-Out buffer of the first difference. */
    public static byte[] miscompare(long offset) {
        return withInformation(MISCOMPARE, 0x1d, 0x00, offset);
    }

    /** LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE: the device behind the unit was closed. */
    public static byte[] notReady() {
        return fixed(NOT_READY, 0x04, 0x00);
    }

    /** NO SENSE: what REQUEST SENSE returns when nothing is pending. */
    public static byte[] noSense() {
        return fixed(NO_SENSE, 0x00, 0x00);
    }

    public static byte[] unitAttention(int asc, int ascq) {
        return fixed(UNIT_ATTENTION, asc, ascq);
    }

    /** The sense key of sense data built here. */
    public static int key(byte[] sense) {
        return sense[2] & 0x0f;
    }

    /** ASC and ASCQ as one number, {@code asc << 8 | ascq}, as libiscsi prints them. */
    public static int ascq(byte[] sense) {
        return (sense[12] & 0xff) << 8 | (sense[13] & 0xff);
    }
}
