package org.diskfarm.testkit.vm;

import org.diskfarm.testkit.TestFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Kernel modules for the initramfs, taken from the kernel's own .deb ({@link DebianKernel}) without installing it: the
 * modules asked for, the modules they depend on, in an order {@code insmod} can load them.
 *
 * <p>A .deb has no {@code modules.dep} ({@code depmod} makes it at installation), so the dependencies are read from
 * each module's {@code .modinfo} section, the {@code depends=a,b} string that {@code modinfo -F depends} prints. A
 * module that is not in the package but is named in its {@code modules.builtin} is built into the kernel and left
 * out; any other missing module is an error. Debian 12's modules are plain {@code .ko} files
 * ({@code CONFIG_MODULE_COMPRESS_NONE}); compressed ones ({@code .ko.xz}, {@code .ko.zst}, {@code .ko.gz}, as other
 * kernel packages may ship) are decompressed here, with the {@code xz} and {@code zstd} tools or the JDK's gzip, so
 * that busybox's {@code insmod} gets plain ELF files whatever its build supports.
 *
 * <p>Debian 12's 6.1 kernel, for the NICs QEMU emulates and the NBD client: {@code e1000} (no dependencies),
 * {@code virtio_pci} (virtio, virtio_ring, virtio_pci_legacy_dev, virtio_pci_modern_dev; the PCI transport, which is a
 * module there and which no driver names as a dependency), {@code virtio_net} (virtio, virtio_ring, net_failover, which
 * needs failover) and {@code nbd} (none). AF_PACKET, which udhcpc needs, and devtmpfs are built in.
 *
 * <p>Each extraction is a pass of {@code dpkg-deb --fsys-tarfile | tar -x} over the 70 MB package (about 4 s here); the
 * modules are kept, decompressed, under {@code cacheDir/kernels/DEB.modules/}, so that only the first image built from
 * a kernel pays for it.
 *
 * <p>Threads: callers serialize (BootDiskImage does).
 */
final class KernelModules {
    private static final String DEPENDS = "depends=";

    /**
     * A module to load.
     *
     * @param name    its name as the kernel knows it (dashes as underscores), e.g. {@code virtio_net}
     * @param file    the uncompressed {@code .ko}
     * @param depends the modules it needs loaded first
     */
    record Module(String name, Path file, List<String> depends) {
    }

    private final Path deb;
    private final Path store;
    /** Module name to archive member, from a listing of the package; null until first needed. */
    private Map<String, String> members;
    private Set<String> builtin;

    private KernelModules(Path deb, Path store) {
        this.deb = deb;
        this.store = store;
    }

    /**
     * {@code wanted} and what they depend on, each after its dependencies (the order of {@code wanted} is kept where
     * the dependencies allow), taken from {@code deb} and cached under {@code cacheDir/kernels}.
     */
    static List<Module> resolve(Path deb, Path cacheDir, List<String> wanted) {
        String base = deb.getFileName().toString().replaceFirst("\\.deb$", "");
        try {
            Path store = Files.createDirectories(cacheDir.resolve("kernels").resolve(base + ".modules"));
            return new KernelModules(deb, store).closure(wanted);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack modules from " + deb + ": " + e.getMessage(), e);
        }
    }

    private List<Module> closure(List<String> wanted) throws IOException {
        Map<String, Module> found = new HashMap<>();
        Set<String> skipped = new LinkedHashSet<>();
        Set<String> pending = new LinkedHashSet<>(wanted.stream().map(KernelModules::normalize).toList());
        while (!pending.isEmpty()) {
            Set<String> missing = new LinkedHashSet<>();
            for (String name : pending) {
                if (!found.containsKey(name) && !skipped.contains(name) && !Files.isRegularFile(cached(name))) {
                    missing.add(name);
                }
            }
            extract(missing, skipped);
            Set<String> next = new LinkedHashSet<>();
            for (String name : pending) {
                if (found.containsKey(name) || skipped.contains(name)) {
                    continue;
                }
                Path file = cached(name);
                Module module = new Module(name, file, depends(file));
                found.put(name, module);
                next.addAll(module.depends());
            }
            pending = next;
        }
        // depth first: each module after its dependencies, in the order asked for
        Map<String, Module> ordered = new LinkedHashMap<>();
        for (String name : wanted) {
            visit(normalize(name), found, ordered, new LinkedHashSet<>());
        }
        return List.copyOf(ordered.values());
    }

    private static void visit(String name, Map<String, Module> found, Map<String, Module> ordered, Set<String> path) {
        Module module = found.get(name);
        if (module == null || ordered.containsKey(name)) {
            return;  // built in, or already placed
        }
        if (!path.add(name)) {
            throw new IllegalStateException("kernel modules depend on each other in a circle: " + path);
        }
        for (String dependency : module.depends()) {
            visit(dependency, found, ordered, path);
        }
        path.remove(name);
        ordered.put(name, module);
    }

    private Path cached(String name) {
        return store.resolve(name + ".ko");
    }

