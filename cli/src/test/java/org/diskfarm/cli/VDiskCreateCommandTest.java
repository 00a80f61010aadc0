package org.diskfarm.cli;

import org.diskfarm.store.VDiskProperties;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdInfo;
import org.diskfarm.vhd.VhdType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class VDiskCreateCommandTest {
    @TempDir
    Path dir;

    @Test
    void createsADynamicDiskWithDefaultProperties() {
        Path vhd = dir.resolve("win.vhd");
        Cli.Result result = Cli.ok("vdisk", "create", vhd.toString(), "--size", "64M");
        VhdInfo info = Vhd.info(vhd);
        assertThat(info.type()).isEqualTo(VhdType.DYNAMIC);
        assertThat(info.virtualSize()).isEqualTo(Vhd.roundedSize(64L << 20));
        assertThat(VDiskProperties.read(dir.resolve("win.pvp"))).isEqualTo(VDiskProperties.DEFAULTS);
        assertThat(result.out()).contains("created " + vhd + ": dynamic", "block size 2 MiB",
                "created " + dir.resolve("win.pvp") + ": private mode");
    }

    @Test
    void saysWhenTheSizeWasRoundedUp() {
        long requested = 64L << 20;
        long rounded = Vhd.roundedSize(requested);
        Cli.Result result = Cli.ok("vdisk", "create", dir.resolve("a.vhd").toString(), "--size", "64MiB");
        if (rounded != requested) {
            assertThat(result.out()).contains("rounded up from " + requested + " to " + rounded + " bytes");
        } else {
            assertThat(result.out()).doesNotContain("rounded");
        }
    }

    @Test
    void exactSizeIsNotReportedAsRounded() {
        long exact = Vhd.roundedSize(10L << 20);
        Cli.Result result = Cli.ok("vdisk", "create", dir.resolve("a.vhd").toString(), "--size", Long.toString(exact));
        assertThat(result.out()).doesNotContain("rounded");
    }

    @Test
    void createsAFixedDisk() {
        Path vhd = dir.resolve("fixed.vhd");
        Cli.ok("vdisk", "create", vhd.toString(), "--size", "2M", "--type", "fixed");
        assertThat(Vhd.info(vhd).type()).isEqualTo(VhdType.FIXED);
    }

    @Test
    void blockSizeIsUsed() {
        Path vhd = dir.resolve("small-blocks.vhd");
        Cli.ok("vdisk", "create", vhd.toString(), "--size", "8M", "--block-size", "512K");
        assertThat(Vhd.info(vhd).blockSize()).isEqualTo(512 << 10);
    }

    @Test
    void differencingDiskIsTheNextVersionOfItsParent() {
        Path base = dir.resolve("base.vhd");
        Path child = dir.resolve("base.1.vhd");
        Cli.ok("vdisk", "create", base.toString(), "--size", "16M");
        Cli.Result result = Cli.ok("vdisk", "create", child.toString(), "--parent", base.toString());
        VhdInfo info = Vhd.info(child);
        assertThat(info.type()).isEqualTo(VhdType.DIFFERENCING);
        assertThat(info.virtualSize()).isEqualTo(Vhd.info(base).virtualSize());
        assertThat(VDiskProperties.read(dir.resolve("base.1.pvp")).version()).isEqualTo(1);
        assertThat(result.out()).contains("differencing over " + base, "version 1");
    }

    @Test
    void refusesToOverwriteAnImage() throws IOException {
        Path vhd = dir.resolve("taken.vhd");
        Files.writeString(vhd, "not ours");
        Cli.Result result = Cli.run("vdisk", "create", vhd.toString(), "--size", "1M");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("diskfarm: " + vhd + ": already exists" + System.lineSeparator());
        assertThat(Files.readString(vhd)).isEqualTo("not ours");
        assertThat(dir.resolve("taken.pvp")).doesNotExist();
    }

    @Test
    void refusesWhenThePropertiesFileExists() throws IOException {
        Path pvp = Files.writeString(dir.resolve("taken.pvp"), "format-version = 1\n");
        Cli.Result result = Cli.run("vdisk", "create", dir.resolve("taken.vhd").toString(), "--size", "1M");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains(pvp + ": already exists");
        assertThat(dir.resolve("taken.vhd")).doesNotExist();
    }

    @Test
    void missingParentFailsAndLeavesNothing() {
        Path base = dir.resolve("none.vhd");
        Cli.Result result = Cli.run("vdisk", "create", dir.resolve("child.vhd").toString(), "--parent",
                base.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).startsWith("diskfarm: ").contains("none.vhd").hasLineCount(1);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void missingFolderIsNamed() {
        Path vhd = dir.resolve("nowhere").resolve("a.vhd");
        Cli.Result result = Cli.run("vdisk", "create", vhd.toString(), "--size", "1M");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("diskfarm: " + vhd + ": no such folder " + dir.resolve("nowhere")
                + System.lineSeparator());
    }
}
