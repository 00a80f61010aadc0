package org.diskfarm.vhd;

import java.nio.ByteBuffer;

/**
 * One of the eight parent locator entries of a differencing disk's header (VHD specification, "Dynamic Disk Header
 * Format"): where in the file a platform-specific path of the parent is stored.
 *
 * @param platformCode   {@link #W2KU} (absolute Windows path, UTF-16LE), {@link #W2RU} (relative, UTF-16LE), or
 *                       another platform's code, which diskfarm keeps but does not read
 * @param dataSpace      room reserved for the path: in 512-byte sectors as the specification says, though Hyper-V
 *                       writes bytes; {@link #reservedBytes()} reads both
 * @param dataLength     bytes of the path
 * @param dataOffset     absolute file offset of the path
 */
record ParentLocator(int platformCode, int dataSpace, int dataLength, long dataOffset) {
    static final int SIZE = 24;
    static final int W2KU = 0x5732_6B75;
    static final int W2RU = 0x5732_7275;
    static final int NONE = 0;

    static ParentLocator decode(ByteBuffer buffer, int at) {
        return new ParentLocator(buffer.getInt(at), buffer.getInt(at + 4), buffer.getInt(at + 8),
                buffer.getLong(at + 16));
    }

    void encodeTo(ByteBuffer buffer, int at) {
        buffer.putInt(at, platformCode);
        buffer.putInt(at + 4, dataSpace);
        buffer.putInt(at + 8, dataLength);
        buffer.putInt(at + 12, 0);
        buffer.putLong(at + 16, dataOffset);
    }

    boolean isUsed() {
        return platformCode != NONE;
    }

    boolean isWindowsPath() {
        return platformCode == W2KU || platformCode == W2RU;
    }

    /** Bytes reserved for the path, reading Data Space as sectors when it is small enough to be a sector count. */
    long reservedBytes() {
        long space = Integer.toUnsignedLong(dataSpace);
        return space < VhdFields.SECTOR ? space * VhdFields.SECTOR : space;
    }

    String label() {
        return switch (platformCode) {
            case W2KU -> "W2ku";
            case W2RU -> "W2ru";
            default -> String.format("%08x", platformCode);
        };
    }
}
