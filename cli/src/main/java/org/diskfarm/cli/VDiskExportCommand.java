package org.diskfarm.cli;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.DeviceCopy;
import org.diskfarm.block.FileStorage;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.store.ByteSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code diskfarm vdisk export FILE RAW}: writes the virtual disk to a new sparse raw file. The raw file is created at
 * the disk's size as one hole and only non-zero data is written, under a temporary name renamed into place at the end.
 */
@Command(name = "export",
        description = {"Write the content of a vDisk (with its parents) to a new raw image file.",
                "The raw file is sparse: zero runs are left as holes."})
final class VDiskExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "FILE", description = "The vDisk image (any VHD file).")
    Path file;

    @Parameters(index = "1", paramLabel = "RAW", description = "The raw image to create; must not exist.")
    Path raw;

    @Override
    public Integer call() {
        DiskImages.requireFile(file);
        Arguments.requireAbsent(raw);
        PrintWriter out = spec.commandLine().getOut();
        long started = System.nanoTime();
        long size;
        long written;
        try (BlockDevice input = DiskImages.openReadOnly(file);
             PartialFile partial = PartialFile.start(raw)) {
            size = input.size();
            try (FileStorage storage = FileStorage.open(partial.temp(), FileStorage.Mode.CREATE_NEW)) {
                storage.truncate(size);
            }
            try (RawFileDevice output = RawFileDevice.open(partial.temp(), true);
                 Progress progress = Progress.start("export", size)) {
                written = DeviceCopy.of(input, output).targetReadsZero(true).progress(progress).run();
            }
            partial.commit();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        out.println("exported " + file + " to " + raw + ": " + ByteSize.human(size) + ", " + ByteSize.human(written)
                + " of data written, the rest left as holes, in " + Rates.duration(elapsed) + " ("
                + Rates.mibPerSecond(size, elapsed) + ")");
        return 0;
    }
}
