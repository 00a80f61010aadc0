package org.diskfarm.bench;

import org.diskfarm.testkit.vm.TgtTarget;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The iSCSI streaming benchmark: {@code diskfarm serve}'s iSCSI target and, in the same run, tgt's tgtd (the reference
 * peer, on the raw image), both on 127.0.0.1, under libiscsi's {@code iscsi-perf} (reads) and {@code qemu-img bench}
 * (random writes); then a boot storm of N sessions. Prints Markdown. Run it with {@code scripts/bench-iscsi};
 * docs/benchmarks.md, section "iSCSI streaming", says what each number means.
 *
 * <pre>
 * options: --dir DIR              work directory (default under /tmp)
 *          --cli-jar JAR          the diskfarm command line (import, vdisk set, serve); required
 *          --java JAVA            the java to run it with (default: this one)
 *          --server-jvm "OPTS"    JVM options for diskfarm serve (default "-Xms1g -Xmx6g")
 *          --serve-args "ARGS"    extra options for diskfarm serve
 *          --image-size BYTES     size of the image (default 1g; suffixes k, m, g)
 *          --rounds N             rounds per workload (default 3)
 *          --runtime S            seconds per read run; the write runs are sized to take about as long (default 5)
 *          --storm N              sessions in the boot storm (default 500)
 *          --storm-bytes BYTES    bytes each storm session reads (default 64m)
 *          --storm-request BYTES  size of each storm read (default 64k)
 *          --only read,write,storm  the parts to run (default all)
 *          --quick                a smoke run: --image-size 256m --rounds 1 --runtime 2 --storm 50 --storm-bytes 8m
 *          --out FILE             also write the Markdown to FILE
 * </pre>
 */
public final class IscsiBenchMain {
    static final String VDISK_IQN = "iqn.2026-11.org.diskfarm:vdisk.";
    static final String DEVICE_IQN = "iqn.2026-11.org.diskfarm:device.";
    static final String TGTD_IQN = "iqn.2026-11.org.diskfarm.bench:tgtd";
    /** The LUN tgtd serves the file as (its LUN 0 is the controller); diskfarm serves LUN 0. */
    static final int TGTD_LUN = 1;

    private Path dir;
    private Path cliJar;
    private Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private String serverJvm = "-Xms1g -Xmx6g";
    private String[] serveArgs = new String[0];
    private long imageSize = 1L << 30;
    private int rounds = 3;
    private int runtime = 5;
    private int stormSessions = 500;
    private long stormBytes = 64L << 20;
    private int stormRequest = 64 << 10;
    private List<String> only = List.of("read", "write", "storm");
    private Path out;

    private final List<String> notes = new ArrayList<>();
    private final List<AutoCloseable> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private int httpPort;

    /** tgtd as a server under test: the testkit's {@link TgtTarget} and the PID of its process, for /proc. */
    record TgtdServer(String name, TgtTarget tgtd, long pid) implements ServerStats, AutoCloseable {
        String url() {
            return tgtd.lunUrl();
        }

        @Override
        public void close() {
            tgtd.close();
        }
    }

    /** One target of one server: what the clients and the storm log in to. */
    record Target(String key, String label, ServerStats server, int port, String iqn, int lun, boolean diskfarm)
            implements NbdReport.Row {
        String url() {
            return "iscsi://127.0.0.1:" + port + "/" + iqn + "/" + lun;
        }
    }

