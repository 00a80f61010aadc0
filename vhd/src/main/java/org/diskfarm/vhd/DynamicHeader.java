package org.diskfarm.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The 1024-byte dynamic disk header of dynamic and differencing disks (VHD specification, "Dynamic Disk Header
 * Format"), found at the footer's Data Offset. Big-endian, except that the parent's name is UTF-16 big-endian and the
 * Windows parent locators' data is UTF-16 little-endian.
 */
record DynamicHeader(long tableOffset, int headerVersion, int maxTableEntries, int blockSize, UUID parentUniqueId,
                     int parentTimestamp, String parentUnicodeName, List<ParentLocator> locators) {

    static final int SIZE = 1024;
    static final String COOKIE = "cxsparse";
    static final int HEADER_VERSION = 0x0001_0000;
    static final int LOCATOR_COUNT = 8;
    private static final int CHECKSUM_AT = 36;
    private static final int PARENT_NAME_AT = 64;
    private static final int PARENT_NAME_BYTES = 512;
    private static final int LOCATORS_AT = 576;

    DynamicHeader {
        locators = List.copyOf(locators);
    }

    Instant parentTime() {
        return VhdFields.timestamp(parentTimestamp);
    }

    /** Bytes of one block's sector bitmap: one bit per sector, padded to whole sectors. */
    int bitmapBytes() {
        return bitmapBytes(blockSize);
    }

    static int bitmapBytes(int blockSize) {
        int sectors = blockSize / VhdFields.SECTOR;
        return (int) VhdFields.roundUp((sectors + 7) / 8, VhdFields.SECTOR);
    }

    /** Decodes the header, or says why the bytes are not one. */
    static Decoded decode(ByteBuffer buffer) {
        if (!VhdFields.ascii(buffer, 0, 8).equals(COOKIE)) {
            return new Decoded(null, "no dynamic header cookie \"cxsparse\" (found \""
                    + VhdFields.ascii(buffer, 0, 8) + "\")");
        }
        int stored = buffer.getInt(CHECKSUM_AT);
        int computed = VhdFields.checksum(buffer, SIZE, CHECKSUM_AT);
        if (stored != computed) {
            return new Decoded(null, String.format("dynamic header checksum mismatch (stored %08x, computed %08x)",
                    stored, computed));
        }
        byte[] name = new byte[PARENT_NAME_BYTES];
        buffer.get(PARENT_NAME_AT, name);
        List<ParentLocator> locators = new ArrayList<>();
        for (int i = 0; i < LOCATOR_COUNT; i++) {
            locators.add(ParentLocator.decode(buffer, LOCATORS_AT + i * ParentLocator.SIZE));
        }
        return new Decoded(new DynamicHeader(buffer.getLong(16), buffer.getInt(24), buffer.getInt(28),
                buffer.getInt(32), VhdFields.uuid(buffer, 40), buffer.getInt(56), utf16(name, false), locators), null);
    }

    record Decoded(DynamicHeader header, String problem) {
    }

    ByteBuffer encode() {
        ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        VhdFields.putAscii(buffer, 0, COOKIE, 8);
        buffer.putLong(8, -1L);
        buffer.putLong(16, tableOffset);
        buffer.putInt(24, headerVersion);
        buffer.putInt(28, maxTableEntries);
        buffer.putInt(32, blockSize);
        VhdFields.putUuid(buffer, 40, parentUniqueId);
        buffer.putInt(56, parentTimestamp);
        byte[] name = parentUnicodeName.getBytes(StandardCharsets.UTF_16BE);
        buffer.put(PARENT_NAME_AT, name, 0, Math.min(name.length, PARENT_NAME_BYTES));
        for (int i = 0; i < locators.size(); i++) {
            locators.get(i).encodeTo(buffer, LOCATORS_AT + i * ParentLocator.SIZE);
        }
        buffer.putInt(CHECKSUM_AT, VhdFields.checksum(buffer, SIZE, CHECKSUM_AT));
        return buffer;
    }

    /** Decodes UTF-16 text up to its first NUL character. */
    static String utf16(byte[] bytes, boolean littleEndian) {
        int length = 0;
        while (length + 1 < bytes.length && (bytes[length] != 0 || bytes[length + 1] != 0)) {
            length += 2;
        }
        return new String(bytes, 0, length, littleEndian ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
    }
}
