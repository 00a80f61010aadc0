package org.diskfarm.block;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Counts every call into an {@link IoStats} and otherwise passes it to the device below: same results, same exceptions,
 * same buffers, and the file spans of the device below, so that zero-copy reads keep working through it.
 *
 * <p><b>Reads sent from a file.</b> A protocol that sends a range with sendfile asks {@link #fileSpan} and never calls
 * {@link #read} for it, so the span is where those bytes must be counted. Two things make that delicate:
 * <ul>
 *   <li>A caller asks for spans in a loop, one per piece, and reads the pieces that are not in a file. So a span that is
 *       not in a file counts nothing (its bytes are counted by the {@link #read} that follows), and a span in a file
 *       counts its own bytes only; each byte of a request is counted once however it is cut.</li>
 *   <li>A caller may turn a span down and read its bytes instead: NBD copies file spans shorter than its zero-copy
 *       threshold ({@code NbdServerOptions.zeroCopyMinBytes}). Counting such a span and then the read would count its
 *       bytes twice. So this device is told that threshold ({@code zeroCopyMin}) and hands out a span shorter than it as
 *       "not in a file", which the caller then reads, exactly as it would have: what goes on the wire is unchanged,
 *       and every file span handed out is one the caller sends.</li>
 * </ul>
 * A read operation is counted per {@link #read} call and per file span handed out. A client request whose data lies in
 * one place (a raw file, a fixed VHD, a write cache's untouched run, anything read by one {@link #read}) counts as one
 * read; a request whose data lies in several places (across dynamic VHD blocks, cached and uncached chunks) counts one
 * per piece. This device cannot tell a new request from the next piece of the same one without per-thread state,
 * which the data path should not pay for.
 *
 * <p><b>Failures.</b> Any {@link RuntimeException} from the device below (a {@link StorageException}, or a bug the
 * protocol reports as an I/O error all the same) counts as one error, counts nothing else, and is rethrown unchanged.
 * {@link #extents} and {@link #close} count only their failures.
 *
 * <p><b>Cost.</b> No locks and no allocation per call: a few {@link java.util.concurrent.atomic.LongAdder} additions,
 * and a try block that costs nothing unless something is thrown. The one exception is a file span shorter than
 * {@code zeroCopyMin}, replaced by a small "not in a file" record; the caller then copies those bytes anyway.
 *
 * <p>Threads: as the device below; the counters are thread-safe.
 */
public final class StatsDevice extends ForwardingBlockDevice {
    private final IoStats stats;
    private final long zeroCopyMin;

    /**
     * @param zeroCopyMin the shortest file span the caller sends from the file (for NBD, its
     *                    {@code zeroCopyMinBytes}); shorter spans come back as "not in a file". 0 or 1 passes every
     *                    span on unchanged, which counts exactly only if the caller sends every file span it gets
     */
    public StatsDevice(BlockDevice delegate, IoStats stats, long zeroCopyMin) {
        super(delegate);
        this.stats = Objects.requireNonNull(stats);
        if (zeroCopyMin < 0) {
            throw new IllegalArgumentException("zeroCopyMin must be at least 0, not " + zeroCopyMin);
        }
        this.zeroCopyMin = zeroCopyMin;
    }

    /** The totals this device counts into. */
    public IoStats stats() {
        return stats;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        int n = dst.remaining();
        try {
            delegate.read(offset, dst);
        } catch (RuntimeException e) {
            stats.countError();
            throw e;
        }
        stats.countRead(n);
    }

    @Override
    public void write(long offset, ByteBuffer src, IoFlags flags) {
        int n = src.remaining();
        try {
            delegate.write(offset, src, flags);
        } catch (RuntimeException e) {
            stats.countError();
            throw e;
        }
        stats.countWrite(n);
    }

    @Override
    public void flush() {
        try {
            delegate.flush();
        } catch (RuntimeException e) {
            stats.countError();
            throw e;
        }
        stats.countFlush();
    }

    @Override
    public void trim(long offset, long length, IoFlags flags) {
        try {
            delegate.trim(offset, length, flags);
        } catch (RuntimeException e) {
            stats.countError();
            throw e;
        }
        stats.countTrim(length);
    }

    @Override
    public void zero(long offset, long length, IoFlags flags) {
        try {
            delegate.zero(offset, length, flags);
        } catch (RuntimeException e) {
            stats.countError();
            throw e;
        }
        stats.countZero(length);
    }

    @Override
    public List<Extent> extents(long offset, long length) {
        try {
            return delegate.extents(offset, length);
        } catch (RuntimeException e) {
            stats.countError();
            throw e;
        }
    }

    /**
     * The span of the device below; a file span counts as one read of its bytes (see the class comment), one shorter
     * than {@code zeroCopyMin} comes back as "not in a file" and is counted when the caller reads it.
     */
    @Override
    public FileSpan fileSpan(long offset, long length) {
        FileSpan span;
        try {
            span = delegate.fileSpan(offset, length);
        } catch (RuntimeException e) {
            stats.countError();
            throw e;
        }
        if (!span.isInFile()) {
            return span;
        }
        if (span.length() < zeroCopyMin) {
            return FileSpan.notInFile(span.length());
        }
        // A span is never longer than asked; if one were, a caller sends only what it asked for.
        stats.countRead(Math.min(span.length(), length));
        return span;
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } catch (RuntimeException e) {
            stats.countError();
            throw e;
        }
    }
}
