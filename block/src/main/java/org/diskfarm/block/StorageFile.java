package org.diskfarm.block;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Positional I/O on one file: the only way formats (VHD) and file-backed devices reach the disk. Keeping every file
 * access behind this seam lets a test put a crash- or fault-injecting file underneath a format and prove that the
 * format keeps its file consistent whatever write is the last to land.
 *
 * <p>Threads: reads and writes at different positions may run from many threads at once; {@link #truncate} and
 * {@link #close} must not race with other calls.
 */
public interface StorageFile extends AutoCloseable {

    /** The name used in messages: the file's path as the user gave it. */
    String name();

    boolean isWritable();

    /** Current size in bytes. */
    long size();

    /**
     * Reads {@code dst.remaining()} bytes at {@code position}. Bytes past the end of the file read as zeros, so a
     * caller that must not read past the end checks {@link #size()} itself.
     */
    void read(long position, ByteBuffer dst);

    /** Writes all of {@code src} at {@code position}, growing the file if needed. */
    void write(long position, ByteBuffer src);

    /** Sets the file's size, cutting or extending it (an extension reads as zeros). */
    void truncate(long size);

    /** Makes every write so far durable: fsync, or fdatasync when {@code metadata} is false and the size is unchanged. */
    void force(boolean metadata);

    /**
     * The first offset at or after {@code from} that holds data, or {@link #size()} if none: SEEK_DATA. Files whose
     * file system does not know holes answer {@code from}.
     */
    default long nextData(long from) {
        return Math.min(from, size());
    }

    /** The first offset at or after {@code from} that is a hole, or {@link #size()}: SEEK_HOLE. */
    default long nextHole(long from) {
        return size();
    }

    /** Reserves disk space for a range (fallocate), if the file system can; returns false if not. */
    default boolean preallocate(long position, long length) {
        return false;
    }

    /** Releases the storage of a range so that it reads as zeros, if the file system can; returns false if not. */
    default boolean punchHole(long position, long length) {
        return false;
    }

    /**
     * The file's channel, so that devices can offer {@link FileSpan}s that a protocol sends with sendfile; null if
     * this file has none (it lives in memory, or must see every read, as a fault-injecting file does). Borrowed: open
     * until {@link #close}, never closed by the caller, used only with positional calls. Position 0 of the channel is
     * position 0 of this file.
     */
    default FileChannel channel() {
        return null;
    }

    @Override
    void close();
}
