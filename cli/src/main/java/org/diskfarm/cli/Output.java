package org.diskfarm.cli;

import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;

/**
 * What a farm command prints on stdout: for people, tables and {@code label: value} lines; with {@code --json}, the
 * API's own objects and nothing else (a list as one array, one object as itself), so that scripts can parse it.
 */
final class Output {
    private final PrintWriter out;
    private final boolean json;

    Output(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** A list: the JSON array, or the table. */
    void list(JsonNode items, Table table) {
        if (json) {
            out.println(JsonOutput.pretty(items));
        } else {
            table.print(out, items, "");
        }
    }

    /** One object ({@code show}): the JSON object, or its fields. */
    void object(JsonNode object) {
        if (json) {
            out.println(JsonOutput.pretty(object));
        } else {
            KeyValues.print(out, object, "");
        }
    }

    /** One object a command created or changed: the JSON object, or what happened and its fields indented. */
    void changed(String what, JsonNode object) {
        if (json) {
            out.println(JsonOutput.pretty(object));
        } else {
            out.println(what);
            KeyValues.print(out, object, "  ");
        }
    }

    /** Objects a command created: the JSON array, or what happened and their table. */
    void changed(String what, JsonNode items, Table table) {
        if (json) {
            out.println(JsonOutput.pretty(items));
        } else {
            out.println(what);
            table.print(out, items, "  ");
        }
    }

    /** The server's answer to an action: the JSON object, or one line saying what happened. */
    void done(String what, JsonNode answer) {
        out.println(json ? JsonOutput.pretty(answer) : what);
    }

    /** An action with no answer (a removal): one line for people, nothing for scripts (the exit status says it). */
    void done(String what) {
        if (!json) {
            out.println(what);
        }
    }

    boolean json() {
        return json;
    }

    PrintWriter writer() {
        return out;
    }
}
