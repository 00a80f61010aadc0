package org.diskfarm.cache;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;

/**
 * The one implementation of the write caches: chunks of {@link #CHUNK_SIZE} bytes kept in RAM up to a RAM capacity,
 * then (if there is one) in a {@link FileChunkStore} up to a file capacity; zeroed chunks are one bit each.
 * {@link RamWriteCache}, {@link FileWriteCache} and {@link OverflowWriteCache} choose the capacities.
 *
 * <p>State, all guarded by {@link #lock}: {@link #ram} (chunk index to its bytes), {@link #zero} and {@link #inFile}
 * (one bit per chunk), and the byte counts. A chunk is in at most one of the three. RAM is accounted as
 * {@link #CHUNK_SIZE} per chunk (the map adds about 1.5% on top); zero chunks cost one bit and are not accounted.
 *
 * <p>Threads: reads take the read lock to copy RAM chunks and read file chunks, so they run in parallel; write, zero,
 * trim and discard take the write lock. No lock is held while the base is read: a partial-chunk write reads the
 * base's chunk first, then takes the lock, and reads again if the chunk's state changed meanwhile. Writes to the cache
 * file are serialised by the write lock (the VHD allocates under its own lock anyway).
 *
 * <p>A write that needs more new chunks than the capacity left throws NO_SPACE before it changes anything. A
 * file-system error part way through a write that spans chunks may leave the chunks before it written, as on a disk.
 */
abstract sealed class ChunkWriteCache extends WriteCache permits RamWriteCache, FileWriteCache, OverflowWriteCache {
    private static final byte RAM_HAS = 1;
    private static final byte RAM_NEW = 2;
    private static final byte FILE_HAS = 3;
    private static final byte FILE_NEW = 4;
    private static final byte[] ZEROS = new byte[64 << 10];

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final NavigableMap<Integer, byte[]> ram = new TreeMap<>(); // guarded by lock
    private final BitSet zero = new BitSet(); // guarded by lock
    private final BitSet inFile = new BitSet(); // guarded by lock
    private long ramUsedBytes; // guarded by lock
    private long fileUsedBytes; // guarded by lock
    private final long ramCapacityBytes;
    private final FileChunkStore file; // null if the cache has no file
    private final long fileCapacityBytes;

    ChunkWriteCache(String name, BlockDevice base, long ramCapacityBytes, FileChunkStore file,
            long fileCapacityBytes) {
        super(name, base);
        if (ramCapacityBytes < 0 || fileCapacityBytes < 0) {
            throw new IllegalArgumentException(name + ": negative capacity");
        }
        this.ramCapacityBytes = ramCapacityBytes;
        this.file = file;
        this.fileCapacityBytes = file == null ? 0 : fileCapacityBytes;
    }

    /** Bytes of RAM the cache may hold. */
    public final long ramCapacityBytes() {
        return ramCapacityBytes;
    }

