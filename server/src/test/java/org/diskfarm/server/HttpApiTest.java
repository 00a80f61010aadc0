package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The first endpoints of the HTTP API: health, vDisks, devices, the boot event, and their errors. */
class HttpApiTest {
    private ServerFixture farm;

    @BeforeEach
    void start() {
        farm = new ServerFixture();
        farm.vdisk("lab", VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD), 1);
        farm.device(1, "lab");
        farm.start();
    }

    @AfterEach
    void stop() {
        farm.close();
    }

    @Test
    void healthNamesTheServerAndCountsItsConnections() throws Exception {
        HttpResponse<String> health = farm.get("/api/v1/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo(
                "{\"status\":\"up\",\"server\":\"test-server\",\"database\":\"up\",\"nbdConnections\":0,"
                        + "\"iscsiConnections\":0}");
        Process holder = new ProcessBuilder(farm.qemuIoCommand("52:54:00:00:00:01", "sleep 600000"))
                .redirectErrorStream(true).start();
        try {
            String body = "";
            for (int i = 0; i < 600 && !body.contains("\"nbdConnections\":1"); i++) {
                Thread.sleep(100);
                body = farm.get("/api/v1/health").body();
            }
            assertThat(body).contains("\"nbdConnections\":1");
        } finally {
            holder.destroy();
            holder.waitFor();
        }
    }

    @Test
    void vdisksAndDevicesAreListed() {
        assertThat(farm.get("/api/v1/vdisks").body()).contains("\"name\":\"lab\"", "\"mode\":\"standard\"",
                "\"writeCacheType\":\"server-disk\"");
        assertThat(farm.get("/api/v1/devices").body()).contains("\"mac\":\"52:54:00:00:00:01\"", "\"name\":\"pc01\"",
                "\"writeCache\":null");
        farm.qemuIo("52:54:00:00:00:01", "write -P 1 0 8k");
        assertThat(farm.get("/api/v1/devices/52-54-00-00-00-01").body()).contains("\"usedBytes\":8192");
    }

    @Test
    void errorsAreProblemDetails() {
        HttpResponse<String> badMac = farm.post("/api/v1/devices/nonsense/boot");
        assertThat(badMac.statusCode()).isEqualTo(400);
        assertThat(badMac.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(badMac.body()).contains("\"status\":400", "not a MAC address: 'nonsense'");
        HttpResponse<String> unknown = farm.post("/api/v1/devices/52:54:00:00:00:99/boot");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no device with MAC address 52:54:00:00:00:99");
        assertThat(farm.get("/api/v1/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void theCommandLineMarksABootEventThroughTheApi() {
        farm.qemuIo("52:54:00:00:00:01", "write -P 1 0 8k");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err), "device", "boot",
                "52:54:00:00:00:01", "--server", farm.http(""), "--token-file", farm.server.tokenFile().toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("device pc01 (52:54:00:00:00:01): boot event recorded; its write cache "
                + "was dropped");
        farm.qemuIo("52:54:00:00:00:01", "read -P 0 8M 8k");
        int unknown = Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err), "device", "boot",
                "52:54:00:00:00:09", "--server", farm.http(""), "--token-file", farm.server.tokenFile().toString());
        assertThat(unknown).as("not found").isEqualTo(3);
        assertThat(err.toString()).contains("diskfarm: ", "no device with MAC address 52:54:00:00:00:09");
    }

    @Test
    void aBootEventOfADeviceWithoutACacheSaysSo() {
        HttpResponse<String> boot = farm.post("/api/v1/devices/52:54:00:00:00:01/boot");
        assertThat(boot.statusCode()).isEqualTo(200);
        assertThat(boot.body()).contains("\"writeCacheDropped\":false");
    }
}
