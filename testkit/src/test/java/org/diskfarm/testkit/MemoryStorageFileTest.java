package org.diskfarm.testkit;

import org.diskfarm.block.FileStorage;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryStorageFileTest {

    @Test
    void writePastTheEndGrowsTheFileAndLeavesZerosBetween() {
        MemoryStorageFile file = MemoryStorageFile.create("f");
        file.write(100_000, ByteBuffer.wrap(new byte[] {1, 2, 3}));

        assertThat(file.size()).isEqualTo(100_003);
        ByteBuffer read = ByteBuffer.allocate(6);
        file.read(99_999, read);
        assertThat(read.array()).containsExactly(0, 1, 2, 3, 0, 0);
    }

    @Test
    void hugeSparseFileStoresOnlyWrittenPages() {
        MemoryStorageFile file = MemoryStorageFile.create("f");
        file.truncate(1L << 40);
        file.write((1L << 40) - 10, ByteBuffer.wrap(new byte[10]));

        assertThat(file.storedBytes()).isEqualTo(MemoryStorageFile.PAGE);
        assertThat(file.nextData(0)).isEqualTo((1L << 40) - MemoryStorageFile.PAGE);
    }

    @Test
    void shrinkingThenGrowingReadsZerosInTheRegrownPart() {
        MemoryStorageFile file = MemoryStorageFile.of("f", new byte[] {7, 7, 7, 7}, true);
        file.truncate(2);
        file.truncate(4);

        ByteBuffer read = ByteBuffer.allocate(4);
        file.read(0, read);
        assertThat(read.array()).containsExactly(7, 7, 0, 0);
    }

    @Test
    void punchedRangeReadsZeros() {
        MemoryStorageFile file = MemoryStorageFile.of("f", TestFiles.pattern(1, 200_000), true);
        file.punchHole(1000, 150_000);

        byte[] all = file.toByteArray();
        assertThat(all[999]).isNotZero();
        assertThat(java.util.Arrays.copyOfRange(all, 1000, 151_000)).containsOnly(0);
        assertThat(all[151_000]).isEqualTo(TestFiles.pattern(1, 151_000, 1)[0]);
    }

    @Test
    void readOnlyViewRefusesWrites() {
        MemoryStorageFile file = MemoryStorageFile.create("f").view(false);

        assertThatThrownBy(() -> file.write(0, ByteBuffer.allocate(1)))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.READ_ONLY));
    }

    @Test
    void memoryStorageOpensLikeFileStorage() {
        MemoryStorage storage = new MemoryStorage();
        Path path = Path.of("/m/a");

        assertThatThrownBy(() -> storage.open(path, FileStorage.Mode.READ_ONLY))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND));
        storage.open(path, FileStorage.Mode.CREATE_NEW).write(0, ByteBuffer.wrap(new byte[] {4}));
        assertThatThrownBy(() -> storage.open(path, FileStorage.Mode.CREATE_NEW))
                .isInstanceOf(StorageException.class);
        assertThat(storage.content(Path.of("/m/x/../a"))).containsExactly(4);
    }
}
