package org.diskfarm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class VDiskVerifyCommandTest {
    @TempDir
    Path dir;

    private Path created(String name) {
        Path vhd = dir.resolve(name);
        Cli.ok("vdisk", "create", vhd.toString(), "--size", "8M");
        return vhd;
    }

    private static void overwrite(Path file, long offset, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(bytes);
        }
    }

    @Test
    void soundVDiskIsOk() {
        Cli.Result result = Cli.ok("vdisk", "verify", created("good.vhd").toString());
        assertThat(result.out()).isEqualTo("OK" + System.lineSeparator());
        assertThat(result.err()).isEmpty();
    }

    @Test
    void damagedStructureFailsWithEachProblem() throws IOException {
        Path vhd = created("bad.vhd");
        overwrite(vhd, 512, "garbage!".getBytes());
        overwrite(vhd, Files.size(vhd) - 512, "garbage!".getBytes());
        Cli.Result result = Cli.run("vdisk", "verify", vhd.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).contains("error: ");
        assertThat(result.err()).startsWith("diskfarm: " + vhd + ": ").contains("error").hasLineCount(1);
    }

    @Test
    void recoveredFooterIsAWarningOnly() throws IOException {
        Path vhd = created("recoverable.vhd");
        overwrite(vhd, Files.size(vhd) - 512 + 64, new byte[] {1, 2, 3, 4});
        Cli.Result result = Cli.run("vdisk", "verify", vhd.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("warning: ").contains("OK (1 warning");
    }

    @Test
    void badPropertiesFileIsAnError() throws IOException {
        Path vhd = created("props.vhd");
        Files.writeString(dir.resolve("props.pvp"), "format-version = 1\nspeed = 3\n");
        Cli.Result result = Cli.run("vdisk", "verify", vhd.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("error: properties props.pvp: ", "line 2: unknown key \"speed\"");
    }
}
