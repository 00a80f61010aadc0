package org.diskfarm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code diskfarm device boot MAC}: tells the server that the device booted, so that its write cache starts empty
 * (POST /api/v1/devices/MAC/boot). Until network boot exists, this is how a device's boot event happens.
 */
@Command(name = "boot",
        description = {"Mark a device's boot event: its Standard-mode write cache starts empty.",
                "Calls POST /api/v1/devices/MAC/boot on the server."})
final class DeviceBootCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(paramLabel = "MAC", description = "The device's MAC address, e.g. 52:54:00:12:34:56.")
    String mac;

    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "The server's HTTP API (default: ${DEFAULT-VALUE}).")
    String server;

    @Override
    public Integer call() throws InterruptedException {
        URI uri = URI.create(server.replaceAll("/+$", "") + "/api/v1/devices/" + mac + "/boot");
        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CommandFailure("cannot reach the server at " + server + " (is `diskfarm serve` running?)");
        } catch (IOException e) {
            throw new CommandFailure("request to " + uri + " failed: " + e.getMessage());
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() != 200) {
            String detail = body != null && body.hasNonNull("detail") ? body.get("detail").asString()
                    : "HTTP " + response.statusCode();
            throw new CommandFailure(uri + ": " + detail);
        }
        boolean dropped = body != null && body.path("writeCacheDropped").asBoolean(false);
        spec.commandLine().getOut().println("device " + body.path("name").asString() + " ("
                + body.path("mac").asString() + "): boot event recorded; "
                + (dropped ? "its write cache was dropped" : "it had no write cache"));
        return 0;
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
