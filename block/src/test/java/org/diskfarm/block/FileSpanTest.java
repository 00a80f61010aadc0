package org.diskfarm.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where devices of this module say their bytes lie in a file, for zero-copy reads; and who may pass spans on. */
class FileSpanTest {
    @TempDir
    Path dir;

    @Test
    void rawFileIsOneSpanAtTheSameOffsetAndSendingDoesNotCloseIt() throws IOException {
        Path file = dir.resolve("raw.img");
        byte[] bytes = new byte[65536];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        Files.write(file, bytes);
        try (RawFileDevice device = RawFileDevice.open(file, false)) {
            FileSpan span = device.fileSpan(1000, 5000);
            assertThat(span.isInFile()).isTrue();
            assertThat(span.position()).isEqualTo(1000);
            assertThat(span.length()).isEqualTo(5000);
            ByteBuffer viaChannel = ByteBuffer.allocate(5000);
            span.channel().read(viaChannel, span.position());
            ByteBuffer viaRead = ByteBuffer.allocate(5000);
            device.read(1000, viaRead);
            assertThat(viaChannel.array()).isEqualTo(viaRead.array());
        }
    }

    @Test
    void rawFileChecksRangeEmptinessAndClose() {
        Path file = dir.resolve("raw.img");
        try {
            Files.write(file, new byte[4096]);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        RawFileDevice device = RawFileDevice.open(file, false);
        assertKind(() -> device.fileSpan(4096, 1), StorageException.Kind.OUT_OF_RANGE);
        assertKind(() -> device.fileSpan(0, 0), StorageException.Kind.INVALID_ARGUMENT);
        device.close();
        assertKind(() -> device.fileSpan(0, 512), StorageException.Kind.CLOSED);
    }

    @Test
    void memoryDeviceSaysNotInAFileForTheWholeRange() {
        MemoryDevice device = MemoryDevice.of(8192);
        FileSpan span = device.fileSpan(100, 8000);
        assertThat(span.isInFile()).isFalse();
        assertThat(span.length()).isEqualTo(8000);
        assertKind(() -> device.fileSpan(8000, 193), StorageException.Kind.OUT_OF_RANGE);
    }

    @Test
    void forwardingDevicePassesTheSpanOfTheDeviceBelow() throws IOException {
        Path file = dir.resolve("raw.img");
        Files.write(file, new byte[8192]);
        try (RawFileDevice raw = RawFileDevice.open(file, false)) {
            BlockDevice layer = new ForwardingBlockDevice(raw) {
            };
            assertThat(layer.fileSpan(512, 1024)).isEqualTo(raw.fileSpan(512, 1024));
        }
    }

    @Test
    void spanWithoutAFileHasNoPositionAndSpansAreNeverEmpty() {
        assertThatThrownBy(() -> new FileSpan(null, 5, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FileSpan.notInFile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(FileSpan.notInFile(100).limit(30).length()).isEqualTo(30);
    }

    private static void assertKind(Runnable call, StorageException.Kind kind) {
        assertThatThrownBy(call::run).isInstanceOf(StorageException.class)
                .extracting(e -> ((StorageException) e).kind()).isEqualTo(kind);
    }
}
