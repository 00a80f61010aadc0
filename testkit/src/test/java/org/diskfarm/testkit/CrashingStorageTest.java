package org.diskfarm.testkit;

import org.diskfarm.block.FileStorage;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;
import org.diskfarm.testkit.CrashingStorage.CrashImage;
import org.diskfarm.testkit.CrashingStorage.CrashKind;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CrashingStorageTest {
    private static final Path FILE = Path.of("/t/file");

    /** Writes 1, 2, force, 3, 4 (each 1024 bytes of its own value at its own 1 KiB slot), crashing after {@code n}. */
    private static CrashingStorage run(long n) {
        MemoryStorage memory = new MemoryStorage();
        memory.put(FILE, new byte[4096]);
        CrashingStorage crashing = CrashingStorage.over(memory).crashAfter(n);
        try (StorageFile file = crashing.open(FILE, FileStorage.Mode.READ_WRITE)) {
            write(file, 0, 1);
            write(file, 1024, 2);
            file.force(false);
            write(file, 2048, 3);
            write(file, 3072, 4);
        } catch (StorageException e) {
            assertThat(e.kind()).isEqualTo(StorageException.Kind.IO_ERROR);
        }
        return crashing;
    }

    private static void write(StorageFile file, long position, int value) {
        byte[] data = new byte[1024];
        java.util.Arrays.fill(data, (byte) value);
        file.write(position, ByteBuffer.wrap(data));
    }

    private static int[] slots(byte[] image) {
        return new int[] {image[0], image[1024], image[2048], image[3072]};
    }

    @Test
    void writesPastTheLimitAndEveryLaterCallFail() {
        MemoryStorage memory = new MemoryStorage();
        memory.put(FILE, new byte[10]);
        CrashingStorage crashing = CrashingStorage.over(memory).crashAfter(1);
        StorageFile file = crashing.open(FILE, FileStorage.Mode.READ_WRITE);
        file.write(0, ByteBuffer.wrap(new byte[] {1}));

        assertThatThrownBy(() -> file.write(1, ByteBuffer.wrap(new byte[] {2})))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.IO_ERROR));
        assertThatThrownBy(() -> file.read(0, ByteBuffer.allocate(1))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> file.force(true)).isInstanceOf(StorageException.class);
        assertThat(crashing.crashed()).isTrue();
        assertThat(memory.content(FILE)[1]).as("the crashing write never reaches the file").isZero();
    }

    @Test
    void processDeathImageHoldsEveryWriteBeforeTheCrash() {
        CrashingStorage crashing = run(3);

        assertThat(slots(crashing.processDeathImage().get(FILE))).containsExactly(1, 2, 3, 0);
    }

    @Test
    void tornImageAddsTheFirstHalfOfTheCrashingWrite() {
        CrashingStorage crashing = run(3);
        byte[] torn = crashing.tornImage().orElseThrow().get(FILE);

        assertThat(torn[3072]).isEqualTo((byte) 4);
        assertThat(torn[3072 + 511]).isEqualTo((byte) 4);
        assertThat(torn[3072 + 512]).isZero();
    }

    @Test
    void tornWriteInsideOneSectorLandsNothing() {
        MemoryStorage memory = new MemoryStorage();
        memory.put(FILE, new byte[1024]);
        CrashingStorage crashing = CrashingStorage.over(memory).crashAfter(0);
        StorageFile file = crashing.open(FILE, FileStorage.Mode.READ_WRITE);
        assertThatThrownBy(() -> file.write(100, ByteBuffer.wrap(new byte[] {9, 9, 9, 9})))
                .isInstanceOf(StorageException.class);

        assertThat(crashing.tornImage().orElseThrow().get(FILE)).containsOnly(0);
        assertThat(crashing.tornImage(1).orElseThrow().get(FILE)[101]).isEqualTo((byte) 9);
    }

    @Test
    void powerLossKeepsEverythingUpToTheLastForceAndChosenLaterWrites() {
        CrashingStorage crashing = run(4);

        assertThat(crashing.unsyncedWrites()).hasSize(2);
        assertThat(slots(crashing.powerLossImage(List.of()).get(FILE))).containsExactly(1, 2, 0, 0);
        assertThat(slots(crashing.powerLossImage(List.of(1)).get(FILE))).containsExactly(1, 2, 0, 4);
        assertThat(slots(crashing.powerLossImage(List.of(0, 1)).get(FILE))).containsExactly(1, 2, 3, 4);
    }

    @Test
    void crashImagesCoverDeathTornNoneAllAndEachAlone() {
        List<CrashImage> images = run(4).crashImages();

        assertThat(images).extracting(CrashImage::kind).containsExactly(CrashKind.PROCESS_DEATH,
                CrashKind.POWER_LOSS, CrashKind.POWER_LOSS, CrashKind.POWER_LOSS, CrashKind.POWER_LOSS);
    }

    @Test
    void aFileCreatedDuringTheRecordingStartsEmpty() {
        CrashingStorage crashing = CrashingStorage.over(new MemoryStorage()).crashAfter(1);
        StorageFile file = crashing.open(Path.of("/t/new"), FileStorage.Mode.CREATE_NEW);
        file.write(0, ByteBuffer.wrap(new byte[] {5, 5}));
        assertThatThrownBy(() -> file.write(2, ByteBuffer.wrap(new byte[] {6}))).isInstanceOf(StorageException.class);

        assertThat(crashing.processDeathImage().get(Path.of("/t/new"))).containsExactly(5, 5);
        assertThat(crashing.powerLossImage(List.of()).get(Path.of("/t/new"))).isEmpty();
    }
}
