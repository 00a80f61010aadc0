package org.diskfarm.cli;

import org.diskfarm.block.StorageException;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdInfo;
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
 * {@code diskfarm vdisk info FILE [--json]}: what a VHD file says about itself and its parents, and the vDisk's
 * properties when FILE is {@code NAME.vhd} with a {@code NAME.pvp} beside it. Reads only; writes nothing.
 */
@Command(name = "info",
        description = "Show a VHD file's type, sizes, geometry, identity and parent chain, and the vDisk's properties.")
final class VDiskInfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(paramLabel = "FILE", description = "A VHD file, usually a vDisk image NAME.vhd.")
    Path file;

    @Option(names = "--json", description = "Print one JSON object (fields named as in docs/cli.md).")
    boolean json;

    @Override
    public Integer call() {
        DiskImages.requireFile(file);
        VhdInfo info = Vhd.info(file);
        Path pvp = VDiskFiles.isVDiskImage(file) ? VDiskFiles.of(file).pvp() : null;
        VDiskProperties properties = null;
        StorageException propertiesError = null;
        if (pvp != null) {
            try {
                properties = VDiskProperties.readIfPresent(pvp).orElse(null);
            } catch (StorageException e) {
                propertiesError = e;
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonOutput.pretty(InfoView.json(info, properties)));
        } else {
            InfoView.print(out, info, pvp, properties);
        }
        if (propertiesError != null) {
            throw propertiesError;
        }
        return 0;
    }
}
