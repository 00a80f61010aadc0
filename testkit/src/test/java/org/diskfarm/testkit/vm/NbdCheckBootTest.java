package org.diskfarm.testkit.vm;

import org.diskfarm.testkit.net.LabHost;
import org.diskfarm.testkit.net.LabProcess;
import org.diskfarm.testkit.net.NetLab;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Boots the NBD-check disk ({@link BootDiskImage#buildWithNbdCheck}) in a {@link NetLab} and proves its /init against
 * an NBD server we did not write: {@code qemu-storage-daemon} on a farm host exports one copy of the image per
 * device, named by the device's MAC, as diskfarm exports a device's disk. The VMs boot the image straight from an IDE
 * disk ({@code -boot c}, {@code snapshot=on}: the boot disk itself stays untouched), not over iSCSI: what is proven
 * here is the Linux side, DHCP from the lab's dnsmasq, the modules, nbd-client and the write.
 *
 * <p>Two VMs at once, one with an e1000 NIC and one with virtio-net: each prints BEFORE {@code (zeros)} and AFTER
 * {@code DEVICE <its MAC>}, powers off, and its export holds its record at the offset and is otherwise the image
 * byte for byte. Then the e1000 VM boots again and finds its record (BEFORE {@code DEVICE <MAC>}): the BEFORE line
 * shows what a device's disk held, which is what a farm's "the write cache starts empty after a reboot" rests on.
 * Boot times go to standard output.
 */
class NbdCheckBootTest {
    private static final Duration BOOT = Duration.ofSeconds(150);
    private static final int PORT = 10809;

    @BeforeAll
    static void tools() {
        NetLab.unavailable().ifPresent(reason -> assumeTrue(false, reason));
        VmTools.ensure(VmTools.NBD_CHECK).ifPresent(missing -> assumeTrue(false, missing));
        VmTools.ensure(List.of(VmTools.Need.command("qemu-system-x86", "qemu-storage-daemon")))
                .ifPresent(missing -> assumeTrue(false, missing));
    }

    @Test
    void eachVmWritesItsOwnRecordToItsOwnExportAndFindsItAfterARebootOfItsOwn() throws IOException {
        try (NetLab lab = NetLab.create()) {
            lab.startDnsmasqDhcp();
            LabHost farm = lab.addFarmHost(0);
            BootDiskImage.BootDisk disk = BootDiskImage.buildWithNbdCheck(VmCache.dir(), farm.address(), PORT);
            String[] nics = {"e1000", "virtio-net-pci"};
            List<String> macs = new ArrayList<>();
            List<Path> exports = new ArrayList<>();
            List<String> server = new ArrayList<>(List.of(Commands.require("qemu-storage-daemon", "qemu-system-x86"),
                    "--nbd-server", "addr.type=inet,addr.host=" + farm.address() + ",addr.port=" + PORT));
            for (int k = 0; k < nics.length; k++) {
                String mac = String.format("52:54:00:77:%02x:%02x", lab.subnetNumber(), 0xa0 + k);
                Path export = lab.workDir().resolve("export-" + k + ".img");
                Files.copy(disk.image(), export);
                macs.add(mac);
                exports.add(export);
                server.addAll(List.of("--blockdev", "driver=file,node-name=disk" + k + ",filename=" + export,
                        "--export", "type=nbd,id=export" + k + ",node-name=disk" + k + ",name=" + mac
                                + ",writable=on"));
            }
            LabProcess nbd = farm.start(server, lab.workDir().resolve("qemu-storage-daemon.log"));
            waitForListener(farm, nbd);

            List<DiskVm> vms = new ArrayList<>();
            for (int k = 0; k < nics.length; k++) {
                vms.add(DiskVm.start(lab, "d" + k, nics[k], macs.get(k), disk.image()));
            }
            for (int k = 0; k < nics.length; k++) {
                NbdDiskCheck.Report report = vms.get(k).waitForEnd(BOOT);
                System.out.println("NBD check, " + nics[k] + ": " + report + " after "
                        + vms.get(k).doneAfter.toMillis() + " ms");
                String console = vms.get(k).console();
                assertThat(console).as(vms.get(k).describe()).contains(disk.marker());
                assertThat(report.failure()).as(vms.get(k).describe()).isNull();
                assertThat(report.before()).as(vms.get(k).describe()).isEqualTo(NbdDiskCheck.ZEROS);
                assertThat(report.after()).as(vms.get(k).describe()).isEqualTo(NbdDiskCheck.record(macs.get(k)));
                assertThat(report.done()).isTrue();
                assertThat(report.net()).startsWith(macs.get(k) + " 10.77." + lab.subnetNumber() + ".");
                assertThat(vms.get(k).qemu.waitForExit(Duration.ofSeconds(20))).as("poweroff -f ends QEMU")
                        .isZero();
            }

            DiskVm again = DiskVm.start(lab, "d" + nics.length, nics[0], macs.get(0), disk.image());
            String stranger = String.format("52:54:00:77:%02x:%02x", lab.subnetNumber(), 0xaf);
            DiskVm unknown = DiskVm.start(lab, "d" + (nics.length + 1), nics[0], stranger, disk.image());
            NbdDiskCheck.Report second = again.waitForEnd(BOOT);
            System.out.println("NBD check, second boot, " + nics[0] + ": " + second + " after "
                    + again.doneAfter.toMillis() + " ms");
            assertThat(second.before()).as(again.describe()).isEqualTo(NbdDiskCheck.record(macs.get(0)));
            assertThat(second.after()).as(again.describe()).isEqualTo(NbdDiskCheck.record(macs.get(0)));
            assertThat(second.done()).as(again.describe()).isTrue();
            NbdDiskCheck.Report refused = unknown.waitForEnd(BOOT);
            System.out.println("NBD check, a MAC the server does not export: " + refused + " after "
                    + unknown.doneAfter.toMillis() + " ms");
            assertThat(refused.failure()).as(unknown.describe()).isEqualTo("nbd-client connect");
            assertThat(refused.before()).isNull();
            assertThat(unknown.qemu.waitForExit(Duration.ofSeconds(20))).as("poweroff -f after a failure").isZero();

            nbd.close();
            byte[] image = Files.readAllBytes(disk.image());
            for (int k = 0; k < nics.length; k++) {
                byte[] exported = Files.readAllBytes(exports.get(k));
                byte[] sector = Arrays.copyOfRange(exported, (int) NbdDiskCheck.DEFAULT_OFFSET,
                        (int) NbdDiskCheck.DEFAULT_OFFSET + 512);
                byte[] expected = Arrays.copyOf(NbdDiskCheck.record(macs.get(k)).getBytes(StandardCharsets.US_ASCII),
                        512);
                assertThat(sector).as("export " + k + " at the offset").isEqualTo(expected);
                Arrays.fill(exported, (int) NbdDiskCheck.DEFAULT_OFFSET, (int) NbdDiskCheck.DEFAULT_OFFSET + 512,
                        (byte) 0);
                assertThat(Arrays.mismatch(exported, image)).as("export " + k + " elsewhere equals the image")
                        .isEqualTo(-1);
            }
        }
    }

    /** Waits (bounded) until the server listens on its port in the farm host's namespace. */
    private static void waitForListener(LabHost farm, LabProcess server) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (farm.run("ss", "-Hltn", "sport = :" + PORT).isBlank()) {
            if (!server.isAlive() || System.nanoTime() - deadline >= 0) {
                throw new AssertionError("qemu-storage-daemon does not listen on " + farm.address() + ":" + PORT
                        + "; it printed: " + server.logText());
            }
            sleep(Duration.ofMillis(100));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A QEMU PC on the lab's bridge that boots from a disk: as NetLab's VMs (TCG, -nographic, -no-reboot, a tap on
     * br0, the NIC's MAC set) but with {@code -boot c} and the image as an IDE disk with {@code snapshot=on}. Its tap
     * is {@code tapNAME}, apart from the lab's own {@code tapK}. The lab stops it at close.
     */
    private static final class DiskVm {
        final String name;
        final LabProcess qemu;
        final Path consoleLog;
        final long started = System.nanoTime();
        Duration doneAfter = Duration.ZERO;

        private DiskVm(String name, LabProcess qemu, Path consoleLog) {
            this.name = name;
            this.qemu = qemu;
            this.consoleLog = consoleLog;
        }

        static DiskVm start(NetLab lab, String name, String nic, String mac, Path image) {
            String tap = "tap" + name;
            lab.run("ip", "tuntap", "add", "dev", tap, "mode", "tap");
            lab.run("ip", "link", "set", tap, "master", NetLab.BRIDGE);
            lab.run("ip", "link", "set", tap, "up");
            Path console = lab.workDir().resolve(name + ".console");
            List<String> command = List.of(Commands.require("qemu-system-x86_64", "qemu-system-x86"),
                    "-name", name, "-nographic", "-vga", "none", "-parallel", "none", "-machine", "pc",
                    "-accel", "tcg", "-m", "256", "-smp", "1", "-no-reboot", "-boot", "c",
                    "-drive", "file=" + image + ",format=raw,if=ide,snapshot=on",
                    "-serial", "file:" + console, "-monitor", "none",
                    "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
                    "-device", nic + ",netdev=n0,mac=" + mac);
            return new DiskVm(name, lab.start(command, lab.workDir().resolve(name + ".qemu.log")), console);
        }

        String console() {
            try {
                return Files.exists(consoleLog)
                        ? new String(Files.readAllBytes(consoleLog), StandardCharsets.ISO_8859_1) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Polls the console until the check ended (DONE or FAILED), QEMU ended, or {@code timeout} passed. */
        NbdDiskCheck.Report waitForEnd(Duration timeout) {
            long deadline = started + timeout.toNanos();
            while (true) {
                boolean exited = !qemu.isAlive();
                NbdDiskCheck.Report report = NbdDiskCheck.Report.of(console());
                if (report.ended() || exited || System.nanoTime() - deadline >= 0) {
                    doneAfter = Duration.ofNanos(System.nanoTime() - started);
                    return report;
                }
                sleep(Duration.ofMillis(200));
            }
        }

        String describe() {
            String console = console();
            return "VM " + name + " (" + String.join(" ", qemu.command()) + ", "
                    + (qemu.isAlive() ? "running" : "ended") + "), QEMU printed: " + qemu.logText().strip()
                    + "\nconsole, last 6000 characters:\n"
                    + (console.length() <= 6000 ? console : console.substring(console.length() - 6000));
        }
    }
}
