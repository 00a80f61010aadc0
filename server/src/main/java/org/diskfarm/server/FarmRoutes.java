package org.diskfarm.server;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.diskfarm.farm.Farm;
import org.diskfarm.farm.FarmException;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.farm.Servers;
import org.diskfarm.farm.Stores;
import org.diskfarm.farm.VDisks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The API's servers, stores, vDisks, collections, audit log and farm status (docs/api.md). */
final class FarmRoutes {
    private final FarmServer server;
    private final HttpApi api;
    private final Farm farm;

    FarmRoutes(FarmServer server, HttpApi api) {
        this.server = server;
        this.api = api;
        this.farm = server.farm();
    }

    void register(HttpRouting.Builder r) {
        r.get("/api/v1/farm", api.api(this::status))
                .get("/api/v1/servers", api.api(this::servers))
                .get("/api/v1/servers/{name}", api.api(this::server))
                .delete("/api/v1/servers/{name}", api.api(this::removeServer))
                .get("/api/v1/stores", api.api(this::stores))
                .post("/api/v1/stores", api.api(this::addStore))
                .get("/api/v1/stores/{name}", api.api(this::store))
                .put("/api/v1/stores/{name}/paths/{server}", api.api(this::storePath))
                .delete("/api/v1/stores/{name}", api.api(this::removeStore))
                .get("/api/v1/vdisks", api.api(this::vdisks))
                .get("/api/v1/vdisks/{name}", api.api(this::vdisk))
                .patch("/api/v1/vdisks/{name}", api.api(this::setVDisk))
                .post("/api/v1/vdisks/{name}/assign", api.api(this::assign))
                .delete("/api/v1/vdisks/{name}", api.api(this::removeVDisk))
                .get("/api/v1/collections", api.api(this::collections))
                .post("/api/v1/collections", api.api(this::addCollection))
                .get("/api/v1/collections/{name}", api.api(this::collection))
                .patch("/api/v1/collections/{name}", api.api(this::setCollection))
                .delete("/api/v1/collections/{name}", api.api(this::removeCollection))
                .post("/api/v1/collections/{name}/assign", api.api(this::assignCollection))
                .get("/api/v1/audit", api.api(this::audit));
    }

    private void status(ServerRequest request, ServerResponse response) {
        ObjectNode body = ApiJson.JSON.createObjectNode();
        body.put("server", server.name());
        ObjectNode db = body.putObject("database");
        db.put("kind", farm.db().kind());
        List<Servers.Info> servers = farm.servers().list();
        db.put("state", "up");
        ObjectNode counts = body.putObject("servers");
        counts.put("up", servers.stream().filter(Servers.Info::up).count());
        counts.put("down", servers.stream().filter(s -> !s.up()).count());
        body.put("stores", farm.stores().list().size());
        body.put("vdisks", farm.vdisks().list(1, 0).total());
        body.put("devices", farm.devices().list(null, null, 1, 0).total());
        body.put("collections", farm.collections().list().size());
        ApiJson.send(response, Status.OK_200, body);
    }

    private void servers(ServerRequest request, ServerResponse response) {
        ApiJson.page(request, response, ApiJson.slice(farm.servers().list(), ApiJson.window(request)),
                ApiJson::server);
    }

    private void server(ServerRequest request, ServerResponse response) {
        String name = name(request);
        ApiJson.send(response, Status.OK_200, ApiJson.server(farm.servers().find(name).orElseThrow(() ->
                new FarmException(FarmException.Kind.NOT_FOUND, "no server named " + name + " in the farm"))));
    }

    private void removeServer(ServerRequest request, ServerResponse response) {
        farm.servers().remove(name(request), ApiAccess.actor(request));
        ApiJson.noContent(response);
    }

    private void stores(ServerRequest request, ServerResponse response) {
        ApiJson.page(request, response, ApiJson.slice(farm.stores().list(), ApiJson.window(request)), ApiJson::store);
    }

    private void store(ServerRequest request, ServerResponse response) {
        String name = name(request);
        ApiJson.send(response, Status.OK_200, ApiJson.store(farm.stores().find(name).orElseThrow(() ->
                new FarmException(FarmException.Kind.NOT_FOUND, "no store named " + name))));
    }

    private void addStore(ServerRequest request, ServerResponse response) {
        ObjectNode body = ApiJson.object(ApiJson.body(request), "a store", Set.of("name", "path", "description"));
        Stores.Info store = farm.stores().add(ApiJson.requiredText(body, "name"), ApiJson.requiredText(body, "path"),
                ApiJson.text(body, "description"), this::checkFolder, ApiAccess.actor(request));
        server.scanNow();
        ApiJson.created(response, "/api/v1/stores/" + store.name(), ApiJson.store(store));
    }

    private void storePath(ServerRequest request, ServerResponse response) {
        ObjectNode body = ApiJson.object(ApiJson.body(request), "a store path", Set.of("path"));
        String target = request.path().pathParameters().get("server");
        Stores.Info store = farm.stores().setPath(name(request), target, ApiJson.requiredText(body, "path"),
                target.equals(server.name()) ? this::checkFolder : null, ApiAccess.actor(request));
        server.scanNow();
        ApiJson.send(response, Status.OK_200, ApiJson.store(store));
    }

    private void removeStore(ServerRequest request, ServerResponse response) {
        farm.stores().remove(name(request), ApiAccess.actor(request));
        ApiJson.noContent(response);
    }

