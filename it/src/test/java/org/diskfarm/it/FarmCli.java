package org.diskfarm.it;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The {@code diskfarm} command line run in this JVM, as an administrator's shell would run it. */
final class FarmCli {
    /** What a command printed and its exit status. */
    record Result(int code, String out, String err) {
        Result ok() {
            if (code != 0) {
                throw new AssertionError("exit " + code + ": " + err + out);
            }
            return this;
        }
    }

    private FarmCli() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = org.diskfarm.server.Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }
}
