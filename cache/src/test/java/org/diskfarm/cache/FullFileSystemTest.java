package org.diskfarm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.diskfarm.cache.WriteCacheTest.filled;
import static org.diskfarm.cache.WriteCacheTest.read;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.diskfarm.block.FileStorage;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;
import org.diskfarm.block.StorageOpener;
import org.diskfarm.testkit.MemoryStorage;
import org.junit.jupiter.api.Test;

class FullFileSystemTest {
    private static final int SIZE = 8 << 20;

    @Test
    void serverDiskOnAFullFileSystemGivesNoSpaceAndKeepsWhatItHolds() {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        // Room for the VHD's metadata and its first 2 MiB block, not for a second block.
        StorageOpener full = new FullStorage(new MemoryStorage(), 3 << 20);
        try (FileWriteCache cache = new FileWriteCache("dev-3", base, Path.of("/cache/dev-3.vhd"), full)) {
            cache.write(0, ByteBuffer.wrap(filled(8192, 1)), IoFlags.NONE);

            StorageException e = catchThrowableOfType(StorageException.class,
                    () -> cache.write(6 << 20, ByteBuffer.wrap(filled(4096, 2)), IoFlags.NONE));

            assertThat(e.kind()).isEqualTo(StorageException.Kind.NO_SPACE);
            byte[] expected = base.copyOfData();
            Arrays.fill(expected, 0, 8192, (byte) 1);
            assertThat(read(cache, 0, SIZE)).isEqualTo(expected);
            cache.write(100, ByteBuffer.wrap(filled(10, 3)), IoFlags.NONE); // a chunk it holds still takes writes
            assertThat(read(cache, 100, 10)).isEqualTo(filled(10, 3));
        }
    }

    /** Storage whose files fail writes past {@code limitBytes} as a full file system does. */
    private record FullStorage(StorageOpener delegate, long limitBytes) implements StorageOpener {
        @Override
        public StorageFile open(Path path, FileStorage.Mode mode) {
            StorageFile file = delegate.open(path, mode);
            return new StorageFile() {
                @Override
                public String name() {
                    return file.name();
                }

                @Override
                public boolean punchHole(long position, long length) {
                    return file.punchHole(position, length);
                }

                @Override
                public boolean isWritable() {
                    return file.isWritable();
                }

                @Override
                public long size() {
                    return file.size();
                }

                @Override
                public void read(long position, ByteBuffer dst) {
                    file.read(position, dst);
                }

                @Override
                public void write(long position, ByteBuffer src) {
                    if (position + src.remaining() > limitBytes) {
                        throw StorageException.io(path + ": write", new IOException("No space left on device"));
                    }
                    file.write(position, src);
                }

                @Override
                public void truncate(long size) {
                    file.truncate(size);
                }

                @Override
                public void force(boolean metadata) {
                    file.force(metadata);
                }

                @Override
                public void close() {
                    file.close();
                }
            };
        }
    }
}
