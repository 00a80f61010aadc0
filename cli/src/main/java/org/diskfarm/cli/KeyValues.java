package org.diskfarm.cli;

import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.Map;

/**
 * One API object for people ({@code show}): a {@code label: value} line per field, in the server's order, labels
 * padded to one column. A size also shows its unit; a nested object's fields follow indented, a list of objects (a
 * store's paths, a vDisk's copies) follows as an indented {@link Table}.
 */
final class KeyValues {
    private static final String INDENT = "  ";

    private KeyValues() {
    }

    static void print(PrintWriter out, JsonNode object, String indent) {
        int width = 0;
        for (String name : object.propertyNames()) {
            width = Math.max(width, Values.words(name).length() + 1);
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String label = String.format("%s%-" + width + "s ", indent, Values.words(field.getKey()) + ":");
            JsonNode value = field.getValue();
            if (value.isObject() && !value.isEmpty()) {
                out.println(label.stripTrailing());
                print(out, value, indent + INDENT);
            } else if (value.isArray() && !value.isEmpty() && value.get(0).isObject()) {
                out.println(label.stripTrailing());
                Table.ofFields(value.get(0)).print(out, value, indent + INDENT);
            } else if (value.isArray()) {
                out.println(label + (value.isEmpty() ? Values.NONE : join(value)));
            } else if (Values.isSize(field.getKey(), value)) {
                out.println(label + value.asLong() + " (" + Values.field(object, field.getKey()) + ")");
            } else {
                out.println(label + Values.text(value));
            }
        }
    }

    private static String join(JsonNode array) {
        StringBuilder text = new StringBuilder();
        for (JsonNode item : array) {
            text.append(text.isEmpty() ? "" : ", ").append(Values.text(item));
        }
        return text.toString();
    }
}
