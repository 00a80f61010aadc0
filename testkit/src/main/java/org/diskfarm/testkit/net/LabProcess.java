package org.diskfarm.testkit.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program the lab started inside one of its network namespaces ({@code ip netns exec NS PROGRAM...}; ip execs the
 * program, so the PID is the program's own), with standard output and error in a log file and no standard input.
 * The lab stops it at {@link NetLab#close()} if the test has not: SIGTERM by its PID, SIGKILL after 5 s.
 *
 * <p>Threads: safe; {@link #close()} may be called more than once and from any thread.
 */
public class LabProcess implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);

    private final String namespace;
    private final List<String> command;
    private final Process process;
    private final Path log;

    LabProcess(String namespace, List<String> command, Process process, Path log) {
        this.namespace = namespace;
        this.command = List.copyOf(command);
        this.process = process;
        this.log = log;
    }

    /** The namespace it runs in. */
    public String namespace() {
        return namespace;
    }

    /** The command line as started, {@code ip netns exec NS} included. */
    public List<String> command() {
        return command;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The file with everything it printed (standard output and error). */
    public Path log() {
        return log;
    }

    /** Everything it printed so far (Latin-1, so that no byte is malformed). */
    public String logText() {
        try {
            return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the log contains {@code text}; fails with the log's end if the process ends first or
     * {@code timeout} passes.
     */
    public void waitForLog(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean exited = !process.isAlive();
            if (logText().contains(text)) {
                return;
            }
            if (exited || System.nanoTime() - deadline >= 0) {
                throw new AssertionError("`" + String.join(" ", command) + "` "
                        + (exited ? "exited with status " + process.exitValue() : "still runs after " + timeout)
                        + " and has not printed \"" + text + "\"; its log " + log + " ends:\n" + tail(logText()));
            }
            sleep(POLL);
        }
    }

    /** Waits for the process to end by itself and returns its exit status; fails after {@code timeout}. */
    public int waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("`" + String.join(" ", command) + "` did not end within " + timeout
                        + "; its log " + log + " ends:\n" + tail(logText()));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + command.getFirst(), e);
        }
    }

    /** SIGTERM by PID, SIGKILL if it has not ended within 5 s. */
    @Override
    public void close() {
        stop(process);
    }

    static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String tail(String text) {
        return text.length() <= 3000 ? text : "..." + text.substring(text.length() - 3000);
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
