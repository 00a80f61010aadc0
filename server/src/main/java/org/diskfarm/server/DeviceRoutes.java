package org.diskfarm.server;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.diskfarm.farm.Devices;
import org.diskfarm.farm.Farm;
import org.diskfarm.farm.FarmException;
import org.diskfarm.farm.MacAddress;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The API's target devices, and their boot event (docs/api.md). */
final class DeviceRoutes {
    private static final Set<String> NEW_FIELDS = Set.of("mac", "name", "description", "collection", "vdisk");

    private final FarmServer server;
    private final HttpApi api;
    private final Farm farm;

    DeviceRoutes(FarmServer server, HttpApi api) {
        this.server = server;
        this.api = api;
        this.farm = server.farm();
    }

    void register(HttpRouting.Builder r) {
        r.get("/api/v1/devices", api.api(this::list))
                .post("/api/v1/devices", api.api(this::add))
                .get("/api/v1/devices/{mac}", api.api(this::show))
                .patch("/api/v1/devices/{mac}", api.api(this::change))
                .delete("/api/v1/devices/{mac}", api.api(this::remove))
                .post("/api/v1/devices/{mac}/boot", api.api(this::boot));
    }

    private void list(ServerRequest request, ServerResponse response) {
        int[] window = ApiJson.window(request);
        ApiJson.page(request, response, farm.devices().list(ApiJson.param(request, "collection"),
                ApiJson.param(request, "vdisk"), window[0], window[1]), this::view);
    }

    private void show(ServerRequest request, ServerResponse response) {
        ApiJson.send(response, Status.OK_200, view(require(mac(request))));
    }

    /** One device (an object) or a classroom of them (an array), all or nothing. */
    private void add(ServerRequest request, ServerResponse response) {
        JsonNode body = ApiJson.body(request);
        List<Devices.New> devices = new ArrayList<>();
        if (body instanceof ArrayNode list) {
            int i = 0;
            for (JsonNode item : list) {
                devices.add(newDevice(ApiJson.object(item, "device " + ++i + " of " + list.size(), NEW_FIELDS)));
            }
        } else {
            devices.add(newDevice(ApiJson.object(body, "a device", NEW_FIELDS)));
        }
        List<Devices.Info> added = farm.devices().add(devices, ApiAccess.actor(request));
        if (body instanceof ArrayNode) {
            ArrayNode result = ApiJson.JSON.createArrayNode();
            added.forEach(d -> result.add(view(d)));
            ApiJson.created(response, null, result);
        } else {
            ApiJson.created(response, "/api/v1/devices/" + added.getFirst().mac(), view(added.getFirst()));
        }
    }

    private static Devices.New newDevice(ObjectNode node) {
        return new Devices.New(ApiJson.requiredText(node, "mac"), ApiJson.requiredText(node, "name"),
                ApiJson.text(node, "description"), ApiJson.text(node, "collection"), ApiJson.text(node, "vdisk"));
    }

    private void change(ServerRequest request, ServerResponse response) {
        MacAddress mac = mac(request);
        ObjectNode body = ApiJson.object(ApiJson.body(request), "a device change",
                Set.of("name", "description", "collection", "vdisk"));
        Devices.Info changed = farm.devices().update(mac, new Devices.Change(ApiJson.text(body, "name"),
                ApiJson.text(body, "description"), clearable(body, "collection"), clearable(body, "vdisk")),
                ApiAccess.actor(request));
        ApiJson.send(response, Status.OK_200, view(changed));
    }

    /** Absent: no change (null); JSON null: clear (empty); a string: set. */
    private static Optional<String> clearable(ObjectNode body, String field) {
        if (!body.has(field)) {
            return null;
        }
        return Optional.ofNullable(ApiJson.text(body, field));
    }

    private void remove(ServerRequest request, ServerResponse response) {
        farm.devices().remove(mac(request), ApiAccess.actor(request));
        ApiJson.noContent(response);
    }

    /**
     * The device's boot event: its write cache starts empty on every server of the farm, and the farm sees it booting.
     */
    private void boot(ServerRequest request, ServerResponse response) {
        Devices.Info device = require(mac(request));
        boolean dropped = server.bootEvent(device.mac()).cacheDropped();
        ObjectNode body = ApiJson.JSON.createObjectNode();
        body.put("mac", device.mac().toString());
        body.put("name", device.name());
        body.put("bootState", "booting");
        body.put("writeCacheDropped", dropped);
        ApiJson.send(response, Status.OK_200, body);
    }

    private ObjectNode view(Devices.Info device) {
        return ApiJson.device(device, server.caches().state(device.mac()).orElse(null));
    }

    private Devices.Info require(MacAddress mac) {
        return farm.devices().find(mac).orElseThrow(() -> new FarmException(FarmException.Kind.NOT_FOUND,
                "no device with MAC address " + mac));
    }

    private static MacAddress mac(ServerRequest request) {
        String text = request.path().pathParameters().get("mac");
        return MacAddress.tryParse(text).orElseThrow(() -> new ApiJson.BadRequest("not a MAC address: '" + text
                + "'"));
    }
}
