package org.diskfarm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.diskfarm.testkit.TcpProxy;
import org.diskfarm.testkit.TestFiles;
import org.diskfarm.testkit.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The farm database goes away under a running server (its connection to PostgreSQL is cut by a proxy, the way a
 * network partition would): streaming goes on for the connected NBD client, a known device reconnects from the
 * server's last good copy of the farm, changes are refused with a clear error, the outage is logged once, and when
 * the database returns the server catches up (device states written while it was away arrive).
 */
class FarmOutageScenarioTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MAC = "52:54:00:bb:00:01";

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Path root = TestFiles.tempDir("farm-outage");

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
        TestFiles.deleteTree(root);
    }

    @Test
    void streamingGoesOnWhileTheFarmDatabaseIsAwayAndTheServerCatchesUp() throws Exception {
        TestPostgres pg = TestPostgres.create();
        cleanup.add(pg);
        TcpProxy proxy = TcpProxy.start(new InetSocketAddress("127.0.0.1", TestPostgres.port()));
        cleanup.add(proxy);
        Path data = root.resolve("srv1");
        FarmScenarioTest.vdisk(data.resolve("store"), "lab");
        ServerProcess server = ServerProcess.start(data, "--name", "srv1", "--db",
                "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + pg.name(), "--db-user", TestPostgres.USER,
                "--lease", "2s", "--scan-interval", "1s");
        cleanup.add(server);
        String token = data.resolve("api-token").toString();
        FarmCli.run("device", "add", MAC, "pc01", "--vdisk", "lab", "--server", server.http(), "--token-file",
                token).ok();

        // An NBD client that reads, waits while the database goes away, then writes and reads again.
        Process client = new ProcessBuilder("qemu-io", "-f", "raw", "-c", "read -P 0 1M 64k", "-c", "sleep 6000",
                "-c", "write -P 0x33 2M 64k", "-c", "read -P 0x33 2M 64k", server.uri(MAC))
                .redirectErrorStream(true).start();
        cleanup.add(client::destroyForcibly);
        // Cut once the client has opened the device (its state is up), not merely connected: the export is looked up
        // in the farm during the NBD handshake.
        for (int i = 0; i < 600 && !show(server).path("bootState").asString().equals("up"); i++) {
            Thread.sleep(50);
        }
        assertThat(show(server).path("bootState").asString()).isEqualTo("up");
        assertThat(health(server).path("nbdConnections").asInt()).isEqualTo(1);
        proxy.cut();

        assertThat(client.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String output = new String(client.getInputStream().readAllBytes());
        assertThat(client.exitValue()).as(output + Files.readString(server.stderr)).isZero();
        assertThat(output).doesNotContain("failed", "error").contains("wrote 65536/65536", "read 65536/65536");

        // The outage is known; a known device reconnects from the last good copy and finds its writes.
        for (int i = 0; i < 300 && !health(server).path("database").asString().equals("down"); i++) {
            Thread.sleep(100);
        }
        assertThat(health(server).path("database").asString()).isEqualTo("down");
        FarmScenarioTest.run("qemu-io", "-f", "raw", "-c", "read -P 0x33 2M 64k", server.uri(MAC));

        // Changes are refused, clearly, by the API and the command line.
        FarmCli.Result refused = FarmCli.run("device", "add", "52:54:00:bb:00:02", "pc02", "--vdisk", "lab",
                "--server", server.http(), "--token-file", token);
        assertThat(refused.code()).as(refused.err()).isEqualTo(6);
        assertThat(refused.err()).contains("farm database", "unreachable", "nothing was changed");
        assertThat(refused.err().lines().count()).isEqualTo(1);

        proxy.restore();
        for (int i = 0; i < 300 && !health(server).path("database").asString().equals("up"); i++) {
            Thread.sleep(100);
        }
        assertThat(health(server).path("database").asString()).isEqualTo("up");
        FarmCli.run("device", "add", "52:54:00:bb:00:02", "pc02", "--vdisk", "lab", "--server", server.http(),
                "--token-file", token).ok();
        // The device went down (its clients closed) while the database was away: that state arrives now.
        JsonNode device = show(server);
        for (int i = 0; i < 100 && !device.path("bootState").asString().equals("down"); i++) {
            Thread.sleep(100);
            device = show(server);
        }
        assertThat(device.path("bootState").asString()).isEqualTo("down");
        assertThat(device.path("servedBy").asString()).isEqualTo("srv1");

        String log = Files.readString(server.stderr);
        assertThat(log.split("is unreachable \\(", -1).length - 1).as("the outage is logged once").isEqualTo(1);
        assertThat(log).contains("is back after");
        assertThat(server.terminate()).as("SIGTERM, as for any JVM").isEqualTo(143);
        assertThat(Files.readString(server.stderr)).contains("stopped cleanly");
    }

    private static JsonNode health(ServerProcess server) throws Exception {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.http()
                    + "/api/v1/health")).timeout(Duration.ofSeconds(30)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return JSON.readTree(body);
        }
    }

    private static JsonNode show(ServerProcess server) {
        return JSON.readTree(FarmCli.run("device", "show", MAC, "--json", "--server", server.http()).ok().out());
    }
}
