package org.diskfarm.block;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContentHashTest {
    private static final int SIZE = 5 * ContentHash.CHUNK + 12345;

    @TempDir
    Path dir;

    /** Some data regions with zeros between them, the last one in the short final chunk. */
    private static byte[] content() {
        byte[] data = new byte[SIZE];
        Random random = new Random(42);
        for (int at : new int[] {0, 3 * ContentHash.CHUNK - 100, SIZE - 5000}) {
            byte[] region = new byte[4000];
            random.nextBytes(region);
            System.arraycopy(region, 0, data, at, region.length);
        }
        return data;
    }

    /** The definition, written out plainly: SHA-256(size, SHA-256(chunk 0), SHA-256(chunk 1), ...). */
    private static String reference(byte[] data) throws Exception {
        MessageDigest outer = MessageDigest.getInstance("SHA-256");
        outer.update(ByteBuffer.allocate(8).putLong(data.length).array());
        for (int at = 0; at < data.length; at += ContentHash.CHUNK) {
            int length = Math.min(ContentHash.CHUNK, data.length - at);
            MessageDigest chunk = MessageDigest.getInstance("SHA-256");
            chunk.update(data, at, length);
            outer.update(chunk.digest());
        }
        return "sha256:" + HexFormat.of().formatHex(outer.digest());
    }

    /** A sparse raw file holding {@code data}: only the non-zero 64 KiB grains are written. */
    private Path sparseFile(byte[] data) {
        Path file = dir.resolve("sparse.raw");
        try (FileStorage storage = FileStorage.open(file, FileStorage.Mode.CREATE_NEW)) {
            storage.truncate(data.length);
            int grain = 64 << 10;
            for (int at = 0; at < data.length; at += grain) {
                ByteBuffer piece = ByteBuffer.wrap(data, at, Math.min(grain, data.length - at));
                if (!Zeros.isAllZero(piece)) {
                    storage.write(at, piece);
                }
            }
        }
        return file;
    }

    @Test
    void matchesTheDefinition() throws Exception {
        byte[] data = content();
        assertThat(ContentHash.of(MemoryDevice.wrap(data, false)).toString()).isEqualTo(reference(data));
    }

    @Test
    void sameContentStoredSparselyHashesTheSame() {
        byte[] data = content();
        ContentHash inMemory = ContentHash.of(MemoryDevice.wrap(data, false));
        try (RawFileDevice sparse = RawFileDevice.open(sparseFile(data), false)) {
            assertThat(sparse.extents(0, sparse.size())).anyMatch(e -> !e.allocated());
            assertThat(ContentHash.of(sparse)).isEqualTo(inMemory);
        }
    }

    @Test
    void oneChangedByteChangesTheHash() {
        byte[] data = content();
        ContentHash before = ContentHash.of(MemoryDevice.wrap(data.clone(), false));
        data[4 * ContentHash.CHUNK + 7] ^= 1;
        assertThat(ContentHash.of(MemoryDevice.wrap(data, false))).isNotEqualTo(before);
    }

    @Test
    void sizeIsPartOfTheHash() {
        assertThat(ContentHash.of(MemoryDevice.of(4096))).isNotEqualTo(ContentHash.of(MemoryDevice.of(8192)));
    }

    @Test
    void emptyDeviceHashesTheSizeAlone() throws Exception {
        assertThat(ContentHash.of(MemoryDevice.of(0)).toString()).isEqualTo(reference(new byte[0]));
    }

    @Test
    void reportsProgressUpToTheSize() {
        long[] last = {-1};
        ContentHash.of(MemoryDevice.of(SIZE), done -> {
            assertThat(done).isGreaterThan(last[0]);
            last[0] = done;
        });
        assertThat(last[0]).isEqualTo(SIZE);
    }

    @Test
    void textFormParsesBack() {
        ContentHash hash = ContentHash.of(MemoryDevice.wrap(content(), false));
        assertThat(ContentHash.parse(hash.toString())).isEqualTo(hash);
        assertThat(hash.toString()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void parseRejectsOtherText() {
        assertThatThrownBy(() -> ContentHash.parse("md5:abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentHash.parse("sha256:" + "zz".repeat(32)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
