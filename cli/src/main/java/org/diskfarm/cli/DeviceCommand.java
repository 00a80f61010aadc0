package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

import static org.diskfarm.cli.ApiClient.segment;
import static org.diskfarm.cli.Table.column;

/** {@code diskfarm device <command>}: the farm's target devices, through a running server's API. */
@Command(name = "device",
        description = {"The farm's devices: diskless machines known by their MAC address, each with a name and "
                + "optionally a collection and an assigned vDisk."},
        subcommands = {DeviceAddCommand.class, DeviceSetCommand.class, DeviceBootCommand.class})
final class DeviceCommand implements Callable<Integer> {
    static final Table TABLE = new Table(column("MAC", "mac"), column("NAME", "name"), column("VDISK", "vdisk"),
            column("COLLECTION", "collection"), column("BOOT-STATE", "bootState"), column("SERVED-BY", "servedBy"));

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    @Command(name = "list", description = "List the devices, or those of one collection or vDisk: assigned vDisk, "
            + "boot state (off, booting, up, down), the server serving each.")
    int list(@Mixin ApiOptions api,
             @Option(names = "--collection", paramLabel = "C", description = "Only the devices in collection C.")
             String collection,
             @Option(names = "--vdisk", paramLabel = "V", description = "Only the devices assigned vDisk V.")
             String vdisk) {
        try (ApiClient client = api.client()) {
            api.output().list(client.list("/devices" + ApiClient.query("collection", collection, "vdisk", vdisk), 0),
                    TABLE);
        }
        return ExitStatus.OK;
    }

    @Command(name = "show", description = "Show one device, with its write cache on the server that holds it.")
    int show(@Mixin ApiOptions api, @Parameters(paramLabel = "MAC", description = "The device's MAC address.")
             String mac) {
        try (ApiClient client = api.client()) {
            api.output().object(client.get("/devices/" + segment(mac)));
        }
        return ExitStatus.OK;
    }

    @Command(name = "remove", description = "Remove a device from the farm.")
    int remove(@Mixin ApiOptions api, @Parameters(paramLabel = "MAC", description = "The device's MAC address.")
               String mac) {
        try (ApiClient client = api.client()) {
            client.delete("/devices/" + segment(mac));
        }
        api.output().done("removed device " + mac);
        return ExitStatus.OK;
    }
}
