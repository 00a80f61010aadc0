package org.diskfarm.cli;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A classroom's devices from a CSV file, as {@code device add --csv} sends them: the first line that is not blank or
 * a {@code #} comment is the header, naming the columns in any order ({@code mac} and {@code name} required;
 * {@code vdisk}, {@code collection} and {@code description} optional); every other such line is one device with the
 * header's number of fields. A field may be quoted ({@code "Room 12, front"}, a quote inside doubled), as
 * spreadsheets write them. An empty optional field takes the default given on the command line, else is left out.
 *
 * <p>Only the file's shape is checked here, so that a bad line fails before anything is sent, with its file and
 * line number; the values themselves (a MAC address, a vDisk's name) are the server's to check.
 */
final class DeviceCsv {
    static final List<String> COLUMNS = List.of("mac", "name", "vdisk", "collection", "description");
    private static final List<String> REQUIRED = List.of("mac", "name");

    private DeviceCsv() {
    }

    /**
     * The devices of {@code file} as an array of NewDevice objects.
     *
     * @param defaults values for the optional columns, by column name, used where a row leaves them empty
     * @throws CommandFailure naming the file and line of the first problem
     */
    static ArrayNode read(Path file, Map<String, String> defaults) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CommandFailure(file + ": no such file");
        } catch (IOException e) {
            throw new CommandFailure(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(file.toString(), lines, defaults);
    }

    static ArrayNode parse(String file, List<String> lines, Map<String, String> defaults) {
        ArrayNode devices = JsonNodeFactory.instance.arrayNode();
        List<String> header = null;
        for (int i = 0; i < lines.size(); i++) {
            // A byte-order mark is how Excel starts a UTF-8 CSV file.
            String line = (i == 0 ? lines.get(i).replaceFirst("^\uFEFF", "") : lines.get(i)).strip();
            String where = file + ":" + (i + 1) + ": ";
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = fields(line, where);
            if (header == null) {
                header = header(fields, where);
            } else {
                devices.add(device(header, fields, defaults, where));
            }
        }
        if (devices.isEmpty()) {
            throw new CommandFailure(file + ": no devices" + (header == null ? " (and no header " + String.join(",",
                    COLUMNS) + ")" : ""));
        }
        return devices;
    }

    private static List<String> header(List<String> fields, String where) {
        List<String> header = new ArrayList<>();
        for (String field : fields) {
            String column = field.toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(column)) {
                throw new CommandFailure(where + "unknown column '" + field + "' in the header (the columns are "
                        + String.join(", ", COLUMNS) + ")");
            }
            if (header.contains(column)) {
                throw new CommandFailure(where + "column '" + column + "' appears twice in the header");
            }
            header.add(column);
        }
        for (String column : REQUIRED) {
            if (!header.contains(column)) {
                throw new CommandFailure(where + "the header has no column '" + column + "' (it needs mac and name; "
                        + "vdisk, collection and description are optional)");
            }
        }
        return header;
    }

    private static ObjectNode device(List<String> header, List<String> fields, Map<String, String> defaults,
                                     String where) {
        if (fields.size() != header.size()) {
            throw new CommandFailure(where + "expected " + header.size() + " fields (" + String.join(",", header)
                    + "), found " + fields.size());
        }
        ObjectNode device = JsonNodeFactory.instance.objectNode();
        for (String column : COLUMNS) {
            int at = header.indexOf(column);
            String value = at < 0 || fields.get(at).isEmpty() ? defaults.get(column) : fields.get(at);
            if (value != null) {
                device.put(column, value);
            } else if (REQUIRED.contains(column)) {
                throw new CommandFailure(where + "the " + column + " field is empty");
            }
        }
        return device;
    }

    /** The line's fields, stripped; a quoted field keeps its commas and its blanks. */
    static List<String> fields(String line, String where) {
        List<String> fields = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < line.length() && line.charAt(i) == ' ') {
                i++;
            }
            StringBuilder field = new StringBuilder();
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new CommandFailure(where + "a quoted field has no closing quote");
                    }
                    char c = line.charAt(i++);
                    if (c == '"' && i < line.length() && line.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        break;
                    } else {
                        field.append(c);
                    }
                }
                while (i < line.length() && line.charAt(i) == ' ') {
                    i++;
                }
                if (i < line.length() && line.charAt(i) != ',') {
                    throw new CommandFailure(where + "text after a quoted field's closing quote");
                }
                fields.add(field.toString());
            } else {
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? line.length() : comma;
                fields.add(line.substring(i, end).strip());
                i = end;
            }
            if (i >= line.length()) {
                return fields;
            }
            i++; // the comma
        }
    }
}
