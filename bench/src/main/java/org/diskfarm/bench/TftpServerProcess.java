package org.diskfarm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One TFTP server under test as a child process: dnsmasq, or diskfarm's server run by {@link TftpServeMain}. Knows
 * its PID, so the harness reads its CPU time and memory from {@code /proc} ({@link ServerStats}); stopped with
 * SIGTERM (dnsmasq) or by closing its standard input ({@link TftpServeMain}).
 *
 * <p>Threads: used from the harness's one thread.
 */
final class TftpServerProcess implements ServerStats, AutoCloseable {
    private final String name;
    private final Process process;
    private final InetSocketAddress address;
    private final Path log;
    /** For {@link TftpServeMain}: its standard input and output, for {@code stats}; null for dnsmasq. */
    private final Writer commands;
    private final BufferedReader answers;

    private TftpServerProcess(String name, Process process, InetSocketAddress address, Path log, boolean piped) {
        this.name = name;
        this.process = process;
        this.address = address;
        this.log = log;
        this.commands = piped ? new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8) : null;
        this.answers = piped ? new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)) : null;
    }

    /** Starts dnsmasq with {@code command}; everything it prints goes to {@code log}. */
    static TftpServerProcess startDnsmasq(String name, List<String> command, InetSocketAddress address, Path log) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            return new TftpServerProcess(name, process, address, log, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@link TftpServeMain} with {@code command} (its log lines, on standard error, go to {@code log}) and
     * waits for its {@code ready} line.
     */
    static TftpServerProcess startDiskfarm(String name, List<String> command, InetSocketAddress address, Path log) {
        try {
            Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            TftpServerProcess server = new TftpServerProcess(name, process, address, log, true);
            String line = server.answers.readLine();
            if (line == null || !line.startsWith("ready")) {
                server.close();
                throw new IllegalStateException(name + " did not start (" + line + "): " + server.logTail());
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's own counters (one line), or "" for a server that gives none. */
    String stats() {
        if (commands == null || !process.isAlive()) {
            return "";
        }
        try {
            commands.write("stats\n");
            commands.flush();
            String line = answers.readLine();
            return line == null ? "" : line;
        } catch (IOException e) {
            return "(stats failed: " + e + ")";
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

    Path log() {
        return log;
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Ends the server: end of input for {@link TftpServeMain}, SIGTERM for dnsmasq; SIGKILL after 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            if (commands != null) {
                commands.close();
            } else {
                process.destroy();
            }
        } catch (IOException e) {
            process.destroy();
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                System.err.println("tftp-bench: " + name + " did not stop within 30 s; killing it");
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
