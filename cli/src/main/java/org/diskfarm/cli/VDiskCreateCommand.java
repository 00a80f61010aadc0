package org.diskfarm.cli;

import org.diskfarm.store.ByteSize;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdInfo;
import org.diskfarm.vhd.VhdSpec;
import org.diskfarm.vhd.VhdType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code diskfarm vdisk create FILE --size SIZE [--type dynamic|fixed] [--parent BASE.vhd] [--block-size SIZE]}. */
@Command(name = "create",
        description = {"Create an empty vDisk: FILE (NAME.vhd) and its properties NAME.pvp with defaults.",
                "With --parent, FILE is a differencing disk over BASE.vhd and reads as BASE until written."})
final class VDiskCreateCommand implements Callable<Integer> {
    private static final int MIN_BLOCK = 4096;
    private static final int MAX_BLOCK = 256 << 20;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(paramLabel = "FILE", description = "The new vDisk image, NAME.vhd.")
    Path file;

    @Option(names = "--size", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "Virtual size: bytes, or a number with K, M, G or T (binary units: 1G = 1 GiB). "
                    + "May be rounded up to what the disk geometry represents exactly.")
    Long size;

    @Option(names = "--type", paramLabel = "TYPE", converter = Converters.NewVhdType.class,
            completionCandidates = Converters.NewVhdTypes.class,
            description = "dynamic (grows as written, the default) or fixed (all space allocated now).")
    VhdType type;

    @Option(names = "--parent", paramLabel = "BASE.vhd",
            description = "Create a differencing disk over this VHD (its size is the parent's; no --size).")
    Path parent;

    @Option(names = "--block-size", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "Bytes per block of a dynamic or differencing disk: a power of two from 4K to 256M "
                    + "(default 2M).")
    Long blockSize;

    @Override
    public Integer call() {
        VhdSpec vhdSpec = vhdSpec();
        VDiskFiles files = Arguments.vDiskFiles(spec, file);
        Arguments.requireFolderOf(files.vhd());
        Arguments.requireAbsent(files.vhd());
        Arguments.requireAbsent(files.pvp());
        PrintWriter out = spec.commandLine().getOut();
        VDiskProperties properties = initialProperties();
        VhdInfo info;
        try {
            try (VhdDevice device = Vhd.create(file, vhdSpec)) {
                info = device.info();
            }
            properties.write(files.pvp());
        } catch (RuntimeException e) {
            deleteQuietly(files.vhd());
            throw e;
        }
        describe(out, info);
        out.println("created " + files.pvp() + ": " + properties.mode().label() + " mode, write cache "
                + properties.writeCacheType().label() + " " + ByteSize.human(properties.writeCacheSize())
                + (properties.version() == 0 ? "" : ", version " + properties.version()));
        return 0;
    }

    /**
     * The defaults; a differencing disk is a version of its parent, so it is numbered one above the parent's
     * version (as its parent's .pvp records it, else 0).
     */
    private VDiskProperties initialProperties() {
        if (parent == null) {
            return VDiskProperties.DEFAULTS;
        }
        int parentVersion = VDiskFiles.isVDiskImage(parent)
                ? VDiskProperties.readIfPresent(VDiskFiles.of(parent).pvp()).map(VDiskProperties::version).orElse(0)
                : 0;
        return VDiskProperties.DEFAULTS.withVersion(parentVersion + 1);
    }

    private void describe(PrintWriter out, VhdInfo info) {
        String kind = info.type() == VhdType.DIFFERENCING ? "differencing over " + parent : info.type().label();
        String blocks = info.type() == VhdType.FIXED ? "" : ", block size " + ByteSize.human(info.blockSize());
        out.println("created " + file + ": " + kind + ", " + ByteSize.human(info.virtualSize()) + " ("
                + info.virtualSize() + " bytes)" + blocks);
        if (size != null && info.virtualSize() != size) {
            out.println("note: the size was rounded up from " + size + " to " + info.virtualSize()
                    + " bytes, which the disk's CHS geometry " + info.geometry() + " represents exactly");
        }
    }

    /** What to create, checking the option combinations (usage errors, exit 2). */
    private VhdSpec vhdSpec() {
        if (parent != null) {
            if (size != null) {
                throw usage("--size is not allowed with --parent: a differencing disk has its parent's size");
            }
            if (type != null) {
                throw usage("--type is not allowed with --parent: the disk is differencing");
            }
        } else if (size == null) {
            throw usage("Missing required option: '--size=SIZE' (or '--parent=BASE.vhd')");
        } else if (size <= 0) {
            throw usage("--size must be at least 1 byte");
        }
        VhdType kind = parent != null ? VhdType.DIFFERENCING : type == null ? VhdType.DYNAMIC : type;
        if (blockSize != null && kind == VhdType.FIXED) {
            throw usage("--block-size is not allowed with --type fixed: a fixed disk has no blocks");
        }
        if (blockSize != null && (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK || Long.bitCount(blockSize) != 1)) {
            throw usage("--block-size must be a power of two from 4K to 256M, not " + blockSize);
        }
        VhdSpec result = switch (kind) {
            case FIXED -> VhdSpec.fixed(size);
            case DYNAMIC -> VhdSpec.dynamic(size);
            case DIFFERENCING -> VhdSpec.differencing(parent);
        };
        return blockSize == null ? result : result.withBlockSize(blockSize.intValue());
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // The original failure is the one to report.
        }
    }
}