    public static void main(String[] args) throws IOException {
        IscsiBenchMain bench = new IscsiBenchMain();
        bench.parse(args);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopServers));
        String markdown;
        try {
            markdown = bench.run();
        } finally {
            bench.stopServers();
        }
        System.out.println(markdown);
        if (bench.out != null) {
            Files.writeString(bench.out, markdown);
        }
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (args[i].equals("--quick")) {
                imageSize = 256L << 20;
                rounds = 1;
                runtime = 2;
                stormSessions = 50;
                stormBytes = 8L << 20;
                continue;
            }
            switch (args[i]) {
                case "--dir" -> dir = Path.of(value);
                case "--cli-jar" -> cliJar = Path.of(value);
                case "--java" -> java = Path.of(value);
                case "--server-jvm" -> serverJvm = value;
                case "--serve-args" -> serveArgs = value.isBlank() ? new String[0] : value.strip().split("\\s+");
                case "--image-size" -> imageSize = NbdBenchMain.bytes(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--runtime" -> runtime = Integer.parseInt(value);
                case "--storm" -> stormSessions = Integer.parseInt(value);
                case "--storm-bytes" -> stormBytes = NbdBenchMain.bytes(value);
                case "--storm-request" -> stormRequest = (int) NbdBenchMain.bytes(value);
                case "--only" -> only = List.of(value.split(","));
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (cliJar == null) {
            throw new IllegalArgumentException("--cli-jar is required (the image is imported with diskfarm)");
        }
    }

    static final List<Fio.Workload> READS = NbdBenchMain.READS;
    static final Fio.Workload RANDWRITE = NbdBenchMain.RANDWRITE;

    private String run() throws IOException {
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("diskfarm-iscsi-bench");
        Instant started = Instant.now();
        String loadAtStart = NbdBenchMain.loadAverage();
        Path log = work.resolve("setup.log");
        Path image = work.resolve("image.raw");
        Path data = work.resolve("diskfarm");
        Path store = Files.createDirectories(data.resolve("store"));

        // The image as for NBD: raw for tgtd, imported by diskfarm into the VHD it serves.
        status("writing the %d MiB image", imageSize >> 20);
        Path base = store.resolve("base.vhd");
        DiskfarmCli cli = new DiskfarmCli(java, cliJar);
        long size = cli.prepareImage(image, base, imageSize, log);
        Path tgtdCopy = NbdBenchMain.copy(image, work.resolve("tgtd-w.raw"), log);
        NbdBenchMain.copy(base, store.resolve("priv.vhd"), log);
        NbdBenchMain.copy(store.resolve("base.pvp"), store.resolve("priv.pvp"), log);
        cli.setMode(store, "base", log, "--mode", "standard", "--cache", "ram", "--cache-size", "2G");
        cli.setMode(store, "priv", log, "--mode", "private");
        Files.writeString(data.resolve("devices.csv"), devicesCsv());
        for (Path file : List.of(image, base, tgtdCopy, store.resolve("priv.vhd"))) {
            Processes.runChecked(List.of("dd", "if=" + file, "of=/dev/null", "bs=4M", "status=none"), log);
        }

        status("starting the servers");
        NbdServerProcess diskfarm = startDiskfarm(data, work, "diskfarm");
        int iscsiPort = iscsiPort(diskfarm);
        TgtdServer tgtdRead = startTgtd("tgtd", image, work);
        TgtdServer tgtdWrite = startTgtd("tgtd-w", tgtdCopy, work);

        Target dfName = new Target("df-name", "diskfarm, vDisk target (Standard, read-only)", diskfarm, iscsiPort,
                VDISK_IQN + "base", 0, true);
        Target dfDevice = new Target("df-dev", "diskfarm, device target (Standard, empty ram cache)", diskfarm,
                iscsiPort, DEVICE_IQN + hex(NbdBenchMain.READ_MAC), 0, true);
        Target tgtd = new Target("tgtd", "tgtd (raw file)", tgtdRead, tgtdRead.tgtd().port(), TGTD_IQN, TGTD_LUN,
                false);
        for (Target t : List.of(dfName, dfDevice, tgtd)) {
            Processes.runChecked(List.of("qemu-img", "compare", "-q", "-f", "raw", "-F", "raw", image.toString(),
                    t.url()), log);
        }
        List<Target> readTargets = List.of(dfName, dfDevice, tgtd);
        List<Target> writeTargets = List.of(
                new Target("df-private", "diskfarm Private mode (vDisk target)", diskfarm, iscsiPort,
                        VDISK_IQN + "priv", 0, true),
                new Target("df-ram", "diskfarm Standard, ram cache (device target)", diskfarm, iscsiPort,
                        DEVICE_IQN + hex(NbdBenchMain.writeMac(0)), 0, true),
                new Target("tgtd", "tgtd (own raw copy)", tgtdWrite, tgtdWrite.tgtd().port(), TGTD_IQN, TGTD_LUN,
                        false));

        Map<Fio.Workload, Map<Target, List<Fio.Result>>> results = new LinkedHashMap<>();
        if (only.contains("read")) {
            status("warming up (2 s of each read workload on each read target, not counted)");
            for (Fio.Workload w : READS) {
                for (Target t : readTargets) {
                    IscsiLoad.perf(w, t.url(), 2, t.server(), work);
                }
            }
            for (Fio.Workload w : READS) {
                results.put(w, runRounds(w, readTargets, t -> IscsiLoad.perf(w, t.url(), runtime, t.server(), work)));
            }
        }
        long writeCount = 0;
        long step = IscsiLoad.scatterStep(size, RANDWRITE.blockBytes());
        if (only.contains("write")) {
            // The write runs are count-based: a warm-up of 20,000 writes on each target (not counted) sets the count
            // so that a run takes about --runtime seconds; every target then writes the same count each round.
            status("warming up the write targets (20,000 writes each, not counted)");
            double[] warm = new double[writeTargets.size()];
            for (int i = 0; i < warm.length; i++) {
                Target t = writeTargets.get(i);
                warm[i] = withEmptyCache(t, () -> IscsiLoad.bench(RANDWRITE, t.url(), 20_000, step, t.server(),
                        work)).iops();
            }
            writeCount = Math.max(20_000, Math.round(Samples.median(warm) * runtime / 1000) * 1000);
            long count = writeCount;
            results.put(RANDWRITE, runRounds(RANDWRITE, writeTargets, t -> withEmptyCache(t,
                    () -> IscsiLoad.bench(RANDWRITE, t.url(), count, step, t.server(), work))));
        }
        Map<Target, List<BootStorm.Result>> storms = new LinkedHashMap<>();
        if (only.contains("storm")) {
            // Fresh servers for the storm, as for NBD; each gets a 2 s sequential read first (diskfarm's JIT).
            checkServers(diskfarm);
            stopServers();
            status("restarting the servers for the storm");
            NbdServerProcess stormDiskfarm = startDiskfarm(data, work, "diskfarm-storm");
            int stormPort = iscsiPort(stormDiskfarm);
            TgtdServer stormTgtd = startTgtd("tgtd-storm", image, work);
            List<Target> stormTargets = List.of(
                    new Target("df-dev", "diskfarm, " + stormSessions + " device targets (Standard, ram cache)",
                            stormDiskfarm, stormPort, DEVICE_IQN + "(one MAC each)", 0, true),
                    new Target("tgtd", "tgtd (raw file), one target", stormTgtd, stormTgtd.tgtd().port(), TGTD_IQN,
                            TGTD_LUN, false));
            IscsiLoad.perf(READS.getFirst(), "iscsi://127.0.0.1:" + stormPort + "/" + DEVICE_IQN
                    + hex(NbdBenchMain.READ_MAC) + "/0", 2, stormDiskfarm, work);
            IscsiLoad.perf(READS.getFirst(), stormTgtd.url(), 2, stormTgtd, work);
            BootStorm storm = new BootStorm(stormSessions, stormBytes, stormRequest, image);
            for (Target t : stormTargets) {
                storms.put(t, new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (Target t : NbdBenchMain.rotate(stormTargets, round)) {
                    status("storm round %d: %s", round + 1, t.label());
                    BootStorm.Connector connector = i -> IscsiInitiator.login(t.port(), t.diskfarm()
                                    ? DEVICE_IQN + hex(NbdBenchMain.stormMac(i)) : t.iqn(), t.lun(),
                            String.format(Locale.ROOT, "iqn.2026-11.org.diskfarm.bench:pc%03d", i), 0x10000 + i);
                    BootStorm.Result r = storm.run(t.server(), connector, t.diskfarm()
                            ? () -> NbdBenchMain.liveHeapKib(java, t.server(), work) : null);
                    storms.get(t).add(r);
                    status("  %.2f s, %.1f KiB RSS per idle session, peak RSS %d MiB", r.stormNanos() / 1e9,
                            r.growthPerConnectionKib(stormSessions), r.rssPeakKib() >> 10);
                }
            }
            checkServers(stormDiskfarm);
        } else {
            checkServers(diskfarm);
        }
        stopServers();
        if (writeCount > 0) {
            notes.add("random writes: `" + String.join(" ", IscsiLoad.benchCommand(RANDWRITE, "URL", writeCount, step))
                    + "` (the count set by the warm-up)");
        }
        notes.add("reads: `" + String.join(" ", IscsiLoad.perfCommand(READS.get(2), "URL", runtime))
                + "` (QD32 random; `-m 8 -b 2048` without `-r` for sequential, `-m 1 -b 8 -r` for QD1)");
        notes.add("load average (1, 5, 15 min) at the start: " + loadAtStart + "; at the end: "
                + NbdBenchMain.loadAverage() + " (other work on the machine shows here)");
        String header = NbdReport.environment(work, versions(), serverJvm, true, imageSize, size, rounds,
                "Reads run " + runtime + " s each (iscsi-perf), random writes " + writeCount
                        + " requests each (qemu-img bench)");
        String clientNote = "iscsi-perf and qemu-img bench give no latencies. Server CPU is the server process's "
                + "user+system time over the client's run (connection and login included) divided by the client's "
                + "wall time; the client runs on the same 2 cores.";
        return header + NbdReport.fioTables(results, clientNote) + NbdReport.stormTable(storms, stormSessions,
                stormBytes, stormRequest, serverJvm, "sessions", "login with AuthMethod=None, READ CAPACITY(10)")
                + NbdReport.notes(notes) + "\nWhole run: " + Duration.between(started, Instant.now()).toSeconds()
                + " s.\n";
    }

    private interface Load {
        Fio.Result run(Target t);
    }

    private interface Run {
        Fio.Result run();
    }

    private Map<Target, List<Fio.Result>> runRounds(Fio.Workload w, List<Target> targets, Load load) {
        Map<Target, List<Fio.Result>> results = new LinkedHashMap<>();
        for (Target t : targets) {
            results.put(t, new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (Target t : NbdBenchMain.rotate(targets, round)) {
                Fio.Result r = load.run(t);
                results.get(t).add(r);
                status("%s round %d: %-52s %8.0f IOPS %7.0f MiB/s", w.key(), round + 1, t.label(), r.iops(),
                        r.bytesPerSecond() / (1 << 20));
            }
        }
        return results;
    }

    /** For a diskfarm Standard-mode device: a boot event before and after, so that every run starts empty. */
    private Fio.Result withEmptyCache(Target t, Run run) {
        boolean device = t.diskfarm() && t.iqn().startsWith(DEVICE_IQN);
        String mac = device ? NbdBenchMain.writeMac(0) : null;
        if (device) {
            NbdBenchMain.boot(http, httpPort, token, mac, this::note);
        }
        Fio.Result r = run.run();
        if (device) {
            NbdBenchMain.boot(http, httpPort, token, mac, this::note);
        }
        return r;
    }

    private String devicesCsv() {
        StringBuilder csv = new StringBuilder("mac,name,vdisk\n");
        csv.append(NbdBenchMain.READ_MAC).append(",reader,base\n");
        csv.append(NbdBenchMain.writeMac(0)).append(",writer-ram,base\n");
        for (int i = 0; i < stormSessions; i++) {
            csv.append(NbdBenchMain.stormMac(i)).append(String.format(Locale.ROOT, ",pc%03d,base%n", i));
        }
        return csv.toString();
    }

    /** A MAC as the device target names it: hex digits without separators. */
    static String hex(String mac) {
        return mac.replace(":", "").toLowerCase(Locale.ROOT);
    }

    /** The farm's API token, which the diskfarm server saved in its data folder. */
    private String token;

    private NbdServerProcess startDiskfarm(Path data, Path work, String name) {
        int nbd = NbdServerProcess.freePort();
        httpPort = NbdServerProcess.freePort();
        int iscsi = NbdServerProcess.freePort();
        List<String> command = new DiskfarmCli(java, cliJar).serve(serverJvm, data, nbd, httpPort, iscsi, serveArgs);
        status("starting %s", name);
        NbdServerProcess server = NbdServerProcess.start(name, command, nbd, work.resolve(name + ".log"),
                NbdServerProcess.Readiness.READY_LINE);
        servers.add(server);
        token = DiskfarmCli.token(data);
        iscsiPorts.put(server, iscsi);
        notes.add(name + ": `" + String.join(" ", command).replace(work + "/", "") + "`");
        return server;
    }

    private final Map<NbdServerProcess, Integer> iscsiPorts = new LinkedHashMap<>();

    private int iscsiPort(NbdServerProcess server) {
        return iscsiPorts.get(server);
    }

    /** Starts tgtd (testkit {@link TgtTarget}, without its debug log) on {@code file}. */
    private TgtdServer startTgtd(String name, Path file, Path work) {
        TgtTarget tgtd = TgtTarget.startQuiet(work.resolve(name), file, TGTD_IQN);
        long pid = tgtd.pid();
        TgtdServer server = new TgtdServer(name, tgtd, pid);
        servers.add(server);
        notes.add(name + ": `tgtd -f -C CONTROL --iscsi portal=127.0.0.1:" + tgtd.port() + "`, then `tgtadm` "
                + "new target " + TGTD_IQN + ", logicalunit 1 `-b " + work.relativize(file) + "` (backing store rdwr, "
                + "the default), bind ALL");
        return server;
    }

    private void checkServers(NbdServerProcess diskfarm) {
        if (!diskfarm.alive()) {
            notes.add(diskfarm.name() + " was no longer running at the end of its part: " + diskfarm.logTail());
        }
        for (AutoCloseable s : servers) {
            if (s instanceof TgtdServer t && ProcessHandle.of(t.pid()).map(p -> !p.isAlive()).orElse(true)) {
                notes.add(t.name() + " was no longer running at the end of its part");
            }
        }
    }

    private void stopServers() {
        List<AutoCloseable> running = new ArrayList<>(servers);
        servers.clear();
        for (AutoCloseable s : running) {
            try {
                s.close();
            } catch (Exception e) {
                System.err.println("iscsi-bench: stopping a server: " + e);
            }
        }
    }

    private List<String> versions() {
        List<String> v = new ArrayList<>();
        v.add("tgtd " + TgtTarget.version() + " (Debian package tgt)");
        v.add(NbdBenchMain.firstLine(List.of("dpkg-query", "-W", "-f", "libiscsi-bin ${Version}\\n",
                "libiscsi-bin")) + " (iscsi-perf; libiscsi is also QEMU's iSCSI driver)");
        v.add(NbdBenchMain.firstLine(List.of("qemu-img", "--version")));
        v.add("diskfarm server JVM: " + NbdBenchMain.firstLine(List.of(java.toString(), "-version")) + " (" + java
                + ")");
        return v;
    }

    private void note(String text) {
        if (!notes.contains(text)) {
            notes.add(text);
            System.err.println("iscsi-bench: note: " + text);
        }
    }

    private static void status(String format, Object... args) {
        System.err.println("iscsi-bench: " + String.format(Locale.ROOT, format, args));
    }
}
