package org.diskfarm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.diskfarm.cache.WriteCacheTest.filled;
import static org.diskfarm.cache.WriteCacheTest.read;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;

class RamWriteCacheTest {
    private static final int SIZE = 1 << 20;

    @Test
    void fullCacheGivesNoSpaceWithAOneLineMessageAndLosesNothingWritten() {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        try (RamWriteCache cache = WriteCaches.ram("dev-7", base, 4 * 4096)) {
            cache.write(0, ByteBuffer.wrap(filled(3 * 4096, 1)), IoFlags.NONE);

            StorageException e = catchThrowableOfType(StorageException.class,
                    () -> cache.write(100_000, ByteBuffer.wrap(filled(2 * 4096, 2)), IoFlags.NONE));

            assertThat(e.kind()).isEqualTo(StorageException.Kind.NO_SPACE);
            assertThat(e.getMessage()).contains("dev-7").contains("16384").doesNotContain("\n");
            byte[] expected = base.copyOfData();
            Arrays.fill(expected, 0, 3 * 4096, (byte) 1);
            assertThat(read(cache, 0, SIZE)).isEqualTo(expected);
            assertThat(cache.usedBytes()).isEqualTo(3 * 4096);
        }
    }

    @Test
    void fullCacheStillAcceptsWritesToChunksItHoldsAndZerosOfWholeChunks() {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        try (RamWriteCache cache = WriteCaches.ram(base, 4096)) {
            cache.write(10, ByteBuffer.wrap(filled(5, 1)), IoFlags.NONE);
            cache.write(20, ByteBuffer.wrap(filled(5, 2)), IoFlags.NONE);
            cache.zero(8192, SIZE - 8192, IoFlags.NONE);

            assertThat(read(cache, 20, 5)).isEqualTo(filled(5, 2));
            assertThat(read(cache, 8192, 4096)).isEqualTo(new byte[4096]);
            assertThat(cache.usedBytes()).isEqualTo(4096);
            assertThat(cache.capacityBytes()).isEqualTo(4096);
        }
    }
}
