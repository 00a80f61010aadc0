package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.diskfarm.nbd.NbdHandshake.State;
import org.diskfarm.nbd.NbdHandshake.Step;
import org.junit.jupiter.api.Test;

/**
 * Feeds seeded random option streams to the handshake, in random batches, and checks that it only ever throws
 * {@link NbdProtocolException} and that everything it answers is well-framed. Bounded: a fixed number of streams.
 */
class NbdHandshakeFuzzTest {
    private static final long SEED = 0x5eed_d15cL;
    private static final int STREAMS = 3000;
    private static final String[] NAMES = {"", "disk", "gold", "missing", TestExports.BUSY, "ü/\u0000x"};
    private static final String[] QUERIES = {"base:allocation", "base:", "qemu:dirty-bitmap:a", "", "x"};

    @Test
    void randomOptionStreamsOnlyEverRaiseProtocolErrors() {
        Random random = new Random(SEED);
        int fatal = 0;
        int transmission = 0;
        for (int i = 0; i < STREAMS; i++) {
            ByteBuffer stream = randomStream(random);
            try {
                if (run(stream, random) == State.TRANSMISSION) {
                    transmission++;
                }
            } catch (NbdProtocolException e) {
                assertThat(e.mustClose()).as("only fatal errors escape the handshake").isTrue();
                assertThat(e.getMessage()).doesNotContain("\n");
                fatal++;
            }
        }
        assertThat(fatal).as("some streams are garbage").isPositive();
        assertThat(transmission).as("some streams get through").isPositive();
    }

    /** Runs one stream through a fresh handshake; returns the state it ends in. */
    private static State run(ByteBuffer stream, Random random) {
        NbdHandshake handshake = new NbdHandshake(TestExports.standard());
        ByteBuffer acc = ByteBuffer.allocate(stream.remaining());
        while (stream.hasRemaining()) {
            int n = Math.min(1 + random.nextInt(40), stream.remaining());
            acc.put(stream.slice(stream.position(), n));
            stream.position(stream.position() + n);
            acc.flip();
            Step step;
            while ((step = handshake.consume(acc)) != null) {
                checkFramed(step);
                if (step.state() == State.TRANSMISSION || step.state() == State.CLOSED) {
                    return step.state();
                }
            }
            acc.compact();
        }
        return handshake.state();
    }

    /** Every reply of a step decodes back as what it was. */
    private static void checkFramed(Step step) {
        ByteBuffer bytes = step.encode();
        for (NbdHandshakeOutput reply : step.replies()) {
            Object decoded = reply instanceof NbdExportNameReply e
                    ? NbdExportNameReply.decode(bytes, e.noZeroes())
                    : NbdOptionReply.decode(bytes);
            assertThat(decoded).isEqualTo(reply);
        }
        assertThat(bytes.hasRemaining()).isFalse();
    }

    private static ByteBuffer randomStream(Random random) {
        List<ByteBuffer> parts = new ArrayList<>();
        int flags = random.nextInt(10) == 0 ? random.nextInt() : random.nextInt(4);
        parts.add(ByteBuffer.allocate(4).putInt(flags).flip());
        int options = random.nextInt(8);
        for (int i = 0; i < options; i++) {
            parts.add(randomOption(random));
        }
        return Feed.concat(parts.toArray(ByteBuffer[]::new));
    }

    private static ByteBuffer randomOption(Random random) {
        int kind = random.nextInt(20);
        if (kind == 0) {
            byte[] garbage = new byte[1 + random.nextInt(30)];
            random.nextBytes(garbage);
            return ByteBuffer.wrap(garbage);
        }
        if (kind == 1) {
            return ByteBuffer.allocate(16).putLong(NbdWire.IHAVEOPT).putInt(random.nextInt(12))
                    .putInt(NbdOptionRequest.MAX_DATA_LENGTH + 1 + random.nextInt(1000)).flip();
        }
        int code = random.nextInt(10) == 0 ? random.nextInt() : 1 + random.nextInt(12);
        return new NbdOptionRequest(code, randomData(random, code)).encode();
    }

    private static ByteBuffer randomData(Random random, int code) {
        String name = NAMES[random.nextInt(NAMES.length)];
        int shape = random.nextInt(6);
        if (shape == 0) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            return ByteBuffer.wrap(bytes);
        }
        if (shape == 1) {
            return ByteBuffer.allocate(0);
        }
        if (code == NbdOption.INFO.code() || code == NbdOption.GO.code()) {
            List<Integer> infos = new ArrayList<>();
            for (int i = random.nextInt(5); i > 0; i--) {
                infos.add(random.nextInt(6));
            }
            return new NbdGoRequest(name, infos).encode();
        }
        if (code == NbdOption.SET_META_CONTEXT.code() || code == NbdOption.LIST_META_CONTEXT.code()) {
            List<String> queries = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                queries.add(QUERIES[random.nextInt(QUERIES.length)]);
            }
            ByteBuffer data = new NbdMetaContextRequest(name, queries).encode();
            return shape == 2 ? data.limit(random.nextInt(data.limit() + 1)) : data;
        }
        return ByteBuffer.wrap(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