    public final long ramUsedBytes() {
        lock.readLock().lock();
        try {
            return ramUsedBytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    public final long fileUsedBytes() {
        lock.readLock().lock();
        try {
            return fileUsedBytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public final long usedBytes() {
        lock.readLock().lock();
        try {
            return ramUsedBytes + fileUsedBytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public final void write(long offset, ByteBuffer src, IoFlags flags) {
        checkRequest(offset, src.remaining());
        if (src.hasRemaining()) {
            writeRange(offset, src.slice(), flags);
            src.position(src.limit());
        }
    }

    @Override
    public final void zero(long offset, long length, IoFlags flags) {
        checkRequest(offset, length);
        dropWholeChunks(offset, length, flags, true);
    }

    /** Drops the chunks the range covers wholly: they read from the base again. Partial chunks keep their data. */
    @Override
    public final void trim(long offset, long length, IoFlags flags) {
        checkRequest(offset, length);
        dropWholeChunks(offset, length, flags, false);
    }

    /** Flushes the cache file, if any; RAM has nothing to flush (and does not survive the process). */
    @Override
    public final void flush() {
        checkOpen();
        if (file != null) {
            lock.readLock().lock();
            try {
                file.flush();
            } finally {
                lock.readLock().unlock();
            }
        }
    }

    @Override
    public final void discard() {
        checkOpen();
        lock.writeLock().lock();
        try {
            clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    protected final void closeCache() {
        lock.writeLock().lock();
        try {
            clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void clear() {
        ram.clear();
        zero.clear();
        inFile.clear();
        ramUsedBytes = 0;
        fileUsedBytes = 0;
        if (file != null) {
            file.discard();
        }
    }

    @Override
    protected final ChunkState chunkState(int chunk) {
        lock.readLock().lock();
        try {
            if (zero.get(chunk)) {
                return ChunkState.ZERO;
            }
            return ram.containsKey(chunk) || inFile.get(chunk) ? ChunkState.DATA : ChunkState.ABSENT;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    protected final int readCached(long offset, ByteBuffer dst) {
        int chunk = chunkOf(offset);
        int length = dst.remaining();
        lock.readLock().lock();
        try {
            if (zero.get(chunk)) {
                int bytes = (int) Math.min(length, chunkStart(zero.nextClearBit(chunk)) - offset);
                for (int done = 0; done < bytes; done += Math.min(bytes - done, ZEROS.length)) {
                    dst.put(dst.position() + done, ZEROS, 0, Math.min(bytes - done, ZEROS.length));
                }
                return bytes;
            }
            byte[] data = ram.get(chunk);
            if (data != null) {
                int bytes = (int) Math.min(length, chunkStart(chunk) + CHUNK_SIZE - offset);
                dst.put(dst.position(), data, (int) (offset - chunkStart(chunk)), bytes);
                return bytes;
            }
            if (inFile.get(chunk)) {
                int bytes = (int) Math.min(length, chunkStart(inFile.nextClearBit(chunk)) - offset);
                file.read(offset, dst.slice(dst.position(), bytes));
                return bytes;
            }
            int next = nextHeld(chunk + 1);
            return next == Integer.MAX_VALUE ? -length : (int) -Math.min(length, chunkStart(next) - offset);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    protected final int nextCachedChunk(int chunk) {
        lock.readLock().lock();
        try {
            return nextHeld(chunk);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link #nextCachedChunk} with the lock held. */
    private int nextHeld(int chunk) {
        int next = Integer.MAX_VALUE;
        int z = zero.nextSetBit(chunk);
        if (z >= 0) {
            next = z;
        }
        int f = inFile.nextSetBit(chunk);
        if (f >= 0) {
            next = Math.min(next, f);
        }
        Integer r = ram.ceilingKey(chunk);
        return r == null ? next : Math.min(next, r);
    }

    @Override
    protected final int nextAbsentChunk(int chunk) {
        lock.readLock().lock();
        try {
            int c = chunk;
            while (true) {
                if (zero.get(c)) {
                    c = zero.nextClearBit(c);
                } else if (inFile.get(c)) {
                    c = inFile.nextClearBit(c);
                } else if (ram.containsKey(c)) {
                    c++;
                } else {
                    return c;
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Writes {@code data} (position 0, all of it) at {@code offset}; reads the base for partial edge chunks. */
    private void writeRange(long offset, ByteBuffer data, IoFlags flags) {
        long end = offset + data.remaining();
        int first = chunkOf(offset);
        int last = chunkOf(end - 1);
        byte[] headFill = null;
        byte[] tailFill = null;
        while (true) {
            int needed;
            lock.writeLock().lock();
            try {
                checkOpen();
                if (headFill == null && !covers(first, offset, end) && absent(first)) {
                    needed = first;
                } else if (tailFill == null && last != first && !covers(last, offset, end) && absent(last)) {
                    needed = last;
                } else {
                    apply(offset, data, flags, first, last, headFill, tailFill);
                    return;
                }
            } finally {
                lock.writeLock().unlock();
            }
            byte[] fill = readBaseChunk(needed); // outside the lock
            if (needed == first) {
                headFill = fill;
            } else {
                tailFill = fill;
            }
        }
    }

    /** Under the write lock: plans where each chunk goes, fails if it does not fit, then writes. */
    private void apply(long offset, ByteBuffer data, IoFlags flags, int first, int last, byte[] headFill,
            byte[] tailFill) {
        byte[] plan = new byte[last - first + 1];
        long newRam = 0;
        long newFile = 0;
        for (int c = first; c <= last; c++) {
            byte where;
            if (ram.containsKey(c)) {
                where = RAM_HAS;
            } else if (inFile.get(c)) {
                where = FILE_HAS;
            } else if (ramUsedBytes + newRam + CHUNK_SIZE <= ramCapacityBytes) {
                where = RAM_NEW;
                newRam += CHUNK_SIZE;
            } else if (file != null && fileUsedBytes + newFile + CHUNK_SIZE <= fileCapacityBytes) {
                where = FILE_NEW;
                newFile += CHUNK_SIZE;
            } else {
                throw full();
            }
            plan[c - first] = where;
        }
        long end = offset + data.remaining();
        int run = -1; // first chunk of a run of chunks whose bytes go to the file straight from data
        for (int c = first; c <= last; c++) {
            long from = Math.max(offset, chunkStart(c));
            long to = Math.min(end, chunkStart(c) + chunkLength(c));
            int inData = (int) (from - offset);
            int inChunk = (int) (from - chunkStart(c));
            int length = (int) (to - from);
            byte where = plan[c - first];
            if (where == FILE_HAS || where == FILE_NEW && length == chunkLength(c)) {
                run = run < 0 ? c : run;
                continue;
            }
            if (run >= 0) {
                writeFileRun(offset, data, flags, plan, first, run, c - 1);
                run = -1;
            }
            switch (where) {
                case RAM_HAS -> data.get(inData, ram.get(c), inChunk, length);
                case RAM_NEW -> {
                    byte[] bytes = newChunk(c, c == first ? headFill : tailFill);
                    data.get(inData, bytes, inChunk, length);
                    ram.put(c, bytes);
                    zero.clear(c);
                    ramUsedBytes += CHUNK_SIZE;
                }
                case FILE_NEW -> {
                    byte[] bytes = newChunk(c, c == first ? headFill : tailFill);
                    data.get(inData, bytes, inChunk, length);
                    file.write(chunkStart(c), ByteBuffer.wrap(bytes, 0, chunkLength(c)), flags);
                    markInFile(c);
                }
                default -> throw new IllegalStateException("chunk plan " + where);
            }
        }
        if (run >= 0) {
            writeFileRun(offset, data, flags, plan, first, run, last);
        }
    }

    /** Writes the bytes of chunks {@code [from, to]} to the file in one call, then marks the new ones as there. */
    private void writeFileRun(long offset, ByteBuffer data, IoFlags flags, byte[] plan, int first, int from, int to) {
        long start = Math.max(offset, chunkStart(from));
        long end = Math.min(offset + data.remaining(), chunkStart(to) + chunkLength(to));
        file.write(start, data.slice((int) (start - offset), (int) (end - start)), flags);
        for (int c = from; c <= to; c++) {
            if (plan[c - first] == FILE_NEW) {
                markInFile(c);
            }
        }
    }

    private void markInFile(int chunk) {
        inFile.set(chunk);
        zero.clear(chunk);
        fileUsedBytes += CHUNK_SIZE;
    }

    /** A new chunk's bytes before the write: zeros for a zeroed chunk, else the base's (read before the lock). */
    private byte[] newChunk(int chunk, byte[] fill) {
        byte[] bytes = new byte[CHUNK_SIZE];
        if (!zero.get(chunk) && fill != null) {
            System.arraycopy(fill, 0, bytes, 0, CHUNK_SIZE);
        }
        return bytes;
    }

    private StorageException full() {
        String what = file == null
                ? "RAM write cache full (" + ramCapacityBytes + " bytes)"
                : "write cache full (" + ramCapacityBytes + " bytes of RAM, " + fileCapacityBytes
                        + " bytes in " + file.path().getFileName() + ")";
        return new StorageException(StorageException.Kind.NO_SPACE, name + ": " + what);
    }

    /**
     * Zero ({@code toZero}) or trim: whole chunks become zero chunks or are dropped; a zero's partial edge chunks are
     * written with zeros, a trim's are left alone.
     */
    private void dropWholeChunks(long offset, long length, IoFlags flags, boolean toZero) {
        if (length == 0) {
            return;
        }
        long end = offset + length;
        int first = chunkOf(offset);
        int last = chunkOf(end - 1);
        int wholeFirst = covers(first, offset, end) ? first : first + 1;
        int wholeLast = covers(last, offset, end) ? last : last - 1;
        if (toZero) {
            long headEnd = Math.min(end, chunkStart(first) + CHUNK_SIZE);
            // A zero chunk needs nothing; any other partial chunk is written with zeros.
            if (wholeFirst != first && chunkState(first) != ChunkState.ZERO) {
                writeRange(offset, ByteBuffer.allocate((int) (headEnd - offset)), flags);
            }
            if (wholeLast != last && last != first && chunkState(last) != ChunkState.ZERO) {
                writeRange(chunkStart(last), ByteBuffer.allocate((int) (end - chunkStart(last))), flags);
            }
        }
        if (wholeFirst > wholeLast) {
            return;
        }
        lock.writeLock().lock();
        try {
            checkOpen();
            Map<Integer, byte[]> dropped = ram.subMap(wholeFirst, true, wholeLast, true);
            ramUsedBytes -= (long) dropped.size() * CHUNK_SIZE;
            dropped.clear();
            int toIndex = wholeLast + 1;
            int inFileCount = inFile.get(wholeFirst, toIndex).cardinality();
            if (inFileCount > 0) {
                inFile.clear(wholeFirst, toIndex);
                fileUsedBytes -= (long) inFileCount * CHUNK_SIZE;
                file.trim(chunkStart(wholeFirst), chunkStart(wholeLast) + chunkLength(wholeLast)
                        - chunkStart(wholeFirst));
            }
            if (toZero) {
                zero.set(wholeFirst, toIndex);
            } else {
                zero.clear(wholeFirst, toIndex);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private boolean covers(int chunk, long offset, long end) {
        return offset <= chunkStart(chunk) && chunkStart(chunk) + chunkLength(chunk) <= end;
    }

    private boolean absent(int chunk) {
        return !zero.get(chunk) && !ram.containsKey(chunk) && !inFile.get(chunk);
    }

    private byte[] readBaseChunk(int chunk) {
        byte[] bytes = new byte[CHUNK_SIZE];
        base.read(chunkStart(chunk), ByteBuffer.wrap(bytes, 0, chunkLength(chunk)));
        return bytes;
    }
}
