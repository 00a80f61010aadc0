package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code diskfarm vdisk <command>}: the offline tools for vDisk files. */
@Command(name = "vdisk",
        description = "Create, import, export, inspect, verify, hash and configure vDisk files "
                + "(NAME.vhd with its properties NAME.pvp).",
        subcommands = {VDiskCreateCommand.class, VDiskImportCommand.class, VDiskExportCommand.class,
                VDiskInfoCommand.class, VDiskVerifyCommand.class, VDiskHashCommand.class, VDiskSetCommand.class})
final class VDiskCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }
}
