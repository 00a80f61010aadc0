package org.diskfarm.cli;

import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A list of API objects as a table for people: a header row, then one row per object, each column as wide as its
 * widest cell, columns two spaces apart, no trailing blanks. Scripts use {@code --json} instead.
 */
final class Table {
    /** One column: its header and how a row's cell is made from the object. */
    record Column(String header, Function<JsonNode, String> cell) {
    }

    private final List<Column> columns;

    Table(Column... columns) {
        this.columns = List.of(columns);
    }

    /** The column {@code header} showing the field {@code name} ({@link Values#field}). */
    static Column column(String header, String name) {
        return new Column(header, row -> Values.field(row, name));
    }

    static Column column(String header, Function<JsonNode, String> cell) {
        return new Column(header, cell);
    }

    /** A table of every field of the first object, for nested lists such as a vDisk's copies. */
    static Table ofFields(JsonNode first) {
        List<Column> columns = new ArrayList<>();
        for (String name : first.propertyNames()) {
            columns.add(column(Values.header(name), name));
        }
        return new Table(columns.toArray(Column[]::new));
    }

    /** Prints the header and a row per object, each line starting with {@code indent}. */
    void print(PrintWriter out, Iterable<JsonNode> rows, String indent) {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::header).toArray(String[]::new));
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(c -> c.cell().apply(row)).toArray(String[]::new));
        }
        int[] widths = new int[columns.size()];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : cells) {
            StringBuilder text = new StringBuilder(indent);
            for (int i = 0; i < line.length; i++) {
                text.append(i == 0 ? "" : "  ").append(line[i]).repeat(' ', widths[i] - line[i].length());
            }
            out.println(text.toString().stripTrailing());
        }
    }
}
