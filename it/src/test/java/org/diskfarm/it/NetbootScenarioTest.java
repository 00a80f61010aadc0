package org.diskfarm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.diskfarm.testkit.TestFiles;
import org.diskfarm.testkit.net.Capture;
import org.diskfarm.testkit.net.LabHost;
import org.diskfarm.testkit.net.LabProcess;
import org.diskfarm.testkit.net.LabVm;
import org.diskfarm.testkit.net.NetLab;
import org.diskfarm.testkit.vm.BootDiskImage;
import org.diskfarm.testkit.vm.NbdDiskCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Diskless machines boot from the farm through the whole PXE chain, inside network namespaces made by the test: a
 * plain DHCP server that knows nothing of PXE (dnsmasq, addresses only), diskfarm's proxy DHCP, TFTP and HTTP, and
 * QEMU virtual machines with Debian's iPXE ROMs (plain TCG). The vDisk is a small Linux disk built from Debian
 * packages ({@link BootDiskImage}); its init prints a marker on the serial console.
 */
class NetbootScenarioTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration BOOT = Duration.ofMinutes(4);
    private static final String MAC = "52:54:00:6e:00:01";

    private final Path root = TestFiles.tempDir("netboot");
    private NetLab lab;

    @BeforeEach
    void lab() {
        NetLab.unavailable().ifPresent(reason -> Assumptions.abort("no network namespaces for VMs here: " + reason));
        lab = NetLab.create();
        lab.startDnsmasqDhcp();
    }

    @AfterEach
    void close() {
        if (lab != null) {
            lab.close();
        }
        TestFiles.deleteTree(root);
    }

    @Test
    void aVmBootsItsVDiskThroughProxyDhcpTftpHttpAndIscsi() throws Exception {
        BootDiskImage.BootDisk disk = BootDiskImage.build(Path.of("target/vm-cache").toAbsolutePath());
        LabHost host = lab.addFarmHost(0);
        Path data = LabFarm.dataFolder(root, "srv1", disk.image(), List.of(MAC));
        LabProcess server = LabFarm.serve(host, data, "srv1", "--tftp", "--proxy-dhcp");

        LabVm vm = lab.startVm(LabVm.spec().withMac(MAC));
        vm.waitFor(disk.marker(), BOOT);

        // The chain, as the wire and the farm saw it: a proxy offer from the farm, iPXE over TFTP, the script over
        // HTTP, the disk over iSCSI.
        Capture wire = vm.capture();
        assertThat(wire.dhcp()).as(wire.describeDhcp()).anyMatch(d -> d.source().equals(host.address())
                && "undionly.kpxe".equals(d.bootFile()));
        assertThat(wire.dhcp()).anyMatch(d -> d.source().equals(host.address()) && d.bootFile() != null
                && d.bootFile().equals("http://" + host.address() + ":8080/boot/" + MAC + ".ipxe"));
        assertThat(wire.tftpReads()).anyMatch(r -> r.file().endsWith("undionly.kpxe")
                && r.server().equals(host.address()));
        assertThat(server.logText()).contains("boot: device vm1 (" + MAC + ") boots vDisk boot through "
                + host.address() + ":3260");
        JsonNode device = JSON.readTree(LabFarm.get(host, "/api/v1/devices/" + MAC));
        assertThat(device.path("servedBy").asString()).isEqualTo("srv1");
        assertThat(device.path("bootState").asString()).isIn("booting", "up");
        System.out.println("netboot: PXE chain to the marker in " + vm.elapsed().toMillis() + " ms");
    }

    @Test
    void aBootCompletesThroughTheSecondServerWhenTheFirstIsKilledWhileTheKernelLoads() throws Exception {
        BootDiskImage.BootDisk disk = BootDiskImage.build(Path.of("target/vm-cache").toAbsolutePath());
        LabHost first = lab.addFarmHost(0);
        LabHost second = lab.addFarmHost(1);
        String db = "jdbc:sqlite:" + root.resolve("farm.db");
        Path data1 = LabFarm.dataFolder(root, "srv1", disk.image(), List.of(MAC));
        Path data2 = root.resolve("srv2");
        Files.createDirectories(data2.resolve("store"));
        Files.copy(data1.resolve("store/boot.vhd"), data2.resolve("store/boot.vhd"));
        Files.copy(data1.resolve("store/boot.pvp"), data2.resolve("store/boot.pvp"));
        LabProcess server1 = LabFarm.serve(first, data1, "srv1", "--tftp", "--proxy-dhcp", "--db", db, "--lease",
                "2s", "--scan-interval", "1s");
        LabProcess server2 = LabFarm.serve(second, data2, "srv2", "--db", db, "--lease", "2s", "--scan-interval",
                "1s");
        // Both copies are hashed alike before the VM starts: the device's script names both servers.
        String paths = "";
        for (int i = 0; i < 1200 && !paths.contains(second.address()); i++) {
            Thread.sleep(100);
            JsonNode copies = JSON.readTree(LabFarm.get(first, "/api/v1/vdisks/boot")).path("copies");
            paths = copies.size() == 2 && copies.get(0).path("contentHash").isString()
                    && copies.get(0).path("contentHash").equals(copies.get(1).path("contentHash"))
                    ? second.address() : "";
        }
        assertThat(paths).as("both copies hashed alike").isEqualTo(second.address());

        LabVm vm = lab.startVm(LabVm.spec().withMac(MAC));
        // iPXE prints this once it has the disk and starts reading it (syslinux, then the 8 MB kernel).
        vm.waitFor("Booting from SAN device", BOOT);
        server1.process().destroyForcibly(); // kill -9: no goodbye
        server1.process().waitFor();
        vm.waitFor(disk.marker(), BOOT);

        assertThat(vm.screen()).contains("iscsi:" + first.address() + "::3260", "iscsi:" + second.address()
                + "::3260");
        assertThat(server2.logText()).contains("device vm1 (" + MAC + ")");
        System.out.println("netboot: failover boot to the marker in " + vm.elapsed().toMillis() + " ms");
    }

    @Test
    void fourVmsBootOneStandardVDiskAtOnceAndNoneSeesAnothersWrites() throws Exception {
        LabHost host = lab.addFarmHost(0);
        BootDiskImage.BootDisk disk = BootDiskImage.buildWithNbdCheck(Path.of("target/vm-cache").toAbsolutePath(),
                host.address(), 10809);
        List<String> macs = List.of("52:54:00:6e:01:01", "52:54:00:6e:01:02", "52:54:00:6e:01:03",
                "52:54:00:6e:01:04");
        Path data = LabFarm.dataFolder(root, "srv1", disk.image(), macs);
        byte[] vdiskBefore = Files.readAllBytes(data.resolve("store/boot.vhd"));
        LabFarm.serve(host, data, "srv1", "--tftp", "--proxy-dhcp");

        for (int round = 1; round <= 2; round++) {
            // Four at once: each writes DEVICE <its MAC> to its own disk (over NBD, into its write cache) and reads
            // it back; each first finds zeros there: no other device's write, and (round 2) nothing of its own
            // first boot, since the fetch of its boot script emptied its cache.
            List<LabVm> vms = macs.stream().map(mac -> lab.startVm(LabVm.spec().withMac(mac))).toList();
            for (LabVm vm : vms) {
                vm.waitForAny(List.of(NbdDiskCheck.DONE, NbdDiskCheck.FAILED), BOOT);
                NbdDiskCheck.Report report = NbdDiskCheck.Report.of(vm.console());
                assertThat(vm.console()).as(vm.describe()).contains(disk.marker());
                assertThat(report.failure()).as(vm.describe()).isNull();
                assertThat(report.before()).as("round " + round + ", " + vm.mac()).isEqualTo(NbdDiskCheck.ZEROS);
                assertThat(report.after()).as(vm.mac()).isEqualTo(NbdDiskCheck.record(vm.mac()));
                assertThat(report.done()).isTrue();
                System.out.println("netboot: round " + round + ", " + vm.mac() + " done in "
                        + vm.elapsed().toMillis() + " ms");
            }
            vms.forEach(LabVm::kill);
        }
        assertThat(Files.readAllBytes(data.resolve("store/boot.vhd"))).as("the shared vDisk is never written")
                .isEqualTo(vdiskBefore);
    }
}
