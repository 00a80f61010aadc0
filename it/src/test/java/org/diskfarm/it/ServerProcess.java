package org.diskfarm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code diskfarm serve} as a process of its own, started from this JVM's class path, so that tests can stop it the
 * ways an operator or a crash does: SIGTERM ({@link #terminate}) and SIGKILL ({@link #kill}). Its stdout and stderr
 * go to files in the data folder.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile(
            "ready: NBD nbd://127\\.0\\.0\\.1:(\\d+)\\s+HTTP http://127\\.0\\.0\\.1:(\\d+)\\S*\\s+iSCSI "
                    + "iscsi://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    final Path stdout;
    final Path stderr;
    final int nbdPort;
    final int httpPort;
    final int iscsiPort;

    private ServerProcess(Process process, Path stdout, Path stderr, int nbdPort, int httpPort, int iscsiPort) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.nbdPort = nbdPort;
        this.httpPort = httpPort;
        this.iscsiPort = iscsiPort;
    }

    /** Starts {@code diskfarm serve --data DATA --bind 127.0.0.1} on free ports plus {@code extra}, until ready. */
    static ServerProcess start(Path data, String... extra) throws IOException, InterruptedException {
        Files.createDirectories(data);
        int run = 0;
        while (Files.exists(data.resolve("serve" + run + ".out"))) {
            run++;
        }
        Path out = data.resolve("serve" + run + ".out");
        Path err = data.resolve("serve" + run + ".err");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.diskfarm.server.Main", "serve", "--data", data.toString(), "--bind", "127.0.0.1",
                "--nbd-port", "0", "--http-port", "0", "--iscsi-port", "0"));
        if (!List.of(extra).contains("--name")) {
            command.addAll(List.of("--name", "scenario"));
        }
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        // Poll for the ready line; bounded by a count, and a server that dies says so at once.
        for (int i = 0; i < 1200; i++) {
            Matcher ready = READY.matcher(Files.readString(out));
            if (ready.find()) {
                return new ServerProcess(process, out, err, Integer.parseInt(ready.group(1)),
                        Integer.parseInt(ready.group(2)), Integer.parseInt(ready.group(3)));
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new AssertionError("diskfarm serve did not get ready; stderr: " + Files.readString(err));
    }

    /** The HTTP API's base URL, {@code http://127.0.0.1:PORT}. */
    String http() {
        return "http://127.0.0.1:" + httpPort;
    }

    boolean alive() {
        return process.isAlive();
    }

    String uri(String export) {
        return "nbd://127.0.0.1:" + nbdPort + "/" + export;
    }

    /** The iSCSI portal, {@code iscsi://127.0.0.1:PORT}. */
    String portal() {
        return "iscsi://127.0.0.1:" + iscsiPort;
    }

    /** LUN 0 of a target, as libiscsi and QEMU name it: {@code iscsi://127.0.0.1:PORT/IQN/0}. */
    String lun(String target) {
        return portal() + "/" + target + "/0";
    }

    /** SIGTERM, then waits for the process to end; returns its exit status. */
    int terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the server ends after SIGTERM").isTrue();
        return process.exitValue();
    }

    /** SIGKILL: the server gets no chance to clean up. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    String log() throws IOException {
        return Files.readString(stderr);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
