package org.diskfarm.cli;

import org.diskfarm.block.ContentHash;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskProperties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code diskfarm vdisk hash FILE [--update]}: the content hash of a vDisk (or any VHD or raw image), which depends
 * only on the bytes the disk reads; {@code --update} records it in the vDisk's properties.
 */
@Command(name = "hash",
        description = {"Print the content hash of a vDisk, VHD or raw image.",
                "The hash (sha256) depends only on the bytes the disk reads, not on how they are stored."})
final class VDiskHashCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(paramLabel = "FILE", description = "A vDisk image NAME.vhd, another VHD file, or a raw image.")
    Path file;

    @Option(names = "--update", description = "Record the hash in the vDisk's NAME.pvp (created with defaults if "
            + "missing).")
    boolean update;

    @Override
    public Integer call() {
        VDiskFiles files = update ? Arguments.vDiskFiles(spec, file) : null;
        DiskImages.requireFile(file);
        ContentHash hash = Hashing.hash(file, "hash");
        PrintWriter out = spec.commandLine().getOut();
        out.println(hash);
        if (update) {
            VDiskProperties properties = VDiskProperties.readIfPresent(files.pvp()).orElse(VDiskProperties.DEFAULTS);
            properties.withContentHash(hash).write(files.pvp());
            out.println("recorded in " + files.pvp());
        } else if (VDiskFiles.isVDiskImage(file)) {
            VDiskProperties.readIfPresent(VDiskFiles.of(file).pvp())
                    .flatMap(VDiskProperties::contentHashIfKnown)
                    .filter(recorded -> !recorded.equals(hash))
                    .ifPresent(recorded -> spec.commandLine().getErr().println("note: "
                            + VDiskFiles.of(file).pvp() + " records " + recorded + "; --update records the new hash"));
        }
        return 0;
    }
}
