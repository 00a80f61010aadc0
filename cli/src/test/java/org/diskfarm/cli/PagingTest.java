package org.diskfarm.cli;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Lists come page by page: the commands follow {@code Link rel="next"} (or {@code X-Total-Count}) to the end. */
class PagingTest extends FarmCliTest {

    private static String collection(int i) {
        return "{\"name\":\"c" + i + "\",\"description\":\"\",\"devices\":" + i + "}";
    }

    private static String page(int... items) {
        StringBuilder page = new StringBuilder("[");
        for (int i : items) {
            page.append(page.length() > 1 ? "," : "").append(collection(i));
        }
        return page.append("]").toString();
    }

    private void threePagesLinked(String nextBase) {
        api.on("GET", "/api/v1/collections?limit=1000", FakeApi.Reply.json(200, page(1, 2))
                .with("X-Total-Count", "5")
                .with("Link", "<" + nextBase + "/api/v1/collections?limit=2&offset=2>; rel=\"next\""));
        api.on("GET", "/api/v1/collections?limit=2&offset=2", FakeApi.Reply.json(200, page(3, 4))
                .with("X-Total-Count", "5")
                .with("Link", "<" + nextBase + "/api/v1/collections?limit=2&offset=0>; rel=\"prev\", <" + nextBase
                        + "/api/v1/collections?limit=2&offset=4>; rel=\"next\""));
        api.on("GET", "/api/v1/collections?limit=2&offset=4", FakeApi.Reply.json(200, page(5))
                .with("X-Total-Count", "5"));
    }

    @Test
    void followsTheNextLinkAcrossThreePages() {
        threePagesLinked("");
        assertThat(ok("collection", "list").out()).isEqualTo(lines(
                "NAME  DEVICES  DESCRIPTION",
                "c1    1        -",
                "c2    2        -",
                "c3    3        -",
                "c4    4        -",
                "c5    5        -"));
        assertThat(api.requests()).extracting(FakeApi.Request::target).containsExactly(
                "/api/v1/collections?limit=1000", "/api/v1/collections?limit=2&offset=2",
                "/api/v1/collections?limit=2&offset=4");
    }

    @Test
    void jsonIsOneArrayOfEveryPage() {
        threePagesLinked("");
        JsonNode printed = JsonMapper.builder().build().readTree(ok("collection", "list", "--json").out());
        assertThat(printed.isArray()).isTrue();
        assertThat(printed.valueStream().map(c -> c.get("name").asString()).toList())
                .isEqualTo(List.of("c1", "c2", "c3", "c4", "c5"));
    }

    @Test
    void anAbsoluteLinkToAnotherHostIsFollowedOnTheServerNamedOnly() {
        threePagesLinked("http://elsewhere.invalid:9");
        assertThat(ok("collection", "list", "--json").out()).contains("\"c5\"");
        assertThat(api.requests()).hasSize(3);
    }

    @Test
    void withoutLinksTheTotalCountIsFollowed() {
        api.on("GET", "/api/v1/collections?limit=1000", FakeApi.Reply.json(200, page(1, 2))
                .with("X-Total-Count", "5"));
        api.on("GET", "/api/v1/collections?limit=1000&offset=2", FakeApi.Reply.json(200, page(3, 4))
                .with("X-Total-Count", "5"));
        api.on("GET", "/api/v1/collections?limit=1000&offset=4", FakeApi.Reply.json(200, page(5))
                .with("X-Total-Count", "5"));
        assertThat(ok("collection", "list").out().lines()).hasSize(6);
        assertThat(api.requests()).hasSize(3);
    }

    @Test
    void aListWithoutPagingHeadersIsOnePage() {
        api.on("GET", "/api/v1/collections", 200, page(1, 2));
        assertThat(ok("collection", "list").out().lines()).hasSize(3);
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void aLinkLoopIsAFailureNotAHang() {
        api.on("GET", "/api/v1/collections", FakeApi.Reply.json(200, page(1))
                .with("Link", "</api/v1/collections?limit=1000>; rel=next"));
        Cli.Result result = run("collection", "list");
        assertThat(result.exitCode()).isEqualTo(ExitStatus.FAILED);
        assertThat(result.err()).contains("pages in a loop");
    }

    @Test
    void filtersGoInTheQueryAndStayOnEveryPage() {
        api.on("GET", "/api/v1/devices?collection=room%2012&vdisk=win11&limit=1000", FakeApi.Reply.json(200, "[]")
                .with("X-Total-Count", "0"));
        assertThat(ok("device", "list", "--collection", "room 12", "--vdisk", "win11").out())
                .isEqualTo(lines("MAC  NAME  VDISK  COLLECTION  BOOT-STATE  SERVED-BY"));
    }
}
