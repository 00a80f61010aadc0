package org.diskfarm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.concurrent.Callable;

/**
 * {@code diskfarm device boot MAC}: tells the server that the device booted, so that its write cache starts empty
 * (POST /api/v1/devices/MAC/boot). Until network boot exists, this is how a device's boot event happens.
 */
@Command(name = "boot",
        description = {"Mark a device's boot event: its Standard-mode write cache starts empty.",
                "Calls POST /api/v1/devices/MAC/boot on the server."})
final class DeviceBootCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Parameters(paramLabel = "MAC", description = "The device's MAC address, e.g. 52:54:00:12:34:56.")
    String mac;

    @Override
    public Integer call() {
        JsonNode answer;
        try (ApiClient client = api.client()) {
            answer = client.post("/devices/" + ApiClient.segment(mac) + "/boot", null);
        }
        boolean dropped = answer.path("writeCacheDropped").asBoolean(false);
        api.output().done("device " + answer.path("name").asString() + " (" + answer.path("mac").asString()
                + "): boot event recorded; " + (dropped ? "its write cache was dropped" : "it had no write cache"),
                answer);
        return ExitStatus.OK;
    }
}
