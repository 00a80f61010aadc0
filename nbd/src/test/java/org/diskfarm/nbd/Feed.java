package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Feeds bytes to a decoder as a transport would: accumulating, in batches, decoding as many messages as are there. */
final class Feed {
    private Feed() {
    }

    /** Batch sizes every codec test runs: one byte at a time, odd batches, and everything at once. */
    static final int[] BATCHES = {1, 3, 7, 13, Integer.MAX_VALUE};

    /**
     * Decodes every message in {@code bytes}, handing them over {@code batch} bytes at a time, and checks that a
     * decoder returning null consumed nothing and that no bytes are left over.
     */
    static <T> List<T> decodeAll(ByteBuffer bytes, int batch, Function<ByteBuffer, T> decoder) {
        ByteBuffer source = bytes.duplicate();
        ByteBuffer acc = ByteBuffer.allocate(source.remaining());
        List<T> out = new ArrayList<>();
        while (source.hasRemaining()) {
            int n = Math.min(batch, source.remaining());
            acc.put(source.slice(source.position(), n));
            source.position(source.position() + n);
            acc.flip();
            while (true) {
                int before = acc.position();
                T message = decoder.apply(acc);
                if (message == null) {
                    assertThat(acc.position()).as("a decoder returning null consumes nothing").isEqualTo(before);
                    break;
                }
                out.add(message);
            }
            acc.compact();
        }
        assertThat(acc.position()).as("bytes left over").isZero();
        return out;
    }

    /** The concatenation of buffers, flipped for reading. */
    static ByteBuffer concat(ByteBuffer... parts) {
        int size = 0;
        for (ByteBuffer part : parts) {
            size += part.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer part : parts) {
            all.put(part.duplicate());
        }
        return all.flip();
    }

    /** Checks that {@code message}, alone and twice in one buffer, decodes back in every batching. */
    static <T> void roundTrip(T message, ByteBuffer encoded, Function<ByteBuffer, T> decoder) {
        ByteBuffer two = concat(encoded, encoded);
        for (int batch : BATCHES) {
            assertThat(decodeAll(encoded, batch, decoder)).as("batch " + batch).containsExactly(message);
            assertThat(decodeAll(two, batch, decoder)).as("two messages, batch " + batch)
                    .containsExactly(message, message);
        }
    }
}