    /** A store path must be an absolute path to a folder this server can write. */
    private void checkFolder(String text) {
        Path path = Path.of(text);
        if (!path.isAbsolute()) {
            throw new FarmException(FarmException.Kind.INVALID, "store path " + text + " is not absolute");
        }
        if (!Files.isDirectory(path)) {
            throw new FarmException(FarmException.Kind.INVALID, "store path " + text + " is not a folder on server "
                    + server.name());
        }
        try {
            Files.delete(Files.createTempFile(path, ".diskfarm-write-check", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new FarmException(FarmException.Kind.INVALID, "store path " + text + " is not writable on server "
                    + server.name() + ": " + e.getMessage());
        }
    }

    private void vdisks(ServerRequest request, ServerResponse response) {
        int[] window = ApiJson.window(request);
        ApiJson.page(request, response, farm.vdisks().list(window[0], window[1]), ApiJson::vdisk);
    }

    private void vdisk(ServerRequest request, ServerResponse response) {
        ApiJson.send(response, Status.OK_200, ApiJson.vdisk(requireVDisk(name(request))));
    }

    private void setVDisk(ServerRequest request, ServerResponse response) {
        ObjectNode body = ApiJson.object(ApiJson.body(request), "a vDisk change", Set.of("mode", "writeCacheType",
                "writeCacheSize", "loadBalancing", "highAvailability", "description"));
        VDisks.Info info = farm.vdisks().update(name(request), new VDisks.Change(ApiJson.text(body, "mode"),
                ApiJson.text(body, "writeCacheType"), ApiJson.size(body, "writeCacheSize"),
                ApiJson.bool(body, "loadBalancing"), ApiJson.bool(body, "highAvailability"),
                ApiJson.text(body, "description")), ApiAccess.actor(request));
        server.scanNow(); // this server's .pvp now; the others' at their next scan
        ApiJson.send(response, Status.OK_200, ApiJson.vdisk(info));
    }

    private void assign(ServerRequest request, ServerResponse response) {
        ObjectNode body = ApiJson.object(ApiJson.body(request), "an assignment", Set.of("devices", "collection"));
        String vdisk = name(request);
        String collection = ApiJson.text(body, "collection");
        JsonNode devices = body.get("devices");
        int assigned;
        if (collection != null && devices == null) {
            assigned = farm.devices().assignCollection(vdisk, collection, ApiAccess.actor(request));
        } else if (collection == null && devices instanceof ArrayNode list && !list.isEmpty()) {
            List<MacAddress> macs = new ArrayList<>();
            for (JsonNode item : list) {
                String text = item.isString() ? item.asString() : item.toString();
                macs.add(MacAddress.tryParse(text).orElseThrow(() -> new ApiJson.BadRequest(
                        "not a MAC address: '" + text + "'")));
            }
            assigned = farm.devices().assign(vdisk, macs, ApiAccess.actor(request));
        } else {
            throw new ApiJson.BadRequest("an assignment names either 'devices' (a list of MAC addresses) or "
                    + "'collection'");
        }
        ObjectNode result = ApiJson.JSON.createObjectNode();
        result.put("vdisk", vdisk);
        result.put("assigned", assigned);
        ApiJson.send(response, Status.OK_200, result);
    }

    private void removeVDisk(ServerRequest request, ServerResponse response) {
        farm.vdisks().remove(name(request), ApiAccess.actor(request));
        server.scanNow();
        ApiJson.noContent(response);
    }

    private void collections(ServerRequest request, ServerResponse response) {
        ApiJson.page(request, response, ApiJson.slice(farm.collections().list(), ApiJson.window(request)),
                ApiJson::collection);
    }

    private void collection(ServerRequest request, ServerResponse response) {
        String name = name(request);
        ApiJson.send(response, Status.OK_200, ApiJson.collection(farm.collections().find(name).orElseThrow(() ->
                new FarmException(FarmException.Kind.NOT_FOUND, "no collection named " + name))));
    }

    private void addCollection(ServerRequest request, ServerResponse response) {
        ObjectNode body = ApiJson.object(ApiJson.body(request), "a collection", Set.of("name", "description"));
        var added = farm.collections().add(ApiJson.requiredText(body, "name"), ApiJson.text(body, "description"),
                ApiAccess.actor(request));
        ApiJson.created(response, "/api/v1/collections/" + added.name(), ApiJson.collection(added));
    }

    private void setCollection(ServerRequest request, ServerResponse response) {
        ObjectNode body = ApiJson.object(ApiJson.body(request), "a collection change", Set.of("description"));
        String description = ApiJson.text(body, "description");
        if (description == null) {
            throw new ApiJson.BadRequest("field 'description' is required");
        }
        ApiJson.send(response, Status.OK_200, ApiJson.collection(farm.collections().update(name(request),
                description, ApiAccess.actor(request))));
    }

    private void removeCollection(ServerRequest request, ServerResponse response) {
        farm.collections().remove(name(request), ApiAccess.actor(request));
        ApiJson.noContent(response);
    }

    private void assignCollection(ServerRequest request, ServerResponse response) {
        ObjectNode body = ApiJson.object(ApiJson.body(request), "an assignment", Set.of("vdisk"));
        String vdisk = ApiJson.requiredText(body, "vdisk");
        int assigned = farm.devices().assignCollection(vdisk, name(request), ApiAccess.actor(request));
        ObjectNode result = ApiJson.JSON.createObjectNode();
        result.put("vdisk", vdisk);
        result.put("assigned", assigned);
        ApiJson.send(response, Status.OK_200, result);
    }

    private void audit(ServerRequest request, ServerResponse response) {
        int[] window = ApiJson.window(request);
        ApiJson.page(request, response, farm.audit().list(window[0], window[1]), ApiJson::audit);
    }

    private VDisks.Info requireVDisk(String name) {
        return farm.vdisks().find(name).orElseThrow(() -> new FarmException(FarmException.Kind.NOT_FOUND,
                "no vDisk named " + name + " in the farm"));
    }

    private static String name(ServerRequest request) {
        return request.path().pathParameters().get("name");
    }
}
