package org.diskfarm.boot.tftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A netascii transfer (RFC 1350 section 1, after the Telnet NVT of RFC 764): LF is sent as CR LF and CR as CR NUL;
 * every other byte goes as it is. The sent stream is longer than the file, so block {@code n} does not start at a fixed
 * file offset: each block read leaves a checkpoint for the next (where the file has got to, and the second byte of a
 * pair that did not fit the previous block). A retransmission restarts from the checkpoint of its first block;
 * checkpoints of acknowledged blocks are dropped, so at most a window of them is kept.
 *
 * <p>Threads: confined to the transfer's event loop.
 */
final class TftpNetasciiSource implements TftpBlockSource {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int NONE = -1;

    /** Where block {@code n} starts: file offset of its first unread byte, and a byte owed from the previous block. */
    private record Checkpoint(long position, int pending) {
    }

    private final TftpFile file;
    private final ByteBuffer chunk;
    private final Map<Long, Checkpoint> checkpoints = new HashMap<>();

    TftpNetasciiSource(TftpFile file, int blockSize) {
        this.file = file;
        this.chunk = ByteBuffer.allocate(blockSize);
        checkpoints.put(1L, new Checkpoint(0, NONE));
    }

    @Override
    public int read(long block, ByteBuffer dst) throws IOException {
        Checkpoint from = checkpoints.get(block);
        if (from == null) {
            throw new IllegalStateException("netascii block " + block + " is not next to a block read");
        }
        int start = dst.position();
        dst.limit(Math.min(dst.limit(), start + chunk.capacity()));
        long position = from.position();
        int pending = from.pending();
        if (pending != NONE) {
            dst.put((byte) pending);
            pending = NONE;
        }
        while (dst.hasRemaining()) {
            // Each file byte becomes at least one sent byte: never read more than the block has room for.
            chunk.clear().limit(dst.remaining());
            int n = file.read(chunk, position);
            if (n <= 0) {
                break;
            }
            chunk.flip();
            while (chunk.hasRemaining() && dst.hasRemaining()) {
                byte b = chunk.get();
                position++;
                if (b == LF || b == CR) {
                    dst.put(CR);
                    byte second = b == LF ? LF : 0;
                    if (dst.hasRemaining()) {
                        dst.put(second);
                    } else {
                        pending = second;
                    }
                } else {
                    dst.put(b);
                }
            }
        }
        checkpoints.put(block + 1, new Checkpoint(position, pending));
        return dst.position() - start;
    }

    @Override
    public void release(long block) {
        checkpoints.keySet().removeIf(n -> n <= block);
    }
}
