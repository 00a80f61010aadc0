package org.diskfarm.testkit.vm;

import org.diskfarm.testkit.TestFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Builds a raw disk image that boots Linux with a PC BIOS, from Debian packages and without mounting anything, and
 * caches it: a later call with the same inputs returns the cached image at once.
 *
 * <p>The layout (64 MiB by default):
 * <ul>
 *   <li>sector 0: syslinux's {@code mbr.bin} (package syslinux-common) as boot code, and a DOS partition table
 *       written by {@code sfdisk} on the image file: one active partition of type 0x0e (FAT16 LBA) from sector 2048
 *       (1 MiB) to the end;</li>
 *   <li>the partition: FAT16 made by {@code mkfs.fat -h 2048} (the BPB's hidden sectors say where it starts), with
 *       syslinux's boot sector and {@code ldlinux.sys}/{@code ldlinux.c32} installed by {@code syslinux --install}
 *       (package syslinux: the mtools-based installer, no mount), and {@code syslinux.cfg}, {@code vmlinuz} and
 *       {@code initrd.gz} copied in with {@code mcopy}.</li>
 * </ul>
 * The partition is built as its own file and then copied into the image at 1 MiB, so that no tool needs an offset
 * into the image ({@code syslinux --offset} and mtools' {@code image@@offset} would do as well).
 *
 * <p>The boot: BIOS → (iPXE sanboot hooks the iSCSI disk as drive 0x80 and boots its sector 0) → mbr.bin → syslinux
 * → Linux with {@code console=ttyS0} → the initramfs's /init prints {@link BootDisk#marker()} and powers off. Both
 * the kernel and the initramfs are read through INT 13h, that is over iSCSI when iPXE booted the disk: about 9 MB.
 *
 * <p>A second kind, {@link #buildWithNbdCheck}: the same disk, with its partition ending 1 MiB before the end of the
 * disk, {@code diskfarm.nbd=ADDRESS:PORT} on the kernel command line, and an initramfs that also holds NIC and NBD
 * kernel modules and Debian's nbd-client; its /init, after the marker, writes {@code DEVICE MAC} into the disk's
 * last MiB over NBD (export name: the device's MAC), reads it back and prints what it found ({@link NbdDiskCheck}).
 * For a farm that exports each device's disk over NBD too, through the same write cache as its iSCSI target. Cached
 * in {@code cacheDir/bootdisk-nbd-KEY}, KEY covering also the server, the modules and nbd-client with its libraries.
 *
 * <p>The cache: {@code cacheDir/bootdisk-KEY/disk.img}, where KEY is a SHA-256 over everything that goes into the
 * image (the recipe version, the kernel package, the SHA-256 of busybox, mbr.bin and syslinux, the configuration
 * text, the size). The image is built in a temporary folder and moved into place, so a half-built image is never
 * found. Tests copy the image before exporting it writable.
 *
 * <p>Threads: {@link #build} is serialized within one JVM; two JVMs sharing a cache folder may both build, and one
 * result wins.
 */
public final class BootDiskImage {
    public static final long DEFAULT_SIZE = 64L << 20;
    /** The first sector of the partition: 1 MiB, where fdisk and sfdisk put it by default. */
    static final long PARTITION_START_SECTOR = 2048;
    /** Change this when the recipe changes in a way the cache key does not see. */
    private static final String RECIPE = "diskfarm-bootdisk-2";
    /** The same for the NBD-check kind, whose key also covers its own inputs. */
    private static final String RECIPE_NBD = "diskfarm-bootdisk-nbd-1";
    private static final String MARKER_PREFIX = "DISKFARM-BOOT-OK";

    /**
     * A built boot disk.
     *
     * @param image  the raw image file (in the cache: copy it before anything writes to it)
     * @param marker the line the booted Linux prints on ttyS0, {@code DISKFARM-BOOT-OK <token>}; the token is random
     *               per built image, so a match proves this image booted
     * @param kernel where the kernel came from (the .deb file name), for messages
     */
    public record BootDisk(Path image, String marker, String kernel) {
    }

    private BootDiskImage() {
    }

    /** A {@link #DEFAULT_SIZE} boot disk, built or found in {@code cacheDir}. */
    public static BootDisk build(Path cacheDir) {
        return build(cacheDir, DEFAULT_SIZE);
    }

    /**
     * A boot disk of {@code size} bytes (a multiple of 1 MiB, at least 32 MiB), built or found in {@code cacheDir}.
     * Installs missing tools as {@link VmTools#ensure} does, and fails with one line if one is still missing.
     */
    public static BootDisk build(Path cacheDir, long size) {
        return build(cacheDir, size, null);
    }

    /**
     * A {@link #DEFAULT_SIZE} boot disk whose /init, after the marker, writes the device's record to its own disk
     * over NBD and reads it back ({@link NbdDiskCheck}), built or found in {@code cacheDir}.
     *
     * @param nbdServer the NBD server's IPv4 address as the booted machine reaches it (diskfarm's address on the lab
     *                  segment), on the kernel command line as {@code diskfarm.nbd=ADDRESS:PORT}
     * @param nbdPort   its NBD port
     */
    public static BootDisk buildWithNbdCheck(Path cacheDir, String nbdServer, int nbdPort) {
        return buildWithNbdCheck(cacheDir, DEFAULT_SIZE, nbdServer, nbdPort);
    }

    /**
     * As {@link #buildWithNbdCheck(Path, String, int)}, {@code size} bytes (a multiple of 1 MiB, at least 32 MiB).
     * The FAT partition ends {@link NbdDiskCheck#SCRATCH_SIZE} before the end of the disk; the check writes the first
     * sector of that last MiB, {@link NbdDiskCheck#offset(long)}. Needs, besides the tools of {@link #build}, Debian's
     * nbd-client ({@link VmTools#NBD_CHECK}) and a kernel from a .deb (for its modules).
     */
    public static BootDisk buildWithNbdCheck(Path cacheDir, long size, String nbdServer, int nbdPort) {
        NbdDiskCheck.checkServer(nbdServer, nbdPort);
        return build(cacheDir, size, NbdDiskCheck.kernelParameter(nbdServer, nbdPort));
    }

    /** The plain kind if {@code nbdParameter} is null, else the NBD-check kind with that kernel parameter. */
    private static synchronized BootDisk build(Path cacheDir, long size, String nbdParameter) {
        if (size < (32L << 20) || size % (1L << 20) != 0) {
            throw new IllegalArgumentException("boot disk size must be a multiple of 1 MiB and at least 32 MiB: "
                    + size);
        }
        boolean nbd = nbdParameter != null;
        VmTools.ensure(nbd ? VmTools.NBD_CHECK : VmTools.BOOT_DISK).ifPresent(missing -> {
            throw new IllegalStateException("cannot build the boot disk: " + missing);
        });
        try {
            Files.createDirectories(cacheDir);
            DebianKernel.Kernel kernel = DebianKernel.vmlinuz(cacheDir);
            Recipe recipe = nbd ? nbdRecipe(cacheDir, kernel, nbdParameter, size) : plainRecipe(kernel, size);
            Path done = cacheDir.resolve(recipe.folderPrefix() + recipe.key());
            if (Files.isRegularFile(done.resolve("disk.img")) && Files.isRegularFile(done.resolve("marker"))) {
                return new BootDisk(done.resolve("disk.img"), Files.readString(done.resolve("marker")).strip(),
                        kernel.origin());
            }
            Path work = Files.createTempDirectory(cacheDir, recipe.folderPrefix() + recipe.key() + ".building-");
            try {
                String marker = MARKER_PREFIX + " " + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
                assemble(work, kernel.vmlinuz(), recipe, marker, size);
                Files.writeString(work.resolve("marker"), marker + "\n");
                try {
                    Files.move(work, done, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                    // another JVM finished first: use its image
                } catch (IOException e) {
                    if (!Files.isDirectory(done)) {
                        throw e;
                    }
                }
                return new BootDisk(done.resolve("disk.img"), Files.readString(done.resolve("marker")).strip(),
                        kernel.origin());
            } finally {
                TestFiles.deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the boot disk in " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * What differs between the kinds: the cache folder's name and key, syslinux.cfg, how the initramfs is written
     * (given the marker and the target file), and the partition's size.
     */
    private record Recipe(String folderPrefix, String key, String config, BiConsumer<String, Path> initramfs,
                          long partitionSize) {
    }

    private static Recipe plainRecipe(DebianKernel.Kernel kernel, long size) {
        String config = syslinuxConfig();
        return new Recipe("bootdisk-", cacheKey(kernel, config, size), config,
                (marker, target) -> Initramfs.write(VmTools.BUSYBOX, marker, target),
                size - PARTITION_START_SECTOR * 512);
    }

    private static Recipe nbdRecipe(Path cacheDir, DebianKernel.Kernel kernel, String nbdParameter, long size) {
        if (kernel.deb() == null) {
            throw new IllegalStateException("the NBD check needs kernel modules, from the kernel's .deb; the kernel "
                    + "is " + kernel.origin() + " (apt-get download " + DebianKernel.METAPACKAGE + " failed?)");
        }
        List<KernelModules.Module> modules = KernelModules.resolve(kernel.deb(), cacheDir, NbdDiskCheck.MODULES);
        Map<String, Path> files = Initramfs.withLibraries(Path.of(Commands.require("nbd-client", "nbd-client")));
        long sector = NbdDiskCheck.offset(size) / 512;
        String config = syslinuxConfig(nbdParameter);
        List<String> inputs = new ArrayList<>(List.of(RECIPE_NBD, cacheKey(kernel, config, size),
                Initramfs.nbdInitScript("MARKER", modules.stream().map(KernelModules.Module::name).toList(), sector),
                Initramfs.udhcpcScript()));
        modules.forEach(module -> inputs.add(module.name() + " " + TestFiles.sha256(module.file())));
        files.forEach((name, file) -> inputs.add(name + " " + TestFiles.sha256(file)));
        String key = TestFiles.sha256(String.join("\n", inputs).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return new Recipe("bootdisk-nbd-", key, config,
                (marker, target) -> Initramfs.writeWithNbdCheck(VmTools.BUSYBOX, marker, modules, sector, files,
                        target),
                size - PARTITION_START_SECTOR * 512 - NbdDiskCheck.SCRATCH_SIZE);
    }

    /**
     * syslinux.cfg. {@code panic=1} with QEMU's {@code -no-reboot} turns a kernel panic into a prompt QEMU exit
     * instead of a wait for the fixture's timeout. No {@code SERIAL} line: SeaBIOS's serial console already copies
     * syslinux's screen text to ttyS0, and with SERIAL every message would appear twice.
     */
    static String syslinuxConfig() {
        return syslinuxConfig(null);
    }

    /** syslinux.cfg with {@code extraParameter} (if not null) at the end of the kernel command line. */
    static String syslinuxConfig(String extraParameter) {
        return """
                DEFAULT linux
                PROMPT 0
                TIMEOUT 0
                LABEL linux
                  LINUX /vmlinuz
                  INITRD /initrd.gz
                  APPEND console=ttyS0,115200 panic=1 rdinit=/init%s
                """.formatted(extraParameter == null ? "" : " " + extraParameter);
    }

    private static void assemble(Path work, Path vmlinuz, Recipe recipe, String marker, long size)
            throws IOException {
        Path initrd = work.resolve("initrd.gz");
        recipe.initramfs().accept(marker, initrd);
        Path cfg = Files.writeString(work.resolve("syslinux.cfg"), recipe.config());

        long partitionOffset = PARTITION_START_SECTOR * 512;
        Path partition = work.resolve("partition.img");
        sparseFile(partition, recipe.partitionSize());
        Commands.check(List.of(Commands.require("mkfs.fat", "dosfstools"), "-F", "16", "-h",
                Long.toString(PARTITION_START_SECTOR), "-n", "DISKFARM", partition.toString()));
        // mtools checks the FAT's geometry against its own idea of a floppy or disk unless told not to.
        Map<String, String> mtools = Map.of("MTOOLS_SKIP_CHECK", "1");
        Commands.checkIn(work, mtools, null, List.of(Commands.require("syslinux", "syslinux"), "--install",
                partition.toString()));
        for (Path file : List.of(vmlinuz, initrd, cfg)) {
            String name = file == vmlinuz ? "vmlinuz" : file.getFileName().toString();
            Commands.checkIn(work, mtools, null, List.of(Commands.require("mcopy", "mtools"), "-o", "-i",
                    partition.toString(), file.toAbsolutePath().toString(), "::" + name));
        }

        Path image = work.resolve("disk.img");
        sparseFile(image, size);
        Path table = Files.writeString(work.resolve("partition-table"), "label: dos\nstart=" + PARTITION_START_SECTOR
                + ", size=" + recipe.partitionSize() / 512 + ", type=e, bootable\n");
        Commands.checkIn(work, Map.of(), table, List.of(Commands.require("sfdisk", "fdisk"), "--no-reread",
                "--no-tell-kernel", "-q", image.toString()));
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.WRITE);
             FileChannel in = FileChannel.open(partition)) {
            byte[] mbr = Files.readAllBytes(VmTools.SYSLINUX_MBR);
            if (mbr.length > 440) {
                throw new IllegalStateException(VmTools.SYSLINUX_MBR + " is " + mbr.length
                        + " bytes; MBR boot code must fit in 440, before the disk signature and partition table");
            }
            writeFully(out, ByteBuffer.wrap(mbr), 0);
            for (long at = 0, length = in.size(); at < length; ) {
                at += in.transferTo(at, length - at, out.position(partitionOffset + at));
            }
        }
        Files.delete(partition);
        Files.delete(table);
    }

    private static void sparseFile(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(channel, ByteBuffer.allocate(1), size - 1);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer data, long offset) throws IOException {
        for (long at = offset; data.hasRemaining(); ) {
            at += channel.write(data, at);
        }
    }

    private static String cacheKey(DebianKernel.Kernel kernel, String config, long size) {
        String syslinux = TestFiles.sha256(Path.of(Commands.require("syslinux", "syslinux")));
        String inputs = String.join("\n", RECIPE, kernel.origin(), TestFiles.sha256(kernel.vmlinuz()),
                TestFiles.sha256(VmTools.BUSYBOX), TestFiles.sha256(VmTools.SYSLINUX_MBR), syslinux, config,
                Initramfs.initScript("MARKER"), Long.toString(size));
        return TestFiles.sha256(inputs.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }
}
