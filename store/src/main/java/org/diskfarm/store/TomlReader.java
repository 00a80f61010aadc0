package org.diskfarm.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict reader for the flat subset of TOML 1.0 that .pvp files use: comments, blank lines and {@code key = value}
 * lines with a bare key and a basic string, literal string, decimal integer or boolean value. Everything else TOML
 * allows (tables, arrays, floats, dates, multi-line strings, dotted or quoted keys) is rejected with a message that
 * names the line, so that a file never means something other than what its reader thinks.
 *
 * <p>Not thread-safe; one instance reads one text.
 */
public final class TomlReader {

    /** One value and the line it was on (1-based). The value is a String, a Long or a Boolean. */
    public record Entry(String key, Object value, int line) {
    }

    /** A syntax error on one line; the caller adds the file name. */
    public static final class SyntaxError extends RuntimeException {
        final int line;

        SyntaxError(int line, String message) {
            super(message, null, false, false);
            this.line = line;
        }

        /** The line (1-based) the error is on. */
        public int line() {
            return line;
        }
    }

    private final String text;
    private int pos;
    private int line;

    private TomlReader(String text) {
        this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** The entries of {@code text} by key, in file order. */
    public static Map<String, Entry> parse(String text) {
        return new TomlReader(text).entries();
    }

    private Map<String, Entry> entries() {
        Map<String, Entry> entries = new LinkedHashMap<>();
        line = 1;
        while (pos < text.length()) {
            skipSpaces();
            if (atLineEnd()) {
                endLine();
                continue;
            }
            char c = text.charAt(pos);
            if (c == '[') {
                throw error("tables ([...]) are not used in this file");
            }
            int keyLine = line;
            String key = key();
            skipSpaces();
            expect('=', "expected '=' after the key \"" + key + "\"");
            skipSpaces();
            Object value = value(key);
            skipSpaces();
            if (!atLineEnd()) {
                throw error("unexpected text after the value of \"" + key + "\"");
            }
            if (entries.putIfAbsent(key, new Entry(key, value, keyLine)) != null) {
                throw error("key \"" + key + "\" appears twice (first on line " + entries.get(key).line() + ")");
            }
            endLine();
        }
        return entries;
    }

    private String key() {
        int start = pos;
        while (pos < text.length() && isBareKeyChar(text.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error("expected a key (letters, digits, '-' or '_') at \"" + rest() + "\"");
        }
        if (pos < text.length() && (text.charAt(pos) == '.' || text.charAt(pos) == '"')) {
            throw error("dotted or quoted keys are not used in this file");
        }
        return text.substring(start, pos);
    }

    private Object value(String key) {
        if (pos >= text.length() || atLineEnd()) {
            throw error("missing value for \"" + key + "\"");
        }
        char c = text.charAt(pos);
        if (text.startsWith("\"\"\"", pos) || text.startsWith("'''", pos)) {
            throw error("multi-line strings are not used in this file (key \"" + key + "\")");
        }
        if (c == '"') {
            return basicString();
        }
        if (c == '\'') {
            return literalString();
        }
        String word = word();
        if (word.equals("true") || word.equals("false")) {
            return Boolean.valueOf(word);
        }
        if (word.matches("[+-]?(0|[1-9](_?[0-9])*)")) {
            try {
                return Long.valueOf(word.replace("_", ""));
            } catch (NumberFormatException e) {
                throw error("integer out of range for \"" + key + "\": " + word);
            }
        }
        throw error("unsupported value for \"" + key + "\": " + word
                + " (use a \"quoted string\", a whole number, true or false)");
    }

    private String basicString() {
        StringBuilder out = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') {
                throw error("string not closed with '\"'");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                out.appendCodePoint(escape());
            } else if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw error("control character in a string: write it as an escape such as \\n");
            } else {
                out.append(c);
            }
        }
    }

    private int escape() {
        if (pos >= text.length()) {
            throw error("string not closed with '\"'");
        }
        char c = text.charAt(pos++);
        return switch (c) {
            case 'b' -> '\b';
            case 't' -> '\t';
            case 'n' -> '\n';
            case 'f' -> '\f';
            case 'r' -> '\r';
            case '"' -> '"';
            case '\\' -> '\\';
            case 'u' -> unicode(4);
            case 'U' -> unicode(8);
            default -> throw error("unknown escape \\" + c + " in a string");
        };
    }

    private int unicode(int digits) {
        if (pos + digits > text.length()) {
            throw error("short \\u escape in a string");
        }
        String hex = text.substring(pos, pos + digits);
        pos += digits;
        try {
            int code = Integer.parseUnsignedInt(hex, 16);
            if (!Character.isValidCodePoint(code) || (code >= 0xD800 && code <= 0xDFFF)) {
                throw error("\\u" + hex + " is not a Unicode scalar value");
            }
            return code;
        } catch (NumberFormatException e) {
            throw error("bad \\u escape in a string: " + hex);
        }
    }

    private String literalString() {
        int start = ++pos;
        while (pos < text.length() && text.charAt(pos) != '\'' && text.charAt(pos) != '\n') {
            pos++;
        }
        if (pos >= text.length() || text.charAt(pos) != '\'') {
            throw error("string not closed with \"'\"");
        }
        return text.substring(start, pos++);
    }

    /** The run of characters up to a space, a comment or the end of the line. */
    private String word() {
        int start = pos;
        while (pos < text.length() && " \t\r\n#".indexOf(text.charAt(pos)) < 0) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private static boolean isBareKeyChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private void skipSpaces() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
    }

    /** True at a comment, the line end or the end of the text. */
    private boolean atLineEnd() {
        return pos >= text.length() || text.charAt(pos) == '#' || text.charAt(pos) == '\n'
                || text.startsWith("\r\n", pos);
    }

    /** Skips a comment and the line end. */
    private void endLine() {
        while (pos < text.length() && text.charAt(pos) != '\n') {
            char c = text.charAt(pos);
            if (c < 0x20 && c != '\t' && c != '\r' || c == 0x7f) {
                throw error("control character in a comment");
            }
            pos++;
        }
        if (pos < text.length()) {
            pos++;
            line++;
        }
    }

    private void expect(char c, String message) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw error(message);
        }
        pos++;
    }

    private String rest() {
        int end = text.indexOf('\n', pos);
        return text.substring(pos, end < 0 ? text.length() : end).strip();
    }

    private SyntaxError error(String message) {
        return new SyntaxError(line, message);
    }
}
