package org.diskfarm.cache;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.BlockLimits;
import org.diskfarm.block.Extent;
import org.diskfarm.block.FileSpan;
import org.diskfarm.block.Ranges;
import org.diskfarm.block.StorageException;

/**
 * An overlay that keeps one Standard-mode device's writes over a read-only base that many devices share. Reads see the
 * device's own writes over the base; the base and other devices never see them.
 *
 * <p>State: the base (shared; never written, never closed here) and, in subclasses, which {@link #CHUNK_SIZE}-byte
 * chunks the cache holds. This class implements {@link #read} and {@link #extents} as "cached chunks from the cache,
 * the rest from the base". The methods that change data ({@link #write}, {@link #zero}, {@link #trim},
 * {@link #flush}) are abstract: every overlay must decide what they mean, none may pass them through to the base.
 *
 * <p>Threads: concurrent. Subclasses guard their chunk state with a lock that is never held during I/O to the base, so
 * one device's cache never slows another device's reads of the shared base.
 */
public abstract class WriteCache implements BlockDevice {
    /** Granularity of the cache: a write smaller than this fills the rest of its chunk from the base. */
    public static final int CHUNK_SIZE = 4096;
    /** Most extents one {@link #extents} call returns; the caller asks again from where the list ends. */
    static final int MAX_EXTENTS = 1024;

    /** What the cache holds for one chunk. */
    protected enum ChunkState {
        /** Nothing: the chunk reads from the base. */
        ABSENT,
        /** The device's own data. */
        DATA,
        /** The device zeroed the whole chunk; it reads as zeros and takes no storage. */
        ZERO
    }

    protected final BlockDevice base;
    protected final String name;
    private volatile boolean closed;

    protected WriteCache(String name, BlockDevice base) {
        this.name = Objects.requireNonNull(name);
        this.base = Objects.requireNonNull(base);
        if ((base.size() + CHUNK_SIZE - 1) / CHUNK_SIZE > Integer.MAX_VALUE) {
            throw new StorageException(StorageException.Kind.NOT_SUPPORTED,
                    name + ": base of " + base.size() + " bytes is too large for a write cache");
        }
    }

    /** Drops everything the cache holds: the device reads as the base again. A device's boot event calls this. */
    public abstract void discard();

    /** Bytes of cached data held now (RAM and file together), for metrics. */
    public abstract long usedBytes();

    /** What the cache holds for {@code chunk}; callers race with writers, as reads do. */
    protected abstract ChunkState chunkState(int chunk);

    /**
     * Reads into {@code dst}, from {@code offset} on, the bytes the cache holds there without a break (data or zeros,
     * up to {@code dst.remaining()}; at least to the end of the chunk, or all of {@code dst} if that is shorter) and
     * returns how many. If the cache does not hold the chunk at {@code offset} it touches nothing and returns minus the
     * number of bytes from {@code offset} to the next chunk it holds, at most {@code dst.remaining()}: the run the
     * caller reads from the base. One answer for both, so that a read takes the subclass's lock once per run.
     */
    protected abstract int readCached(long offset, ByteBuffer dst);

    /** The first chunk at or after {@code chunk} that the cache holds, or {@link Integer#MAX_VALUE} if none. */
    protected abstract int nextCachedChunk(int chunk);

    /** Releases what the subclass holds (not the base); called once by {@link #close()}. */
    protected abstract void closeCache();

    @Override
    public final long size() {
        return base.size();
    }

    @Override
    public final int logicalBlockSize() {
        return base.logicalBlockSize();
    }

    @Override
    public final BlockLimits limits() {
        return base.limits();
    }

    @Override
    public final boolean canWrite() {
        return true;
    }

    @Override
    public final boolean isConcurrent() {
        return true;
    }

    public String name() {
        return name;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        checkOpen();
        Ranges.check(name, size(), offset, dst.remaining());
        int length = dst.remaining();
        int first = readCached(offset, dst);
        if (first == -length) {
            base.read(offset, dst); // the common case of a device that boots: nothing of this range is cached
            return;
        }
        ByteBuffer out = dst.slice();
        long end = offset + length;
        long pos = offset;
        int got = first;
        while (true) {
            if (got > 0) {
                pos += got;
            } else {
                // From the base up to the next chunk the cache holds (a chunk may be cached meanwhile: then it is
                // read from the base, as a read racing with a write may be).
                base.read(pos, out.slice((int) (pos - offset), -got));
                pos -= got;
            }
            if (pos >= end) {
                break;
            }
            got = readCached(pos, out.slice((int) (pos - offset), (int) (end - pos)));
        }
        dst.position(dst.limit());
    }

