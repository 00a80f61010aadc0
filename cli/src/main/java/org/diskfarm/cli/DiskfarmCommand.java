package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** The top of the command tree: {@code diskfarm [--debug] <command>}. */
@Command(name = "diskfarm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Streams vDisks to diskless machines.",
                "vdisk: offline tools for vDisk files, and the farm's vDisks; serve: run a farm server; server, store, "
                        + "device, collection, farm, audit: the farm, through a server's API (--server URL, default "
                        + "$DISKFARM_SERVER or http://127.0.0.1:8080; the API token from $DISKFARM_TOKEN or "
                        + "--token-file FILE)."},
        subcommands = {VDiskCommand.class, ServerCommand.class, StoreCommand.class, DeviceCommand.class,
                CollectionCommand.class, FarmCommand.class, AuditCommand.class, DemoCommand.class},
        footer = {"", ExitStatus.SUMMARY, "See docs/cli.md for every command with examples."})
final class DiskfarmCommand implements Callable<Integer> {

    /** Name of the option that turns one-line errors into stack traces; read by {@link ErrorHandler}. */
    static final String DEBUG = "--debug";

    @Spec
    CommandSpec spec;

    @Option(names = DEBUG, scope = ScopeType.INHERIT,
            description = "On failure, print the stack trace as well as the one-line reason.")
    boolean debug;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }
}
