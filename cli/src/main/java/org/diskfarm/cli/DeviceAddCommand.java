package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code diskfarm device add MAC NAME [options]} or {@code diskfarm device add --csv FILE [options]}: adds one device,
 * or a classroom of them in one request, so that the server adds them all or none (POST /api/v1/devices).
 */
@Command(name = "add",
        description = {"Add a device, or every device of a CSV file in one request: all of them or none.",
                "The CSV file's header names its columns in any order: mac and name, and optionally vdisk, "
                        + "collection and description. Blank lines and lines starting with # are skipped. "
                        + "With --csv, --vdisk, --collection and --description fill the rows that leave them empty."})
final class DeviceAddCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MAC", description = "The device's MAC address.")
    String mac;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Its name, e.g. its host name.")
    String name;

    @Option(names = "--csv", paramLabel = "FILE", description = "Add the devices listed in FILE instead.")
    Path csv;

    @Option(names = "--vdisk", paramLabel = "V", description = "Assign vDisk V.")
    String vdisk;

    @Option(names = "--collection", paramLabel = "C", description = "Put it in collection C.")
    String collection;

    @Option(names = "--description", paramLabel = "TEXT", description = "Free text for administrators.")
    String description;

    @Override
    public Integer call() {
        if (csv != null && mac != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Give MAC NAME or --csv FILE, not both");
        }
        if (csv == null && name == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing " + (mac == null ? "MAC and " : "")
                    + "NAME (or --csv FILE)");
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("vdisk", vdisk);
        defaults.put("collection", collection);
        defaults.put("description", description);
        if (csv != null) {
            ArrayNode devices = DeviceCsv.read(csv, defaults);
            try (ApiClient client = api.client()) {
                JsonNode added = client.post("/devices", devices);
                api.output().changed("added " + added.size() + " device(s) from " + csv, added, DeviceCommand.TABLE);
            }
            return ExitStatus.OK;
        }
        ObjectNode device = ApiClient.object().put("mac", mac).put("name", name);
        defaults.forEach((field, value) -> {
            if (value != null) {
                device.put(field, value);
            }
        });
        try (ApiClient client = api.client()) {
            api.output().changed("added device " + name + " (" + mac + ")", client.post("/devices", device));
        }
        return ExitStatus.OK;
    }
}
