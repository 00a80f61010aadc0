package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code diskfarm} farm commands against a real server: a classroom from a CSV file, assignment through a
 * collection, tables and JSON, and bad input, each with its exit status and one line, changing nothing.
 */
class FarmCliTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private ServerFixture farm;
    private String token;

    @BeforeEach
    void start() {
        farm = new ServerFixture();
        farm.vdisk("lab", VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD), 1);
        farm.vdisk("gold", VDiskProperties.DEFAULTS, 2);
        farm.start();
        token = farm.server.tokenFile().toString();
    }

    @AfterEach
    void stop() {
        farm.close();
    }

    @Test
    void aClassroomComesFromACsvFileAndGetsItsVDiskThroughItsCollection() throws Exception {
        cli("collection", "add", "room1", "--description", "first floor").ok();
        Path csv = farm.data.resolve("room1.csv");
        Files.writeString(csv, "mac,name,collection\n# the front row\n52:54:00:00:20:01,r1-pc01,room1\n"
                + "52:54:00:00:20:02,r1-pc02,room1\n52:54:00:00:20:03,r1-pc03,room1\n");
        cli("device", "add", "--csv", csv.toString()).ok();
        assertThat(cli("collection", "assign", "room1", "--vdisk", "lab").ok().out).contains("3");
        String table = cli("device", "list", "--collection", "room1").ok().out;
        assertThat(table.lines().findFirst().orElseThrow()).contains("MAC", "NAME", "VDISK");
        assertThat(table).contains("r1-pc01", "r1-pc03", "lab");
        JsonNode json = JSON.readTree(cli("device", "list", "--json").ok().out);
        assertThat(json.isArray()).isTrue();
        assertThat(json.get(1).path("mac").asString()).isEqualTo("52:54:00:00:20:02");
        assertThat(json.get(1).path("vdisk").asString()).isEqualTo("lab");
        cli("vdisk", "set", "gold", "--description", "golden image").ok();
        assertThat(JSON.readTree(cli("vdisk", "show", "gold", "--json").ok().out).path("description").asString())
                .isEqualTo("golden image");
        assertThat(cli("audit").ok().out).contains("vdisk.set", "device.add", "collection.add");
        assertThat(JSON.readTree(cli("farm", "status", "--json").ok().out).path("devices").asInt()).isEqualTo(3);
        // The devices stream at once: the export is there.
        assertThat(ServerFixture.run("nbdinfo", "--list", "nbd://127.0.0.1:" + farm.server.nbdPort()))
                .contains("52:54:00:00:20:02");
    }

    @Test
    void badInputGetsItsExitStatusAndChangesNothing() throws Exception {
        cli("device", "add", "52:54:00:00:00:01", "pc01", "--vdisk", "lab").ok();
        String before = cli("audit", "--json").ok().out;
        expect(1, "not a MAC address: 'zz:54:00:00:00:02'", "device", "add", "zz:54:00:00:00:02", "pc02");
        expect(4, "MAC address 52:54:00:00:00:01 is device pc01 already", "device", "add", "52:54:00:00:00:01",
                "pc09");
        expect(3, "no vDisk named win11 in the farm", "device", "add", "52:54:00:00:00:03", "pc03", "--vdisk",
                "win11");
        expect(4, "vDisk lab is assigned to 1 device(s)", "vdisk", "remove", "lab");
        expect(1, "store path /nonexistent is not a folder on server test-server", "store", "add", "extra",
                "/nonexistent");
        Path wrong = farm.data.resolve("wrong-token");
        Files.writeString(wrong, "df_not_the_token\n");
        CliResult refused = FarmCliTest.run("device", "remove", "52:54:00:00:00:01", "--server", farm.http(""),
                "--token-file", wrong.toString());
        assertThat(refused.code).as(refused.err).isEqualTo(5);
        assertThat(refused.err).contains("the API token is not valid for this farm");
        CliResult unreachable = FarmCliTest.run("server", "list", "--server", "http://127.0.0.1:1");
        assertThat(unreachable.code).isEqualTo(6);
        assertThat(cli("audit", "--json").ok().out).as("nothing changed").isEqualTo(before);
    }

    private void expect(int code, String message, String... args) {
        CliResult result = cli(args);
        assertThat(result.code).as(result.err + result.out).isEqualTo(code);
        assertThat(result.err).contains(message);
        assertThat(result.err.strip().lines().count()).isEqualTo(1);
    }

    private CliResult cli(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 4);
        all[args.length] = "--server";
        all[args.length + 1] = farm.http("");
        all[args.length + 2] = "--token-file";
        all[args.length + 3] = token;
        return run(all);
    }

    record CliResult(int code, String out, String err) {
        CliResult ok() {
            assertThat(code).as(err + out).isZero();
            return this;
        }
    }

    static CliResult run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliResult(code, out.toString(), err.toString());
    }
}
