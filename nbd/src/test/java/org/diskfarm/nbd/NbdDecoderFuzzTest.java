package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Seeded random bytes, half of them behind a valid magic, fed to every decoder: each either waits (null, nothing
 * consumed), decodes one message, or throws {@link NbdProtocolException}; nothing else. Bounded: a fixed count.
 */
class NbdDecoderFuzzTest {
    private static final long SEED = 0xdec0_de42L;
    private static final int ROUNDS = 20_000;

    private record Target(String name, byte[] magic, Function<ByteBuffer, Object> decoder) {
    }

    private static byte[] magic(long value, int bytes) {
        ByteBuffer buf = ByteBuffer.allocate(8).putLong(value);
        byte[] out = new byte[bytes];
        buf.get(8 - bytes, out);
        return out;
    }

    private static final List<Target> TARGETS = List.of(
            new Target("request", magic(NbdWire.REQUEST_MAGIC, 4), NbdRequest::decode),
            new Target("option", magic(NbdWire.IHAVEOPT, 8), NbdOptionRequest::decode),
            new Target("option reply", magic(NbdWire.OPTION_REPLY_MAGIC, 8), NbdOptionReply::decode),
            new Target("simple reply", magic(NbdWire.SIMPLE_REPLY_MAGIC, 4), NbdSimpleReply::decode),
            new Target("structured reply", magic(NbdWire.STRUCTURED_REPLY_MAGIC, 4), NbdStructuredReply::decode),
            new Target("greeting", magic(NbdWire.NBD_MAGIC, 8), NbdServerGreeting::decode),
            new Target("go data", new byte[0], NbdGoRequest::decode),
            new Target("meta data", new byte[0], NbdMetaContextRequest::decode),
            new Target("info", new byte[0], NbdInfo::decode));

    @Test
    void randomBytesOnlyEverRaiseProtocolErrors() {
        Random random = new Random(SEED);
        for (int i = 0; i < ROUNDS; i++) {
            Target target = TARGETS.get(random.nextInt(TARGETS.size()));
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (random.nextBoolean()) {
                System.arraycopy(target.magic(), 0, bytes, 0, Math.min(bytes.length, target.magic().length));
            }
            if (bytes.length >= 20 && random.nextBoolean()) {
                // Keep lengths small so that some messages are complete.
                bytes[12] = bytes[13] = bytes[16] = bytes[17] = 0;
                bytes[18] = 0;
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            try {
                Object message = target.decoder().apply(buf);
                if (message == null) {
                    assertThat(buf.position()).as(target.name() + " waited but consumed").isZero();
                }
            } catch (NbdProtocolException e) {
                assertThat(e.getMessage()).as(target.name()).isNotBlank().doesNotContain("\n");
            }
        }
    }
}
