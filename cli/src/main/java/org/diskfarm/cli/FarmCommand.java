package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code diskfarm farm status}: the farm at a glance, from the server that answers. */
@Command(name = "farm", description = "The farm as a whole.")
final class FarmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    @Command(name = "status", description = {"The farm at a glance: the server that answered, the farm database "
            + "(kind and state), servers up and down, and how many stores, vDisks, devices and collections."})
    int status(@Mixin ApiOptions api) {
        JsonNode farm;
        try (ApiClient client = api.client()) {
            farm = client.get("/farm");
        }
        Output output = api.output();
        if (output.json()) {
            output.object(farm);
            return ExitStatus.OK;
        }
        PrintWriter out = output.writer();
        line(out, "server", Values.field(farm, "server"));
        JsonNode database = farm.path("database");
        line(out, "database", Values.field(database, "kind") + ", " + Values.field(database, "state"));
        JsonNode servers = farm.path("servers");
        line(out, "servers", Values.field(servers, "up") + " up, " + Values.field(servers, "down") + " down");
        for (String count : new String[] {"stores", "vdisks", "devices", "collections"}) {
            line(out, count.equals("vdisks") ? "vDisks" : count, Values.field(farm, count));
        }
        return ExitStatus.OK;
    }

    private static void line(PrintWriter out, String label, String value) {
        out.println(String.format("%-13s%s", label + ":", value));
    }
}
