package org.diskfarm.block;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A virtual disk: a fixed number of bytes that can be read and written at any offset. Everything in the data path is
 * one: raw files, VHD files, write caches, the layers that count or throttle, and what a protocol export serves.
 *
 * <p>Offsets and lengths are in bytes and need not be aligned to {@link #logicalBlockSize()}; the protocols keep to
 * sectors, the offline tools do not. Every method checks its range and throws {@link StorageException} of kind
 * {@link StorageException.Kind#OUT_OF_RANGE} for a request that does not lie wholly inside the device, before it
 * touches anything. All failures are {@link StorageException}s.
 *
 * <p>Threads: if {@link #isConcurrent()} is true, any method may be called from many threads at once (reads run in
 * parallel; writes to overlapping ranges at the same time have no defined order, as on a real disk). If false, the
 * caller serialises all calls.
 */
public interface BlockDevice extends AutoCloseable {

    /** Size in bytes; fixed for the life of the object. */
    long size();

    /** The sector size clients should see: 512 for every device today. */
    default int logicalBlockSize() {
        return 512;
    }

    default BlockLimits limits() {
        return BlockLimits.DEFAULT;
    }

    /** True if {@link #write}, {@link #zero} and {@link #trim} may be called. */
    boolean canWrite();

    /** True if {@link #trim} may release storage (it is always allowed, and may do nothing, on writable devices). */
    default boolean canTrim() {
        return false;
    }

    /** True if a trimmed range reads as zeros afterwards (SCSI LBPRZ); see {@link #trim}. */
    default boolean trimReadsZero() {
        return false;
    }

    /** True if {@link #zero} is cheaper than writing zeros (it never is slower). */
    default boolean canFastZero() {
        return false;
    }

    /** True if calls from many threads at once are safe (see the class comment). */
    boolean isConcurrent();

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its position to its limit. */
    void read(long offset, ByteBuffer dst);

    /**
     * Writes {@code src.remaining()} bytes at {@code offset}, advancing its position to its limit. With
     * {@link IoFlags#fua()} the data is durable when the call returns; otherwise only after {@link #flush()}.
     */
    void write(long offset, ByteBuffer src, IoFlags flags);

    /** Makes every write that returned before this call durable on stable storage. */
    void flush();

    /**
     * Tells the device that the range is no longer needed, so that it may release its storage (NBD_CMD_TRIM, SCSI
     * UNMAP). Afterwards the range reads as zeros if {@link #trimReadsZero()}; otherwise its content is unspecified
     * until it is written again (its old content, zeros, or in an overlay the data of the device below), but it reads
     * the same on every read and never shows another device's data. A device that cannot release storage may do
     * nothing.
     */
    void trim(long offset, long length, IoFlags flags);

    /**
     * Makes the range read as zeros. Without {@link IoFlags#noHole()} the device may release the storage instead of
     * writing zeros.
     */
    void zero(long offset, long length, IoFlags flags);

    /**
     * Describes {@code [offset, offset + length)} as a list of extents in order, without gaps, that covers at least the
     * first byte of the range and ends at or before its end. A device that knows nothing reports one allocated extent.
     */
    List<Extent> extents(long offset, long length);

    /**
     * Where the first bytes of {@code [offset, offset + length)} lie: in one file, contiguous and unchanged, so that a
     * protocol can send them with sendfile instead of {@link #read} (a {@link FileSpan#isInFile() file span}); or not
     * (a span without a file, which the caller reads). The span starts at {@code offset} and covers at least one byte
     * and at most {@code length}; a file span is exact (its bytes are what {@link #read} would return now), a span
     * without a file may be shorter than the run it belongs to, so the caller asks again from where it ends.
     *
     * <p>What a span says holds until the range is written, zeroed or trimmed (as a {@link #read} racing such a call,
     * the bytes sent are the old or the new ones) and until the device is closed: a caller that sends from the channel
     * later keeps the device open until it is done.
     *
     * <p>The default says "not in a file" for the whole range, which is always correct. A layer that changes what
     * {@link #read} returns, or must see every read (counting, throttling), must not pass a span from below.
     *
     * @throws StorageException OUT_OF_RANGE as {@link #read}; INVALID_ARGUMENT for a length of 0
     */
    default FileSpan fileSpan(long offset, long length) {
        Ranges.check(getClass().getSimpleName(), size(), offset, length);
        Ranges.checkNotEmpty(getClass().getSimpleName(), length);
        return FileSpan.notInFile(length);
    }

    /** Flushes nothing and releases the device's resources; later calls throw kind CLOSED. Safe to call twice. */
    @Override
    void close();
}
