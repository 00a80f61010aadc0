package org.diskfarm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One NBD server under test, run as a child process listening on 127.0.0.1: diskfarm, nbdkit or qemu-nbd. Knows its
 * PID, so the harness reads its memory ({@code VmRSS}) and CPU time from {@code /proc} ({@link ServerStats});
 * stopped with SIGTERM.
 *
 * <p>Threads: the harness uses it from one thread; {@link #rssKib()} may be called from a sampler thread too.
 */
final class NbdServerProcess implements ServerStats, AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 120_000;

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private NbdServerProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code command} (output to {@code log}) and waits until {@code ready} holds: diskfarm prints a line with
     * "ready"; the others are ready when the port accepts a connection.
     */
    static NbdServerProcess start(String name, List<String> command, int port, Path log, Readiness readiness) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            NbdServerProcess server = new NbdServerProcess(name, process, port, log);
            BooleanSupplier ready = switch (readiness) {
                case READY_LINE -> () -> server.logContains("ready");
                case PORT_OPEN -> () -> portOpen(port);
            };
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
            while (!ready.getAsBoolean()) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was "
                            + "ready: " + server.logTail());
                }
                if (System.currentTimeMillis() > deadline) {
                    server.close();
                    throw new IllegalStateException(name + " not ready after " + START_TIMEOUT_MILLIS + " ms: "
                            + server.logTail());
                }
                Thread.sleep(50);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    enum Readiness { READY_LINE, PORT_OPEN }

    /** A port that was free a moment ago on 127.0.0.1. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean portOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean logContains(String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    String logTail() {
        try {
            String text = Files.readString(log).strip();
            return text.length() > 1500 ? "..." + text.substring(text.length() - 1500) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public String name() {
        return name;
    }

    int port() {
        return port;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM, then up to 30 s for a clean exit, then SIGKILL. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                System.err.println("nbd-bench: " + name + " did not stop on SIGTERM within 30 s; killing it");
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
