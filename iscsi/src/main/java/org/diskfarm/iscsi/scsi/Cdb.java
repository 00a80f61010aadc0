package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;

/** Big-endian field access and the checks every command shares (SPC-4 CDB formats). */
final class Cdb {
    private Cdb() {
    }

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    static int u24(byte[] b, int at) {
        return (b[at] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff);
    }

    /** An unsigned 32-bit field as a long. */
    static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /** A 64-bit field; LBAs above 2^63 come back negative and fail the range checks as they should. */
    static long u64(byte[] b, int at) {
        return u32(b, at) << 32 | u32(b, at + 4);
    }

    /**
     * The CDB length the operation code's group implies (SPC-4 operation code groups): 6, 10, 12 or 16 bytes; 0 for
     * the groups without a fixed length (3 variable, 6 and 7 vendor specific).
     */
    static int lengthOf(int opcode) {
        return switch (opcode >>> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> 0;
        };
    }

    /**
     * SBC-3: the range {@code [lba, lba + blocks)} must lie on the medium. A zero-length range may start at the
     * capacity itself. LBAs are unsigned: one above 2^63 reads as negative here.
     */
    static void checkRange(long lba, long blocks, long capacity) {
        if (lba < 0 || blocks < 0 || lba > capacity || blocks > capacity - lba) {
            throw ScsiError.check(Sense.lbaOutOfRange());
        }
    }

    /** Cuts {@code data} to the CDB's ALLOCATION LENGTH (SPC-4); the lengths inside the data stay whole. */
    static ByteBuffer cut(ByteBuffer data, long allocationLength) {
        if (data.remaining() > allocationLength) {
            data.limit(data.position() + (int) allocationLength);
        }
        return data;
    }

    /** The Data-Out buffer must hold at least {@code needed} bytes; a shorter one ends the command. */
    static ByteBuffer dataOut(ByteBuffer dataOut, long needed) {
        if (needed > 0 && (dataOut == null || dataOut.remaining() < needed)) {
            throw ScsiError.check(Sense.dataOutTooShort());
        }
        return dataOut == null ? ByteBuffer.allocate(0) : dataOut.slice(dataOut.position(), (int) needed);
    }
}
