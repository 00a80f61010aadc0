package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.Test;

/** The TFTP service of a server: the administrator's boot folder first, then Debian's iPXE binaries. */
class BootServicesTest {
    @Test
    void tftpServesTheBootFolderThenDebiansIpxe() throws Exception {
        Path debian = BootSettings.DEBIAN_IPXE.resolve("undionly.kpxe");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(debian), "Debian's ipxe package is not installed");
        try (ServerFixture farm = new ServerFixture()) {
            Files.createDirectories(farm.data.resolve("boot"));
            Files.writeString(farm.data.resolve("boot/hello.txt"), "from the boot folder\n");
            farm.server = FarmServer.start(new ServerSettings(farm.data, "test-server", "127.0.0.1", 0, 0, 0)
                    .withBoot(BootSettings.defaults(farm.data).withTftp(0)));
            int port = farm.server.tftpPort();
            assertThat(port).isPositive();
            Path got = farm.data.resolve("got.kpxe");
            ServerFixture.run("curl", "-sS", "--fail", "--tftp-blksize", "1468", "tftp://127.0.0.1:" + port
                    + "/undionly.kpxe", "-o", got.toString());
            assertThat(Files.mismatch(got, debian)).isEqualTo(-1L);
            assertThat(ServerFixture.run("curl", "-sS", "--fail", "tftp://127.0.0.1:" + port + "/hello.txt"))
                    .isEqualTo("from the boot folder\n");
            assertThat(ServerFixture.tryRun("curl", "-sS", "--fail", "tftp://127.0.0.1:" + port
                    + "/../store/anything").exitCode()).isNotZero();
        }
    }
}
