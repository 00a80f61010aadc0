package org.diskfarm.iscsi;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One iSCSI PDU (RFC 7143 section 11.2): the 48-byte basic header segment, additional header segments and the data
 * segment, without padding and digests (those belong to the wire, {@link PduCodec}). The header is kept as bytes and
 * read and written through the field accessors; offsets are those of the RFC's tables.
 */
final class Pdu {
    static final int BHS = 48;
    static final int RESERVED_TAG = 0xffffffff;

    // Initiator opcodes (section 11.1.1)
    static final int NOP_OUT = 0x00;
    static final int SCSI_COMMAND = 0x01;
    static final int TASK_MGMT_REQUEST = 0x02;
    static final int LOGIN_REQUEST = 0x03;
    static final int TEXT_REQUEST = 0x04;
    static final int DATA_OUT = 0x05;
    static final int LOGOUT_REQUEST = 0x06;
    static final int SNACK_REQUEST = 0x10;
    // Target opcodes (section 11.1.2)
    static final int NOP_IN = 0x20;
    static final int SCSI_RESPONSE = 0x21;
    static final int TASK_MGMT_RESPONSE = 0x22;
    static final int LOGIN_RESPONSE = 0x23;
    static final int TEXT_RESPONSE = 0x24;
    static final int DATA_IN = 0x25;
    static final int LOGOUT_RESPONSE = 0x26;
    static final int R2T = 0x31;
    static final int ASYNC_MESSAGE = 0x32;
    static final int REJECT = 0x3f;

    /** Reject reasons (section 11.17.1). */
    static final int REJECT_DATA_DIGEST = 0x02;
    static final int REJECT_SNACK = 0x03;
    static final int REJECT_PROTOCOL_ERROR = 0x04;
    static final int REJECT_NOT_SUPPORTED = 0x05;
    static final int REJECT_IMMEDIATE = 0x06;
    static final int REJECT_INVALID_FIELD = 0x09;
    static final int REJECT_WAITING_FOR_LOGOUT = 0x0c;

    final byte[] bhs;
    byte[] ahs;
    /** The data segment (never null; empty if none). */
    byte[] data;
    /** Set by the decoder when the data digest did not match: the data cannot be trusted. */
    boolean dataDigestError;

    Pdu(byte[] bhs, byte[] ahs, byte[] data) {
        if (bhs.length != BHS) {
            throw new IllegalArgumentException("a basic header segment has 48 bytes");
        }
        this.bhs = bhs;
        this.ahs = ahs == null ? new byte[0] : ahs;
        this.data = data == null ? new byte[0] : data;
    }

    /** A PDU with this opcode, an empty header otherwise. */
    static Pdu of(int opcode) {
        Pdu p = new Pdu(new byte[BHS], null, null);
        p.bhs[0] = (byte) opcode;
        return p;
    }

    int opcode() {
        return bhs[0] & 0x3f;
    }

    boolean immediate() {
        return (bhs[0] & 0x40) != 0;
    }

    Pdu immediate(boolean on) {
        bhs[0] = (byte) (on ? bhs[0] | 0x40 : bhs[0] & ~0x40);
        return this;
    }

    /** Byte 1: the F bit and the opcode-specific flags. */
    int flags() {
        return bhs[1] & 0xff;
    }

    Pdu flags(int flags) {
        bhs[1] = (byte) flags;
        return this;
    }

    boolean finalBit() {
        return (bhs[1] & 0x80) != 0;
    }

    int totalAhsLength() {
        return bhs[4] & 0xff;
    }

    int dataSegmentLength() {
        return u24(bhs, 5);
    }

    long lun() {
        return u64(8);
    }

    Pdu lun(long lun) {
        return u64(8, lun);
    }

    int itt() {
        return u32(16);
    }

    Pdu itt(int itt) {
        return u32(16, itt);
    }

    int u8(int at) {
        return bhs[at] & 0xff;
    }

    Pdu u8(int at, int v) {
        bhs[at] = (byte) v;
        return this;
    }

    int u16(int at) {
        return ((bhs[at] & 0xff) << 8) | (bhs[at + 1] & 0xff);
    }

    Pdu u16(int at, int v) {
        bhs[at] = (byte) (v >>> 8);
        bhs[at + 1] = (byte) v;
        return this;
    }

    int u32(int at) {
        return ((bhs[at] & 0xff) << 24) | ((bhs[at + 1] & 0xff) << 16) | ((bhs[at + 2] & 0xff) << 8)
                | (bhs[at + 3] & 0xff);
    }

    Pdu u32(int at, int v) {
        bhs[at] = (byte) (v >>> 24);
        bhs[at + 1] = (byte) (v >>> 16);
        bhs[at + 2] = (byte) (v >>> 8);
        bhs[at + 3] = (byte) v;
        return this;
    }

    long u64(int at) {
        return ((long) u32(at) << 32) | (u32(at + 4) & 0xffffffffL);
    }

    Pdu u64(int at, long v) {
        u32(at, (int) (v >>> 32));
        return u32(at + 4, (int) v);
    }

    /** Sets the data segment (and its length in the header). */
    Pdu data(byte[] data) {
        this.data = data == null ? new byte[0] : data;
        bhs[5] = (byte) (this.data.length >>> 16);
        bhs[6] = (byte) (this.data.length >>> 8);
        bhs[7] = (byte) this.data.length;
        return this;
    }

    /** Sets the header's data segment length for data sent apart from this object (a Data-In slice). */
    Pdu dataLength(int length) {
        bhs[5] = (byte) (length >>> 16);
        bhs[6] = (byte) (length >>> 8);
        bhs[7] = (byte) length;
        return this;
    }

    ByteBuffer dataBuffer() {
        return ByteBuffer.wrap(data);
    }

    static int u24(byte[] b, int at) {
        return ((b[at] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff);
    }

    /** Padding that makes {@code length} a multiple of 4 (section 11.2.3). */
    static int pad(int length) {
        return (4 - (length & 3)) & 3;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pdu p && Arrays.equals(bhs, p.bhs) && Arrays.equals(ahs, p.ahs)
                && Arrays.equals(data, p.data) && dataDigestError == p.dataDigestError;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bhs) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return String.format("PDU(opcode 0x%02x, flags 0x%02x, itt 0x%08x, %d data bytes)", opcode(), flags(), itt(),
                data.length);
    }

    /** Serial number arithmetic (RFC 1982, 32 bits): a before b. */
    static boolean snLess(int a, int b) {
        return a != b && (a - b) < 0;
    }
}
