package org.diskfarm.vhd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Byte surgery on a VHD file for negative tests: reads the whole file into memory, finds its structures the way the
 * VHD specification lays them out (footer in the last 512 bytes and, for dynamic and differencing disks, a copy in the
 * first 512; the dynamic header at the footer's Data Offset; the BAT at the header's Table Offset; parent locator
 * data where the header's locator entries point), lets a test change fields, and fixes the checksums the test wants
 * fixed, so that a damaged field gets past the checksum check it is not about.
 *
 * <p>Written independently of the implementation in src/main on purpose: it knows the layout from the specification,
 * not from our code, so it cannot share a misreading with it. It does no validation itself; a field it reads may be
 * any value. Not thread-safe; one test, one instance.
 */
final class VhdFileSurgery {
    static final int SECTOR = 512;
    static final int FOOTER_SIZE = 512;
    static final int HEADER_SIZE = 1024;

    // Footer fields (offsets inside the footer).
    static final int F_COOKIE = 0;
    static final int F_FEATURES = 8;
    static final int F_VERSION = 12;
    static final int F_DATA_OFFSET = 16;
    static final int F_TIMESTAMP = 24;
    static final int F_CREATOR_APP = 28;
    static final int F_CREATOR_VERSION = 32;
    static final int F_CREATOR_HOST_OS = 36;
    static final int F_ORIGINAL_SIZE = 40;
    static final int F_CURRENT_SIZE = 48;
    static final int F_GEOMETRY = 56;
    static final int F_DISK_TYPE = 60;
    static final int F_CHECKSUM = 64;
    static final int F_UNIQUE_ID = 68;
    static final int F_SAVED_STATE = 84;

    // Dynamic header fields (offsets inside the header).
    static final int H_COOKIE = 0;
    static final int H_DATA_OFFSET = 8;
    static final int H_TABLE_OFFSET = 16;
    static final int H_VERSION = 24;
    static final int H_MAX_TABLE_ENTRIES = 28;
    static final int H_BLOCK_SIZE = 32;
    static final int H_CHECKSUM = 36;
    static final int H_PARENT_UNIQUE_ID = 40;
    static final int H_PARENT_TIMESTAMP = 56;
    static final int H_PARENT_NAME = 64;
    static final int H_LOCATORS = 576;
    static final int LOCATOR_SIZE = 24;
    static final int LOCATOR_COUNT = 8;
    // Fields of one locator entry.
    static final int L_PLATFORM_CODE = 0;
    static final int L_DATA_SPACE = 4;
    static final int L_DATA_LENGTH = 8;
    static final int L_DATA_OFFSET = 16;

    static final int W2KU = 0x57326B75;
    static final int W2RU = 0x57327275;

    private byte[] bytes;

    private VhdFileSurgery(byte[] bytes) {
        this.bytes = bytes;
    }

    static VhdFileSurgery of(Path file) {
        try {
            return new VhdFileSurgery(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static VhdFileSurgery of(byte[] bytes) {
        return new VhdFileSurgery(bytes.clone());
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return bytes.length;
    }

    void saveTo(Path file) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- where things are -----------------------------------------------------------------------------------------

    /** Offset of the trailing footer: the last 512 bytes. */
    int footer() {
        return bytes.length - FOOTER_SIZE;
    }

    /** True if the file starts with a footer copy (dynamic and differencing disks). */
    boolean hasFooterCopy() {
        return bytes.length >= 2 * FOOTER_SIZE && cookieAt(0).equals("conectix") && footer() != 0;
    }

    /** Offsets of all footers: the trailing one first, then the copy at the start if there is one. */
    int[] footers() {
        return hasFooterCopy() ? new int[] {footer(), 0} : new int[] {footer()};
    }

    int diskType() {
        return u32(footer() + F_DISK_TYPE);
    }

    long currentSize() {
        return u64(footer() + F_CURRENT_SIZE);
    }

    UUID uniqueId() {
        return uuid(footer() + F_UNIQUE_ID);
    }

    int timestamp() {
        return u32(footer() + F_TIMESTAMP);
    }

    /** Offset of the dynamic header, as the trailing footer says. */
    int header() {
        return Math.toIntExact(u64(footer() + F_DATA_OFFSET));
    }

    int tableOffset() {
        return Math.toIntExact(u64(header() + H_TABLE_OFFSET));
    }

    int maxTableEntries() {
        return u32(header() + H_MAX_TABLE_ENTRIES);
    }

    int blockSize() {
        return u32(header() + H_BLOCK_SIZE);
    }

    /** Bytes of sector bitmap in front of each block, padded to whole sectors. */
    int bitmapSize() {
        int sectorsPerBlock = blockSize() / SECTOR;
        return ((sectorsPerBlock + 7) / 8 + SECTOR - 1) / SECTOR * SECTOR;
    }

    /** Bytes the BAT takes, padded to whole sectors. */
    int tableSize() {
        return (maxTableEntries() * 4 + SECTOR - 1) / SECTOR * SECTOR;
    }

    int batEntry(int index) {
        return u32(tableOffset() + 4 * index);
    }

    void setBatEntry(int index, int sector) {
        putU32(tableOffset() + 4 * index, sector);
    }

    /** Indexes of the BAT entries that point to a block, in order. */
    List<Integer> allocatedBlocks() {
        List<Integer> allocated = new ArrayList<>();
        for (int i = 0; i < maxTableEntries(); i++) {
            if (batEntry(i) != -1) {
                allocated.add(i);
            }
        }
        return allocated;
    }

    /** Absolute offset of the first byte of block data (after its bitmap) of an allocated BAT entry. */
    long blockDataOffset(int index) {
        return (batEntry(index) & 0xFFFFFFFFL) * SECTOR + bitmapSize();
    }

    /** Offset of locator entry {@code i} (0..7) in the file. */
    int locator(int i) {
        return header() + H_LOCATORS + LOCATOR_SIZE * i;
    }

    /** The locator entry indexes with the platform code, in order. */
    List<Integer> locatorsWithCode(int code) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < LOCATOR_COUNT; i++) {
            if (u32(locator(i) + L_PLATFORM_CODE) == code) {
                found.add(i);
            }
        }
        return found;
    }

    /** Locator entries with a platform code (not 0). */
    List<Integer> usedLocators() {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < LOCATOR_COUNT; i++) {
            if (u32(locator(i) + L_PLATFORM_CODE) != 0) {
                found.add(i);
            }
        }
        return found;
    }

    /** The byte range {@code [offset, offset + length)} of a locator's data, clamped to the file. */
    int[] locatorData(int i) {
        long offset = u64(locator(i) + L_DATA_OFFSET);
        long length = u32(locator(i) + L_DATA_LENGTH) & 0xFFFFFFFFL;
        int from = (int) Math.min(Math.max(offset, 0), bytes.length);
        int to = (int) Math.min(from + length, bytes.length);
        return new int[] {from, to};
    }

    // ---- editing --------------------------------------------------------------------------------------------------

    /** Applies an edit to every footer (trailing and copy), given the footer's offset, and fixes their checksums. */
    void editFooters(Consumer<Integer> edit) {
        for (int at : footers()) {
            edit.accept(at);
            fixFooterChecksum(at);
        }
    }

    /** Applies an edit to the dynamic header, given its offset, and fixes its checksum. */
    void editHeader(Consumer<Integer> edit) {
        int at = header();
        edit.accept(at);
        fixHeaderChecksum();
    }

    void fixFooterChecksum(int at) {
        putU32(at + F_CHECKSUM, checksum(at, FOOTER_SIZE, F_CHECKSUM));
    }

    void fixHeaderChecksum() {
        putU32(header() + H_CHECKSUM, checksum(header(), HEADER_SIZE, H_CHECKSUM));
    }

    /** The VHD checksum of a structure: one's complement of the sum of its bytes, the checksum field left out. */
    int checksum(int at, int length, int checksumField) {
        int sum = 0;
        for (int i = 0; i < length; i++) {
            if (i >= checksumField && i < checksumField + 4) {
                continue;
            }
            sum += bytes[at + i] & 0xFF;
        }
        return ~sum;
    }

    void truncate(int newLength) {
        bytes = Arrays.copyOf(bytes, newLength);
    }

    /** Replaces every occurrence of {@code from} by {@code to} (same length) inside {@code [start, end)}. */
    int replaceAll(int start, int end, byte[] from, byte[] to) {
        if (from.length != to.length) {
            throw new IllegalArgumentException("replacement must keep the length");
        }
        int count = 0;
        for (int i = start; i + from.length <= end; i++) {
            if (Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, bytes, i, to.length);
                count++;
                i += from.length - 1;
            }
        }
        return count;
    }

    /**
     * Renames the parent in a differencing disk's header name field and every locator's data (UTF-16 in either byte
     * order), keeping lengths: {@code from} and {@code to} must have the same number of characters. Fixes the header
     * checksum. Returns how many places were changed.
     */
    int renameParent(String from, String to) {
        int count = 0;
        int name = header() + H_PARENT_NAME;
        count += replaceAll(name, name + 512, from.getBytes(StandardCharsets.UTF_16BE),
                to.getBytes(StandardCharsets.UTF_16BE));
        for (int i : usedLocators()) {
            int[] range = locatorData(i);
            count += replaceAll(range[0], range[1], from.getBytes(StandardCharsets.UTF_16LE),
                    to.getBytes(StandardCharsets.UTF_16LE));
            count += replaceAll(range[0], range[1], from.getBytes(StandardCharsets.UTF_8),
                    to.getBytes(StandardCharsets.UTF_8));
        }
        fixHeaderChecksum();
        return count;
    }

    // ---- fields ---------------------------------------------------------------------------------------------------

    String cookieAt(int at) {
        return new String(bytes, at, 8, StandardCharsets.US_ASCII);
    }

    void putAscii(int at, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, bytes, at, b.length);
    }

    int u8(int at) {
        return bytes[at] & 0xFF;
    }

    void putU8(int at, int value) {
        bytes[at] = (byte) value;
    }

    int u16(int at) {
        return buffer().getShort(at) & 0xFFFF;
    }

    void putU16(int at, int value) {
        buffer().putShort(at, (short) value);
    }

    int u32(int at) {
        return buffer().getInt(at);
    }

    void putU32(int at, int value) {
        buffer().putInt(at, value);
    }

    long u64(int at) {
        return buffer().getLong(at);
    }

    void putU64(int at, long value) {
        buffer().putLong(at, value);
    }

    UUID uuid(int at) {
        return new UUID(u64(at), u64(at + 8));
    }

    void putUuid(int at, UUID id) {
        putU64(at, id.getMostSignificantBits());
        putU64(at + 8, id.getLeastSignificantBits());
    }

    private ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    }
}
