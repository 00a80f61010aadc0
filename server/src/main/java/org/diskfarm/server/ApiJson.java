package org.diskfarm.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.diskfarm.farm.AuditLog;
import org.diskfarm.farm.Collections;
import org.diskfarm.farm.Devices;
import org.diskfarm.farm.Page;
import org.diskfarm.farm.Servers;
import org.diskfarm.farm.Stores;
import org.diskfarm.farm.VDisks;
import org.diskfarm.store.ByteSize;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON side of the API (docs/api.md): request bodies read strictly (unknown fields and wrong types are a 400
 * naming the field), the farm's objects as JSON with the field names of the contract, paging, and problem details.
 */
final class ApiJson {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A request the API cannot take as it is: a 400 with this one line. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    private ApiJson() {
    }

    // ---- requests

    /** The body as a JSON value; empty bodies and broken JSON are a 400. */
    static JsonNode body(ServerRequest request) {
        String text = request.content().hasEntity() ? request.content().as(String.class) : "";
        if (text.isBlank()) {
            throw new BadRequest("the request needs a JSON body");
        }
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw new BadRequest("the request body is not valid JSON: " + firstLine(e.getOriginalMessage()));
        }
    }

    /** The body as an object with only {@code allowed} fields. */
    static ObjectNode object(JsonNode node, String what, Set<String> allowed) {
        if (!(node instanceof ObjectNode object)) {
            throw new BadRequest(what + " must be a JSON object");
        }
        for (Iterator<String> names = object.propertyNames().iterator(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new BadRequest(what + ": unknown field '" + name + "' (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        return object;
    }

    /** A text field, or null if absent (or JSON null when {@code nullable}). */
    static String text(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new BadRequest("field '" + field + "' must be a string");
        }
        return value.asString();
    }

    static String requiredText(ObjectNode body, String field) {
        String value = text(body, field);
        if (value == null || value.isBlank()) {
            throw new BadRequest("field '" + field + "' is required");
        }
        return value;
    }

    static Boolean bool(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw new BadRequest("field '" + field + "' must be true or false");
        }
        return value.asBoolean();
    }

    /** A size: a whole number of bytes, or a string with a unit ({@code "2G"}). */
    static Long size(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value.isString()) {
            try {
                return ByteSize.parse(value.asString());
            } catch (RuntimeException e) {
                throw new BadRequest("field '" + field + "': " + e.getMessage());
            }
        }
        throw new BadRequest("field '" + field + "' must be a number of bytes or a size such as \"2G\"");
    }

    /** {@code ?limit=&offset=}, checked. */
    static int[] window(ServerRequest request) {
        return new int[] {intParam(request, "limit", Page.DEFAULT_LIMIT), intParam(request, "offset", 0)};
    }

    private static int intParam(ServerRequest request, String name, int fallback) {
        if (!request.query().contains(name)) {
            return fallback;
        }
        String text = request.query().get(name);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new BadRequest("query parameter " + name + " must be a whole number: '" + text + "'");
        }
    }

    static String param(ServerRequest request, String name) {
        return request.query().contains(name) ? request.query().get(name) : null;
    }

    // ---- responses

    static void send(ServerResponse response, Status status, JsonNode body) {
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
    }

    static void created(ServerResponse response, String location, JsonNode body) {
        if (location != null) {
            response.header(HeaderNames.LOCATION, location);
        }
        send(response, Status.CREATED_201, body);
    }

    static void noContent(ServerResponse response) {
        response.status(Status.NO_CONTENT_204);
        response.send();
    }

    /** RFC 9457 problem details. */
    static void problem(ServerResponse response, Status status, String detail) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "about:blank");
        body.put("title", status.reasonPhrase());
        body.put("status", status.code());
        body.put("detail", detail);
        response.status(status);
        if (status == Status.UNAUTHORIZED_401) {
            response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"diskfarm\"");
        }
        response.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
        response.send(JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
    }

    /** One page as a JSON array, with X-Total-Count and a Link to the next page. */
    static <T> void page(ServerRequest request, ServerResponse response, Page<T> page, Function<T, JsonNode> view) {
        ArrayNode list = JSON.createArrayNode();
        for (T item : page.items()) {
            list.add(view.apply(item));
        }
        response.header("X-Total-Count", Long.toString(page.total()));
        if (page.hasNext()) {
            StringBuilder next = new StringBuilder(request.path().path()).append("?limit=").append(page.limit())
                    .append("&offset=").append(page.offset() + page.items().size());
            for (String name : request.query().names()) {
                if (!name.equals("limit") && !name.equals("offset")) {
                    next.append('&').append(name).append('=').append(java.net.URLEncoder.encode(
                            request.query().get(name), StandardCharsets.UTF_8));
                }
            }
            response.header("Link", "<" + next + ">; rel=\"next\"");
        }
        send(response, Status.OK_200, list);
    }

    /** A page of a list held in memory. */
    static <T> Page<T> slice(List<T> all, int[] window) {
        Page.check(window[0], window[1]);
        int from = Math.min(window[1], all.size());
        int to = Math.min(all.size(), from + window[0]);
        return new Page<>(all.subList(from, to), all.size(), window[0], window[1]);
    }

    // ---- the farm's objects

    static ObjectNode server(Servers.Info s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", s.name());
        n.put("address", s.address());
        n.put("nbdPort", s.nbdPort());
        n.put("iscsiPort", s.iscsiPort());
        n.put("httpPort", s.httpPort());
        n.put("state", s.state());
        n.put("devices", s.devices());
        n.put("bytesRead", s.bytesRead());
        n.put("bytesWritten", s.bytesWritten());
        n.put("startedAt", s.startedAt().toString());
        n.put("lastHeartbeat", s.lastHeartbeat().toString());
        n.put("leaseSeconds", s.leaseMillis() / 1000.0);
        return n;
    }

    static ObjectNode store(Stores.Info s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", s.name());
        n.put("path", s.path());
        n.put("description", s.description());
        ArrayNode paths = n.putArray("paths");
        for (Stores.ServerPath p : s.paths()) {
            paths.addObject().put("server", p.server()).put("path", p.path());
        }
        return n;
    }

    static ObjectNode vdisk(VDisks.Info v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", v.name());
        n.put("store", v.store());
        n.put("size", v.size());
        n.put("mode", v.properties().mode());
        n.put("writeCacheType", v.properties().writeCacheType());
        n.put("writeCacheSize", v.properties().writeCacheSize());
        n.put("loadBalancing", v.properties().loadBalancing());
        n.put("highAvailability", v.properties().highAvailability());
        n.put("description", v.properties().description());
        n.put("devices", v.devices());
        ArrayNode copies = n.putArray("copies");
        for (VDisks.Copy c : v.copies()) {
            ObjectNode copy = copies.addObject();
            copy.put("server", c.server());
            copy.put("version", c.version());
            copy.put("size", c.size());
            copy.put("contentHash", c.contentHash());
            copy.put("scannedAt", c.scannedAt().toString());
            copy.put("modifiedAt", c.modifiedAt().toString());
        }
        return n;
    }

    static ObjectNode device(Devices.Info d, DeviceCaches.CacheState cache) {
        ObjectNode n = JSON.createObjectNode();
        n.put("mac", d.mac().toString());
        n.put("name", d.name());
        n.put("description", d.description());
        n.put("collection", d.collection());
        n.put("vdisk", d.vdisk());
        n.put("bootState", d.bootState());
        n.put("servedBy", d.servedBy());
        n.put("lastSeen", time(d.lastSeen()));
        if (cache == null) {
            n.putNull("writeCache");
        } else {
            ObjectNode c = n.putObject("writeCache");
            c.put("type", cache.type().label());
            c.put("vdisk", cache.vdisk());
            c.put("usedBytes", cache.usedBytes());
            c.put("capacityBytes", cache.capacityBytes());
            c.put("created", cache.created().toString());
        }
        return n;
    }

    static ObjectNode collection(Collections.Info c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", c.name());
        n.put("description", c.description());
        n.put("devices", c.devices());
        return n;
    }

    static ObjectNode audit(AuditLog.Entry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", e.id());
        n.put("at", e.at().toString());
        n.put("actor", e.actor());
        n.put("action", e.action());
        n.put("subject", e.subject());
        n.put("detail", e.detail());
        return n;
    }

    private static String time(Instant at) {
        return at == null ? null : at.toString();
    }

    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }
}
