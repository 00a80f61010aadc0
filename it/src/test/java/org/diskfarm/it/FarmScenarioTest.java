package org.diskfarm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.diskfarm.block.IoFlags;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.TestFiles;
import org.diskfarm.testkit.TestPostgres;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A farm of three servers on loopback, each with its own data folder and ports, sharing one PostgreSQL database:
 * membership with leases (a server killed with SIGKILL is marked down by the others and comes back up when
 * restarted), one view of the farm through every server, and the NBD exports taking their devices from the farm.
 * Administered through the {@code diskfarm} command line, as an administrator would.
 */
class FarmScenarioTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(2);
    private static final String LEASE = "2s";

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Path root = TestFiles.tempDir("farm-scenario");

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
        TestFiles.deleteTree(root);
    }

    @Test
    void threeServersShareOneFarmAndAKilledOneIsMarkedDownWithinItsLease() throws Exception {
        TestPostgres pg = TestPostgres.create();
        cleanup.add(pg);
        vdisk(root.resolve("srv1/store"), "lab");
        Map<String, ServerProcess> servers = new TreeMap<>();
        for (String name : List.of("srv1", "srv2", "srv3")) {
            servers.put(name, start(name, pg));
        }
        Path token = root.resolve("srv1/api-token");
        assertThat(Files.readString(servers.get("srv1").stdout)).contains("API token for changes (shown once");
        assertThat(Files.readString(servers.get("srv2").stdout)).doesNotContain("API token");

        // Every server sees the three.
        for (ServerProcess server : servers.values()) {
            assertThat(states(server)).containsExactly(Map.entry("srv1", "up"), Map.entry("srv2", "up"),
                    Map.entry("srv3", "up"));
        }
        assertThat(FarmCli.run("server", "list", "--server", servers.get("srv3").http()).ok().out())
                .contains("srv1", "srv2", "srv3", "up");

        // SIGKILL: no goodbye. The others mark it down once its lease runs out.
        servers.get("srv2").kill();
        Instant killed = Instant.now();
        Map<String, String> after = states(servers.get("srv1"));
        for (int i = 0; i < 300 && !after.get("srv2").equals("down"); i++) {
            Thread.sleep(100);
            after = states(servers.get("srv1"));
        }
        assertThat(after).containsEntry("srv2", "down").containsEntry("srv1", "up").containsEntry("srv3", "up");
        JsonNode srv2 = server(servers.get("srv3"), "srv2");
        Instant lastBeat = Instant.parse(srv2.path("lastHeartbeat").asString());
        assertThat(lastBeat).as("its last heartbeat came before the kill").isBefore(killed.plusMillis(1));
        assertThat(srv2.path("leaseSeconds").asDouble()).isEqualTo(2.0);
        System.out.println("farm scenario: srv2 seen down " + Duration.between(killed, Instant.now()).toMillis()
                + " ms after SIGKILL (lease " + LEASE + ")");
        String logs = "";
        for (int i = 0; i < 100 && !logs.contains("server srv2 missed its lease: marked down"); i++) {
            Thread.sleep(100); // readers see it down at once; the next beat of srv1 or srv3 marks it so
            logs = Files.readString(servers.get("srv1").stderr) + Files.readString(servers.get("srv3").stderr);
        }
        assertThat(logs).contains("server srv2 missed its lease: marked down");

        // Restarted, it is up again.
        servers.put("srv2", start("srv2", pg));
        assertThat(states(servers.get("srv1"))).containsEntry("srv2", "up");

        // A device added through one server is visible through the others at once.
        FarmCli.run("device", "add", "52:54:00:aa:00:01", "pc01", "--vdisk", "lab", "--server",
                servers.get("srv2").http(), "--token-file", token.toString()).ok();
        for (ServerProcess server : servers.values()) {
            JsonNode device = JSON.readTree(FarmCli.run("device", "show", "52:54:00:aa:00:01", "--json", "--server",
                    server.http()).ok().out());
            assertThat(device.path("name").asString()).isEqualTo("pc01");
            assertThat(device.path("vdisk").asString()).isEqualTo("lab");
        }

        // The NBD export of the device comes from the farm: srv1 holds lab and serves pc01 at once.
        String info = run("nbdinfo", servers.get("srv1").uri("52:54:00:aa:00:01"));
        assertThat(info).contains("export-size: " + Vhd.info(root.resolve("srv1/store/lab.vhd")).virtualSize(),
                "device pc01 (52:54:00:aa:00:01): vDisk lab (standard");
        run("qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 64k", "-c", "read -P 0x5a 0 64k",
                servers.get("srv1").uri("52:54:00:aa:00:01"));
        JsonNode served = JSON.readTree(FarmCli.run("device", "show", "52:54:00:aa:00:01", "--json", "--server",
                servers.get("srv3").http()).ok().out());
        for (int i = 0; i < 100 && !served.path("servedBy").asString("").equals("srv1"); i++) {
            Thread.sleep(100);
            served = JSON.readTree(FarmCli.run("device", "show", "52:54:00:aa:00:01", "--json", "--server",
                    servers.get("srv3").http()).ok().out());
        }
        assertThat(served.path("servedBy").asString()).isEqualTo("srv1");
        // The vDisk's copy on srv1 is known to every server.
        JsonNode lab = JSON.readTree(FarmCli.run("vdisk", "show", "lab", "--json", "--server",
                servers.get("srv2").http()).ok().out());
        assertThat(lab.path("copies").get(0).path("server").asString()).isEqualTo("srv1");
    }

    private ServerProcess start(String name, TestPostgres pg) throws Exception {
        ServerProcess server = ServerProcess.start(root.resolve(name), "--name", name, "--db", pg.url(),
                "--db-user", TestPostgres.USER, "--lease", LEASE, "--scan-interval", "1s");
        cleanup.add(server);
        return server;
    }

    /** Server name to state, as {@code diskfarm server list --json} through {@code via} says. */
    static Map<String, String> states(ServerProcess via) {
        JsonNode list = JSON.readTree(FarmCli.run("server", "list", "--json", "--server", via.http()).ok().out());
        Map<String, String> states = new TreeMap<>();
        for (JsonNode server : list) {
            states.put(server.path("name").asString(), server.path("state").asString());
        }
        return states;
    }

    private static JsonNode server(ServerProcess via, String name) {
        return JSON.readTree(FarmCli.run("server", "show", name, "--json", "--server", via.http()).ok().out());
    }

    /** A Standard-mode vDisk of 16 MiB with a little data. */
    static void vdisk(Path store, String name) throws Exception {
        Files.createDirectories(store);
        try (VhdDevice disk = Vhd.create(store.resolve(name + ".vhd"), VhdSpec.dynamic(16L << 20))) {
            disk.write(0, ByteBuffer.wrap("diskfarm scenario".getBytes()), IoFlags.NONE);
            disk.flush();
        }
        VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD).write(store.resolve(name + ".pvp"));
    }

    static String run(String... command) {
        ClientProcess.Result result = ClientProcess.run(List.of(command), CLIENT_TIMEOUT);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result.stdout();
    }
}
