package org.diskfarm.cli;

import org.diskfarm.block.ContentHash;
import org.diskfarm.block.MemoryDevice;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.store.WriteCacheType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class VDiskHashAndSetTest {
    @TempDir
    Path dir;

    private Path created() {
        Path vhd = dir.resolve("disk.vhd");
        Cli.ok("vdisk", "create", vhd.toString(), "--size", "4M");
        return vhd;
    }

    @Test
    void hashOfAnEmptyDiskIsTheHashOfZeros() {
        Path vhd = created();
        long size = org.diskfarm.vhd.Vhd.info(vhd).virtualSize();
        String expected = ContentHash.of(MemoryDevice.of((int) size)).toString();
        assertThat(Cli.ok("vdisk", "hash", vhd.toString()).out()).isEqualTo(expected + System.lineSeparator());
    }

    @Test
    void hashOfARawFileWorksToo() throws IOException {
        Path raw = Files.write(dir.resolve("x.raw"), new byte[8192]);
        assertThat(Cli.ok("vdisk", "hash", raw.toString()).out().strip())
                .isEqualTo(ContentHash.of(MemoryDevice.of(8192)).toString());
    }

    @Test
    void updateRecordsTheHashAndKeepsOtherProperties() {
        Path vhd = created();
        Cli.ok("vdisk", "set", vhd.toString(), "--mode", "standard");
        Cli.Result result = Cli.ok("vdisk", "hash", "--update", vhd.toString());
        VDiskProperties properties = VDiskProperties.read(dir.resolve("disk.pvp"));
        assertThat(properties.contentHash()).hasToString(result.out().lines().findFirst().orElseThrow());
        assertThat(properties.mode()).isEqualTo(VDiskMode.STANDARD);
        assertThat(result.out()).contains("recorded in " + dir.resolve("disk.pvp"));
    }

    @Test
    void differentRecordedHashIsPointedOut() {
        Path vhd = created();
        VDiskProperties.DEFAULTS.withContentHash(ContentHash.of(MemoryDevice.of(1))).write(dir.resolve("disk.pvp"));
        Cli.Result result = Cli.ok("vdisk", "hash", vhd.toString());
        assertThat(result.err()).contains("records sha256:", "--update");
    }

    @Test
    void setChangesOnlyTheGivenProperties() {
        Path vhd = created();
        Cli.Result result = Cli.ok("vdisk", "set", vhd.toString(), "--mode", "standard", "--cache", "ram-overflow",
                "--cache-size", "2G", "--load-balancing", "true", "--high-availability", "true",
                "--description", "lab image");
        VDiskProperties properties = VDiskProperties.read(dir.resolve("disk.pvp"));
        assertThat(properties).isEqualTo(VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD)
                .withWriteCacheType(WriteCacheType.RAM_OVERFLOW).withWriteCacheSize(2L << 30)
                .withLoadBalancing(true).withHighAvailability(true).withDescription("lab image"));
        assertThat(result.out()).startsWith("updated " + dir.resolve("disk.pvp"))
                .contains("mode:              standard", "write cache:       ram-overflow, 2 GiB");
        Cli.ok("vdisk", "set", vhd.toString(), "--high-availability", "false");
        assertThat(VDiskProperties.read(dir.resolve("disk.pvp")))
                .isEqualTo(properties.withHighAvailability(false));
    }

    @Test
    void setCreatesAMissingPropertiesFile() throws IOException {
        Path vhd = created();
        Files.delete(dir.resolve("disk.pvp"));
        Cli.Result result = Cli.ok("vdisk", "set", vhd.toString(), "--cache", "ram");
        assertThat(result.out()).startsWith("created ");
        assertThat(VDiskProperties.read(dir.resolve("disk.pvp")))
                .isEqualTo(VDiskProperties.DEFAULTS.withWriteCacheType(WriteCacheType.RAM));
    }

    @Test
    void setWithoutChangesSaysUnchanged() {
        Path vhd = created();
        assertThat(Cli.ok("vdisk", "set", vhd.toString()).out()).startsWith(dir.resolve("disk.pvp") + ": unchanged");
    }

    @Test
    void setRefusesABadPropertiesFileAndLeavesIt() throws IOException {
        Path vhd = created();
        Path pvp = Files.writeString(dir.resolve("disk.pvp"), "format-version = 1\nmode = \"shared\"\n");
        Cli.Result result = Cli.run("vdisk", "set", vhd.toString(), "--mode", "private");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("line 2", "\"mode\"").hasLineCount(1);
        assertThat(Files.readString(pvp)).contains("shared");
    }
}
