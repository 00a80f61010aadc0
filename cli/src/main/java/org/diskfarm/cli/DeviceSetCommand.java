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

/** {@code diskfarm device set MAC [options]}: changes a device (PATCH /api/v1/devices/MAC); only what is given. */
@Command(name = "set", description = "Change a device: only the options given change.")
final class DeviceSetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Parameters(paramLabel = "MAC", description = "The device's MAC address.")
    String mac;

    @Option(names = "--name", paramLabel = "NAME", description = "Its new name.")
    String name;

    @Option(names = "--vdisk", paramLabel = "V", description = "Assign vDisk V.")
    String vdisk;

    @Option(names = "--no-vdisk", description = "Assign no vDisk.")
    boolean noVdisk;

    @Option(names = "--collection", paramLabel = "C", description = "Move it into collection C.")
    String collection;

    @Option(names = "--no-collection", description = "Take it out of its collection.")
    boolean noCollection;

    @Option(names = "--description", paramLabel = "TEXT", description = "Free text for administrators.")
    String description;

    @Override
    public Integer call() {
        ObjectNode changes = changes();
        try (ApiClient client = api.client()) {
            api.output().changed("updated device " + mac, client.patch("/devices/" + ApiClient.segment(mac), changes));
        }
        return ExitStatus.OK;
    }

    /** The PATCH body: the fields given; null clears a vDisk or a collection. */
    private ObjectNode changes() {
        if (vdisk != null && noVdisk) {
            throw usage("--vdisk and --no-vdisk exclude each other");
        }
        if (collection != null && noCollection) {
            throw usage("--collection and --no-collection exclude each other");
        }
        ObjectNode changes = ApiClient.object();
        if (name != null) {
            changes.put("name", name);
        }
        if (description != null) {
            changes.put("description", description);
        }
        if (vdisk != null || noVdisk) {
            changes.put("vdisk", vdisk);
        }
        if (collection != null || noCollection) {
            changes.put("collection", collection);
        }
        if (changes.isEmpty()) {
            throw usage("Nothing to change: give --name, --vdisk, --no-vdisk, --collection, --no-collection or "
                    + "--description");
        }
        return changes;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
