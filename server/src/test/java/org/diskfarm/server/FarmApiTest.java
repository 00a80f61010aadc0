package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The farm's REST API on one server with the embedded database: every resource of docs/api.md, its status codes,
 * paging, tokens, the audit log, and bad input that changes nothing.
 */
class FarmApiTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private ServerFixture farm;

    @BeforeEach
    void start() {
        farm = new ServerFixture();
        farm.vdisk("lab", VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD), 1);
        farm.vdisk("gold", VDiskProperties.DEFAULTS, 2);
        farm.start();
    }

    @AfterEach
    void stop() {
        farm.close();
    }

    @Test
    void aClassroomIsAddedAssignedAndChangedThroughTheApi() {
        expect(farm.call("POST", "/api/v1/collections", "{\"name\":\"room1\",\"description\":\"first floor\"}"), 201);
        StringBuilder room = new StringBuilder("[");
        for (int i = 1; i <= 30; i++) {
            room.append(i > 1 ? "," : "").append(String.format(
                    "{\"mac\":\"52:54:00:00:10:%02x\",\"name\":\"room1-pc%02d\",\"collection\":\"room1\"}", i, i));
        }
        HttpResponse<String> added = farm.call("POST", "/api/v1/devices", room.append("]").toString());
        expect(added, 201);
        assertThat(json(added).size()).isEqualTo(30);

        HttpResponse<String> assigned = farm.call("POST", "/api/v1/collections/room1/assign", "{\"vdisk\":\"lab\"}");
        assertThat(json(expect(assigned, 200)).path("assigned").asInt()).isEqualTo(30);

        HttpResponse<String> page = farm.get("/api/v1/devices?collection=room1&limit=12&offset=12");
        expect(page, 200);
        assertThat(page.headers().firstValue("X-Total-Count")).hasValue("30");
        assertThat(page.headers().firstValue("Link")).hasValue(
                "</api/v1/devices?limit=12&offset=24&collection=room1>; rel=\"next\"");
        assertThat(json(page).get(0).path("name").asString()).isEqualTo("room1-pc13");
        assertThat(json(page).get(0).path("vdisk").asString()).isEqualTo("lab");
        HttpResponse<String> last = farm.get("/api/v1/devices?collection=room1&limit=12&offset=24");
        assertThat(last.headers().firstValue("Link")).isEmpty();
        assertThat(json(last).size()).isEqualTo(6);

        HttpResponse<String> moved = farm.call("PATCH", "/api/v1/devices/52:54:00:00:10:01",
                "{\"name\":\"teacher\",\"vdisk\":\"gold\",\"collection\":null}");
        JsonNode teacher = json(expect(moved, 200));
        assertThat(teacher.path("name").asString()).isEqualTo("teacher");
        assertThat(teacher.path("collection").isNull()).isTrue();
        assertThat(json(farm.get("/api/v1/collections/room1")).path("devices").asInt()).isEqualTo(29);
        assertThat(json(farm.get("/api/v1/vdisks/lab")).path("devices").asInt()).isEqualTo(29);

        expect(farm.call("DELETE", "/api/v1/devices/52:54:00:00:10:01", null), 204);
        expect(farm.get("/api/v1/devices/52:54:00:00:10:01"), 404);

        JsonNode audit = json(farm.get("/api/v1/audit?limit=3"));
        assertThat(audit.get(0).path("action").asString()).isEqualTo("device.remove");
        assertThat(audit.get(0).path("actor").asString()).isEqualTo("admin@127.0.0.1");
        assertThat(audit.get(1).path("action").asString()).isEqualTo("device.set");
        assertThat(audit.get(1).path("detail").asString()).isEqualTo("name room1-pc01 -> teacher, vDisk lab -> gold, "
                + "collection room1 -> null");
    }

    @Test
    void aVDiskChangeReachesItsPropertiesFileAndItsNextConnection() throws Exception {
        HttpResponse<String> changed = farm.call("PATCH", "/api/v1/vdisks/gold",
                "{\"mode\":\"standard\",\"writeCacheType\":\"ram\",\"writeCacheSize\":\"256M\",\"loadBalancing\":true,"
                        + "\"description\":\"golden image\"}");
        JsonNode gold = json(expect(changed, 200));
        assertThat(gold.path("mode").asString()).isEqualTo("standard");
        assertThat(gold.path("writeCacheSize").asLong()).isEqualTo(256L << 20);
        VDiskProperties onDisk = VDiskProperties.read(farm.store().resolve("gold.pvp"));
        assertThat(onDisk.mode()).isEqualTo(VDiskMode.STANDARD);
        assertThat(onDisk.writeCacheSize()).isEqualTo(256L << 20);
        assertThat(onDisk.loadBalancing()).isTrue();
        assertThat(onDisk.description()).isEqualTo("golden image");
        assertThat(ServerFixture.run("nbdinfo", farm.uri("gold"))).contains("is_read_only: true");

        // The copies the scan found, with the content hash computed in the background.
        JsonNode copies = json(farm.get("/api/v1/vdisks/lab")).path("copies");
        assertThat(copies.size()).isEqualTo(1);
        assertThat(copies.get(0).path("server").asString()).isEqualTo("test-server");
        String hash = null;
        for (int i = 0; i < 600 && hash == null; i++) {
            JsonNode copy = json(farm.get("/api/v1/vdisks/lab")).path("copies").get(0);
            hash = copy.path("contentHash").isString() ? copy.path("contentHash").asString() : null;
            Thread.sleep(100);
        }
        assertThat(hash).startsWith("sha256:");
    }

    @Test
    void badInputIsRefusedWithTheRightStatusAndChangesNothing() throws Exception {
        farm.call("POST", "/api/v1/devices", "{\"mac\":\"52:54:00:00:00:01\",\"name\":\"pc01\",\"vdisk\":\"lab\"}");
        int entries = auditCount();
        Path file = Files.createFile(farm.data.resolve("not-a-folder"));
        Object[][] cases = {
            {"POST", "/api/v1/devices", "{\"mac\":\"52:54:00:00:00\",\"name\":\"x\"}", 400,
                "not a MAC address: '52:54:00:00:00'"},
            {"POST", "/api/v1/devices", "{\"mac\":\"52:54:00:00:00:01\",\"name\":\"pc09\"}", 409,
                "MAC address 52:54:00:00:00:01 is device pc01 already"},
            {"POST", "/api/v1/devices", "{\"mac\":\"52:54:00:00:00:02\",\"name\":\"pc01\"}", 409,
                "a device named pc01 exists already"},
            {"POST", "/api/v1/devices", "{\"mac\":\"52:54:00:00:00:02\",\"name\":\"pc02\",\"vdisk\":\"nope\"}", 404,
                "no vDisk named nope in the farm"},
            {"POST", "/api/v1/devices", "{\"mac\":\"52:54:00:00:00:02\",\"name\":\"pc02\",\"colour\":\"red\"}", 400,
                "a device: unknown field 'colour' (allowed: collection, description, mac, name, vdisk)"},
            {"POST", "/api/v1/devices", "{\"mac\":", 400, "the request body is not valid JSON"},
            {"DELETE", "/api/v1/vdisks/lab", null, 409,
                "vDisk lab is assigned to 1 device(s); assign them another vDisk first"},
            {"PATCH", "/api/v1/vdisks/lab", "{\"mode\":\"shared\"}", 400,
                "mode must be private or standard, not 'shared'"},
            {"POST", "/api/v1/stores", "{\"name\":\"extra\",\"path\":\"/nonexistent/store\"}", 400,
                "store path /nonexistent/store is not a folder on server test-server"},
            {"POST", "/api/v1/stores", "{\"name\":\"extra\",\"path\":\"" + file + "\"}", 400,
                "store path " + file + " is not a folder on server test-server"},
            {"POST", "/api/v1/stores", "{\"name\":\"extra\",\"path\":\"/proc/self\"}", 400,
                "store path /proc/self is not writable on server test-server"},
            {"POST", "/api/v1/stores", "{\"name\":\"extra\",\"path\":\"relative/store\"}", 400,
                "store path relative/store is not absolute"},
            {"DELETE", "/api/v1/servers/test-server", null, 409, "server test-server is up"},
            {"GET", "/api/v1/devices?limit=5000", null, 400, "limit must be 1 to 1000: 5000"},
            {"GET", "/api/v1/devices?offset=x", null, 400, "query parameter offset must be a whole number: 'x'"},
            {"POST", "/api/v1/vdisks/lab/assign", "{\"devices\":[\"52:54:00:00:00:09\"]}", 404,
                "no device with MAC address 52:54:00:00:00:09"},
        };
        for (Object[] c : cases) {
            HttpResponse<String> response = farm.call((String) c[0], (String) c[1], (String) c[2]);
            assertThat(response.statusCode()).as(c[0] + " " + c[1] + " " + c[2] + ": " + response.body())
                    .isEqualTo(c[3]);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
            assertThat(json(response).path("detail").asString()).as(c[1].toString()).startsWith((String) c[4]);
        }
        assertThat(auditCount()).as("nothing changed").isEqualTo(entries);
        assertThat(json(farm.get("/api/v1/devices")).size()).isEqualTo(1);
        assertThat(json(farm.get("/api/v1/stores")).size()).isEqualTo(1);
    }

    @Test
    void changesNeedTheTokenAndReadsAreOpenOnLoopback() {
        String body = "{\"name\":\"room2\"}";
        HttpResponse<String> none = farm.call("POST", "/api/v1/collections", body, null);
        assertThat(expect(none, 401).headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"diskfarm\"");
        assertThat(json(none).path("detail").asString()).startsWith("this change needs the API token");
        assertThat(json(expect(farm.call("POST", "/api/v1/collections", body, "df_wrong"), 401)).path("detail")
                .asString()).isEqualTo("the API token is not valid for this farm");
        expect(farm.call("GET", "/api/v1/collections", null, null), 200);
        expect(farm.call("POST", "/api/v1/collections", body), 201);
        assertThat(farm.token()).startsWith("df_");
        assertThat(farm.server.newApiToken()).as("made at the farm's first start").hasValue(farm.token());
    }

    @Test
    void everyPathOfTheOpenApiDescriptionIsServed() throws Exception {
        JsonNode openapi = json(expect(farm.get("/api/v1/openapi.json"), 200));
        assertThat(openapi.path("openapi").asString()).startsWith("3.1");
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, JsonNode> path : openapi.path("paths").properties()) {
            for (Iterator<String> methods = path.getValue().propertyNames().iterator(); methods.hasNext(); ) {
                String method = methods.next().toUpperCase(java.util.Locale.ROOT);
                if (method.equals("PARAMETERS")) {
                    continue;
                }
                String concrete = path.getKey().replace("{mac}", "52:54:00:00:00:77").replace("{name}", "nothing")
                        .replace("{server}", "test-server");
                HttpResponse<String> response = farm.call(method, concrete,
                        method.equals("GET") || method.equals("DELETE") ? null : "{}");
                checked++;
                if (response.body().contains("no such endpoint")) {
                    missing.add(method + " " + path.getKey());
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(30);
        assertThat(missing).as("described but not served").isEmpty();
    }

    @Test
    void metricsCountIoPerVDiskAndConnectedDevices() {
        farm.qemuIoReadOnly("lab", "read 0 1M"); // 64 KiB of data, then holes that are never read
        String metrics = expect(farm.get("/metrics"), 200).body();
        assertThat(metrics).contains("diskfarm_devices_connected{", "diskfarm_farm_database_up{server=\"test-server\"} 1");
        assertThat(metrics.lines().filter(l -> l.startsWith("diskfarm_read_bytes_total{") && l.contains(
                "vdisk=\"lab\"")).findFirst().orElseThrow()).endsWith(" 65536.0");
    }

    private int auditCount() {
        return Integer.parseInt(farm.get("/api/v1/audit?limit=1").headers().firstValue("X-Total-Count")
                .orElseThrow());
    }

    private static HttpResponse<String> expect(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response;
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }
}
