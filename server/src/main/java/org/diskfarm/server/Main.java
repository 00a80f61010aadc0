package org.diskfarm.server;

import java.io.PrintWriter;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;

/**
 * The {@code diskfarm} executable: every command of the command line ({@link org.diskfarm.cli.Main}) plus
 * {@code serve}, which lives here because only this module may wire the whole server together.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Netty samples buffer allocations for leak reports, taking a stack trace each time: about 1% of a small
        // read's CPU in production. Tests keep the detector on (they do not come through here).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        // Libraries that log through java.util.logging (and System.Logger, via slf4j-jdk-platform-logging) end up
        // in Logback, one line per event.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /** Runs one command line in this process and returns its exit code (tests call this). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return org.diskfarm.cli.Main.run(commandLine(out, err), out, err, args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = org.diskfarm.cli.Main.commandLine(out, err);
        commandLine.addSubcommand("serve", new CommandLine(new ServeCommand())
                .setOut(out).setErr(err)
                .setExecutionExceptionHandler(commandLine.getExecutionExceptionHandler()));
        commandLine.addSubcommand("up", new CommandLine(new UpCommand())
                .setOut(out).setErr(err)
                .setExecutionExceptionHandler(commandLine.getExecutionExceptionHandler()));
        return commandLine;
    }
}
