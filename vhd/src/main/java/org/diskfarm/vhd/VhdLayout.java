package org.diskfarm.vhd;

import org.diskfarm.block.StorageFile;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The structure of one VHD file as read and checked from it: footer, dynamic header, Block Allocation Table, and the
 * regions every structure occupies. Reading checks everything a reader relies on (cookies, checksums, sizes, that
 * every BAT entry points at a block inside the file that overlaps nothing else), so that the device code can trust
 * it. It writes nothing.
 *
 * <p>Memory is bounded by the virtual size: the BAT holds one int per block, and no more than {@link #MAX_BLOCKS}.
 */
final class VhdLayout {
    static final int UNALLOCATED = -1;
    /** 2040 GiB, the largest VHD the specification allows. */
    static final long MAX_SIZE = 2040L << 30;
    static final int MIN_BLOCK_SIZE = VhdFields.SECTOR;
    static final int MAX_BLOCK_SIZE = 256 << 20;
    /** 16 Mi blocks: 64 MiB of BAT in memory at most (2 TiB in 128 KiB blocks). */
    static final int MAX_BLOCKS = 1 << 24;
    /** Longest parent path we read from a locator. */
    static final int MAX_LOCATOR_BYTES = 64 << 10;

    final StorageFile file;
    final VhdFooter footer;
    final boolean footerRecovered;
    final long fileSize;
    /** Null for fixed disks. */
    final DynamicHeader header;
    /** Sector offsets of the blocks, {@link #UNALLOCATED} for none; null for fixed disks. */
    final int[] bat;
    /** Where the structures end that are not blocks: the first place a block may go. */
    final long metadataEnd;
    /** End of the last structure or block: where the next block goes. */
    final long dataEnd;

    private VhdLayout(StorageFile file, VhdFooter footer, boolean footerRecovered, long fileSize,
                      DynamicHeader header, int[] bat, long metadataEnd, long dataEnd) {
        this.file = file;
        this.footer = footer;
        this.footerRecovered = footerRecovered;
        this.fileSize = fileSize;
        this.header = header;
        this.bat = bat;
        this.metadataEnd = metadataEnd;
        this.dataEnd = dataEnd;
    }

    VhdType type() {
        return footer.type();
    }

    int blockSize() {
        return header == null ? 0 : header.blockSize();
    }

    /** Reads and checks the file's structure; problems go to {@code problems}. */
    static VhdLayout read(StorageFile file, Problems problems) {
        long fileSize = file.size();
        if (fileSize < VhdFooter.SIZE) {
            problems.error("", "too small to be a VHD file (" + fileSize + " bytes)");
            problems.stopIfFailed();
        }
        VhdFooter.Decoded atEnd = VhdFooter.decode(readBytes(file, fileSize - VhdFooter.SIZE, VhdFooter.SIZE));
        VhdFooter footer = atEnd.footer();
        boolean recovered = false;
        if (footer == null) {
            VhdFooter.Decoded copy = VhdFooter.decode(readBytes(file, 0, VhdFooter.SIZE));
            if (copy.footer() != null && copy.footer().type() != null && copy.footer().type() != VhdType.FIXED) {
                footer = copy.footer();
                recovered = true;
                problems.warning("footer", atEnd.problem() + " at the end of the file; using the copy at the start");
            } else {
                problems.error("footer", atEnd.problem());
                problems.stopIfFailed();
            }
        }
        checkFooter(footer, problems);
        problems.stopIfFailed();
        // Blocks and structures must end before the footer; after a recovery the file's end is unknown.
        long dataLimit = recovered ? fileSize : fileSize - VhdFooter.SIZE;
        if (footer.type() == VhdType.FIXED) {
            if (footer.currentSize() > dataLimit) {
                problems.error("footer", "virtual size " + footer.currentSize() + " does not fit the file of "
                        + fileSize + " bytes");
            }
            problems.stopIfFailed();
            return new VhdLayout(file, footer, false, fileSize, null, null, footer.currentSize(),
                    footer.currentSize());
        }
        return readDynamic(file, footer, recovered, fileSize, dataLimit, problems);
    }

    private static void checkFooter(VhdFooter footer, Problems problems) {
        if (footer.type() == null) {
            problems.error("footer", "unknown disk type " + footer.diskTypeCode());
        }
        if (footer.formatVersion() >>> 16 != 1) {
            problems.error("footer", String.format("unsupported format version %08x", footer.formatVersion()));
        }
        long size = footer.currentSize();
        if (size < 0 || size > MAX_SIZE) {
            problems.error("footer", "virtual size " + Long.toUnsignedString(size)
                    + " is larger than the VHD format allows (2040 GiB)");
        } else if (size % VhdFields.SECTOR != 0) {
            problems.error("footer", "virtual size " + size + " is not a multiple of 512 bytes");
        }
        if (footer.savedState()) {
            problems.warning("footer", "the disk is marked as in a saved state");
        }
    }

    private static VhdLayout readDynamic(StorageFile file, VhdFooter footer, boolean recovered, long fileSize,
                                         long dataLimit, Problems problems) {
        long headerAt = footer.dataOffset();
        if (headerAt < VhdFooter.SIZE || headerAt > dataLimit - DynamicHeader.SIZE) {
            problems.error("footer", "dynamic header offset " + Long.toUnsignedString(headerAt)
                    + " lies outside the file of " + fileSize + " bytes");
            problems.stopIfFailed();
        }
        DynamicHeader.Decoded decoded = DynamicHeader.decode(readBytes(file, headerAt, DynamicHeader.SIZE));
        if (decoded.header() == null) {
            problems.error("dynamic header at offset " + headerAt, decoded.problem());
            problems.stopIfFailed();
        }
        DynamicHeader header = decoded.header();
        String where = "dynamic header";
        if (header.headerVersion() >>> 16 != 1) {
            problems.error(where, String.format("unsupported header version %08x", header.headerVersion()));
        }
        int blockSize = header.blockSize();
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            problems.error(where, "block size " + Integer.toUnsignedString(blockSize)
                    + " is not a power of two from 512 bytes to 256 MiB");
            problems.stopIfFailed();
        }
        long blocks = (footer.currentSize() + blockSize - 1) / blockSize;
        long maxEntries = Integer.toUnsignedLong(header.maxTableEntries());
        if (maxEntries < blocks) {
            problems.error(where, "virtual size " + footer.currentSize() + " does not fit " + maxEntries
                    + " BAT entries of " + blockSize + "-byte blocks");
            problems.stopIfFailed();
        }
        if (blocks > MAX_BLOCKS) {
            problems.error(where, blocks + " blocks of " + blockSize + " bytes are more than diskfarm supports ("
                    + MAX_BLOCKS + "); use a larger block size");
            problems.stopIfFailed();
        }
        long batAt = header.tableOffset();
        // The table the header declares must lie in the file, though only the entries of real blocks are read.
        long batBytes = VhdFields.roundUp(maxEntries * 4, VhdFields.SECTOR);
        if (batAt < 0 || batAt > dataLimit || maxEntries * 4 > dataLimit - batAt) {
            problems.error(where, "BAT at offset " + Long.toUnsignedString(batAt) + " (" + maxEntries
                    + " entries, " + maxEntries * 4 + " bytes) lies outside the file of " + fileSize + " bytes");
            problems.stopIfFailed();
        }
        if (footer.type() == VhdType.DIFFERENCING && header.locators().stream().noneMatch(ParentLocator::isUsed)
                && header.parentUnicodeName().isEmpty()) {
            problems.error(where, "differencing disk names no parent");
        }
        List<long[]> regions = new ArrayList<>();
        regions.add(new long[] {0, VhdFooter.SIZE, -1});
        regions.add(new long[] {headerAt, headerAt + DynamicHeader.SIZE, -2});
        regions.add(new long[] {batAt, batAt + batBytes, -3});
        checkLocators(header, dataLimit, problems, regions);
        problems.stopIfFailed();
        long metadataEnd = 0;
        for (long[] region : regions) {
            metadataEnd = Math.max(metadataEnd, region[1]);
        }
        int[] bat = readBat(file, batAt, (int) blocks);
        long dataEnd = checkBlocks(bat, header, dataLimit, regions, problems);
        problems.stopIfFailed();
        return new VhdLayout(file, footer, recovered, fileSize, header, bat, metadataEnd,
                Math.max(metadataEnd, dataEnd));
    }

    private static void checkLocators(DynamicHeader header, long dataLimit, Problems problems, List<long[]> regions) {
        for (int i = 0; i < header.locators().size(); i++) {
            ParentLocator locator = header.locators().get(i);
            if (!locator.isUsed()) {
                continue;
            }
            String where = "parent locator " + i + " (" + locator.label() + ")";
            long length = Integer.toUnsignedLong(locator.dataLength());
            long at = locator.dataOffset();
            if (locator.isWindowsPath() && (length > MAX_LOCATOR_BYTES || length % 2 != 0)) {
                problems.error(where, "path length " + length + " is not a UTF-16 path of at most "
                        + MAX_LOCATOR_BYTES + " bytes");
            } else if (at < 0 || at > dataLimit || length > dataLimit - at) {
                problems.error(where, "data at offset " + Long.toUnsignedString(at) + " length " + length
                        + " lies outside the file");
            } else if (length > 0) {
                regions.add(new long[] {at, at + VhdFields.roundUp(length, VhdFields.SECTOR), -4 - i});
            }
        }
    }

    private static int[] readBat(StorageFile file, long batAt, int blocks) {
        int[] bat = new int[blocks];
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(blocks * 4, 1 << 20));
        for (int done = 0; done < blocks; ) {
            int n = Math.min(blocks - done, buffer.capacity() / 4);
            buffer.clear().limit(n * 4);
            file.read(batAt + done * 4L, buffer);
            buffer.flip();
            for (int i = 0; i < n; i++) {
                bat[done + i] = buffer.getInt();
            }
            done += n;
        }
        return bat;
    }

    /** Checks that every block lies inside the file and overlaps nothing; returns the end of the last block. */
    private static long checkBlocks(int[] bat, DynamicHeader header, long dataLimit, List<long[]> regions,
                                    Problems problems) {
        long span = (long) header.bitmapBytes() + header.blockSize();
        List<long[]> all = new ArrayList<>(regions);
        long end = 0;
        for (int i = 0; i < bat.length; i++) {
            if (bat[i] == UNALLOCATED) {
                continue;
            }
            long start = Integer.toUnsignedLong(bat[i]) * VhdFields.SECTOR;
            if (start + span > dataLimit) {
                problems.error("BAT entry " + i, "block at offset " + start + " (" + span
                        + " bytes) lies outside the file's data, which ends at " + dataLimit);
                continue;
            }
            all.add(new long[] {start, start + span, i});
            end = Math.max(end, start + span);
        }
        long[][] sorted = all.toArray(new long[0][]);
        Arrays.sort(sorted, Comparator.comparingLong(r -> r[0]));
        long[] previous = null;
        for (long[] region : sorted) {
            if (previous != null && region[0] < previous[1]) {
                long[] first = region[2] >= 0 ? region : previous;
                long[] other = first == region ? previous : region;
                String where = first[2] >= 0 ? "BAT entry " + first[2] : describe(first);
                problems.error(where, (first[2] >= 0 ? "block" : "data") + " at offset " + first[0] + " overlaps "
                        + describe(other));
            }
            if (previous == null || region[1] > previous[1]) {
                previous = region;
            }
        }
        return end;
    }

    private static String describe(long[] region) {
        long id = region[2];
        if (id >= 0) {
            return "the block of BAT entry " + id;
        }
        return switch ((int) id) {
            case -1 -> "the footer copy";
            case -2 -> "the dynamic header";
            case -3 -> "the BAT";
            default -> "parent locator " + (-4 - id) + "'s data";
        };
    }

    static ByteBuffer readBytes(StorageFile file, long at, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        file.read(Math.max(0, at), buffer);
        return buffer.flip();
    }
}
