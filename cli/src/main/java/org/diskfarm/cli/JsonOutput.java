package org.diskfarm.cli;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** JSON as the commands print it: one indented object. */
final class JsonOutput {
    private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private JsonOutput() {
    }

    static String pretty(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }
}
