package org.diskfarm.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.farm.TargetDevice;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server's HTTP API, the first few endpoints of what the farm issue completes (JSON; errors as RFC 9457 problem
 * details):
 * <ul>
 *   <li>{@code GET /api/v1/health}: the server is up, its name, its open NBD connections;</li>
 *   <li>{@code GET /api/v1/vdisks}: the vDisks of the store with mode, cache type and lock holder;</li>
 *   <li>{@code GET /api/v1/devices}, {@code GET /api/v1/devices/{mac}}: devices, their vDisk and write cache use;</li>
 *   <li>{@code POST /api/v1/devices/{mac}/boot}: the device's boot event (its write cache starts empty).</li>
 * </ul>
 * Until the farm issue brings API tokens, requests that change anything are accepted from loopback addresses only.
 *
 * <p>Runs on Helidon SE (a virtual thread per request); handlers are plain blocking code.
 */
final class HttpApi implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final FarmServer server;
    private final WebServer web;

    HttpApi(FarmServer server, String host, int port) {
        this.server = server;
        this.web = WebServer.builder()
                .host(host)
                .port(port)
                .routing(this::routes)
                .build()
                .start();
        LOG.log(System.Logger.Level.INFO, "HTTP API listening on {0}:{1}", host, Integer.toString(web.port()));
    }

    int port() {
        return web.port();
    }

    private void routes(HttpRouting.Builder routing) {
        routing.get("/api/v1/health", this::health)
                .get("/api/v1/vdisks", this::vdisks)
                .get("/api/v1/devices", this::devices)
                .get("/api/v1/devices/{mac}", this::device)
                .post("/api/v1/devices/{mac}/boot", this::boot)
                .any(this::notFound);
    }

    private void health(ServerRequest request, ServerResponse response) {
        ObjectNode body = JSON.createObjectNode();
        body.put("status", "up");
        body.put("server", server.name());
        body.put("nbdConnections", server.nbdConnections());
        body.put("iscsiConnections", server.iscsiConnections());
        send(response, Status.OK_200, body);
    }

    private void vdisks(ServerRequest request, ServerResponse response) {
        ArrayNode list = JSON.createArrayNode();
        for (FarmServer.VDiskState vdisk : server.vdisks()) {
            ObjectNode node = list.addObject();
            node.put("name", vdisk.name());
            node.put("mode", vdisk.mode());
            node.put("writeCacheType", vdisk.writeCacheType());
            node.put("writeCacheSize", vdisk.writeCacheSize());
            node.put("size", vdisk.size());
            if (vdisk.error() != null) {
                node.put("error", vdisk.error());
            }
            if (vdisk.lockHolder() != null) {
                node.put("lockedBy", vdisk.lockHolder());
            }
        }
        send(response, Status.OK_200, list);
    }

    private void devices(ServerRequest request, ServerResponse response) {
        ArrayNode list = JSON.createArrayNode();
        for (TargetDevice device : server.devices().all()) {
            list.add(device(device));
        }
        send(response, Status.OK_200, list);
    }

    private void device(ServerRequest request, ServerResponse response) {
        Optional<TargetDevice> device = findDevice(request, response);
        device.ifPresent(found -> send(response, Status.OK_200, device(found)));
    }

    private ObjectNode device(TargetDevice device) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mac", device.mac().toString());
        node.put("name", device.name());
        node.put("vdisk", device.vdisk());
        server.caches().state(device.mac()).ifPresentOrElse(cache -> {
            ObjectNode c = node.putObject("writeCache");
            c.put("type", cache.type().label());
            c.put("vdisk", cache.vdisk());
            c.put("usedBytes", cache.usedBytes());
            c.put("capacityBytes", cache.capacityBytes());
            c.put("created", cache.created().toString());
        }, () -> node.putNull("writeCache"));
        return node;
    }

    private void boot(ServerRequest request, ServerResponse response) {
        if (!fromLoopback(request)) {
            problem(response, Status.FORBIDDEN_403, "changes are accepted from this server's loopback address only "
                    + "until API tokens exist");
            return;
        }
        Optional<TargetDevice> device = findDevice(request, response);
        if (device.isEmpty()) {
            return;
        }
        boolean dropped = server.caches().bootEvent(device.get().mac());
        ObjectNode body = JSON.createObjectNode();
        body.put("mac", device.get().mac().toString());
        body.put("name", device.get().name());
        body.put("writeCacheDropped", dropped);
        send(response, Status.OK_200, body);
    }

    private Optional<TargetDevice> findDevice(ServerRequest request, ServerResponse response) {
        String text = request.path().pathParameters().get("mac");
        Optional<MacAddress> mac = MacAddress.tryParse(text);
        if (mac.isEmpty()) {
            problem(response, Status.BAD_REQUEST_400, "not a MAC address: '" + text + "'");
            return Optional.empty();
        }
        Optional<TargetDevice> device = server.devices().find(mac.get());
        if (device.isEmpty()) {
            problem(response, Status.NOT_FOUND_404, "no device with MAC address " + mac.get());
        }
        return device;
    }

    private void notFound(ServerRequest request, ServerResponse response) {
        problem(response, Status.NOT_FOUND_404, "no such endpoint: " + request.prologue().method().text() + " "
                + request.path().path());
    }

    private static boolean fromLoopback(ServerRequest request) {
        return request.remotePeer().address() instanceof InetSocketAddress inet
                && inet.getAddress().isLoopbackAddress();
    }

    private static void problem(ServerResponse response, Status status, String detail) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "about:blank");
        body.put("title", status.reasonPhrase());
        body.put("status", status.code());
        body.put("detail", detail);
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
        response.send(JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(ServerResponse response, Status status, JsonNode body) {
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        web.stop();
    }
}
