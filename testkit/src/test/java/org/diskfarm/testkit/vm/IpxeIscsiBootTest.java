package org.diskfarm.testkit.vm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proves the VM fixture against a real iSCSI target, tgt's tgtd: a QEMU PC network-boots iPXE, which sanboots the
 * boot disk from tgtd on 127.0.0.1, and the Linux on it prints its marker. Later tests point {@link IpxeVm} at
 * diskfarm's own target the same way. A boot takes about 14 s under TCG, a refused CHAP login about 9 s; the test
 * prints the times it measured (target/surefire-reports/...IpxeIscsiBootTest-output.txt).
 */
class IpxeIscsiBootTest {
    private static final String TARGET = "iqn.2026-11.org.diskfarm.test:bootdisk";
    private static final String INITIATOR = "iqn.2026-11.org.diskfarm.test:vm";

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        for (var needs : java.util.List.of(VmTools.BOOT_DISK, VmTools.VM, VmTools.TGT)) {
            VmTools.ensure(needs).ifPresent(missing -> assumeTrue(false, missing));
        }
    }

    @Test
    void bootsLinuxFromTgtOverIscsi() throws IOException {
        BootDiskImage.BootDisk disk = BootDiskImage.build(VmCache.dir());
        Path image = Files.copy(disk.image(), dir.resolve("disk.img"));

        try (TgtTarget tgt = TgtTarget.start(dir, image, TARGET)) {
            BootResult result = IpxeVm.in(dir).boot(tgt.bootTarget().withInitiatorIqn(INITIATOR), disk.marker());

            System.out.println("boot over iSCSI from tgtd: " + result.outcome() + " in " + result.elapsed().toMillis()
                    + " ms");
            result.assertBooted();
            assertThat(result.httpRequests()).contains("GET /boot.ipxe 200");
            assertThat(tgt.logText()).contains(INITIATOR);
        }
    }

    @Test
    void bootsWithChap() throws IOException {
        BootDiskImage.BootDisk disk = BootDiskImage.build(VmCache.dir());
        Path image = Files.copy(disk.image(), dir.resolve("disk.img"));

        try (TgtTarget tgt = TgtTarget.start(dir, image, TARGET, "diskfarm", "chapsecret1234")) {
            BootResult result = IpxeVm.in(dir).boot(tgt.bootTarget().withChap("diskfarm", "chapsecret1234"),
                    disk.marker());

            System.out.println("boot over iSCSI with CHAP: " + result.outcome() + " in "
                    + result.elapsed().toMillis() + " ms");
            result.assertBooted();
        }
    }

    @Test
    void wrongChapSecretEndsInSanbootFailureNotATimeout() throws IOException {
        BootDiskImage.BootDisk disk = BootDiskImage.build(VmCache.dir());
        Path image = Files.copy(disk.image(), dir.resolve("disk.img"));

        try (TgtTarget tgt = TgtTarget.start(dir, image, TARGET, "diskfarm", "chapsecret1234")) {
            BootResult result = IpxeVm.in(dir).boot(tgt.bootTarget().withChap("diskfarm", "wrongsecret123"),
                    disk.marker());

            System.out.println("boot with a wrong CHAP secret: " + result.outcome() + " in "
                    + result.elapsed().toMillis() + " ms");
            assertThat(result.outcome()).as(result.describe()).isEqualTo(BootResult.Outcome.SANBOOT_FAILED);
        }
    }
}
