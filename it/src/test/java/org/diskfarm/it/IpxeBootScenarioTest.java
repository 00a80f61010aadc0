package org.diskfarm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diskfarm.block.DeviceCopy;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.store.WriteCacheType;
import org.diskfarm.testkit.TestFiles;
import org.diskfarm.testkit.vm.BootDiskImage;
import org.diskfarm.testkit.vm.BootResult;
import org.diskfarm.testkit.vm.IpxeVm;
import org.diskfarm.testkit.vm.IscsiBoot;
import org.diskfarm.testkit.vm.VmTools;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A diskless machine boots from diskfarm (DOMAIN.md: the boot of a target device): QEMU (plain TCG) with Debian's
 * iPXE ROM gets an iPXE script over HTTP that does {@code sanboot iscsi:...} to the device's target on
 * {@code diskfarm serve}; the disk is a small Linux image (syslinux, a Debian kernel, a busybox initramfs) built by the
 * test from Debian packages and imported as a Standard-mode vDisk; its /init prints a marker on the serial console.
 * The test passes when the marker appears. A boot takes about 15 s.
 */
class IpxeBootScenarioTest {
    private static final String INITIATOR = "iqn.2026-11.org.diskfarm.test:pc07";

    private Path data;

    @BeforeAll
    static void tools() {
        for (List<VmTools.Need> needs : List.of(VmTools.BOOT_DISK, VmTools.VM)) {
            VmTools.ensure(needs).ifPresent(missing -> assumeTrue(false, missing));
        }
    }

    @BeforeEach
    void folder() {
        data = TestFiles.tempDir("ipxe-boot");
    }

    @AfterEach
    void clean() {
        TestFiles.deleteTree(data);
    }

    @Test
    void aDeviceBootsLinuxOverIscsiThroughItsWriteCache() throws Exception {
        BootDiskImage.BootDisk disk = BootDiskImage.build(Path.of("target/vm-cache").toAbsolutePath());
        Path store = Files.createDirectories(data.resolve("store"));
        try (RawFileDevice raw = RawFileDevice.open(disk.image(), false);
             VhdDevice vhd = Vhd.create(store.resolve("linux.vhd"), VhdSpec.dynamic(raw.size()))) {
            DeviceCopy.of(raw, vhd).run();
        }
        VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD).withWriteCacheType(WriteCacheType.RAM)
                .withWriteCacheSize(64L << 20).write(store.resolve("linux.pvp"));
        Files.writeString(data.resolve("devices.csv"), "mac,name,vdisk\n52:54:00:00:00:07,pc07,linux\n");

        try (ServerProcess server = ServerProcess.start(data)) {
            IscsiBoot target = IscsiBoot.of(server.iscsiPort, 0, "iqn.2026-11.org.diskfarm:device.525400000007")
                    .withInitiatorIqn(INITIATOR);
            BootResult result = IpxeVm.in(Files.createDirectories(data.resolve("vm"))).boot(target, disk.marker());
            System.out.println("boot over iSCSI from diskfarm: " + result.outcome() + " in "
                    + result.elapsed().toMillis() + " ms");
            result.assertBooted();
            assertThat(server.log()).contains("pc07");
        }
    }
}
