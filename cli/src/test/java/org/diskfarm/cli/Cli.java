package org.diskfarm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs diskfarm commands in-process, as the {@code diskfarm} launcher would, and captures what they print. */
final class Cli {
    private Cli() {
    }

    record Result(int exitCode, String out, String err) {
        /** For assertion messages. */
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs a command that must succeed; fails the test with its output otherwise. */
    static Result ok(String... args) {
        Result result = run(args);
        if (result.exitCode() != 0) {
            throw new AssertionError("diskfarm " + String.join(" ", args) + " failed:\n" + result);
        }
        return result;
    }

    static String s(Path path) {
        return path.toString();
    }
}
