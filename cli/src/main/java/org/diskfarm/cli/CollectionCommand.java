package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

import java.util.concurrent.Callable;

import static org.diskfarm.cli.ApiClient.segment;
import static org.diskfarm.cli.Table.column;

/** {@code diskfarm collection add|list|show|set|remove|assign}: groups of devices, such as a classroom. */
@Command(name = "collection",
        description = "The farm's collections: named groups of devices (a classroom), assigned a vDisk together.")
final class CollectionCommand implements Callable<Integer> {
    static final Table TABLE = new Table(column("NAME", "name"), column("DEVICES", "devices"),
            column("DESCRIPTION", "description"));

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    @Command(name = "add", description = "Add a collection (devices join it with device add/set --collection).")
    int add(@Mixin ApiOptions api,
            @Parameters(paramLabel = "NAME", description = "The collection's name.") String name,
            @Option(names = "--description", paramLabel = "TEXT", description = "Free text for administrators.")
            String description) {
        ObjectNode body = ApiClient.object().put("name", name);
        if (description != null) {
            body.put("description", description);
        }
        try (ApiClient client = api.client()) {
            api.output().changed("added collection " + name, client.post("/collections", body));
        }
        return ExitStatus.OK;
    }

    @Command(name = "list", description = "List the collections and how many devices each holds.")
    int list(@Mixin ApiOptions api) {
        try (ApiClient client = api.client()) {
            api.output().list(client.list("/collections", 0), TABLE);
        }
        return ExitStatus.OK;
    }

    @Command(name = "show", description = "Show one collection (its devices: device list --collection NAME).")
    int show(@Mixin ApiOptions api,
             @Parameters(paramLabel = "NAME", description = "The collection's name.") String name) {
        try (ApiClient client = api.client()) {
            api.output().object(client.get("/collections/" + segment(name)));
        }
        return ExitStatus.OK;
    }

    @Command(name = "set", description = "Change a collection's description.")
    int set(@Mixin ApiOptions api,
            @Parameters(paramLabel = "NAME", description = "The collection's name.") String name,
            @Option(names = "--description", paramLabel = "TEXT", required = true,
                    description = "Free text for administrators.") String description) {
        try (ApiClient client = api.client()) {
            api.output().changed("updated collection " + name, client.patch("/collections/" + segment(name),
                    ApiClient.object().put("description", description)));
        }
        return ExitStatus.OK;
    }

    @Command(name = "remove", description = "Remove a collection; refused while devices are in it.")
    int remove(@Mixin ApiOptions api,
               @Parameters(paramLabel = "NAME", description = "The collection's name.") String name) {
        try (ApiClient client = api.client()) {
            client.delete("/collections/" + segment(name));
        }
        api.output().done("removed collection " + name);
        return ExitStatus.OK;
    }

    @Command(name = "assign", description = "Assign a vDisk to every device of a collection.")
    int assign(@Mixin ApiOptions api,
               @Parameters(paramLabel = "NAME", description = "The collection's name.") String name,
               @Option(names = "--vdisk", paramLabel = "VDISK", required = true, description = "The vDisk's name.")
               String vdisk) {
        try (ApiClient client = api.client()) {
            var answer = client.post("/collections/" + segment(name) + "/assign",
                    ApiClient.object().put("vdisk", vdisk));
            api.output().done("assigned vDisk " + vdisk + " to " + answer.path("assigned").asInt()
                    + " device(s) of collection " + name, answer);
        }
        return ExitStatus.OK;
    }
}
