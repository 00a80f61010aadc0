package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

import static org.diskfarm.cli.ApiClient.segment;
import static org.diskfarm.cli.Table.column;

/** {@code diskfarm server list|show|remove}: the farm's servers, as the farm database knows them. */
@Command(name = "server",
        description = "The farm's servers: each one that ran `diskfarm serve` on this farm database, up or down.")
final class ServerCommand implements Callable<Integer> {
    static final Table TABLE = new Table(column("NAME", "name"), column("ADDRESS", "address"),
            column("STATE", "state"), column("DEVICES", "devices"), column("LAST-HEARTBEAT", "lastHeartbeat"));

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    @Command(name = "list", description = "List the servers: state (up while its heartbeat is fresh), devices "
            + "connected now, last heartbeat.")
    int list(@Mixin ApiOptions api) {
        try (ApiClient client = api.client()) {
            api.output().list(client.list("/servers", 0), TABLE);
        }
        return ExitStatus.OK;
    }

    @Command(name = "show", description = "Show one server: address, ports, state, devices, bytes served, times.")
    int show(@Mixin ApiOptions api, @Parameters(paramLabel = "NAME", description = "The server's name.") String name) {
        try (ApiClient client = api.client()) {
            api.output().object(client.get("/servers/" + segment(name)));
        }
        return ExitStatus.OK;
    }

    @Command(name = "remove", description = "Forget a server that is down; one that is up cannot be removed.")
    int remove(@Mixin ApiOptions api,
               @Parameters(paramLabel = "NAME", description = "The server's name.") String name) {
        try (ApiClient client = api.client()) {
            client.delete("/servers/" + segment(name));
        }
        api.output().done("removed server " + name);
        return ExitStatus.OK;
    }
}