    /**
     * Unpacks {@code names} from the package into the store, decompressed; names that are built into the kernel go to
     * {@code skipped}.
     */
    private void extract(Set<String> names, Set<String> skipped) throws IOException {
        if (names.isEmpty()) {
            return;
        }
        Map<String, String> all = members();
        List<String> wantedMembers = new ArrayList<>();
        for (String name : names) {
            String member = all.get(name);
            if (member != null) {
                wantedMembers.add(member);
            } else if (builtin().contains(name)) {
                skipped.add(name);
            } else {
                throw new IllegalStateException("kernel module " + name + " is neither in " + deb.getFileName()
                        + " nor built into its kernel (modules.builtin)");
            }
        }
        if (wantedMembers.isEmpty()) {
            return;
        }
        Path work = Files.createTempDirectory(store, "unpack-");
        try {
            List<String> tar = new ArrayList<>(List.of("tar", "-x"));
            tar.addAll(wantedMembers);
            Commands.pipe(work, List.of("dpkg-deb", "--fsys-tarfile", deb.toAbsolutePath().toString()), tar);
            for (String member : wantedMembers) {
                Path unpacked = work.resolve(member);
                String name = moduleName(member);
                Path plain = work.resolve(name + ".ko.plain");
                decompress(unpacked, plain);
                Files.move(plain, cached(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            TestFiles.deleteTree(work);
        }
    }

    /** Module name to member path ({@code ./lib/modules/VERSION/kernel/.../NAME.ko[.xz]}), from {@code tar -t}. */
    private Map<String, String> members() {
        if (members == null) {
            String listing = Commands.pipeOutput(store, List.of("dpkg-deb", "--fsys-tarfile",
                    deb.toAbsolutePath().toString()), List.of("tar", "-t"));
            members = new HashMap<>();
            for (String line : listing.lines().toList()) {
                if (line.contains("/lib/modules/") && line.contains("/kernel/") && moduleSuffix(line) != null) {
                    members.put(moduleName(line), line);
                }
            }
            if (members.isEmpty()) {
                throw new IllegalStateException(deb.getFileName() + " holds no kernel modules");
            }
        }
        return members;
    }

    /** The names in the package's {@code lib/modules/VERSION/modules.builtin}. */
    private Set<String> builtin() throws IOException {
        if (builtin == null) {
            Path work = Files.createTempDirectory(store, "builtin-");
            try {
                Commands.pipe(work, List.of("dpkg-deb", "--fsys-tarfile", deb.toAbsolutePath().toString()),
                        List.of("tar", "-x", "--wildcards", "./lib/modules/*/modules.builtin"));
                builtin = new LinkedHashSet<>();
                try (var files = Files.walk(work)) {
                    for (Path file : files.filter(f -> f.getFileName().toString().equals("modules.builtin")).toList()) {
                        Files.readAllLines(file).forEach(line -> builtin.add(moduleName(line.strip())));
                    }
                }
            } finally {
                TestFiles.deleteTree(work);
            }
        }
        return builtin;
    }

    private static void decompress(Path source, Path target) throws IOException {
        String name = source.getFileName().toString();
        if (name.endsWith(".ko")) {
            Files.copy(source, target);
        } else if (name.endsWith(".ko.gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(source))) {
                Files.copy(in, target);
            }
        } else {
            String tool = name.endsWith(".ko.xz") ? Commands.require("xz", "xz-utils")
                    : Commands.require("zstd", "zstd");
            Commands.checkIn(source.getParent(), Map.of(), null, List.of(tool, "-d", "-k", "-q", source.toString()));
            Files.move(source.resolveSibling(name.substring(0, name.lastIndexOf('.'))), target);
        }
    }

    /** The module names in {@code module}'s {@code depends=} string; empty if it has none. */
    static List<String> depends(Path module) throws IOException {
        byte[] bytes = Files.readAllBytes(module);
        byte[] key = ("\0" + DEPENDS).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + key.length <= bytes.length; i++) {
            if (matches(bytes, i, key)) {
                int start = i + key.length;
                int end = start;
                while (end < bytes.length && bytes[end] != 0) {
                    end++;
                }
                String value = new String(bytes, start, end - start, StandardCharsets.US_ASCII).strip();
                return value.isEmpty() ? List.of() : List.of(value.split(",")).stream()
                        .map(KernelModules::normalize).toList();
            }
        }
        throw new IllegalStateException(module + " has no depends= in its .modinfo: not a kernel module?");
    }

    private static boolean matches(byte[] bytes, int at, byte[] key) {
        for (int j = 0; j < key.length; j++) {
            if (bytes[at + j] != key[j]) {
                return false;
            }
        }
        return true;
    }

    private static String moduleSuffix(String path) {
        for (String suffix : List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz")) {
            if (path.endsWith(suffix)) {
                return suffix;
            }
        }
        return null;
    }

    /** {@code .../virtio-net.ko.xz} to {@code virtio_net}. */
    private static String moduleName(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        String suffix = moduleSuffix(file);
        return normalize(suffix == null ? file : file.substring(0, file.length() - suffix.length()));
    }

    private static String normalize(String name) {
        return name.replace('-', '_');
    }
}
