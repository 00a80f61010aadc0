package org.diskfarm.it;

import org.diskfarm.block.IoFlags;
import org.diskfarm.cli.Main;
import org.diskfarm.testkit.QemuImg;
import org.diskfarm.testkit.TestFiles;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The offline vDisk tools in the order an administrator uses them (DOMAIN.md, steps 2 to 5): import a master image
 * into a store, check it, make a version over it, change the version as a Private-mode device would, export it again.
 * The commands run in-process through {@link Main#run}; the files they make are checked with the real
 * {@code qemu-img} and against content computed independently of diskfarm.
 */
class VdiskToolsScenarioTest {
    private static final int MIB = 1 << 20;

    private static QemuImg qemu;

    @TempDir
    Path dir;

    @BeforeAll
    static void findQemuImg() {
        qemu = QemuImg.locate();
    }

    record Result(int exitCode, String out, String err) {
    }

    private static Result diskfarm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private static Result ok(String... args) {
        Result result = diskfarm(args);
        assertThat(result.exitCode()).as("diskfarm %s%nstdout: %s%nstderr: %s", String.join(" ", args),
                result.out(), result.err()).isZero();
        return result;
    }

    /**
     * The content hash as docs/vdisk-properties.md defines it (version 1), computed here from the bytes: SHA-256 of
     * the size (8 bytes, big-endian) followed by the SHA-256 of every 1 MiB chunk.
     */
    private static String contentHash(byte[] disk) {
        try {
            MessageDigest outer = MessageDigest.getInstance("SHA-256");
            outer.update(ByteBuffer.allocate(8).putLong(disk.length).array());
            for (int at = 0; at < disk.length; at += MIB) {
                MessageDigest chunk = MessageDigest.getInstance("SHA-256");
                chunk.update(disk, at, Math.min(MIB, disk.length - at));
                outer.update(chunk.digest());
            }
            return "sha256:" + HexFormat.of().formatHex(outer.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sparse master image whose size every VHD reader sees unchanged (so no zeros are added on import). */
    private Path masterImage() {
        long size = Vhd.roundedSize(24L * MIB + 12_345);
        return TestFiles.writeSparseFile(dir.resolve("master.raw"), size, 7, 900_000,
                0, 2L * MIB - 4000, 11L * MIB + 3, size - 900_000);
    }

    @Test
    void importedMasterImageReadsInQemuAsTheMaster() throws IOException {
        Path master = masterImage();
        Path store = Files.createDirectory(dir.resolve("store"));
        Path vdisk = store.resolve("gold.vhd");

        ok("vdisk", "import", master.toString(), vdisk.toString());

        assertThat(qemu.info(vdisk, "vpc").virtualSize()).isEqualTo(Files.size(master));
        assertThat(qemu.compare(vdisk, "vpc", master, "raw")).as("qemu-img compare gold.vhd master.raw").isTrue();
        assertThat(Files.exists(store.resolve("gold.pvp"))).isTrue();
    }

    @Test
    void importedMasterImagePassesVerifyAndHashesAsTheMaster() throws IOException {
        Path master = masterImage();
        Path vdisk = Files.createDirectory(dir.resolve("store")).resolve("gold.vhd");
        ok("vdisk", "import", master.toString(), vdisk.toString());

        Result verify = ok("vdisk", "verify", vdisk.toString());
        Result hash = ok("vdisk", "hash", vdisk.toString());

        assertThat(verify.out()).contains("OK");
        assertThat(hash.out().strip()).isEqualTo(contentHash(Files.readAllBytes(master)));
    }

    @Test
    void qemuMadeImageImportsAsQemuReadsIt() throws IOException {
        Path master = masterImage();
        Path qemuVhd = dir.resolve("from-qemu.vhd");
        qemu.convertRawToVpc(master, qemuVhd, QemuImg.Subformat.DYNAMIC, false);
        Path vdisk = Files.createDirectory(dir.resolve("store")).resolve("gold.vhd");

        ok("vdisk", "import", qemuVhd.toString(), vdisk.toString());

        assertThat(qemu.compare(vdisk, "vpc", qemuVhd, "vpc")).as("qemu-img compare gold.vhd from-qemu.vhd")
                .isTrue();
        assertThat(qemu.info(vdisk, "vpc").virtualSize()).isEqualTo(qemu.info(qemuVhd, "vpc").virtualSize());
    }

    /** A maintenance version: made over the base, written by one device, exported; the base stays as it was. */
    @Test
    void versionWrittenInPrivateModeExportsAsBasePlusItsWrites() throws IOException {
        Path master = masterImage();
        Path store = Files.createDirectory(dir.resolve("store"));
        Path base = store.resolve("gold.vhd");
        Path version = store.resolve("gold.1.vhd");
        ok("vdisk", "import", master.toString(), base.toString());
        ok("vdisk", "create", version.toString(), "--parent", base.toString());

        byte[] expected = Files.readAllBytes(master);
        try (VhdDevice device = Vhd.open(version, true)) {
            for (long offset : new long[] {512 * 5 + 17, 2L * MIB - 100, 20L * MIB}) {
                byte[] data = TestFiles.pattern(8, offset, 70_001);
                device.write(offset, ByteBuffer.wrap(data), IoFlags.NONE);
                System.arraycopy(data, 0, expected, (int) offset, data.length);
            }
            device.flush();
        }
        Path exported = dir.resolve("gold.1.raw");
        ok("vdisk", "verify", version.toString());
        ok("vdisk", "export", version.toString(), exported.toString());

        assertThat(TestFiles.sha256(exported)).as("SHA-256 of the exported version")
                .isEqualTo(TestFiles.sha256(expected));
        assertThat(ok("vdisk", "hash", version.toString()).out().strip()).isEqualTo(contentHash(expected));
        assertThat(qemu.compare(base, "vpc", master, "raw")).as("the base is unchanged").isTrue();
    }

    @Test
    void verifyRefusesATruncatedVdisk() throws IOException {
        Path master = masterImage();
        Path vdisk = Files.createDirectory(dir.resolve("store")).resolve("gold.vhd");
        ok("vdisk", "import", master.toString(), vdisk.toString());
        try (var channel = java.nio.channels.FileChannel.open(vdisk, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }

        Result verify = diskfarm("vdisk", "verify", vdisk.toString());

        assertThat(verify.exitCode()).as("exit status of verify on a truncated file; stderr: %s", verify.err())
                .isEqualTo(1);
        assertThat(verify.err()).startsWith("diskfarm: ");
    }
}
