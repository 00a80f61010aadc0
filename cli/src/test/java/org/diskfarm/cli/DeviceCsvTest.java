package org.diskfarm.cli;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shape of a classroom's CSV file: header, comments, field counts, quotes; values are the server's to check. */
class DeviceCsvTest {
    private static ArrayNode parse(String... lines) {
        return DeviceCsv.parse("room.csv", List.of(lines), Map.of());
    }

    private static void assertFails(String message, String... lines) {
        assertThatThrownBy(() -> parse(lines)).isInstanceOf(CommandFailure.class).hasMessage(message);
    }

    @Test
    void columnsComeInAnyOrderAndOptionalOnesMayBeEmpty() {
        assertThat(parse("\uFEFFvdisk,Name,mac,collection", "win11,pc01,52:54:00:00:00:01,", ",pc02,AA-BB,r"))
                .isEqualTo(JsonMapper.builder().build().readTree("""
                        [{"mac":"52:54:00:00:00:01","name":"pc01","vdisk":"win11"},
                         {"mac":"AA-BB","name":"pc02","collection":"r"}]"""));
    }

    @Test
    void blankLinesAndCommentsAreSkippedButCountForLineNumbers() {
        assertFails("room.csv:5: expected 2 fields (mac,name), found 3",
                "# classroom 12", "", "mac,name", "   ", "a,b,c");
    }

    @Test
    void quotedFieldsKeepTheirCommasAndQuotes() {
        assertThat(DeviceCsv.fields("a, \"b, \"\"c\"\"\" ,d", "x: ")).containsExactly("a", "b, \"c\"", "d");
        assertThat(DeviceCsv.fields("a,,", "x: ")).containsExactly("a", "", "");
        assertFails("room.csv:2: a quoted field has no closing quote", "mac,name", "a,\"b");
        assertFails("room.csv:2: text after a quoted field's closing quote", "mac,name", "a,\"b\"c");
    }

    @Test
    void theHeaderNeedsMacAndNameAndKnownColumnsOnce() {
        assertFails("room.csv:1: the header has no column 'mac' (it needs mac and name; vdisk, collection and "
                + "description are optional)", "name,vdisk", "pc01,w");
        assertFails("room.csv:1: unknown column 'ip' in the header (the columns are mac, name, vdisk, collection, "
                + "description)", "mac,name,ip");
        assertFails("room.csv:1: column 'mac' appears twice in the header", "mac,name,MAC");
    }

    @Test
    void macAndNameMustNotBeEmpty() {
        assertFails("room.csv:2: the name field is empty", "mac,name", "52:54:00:00:00:01, ");
    }

    @Test
    void aFileWithoutDevicesIsRefused() {
        assertFails("room.csv: no devices", "mac,name", "# nobody yet");
        assertFails("room.csv: no devices (and no header mac,name,vdisk,collection,description)", "");
    }

    @Test
    void defaultsFillWhatARowLeavesEmpty() {
        assertThat(DeviceCsv.parse("f", List.of("mac,name,vdisk", "m1,n1,", "m2,n2,win10"),
                Map.of("vdisk", "win11")).valueStream().map(d -> d.get("vdisk").asString()).toList())
                .containsExactly("win11", "win10");
    }
}
