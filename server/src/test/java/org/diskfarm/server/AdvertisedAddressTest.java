package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.Test;

/**
 * A server tells devices the address they must use, never the one it happens to be reached at: boot scripts,
 * SendTargets answers and the farm's record all carry {@code --advertise-address}.
 */
class AdvertisedAddressTest {
    @Test
    void bootScriptsSendTargetsAndTheFarmCarryTheAdvertisedAddress() {
        // 127.0.0.2: an address of this machine, so that nothing leaves it even if a client followed the portal.
        Path data = TestFiles.tempDir("advertise");
        try (ServerFixture farm = new ServerFixture()) {
            farm.vdisk("lab", VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD), 1);
            farm.device(1, "lab");
            farm.server = FarmServer.start(new ServerSettings(farm.data, "test-server", "127.0.0.1", 0, 0, 0)
                    .withBoot(BootSettings.defaults(farm.data).withAdvertiseAddress("127.0.0.2")));
            assertThat(farm.server.address()).isEqualTo("127.0.0.2");
            assertThat(farm.get("/boot/52:54:00:00:00:01.ipxe").body()).contains(
                    "sanboot iscsi:127.0.0.2::" + farm.server.iscsiPort() + ":0:");
            assertThat(farm.get("/boot.ipxe").body()).contains("chain http://127.0.0.2:" + farm.server.httpPort());
            assertThat(farm.get("/api/v1/servers/test-server").body()).contains("\"address\":\"127.0.0.2\"");
            String discovery = ServerFixture.run("iscsi-ls", "iscsi://127.0.0.1:" + farm.server.iscsiPort());
            assertThat(discovery).contains("Portal:127.0.0.2:" + farm.server.iscsiPort())
                    .doesNotContain("Portal:127.0.0.1");
        } finally {
            TestFiles.deleteTree(data);
        }
    }
}
