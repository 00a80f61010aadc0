package org.diskfarm.testkit.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * tgt's user-space iSCSI target, {@code tgtd} (Debian package tgt, 1.0.85 in Debian 12), as a reference target for
 * {@link IpxeVm}: a private tgtd on 127.0.0.1 exporting one file as LUN 1 of one target.
 *
 * <p>Run as: {@code tgtd -f -d 1 -C CONTROL --iscsi portal=127.0.0.1:PORT}, then {@code tgtadm -C CONTROL --lld
 * iscsi} to add target 1, its LUN 1 with {@code --backing-store FILE}, optionally a CHAP account bound to it, and
 * {@code --op bind --initiator-address ALL}. {@code -C} picks the management socket
 * ({@code /var/run/tgtd/socket.N} and its {@code .lock}; tgtd takes 0-32767 and refuses a number another tgtd
 * holds), so this tgtd and tgtadm never talk to a system tgtd or to another test's; {@code -f} keeps it in the
 * foreground, as a child that this object kills by PID; {@code -d 1} writes a debug log ({@link #log()}) with the
 * login stages, the initiator name ({@code session_find_name}) and every SCSI command: {@code
 * iscsi_scsi_cmd_rx_start(...) 1 28 0 0 65024 ...} is opcode 0x28 for 65024 bytes, {@code bs_rdwr_request}
 * lines are the reads of the backing file. The login keys are not in it: capture them with
 * {@code tcpdump -i lo -s0 -w login.pcap tcp port PORT} and read with {@code tcpdump -A -r login.pcap}.
 * tgtd prints warnings about RDMA (iSER) and oom_score_adj at start; they are harmless.
 *
 * <p>tgt puts its own "storage controller" device at LUN 0, so the disk is LUN 1 ({@link #LUN}); tgtd writes to the
 * backing file, so give it a copy of a cached image.
 *
 * <p>Threads: one owner; {@link #close()} is idempotent.
 */
public final class TgtTarget implements AutoCloseable {
    public static final int TID = 1;
    public static final int LUN = 1;

    private final OwnProcess tgtd;
    private final Path log;
    private final int port;
    private final int controlPort;
    private final String iqn;

    private TgtTarget(OwnProcess tgtd, Path log, int port, int controlPort, String iqn) {
        this.tgtd = tgtd;
        this.log = log;
        this.port = port;
        this.controlPort = controlPort;
        this.iqn = iqn;
    }

    /** Starts tgtd exporting {@code backingFile} as {@code iqn}, LUN 1, without CHAP. */
    public static TgtTarget start(Path workDir, Path backingFile, String iqn) {
        return start(workDir, backingFile, iqn, null, null);
    }

    /**
     * Starts tgtd exporting {@code backingFile} as {@code iqn}, LUN 1; with CHAP if {@code chapUser} is not null.
     * Logs go to {@code workDir/tgtd-PORT.log}.
     */
    public static TgtTarget start(Path workDir, Path backingFile, String iqn, String chapUser, String chapSecret) {
        return start(workDir, backingFile, iqn, chapUser, chapSecret, true);
    }

    /**
     * As {@link #start(Path, Path, String)} but without tgtd's debug log ({@code -d 1} logs every command), for
     * benchmarks, where the log would slow the peer down.
     */
    public static TgtTarget startQuiet(Path workDir, Path backingFile, String iqn) {
        return start(workDir, backingFile, iqn, null, null, false);
    }

    private static TgtTarget start(Path workDir, Path backingFile, String iqn, String chapUser, String chapSecret,
            boolean debug) {
        VmTools.ensure(VmTools.TGT).ifPresent(missing -> {
            throw new IllegalStateException("cannot start tgtd: " + missing);
        });
        TgtTarget target = startDaemon(workDir, iqn, debug, 1);
        try {
            target.admin("--mode", "target", "--op", "new", "--tid", Integer.toString(TID), "--targetname", iqn);
            target.admin("--mode", "logicalunit", "--op", "new", "--tid", Integer.toString(TID), "--lun",
                    Integer.toString(LUN), "--backing-store", backingFile.toAbsolutePath().toString());
            if (chapUser != null) {
                target.admin("--mode", "account", "--op", "new", "--user", chapUser, "--password", chapSecret);
                target.admin("--mode", "account", "--op", "bind", "--tid", Integer.toString(TID), "--user",
                        chapUser);
            }
            target.admin("--mode", "target", "--op", "bind", "--tid", Integer.toString(TID), "--initiator-address",
                    "ALL");
            return target;
        } catch (RuntimeException e) {
            target.close();
            throw e;
        }
    }

    /**
     * Starts tgtd on a free port with a random control port, once more if that control port was taken by another
     * tgtd ("another tgtd is using /var/run/tgtd/socket.N.lock").
     */
    private static TgtTarget startDaemon(Path workDir, String iqn, boolean debug, int attempt) {
        int port = freeLoopbackPort();
        // The control "port" names tgtd's socket and lock under /var/run/tgtd; tgtd takes 0-32767 and a system tgtd
        // uses 0, so pick from the upper part.
        int controlPort = ThreadLocalRandom.current().nextInt(10_000, 32_768);
        Path log = workDir.resolve("tgtd-" + port + ".log");
        List<String> command = new java.util.ArrayList<>(List.of(Commands.require("tgtd", "tgt"), "-f"));
        if (debug) {
            command.addAll(List.of("-d", "1"));
        }
        command.addAll(List.of("-C", Integer.toString(controlPort), "--iscsi", "portal=127.0.0.1:" + port));
        OwnProcess tgtd;
        try {
            Files.createDirectories(workDir);
            tgtd = new OwnProcess(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        }
        TgtTarget target = new TgtTarget(tgtd, log, port, controlPort, iqn);
        try {
            target.awaitListening();
            return target;
        } catch (RuntimeException e) {
            target.close();
            if (attempt < 5 && target.logText().contains("another tgtd is using")) {
                return startDaemon(workDir, iqn, debug, attempt + 1);
            }
            throw e;
        }
    }

    /** The port on 127.0.0.1 where tgtd takes iSCSI connections. */
    public int port() {
        return port;
    }

    public String iqn() {
        return iqn;
    }

    /** LUN 1 as libiscsi and QEMU name it from this host: {@code iscsi://127.0.0.1:PORT/IQN/1}. */
    public String lunUrl() {
        return "iscsi://127.0.0.1:" + port + "/" + iqn + "/" + LUN;
    }

    /** The tgtd process's id, for its memory and CPU figures in /proc. */
    public long pid() {
        return tgtd.process().pid();
    }

    /** tgtd's version, as {@code tgtd --version} prints it. */
    public static String version() {
        return org.diskfarm.testkit.ClientProcess.run(java.util.List.of("tgtd", "--version"),
                java.time.Duration.ofSeconds(10)).stdout().strip();
    }

    /** The root path iPXE needs for this target: LUN 1 at 10.0.2.2:port. */
    public IscsiBoot bootTarget() {
        return IscsiBoot.of(port, LUN, iqn);
    }

    /** tgtd's debug log file. */
    public Path log() {
        return log;
    }

    /** tgtd's debug log so far. */
    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code tgtadm -C CONTROL --lld iscsi --mode target --op show}: targets, LUNs, sessions, accounts, ACLs. */
    public String show() {
        return admin("--mode", "target", "--op", "show");
    }

    /** Runs tgtadm against this tgtd; fails with tgtadm's message unless it exits 0. */
    public String admin(String... args) {
        List<String> command = new ArrayList<>(List.of(Commands.require("tgtadm", "tgt"), "-C",
                Integer.toString(controlPort), "--lld", "iscsi"));
        command.addAll(List.of(args));
        return Commands.check(command);
    }

    /**
     * Kills tgtd by its PID with SIGKILL: tgtd -f ignores SIGTERM (it takes signals through a signalfd and does not
     * act on TERM), and {@code tgtadm --mode system --op delete} answers "invalid request" while a target exists.
     * Then removes the socket and lock files that tgtd leaves in /var/run/tgtd for its control port.
     */
    @Override
    public void close() {
        tgtd.kill();
        for (String name : List.of("socket." + controlPort, "socket." + controlPort + ".lock")) {
            try {
                Files.deleteIfExists(Path.of("/var/run/tgtd", name));
            } catch (IOException e) {
                // a leftover file is harmless: the lock is an flock, free once tgtd is gone
            }
        }
    }

    /** Waits (10 s at most) until tgtd answers tgtadm and takes connections on its port. */
    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String lastError = "";
        while (System.nanoTime() - deadline < 0) {
            if (!tgtd.isAlive()) {
                throw new IllegalStateException("tgtd exited with status " + tgtd.process().exitValue() + ": "
                        + Commands.oneLine(logText()));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                admin("--mode", "sys", "--op", "show");
                return;
            } catch (IOException | IllegalStateException e) {
                lastError = e.getMessage();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for tgtd", e);
            }
        }
        throw new IllegalStateException("tgtd did not take connections on 127.0.0.1:" + port + " within 10 s: "
                + lastError);
    }

    /** A port that was free on 127.0.0.1 a moment ago; tgtd fails to start, loudly, in the rare race. */
    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
