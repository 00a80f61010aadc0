package org.diskfarm.cli;

import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vdisk list|show|set NAME|assign|remove} through the API, and how {@code vdisk set} tells a file (edited
 * offline, as before) from a farm vDisk's name (PATCHed).
 */
class VDiskFarmCommandsTest extends FarmCliTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String WIN11 = """
            {"name":"win11","store":"lab","size":68720517120,"mode":"standard","writeCacheType":"ram-overflow",\
            "writeCacheSize":2147483648,"loadBalancing":true,"highAvailability":false,"description":"",\
            "devices":30,"copies":[{"server":"srv1","version":0,"size":68720517120,\
            "contentHash":"sha256:bd78","scannedAt":"2026-11-26T04:00:00Z"}]}""";

    @Test
    void listIsATable() {
        api.on("GET", "/api/v1/vdisks", 200, "[" + WIN11 + "]");
        assertThat(ok("vdisk", "list").out()).isEqualTo(lines(
                "NAME   STORE  SIZE       MODE      WRITE-CACHE         LOAD-BALANCING  HIGH-AVAILABILITY  DEVICES  COPIES",
                "win11  lab    64.00 GiB  standard  ram-overflow 2 GiB  true            false              30       1"));
    }

    @Test
    void showListsTheCopiesAsATable() {
        api.on("GET", "/api/v1/vdisks/win11", 200, WIN11);
        assertThat(ok("vdisk", "show", "win11").out()).isEqualTo(lines(
                "name:              win11",
                "store:             lab",
                "size:              68720517120 (64.00 GiB)",
                "mode:              standard",
                "write cache type:  ram-overflow",
                "write cache size:  2147483648 (2 GiB)",
                "load balancing:    true",
                "high availability: false",
                "description:       -",
                "devices:           30",
                "copies:",
                "  SERVER  VERSION  SIZE       CONTENT-HASH  SCANNED-AT",
                "  srv1    0        64.00 GiB  sha256:bd78   2026-11-26T04:00:00Z"));
    }

    @Test
    void setOfANamePatchesTheFarmVDisk() {
        api.on("PATCH", "/api/v1/vdisks/win11", 200, WIN11);
        Cli.Result result = ok("vdisk", "set", "win11", "--mode", "standard", "--write-cache-type", "ram-overflow",
                "--write-cache-size", "2G", "--load-balancing", "true", "--high-availability", "false",
                "--description", "lab image");
        assertThat(api.only().method()).isEqualTo("PATCH");
        assertThat(api.only().authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(JSON.readTree(api.only().body())).isEqualTo(JSON.readTree("""
                {"mode":"standard","writeCacheType":"ram-overflow","writeCacheSize":2147483648,\
                "loadBalancing":true,"highAvailability":false,"description":"lab image"}"""));
        assertThat(result.out()).startsWith(lines("updated vDisk win11", "  name:              win11"));
        assertThat(dir.resolve("win11.pvp")).doesNotExist();
    }

    @Test
    void setOfANameTakesTheOldOptionNamesToo() {
        api.on("PATCH", "/api/v1/vdisks/win11", 200, WIN11);
        ok("vdisk", "set", "win11", "--cache", "ram", "--cache-size", "1M");
        assertThat(JSON.readTree(api.only().body())).isEqualTo(JSON.readTree(
                "{\"writeCacheType\":\"ram\",\"writeCacheSize\":1048576}"));
    }

    @Test
    void setOfAFileEditsItOfflineAsBefore() {
        Path vhd = dir.resolve("disk.vhd");
        Cli.ok("vdisk", "create", vhd.toString(), "--size", "4M");
        Cli.Result result = Cli.ok("vdisk", "set", vhd.toString(), "--mode", "standard");
        assertThat(result.out()).startsWith("updated " + dir.resolve("disk.pvp"));
        assertThat(VDiskProperties.read(dir.resolve("disk.pvp")).mode()).isEqualTo(VDiskMode.STANDARD);
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void whatCountsAsAFile() throws IOException {
        assertThat(VDiskSetCommand.isFile("win11")).isFalse();
        assertThat(VDiskSetCommand.isFile("win11.1")).isFalse();
        assertThat(VDiskSetCommand.isFile("WIN11.VHD")).isTrue();
        assertThat(VDiskSetCommand.isFile("store/win11")).isTrue();
        assertThat(VDiskSetCommand.isFile(Files.createFile(dir.resolve("plain")).toString())).isTrue();
    }

    @Test
    void setOfAFileRefusesTheApiOptions() {
        Cli.Result result = run("vdisk", "set", "disk.vhd", "--mode", "standard");
        assertThat(result.exitCode()).isEqualTo(ExitStatus.USAGE);
        assertThat(result.err()).contains("disk.vhd is a file, edited offline");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void anUnknownNameSaysItWasTakenAsAFarmVDisk() {
        api.on("PATCH", "/api/v1/vdisks/win12", FakeApi.problem(404, "Not Found", "no vDisk named win12"));
        Cli.Result result = run("vdisk", "set", "win12", "--mode", "private");
        assertThat(result.exitCode()).isEqualTo(ExitStatus.NOT_FOUND);
        assertThat(result.err()).isEqualTo(lines("diskfarm: no vDisk named win12 (win12 is not a file here, so it "
                + "was taken as a farm vDisk's name)"));
    }

    @Test
    void setOfANameWithNothingToChangeIsAUsageError() {
        assertThat(run("vdisk", "set", "win11").exitCode()).isEqualTo(ExitStatus.USAGE);
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void assignToDevicesSendsTheirMacs() {
        api.on("POST", "/api/v1/vdisks/win11/assign", 200, "{\"vdisk\":\"win11\",\"assigned\":3}");
        assertThat(ok("vdisk", "assign", "win11", "--device", "52:54:00:00:00:01",
                "--device", "52:54:00:00:00:02,52:54:00:00:00:03").out())
                .isEqualTo(lines("assigned vDisk win11 to 3 device(s)"));
        assertThat(api.only().body()).isEqualTo(
                "{\"devices\":[\"52:54:00:00:00:01\",\"52:54:00:00:00:02\",\"52:54:00:00:00:03\"]}");
    }

    @Test
    void assignToACollectionSendsItsName() {
        api.on("POST", "/api/v1/vdisks/win11/assign", 200, "{\"vdisk\":\"win11\",\"assigned\":30}");
        assertThat(JSON.readTree(ok("vdisk", "assign", "win11", "--collection", "room12", "--json").out()))
                .isEqualTo(JSON.readTree("{\"vdisk\":\"win11\",\"assigned\":30}"));
        assertThat(api.only().body()).isEqualTo("{\"collection\":\"room12\"}");
    }

    @Test
    void removeTakesItOutOfTheFarm() {
        api.on("DELETE", "/api/v1/vdisks/win11", 204, "");
        assertThat(ok("vdisk", "remove", "win11").out())
                .isEqualTo(lines("removed vDisk win11 from the farm (its files stay)"));
    }
}
