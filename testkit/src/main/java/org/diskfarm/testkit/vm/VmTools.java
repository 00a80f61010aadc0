package org.diskfarm.testkit.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The Debian packages the VM boot fixtures need, and their installation. {@code ./run-tests} installs only the
 * clients of the older tests, so these fixtures install what they miss themselves, with {@code apt-get install
 * --no-install-recommends} when running as root (as CI does), the way the test command does for qemu-utils.
 *
 * <p>A tool is looked for by a file it installs, not by the package database, so that a tool installed another way
 * counts too. The ROM and the MBR are data files, and busybox must be the static one: {@code busybox} and
 * {@code busybox-static} both install {@code /bin/busybox}, and only the static one runs in an initramfs without a C
 * library.
 *
 * <p>Threads: {@link #ensure} is serialized: two test classes never run apt-get at once.
 */
public final class VmTools {
    /**
     * Debian 12's ipxe-qemu ROM for virtio-net-pci, BIOS and UEFI images in one file: QEMU's default romfile for the
     * device, which QEMU finds itself (see {@link IpxeVm} on why it is not named on the command line).
     */
    public static final Path IPXE_VIRTIO_ROM = Path.of("/usr/lib/ipxe/qemu/efi-virtio.rom");
    /** syslinux's MBR boot code: 440 bytes that chain to the active partition's boot sector. */
    public static final Path SYSLINUX_MBR = Path.of("/usr/lib/syslinux/mbr/mbr.bin");
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    /** One thing a fixture needs, the Debian package that brings it, and how to tell it is there. */
    public record Need(String debianPackage, String description, Predicate<Need> present) {
        static Need command(String debianPackage, String program) {
            return new Need(debianPackage, program, need -> Commands.find(program) != null);
        }

        static Need file(String debianPackage, Path file) {
            return new Need(debianPackage, file.toString(), need -> Files.isRegularFile(file));
        }

        boolean isPresent() {
            return present.test(this);
        }
    }

    /** What {@link BootDiskImage} runs. The kernel comes from {@code apt-get download}, not from a package. */
    public static final List<Need> BOOT_DISK = List.of(
            Need.file("syslinux-common", SYSLINUX_MBR),
            Need.command("syslinux", "syslinux"),
            Need.command("mtools", "mcopy"),
            Need.command("dosfstools", "mkfs.fat"),
            Need.command("fdisk", "sfdisk"),
            new Need("busybox-static", BUSYBOX + " (statically linked)", need -> isStaticElf(BUSYBOX)));

    /**
     * What {@link BootDiskImage#buildWithNbdCheck} runs: {@link #BOOT_DISK} and Debian's nbd-client, whose binary
     * and libraries go into the initramfs (busybox-static has no nbd-client applet).
     */
    public static final List<Need> NBD_CHECK = Stream.concat(BOOT_DISK.stream(),
            Stream.of(Need.command("nbd-client", "nbd-client"))).toList();

    /** What {@link IpxeVm} runs. */
    public static final List<Need> VM = List.of(
            Need.command("qemu-system-x86", "qemu-system-x86_64"),
            Need.file("ipxe-qemu", IPXE_VIRTIO_ROM));

    /** What {@link TgtTarget} runs. */
    public static final List<Need> TGT = List.of(
            Need.command("tgt", "tgtd"),
            Need.command("tgt", "tgtadm"));

    private VmTools() {
    }

    /**
     * Makes sure everything in {@code needs} is there, installing the missing packages with apt-get when running as
     * root. Returns empty when all is there, or one line saying what is missing and why it could not be installed:
     * a test skips with that line (JUnit Assumptions), since nothing else can provide the tool.
     */
    public static synchronized Optional<String> ensure(List<Need> needs) {
        Set<String> packages = missingPackages(needs);
        if (packages.isEmpty()) {
            return Optional.empty();
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("missing Debian packages " + String.join(" ", packages)
                    + "; not root, so not installing them (apt-get install " + String.join(" ", packages) + ")");
        }
        String failure = install(packages);
        Set<String> stillMissing = missingPackages(needs);
        if (stillMissing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("missing Debian packages " + String.join(" ", stillMissing) + "; apt-get install failed: "
                + failure);
    }

    private static Set<String> missingPackages(List<Need> needs) {
        Set<String> packages = new LinkedHashSet<>();
        for (Need need : needs) {
            if (!need.isPresent()) {
                packages.add(need.debianPackage());
            }
        }
        return packages;
    }

    /** apt-get install, and once more after apt-get update if the package lists are stale; the failure, or "". */
    private static String install(Set<String> packages) {
        List<String> install = new ArrayList<>(List.of("apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y",
                "-q", "--no-install-recommends"));
        install.addAll(packages);
        Map<String, String> environment = Map.of("DEBIAN_FRONTEND", "noninteractive");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Commands.checkIn(dir, environment, null, install);
            return "";
        } catch (IllegalStateException first) {
            try {
                Commands.checkIn(dir, environment, null, List.of("apt-get", "-o", "DPkg::Lock::Timeout=300", "update",
                        "-q"));
                Commands.checkIn(dir, environment, null, install);
                return "";
            } catch (IllegalStateException second) {
                return second.getMessage();
            }
        }
    }

    /** True if {@code file} is an x86-64 ELF executable without a PT_INTERP header (no dynamic loader). */
    static boolean isStaticElf(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(header, 0);
            if (header.getInt(0) != 0x464c457f || header.get(4) != 2) {  // "\177ELF", 64-bit
                return false;
            }
            long phoff = header.getLong(0x20);
            int phentsize = Short.toUnsignedInt(header.getShort(0x36));
            int phnum = Short.toUnsignedInt(header.getShort(0x38));
            ByteBuffer entry = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < phnum; i++) {
                entry.clear();
                channel.read(entry, phoff + (long) i * phentsize);
                if (entry.getInt(0) == 3) {  // PT_INTERP
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
