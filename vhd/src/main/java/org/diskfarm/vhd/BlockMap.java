package org.diskfarm.vhd;

import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The metadata of a dynamic or differencing disk in memory, and the one place that changes it on disk: the Block
 * Allocation Table (BAT), the sector bitmaps, where the next block goes and where the file ends.
 *
 * <p>Crash safety. Whatever write is the last to reach the disk, the file stays readable and consistent:
 * <ul>
 * <li>A new block goes at the end: the footer is first written past the block's end, then the block's data and
 *     bitmap; only after an fsync is the block's BAT entry written ({@link VhdOptions.MetadataSync} says when). A block
 *     whose entry never landed is unreferenced space, reused (and cleared) by the next allocation.</li>
 * <li>In a dynamic disk a sector whose bit is clear always holds zeros in the file (new blocks are holes or cleared;
 *     the device clears a bit before it clears the data), so a bit that lands before its data still reads as before.
 *     In a differencing disk a clear bit means "the parent's data", so a bit is set only after its data is durable.</li>
 * <li>A footer lost at the end of the file is recovered from the copy at the start ({@link VhdLayout}); opening such a
 *     file for writing puts the footer back.</li>
 * </ul>
 *
 * <p>Threads: {@link #lock} guards allocation, bitmap changes, the dirty sets and the file's end. BAT entries and
 * bitmaps are published through atomic arrays, so readers need no lock; a bitmap array is changed only under the lock,
 * and only after the new bits are where the metadata mode keeps them.
 */
final class BlockMap {
    private final StorageFile file;
    private final String name;
    private final VhdFooter footer;
    private final VhdOptions.MetadataSync sync;
    /** A differencing disk: a clear bit shows the parent, so bits are set only over durable data. */
    private final boolean differencing;
    private final int blockSize;
    private final int bitmapBytes;
    private final int dataAlignment;
    private final long batOffset;
    private final AtomicIntegerArray bat;
    private final AtomicReferenceArray<byte[]> bitmaps;
    private final ReentrantLock lock = new ReentrantLock();
    /** Where the next block may go. Guarded by lock. */
    private long nextFree;
    /** The file's current size. Guarded by lock. */
    private long fileEnd;
    /** With ON_FLUSH: BAT sectors and bitmaps changed in memory, written at the next flush. Guarded by lock. */
    private final BitSet dirtyBatSectors = new BitSet();
    private final BitSet dirtyBitmaps = new BitSet();

    BlockMap(VhdLayout layout, VhdOptions options, boolean differencing) {
        this.file = layout.file;
        this.name = file.name();
        this.footer = layout.footer;
        this.sync = options.metadataSync();
        this.differencing = differencing;
        this.blockSize = layout.header.blockSize();
        this.bitmapBytes = layout.header.bitmapBytes();
        this.dataAlignment = Math.min(options.dataAlignment(), blockSize);
        this.batOffset = layout.header.tableOffset();
        this.bat = new AtomicIntegerArray(layout.bat);
        this.bitmaps = new AtomicReferenceArray<>(layout.bat.length);
        this.nextFree = VhdFields.roundUp(layout.dataEnd, VhdFields.SECTOR);
        this.fileEnd = layout.fileSize;
        if (options.writable() && layout.footerRecovered) {
            restoreFooter();
        }
    }

    /** Puts the footer back at the end of a file whose trailing footer was lost (see {@link VhdLayout}). */
    private void restoreFooter() {
        file.write(nextFree, footer.encode());
        file.truncate(nextFree + VhdFooter.SIZE);
        file.force(true);
        fileEnd = nextFree + VhdFooter.SIZE;
    }

    int bitmapBytes() {
        return bitmapBytes;
    }

    /** The block's first sector in the file, or {@link VhdLayout#UNALLOCATED}. */
    int sector(int block) {
        return bat.get(block);
    }

    /** File offset of the data of the block at {@code sector}. */
    long dataStart(int sector) {
        return Integer.toUnsignedLong(sector) * VhdFields.SECTOR + bitmapBytes;
    }

    long allocatedBlocks() {
        long blocks = 0;
        for (int i = 0; i < bat.length(); i++) {
            if (bat.get(i) != VhdLayout.UNALLOCATED) {
                blocks++;
            }
        }
        return blocks;
    }

    /** The block's bitmap, read from the file on first use. */
    byte[] bitmap(int block, int sector) {
        byte[] bitmap = bitmaps.get(block);
        if (bitmap == null) {
            byte[] loaded = new byte[bitmapBytes];
            file.read(Integer.toUnsignedLong(sector) * VhdFields.SECTOR, ByteBuffer.wrap(loaded));
            bitmap = bitmaps.compareAndExchange(block, null, loaded);
            if (bitmap == null) {
                bitmap = loaded;
            }
        }
        return bitmap;
    }

    /**
     * Writes whole sectors into {@code block} if it is not allocated yet, allocating it; returns false (and writes
     * nothing) if it is allocated, so that the caller writes into it.
     */
    boolean allocateIfAbsent(int block, int inBlock, ByteBuffer data) {
        lock.lock();
        try {
            if (bat.get(block) != VhdLayout.UNALLOCATED) {
                return false;
            }
            allocate(block, inBlock, data);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets or clears bits of an allocated block and writes the bitmap, in the order that keeps the file consistent:
     * a bit of a differencing disk is set only after its data is durable.
     */
    void setBits(int block, int sector, int first, int last, boolean value) {
        byte[] bitmap = bitmap(block, sector);
        if (SectorBitmap.all(bitmap, first, last, value)) {
            return;
        }
        long blockStart = Integer.toUnsignedLong(sector) * VhdFields.SECTOR;
        lock.lock();
        try {
            byte[] changed = bitmap.clone();
            if (!SectorBitmap.set(changed, first, last, value)) {
                return;
            }
            if (sync == VhdOptions.MetadataSync.ON_FLUSH) {
                dirtyBitmaps.set(block);
            } else {
                if (value && differencing) {
                    file.force(false);
                }
                file.write(blockStart, ByteBuffer.wrap(changed));
            }
            // Readers see the new bits only once the bitmap is where this mode keeps it.
            System.arraycopy(changed, 0, bitmap, 0, bitmapBytes);
        } finally {
            lock.unlock();
        }
    }

    /** Allocates a block at the end of the file for a first write into it. Caller holds lock. */
    private void allocate(int block, int inBlock, ByteBuffer data) {
        // Align the block's data (after its bitmap) as VhdOptions.dataAlignment says: reads stay on page-cache folios.
        long start = VhdFields.roundUp(nextFree + bitmapBytes, dataAlignment) - bitmapBytes;
        long end = start + bitmapBytes + blockSize;
        if (end / VhdFields.SECTOR > 0xffff_ffffL) {
            throw new StorageException(StorageException.Kind.NO_SPACE,
                    name + ": file would grow past the 2 TiB a BAT entry can address");
        }
        file.write(end, footer.encode());
        if (start > nextFree && nextFree + VhdFooter.SIZE <= fileEnd) {
            // The alignment gap begins with the old footer: blank it so that no stale footer stays inside the file.
            // (Not a hole punch: ext4 writes the range's dirty pages back synchronously before punching.)
            file.write(nextFree, VhdFields.ZEROS.duplicate().limit(VhdFooter.SIZE));
        }
        long staleEnd = Math.min(end, fileEnd);
        long dataStart = start + bitmapBytes;
        if (staleEnd > dataStart) {
            // Space left by an allocation that never reached the BAT: a clear bit must read zeros.
            clear(dataStart, staleEnd - dataStart);
        }
        file.write(dataStart + inBlock, data);
        byte[] bitmap = new byte[bitmapBytes];
        SectorBitmap.set(bitmap, inBlock / VhdFields.SECTOR, (inBlock + data.limit()) / VhdFields.SECTOR, true);
        file.write(start, ByteBuffer.wrap(bitmap));
        fileEnd = Math.max(fileEnd, end + VhdFooter.SIZE);
        nextFree = end;
        int sector = (int) (start / VhdFields.SECTOR);
        bitmaps.set(block, bitmap);
        if (sync == VhdOptions.MetadataSync.PER_ALLOCATION) {
            file.force(false);
            bat.set(block, sector);
            writeBatSector(block / (VhdFields.SECTOR / 4));
        } else {
            bat.set(block, sector);
            dirtyBatSectors.set(block / (VhdFields.SECTOR / 4));
        }
    }

    /** Makes a range of the file read as zeros: a hole where the file system can, else written zeros. */
    void clear(long at, long length) {
        if (!file.punchHole(at, length)) {
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(VhdFields.ZEROS.capacity(), length - done);
                file.write(at + done, VhdFields.ZEROS.duplicate().limit(n));
                done += n;
            }
        }
    }

    private void writeBatSector(int batSector) {
        int first = batSector * (VhdFields.SECTOR / 4);
        int count = Math.min(VhdFields.SECTOR / 4, bat.length() - first);
        ByteBuffer buffer = ByteBuffer.allocate(count * 4);
        for (int i = 0; i < count; i++) {
            buffer.putInt(bat.get(first + i));
        }
        file.write(batOffset + first * 4L, buffer.flip());
    }

    /** Makes everything written so far durable, and with ON_FLUSH writes the held metadata in the safe order. */
    void flush() {
        lock.lock();
        try {
            file.force(false);
            if (dirtyBitmaps.isEmpty() && dirtyBatSectors.isEmpty()) {
                return;
            }
            // Data first, then bitmaps, then the BAT entries that point at them, each durable before the next.
            for (int block = dirtyBitmaps.nextSetBit(0); block >= 0; block = dirtyBitmaps.nextSetBit(block + 1)) {
                long blockStart = Integer.toUnsignedLong(bat.get(block)) * VhdFields.SECTOR;
                file.write(blockStart, ByteBuffer.wrap(bitmaps.get(block).clone()));
            }
            dirtyBitmaps.clear();
            file.force(false);
            for (int s = dirtyBatSectors.nextSetBit(0); s >= 0; s = dirtyBatSectors.nextSetBit(s + 1)) {
                writeBatSector(s);
            }
            dirtyBatSectors.clear();
            file.force(false);
        } finally {
            lock.unlock();
        }
    }

}
