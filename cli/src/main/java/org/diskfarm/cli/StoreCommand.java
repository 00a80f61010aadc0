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

/** {@code diskfarm store add|list|show|path|remove}: the folders that hold vDisk files, through the API. */
@Command(name = "store",
        description = {"The farm's stores: folders of vDisk files (NAME.vhd and NAME.pvp).",
                "A store has a default path and, for servers that see it elsewhere, each one's own path."})
final class StoreCommand implements Callable<Integer> {
    static final Table TABLE = new Table(column("NAME", "name"), column("PATH", "path"),
            column("SERVER-PATHS", row -> Integer.toString(row.path("paths").size())),
            column("DESCRIPTION", "description"));

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    @Command(name = "add", description = {"Add a store.",
            "PATH must be a writable folder on the server that gets the request; other servers may see the store "
                    + "at another path (store path)."})
    int add(@Mixin ApiOptions api,
            @Parameters(index = "0", paramLabel = "NAME", description = "The store's name.") String name,
            @Parameters(index = "1", paramLabel = "PATH", description = "Its folder (the default path).") String path,
            @Option(names = "--description", paramLabel = "TEXT", description = "Free text for administrators.")
            String description) {
        ObjectNode body = ApiClient.object().put("name", name).put("path", path);
        if (description != null) {
            body.put("description", description);
        }
        try (ApiClient client = api.client()) {
            api.output().changed("added store " + name, client.post("/stores", body));
        }
        return ExitStatus.OK;
    }

    @Command(name = "list", description = "List the stores: default path, how many servers have their own path.")
    int list(@Mixin ApiOptions api) {
        try (ApiClient client = api.client()) {
            api.output().list(client.list("/stores", 0), TABLE);
        }
        return ExitStatus.OK;
    }

    @Command(name = "show", description = "Show one store, with each server's own path.")
    int show(@Mixin ApiOptions api, @Parameters(paramLabel = "NAME", description = "The store's name.") String name) {
        try (ApiClient client = api.client()) {
            api.output().object(client.get("/stores/" + segment(name)));
        }
        return ExitStatus.OK;
    }

    @Command(name = "path", description = {"Set the path at which one server sees a store.",
            "The path is checked when SERVER is the server that gets the request."})
    int path(@Mixin ApiOptions api,
             @Parameters(index = "0", paramLabel = "NAME", description = "The store's name.") String name,
             @Parameters(index = "1", paramLabel = "SERVER", description = "The server's name.") String server,
             @Parameters(index = "2", paramLabel = "PATH", description = "The store's folder on that server.")
             String path) {
        try (ApiClient client = api.client()) {
            api.output().changed("store " + name + ": server " + server + " uses " + path,
                    client.put("/stores/" + segment(name) + "/paths/" + segment(server),
                            ApiClient.object().put("path", path)));
        }
        return ExitStatus.OK;
    }

    @Command(name = "remove", description = "Remove a store from the farm; refused while vDisks are in it. "
            + "Its files stay.")
    int remove(@Mixin ApiOptions api,
               @Parameters(paramLabel = "NAME", description = "The store's name.") String name) {
        try (ApiClient client = api.client()) {
            client.delete("/stores/" + segment(name));
        }
        api.output().done("removed store " + name);
        return ExitStatus.OK;
    }
}
