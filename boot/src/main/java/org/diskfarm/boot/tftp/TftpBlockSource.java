package org.diskfarm.boot.tftp;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The payloads of a transfer's DATA blocks, numbered from 1 (a 64-bit count: the wire's 16-bit numbers roll over but
 * these do not). A block shorter than the block size is the last one, an empty block included (RFC 1350 section 6).
 * Blocks are asked for in order, except that a retransmission goes back to the block after the last acknowledged one.
 *
 * <p>Threads: confined to the transfer's event loop.
 */
interface TftpBlockSource {
    /**
     * Writes block {@code block} into {@code dst} from its position (which has room for one block), without wrapping.
     * It may be any block from the one after the last {@link #release released} to the one after the last read.
     *
     * @return the block's length; less than the block size for the last block
     */
    int read(long block, ByteBuffer dst) throws IOException;

    /** Blocks up to {@code block} are acknowledged and will not be read again. */
    void release(long block);

    /** The bytes of an octet transfer: block {@code n} is the file's bytes from {@code (n - 1) * blockSize}. */
    static TftpBlockSource octet(TftpFile file, int blockSize) {
        return new TftpBlockSource() {
            @Override
            public int read(long block, ByteBuffer dst) throws IOException {
                int start = dst.position();
                long position = (block - 1) * blockSize;
                int end = start + blockSize;
                dst.limit(Math.min(dst.limit(), end));
                while (dst.hasRemaining()) {
                    int n = file.read(dst, position + dst.position() - start);
                    if (n <= 0) {
                        break;
                    }
                }
                return dst.position() - start;
            }

            @Override
            public void release(long block) {
            }
        };
    }
}
