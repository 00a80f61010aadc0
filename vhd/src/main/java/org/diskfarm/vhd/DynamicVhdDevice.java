package org.diskfarm.vhd;

import org.diskfarm.block.Extent;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.Ranges;
import org.diskfarm.block.StorageException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A dynamic or differencing disk: the virtual disk is cut into blocks; the Block Allocation Table (BAT) says where in
 * the file a block is, and each block starts with a sector bitmap saying which of its sectors this file holds. A
 * sector not held reads as zeros (dynamic) or from the parent (differencing).
 *
 * <p>Crash safety. Whatever write is the last to reach the disk, the file stays readable and consistent:
 * <ul>
 * <li>A new block goes at the end: the footer is first written past the block's end, then the block's data and
 *     bitmap over the old footer; only after an fsync is the block's BAT entry written ({@link VhdOptions.MetadataSync}
 *     says when). A block whose entry never landed is unreferenced space, reused by the next allocation.</li>
 * <li>In a dynamic disk a sector whose bit is clear always holds zeros in the file (new blocks are holes or zeroed,
 *     {@link #zero} clears the bit and then the data), so a bit that lands before its data still reads as before.
 *     In a differencing disk a clear bit means "the parent's data", so a bit is set only after its data is durable.</li>
 * <li>A footer lost at the end of the file is recovered from the copy at the start ({@link VhdLayout}); opening such a
 *     file for writing puts the footer back.</li>
 * </ul>
 *
 * <p>Threads: concurrent. {@link #lock} guards allocation, bitmap changes and the file's end; data I/O to allocated
 * blocks runs outside it. BAT entries and bitmaps are published through atomic arrays so readers need no lock.
 */
final class DynamicVhdDevice extends VhdDevice {
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private final VhdDevice parent;
    private final VhdOptions.MetadataSync sync;
    private final long size;
    private final int blockSize;
    private final int bitmapBytes;
    private final int dataAlignment;
    private final long batOffset;
    private final AtomicIntegerArray bat;
    private final AtomicReferenceArray<byte[]> bitmaps;
    private final ReentrantLock lock = new ReentrantLock();
    /** Where the next block goes. Guarded by lock. */
    private long nextFree;
    /** The file's current size. Guarded by lock. */
    private long fileEnd;
    /** With ON_FLUSH: BAT sectors and bitmaps changed in memory, written at the next flush. Guarded by lock. */
    private final BitSet dirtyBatSectors = new BitSet();
    private final BitSet dirtyBitmaps = new BitSet();

    DynamicVhdDevice(VhdLayout layout, VhdDevice parent, VhdOptions options) {
        super(layout, options.writable());
        this.parent = parent;
        this.sync = options.metadataSync();
        this.size = layout.footer.currentSize();
        this.blockSize = layout.header.blockSize();
        this.bitmapBytes = layout.header.bitmapBytes();
        this.dataAlignment = Math.min(options.dataAlignment(), blockSize);
        this.batOffset = layout.header.tableOffset();
        this.bat = new AtomicIntegerArray(layout.bat);
        this.bitmaps = new AtomicReferenceArray<>(layout.bat.length);
        this.nextFree = VhdFields.roundUp(layout.dataEnd, VhdFields.SECTOR);
        this.fileEnd = layout.fileSize;
        if (writable && layout.footerRecovered) {
            restoreFooter();
        }
    }

    /** Puts the footer back at the end of a file whose trailing footer was lost (see {@link VhdLayout}). */
    private void restoreFooter() {
        file.write(nextFree, layout.footer.encode());
        file.truncate(nextFree + VhdFooter.SIZE);
        file.force(true);
        fileEnd = nextFree + VhdFooter.SIZE;
    }

    @Override
    public VhdInfo info() {
        long blocks = 0;
        for (int i = 0; i < bat.length(); i++) {
            if (bat.get(i) != VhdLayout.UNALLOCATED) {
                blocks++;
            }
        }
        return info(blockSize, blocks * blockSize, parent == null ? null : parent.info());
    }

    @Override
    public boolean canTrim() {
        return writable;
    }

    /** A dynamic disk's trimmed sectors read as zeros; a differencing disk's read from the parent again. */
    @Override
    public boolean trimReadsZero() {
        return parent == null;
    }

    @Override
    public boolean canFastZero() {
        return writable && parent == null;
    }

    // ---- reads ----

    @Override
    public void read(long offset, ByteBuffer dst) {
        ensureOpen();
        Ranges.check(name, size, offset, dst.remaining());
        if (readWithinOneFullRun(offset, dst)) {
            return;
        }
        while (dst.hasRemaining()) {
            int block = (int) (offset / blockSize);
            int inBlock = (int) (offset % blockSize);
            int n = Math.min(dst.remaining(), blockSize - inBlock);
            ByteBuffer part = dst.slice(dst.position(), n);
            int sector = bat.get(block);
            if (sector == VhdLayout.UNALLOCATED) {
                readBelow(offset, part);
            } else {
                readBlock(block, sector, inBlock, offset, part);
            }
            dst.position(dst.position() + n);
            offset += n;
        }
    }

    /**
     * The common case: a request inside one block whose sectors are all in this file (every sector of an imported
     * image). One positional read, nothing sliced.
     */
    private boolean readWithinOneFullRun(long offset, ByteBuffer dst) {
        int length = dst.remaining();
        int block = (int) (offset / blockSize);
        int inBlock = (int) (offset % blockSize);
        if (length == 0 || inBlock + length > blockSize) {
            return false;
        }
        int sector = bat.get(block);
        if (sector == VhdLayout.UNALLOCATED) {
            return false;
        }
        byte[] bitmap = bitmap(block, sector);
        int first = inBlock / VhdFields.SECTOR;
        int last = (inBlock + length + VhdFields.SECTOR - 1) / VhdFields.SECTOR;
        if (!SectorBitmap.all(bitmap, first, last, true)) {
            return false;
        }
        file.read(Integer.toUnsignedLong(sector) * VhdFields.SECTOR + bitmapBytes + inBlock, dst);
        return true;
    }

    /** Reads part of an allocated block, run by run of its bitmap. */
    private void readBlock(int block, int sector, int inBlock, long offset, ByteBuffer part) {
        byte[] bitmap = bitmap(block, sector);
        long dataStart = Integer.toUnsignedLong(sector) * VhdFields.SECTOR + bitmapBytes;
        int end = inBlock + part.remaining();
        for (int at = inBlock; at < end; ) {
            int runEnd = Math.min(end, SectorBitmap.runEnd(bitmap, at / VhdFields.SECTOR,
                    (end + VhdFields.SECTOR - 1) / VhdFields.SECTOR) * VhdFields.SECTOR);
            ByteBuffer run = part.slice(at - inBlock, runEnd - at);
            if (SectorBitmap.get(bitmap, at / VhdFields.SECTOR)) {
                file.read(dataStart + at, run);
            } else {
                readBelow(offset + (at - inBlock), run);
            }
            at = runEnd;
        }
    }

    /** Data this file does not hold: the parent's, or zeros. */
    private void readBelow(long offset, ByteBuffer dst) {
        if (parent != null) {
            parent.read(offset, dst);
        } else {
            fillZeros(dst);
        }
    }

    static void fillZeros(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            dst.put(ZEROS.duplicate().limit(Math.min(ZEROS.capacity(), dst.remaining())));
        }
    }

    /** The block's bitmap, read from the file on first use. */
    private byte[] bitmap(int block, int sector) {
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

    // ---- writes ----

    @Override
    public void write(long offset, ByteBuffer src, IoFlags flags) {
        ensureOpen();
        Ranges.checkWritable(name, this);
        Ranges.check(name, size, offset, src.remaining());
        long end = offset + src.remaining();
        if (offset % VhdFields.SECTOR != 0 || end % VhdFields.SECTOR != 0) {
            src = alignedCopy(offset, src);
            offset -= offset % VhdFields.SECTOR;
        }
        while (src.hasRemaining()) {
            int block = (int) (offset / blockSize);
            int inBlock = (int) (offset % blockSize);
            int n = Math.min(src.remaining(), blockSize - inBlock);
            writeInBlock(block, inBlock, src.slice(src.position(), n));
            src.position(src.position() + n);
            offset += n;
        }
        if (flags.fua()) {
            flush();
        }
    }

    /**
     * Widens an unaligned write to whole sectors: the partly written first and last sectors are read first. Two
     * unaligned writes into one sector at the same time may lose one of them, as on any disk with 512-byte sectors.
     */
    private ByteBuffer alignedCopy(long offset, ByteBuffer src) {
        long start = offset - offset % VhdFields.SECTOR;
        long end = VhdFields.roundUp(offset + src.remaining(), VhdFields.SECTOR);
        ByteBuffer buffer = ByteBuffer.allocate((int) (end - start));
        read(start, buffer.slice(0, VhdFields.SECTOR));
        read(end - VhdFields.SECTOR, buffer.slice(buffer.capacity() - VhdFields.SECTOR, VhdFields.SECTOR));
        buffer.put((int) (offset - start), src, src.position(), src.remaining());
        src.position(src.limit());
        return buffer;
    }

    /** Writes whole sectors inside one block. */
    private void writeInBlock(int block, int inBlock, ByteBuffer data) {
        int sector = bat.get(block);
        if (sector == VhdLayout.UNALLOCATED) {
            lock.lock();
            try {
                sector = bat.get(block);
                if (sector == VhdLayout.UNALLOCATED) {
                    allocate(block, inBlock, data);
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
        long blockStart = Integer.toUnsignedLong(sector) * VhdFields.SECTOR;
        file.write(blockStart + bitmapBytes + inBlock, data);
        int first = inBlock / VhdFields.SECTOR;
        int last = first + data.limit() / VhdFields.SECTOR;
        byte[] bitmap = bitmap(block, sector);
        if (!SectorBitmap.all(bitmap, first, last, true)) {
            updateBitmap(block, blockStart, bitmap, first, last, true);
        }
    }

    /**
     * Sets or clears bits of an allocated block and writes the bitmap, in the order that keeps the file consistent:
     * a bit of a differencing disk is set only after its data is durable.
     */
    private void updateBitmap(int block, long blockStart, byte[] bitmap, int first, int last, boolean value) {
        lock.lock();
        try {
            byte[] changed = bitmap.clone();
            if (!SectorBitmap.set(changed, first, last, value)) {
                return;
            }
            if (sync == VhdOptions.MetadataSync.ON_FLUSH) {
                dirtyBitmaps.set(block);
            } else {
                if (value && parent != null) {
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
        file.write(end, layout.footer.encode());
        if (start > nextFree && nextFree + VhdFooter.SIZE <= fileEnd) {
            // The alignment gap begins with the old footer: blank it so that no stale footer stays inside the file.
            // (Not a hole punch: ext4 writes the range's dirty pages back synchronously before punching.)
            file.write(nextFree, ZEROS.duplicate().limit(VhdFooter.SIZE));
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

    private void clear(long at, long length) {
        if (!file.punchHole(at, length)) {
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(ZEROS.capacity(), length - done);
                file.write(at + done, ZEROS.duplicate().limit(n));
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

    @Override
    public void flush() {
        ensureOpen();
        if (!writable) {
            return;
        }
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

    // ---- zero and trim ----

    @Override
    public void trim(long offset, long length, IoFlags flags) {
        ensureOpen();
        Ranges.checkWritable(name, this);
        Ranges.check(name, size, offset, length);
        // Only whole sectors are released; a trimmed sector of a differencing disk reads from the parent again.
        long start = VhdFields.roundUp(offset, VhdFields.SECTOR);
        long end = (offset + length) / VhdFields.SECTOR * VhdFields.SECTOR;
        release(start, end);
        if (flags.fua()) {
            flush();
        }
    }

    @Override
    public void zero(long offset, long length, IoFlags flags) {
        ensureOpen();
        Ranges.checkWritable(name, this);
        Ranges.check(name, size, offset, length);
        if (parent != null || flags.noHole()) {
            // A clear bit would show the parent's data, and NO_HOLE asks for allocated zeros: write them.
            writeZeros(offset, length, flags);
            return;
        }
        long start = VhdFields.roundUp(offset, VhdFields.SECTOR);
        long end = (offset + length) / VhdFields.SECTOR * VhdFields.SECTOR;
        if (start >= end) {
            writeZeros(offset, length, flags);
            return;
        }
        writeZeros(offset, start - offset, IoFlags.NONE);
        release(start, end);
        writeZeros(end, offset + length - end, IoFlags.NONE);
        if (flags.fua()) {
            flush();
        }
    }

    private void writeZeros(long offset, long length, IoFlags flags) {
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(ZEROS.capacity(), length - done);
            write(offset + done, ZEROS.duplicate().limit(n), done + n == length ? flags : IoFlags.NONE);
            done += n;
        }
    }

    /** Clears the bits of whole sectors {@code [start, end)} and then releases their data (dynamic: zeros). */
    private void release(long start, long end) {
        for (long at = start; at < end; ) {
            int block = (int) (at / blockSize);
            int inBlock = (int) (at % blockSize);
            int n = (int) Math.min(end - at, blockSize - inBlock);
            int sector = bat.get(block);
            if (sector != VhdLayout.UNALLOCATED) {
                long blockStart = Integer.toUnsignedLong(sector) * VhdFields.SECTOR;
                int first = inBlock / VhdFields.SECTOR;
                updateBitmap(block, blockStart, bitmap(block, sector), first, first + n / VhdFields.SECTOR, false);
                clear(blockStart + bitmapBytes + inBlock, n);
            }
            at += n;
        }
    }

    // ---- extents ----

    @Override
    public List<Extent> extents(long offset, long length) {
        ensureOpen();
        Ranges.check(name, size, offset, length);
        List<Extent> result = new ArrayList<>();
        long end = offset + length;
        for (long at = offset; at < end; ) {
            int block = (int) (at / blockSize);
            int inBlock = (int) (at % blockSize);
            long n = Math.min(end - at, blockSize - inBlock);
            int sector = bat.get(block);
            if (sector == VhdLayout.UNALLOCATED) {
                below(at, n, result);
            } else {
                byte[] bitmap = bitmap(block, sector);
                long blockEnd = at + n;
                for (long runAt = at; runAt < blockEnd; ) {
                    int s = (int) ((runAt % blockSize) / VhdFields.SECTOR);
                    int last = (int) ((blockEnd - 1) % blockSize / VhdFields.SECTOR) + 1;
                    long runEnd = Math.min(blockEnd,
                            runAt - runAt % blockSize + (long) SectorBitmap.runEnd(bitmap, s, last) * VhdFields.SECTOR);
                    if (SectorBitmap.get(bitmap, s)) {
                        add(result, Extent.data(runAt, runEnd - runAt));
                    } else {
                        below(runAt, runEnd - runAt, result);
                    }
                    runAt = runEnd;
                }
            }
            at += n;
        }
        return result;
    }

    private void below(long at, long length, List<Extent> result) {
        if (parent == null) {
            add(result, Extent.hole(at, length));
            return;
        }
        for (long done = 0; done < length; ) {
            List<Extent> theirs = parent.extents(at + done, length - done);
            for (Extent extent : theirs) {
                add(result, extent);
            }
            done = theirs.getLast().end() - at;
        }
    }

    private static void add(List<Extent> result, Extent extent) {
        if (!result.isEmpty()) {
            Extent last = result.getLast();
            if (last.sameState(extent) && last.end() == extent.offset()) {
                result.set(result.size() - 1, new Extent(last.offset(), last.length() + extent.length(),
                        last.allocated(), last.zero()));
                return;
            }
        }
        result.add(extent);
    }

    @Override
    void closeParent() {
        if (parent != null) {
            parent.close();
        }
    }
}
