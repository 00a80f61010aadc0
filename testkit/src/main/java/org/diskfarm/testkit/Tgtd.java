package org.diskfarm.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tgt's iSCSI target daemon (Debian package tgt) as a reference peer: one target with a file as LUN 1 (tgtd's LUN 0 is
 * its controller) on 127.0.0.1, with its own control port so that several can run at once. Started with
 * {@code tgtd -f}, configured with {@code tgtadm}, stopped by PID. Needs root (tgtd's control socket lives in
 * /var/run/tgtd).
 */
public final class Tgtd implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final String iqn;

    private Tgtd(Process process, int port, String iqn) {
        this.process = process;
        this.port = port;
        this.iqn = iqn;
    }

    /** True if tgtd and tgtadm are installed. */
    public static boolean available() {
        return ClientProcess.find("tgtd") != null && ClientProcess.find("tgtadm") != null;
    }

    /**
     * Starts tgtd on a free port of 127.0.0.1 serving {@code lun} (a file) as LUN 1 of target {@code iqn}, open to
     * every initiator.
     */
    public static Tgtd start(Path lun, String iqn, Path log) {
        int port = freePort();
        int control = 1000 + (int) (ProcessHandle.current().pid() % 20000) + port % 1000;
        Process process;
        try {
            process = new ProcessBuilder("tgtd", "-f", "-C", Integer.toString(control), "--iscsi",
                    "portal=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start tgtd: " + e.getMessage(), e);
        }
        Tgtd tgtd = new Tgtd(process, port, iqn);
        try {
            for (int i = 0; i < 300 && !listening(port); i++) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("tgtd exited with status " + process.exitValue() + "; see " + log);
                }
                Thread.sleep(100);
            }
            String c = Integer.toString(control);
            admin("-C", c, "--lld", "iscsi", "--op", "new", "--mode", "target", "--tid", "1", "-T", iqn);
            admin("-C", c, "--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1",
                    "-b", lun.toAbsolutePath().toString());
            admin("-C", c, "--lld", "iscsi", "--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL");
            return tgtd;
        } catch (InterruptedException e) {
            tgtd.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting tgtd", e);
        } catch (RuntimeException e) {
            tgtd.close();
            throw e;
        }
    }

    private static void admin(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("tgtadm"));
        command.addAll(List.of(args));
        ClientProcess.Result result = ClientProcess.run(command, TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(result.describe());
        }
    }

    public int port() {
        return port;
    }

    /** LUN 1, the file: {@code iscsi://127.0.0.1:PORT/IQN/1}. */
    public String lunUrl() {
        return "iscsi://127.0.0.1:" + port + "/" + iqn + "/1";
    }

    /** The daemon's version, as {@code tgtd --version} prints it. */
    public static String version() {
        return ClientProcess.run(List.of("tgtd", "--version"), TIMEOUT).stdout().strip();
    }

    /** SIGKILL: tgtd ignores SIGTERM while it has a target, and a reference peer has nothing to save. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port: " + e.getMessage(), e);
        }
    }
}
