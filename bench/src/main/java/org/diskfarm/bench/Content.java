package org.diskfarm.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Benchmark data: non-zero bytes that are cheap to make. A fixed random 4 MiB base is copied and every 4 KiB of it is
 * stamped with its absolute offset, so data put at the wrong place is caught by a comparison, and generating it costs
 * little next to the I/O being measured. No 8-byte word of it is zero in practice, so zero detection never skips it.
 *
 * <p>Threads: immutable after construction; {@link #fill} may run on many threads at once.
 */
final class Content {
    private static final int BASE = 4 << 20;
    private static final int STAMP = 4096;

    private final ByteBuffer base;
    private final long seed;

    Content(long seed) {
        this.seed = seed;
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer bytes = ByteBuffer.allocateDirect(BASE).order(ByteOrder.LITTLE_ENDIAN);
        while (bytes.hasRemaining()) {
            bytes.putLong(random.nextLong() | 0x0101_0101_0101_0101L);
        }
        this.base = bytes.flip().asReadOnlyBuffer();
    }

    /**
     * Fills the remaining bytes of {@code dst} with the content at device offset {@code offset} (a multiple of 4 KiB),
     * leaving its position unchanged.
     */
    void fill(long offset, ByteBuffer dst) {
        int start = dst.position();
        int length = dst.remaining();
        for (int done = 0; done < length; ) {
            int from = (int) ((offset + done) % BASE);
            int n = Math.min(length - done, BASE - from);
            dst.put(start + done, base, from, n);
            done += n;
        }
        for (int at = 0; at + 8 <= length; at += STAMP) {
            dst.putLong(start + at, (offset + at) ^ seed ^ 0x5a5a_5a5a_0000_0001L);
        }
    }
}
