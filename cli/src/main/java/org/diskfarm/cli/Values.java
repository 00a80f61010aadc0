package org.diskfarm.cli;

import org.diskfarm.store.ByteSize;
import tools.jackson.databind.JsonNode;

import java.util.Locale;
import java.util.Set;

/**
 * How the farm commands show one JSON value to a person: text as it is (times too, as the server gives them), null
 * as {@code -}, sizes in bytes with a binary unit, and the API's camelCase field names as words.
 */
final class Values {
    /** What a missing value (null, absent, empty text) looks like. */
    static final String NONE = "-";
    /** Fields whose numbers are bytes (docs/api.md). */
    private static final Set<String> BYTE_FIELDS = Set.of("size", "writeCacheSize", "bytesRead", "bytesWritten",
            "usedBytes", "capacityBytes");

    private Values() {
    }

    /** {@code node} on one line. */
    static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NONE;
        }
        if (node.isValueNode()) {
            String text = node.asString();
            return text.isEmpty() ? NONE : oneLine(text);
        }
        return oneLine(node.toString());
    }

    /** The field {@code name} of {@code object}: in bytes and with a unit if it is a size. */
    static String field(JsonNode object, String name) {
        JsonNode value = object.get(name);
        if (isSize(name, value)) {
            return ByteSize.human(value.asLong());
        }
        return text(value);
    }

    static boolean isSize(String name, JsonNode value) {
        return BYTE_FIELDS.contains(name) && value != null && value.isIntegralNumber();
    }

    /** {@code lastHeartbeat} as {@code last heartbeat}; a few protocol names keep their capitals. */
    static String words(String field) {
        String words = field.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        return words.replace("nbd ", "NBD ").replace("iscsi ", "iSCSI ").replace("http ", "HTTP ");
    }

    /** {@code lastHeartbeat} as a table header, {@code LAST-HEARTBEAT}. */
    static String header(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toUpperCase(Locale.ROOT);
    }

    private static String oneLine(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", " ");
    }
}