    /**
     * The base's span where the cache does not hold the chunk at {@code offset} (up to the next chunk it holds); no
     * file for a run of chunks it holds (RAM, its file or zeros: the cache file's chunks are rewritten in place and
     * dropped on discard, so they are read, not sent from the file). The base is never written, so its span stays right
     * even if the chunk is cached meanwhile: the bytes sent are then those of before the write, as for a read racing it.
     */
    @Override
    public FileSpan fileSpan(long offset, long length) {
        checkOpen();
        Ranges.check(name, size(), offset, length);
        Ranges.checkNotEmpty(name, length);
        long end = offset + length;
        int chunk = chunkOf(offset);
        if (chunkState(chunk) != ChunkState.ABSENT) {
            long runEnd = Math.min(end, chunkStart(nextAbsentChunk(chunk + 1)));
            return FileSpan.notInFile(runEnd - offset);
        }
        int next = nextCachedChunk(chunk + 1);
        long runEnd = next == Integer.MAX_VALUE ? end : Math.min(end, chunkStart(next));
        return base.fileSpan(offset, runEnd - offset);
    }

    /**
     * The first chunk at or after {@code chunk} that the cache does not hold; callers race with writers. This one asks
     * {@link #chunkState} chunk by chunk; subclasses that can answer faster override it.
     */
    protected int nextAbsentChunk(int chunk) {
        int last = chunkOf(size() - 1);
        int c = chunk;
        while (c <= last && chunkState(c) != ChunkState.ABSENT) {
            c++;
        }
        return c;
    }

    @Override
    public List<Extent> extents(long offset, long length) {
        checkOpen();
        Ranges.check(name, size(), offset, length);
        long end = offset + length;
        List<Extent> result = new ArrayList<>();
        long pos = offset;
        while (pos < end && result.size() < MAX_EXTENTS) {
            int chunk = chunkOf(pos);
            ChunkState state = chunkState(chunk);
            if (state == ChunkState.ABSENT) {
                int next = nextCachedChunk(chunk);
                long runEnd = next == Integer.MAX_VALUE ? end : Math.min(end, chunkStart(next));
                if (runEnd <= pos) {
                    continue; // the chunk was filled between the two looks; look again
                }
                List<Extent> below = base.extents(pos, runEnd - pos);
                if (below.isEmpty()) {
                    break; // a base that breaks the contract: report what is known rather than loop
                }
                for (Extent e : below) {
                    add(result, e);
                    pos = e.end();
                }
            } else {
                long pieceEnd = Math.min(end, chunkStart(chunk) + CHUNK_SIZE);
                add(result, new Extent(pos, pieceEnd - pos, true, state == ChunkState.ZERO));
                pos = pieceEnd;
            }
        }
        return result;
    }

    private static void add(List<Extent> list, Extent e) {
        if (!list.isEmpty()) {
            Extent last = list.getLast();
            if (last.end() == e.offset() && last.sameState(e)) {
                list.set(list.size() - 1, new Extent(last.offset(), last.length() + e.length(), e.allocated(),
                        e.zero()));
                return;
            }
        }
        list.add(e);
    }

    @Override
    public boolean canTrim() {
        return true;
    }

    @Override
    public boolean canFastZero() {
        return true;
    }

    /** A trimmed chunk reads from the base again, not as zeros. */
    @Override
    public final boolean trimReadsZero() {
        return false;
    }

    /** Releases what the cache holds, never the shared base. */
    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            closeCache();
        }
    }

    protected final void checkOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.CLOSED, name + ": closed");
        }
    }

    protected static int chunkOf(long offset) {
        return (int) (offset / CHUNK_SIZE);
    }

    protected static long chunkStart(int chunk) {
        return (long) chunk * CHUNK_SIZE;
    }

    /** Bytes of {@code chunk} inside the device: {@link #CHUNK_SIZE}, less for a short last chunk. */
    protected final int chunkLength(int chunk) {
        return (int) Math.min(CHUNK_SIZE, size() - chunkStart(chunk));
    }

    /** Fails a write-like call before it changes anything if the range is bad or the cache is closed. */
    protected final void checkRequest(long offset, long length) {
        checkOpen();
        Ranges.check(name, size(), offset, length);
    }
}
