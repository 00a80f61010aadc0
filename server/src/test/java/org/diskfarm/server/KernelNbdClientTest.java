package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.server.ServerFixture.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Linux kernel's NBD client ({@code nbd-client} and /dev/nbdN) reads a vDisk. It needs the kernel's nbd module,
 * which containers and some kernels lack: then the test is skipped and says why.
 */
class KernelNbdClientTest {

    @Test
    void theKernelClientReadsAVDisk() {
        Path device = Path.of("/dev/nbd0");
        Assumptions.assumeTrue(Files.exists(device), "no /dev/nbd0: the kernel nbd module is not loaded on this "
                + "machine (kernel " + System.getProperty("os.version") + ", no /lib/modules to load it from)");
        Assumptions.assumeTrue(ClientProcess.find("nbd-client") != null, "nbd-client is not installed");
        try (ServerFixture farm = new ServerFixture()) {
            Path vhd = farm.vdisk("gold", VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD), 9);
            farm.start();
            Path expected = farm.data.resolve("expected.raw");
            run("qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd.toString(), expected.toString());
            run("nbd-client", "127.0.0.1", Integer.toString(farm.server.nbdPort()), device.toString(), "-N", "gold");
            try {
                Path copy = farm.data.resolve("copy.raw");
                run("dd", "if=" + device, "of=" + copy, "bs=1M", "iflag=direct", "status=none");
                assertThat(TestFiles.sha256(copy)).isEqualTo(TestFiles.sha256(expected));
            } finally {
                run("nbd-client", "-d", device.toString());
            }
        }
    }
}
