package org.diskfarm.cli;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.ContentHash;
import org.diskfarm.block.DeviceCopy;
import org.diskfarm.store.ByteSize;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdOptions;
import org.diskfarm.vhd.VhdSpec;
import org.diskfarm.vhd.VhdType;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code diskfarm vdisk import SOURCE FILE [--type dynamic|fixed]}: captures a master image into a new vDisk.
 *
 * <p>The copy goes to {@code .FILE.partial} beside FILE, with VHD metadata synced at flush only (the file is not in
 * use until it is renamed), skipping what reads as zeros; the finished file is flushed, closed, hashed and renamed
 * into place, and then the properties file is written with the content hash. Any failure deletes what was written.
 */
@Command(name = "import",
        description = {"Capture a raw or VHD disk image into a new vDisk FILE (NAME.vhd) with its NAME.pvp.",
                "Zero runs and holes of SOURCE are not stored. The content hash is recorded in NAME.pvp."})
final class VDiskImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "SOURCE",
            description = "A raw disk image, or a VHD file (fixed, dynamic or differencing: flattened).")
    Path source;

    @Parameters(index = "1", paramLabel = "FILE", description = "The new vDisk image, NAME.vhd.")
    Path file;

    @Option(names = "--type", paramLabel = "TYPE", converter = Converters.NewVhdType.class,
            completionCandidates = Converters.NewVhdTypes.class,
            description = "dynamic (stores only data, the default) or fixed.")
    VhdType type = VhdType.DYNAMIC;

    @Override
    public Integer call() {
        VDiskFiles files = Arguments.vDiskFiles(spec, file);
        DiskImages.requireFile(source);
        Arguments.requireAbsent(files.vhd());
        Arguments.requireAbsent(files.pvp());
        PrintWriter out = spec.commandLine().getOut();
        long started = System.nanoTime();
        Copied copied;
        ContentHash hash;
        try (PartialFile partial = PartialFile.start(files.vhd())) {
            copied = copy(partial.temp());
            hash = copied.hash;
            partial.commit();
        }
        try {
            VDiskProperties.DEFAULTS.withContentHash(hash).write(files.pvp());
        } catch (RuntimeException e) {
            deleteQuietly(files.vhd());
            throw e;
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        out.println("imported " + source + " (" + copied.sourceKind + ", " + ByteSize.human(copied.sourceSize)
                + ") into " + file + " (" + type.label() + ", " + ByteSize.human(copied.vdiskSize) + ")");
        if (copied.vdiskSize != copied.sourceSize) {
            out.println("note: the vDisk's size was rounded up to " + copied.vdiskSize
                    + " bytes, which its CHS geometry represents exactly; the added tail reads as zeros");
        }
        out.println("read " + ByteSize.human(copied.readBytes) + ", stored " + ByteSize.human(copied.storedBytes)
                + " in " + Rates.duration(elapsed) + " (" + Rates.mibPerSecond(copied.sourceSize, elapsed) + ")");
        out.println("content hash " + hash + " (recorded in " + files.pvp() + ")");
        return 0;
    }

    private record Copied(String sourceKind, long sourceSize, long vdiskSize, long readBytes, long storedBytes,
                          ContentHash hash) {
    }

    /** Copies SOURCE into a new VHD at {@code temp}, flushed and closed. */
    private Copied copy(Path temp) {
        boolean vhdSource = DiskImages.isVhd(source);
        AtomicLong read = new AtomicLong();
        try (BlockDevice input = DiskImages.openReadOnly(source)) {
            long size = input.size();
            if (size == 0) {
                throw new CommandFailure(source + ": empty image (0 bytes): nothing to import");
            }
            VhdSpec vhdSpec = type == VhdType.FIXED ? VhdSpec.fixed(size) : VhdSpec.dynamic(size);
            VhdOptions options = VhdOptions.readWrite().withMetadataSync(VhdOptions.MetadataSync.ON_FLUSH);
            try (VhdDevice target = Vhd.create(temp, vhdSpec, options);
                 Progress progress = Progress.start("import", size);
                 ExecutorService hasher = Executors.newVirtualThreadPerTaskExecutor()) {
                // The vDisk's content is the source's followed by zeros up to its rounded size: hash that on the
                // other core while the copy runs, instead of reading the new file again afterwards.
                Future<ContentHash> hash = hasher.submit(
                        () -> ContentHash.of(DeviceViews.resized(input, target.size())));
                long stored = DeviceCopy.of(DeviceViews.counting(input, read), target)
                        .targetReadsZero(true)
                        .progress(progress)
                        .run();
                target.flush();
                String kind = vhdSource ? "VHD" : "raw";
                return new Copied(kind, size, target.size(), read.get(), stored, join(hash));
            }
        }
    }

    private static ContentHash join(Future<ContentHash> hash) {
        try {
            return hash.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while hashing");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // The original failure is the one to report.
        }
    }
}
