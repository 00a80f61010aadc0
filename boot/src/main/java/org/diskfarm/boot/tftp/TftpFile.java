package org.diskfarm.boot.tftp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A file a transfer sends: a size and positional reads. The server opens one per transfer, reads it from the transfer's
 * event loop (so reads must not wait long: a page-cache hit or a disk read, never a network round trip), and closes it
 * when the transfer ends, however it ends.
 *
 * <p>Threads: one transfer's calls come from one thread at a time.
 */
public interface TftpFile extends Closeable {
    /** Bytes in the file, as announced by the {@code tsize} option (RFC 2349). */
    long size() throws IOException;

    /**
     * Reads bytes starting at {@code position} into {@code dst} from its position, as
     * {@link java.nio.channels.FileChannel#read(ByteBuffer, long)} does.
     *
     * @return bytes read, possibly fewer than {@code dst} has room for; -1 at or past the end of the file
     */
    int read(ByteBuffer dst, long position) throws IOException;

    @Override
    void close() throws IOException;

    /** A file whose content is this array (not copied): for generated content such as boot scripts. */
    static TftpFile of(byte[] content) {
        return new TftpFile() {
            @Override
            public long size() {
                return content.length;
            }

            @Override
            public int read(ByteBuffer dst, long position) {
                if (position >= content.length) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), content.length - position);
                dst.put(content, (int) position, n);
                return n;
            }

            @Override
            public void close() {
            }
        };
    }
}
