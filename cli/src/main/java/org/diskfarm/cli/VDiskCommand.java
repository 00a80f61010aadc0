package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.concurrent.Callable;

import static org.diskfarm.cli.ApiClient.segment;
import static org.diskfarm.cli.Table.column;

/**
 * {@code diskfarm vdisk <command>}: the offline tools for vDisk files (create, import, export, info, verify, hash,
 * set FILE), and the farm's vDisks through a server's API (list, show, set NAME, assign, remove).
 */
@Command(name = "vdisk",
        description = {"Offline: create, import, export, inspect, verify, hash and configure vDisk files "
                + "(NAME.vhd with its properties NAME.pvp).",
                "Through a server's API: list, show, set, assign and remove the farm's vDisks."},
        subcommands = {VDiskCreateCommand.class, VDiskImportCommand.class, VDiskExportCommand.class,
                VDiskInfoCommand.class, VDiskVerifyCommand.class, VDiskHashCommand.class, VDiskSetCommand.class})
final class VDiskCommand implements Callable<Integer> {
    static final Table TABLE = new Table(column("NAME", "name"), column("STORE", "store"),
            column("SIZE", "size"), column("MODE", "mode"),
            column("WRITE-CACHE", row -> Values.field(row, "writeCacheType") + " "
                    + Values.field(row, "writeCacheSize")),
            column("LOAD-BALANCING", "loadBalancing"), column("HIGH-AVAILABILITY", "highAvailability"),
            column("DEVICES", "devices"), column("COPIES", row -> Integer.toString(row.path("copies").size())));

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    @Command(name = "list", description = "List the farm's vDisks: store, size, properties, devices assigned, "
            + "copies (how many servers' stores hold it).")
    int list(@Mixin ApiOptions api) {
        try (ApiClient client = api.client()) {
            api.output().list(client.list("/vdisks", 0), TABLE);
        }
        return ExitStatus.OK;
    }

    @Command(name = "show", description = "Show one of the farm's vDisks, with the copy each server holds.")
    int show(@Mixin ApiOptions api, @Parameters(paramLabel = "NAME", description = "The vDisk's name.") String name) {
        try (ApiClient client = api.client()) {
            api.output().object(client.get("/vdisks/" + segment(name)));
        }
        return ExitStatus.OK;
    }

    /** Whom {@code vdisk assign} assigns to: devices, or a collection. */
    static final class Assignees {
        @Option(names = "--device", paramLabel = "MAC", required = true, split = ",",
                description = "A device's MAC address; repeat it, or separate them with commas.")
        List<String> devices;

        @Option(names = "--collection", paramLabel = "C", required = true,
                description = "Every device of collection C.")
        String collection;
    }

    @Command(name = "assign", description = "Assign a vDisk to devices, or to every device of a collection.")
    int assign(@Mixin ApiOptions api,
               @Parameters(paramLabel = "NAME", description = "The vDisk's name.") String name,
               @ArgGroup(multiplicity = "1") Assignees to) {
        ObjectNode body = ApiClient.object();
        if (to.devices != null) {
            to.devices.forEach(body.putArray("devices")::add);
        } else {
            body.put("collection", to.collection);
        }
        try (ApiClient client = api.client()) {
            JsonNode answer = client.post("/vdisks/" + segment(name) + "/assign", body);
            api.output().done("assigned vDisk " + name + " to " + answer.path("assigned").asInt() + " device(s)",
                    answer);
        }
        return ExitStatus.OK;
    }

    @Command(name = "remove", description = "Take a vDisk out of the farm; refused while devices are assigned to "
            + "it. Its files stay in the stores.")
    int remove(@Mixin ApiOptions api,
               @Parameters(paramLabel = "NAME", description = "The vDisk's name.") String name) {
        try (ApiClient client = api.client()) {
            client.delete("/vdisks/" + segment(name));
        }
        api.output().done("removed vDisk " + name + " from the farm (its files stay)");
        return ExitStatus.OK;
    }
}
