package org.diskfarm.cli;

import org.diskfarm.block.ContentHash;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class VDiskImportExportTest {
    @TempDir
    Path dir;

    /** The demo's master image at an exact VHD size: a boot sector, 6 MiB of data, the rest holes. */
    private Path master() {
        Path raw = dir.resolve("master.raw");
        DemoCommand.MasterImage.write(raw, Vhd.roundedSize(DemoCommand.MASTER_SIZE_REQUESTED));
        return raw;
    }

    private static ContentHash hashOf(Path raw) {
        try (RawFileDevice device = RawFileDevice.open(raw, false)) {
            return ContentHash.of(device);
        }
    }

    private void assertOnly(Path... expected) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(expected);
        }
    }

    @Test
    void importStoresTheDataAndRecordsTheContentHash() throws IOException {
        Path master = master();
        Path vhd = dir.resolve("demo.vhd");
        Cli.Result result = Cli.ok("vdisk", "import", master.toString(), vhd.toString());
        ContentHash expected = hashOf(master);
        VDiskProperties properties = VDiskProperties.read(dir.resolve("demo.pvp"));
        assertThat(properties.contentHash()).isEqualTo(expected);
        assertThat(properties.withContentHash(null)).isEqualTo(VDiskProperties.DEFAULTS);
        try (var device = Vhd.open(vhd, false)) {
            assertThat(ContentHash.of(device)).isEqualTo(expected);
            assertThat(device.type()).isEqualTo(VhdType.DYNAMIC);
        }
        assertThat(Files.size(vhd)).isLessThan(Files.size(master) / 2);
        assertThat(result.out()).contains("imported " + master + " (raw, ", "read ", "stored ", "MiB/s",
                "content hash " + expected);
        assertOnly(master, vhd, dir.resolve("demo.pvp"));
    }

    @Test
    void importOfAVhdSourceCopiesItsContent() {
        Path master = master();
        Path first = dir.resolve("first.vhd");
        Path second = dir.resolve("second.vhd");
        Cli.ok("vdisk", "import", master.toString(), first.toString());
        Cli.Result result = Cli.ok("vdisk", "import", first.toString(), second.toString(), "--type", "fixed");
        assertThat(result.out()).contains("(VHD, ");
        assertThat(Vhd.info(second).type()).isEqualTo(VhdType.FIXED);
        assertThat(VDiskProperties.read(dir.resolve("second.pvp")).contentHash()).isEqualTo(hashOf(master));
    }

    @Test
    void importOfAnOddSizedSourceRoundsUpAndSaysSo() throws IOException {
        Path raw = dir.resolve("odd.raw");
        byte[] data = new byte[1_000_000];
        java.util.Arrays.fill(data, 0, 1000, (byte) 7);
        Files.write(raw, data);
        Path vhd = dir.resolve("odd.vhd");
        Cli.Result result = Cli.ok("vdisk", "import", raw.toString(), vhd.toString());
        assertThat(Vhd.info(vhd).virtualSize()).isGreaterThan(1_000_000);
        assertThat(result.out()).contains("rounded up", "tail reads as zeros");
        try (var device = Vhd.open(vhd, false)) {
            ByteBuffer head = ByteBuffer.allocate(1001);
            device.read(0, head);
            assertThat(head.array()[999]).isEqualTo((byte) 7);
            assertThat(head.array()[1000]).isZero();
        }
    }

    @Test
    void failedImportLeavesNothing() throws IOException {
        Path fake = dir.resolve("fake.vhd");
        byte[] bytes = new byte[4096];
        System.arraycopy("conectix".getBytes(), 0, bytes, 4096 - 512, 8);
        Files.write(fake, bytes);
        Cli.Result result = Cli.run("vdisk", "import", fake.toString(), dir.resolve("new.vhd").toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).startsWith("diskfarm: ").contains("fake.vhd").hasLineCount(1);
        assertOnly(fake);
    }

    @Test
    void importRefusesAnExistingTarget() throws IOException {
        Path master = master();
        Path vhd = Files.writeString(dir.resolve("demo.vhd"), "mine");
        Cli.Result result = Cli.run("vdisk", "import", master.toString(), vhd.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains(vhd + ": already exists");
        assertThat(Files.readString(vhd)).isEqualTo("mine");
    }

    @Test
    void exportWritesASparseRawFileWithTheSameContent() throws IOException {
        Path master = master();
        Path vhd = dir.resolve("demo.vhd");
        Path raw = dir.resolve("export.raw");
        Cli.ok("vdisk", "import", master.toString(), vhd.toString());
        Cli.Result result = Cli.ok("vdisk", "export", vhd.toString(), raw.toString());
        assertThat(Files.size(raw)).isEqualTo(Files.size(master));
        assertThat(Files.mismatch(raw, master)).isEqualTo(-1);
        try (RawFileDevice device = RawFileDevice.open(raw, false)) {
            assertThat(device.extents(0, device.size())).anyMatch(e -> !e.allocated());
        }
        assertThat(result.out()).contains("exported " + vhd + " to " + raw, "left as holes");
        assertOnly(master, vhd, dir.resolve("demo.pvp"), raw);
    }

    @Test
    void exportOfADifferencingDiskReadsThroughItsParent() throws IOException {
        Path master = master();
        Path base = dir.resolve("demo.vhd");
        Path child = dir.resolve("demo.1.vhd");
        Path raw = dir.resolve("export.raw");
        Cli.ok("vdisk", "import", master.toString(), base.toString());
        Cli.ok("vdisk", "create", child.toString(), "--parent", base.toString());
        Cli.ok("vdisk", "export", child.toString(), raw.toString());
        assertThat(Files.mismatch(raw, master)).isEqualTo(-1);
    }

    @Test
    void exportRefusesAnExistingTarget() throws IOException {
        Path vhd = dir.resolve("demo.vhd");
        Cli.ok("vdisk", "create", vhd.toString(), "--size", "1M");
        Path raw = Files.writeString(dir.resolve("out.raw"), "mine");
        Cli.Result result = Cli.run("vdisk", "export", vhd.toString(), raw.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("diskfarm: " + raw + ": already exists" + System.lineSeparator());
        assertThat(Files.readString(raw)).isEqualTo("mine");
    }

    @Test
    void emptySourceIsRefused() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.raw"));
        Cli.Result result = Cli.run("vdisk", "import", empty.toString(), dir.resolve("e.vhd").toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains(empty + ": empty image");
        assertOnly(empty);
    }
}
