package org.diskfarm.block;

import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of the I/O done on one or more devices (typically every connection to one vDisk), fed by
 * {@link StatsDevice} and read by whoever reports them (the server's metrics).
 *
 * <p>Counters are {@link LongAdder}s: they sit in the data path, where many connections on many threads count into the
 * same vDisk's totals at once; an adder spreads that contention over cells instead of making every I/O fight for one
 * cache line, and counting allocates nothing once the cells exist. The price is that a read of the totals is a sum
 * taken while others count: each value is exact for some moment, but two values read one after the other need not be
 * from the same moment. That is fine for monitoring, which is all this is for. Totals only grow.
 *
 * <p>Threads: safe.
 */
public final class IoStats {
    private final LongAdder reads = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder flushes = new LongAdder();
    private final LongAdder trims = new LongAdder();
    private final LongAdder bytesTrimmed = new LongAdder();
    private final LongAdder zeroes = new LongAdder();
    private final LongAdder bytesZeroed = new LongAdder();
    private final LongAdder errors = new LongAdder();

    /** One read operation that delivered {@code bytes} bytes (by {@link BlockDevice#read} or as a file span). */
    public void countRead(long bytes) {
        reads.increment();
        bytesRead.add(bytes);
    }

    /** One write of {@code bytes} bytes. */
    public void countWrite(long bytes) {
        writes.increment();
        bytesWritten.add(bytes);
    }

    public void countFlush() {
        flushes.increment();
    }

    /** One trim of {@code bytes} bytes. */
    public void countTrim(long bytes) {
        trims.increment();
        bytesTrimmed.add(bytes);
    }

    /** One "make this range zeros" of {@code bytes} bytes (kept apart from writes: it may only punch a hole). */
    public void countZero(long bytes) {
        zeroes.increment();
        bytesZeroed.add(bytes);
    }

    /** One call that failed. */
    public void countError() {
        errors.increment();
    }

    public long reads() {
        return reads.sum();
    }

    public long bytesRead() {
        return bytesRead.sum();
    }

    public long writes() {
        return writes.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    public long flushes() {
        return flushes.sum();
    }

    public long trims() {
        return trims.sum();
    }

    public long bytesTrimmed() {
        return bytesTrimmed.sum();
    }

    public long zeroes() {
        return zeroes.sum();
    }

    public long bytesZeroed() {
        return bytesZeroed.sum();
    }

    public long errors() {
        return errors.sum();
    }

    @Override
    public String toString() {
        return "reads " + reads() + " (" + bytesRead() + " bytes), writes " + writes() + " (" + bytesWritten()
                + " bytes), flushes " + flushes() + ", trims " + trims() + " (" + bytesTrimmed() + " bytes), zeroes "
                + zeroes() + " (" + bytesZeroed() + " bytes), errors " + errors();
    }
}
