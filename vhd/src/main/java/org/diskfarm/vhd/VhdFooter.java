package org.diskfarm.vhd;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.UUID;

/**
 * The 512-byte hard disk footer (VHD specification, "Hard Disk Footer Format"). It ends every VHD file; dynamic and
 * differencing disks also keep a copy in their first 512 bytes, from which a footer lost at the end is recovered.
 * All fields are big-endian.
 */
record VhdFooter(int features, int formatVersion, long dataOffset, int timestamp, String creatorApplication,
                 int creatorVersion, int creatorHostOs, long originalSize, long currentSize, Geometry geometry,
                 int diskTypeCode, UUID uniqueId, boolean savedState) {

    static final int SIZE = 512;
    static final String COOKIE = "conectix";
    /** Data Offset of fixed disks, which have no further structures. */
    static final long NO_DATA_OFFSET = -1L;
    static final int FORMAT_VERSION = 0x0001_0000;
    /** The Features field: bit 1 is reserved and must always be set. */
    static final int FEATURES_RESERVED = 0x2;
    /** Host OS "Wi2k", which QEMU and Hyper-V write too. */
    static final int HOST_WINDOWS = 0x5769_326B;
    static final String CREATOR = "dfrm";
    static final int CREATOR_VERSION = 0x0000_0001;
    private static final int CHECKSUM_AT = 64;

    VhdType type() {
        return VhdType.fromCode(diskTypeCode);
    }

    Instant time() {
        return VhdFields.timestamp(timestamp);
    }

    /**
     * Reads a footer from the 512 bytes at {@code buffer}'s start; returns a reason instead of a footer when the bytes
     * are not one (wrong cookie, wrong checksum), so that the caller can try the copy.
     */
    static Decoded decode(ByteBuffer buffer) {
        if (!VhdFields.ascii(buffer, 0, 8).equals(COOKIE)) {
            return new Decoded(null, "no footer cookie \"conectix\" (found \"" + VhdFields.ascii(buffer, 0, 8) + "\")");
        }
        int stored = buffer.getInt(CHECKSUM_AT);
        int computed = VhdFields.checksum(buffer, SIZE, CHECKSUM_AT);
        if (stored != computed) {
            return new Decoded(null, String.format("footer checksum mismatch (stored %08x, computed %08x)", stored,
                    computed));
        }
        VhdFooter footer = new VhdFooter(buffer.getInt(8), buffer.getInt(12), buffer.getLong(16), buffer.getInt(24),
                VhdFields.ascii(buffer, 28, 4), buffer.getInt(32), buffer.getInt(36), buffer.getLong(40),
                buffer.getLong(48),
                new Geometry(Short.toUnsignedInt(buffer.getShort(56)), buffer.get(58) & 0xff, buffer.get(59) & 0xff),
                buffer.getInt(60), VhdFields.uuid(buffer, 68), buffer.get(84) != 0);
        return new Decoded(footer, null);
    }

    /** A footer, or why there is none. */
    record Decoded(VhdFooter footer, String problem) {
    }

    ByteBuffer encode() {
        ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        VhdFields.putAscii(buffer, 0, COOKIE, 8);
        buffer.putInt(8, features);
        buffer.putInt(12, formatVersion);
        buffer.putLong(16, dataOffset);
        buffer.putInt(24, timestamp);
        VhdFields.putAscii(buffer, 28, creatorApplication, 4);
        buffer.putInt(32, creatorVersion);
        buffer.putInt(36, creatorHostOs);
        buffer.putLong(40, originalSize);
        buffer.putLong(48, currentSize);
        buffer.putShort(56, (short) geometry.cylinders());
        buffer.put(58, (byte) geometry.heads());
        buffer.put(59, (byte) geometry.sectorsPerTrack());
        buffer.putInt(60, diskTypeCode);
        VhdFields.putUuid(buffer, 68, uniqueId);
        buffer.put(84, (byte) (savedState ? 1 : 0));
        buffer.putInt(CHECKSUM_AT, VhdFields.checksum(buffer, SIZE, CHECKSUM_AT));
        return buffer;
    }
}
