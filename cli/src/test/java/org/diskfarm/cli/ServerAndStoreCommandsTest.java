package org.diskfarm.cli;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code server} and {@code store}: the requests they send and what they print, as text and as JSON. */
class ServerAndStoreCommandsTest extends FarmCliTest {
    static final String SRV1 = """
            {"name":"srv1","address":"10.0.0.5","nbdPort":10809,"iscsiPort":3260,"httpPort":8080,"state":"up",\
            "devices":12,"bytesRead":1073741824,"bytesWritten":0,"startedAt":"2026-11-26T04:00:00Z",\
            "lastHeartbeat":"2026-11-26T05:00:00Z","leaseSeconds":15}""";
    static final String SRV2 = """
            {"name":"srv-b","address":"10.0.0.16","nbdPort":10809,"iscsiPort":3260,"httpPort":8080,"state":"down",\
            "devices":0,"bytesRead":0,"bytesWritten":0,"startedAt":"2026-11-25T04:00:00Z",\
            "lastHeartbeat":"2026-11-26T03:59:00Z","leaseSeconds":15}""";
    static final String STORE = """
            {"name":"lab","path":"/srv/store","description":"lab images",\
            "paths":[{"server":"srv-b","path":"/mnt/store"}]}""";

    @Test
    void serverListIsATableWithAHeaderRow() {
        api.on("GET", "/api/v1/servers", 200, "[" + SRV1 + "," + SRV2 + "]");
        Cli.Result result = ok("server", "list");
        assertThat(result.out()).isEqualTo(lines(
                "NAME   ADDRESS    STATE  DEVICES  LAST-HEARTBEAT",
                "srv1   10.0.0.5   up     12       2026-11-26T05:00:00Z",
                "srv-b  10.0.0.16  down   0        2026-11-26T03:59:00Z"));
        assertThat(api.only().method()).isEqualTo("GET");
        assertThat(api.only().target()).isEqualTo("/api/v1/servers?limit=1000");
    }

    @Test
    void serverListAsJsonIsTheApiArray() {
        api.on("GET", "/api/v1/servers", 200, "[" + SRV1 + "," + SRV2 + "]");
        JsonNode printed = JsonMapper.builder().build().readTree(ok("server", "list", "--json").out());
        assertThat(printed.isArray()).isTrue();
        assertThat(printed).hasSize(2);
        assertThat(printed.get(0)).isEqualTo(JsonMapper.builder().build().readTree(SRV1));
    }

    @Test
    void serverShowIsOneLabelledLinePerField() {
        api.on("GET", "/api/v1/servers/srv1", 200, SRV1);
        assertThat(ok("server", "show", "srv1").out()).isEqualTo(lines(
                "name:           srv1",
                "address:        10.0.0.5",
                "NBD port:       10809",
                "iSCSI port:     3260",
                "HTTP port:      8080",
                "state:          up",
                "devices:        12",
                "bytes read:     1073741824 (1 GiB)",
                "bytes written:  0 (0 bytes)",
                "started at:     2026-11-26T04:00:00Z",
                "last heartbeat: 2026-11-26T05:00:00Z",
                "lease seconds:  15"));
    }

    @Test
    void serverRemoveDeletesWithTheToken() {
        api.on("DELETE", "/api/v1/servers/srv-b", 204, "");
        assertThat(ok("server", "remove", "srv-b").out()).isEqualTo(lines("removed server srv-b"));
        assertThat(api.only().method()).isEqualTo("DELETE");
        assertThat(api.only().authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(ok("server", "remove", "srv-b", "--json").out()).isEmpty();
    }

    @Test
    void storeAddPostsNamePathAndDescription() {
        api.on("POST", "/api/v1/stores", 201, STORE);
        Cli.Result result = ok("store", "add", "lab", "/srv/store", "--description", "lab images");
        FakeApi.Request request = api.only();
        assertThat(request.target()).isEqualTo("/api/v1/stores");
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(request.authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(request.body()).isEqualTo("{\"name\":\"lab\",\"path\":\"/srv/store\",\"description\":\"lab images\"}");
        assertThat(result.out()).isEqualTo(lines(
                "added store lab",
                "  name:        lab",
                "  path:        /srv/store",
                "  description: lab images",
                "  paths:",
                "    SERVER  PATH",
                "    srv-b   /mnt/store"));
    }

    @Test
    void storeAddWithoutDescriptionSendsNone() {
        api.on("POST", "/api/v1/stores", 201, STORE);
        ok("store", "add", "lab", "/srv/store");
        assertThat(api.only().body()).isEqualTo("{\"name\":\"lab\",\"path\":\"/srv/store\"}");
    }

    @Test
    void storeListShowsHowManyServersHaveTheirOwnPath() {
        api.on("GET", "/api/v1/stores", 200, "[" + STORE + ",{\"name\":\"x\",\"path\":\"/x\",\"description\":null,"
                + "\"paths\":[]}]");
        assertThat(ok("store", "list").out()).isEqualTo(lines(
                "NAME  PATH        SERVER-PATHS  DESCRIPTION",
                "lab   /srv/store  1             lab images",
                "x     /x          0             -"));
    }

    @Test
    void storePathPutsTheServersPath() {
        api.on("PUT", "/api/v1/stores/lab/paths/srv-b", 200, STORE);
        Cli.Result result = ok("store", "path", "lab", "srv-b", "/mnt/store", "--json");
        assertThat(api.only().method()).isEqualTo("PUT");
        assertThat(api.only().body()).isEqualTo("{\"path\":\"/mnt/store\"}");
        assertThat(JsonMapper.builder().build().readTree(result.out()))
                .isEqualTo(JsonMapper.builder().build().readTree(STORE));
    }

    @Test
    void namesAreEncodedAsOnePathSegment() {
        api.on("GET", "/api/v1/stores/lab%201%2Fa", 200, STORE);
        ok("store", "show", "lab 1/a");
        assertThat(api.only().target()).isEqualTo("/api/v1/stores/lab%201%2Fa");
    }

    @Test
    void storeRemoveDeletes() {
        api.on("DELETE", "/api/v1/stores/lab", 204, "");
        assertThat(ok("store", "remove", "lab").out()).isEqualTo(lines("removed store lab"));
        assertThat(api.only().method()).isEqualTo("DELETE");
    }
}
