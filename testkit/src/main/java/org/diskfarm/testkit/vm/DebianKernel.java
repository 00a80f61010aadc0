package org.diskfarm.testkit.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Debian x86-64 kernel ({@code vmlinuz}) for the boot disk, taken from the {@code linux-image-*-amd64} package that
 * the {@code linux-image-amd64} metapackage depends on today (Debian 12: linux-image-6.1.0-N-amd64, about 70 MB as a
 * .deb, 8 MB of vmlinuz). The package is fetched with {@code apt-get download} (no installation, no root needed for
 * that part) and only {@code ./boot/vmlinuz-*} is unpacked from it ({@code dpkg-deb --fsys-tarfile | tar -x}), which
 * takes seconds where {@code dpkg-deb -x} would unpack 400 MB of modules.
 *
 * <p>The .deb and the unpacked vmlinuz are kept under {@code cacheDir/debs} and {@code cacheDir/kernels}. Without apt
 * (no package lists, no network) the newest cached .deb is used, and failing that the newest {@code /boot/vmlinuz-*}.
 *
 * <p>Any Debian amd64 kernel works: the initramfs needs only the 8250 serial console, which is built in. The NBD-check
 * kind of boot disk also takes NIC and NBD modules from the same .deb ({@link KernelModules}), so it needs a kernel
 * from a .deb, not from /boot.
 *
 * <p>Threads: callers serialize (BootDiskImage does).
 */
final class DebianKernel {
    static final String METAPACKAGE = "linux-image-amd64";

    /**
     * The kernel image and where it came from.
     *
     * @param vmlinuz the bzImage file
     * @param origin  the .deb file name or the /boot path: part of the boot disk's cache key, and for messages
     * @param deb     the .deb it came from, for its modules ({@link KernelModules}); null for a kernel from /boot
     */
    record Kernel(Path vmlinuz, String origin, Path deb) {
    }

    private DebianKernel() {
    }

    static Kernel vmlinuz(Path cacheDir) {
        try {
            Path debs = Files.createDirectories(cacheDir.resolve("debs"));
            Optional<Path> deb = resolvePackage().flatMap(name -> cachedDeb(debs, name).or(() -> download(debs,
                    name)));
            if (deb.isEmpty()) {
                deb = newest(debs, "linux-image-", ".deb");  // apt knows no kernel or cannot fetch it: an older one
            }
            if (deb.isPresent()) {
                return new Kernel(unpack(cacheDir.resolve("kernels"), deb.get()), deb.get().getFileName().toString(),
                        deb.get());
            }
            Optional<Path> installed = newest(Path.of("/boot"), "vmlinuz-", "");
            if (installed.isPresent() && Files.isReadable(installed.get())) {
                return new Kernel(installed.get(), installed.get().toString(), null);
            }
            throw new IllegalStateException("no Linux kernel for the boot disk: `apt-cache depends " + METAPACKAGE
                    + "` names no package, " + debs + " holds no linux-image .deb and /boot no vmlinuz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The versioned package {@code linux-image-amd64} depends on, from apt's lists; empty if apt cannot say. */
    private static Optional<String> resolvePackage() {
        String printed;
        try {
            printed = Commands.check(List.of("apt-cache", "depends", METAPACKAGE));
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
        return printed.lines().map(String::strip).filter(line -> line.startsWith("Depends: linux-image-"))
                .map(line -> line.substring("Depends: ".length()).strip()).findFirst();
    }

    private static Optional<Path> cachedDeb(Path debs, String packageName) {
        return newest(debs, packageName + "_", ".deb");
    }

    /** {@code apt-get download}; empty if apt cannot fetch it (offline), so that a cached older kernel can do. */
    private static Optional<Path> download(Path debs, String packageName) {
        // apt-get download writes into the working directory; as root it warns that _apt cannot write there and
        // downloads unsandboxed, which is harmless.
        try {
            Commands.checkIn(debs, Map.of(), null, List.of("apt-get", "download", "-q", packageName));
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
        return cachedDeb(debs, packageName);
    }

    private static Path unpack(Path kernels, Path deb) throws IOException {
        String name = deb.getFileName().toString().replaceFirst("\\.deb$", "") + ".vmlinuz";
        Path target = kernels.resolve(name);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(kernels);
        Path work = Files.createTempDirectory(kernels, "unpack-");
        try {
            Commands.pipe(work, List.of("dpkg-deb", "--fsys-tarfile", deb.toAbsolutePath().toString()),
                    List.of("tar", "-x", "--wildcards", "./boot/vmlinuz-*"));
            Path vmlinuz = newest(work.resolve("boot"), "vmlinuz-", "").orElseThrow(() -> new IllegalStateException(
                    deb + " holds no ./boot/vmlinuz-*"));
            Files.move(vmlinuz, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            org.diskfarm.testkit.TestFiles.deleteTree(work);
        }
    }

    /** The last, by name, of the files in {@code dir} named {@code prefix...suffix}. */
    private static Optional<Path> newest(Path dir, String prefix, String suffix) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> {
                String name = file.getFileName().toString();
                return name.startsWith(prefix) && name.endsWith(suffix) && Files.isRegularFile(file);
            }).max(Comparator.comparing(file -> file.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
