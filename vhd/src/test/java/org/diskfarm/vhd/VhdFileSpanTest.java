package org.diskfarm.vhd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.diskfarm.block.FileSpan;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where each kind of VHD says its data lies in a file, for zero-copy reads. */
class VhdFileSpanTest {
    private static final int BLOCK = 65536;
    private static final long SIZE = 4L * BLOCK;

    @TempDir
    Path dir;

    @Test
    void fixedDiskDataIsTheFilesFirstBytesInOneSpan() {
        try (VhdDevice disk = Vhd.create(dir.resolve("f.vhd"), VhdSpec.fixed(SIZE))) {
            FileSpan span = disk.fileSpan(1000, 70_000);
            assertThat(span.isInFile()).isTrue();
            assertThat(span.position()).isEqualTo(1000);
            assertThat(span.length()).isEqualTo(70_000);
        }
    }

    @Test
    void dynamicDiskSpansStopAtTheBlockEndAndUnallocatedBlocksAreNotInTheFile() {
        try (VhdDevice disk = Vhd.create(dir.resolve("d.vhd"), VhdSpec.dynamic(SIZE).withBlockSize(BLOCK))) {
            byte[] data = filled(BLOCK, 7);
            disk.write(BLOCK, ByteBuffer.wrap(data), IoFlags.NONE);
            FileSpan inBlock = disk.fileSpan(BLOCK + 512, 3L * BLOCK);
            assertThat(inBlock.isInFile()).isTrue();
            assertThat(inBlock.length()).isEqualTo(BLOCK - 512);
            assertThat(VhdDeviceModelTest.readSpan(inBlock)).isEqualTo(Arrays.copyOfRange(data, 512, BLOCK));
            FileSpan hole = disk.fileSpan(2L * BLOCK, BLOCK);
            assertThat(hole.isInFile()).isFalse();
            assertThat(hole.length()).isEqualTo(BLOCK);
        }
    }

    @Test
    void dynamicDiskSpanEndsWhereTheSectorBitmapChanges() {
        try (VhdDevice disk = Vhd.create(dir.resolve("d.vhd"), VhdSpec.dynamic(SIZE).withBlockSize(BLOCK))) {
            disk.write(0, ByteBuffer.wrap(filled(4096, 1)), IoFlags.NONE);
            FileSpan written = disk.fileSpan(0, BLOCK);
            assertThat(written.isInFile()).isTrue();
            assertThat(written.length()).isEqualTo(4096);
            FileSpan notWritten = disk.fileSpan(4096, BLOCK - 4096);
            assertThat(notWritten.isInFile()).isFalse();
            assertThat(notWritten.length()).isEqualTo(BLOCK - 4096);
        }
    }

    @Test
    void differencingDiskGivesTheParentsSpanWhereItHoldsNothing() {
        Path base = dir.resolve("base.vhd");
        byte[] parentData = filled(BLOCK, 3);
        try (VhdDevice parent = Vhd.create(base, VhdSpec.dynamic(SIZE).withBlockSize(BLOCK))) {
            parent.write(0, ByteBuffer.wrap(parentData), IoFlags.NONE);
        }
        try (VhdDevice child = Vhd.create(dir.resolve("child.vhd"), VhdSpec.differencing(base))) {
            child.write(BLOCK / 2, ByteBuffer.wrap(filled(512, 9)), IoFlags.NONE);
            FileSpan fromParent = child.fileSpan(0, BLOCK);
            assertThat(fromParent.isInFile()).isTrue();
            assertThat(fromParent.length()).isEqualTo(BLOCK / 2);
            assertThat(VhdDeviceModelTest.readSpan(fromParent))
                    .isEqualTo(Arrays.copyOf(parentData, BLOCK / 2));
            FileSpan own = child.fileSpan(BLOCK / 2, BLOCK / 2);
            assertThat(own.length()).isEqualTo(512);
            assertThat(VhdDeviceModelTest.readSpan(own)).isEqualTo(filled(512, 9));
            assertThat(own.channel()).isNotSameAs(fromParent.channel());
        }
    }

    @Test
    void closedDiskAndBadRangesAreRefused() {
        VhdDevice disk = Vhd.create(dir.resolve("d.vhd"), VhdSpec.dynamic(SIZE).withBlockSize(BLOCK));
        assertThatThrownBy(() -> disk.fileSpan(disk.size(), 1)).isInstanceOf(StorageException.class)
                .extracting(e -> ((StorageException) e).kind()).isEqualTo(StorageException.Kind.OUT_OF_RANGE);
        assertThatThrownBy(() -> disk.fileSpan(0, 0)).isInstanceOf(StorageException.class)
                .extracting(e -> ((StorageException) e).kind()).isEqualTo(StorageException.Kind.INVALID_ARGUMENT);
        disk.close();
        assertThatThrownBy(() -> disk.fileSpan(0, 512)).isInstanceOf(StorageException.class)
                .extracting(e -> ((StorageException) e).kind()).isEqualTo(StorageException.Kind.CLOSED);
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
