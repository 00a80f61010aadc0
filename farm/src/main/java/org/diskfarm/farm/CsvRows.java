package org.diskfarm.farm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of the small CSV files administrators edit (devices.csv, chap-secrets.csv): blank lines and lines starting
 * with {@code #} are skipped, a byte-order mark (Excel) is dropped, the first remaining line must be the header, and
 * every row must have the header's number of fields. Errors are one line naming the file and line; with
 * {@code echo} off (a file of secrets) they never repeat the line's text.
 */
final class CsvRows {
    /**
     * One row.
     *
     * @param line   its 1-based line number
     * @param where  {@code FILE:LINE: }, the start of an error message about it
     * @param fields the fields, as written (not stripped)
     */
    record Row(int line, String where, String[] fields) {
    }

    private CsvRows() {
    }

    static List<Row> read(Path file, List<String> lines, String header, boolean echo) {
        int columns = header.split(",", -1).length;
        List<Row> rows = new ArrayList<>();
        boolean headerSeen = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = (i == 0 ? lines.get(i).replaceFirst("^\uFEFF", "") : lines.get(i)).strip();
            String where = file + ":" + (i + 1) + ": ";
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!headerSeen) {
                if (!line.replace(" ", "").equalsIgnoreCase(header)) {
                    throw new IllegalArgumentException(where + "the first line must be the header '" + header + "'"
                            + (echo ? ", not '" + line + "'" : ""));
                }
                headerSeen = true;
                continue;
            }
            String[] fields = line.split(",", -1);
            if (fields.length != columns) {
                throw new IllegalArgumentException(where + "expected " + columns + " fields (" + header + "), found "
                        + fields.length + (echo ? ": '" + line + "'" : ""));
            }
            rows.add(new Row(i + 1, where, fields));
        }
        return rows;
    }
}
