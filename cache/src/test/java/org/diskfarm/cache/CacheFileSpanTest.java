package org.diskfarm.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.diskfarm.block.FileSpan;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Zero-copy reads through a write cache: what the cache holds is never a file span (its own file is rewritten in
 * place and dropped on discard), what it does not hold is the base's span, and every span's file holds exactly what a
 * read returns.
 */
class CacheFileSpanTest {
    private static final int SIZE = (1 << 20) + 1000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void spansComeFromTheBaseOnlyWhereTheCacheHoldsNothing(CacheType type) {
        Path baseFile = TestFiles.writePatternFile(dir.resolve("base.img"), SIZE, 5);
        Random random = new Random(7 + type.ordinal());
        try (RawFileDevice base = RawFileDevice.open(baseFile, false);
                ChunkWriteCache cache = type.create(base, dir, "spans")) {
            FileChannel baseChannel = base.fileSpan(0, 1).channel();
            byte[] model = TestFiles.pattern(5, 0, SIZE);
            for (int round = 0; round < 40; round++) {
                for (int i = 0; i < 10; i++) {
                    int offset = random.nextInt(SIZE);
                    int length = 1 + random.nextInt(Math.min(SIZE - offset, 30_000));
                    if (random.nextInt(4) == 0) {
                        cache.zero(offset, length, IoFlags.NONE);
                        Arrays.fill(model, offset, offset + length, (byte) 0);
                    } else {
                        byte[] bytes = new byte[length];
                        random.nextBytes(bytes);
                        cache.write(offset, ByteBuffer.wrap(bytes), IoFlags.NONE);
                        System.arraycopy(bytes, 0, model, offset, length);
                    }
                }
                assertSpans(cache, baseChannel, model, random);
            }
            cache.discard();
            FileSpan whole = cache.fileSpan(0, SIZE);
            assertThat(whole.isInFile()).as("after discard everything is the base's").isTrue();
            assertThat(whole.length()).isEqualTo(SIZE);
        }
    }

    private static void assertSpans(ChunkWriteCache cache, FileChannel baseChannel, byte[] model, Random random) {
        int inFile = 0;
        int notInFile = 0;
        for (long pos = random.nextInt(4096); pos < SIZE; ) {
            long asked = 1 + random.nextLong(Math.min(SIZE - pos, 100_000));
            FileSpan span = cache.fileSpan(pos, asked);
            assertThat(span.length()).isBetween(1L, asked);
            if (span.isInFile()) {
                assertThat(span.channel()).as("only the base's file is sent from").isSameAs(baseChannel);
                assertThat(span.position()).isEqualTo(pos);
                assertThat(read(span)).isEqualTo(Arrays.copyOfRange(model, (int) pos, (int) (pos + span.length())));
                for (long c = pos / WriteCache.CHUNK_SIZE; c * WriteCache.CHUNK_SIZE < pos + span.length(); c++) {
                    assertThat(cache.chunkState((int) c)).isEqualTo(WriteCache.ChunkState.ABSENT);
                }
                inFile++;
            } else {
                assertThat(cache.chunkState((int) (pos / WriteCache.CHUNK_SIZE)))
                        .isNotEqualTo(WriteCache.ChunkState.ABSENT);
                notInFile++;
            }
            pos += span.length();
        }
        assertThat(inFile).isPositive();
        assertThat(notInFile).isPositive();
    }

    private static byte[] read(FileSpan span) {
        ByteBuffer bytes = ByteBuffer.allocate((int) span.length());
        try {
            while (bytes.hasRemaining()) {
                if (span.channel().read(bytes, span.position() + bytes.position()) < 0) {
                    throw new AssertionError("span past the end of the file: " + span);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.array();
    }
}
