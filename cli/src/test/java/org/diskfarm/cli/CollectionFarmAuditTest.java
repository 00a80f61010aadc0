package org.diskfarm.cli;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code collection}, {@code farm status} and {@code audit}. */
class CollectionFarmAuditTest extends FarmCliTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String ROOM12 = "{\"name\":\"room12\",\"description\":\"second floor\",\"devices\":30}";
    static final String FARM = """
            {"server":"srv1","database":{"kind":"postgresql","state":"up"},"servers":{"up":2,"down":1},\
            "stores":1,"vdisks":3,"devices":30,"collections":2}""";

    private static String entry(int id) {
        return "{\"id\":" + id + ",\"at\":\"2026-11-26T05:0" + id + ":00Z\",\"actor\":\"admin@127.0.0.1\","
                + "\"action\":\"device.add\",\"subject\":\"52:54:00:00:00:0" + id + "\",\"detail\":\"pc0" + id
                + "\"}";
    }

    @Test
    void addPostsNameAndDescription() {
        api.on("POST", "/api/v1/collections", 201, ROOM12);
        assertThat(ok("collection", "add", "room12", "--description", "second floor").out()).isEqualTo(lines(
                "added collection room12",
                "  name:        room12",
                "  description: second floor",
                "  devices:     30"));
        assertThat(api.only().body()).isEqualTo("{\"name\":\"room12\",\"description\":\"second floor\"}");
        assertThat(api.only().authorization()).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void setPatchesTheDescription() {
        api.on("PATCH", "/api/v1/collections/room12", 200, ROOM12);
        ok("collection", "set", "room12", "--description", "second floor");
        assertThat(api.only().method()).isEqualTo("PATCH");
        assertThat(api.only().body()).isEqualTo("{\"description\":\"second floor\"}");
    }

    @Test
    void showAndRemove() {
        api.on("GET", "/api/v1/collections/room12", 200, ROOM12);
        api.on("DELETE", "/api/v1/collections/room12", 204, "");
        assertThat(JSON.readTree(ok("collection", "show", "room12", "--json").out()))
                .isEqualTo(JSON.readTree(ROOM12));
        assertThat(ok("collection", "remove", "room12").out()).isEqualTo(lines("removed collection room12"));
    }

    @Test
    void assignPostsTheVDisk() {
        api.on("POST", "/api/v1/collections/room12/assign", 200, "{\"vdisk\":\"win11\",\"assigned\":30}");
        assertThat(ok("collection", "assign", "room12", "--vdisk", "win11").out())
                .isEqualTo(lines("assigned vDisk win11 to 30 device(s) of collection room12"));
        assertThat(api.only().body()).isEqualTo("{\"vdisk\":\"win11\"}");
    }

    @Test
    void farmStatusAtAGlance() {
        api.on("GET", "/api/v1/farm", 200, FARM);
        assertThat(ok("farm", "status").out()).isEqualTo(lines(
                "server:      srv1",
                "database:    postgresql, up",
                "servers:     2 up, 1 down",
                "stores:      1",
                "vDisks:      3",
                "devices:     30",
                "collections: 2"));
        assertThat(JSON.readTree(ok("farm", "status", "--json").out())).isEqualTo(JSON.readTree(FARM));
    }

    @Test
    void auditShowsTheNewestEntriesUpToTheLimit() {
        api.on("GET", "/api/v1/audit?limit=2", FakeApi.Reply.json(200, "[" + entry(3) + "," + entry(2) + "]")
                .with("Link", "</api/v1/audit?limit=2&offset=2>; rel=\"next\""));
        assertThat(ok("audit", "--limit", "2").out()).isEqualTo(lines(
                "ID  AT                    ACTOR            ACTION      SUBJECT            DETAIL",
                "3   2026-11-26T05:03:00Z  admin@127.0.0.1  device.add  52:54:00:00:00:03  pc03",
                "2   2026-11-26T05:02:00Z  admin@127.0.0.1  device.add  52:54:00:00:00:02  pc02"));
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void auditWithLimitZeroFetchesEveryPage() {
        api.on("GET", "/api/v1/audit?limit=1000", FakeApi.Reply.json(200, "[" + entry(3) + "," + entry(2) + "]")
                .with("Link", "</api/v1/audit?limit=2&offset=2>; rel=\"next\""));
        api.on("GET", "/api/v1/audit?limit=2&offset=2", 200, "[" + entry(1) + "]");
        assertThat(JSON.readTree(ok("audit", "--limit", "0", "--json").out())).hasSize(3);
    }
}
