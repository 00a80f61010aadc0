package org.diskfarm.store;

import org.diskfarm.block.ContentHash;
import org.diskfarm.block.MemoryDevice;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VDiskPropertiesTest {
    @TempDir
    Path dir;

    private Path pvp() {
        return dir.resolve("demo.pvp");
    }

    private Path file(String text) throws IOException {
        return Files.writeString(pvp(), text);
    }

    private static VDiskProperties everythingSet() {
        return VDiskProperties.DEFAULTS
                .withDescription("Windows 11 lab image \"v2\"\nsecond line\twith tab, \\ and é")
                .withMode(VDiskMode.STANDARD)
                .withWriteCacheType(WriteCacheType.RAM_OVERFLOW)
                .withWriteCacheSize(1536L << 20)
                .withLoadBalancing(true)
                .withHighAvailability(true)
                .withVersion(3)
                .withContentHash(ContentHash.of(MemoryDevice.of(4096)));
    }

    /** Reading {@code text} fails with a CORRUPT error whose message contains all of {@code parts}. */
    private void assertRejected(String text, String... parts) throws IOException {
        Path file = file(text);
        assertThatThrownBy(() -> VDiskProperties.read(file))
                .isInstanceOfSatisfying(StorageException.class, e -> {
                    assertThat(e.kind()).isEqualTo(StorageException.Kind.CORRUPT);
                    assertThat(e.getMessage()).startsWith(file.toString()).doesNotContain("\n").contains(parts);
                });
    }

    @Test
    void everyFieldRoundTrips() {
        VDiskProperties properties = everythingSet();
        properties.write(pvp());
        assertThat(VDiskProperties.read(pvp())).isEqualTo(properties);
    }

    @Test
    void defaultsRoundTrip() {
        VDiskProperties.DEFAULTS.write(pvp());
        assertThat(VDiskProperties.read(pvp())).isEqualTo(VDiskProperties.DEFAULTS);
    }

    @Test
    void defaultsArePrivateServerDiskFourGibNoFlagsBaseVersion() {
        VDiskProperties d = VDiskProperties.DEFAULTS;
        assertThat(d.mode()).isEqualTo(VDiskMode.PRIVATE);
        assertThat(d.writeCacheType()).isEqualTo(WriteCacheType.SERVER_DISK);
        assertThat(d.writeCacheSize()).isEqualTo(4L << 30);
        assertThat(d.loadBalancing()).isFalse();
        assertThat(d.highAvailability()).isFalse();
        assertThat(d.version()).isZero();
        assertThat(d.contentHash()).isNull();
        assertThat(d.description()).isEmpty();
    }

    @Test
    void missingKeysTakeTheirDefaults() throws IOException {
        assertThat(VDiskProperties.read(file("format-version = 1\n"))).isEqualTo(VDiskProperties.DEFAULTS);
    }

    @Test
    void writtenFileIsReadableTextWithHumanSizes() throws IOException {
        everythingSet().write(pvp());
        String text = Files.readString(pvp());
        assertThat(text).contains("format-version = 1\n", "mode = \"standard\"\n", "write-cache = \"ram-overflow\"\n",
                "write-cache-size = \"1536MiB\"\n", "load-balancing = true\n", "version = 3\n",
                "content-hash = \"sha256:");
        assertThat(VDiskProperties.DEFAULTS.toToml()).contains("write-cache-size = \"4GiB\"")
                .doesNotContain("content-hash =");
    }

    @Test
    void handWrittenFileWithCommentsLiteralStringsAndByteCountsReads() throws IOException {
        VDiskProperties read = VDiskProperties.read(file("""
                # a comment
                format-version = 1   # trailing comment
                description = 'C:\\Images\\lab'
                mode="standard"
                write-cache-size = 1_048_576
                high-availability = true
                """));
        assertThat(read.description()).isEqualTo("C:\\Images\\lab");
        assertThat(read.mode()).isEqualTo(VDiskMode.STANDARD);
        assertThat(read.writeCacheSize()).isEqualTo(1 << 20);
        assertThat(read.highAvailability()).isTrue();
    }

    @Test
    void crlfLineEndsAreAccepted() throws IOException {
        assertThat(VDiskProperties.read(file("format-version = 1\r\nmode = \"standard\"\r\n")).mode())
                .isEqualTo(VDiskMode.STANDARD);
    }

    @Test
    void unknownModeIsRejectedWithLineAndKey() throws IOException {
        assertRejected("format-version = 1\nmode = \"shared\"\n", "line 2", "\"mode\"", "shared", "private");
    }

    @Test
    void unknownWriteCacheTypeIsRejected() throws IOException {
        assertRejected("format-version = 1\n\nwrite-cache = \"disk\"\n", "line 3", "\"write-cache\"", "disk");
    }

    @Test
    void badSizeIsRejected() throws IOException {
        assertRejected("format-version = 1\nwrite-cache-size = \"4 parsecs\"\n", "line 2", "\"write-cache-size\"",
                "not a size");
    }

    @Test
    void zeroSizeIsRejected() throws IOException {
        assertRejected("format-version = 1\nwrite-cache-size = 0\n", "line 2", "at least 1 byte");
    }

    @Test
    void unknownKeyIsRejected() throws IOException {
        assertRejected("format-version = 1\nload-balance = true\n", "line 2", "unknown key \"load-balance\"");
    }

    @Test
    void wrongTypeIsRejected() throws IOException {
        assertRejected("format-version = 1\nload-balancing = \"yes\"\n", "line 2", "\"load-balancing\"",
                "true or false");
        assertRejected("format-version = 1\nversion = \"2\"\n", "line 2", "\"version\"", "whole number");
        assertRejected("format-version = 1\nmode = 1\n", "line 2", "\"mode\"", "quoted string");
    }

    @Test
    void negativeVersionIsRejected() throws IOException {
        assertRejected("format-version = 1\nversion = -1\n", "line 2", "\"version\"");
    }

    @Test
    void badContentHashIsRejected() throws IOException {
        assertRejected("format-version = 1\ncontent-hash = \"md5:1234\"\n", "line 2", "\"content-hash\"", "sha256:");
    }

    @Test
    void missingFormatVersionIsRejected() throws IOException {
        assertRejected("mode = \"private\"\n", "format-version");
    }

    @Test
    void newerFormatVersionIsRejected() throws IOException {
        assertRejected("format-version = 2\n", "line 1", "format version 2 is not supported");
    }

    @Test
    void duplicateKeyIsRejected() throws IOException {
        assertRejected("format-version = 1\nmode = \"private\"\nmode = \"standard\"\n", "line 3", "twice");
    }

    @Test
    void syntaxErrorsNameTheLine() throws IOException {
        assertRejected("format-version = 1\nmode \"private\"\n", "line 2", "'='");
        assertRejected("format-version = 1\ndescription = \"open\n", "line 2", "not closed");
        assertRejected("format-version = 1\n[vdisk]\n", "line 2", "tables");
        assertRejected("format-version = 1\nversion = 1.5\n", "line 2", "unsupported value");
        assertRejected("format-version = 1\nversion = 1 2\n", "line 2", "after the value");
        assertRejected("format-version = 1\nmode =\n", "line 2", "missing value");
        assertRejected("format-version = 1\ndescription = \"bad \\q escape\"\n", "line 2", "escape");
    }

    @Test
    void missingFileIsNotFound() {
        assertThatThrownBy(() -> VDiskProperties.read(dir.resolve("none.pvp")))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND))
                .hasMessageContaining("none.pvp");
        assertThat(VDiskProperties.readIfPresent(dir.resolve("none.pvp"))).isEmpty();
    }

    @Test
    void atomicWriteLeavesOnlyTheTargetFile() throws IOException {
        everythingSet().write(pvp());
        VDiskProperties.DEFAULTS.write(pvp());
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(pvp());
        }
        assertThat(VDiskProperties.read(pvp())).isEqualTo(VDiskProperties.DEFAULTS);
    }

    @Test
    void writeIntoMissingFolderFailsAndLeavesNothing() {
        Path missing = dir.resolve("no-such-folder").resolve("demo.pvp");
        assertThatThrownBy(() -> VDiskProperties.DEFAULTS.write(missing))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND));
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void invalidValuesCannotBeBuilt() {
        assertThatThrownBy(() -> VDiskProperties.DEFAULTS.withWriteCacheSize(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VDiskProperties.DEFAULTS.withVersion(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
