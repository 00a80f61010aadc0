package org.diskfarm.testkit.vm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The NBD-check kind of boot disk, without a VM: the layout (the partition leaves the last MiB free), the kernel
 * command line, and what the initramfs holds (modules with their dependencies in load order, nbd-client with its
 * libraries, an /init that busybox's shell parses). {@link NbdCheckBootTest} boots it.
 */
class NbdCheckBootDiskTest {
    private static final String SERVER = "10.77.1.10";
    private static final int PORT = 10809;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        VmTools.ensure(VmTools.NBD_CHECK).ifPresent(missing -> assumeTrue(false, missing));
    }

    @Test
    void imageLeavesTheLastMibOutsideThePartitionAndPutsTheServerOnTheKernelCommandLine() throws IOException {
        BootDiskImage.BootDisk disk = BootDiskImage.buildWithNbdCheck(VmCache.dir(), SERVER, PORT);

        assertThat(Files.size(disk.image())).isEqualTo(BootDiskImage.DEFAULT_SIZE);
        assertThat(disk.marker()).matches("DISKFARM-BOOT-OK [0-9a-f]{16}");
        ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        byte[] scratch = new byte[512];
        try (FileChannel channel = FileChannel.open(disk.image())) {
            channel.read(mbr, 0);
            channel.read(ByteBuffer.wrap(scratch), NbdDiskCheck.DEFAULT_OFFSET);
        }
        assertThat(Short.toUnsignedInt(mbr.getShort(510))).isEqualTo(0xaa55);
        assertThat(mbr.get(446) & 0xff).as("partition 1 active").isEqualTo(0x80);
        assertThat(mbr.getInt(446 + 8)).as("partition 1 start").isEqualTo(2048);
        long partitionEnd = (mbr.getInt(446 + 8) + (long) mbr.getInt(446 + 12)) * 512;
        assertThat(partitionEnd).as("partition end").isEqualTo(NbdDiskCheck.DEFAULT_OFFSET)
                .isEqualTo(63L << 20);
        assertThat(scratch).as("the sector the check writes starts zeroed").isEqualTo(new byte[512]);

        String config = Commands.checkIn(dir, Map.of("MTOOLS_SKIP_CHECK", "1"), null,
                List.of(Commands.require("mtype", "mtools"), "-i", disk.image() + "@@1M", "::syslinux.cfg"));
        assertThat(config).contains("APPEND console=ttyS0,115200 panic=1 rdinit=/init diskfarm.nbd=10.77.1.10:10809");
        String listing = Commands.checkIn(dir, Map.of("MTOOLS_SKIP_CHECK", "1"), null,
                List.of(Commands.require("mdir", "mtools"), "-a", "-b", "-i", disk.image() + "@@1M", "::"));
        assertThat(listing.lines().map(line -> line.replace("::/", "").strip().toLowerCase()))
                .contains("vmlinuz", "initrd.gz", "syslinux.cfg", "ldlinux.sys", "ldlinux.c32");
    }

    @Test
    void initramfsHoldsModulesInLoadOrderNbdClientWithItsLibrariesAndAnInitThatParses() throws IOException {
        BootDiskImage.BootDisk disk = BootDiskImage.buildWithNbdCheck(VmCache.dir(), SERVER, PORT);
        Path initrd = dir.resolve("initrd.gz");
        Commands.checkIn(dir, Map.of("MTOOLS_SKIP_CHECK", "1"), null, List.of(Commands.require("mcopy", "mtools"),
                "-i", disk.image() + "@@1M", "::initrd.gz", initrd.toString()));
        Path cpio = dir.resolve("initrd.cpio");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(initrd))) {
            Files.copy(in, cpio);
        }
        String busybox = VmTools.BUSYBOX.toString();

        String listing = Commands.checkIn(dir, Map.of(), cpio, List.of(busybox, "cpio", "-t"));
        assertThat(listing.lines()).contains("init", "bin/busybox", "bin/sh", "dev/console", "etc/udhcpc.script",
                "bin/nbd-client", "lib64/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/libc.so.6",
                "lib/x86_64-linux-gnu/libgnutls.so.30", "lib/x86_64-linux-gnu/libnl-genl-3.so.200",
                "lib/modules/e1000.ko", "lib/modules/virtio_pci.ko", "lib/modules/virtio_net.ko",
                "lib/modules/nbd.ko", "lib/modules/virtio.ko", "lib/modules/virtio_ring.ko",
                "lib/modules/net_failover.ko", "lib/modules/failover.ko");

        Path root = Files.createDirectories(dir.resolve("root"));
        Commands.checkIn(root, Map.of(), cpio, List.of(busybox, "cpio", "-i", "-d"));
        String init = Files.readString(root.resolve("init"));
        assertThat(init).contains(disk.marker(), "nbd-client \"$server\" \"$port\" /dev/nbd0 -N \"$mac\"",
                "sector=" + (63L << 20) / 512, "udhcpc -i eth0", "tr -d '\\000'", "poweroff -f");
        assertThat(init).as("no control characters but newlines").doesNotContainPattern("[\\x00-\\x09\\x0b-\\x1f]");
        List<String> order = init.lines().filter(line -> line.startsWith("for module in ")).findFirst()
                .map(line -> List.of(line.substring("for module in ".length(), line.indexOf(';')).split(" ")))
                .orElseThrow();
        assertThat(order).containsExactlyInAnyOrder("e1000", "virtio", "virtio_ring", "virtio_pci_legacy_dev",
                "virtio_pci_modern_dev", "virtio_pci", "failover", "net_failover", "virtio_net", "nbd");
        for (String module : order) {
            for (String dependency : KernelModules.depends(root.resolve("lib/modules/" + module + ".ko"))) {
                assertThat(order.indexOf(dependency)).as(module + " after " + dependency)
                        .isBetween(0, order.indexOf(module) - 1);
            }
        }
        assertThat(KernelModules.depends(root.resolve("lib/modules/virtio_net.ko")))
                .containsExactlyInAnyOrder("virtio", "virtio_ring", "net_failover");
        for (String script : List.of("init", "etc/udhcpc.script")) {
            Commands.checkIn(root, Map.of(), null, List.of(busybox, "sh", "-n", script));
        }
        assertThat(Files.readAllBytes(root.resolve("bin/nbd-client")))
                .isEqualTo(Files.readAllBytes(Commands.find("nbd-client")));
        assertThat(Arrays.copyOf(Files.readAllBytes(root.resolve("lib/modules/nbd.ko")), 4))
                .as("modules are plain ELF").isEqualTo(new byte[] {0x7f, 'E', 'L', 'F'});
    }

    @Test
    void theServerIsPartOfTheCacheKeyAndTheSameInputsComeFromTheCache() {
        BootDiskImage.BootDisk first = BootDiskImage.buildWithNbdCheck(VmCache.dir(), SERVER, PORT);

        assertThat(BootDiskImage.buildWithNbdCheck(VmCache.dir(), SERVER, PORT)).isEqualTo(first);
        assertThat(BootDiskImage.buildWithNbdCheck(VmCache.dir(), SERVER, PORT + 1).image())
                .isNotEqualTo(first.image());
        assertThat(BootDiskImage.build(VmCache.dir()).image()).isNotEqualTo(first.image());
    }

    @Test
    void theServerMustBeAnIpv4AddressAndThePortATcpPort() {
        assertThatThrownBy(() -> BootDiskImage.buildWithNbdCheck(dir, "farm.example", PORT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4");
        assertThatThrownBy(() -> BootDiskImage.buildWithNbdCheck(dir, "10.77.1.256", PORT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BootDiskImage.buildWithNbdCheck(dir, SERVER, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
    }

    @Test
    void reportReadsTheCheckLinesFromAConsole() {
        String console = """
                DISKFARM-BOOT-OK 0123456789abcdef
                DISKFARM-DISK-NET 52:54:00:77:01:01 10.77.1.100/24
                [    7.1] nbd0: detected capacity change from 0 to 131072
                DISKFARM-DISK-NBD 10.77.1.10:10809 52:54:00:77:01:01
                DISKFARM-DISK-BEFORE (zeros)
                DISKFARM-DISK-AFTER DEVICE 52:54:00:77:01:01
                DISKFARM-DISK-DONE
                """;

        NbdDiskCheck.Report report = NbdDiskCheck.Report.of(console);

        assertThat(report).isEqualTo(new NbdDiskCheck.Report("52:54:00:77:01:01 10.77.1.100/24", NbdDiskCheck.ZEROS,
                NbdDiskCheck.record("52:54:00:77:01:01"), true, null));
        assertThat(report.ended()).isTrue();
        NbdDiskCheck.Report failed = NbdDiskCheck.Report.of("DISKFARM-DISK-FAILED dhcp 52:54:00:77:01:01\n");
        assertThat(failed.failure()).isEqualTo("dhcp 52:54:00:77:01:01");
        assertThat(failed.ended()).isTrue();
        assertThat(NbdDiskCheck.Report.of("DISKFARM-BOOT-OK x\n").ended()).isFalse();
    }
}
