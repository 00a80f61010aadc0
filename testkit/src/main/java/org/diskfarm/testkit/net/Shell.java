package org.diskfarm.testkit.net;

import org.diskfarm.testkit.ClientProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the short commands of the lab ({@code ip}, mostly) and finds programs, also in the sbin folders that are often
 * not on a test's PATH ({@code ip} and {@code dnsmasq} live there).
 *
 * <p>Threads: stateless.
 */
final class Shell {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Shell() {
    }

    /** The program's path, or null if it is not installed (the PATH, then the sbin folders). */
    static Path find(String program) {
        return ClientProcess.find(program);
    }

    /** The program's path as a string; fails with one line if it is not installed. */
    static String require(String program, String debianPackage) {
        return ClientProcess.require(program, debianPackage);
    }

    /** {@code ip ARGS...}: fails with ip's message unless it exits 0; returns what it printed. */
    static String ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add(require("ip", "iproute2"));
        command.addAll(List.of(args));
        return check(command);
    }

    /** Runs {@code command} to its end and fails unless it exits 0; returns its standard output. */
    static String check(List<String> command) {
        ClientProcess.Result result = ClientProcess.run(command, TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(result.describe());
        }
        return result.stdout();
    }

    /** Runs {@code command} to its end, whatever its exit status. */
    static ClientProcess.Result run(List<String> command) {
        return ClientProcess.run(command, TIMEOUT);
    }
}
