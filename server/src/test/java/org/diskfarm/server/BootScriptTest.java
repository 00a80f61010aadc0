package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diskfarm.farm.FarmDatabase;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.store.WriteCacheType;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The boot scripts devices fetch: a device is sent to every server holding an in-sync copy of its vDisk, the fetch is
 * its boot event on every server of the farm, and unknown, unassigned or malformed requests get a clear answer.
 */
class BootScriptTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PC01 = "52:54:00:00:00:01";

    private ServerFixture farm;
    private FarmServer second;
    private Path secondData;

    @BeforeEach
    void start() {
        farm = new ServerFixture();
        farm.vdisk("lab", VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD)
                .withWriteCacheType(WriteCacheType.RAM).withWriteCacheSize(16L << 20), 1);
        farm.device(1, "lab");
        farm.start();
    }

    @AfterEach
    void stop() {
        if (second != null) {
            second.close();
            TestFiles.deleteTree(secondData);
        }
        farm.close();
    }

    @Test
    void aDeviceIsSentToItsDiskAndItsFetchIsItsBootEvent() throws Exception {
        farm.qemuIo(PC01, "write -P 0x77 8M 64k"); // 8 MiB: a hole of the base
        HttpResponse<String> script = farm.get("/boot/" + PC01 + ".ipxe");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).startsWith("#!ipxe\n").contains(
                "set initiator-iqn iqn.2026-11.org.diskfarm:initiator.525400000001",
                "sanboot iscsi:127.0.0.1::" + farm.server.iscsiPort() + ":0:iqn.2026-11.org.diskfarm:device."
                        + "525400000001 || goto failed");
        assertThat(JSON.readTree(farm.get("/api/v1/devices/" + PC01).body()).path("bootState").asString())
                .isEqualTo("booting");
        farm.qemuIo(PC01, "read -P 0 8M 64k"); // the write cache started empty
        assertThat(farm.get("/boot/52-54-00-00-00-01.ipxe").body()).contains("sanboot");
        assertThat(farm.get("/boot.ipxe").body()).contains("chain http://127.0.0.1:" + farm.server.httpPort()
                + "/boot/${netX/mac}.ipxe");
    }

    @Test
    void unknownUnassignedAndMalformedRequestsGetAClearAnswer() {
        HttpResponse<String> unknown = farm.get("/boot/52:54:00:00:00:99.ipxe");
        assertThat(unknown.statusCode()).isEqualTo(200);
        assertThat(unknown.body()).contains("echo diskfarm: this machine (52:54:00:00:00:99) is not a device of the "
                + "farm.").doesNotContain("sanboot");
        farm.call("POST", "/api/v1/devices", "{\"mac\":\"52:54:00:00:00:02\",\"name\":\"pc02\"}");
        assertThat(farm.get("/boot/52:54:00:00:00:02.ipxe").body()).contains("has no vDisk assigned");
        for (String bad : new String[] {"nonsense.ipxe", "52:54:00:00:00:01.txt", "%2e%2e.ipxe"}) {
            HttpResponse<String> response = farm.get("/boot/" + bad);
            assertThat(response.statusCode()).as(bad).isEqualTo(400);
            assertThat(response.body()).contains("is not a boot script name");
        }
        assertThat(farm.get("/boot/" + PC01 + ".ipxe").statusCode()).as("the service goes on").isEqualTo(200);
    }

    @Test
    void withAutoAddAnUnknownMachineIsAddedToTheChosenCollectionAndBoots() {
        farm.call("POST", "/api/v1/collections", "{\"name\":\"lab-room\"}");
        farm.server.close();
        farm.server = FarmServer.start(new ServerSettings(farm.data, "test-server", "127.0.0.1", 0, 0, 0)
                .withBoot(BootSettings.defaults(farm.data).withAutoAdd("lab-room", "lab")));
        String script = farm.get("/boot/52:54:00:00:00:42.ipxe").body();
        assertThat(script).contains("sanboot iscsi:127.0.0.1::" + farm.server.iscsiPort() + ":0:"
                + "iqn.2026-11.org.diskfarm:device.525400000042");
        var device = JSON.readTree(farm.get("/api/v1/devices/52:54:00:00:00:42").body());
        assertThat(device.path("name").asString()).isEqualTo("auto-525400000042");
        assertThat(device.path("collection").asString()).isEqualTo("lab-room");
        assertThat(device.path("vdisk").asString()).isEqualTo("lab");
        assertThat(farm.get("/api/v1/audit?limit=5").body()).contains("server test-server (auto-add)");
    }

    @Test
    void everyServerWithAnInSyncCopyIsAPathAndDropsCachesFromBeforeTheBoot() throws Exception {
        secondData = TestFiles.tempDir("second");
        Files.createDirectories(secondData.resolve("store"));
        Files.copy(farm.store().resolve("lab.vhd"), secondData.resolve("store/lab.vhd"));
        Files.copy(farm.store().resolve("lab.pvp"), secondData.resolve("store/lab.pvp"));
        second = FarmServer.start(new ServerSettings(secondData, "second", "127.0.0.1", 0, 0, 0)
                .withFarm(FarmSettings.embedded(secondData).withDatabase(FarmDatabase.Location.embedded(farm.data))));
        // Both copies hashed alike: the script names both servers.
        String script = "";
        for (int i = 0; i < 600 && !script.contains(":" + second.iscsiPort() + ":0:"); i++) {
            Thread.sleep(100);
            script = farm.get("/boot/" + PC01 + ".ipxe").body();
        }
        assertThat(script).contains("iscsi:127.0.0.1::" + farm.server.iscsiPort() + ":0:",
                "iscsi:127.0.0.1::" + second.iscsiPort() + ":0:");

        // The device writes through the second server, then boots through the first: its cache on the second
        // server is from before the boot and is dropped at its next connection there.
        String atSecond = "nbd://127.0.0.1:" + second.nbdPort() + "/" + PC01;
        ServerFixture.run("qemu-io", "-f", "raw", "-c", "write -P 0x42 8M 64k", atSecond);
        ServerFixture.run("qemu-io", "-f", "raw", "-c", "read -P 0x42 8M 64k", atSecond);
        assertThat(farm.get("/boot/" + PC01 + ".ipxe").statusCode()).isEqualTo(200);
        ServerFixture.run("qemu-io", "-f", "raw", "-c", "read -P 0 8M 64k", atSecond);

        // The image changes on the first server: the second server's copy is now stale, and no longer a path.
        farm.server.close();
        try (var disk = org.diskfarm.vhd.Vhd.open(farm.store().resolve("lab.vhd"), true)) {
            disk.write(1 << 20, java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), org.diskfarm.block.IoFlags.FUA);
        }
        farm.start();
        script = farm.get("/boot/" + PC01 + ".ipxe").body();
        for (int i = 0; i < 600 && script.contains(":" + second.iscsiPort() + ":0:"); i++) {
            Thread.sleep(100);
            script = farm.get("/boot/" + PC01 + ".ipxe").body();
        }
        assertThat(script).doesNotContain(":" + second.iscsiPort() + ":0:").contains(":" + farm.server.iscsiPort()
                + ":0:");
    }
}
