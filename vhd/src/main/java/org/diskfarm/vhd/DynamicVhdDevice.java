package org.diskfarm.vhd;

import org.diskfarm.block.Extent;
import org.diskfarm.block.FileSpan;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.Ranges;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A dynamic or differencing disk: the virtual disk is cut into blocks; the Block Allocation Table says where in the
 * file a block is, and each block starts with a sector bitmap saying which of its sectors this file holds. A sector
 * not held reads as zeros (dynamic) or from the parent (differencing). This class maps reads, writes, zeroes, trims
 * and extents onto blocks; {@link BlockMap} owns the metadata and changes it on disk in a crash-safe order.
 *
 * <p>Threads: concurrent. Data I/O to allocated blocks runs without a lock; allocation and bitmap changes take
 * {@link BlockMap}'s.
 */
final class DynamicVhdDevice extends VhdDevice {
    private final VhdDevice parent;
    private final BlockMap map;
    private final long size;
    private final int blockSize;

    DynamicVhdDevice(VhdLayout layout, VhdDevice parent, VhdOptions options) {
        super(layout, options.writable());
        this.parent = parent;
        this.map = new BlockMap(layout, options, parent != null);
        this.size = layout.footer.currentSize();
        this.blockSize = layout.header.blockSize();
    }

    @Override
    public VhdInfo info() {
        return info(blockSize, map.allocatedBlocks() * blockSize, parent == null ? null : parent.info());
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
            int sector = map.sector(block);
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
        int sector = map.sector(block);
        if (sector == VhdLayout.UNALLOCATED) {
            return false;
        }
        byte[] bitmap = map.bitmap(block, sector);
        int first = inBlock / VhdFields.SECTOR;
        int last = (inBlock + length + VhdFields.SECTOR - 1) / VhdFields.SECTOR;
        if (!SectorBitmap.all(bitmap, first, last, true)) {
            return false;
        }
        file.read(map.dataStart(sector) + inBlock, dst);
        return true;
    }

    /** Reads part of an allocated block, run by run of its bitmap. */
    private void readBlock(int block, int sector, int inBlock, long offset, ByteBuffer part) {
        byte[] bitmap = map.bitmap(block, sector);
        long dataStart = map.dataStart(sector);
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
            VhdFields.fillZeros(dst);
        }
    }

    /**
     * A file span for a run of sectors this file holds, up to the end of their block (the next block's bitmap lies
     * between two blocks' data); the parent's span for sectors it does not hold in a differencing disk; no file for a
     * dynamic disk's unallocated sectors (zeros made up here), up to the end of the block or the bitmap run.
     * Blocks never move once allocated, so a span stays right until the range is written, trimmed or zeroed.
     */
    @Override
    public FileSpan fileSpan(long offset, long length) {
        ensureOpen();
        Ranges.check(name, size, offset, length);
        Ranges.checkNotEmpty(name, length);
        int block = (int) (offset / blockSize);
        int inBlock = (int) (offset % blockSize);
        long n = Math.min(length, blockSize - inBlock);
        int sector = map.sector(block);
        if (sector == VhdLayout.UNALLOCATED) {
            return spanBelow(offset, n);
        }
        byte[] bitmap = map.bitmap(block, sector);
        int first = inBlock / VhdFields.SECTOR;
        int last = (int) ((inBlock + n + VhdFields.SECTOR - 1) / VhdFields.SECTOR);
        long run = Math.min(n, (long) SectorBitmap.runEnd(bitmap, first, last) * VhdFields.SECTOR - inBlock);
        if (!SectorBitmap.get(bitmap, first)) {
            return spanBelow(offset, run);
        }
        FileChannel channel = file.channel();
        return channel == null ? FileSpan.notInFile(run) : FileSpan.inFile(channel, map.dataStart(sector) + inBlock, run);
    }

    private FileSpan spanBelow(long offset, long length) {
        return parent == null ? FileSpan.notInFile(length) : parent.fileSpan(offset, length);
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
        int sector = map.sector(block);
        if (sector == VhdLayout.UNALLOCATED) {
            if (map.allocateIfAbsent(block, inBlock, data)) {
                return;
            }
            sector = map.sector(block);
        }
        file.write(map.dataStart(sector) + inBlock, data);
        int first = inBlock / VhdFields.SECTOR;
        map.setBits(block, sector, first, first + data.limit() / VhdFields.SECTOR, true);
    }

    @Override
    public void flush() {
        ensureOpen();
        if (writable) {
            map.flush();
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
            int n = (int) Math.min(VhdFields.ZEROS.capacity(), length - done);
            write(offset + done, VhdFields.ZEROS.duplicate().limit(n), done + n == length ? flags : IoFlags.NONE);
            done += n;
        }
    }

    /** Clears the bits of whole sectors {@code [start, end)} and then releases their data (dynamic: zeros). */
    private void release(long start, long end) {
        for (long at = start; at < end; ) {
            int block = (int) (at / blockSize);
            int inBlock = (int) (at % blockSize);
            int n = (int) Math.min(end - at, blockSize - inBlock);
            int sector = map.sector(block);
            if (sector != VhdLayout.UNALLOCATED) {
                int first = inBlock / VhdFields.SECTOR;
                map.setBits(block, sector, first, first + n / VhdFields.SECTOR, false);
                map.clear(map.dataStart(sector) + inBlock, n);
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
            int sector = map.sector(block);
            if (sector == VhdLayout.UNALLOCATED) {
                below(at, n, result);
            } else {
                byte[] bitmap = map.bitmap(block, sector);
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
