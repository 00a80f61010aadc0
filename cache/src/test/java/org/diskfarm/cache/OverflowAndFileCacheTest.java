package org.diskfarm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.diskfarm.cache.WriteCacheTest.filled;
import static org.diskfarm.cache.WriteCacheTest.read;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverflowAndFileCacheTest {
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void overflowPutsChunksBeyondItsRamCapacityInItsFile() {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        Path file = dir.resolve("dev.vhd");
        try (OverflowWriteCache cache = WriteCaches.ramOverflow(base, 2 * 4096, file, 1 << 20)) {
            assertThat(file).doesNotExist();
            cache.write(1, ByteBuffer.wrap(filled(5 * 4096, 5)), IoFlags.NONE);

            assertThat(cache.ramUsedBytes()).isEqualTo(2 * 4096);
            assertThat(cache.fileUsedBytes()).isEqualTo(4 * 4096);
            assertThat(file).exists();
            byte[] expected = base.copyOfData();
            Arrays.fill(expected, 1, 1 + 5 * 4096, (byte) 5);
            assertThat(read(cache, 0, SIZE)).isEqualTo(expected);
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void overflowWithRamAndFileFullGivesNoSpaceAndChangesNothing() {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        try (OverflowWriteCache cache = WriteCaches.ramOverflow(base, 4096, dir.resolve("dev.vhd"), 4096)) {
            cache.write(0, ByteBuffer.wrap(filled(4096, 1)), IoFlags.NONE);
            cache.write(8192, ByteBuffer.wrap(filled(4096, 2)), IoFlags.NONE);

            StorageException e = catchThrowableOfType(StorageException.class,
                    () -> cache.write(4000, ByteBuffer.wrap(filled(200, 3)), IoFlags.NONE));

            assertThat(e.kind()).isEqualTo(StorageException.Kind.NO_SPACE);
            assertThat(e.getMessage()).contains("dev.vhd").doesNotContain("\n");
            byte[] expected = base.copyOfData();
            Arrays.fill(expected, 0, 4096, (byte) 1);
            Arrays.fill(expected, 8192, 12288, (byte) 2);
            assertThat(read(cache, 0, SIZE)).isEqualTo(expected);
        }
    }

    @Test
    void serverDiskCreatesItsFileOnTheFirstWriteAndDeletesItOnClose() {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        Path file = dir.resolve("disk.vhd");
        WriteCache cache = WriteCaches.serverDisk(base, file);
        assertThat(file).doesNotExist();
        cache.write(4096, ByteBuffer.wrap(filled(4096, 8)), IoFlags.FUA);
        cache.flush();
        assertThat(file).exists();
        assertThat(cache.usedBytes()).isEqualTo(4096);

        cache.close();
        cache.close();

        assertThat(file).doesNotExist();
        StorageException e = catchThrowableOfType(StorageException.class, () -> read((ChunkWriteCache) cache, 0, 1));
        assertThat(e.kind()).isEqualTo(StorageException.Kind.CLOSED);
    }

    @Test
    void serverDiskReplacesAFileLeftByAnEarlierProcess() throws Exception {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        Path file = dir.resolve("stale.vhd");
        Files.write(file, new byte[] {1, 2, 3});
        try (FileWriteCache cache = WriteCaches.serverDisk(base, file)) {
            assertThat(read(cache, 0, SIZE)).isEqualTo(base.copyOfData());
            cache.write(0, ByteBuffer.wrap(filled(10, 4)), IoFlags.NONE);
            assertThat(read(cache, 0, 10)).isEqualTo(filled(10, 4));
        }
    }

    @Test
    void writePastTheEndFailsOutOfRangeAndChangesNothing() {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        try (FileWriteCache cache = WriteCaches.serverDisk(base, dir.resolve("range.vhd"))) {
            StorageException e = catchThrowableOfType(StorageException.class,
                    () -> cache.write(SIZE - 10, ByteBuffer.wrap(filled(11, 1)), IoFlags.NONE));

            assertThat(e.kind()).isEqualTo(StorageException.Kind.OUT_OF_RANGE);
            assertThat(cache.usedBytes()).isZero();
            assertThat(read(cache, 0, SIZE)).isEqualTo(base.copyOfData());
        }
    }
}
