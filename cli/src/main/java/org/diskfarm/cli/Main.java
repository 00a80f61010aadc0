package org.diskfarm.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * The {@code diskfarm} command: builds the picocli command tree and runs it. Exit codes: 0 success, 1 a failed
 * operation (one line {@code diskfarm: <reason>} on stderr, see {@link ErrorHandler}), 2 a usage error (picocli's
 * message and the usage help), 3 to 6 the classes of farm command failures scripts tell apart ({@link ExitStatus}).
 *
 * <p>Tests run commands in-process through {@link #run(PrintWriter, PrintWriter, String...)}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /** Runs one command line with the given streams and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(commandLine(out, err), out, err, args);
    }

    /** Runs {@code args} on a command tree built over {@code out} and {@code err}, then flushes both. */
    public static int run(CommandLine commandLine, PrintWriter out, PrintWriter err, String... args) {
        try {
            return commandLine.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** A fresh command tree writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new DiskfarmCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new ErrorHandler());
        return commandLine;
    }
}
