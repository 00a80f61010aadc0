package org.diskfarm.cli;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code device add|list|show|set|remove|boot}: requests and output; a classroom's CSV file as one request. */
class DeviceCommandsTest extends FarmCliTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PC01 = """
            {"mac":"52:54:00:00:00:01","name":"pc01","description":"","collection":"room12","vdisk":"win11",\
            "bootState":"up","servedBy":"srv1","lastSeen":"2026-11-26T05:00:00Z",\
            "writeCache":{"type":"ram","vdisk":"win11","usedBytes":8192,"capacityBytes":4294967296,\
            "created":"2026-11-26T04:10:00Z"}}""";
    static final String PC02 = """
            {"mac":"52:54:00:00:00:02","name":"pc02","description":null,"collection":null,"vdisk":null,\
            "bootState":"off","servedBy":null,"lastSeen":null,"writeCache":null}""";

    @Test
    void listIsATableOfDevices() {
        api.on("GET", "/api/v1/devices", 200, "[" + PC01 + "," + PC02 + "]");
        assertThat(ok("device", "list").out()).isEqualTo(lines(
                "MAC                NAME  VDISK  COLLECTION  BOOT-STATE  SERVED-BY",
                "52:54:00:00:00:01  pc01  win11  room12      up          srv1",
                "52:54:00:00:00:02  pc02  -      -           off         -"));
    }

    @Test
    void showNestsTheWriteCache() {
        api.on("GET", "/api/v1/devices/52:54:00:00:00:01", 200, PC01);
        assertThat(ok("device", "show", "52:54:00:00:00:01").out()).isEqualTo(lines(
                "mac:         52:54:00:00:00:01",
                "name:        pc01",
                "description: -",
                "collection:  room12",
                "vdisk:       win11",
                "boot state:  up",
                "served by:   srv1",
                "last seen:   2026-11-26T05:00:00Z",
                "write cache:",
                "  type:           ram",
                "  vdisk:          win11",
                "  used bytes:     8192 (8 KiB)",
                "  capacity bytes: 4294967296 (4 GiB)",
                "  created:        2026-11-26T04:10:00Z"));
    }

    @Test
    void addOnePostsANewDevice() {
        api.on("POST", "/api/v1/devices", 201, PC01);
        Cli.Result result = ok("device", "add", "52:54:00:00:00:01", "pc01", "--vdisk", "win11",
                "--collection", "room12");
        assertThat(api.only().body()).isEqualTo(
                "{\"mac\":\"52:54:00:00:00:01\",\"name\":\"pc01\",\"vdisk\":\"win11\",\"collection\":\"room12\"}");
        assertThat(api.only().authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(result.out()).startsWith(lines("added device pc01 (52:54:00:00:00:01)",
                "  mac:         52:54:00:00:00:01"));
    }

    @Test
    void addFromCsvPostsEveryDeviceInOneArray() throws IOException {
        Path csv = Files.writeString(dir.resolve("room12.csv"), """
                # room 12, front to back
                name, MAC, description
                pc01,52:54:00:00:00:01,"front row, left"

                pc02,52:54:00:00:00:02,
                """);
        api.on("POST", "/api/v1/devices", 201, "[" + PC01 + "," + PC02 + "]");
        Cli.Result result = ok("device", "add", "--csv", csv.toString(), "--collection", "room12");
        assertThat(JSON.readTree(api.only().body())).isEqualTo(JSON.readTree("""
                [{"mac":"52:54:00:00:00:01","name":"pc01","collection":"room12","description":"front row, left"},
                 {"mac":"52:54:00:00:00:02","name":"pc02","collection":"room12"}]"""));
        assertThat(result.out()).isEqualTo(lines(
                "added 2 device(s) from " + csv,
                "  MAC                NAME  VDISK  COLLECTION  BOOT-STATE  SERVED-BY",
                "  52:54:00:00:00:01  pc01  win11  room12      up          srv1",
                "  52:54:00:00:00:02  pc02  -      -           off         -"));
    }

    @Test
    void aBadMacInTheCsvIsTheServersToRefuse() throws IOException {
        Path csv = Files.writeString(dir.resolve("room.csv"), "mac,name\nnot-a-mac,pc01\n");
        api.on("POST", "/api/v1/devices", FakeApi.problem(400, "Bad Request",
                "device 1 of 1: not a MAC address: 'not-a-mac'"));
        Cli.Result result = run("device", "add", "--csv", csv.toString());
        assertThat(result.exitCode()).isEqualTo(ExitStatus.FAILED);
        assertThat(result.err()).isEqualTo(lines("diskfarm: device 1 of 1: not a MAC address: 'not-a-mac'"));
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void aBadCsvLineFailsNamingFileAndLineBeforeAnyRequest() throws IOException {
        Path csv = Files.writeString(dir.resolve("room.csv"), "mac,name,vdisk\n52:54:00:00:00:01,pc01,win11\n"
                + "52:54:00:00:00:02,pc02\n");
        Cli.Result result = run("device", "add", "--csv", csv.toString());
        assertThat(result.exitCode()).isEqualTo(ExitStatus.FAILED);
        assertThat(result.err()).isEqualTo(lines("diskfarm: " + csv + ":3: expected 3 fields (mac,name,vdisk), "
                + "found 2"));
        Path noName = Files.writeString(dir.resolve("no-name.csv"), "# devices\nmac,vdisk\n52:54:00:00:00:01,w\n");
        assertThat(run("device", "add", "--csv", noName.toString()).err())
                .startsWith("diskfarm: " + noName + ":2: the header has no column 'name'");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void csvAndMacNameExcludeEachOther() throws IOException {
        Path csv = Files.writeString(dir.resolve("room.csv"), "mac,name\n52:54:00:00:00:01,pc01\n");
        assertThat(run("device", "add", "52:54:00:00:00:09", "pc09", "--csv", csv.toString()).exitCode())
                .isEqualTo(ExitStatus.USAGE);
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void setPatchesOnlyWhatIsGivenAndNullClears() {
        api.on("PATCH", "/api/v1/devices/52:54:00:00:00:01", 200, PC01);
        Cli.Result result = ok("device", "set", "52:54:00:00:00:01", "--name", "pc01", "--no-vdisk",
                "--collection", "room12", "--json");
        assertThat(api.only().method()).isEqualTo("PATCH");
        assertThat(JSON.readTree(api.only().body())).isEqualTo(JSON.readTree(
                "{\"name\":\"pc01\",\"vdisk\":null,\"collection\":\"room12\"}"));
        assertThat(JSON.readTree(result.out())).isEqualTo(JSON.readTree(PC01));
    }

    @Test
    void setNoCollectionSendsNull() {
        api.on("PATCH", "/api/v1/devices/52:54:00:00:00:01", 200, PC01);
        ok("device", "set", "52:54:00:00:00:01", "--no-collection", "--description", "spare");
        assertThat(JSON.readTree(api.only().body())).isEqualTo(JSON.readTree(
                "{\"description\":\"spare\",\"collection\":null}"));
    }

    @Test
    void removeDeletes() {
        api.on("DELETE", "/api/v1/devices/52:54:00:00:00:01", 204, "");
        assertThat(ok("device", "remove", "52:54:00:00:00:01").out())
                .isEqualTo(lines("removed device 52:54:00:00:00:01"));
        assertThat(api.only().method()).isEqualTo("DELETE");
    }

    @Test
    void bootPostsTheBootEventAndSaysWhatHappened() {
        api.on("POST", "/api/v1/devices/52:54:00:00:00:01/boot", 200,
                "{\"mac\":\"52:54:00:00:00:01\",\"name\":\"pc01\",\"bootState\":\"booting\",\"writeCacheDropped\":true}");
        assertThat(ok("device", "boot", "52:54:00:00:00:01").out()).isEqualTo(lines(
                "device pc01 (52:54:00:00:00:01): boot event recorded; its write cache was dropped"));
        assertThat(api.only().method()).isEqualTo("POST");
        assertThat(api.only().body()).isEmpty();
        assertThat(api.only().authorization()).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void bootOfAnUnknownDeviceIsNotFound() {
        api.on("POST", "/api/v1/devices/52:54:00:00:00:09/boot",
                FakeApi.problem(404, "Not Found", "no device with MAC address 52:54:00:00:00:09"));
        Cli.Result result = run("device", "boot", "52:54:00:00:00:09");
        assertThat(result.exitCode()).isEqualTo(ExitStatus.NOT_FOUND);
        assertThat(result.err()).isEqualTo(lines("diskfarm: no device with MAC address 52:54:00:00:00:09"));
    }

    @Test
    void jsonOfAnEmptyListIsAnEmptyArray() {
        api.on("GET", "/api/v1/devices", 200, "[]");
        JsonNode printed = JSON.readTree(ok("device", "list", "--json").out());
        assertThat(printed.isArray()).isTrue();
        assertThat(printed).isEmpty();
    }
}
