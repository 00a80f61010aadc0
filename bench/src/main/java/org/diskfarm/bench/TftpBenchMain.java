package org.diskfarm.bench;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TFTP benchmark: N clients (default 200) fetch the same boot file (default {@code undionly.kpxe}) at once from
 * diskfarm's TFTP server and, in the same run and with the same client, from dnsmasq's, both serving the same file
 * from the same folder; once per configuration of the client's options (default: {@code blksize=1468 windowsize=8
 * tsize=0}, then {@code blksize=1468 tsize=0}, lock-step). Each storm's wall time runs from the first RRQ to the end
 * of the last transfer; every byte is checked. Warm-up storms first (not counted), then rounds in which each server
 * gets one storm, the order alternating each round. Prints Markdown. Run it with {@code scripts/bench-tftp}, which
 * runs it in a network namespace of its own; docs/benchmarks.md, section "TFTP", says what each number means.
 *
 * <pre>
 * options: --dir DIR              work directory (default under /tmp); the served folder is DIR/root
 *          --file PATH            the file to serve (default /usr/lib/ipxe/undionly.kpxe)
 *          --clients N            transfers at once (default 200)
 *          --blksize N            blksize asked for (default 1468)
 *          --windows 8,1          the windowsize of each configuration (1: the option is not sent)
 *          --rounds N             timed rounds per configuration (default 21)
 *          --warmup N             untimed storms per server before each configuration's rounds (default 20)
 *          --client-threads N     selector threads of the load client (default 1)
 *          --timeout-ms N         the client's retransmission timeout (default 1000)
 *          --retries N            the client's retransmissions in a row before a transfer fails (default 5)
 *          --pause-ms N           pause after each storm, before the next (default 500)
 *          --settle-ms N          wait after a configuration's rounds before reading diskfarm's counters (default
 *                                 8000: a transfer diskfarm still thinks open gives up after 5 timeouts of 1 s)
 *          --dnsmasq PATH         (default /usr/sbin/dnsmasq)
 *          --dnsmasq-address A    (default 127.0.0.2; dnsmasq's TFTP port is always 69)
 *          --tftp-max N           dnsmasq's --tftp-max (default 1000; dnsmasq's own default is 50)
 *          --diskfarm-address A   (default 127.0.0.3)
 *          --diskfarm-port N      (default 69)
 *          --event-loops N        diskfarm's event loops (default: TftpServerOptions.DEFAULTS, one per processor)
 *          --java JAVA            the java for diskfarm's server (default: this one)
 *          --server-jvm "OPTS"    its JVM options (default "-Xms64m -Xmx512m")
 *          --server-cp CP         its class path (default: this JVM's, which must hold the boot jar)
 *          --no-diskfarm, --no-dnsmasq   leave one out
 *          --out FILE             also write the Markdown to FILE
 * </pre>
 */
public final class TftpBenchMain {
    private Path dir;
    private Path file = Path.of("/usr/lib/ipxe/undionly.kpxe");
    private int clients = 200;
    private int blksize = 1468;
    private List<Integer> windows = List.of(8, 1);
    private int rounds = 21;
    private int warmup = 20;
    private int clientThreads = 1;
    private long timeoutMillis = 1000;
    private int retries = 5;
    private long pauseMillis = 500;
    private long settleMillis = 8000;
    private Path dnsmasq = Path.of("/usr/sbin/dnsmasq");
    private String dnsmasqAddress = "127.0.0.2";
    private int tftpMax = 1000;
    private String diskfarmAddress = "127.0.0.3";
    private int diskfarmPort = 69;
    private int eventLoops;
    private Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private String serverJvm = "-Xms64m -Xmx512m";
    private String serverCp = System.getProperty("java.class.path");
    private boolean withDiskfarm = true;
    private boolean withDnsmasq = true;
    private Path out;

    private final List<String> notes = new ArrayList<>();
    private final Map<String, Long> warmupTimeouts = new LinkedHashMap<>();
    private final StallWatch stallWatch = new StallWatch();
    private final List<TftpServerProcess> servers = new ArrayList<>();
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws IOException {
        TftpBenchMain bench = new TftpBenchMain();
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
            switch (args[i]) {
                case "--no-diskfarm" -> {
                    withDiskfarm = false;
                    continue;
                }
                case "--no-dnsmasq" -> {
                    withDnsmasq = false;
                    continue;
                }
                case "--dir" -> dir = Path.of(value);
                case "--file" -> file = Path.of(value);
                case "--clients" -> clients = Integer.parseInt(value);
                case "--blksize" -> blksize = Integer.parseInt(value);
                case "--windows" -> windows = List.of(value.split(",")).stream().map(String::strip)
                        .map(Integer::valueOf).toList();
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--client-threads" -> clientThreads = Integer.parseInt(value);
                case "--timeout-ms" -> timeoutMillis = Long.parseLong(value);
                case "--retries" -> retries = Integer.parseInt(value);
                case "--pause-ms" -> pauseMillis = Long.parseLong(value);
                case "--settle-ms" -> settleMillis = Long.parseLong(value);
                case "--dnsmasq" -> dnsmasq = Path.of(value);
                case "--dnsmasq-address" -> dnsmasqAddress = value;
                case "--tftp-max" -> tftpMax = Integer.parseInt(value);
                case "--diskfarm-address" -> diskfarmAddress = value;
                case "--diskfarm-port" -> diskfarmPort = Integer.parseInt(value);
                case "--event-loops" -> eventLoops = Integer.parseInt(value);
                case "--java" -> java = Path.of(value);
                case "--server-jvm" -> serverJvm = value;
                case "--server-cp" -> serverCp = value;
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (!withDiskfarm && !withDnsmasq) {
            throw new IllegalArgumentException("nothing to measure: both servers left out");
        }
    }

    /** One server's storms in one configuration. */
    private static final class Series {
        final Samples wall = new Samples();
        final List<TftpLoadClient.Result> results = new ArrayList<>();
        long serverCpuNanos;
        long clientCpuNanos;
        /** The longest pause of the harness JVM itself seen during one of the timed storms. */
        long worstStallNanos;
        /** The server's own counters over the timed rounds (and the settling after them); empty for dnsmasq. */
        Map<String, Long> serverCounters = Map.of();
    }

    private String run() throws IOException {
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("diskfarm-tftp-bench");
        Instant started = Instant.now();
        String loadAtStart = NbdBenchMain.loadAverage();
        Path root = Files.createDirectories(work.resolve("root"));
        String name = file.getFileName().toString();
        Path served = root.resolve(name);
        Files.copy(file, served, StandardCopyOption.REPLACE_EXISTING);
        byte[] expected = Files.readAllBytes(served);

        TftpServerProcess df = null, dm = null;
        if (withDiskfarm) {
            df = startDiskfarm(root, work);
        }
        if (withDnsmasq) {
            dm = startDnsmasq(root, work);
        }
        List<TftpServerProcess> peers = new ArrayList<>();
        if (df != null) {
            peers.add(df);
        }
        if (dm != null) {
            peers.add(dm);
        }
        for (TftpServerProcess server : peers) {
            waitUntilServing(server, name, expected);
        }

        Map<Integer, Map<TftpServerProcess, Series>> all = new LinkedHashMap<>();
        for (int window : windows) {
            Map<TftpServerProcess, Series> series = new LinkedHashMap<>();
            for (TftpServerProcess server : peers) {
                series.put(server, new Series());
            }
            all.put(window, series);
            status("%s: %d warm-up storm(s) per server", configuration(window), warmup);
            for (int i = 0; i < warmup; i++) {
                for (TftpServerProcess server : peers) {
                    Map<String, Long> c0 = counters(server);
                    stallWatch.takeWorstNanos();
                    TftpLoadClient.Result r = storm(server, name, expected, window);
                    long stall = stallWatch.takeWorstNanos();
                    if (!r.ok()) {
                        note("warm-up storm against " + server.name() + " (" + configuration(window) + "): "
                                + r.failed() + " transfer(s) failed, first: " + r.firstFailure());
                    }
                    if (r.timeouts() > 0) {
                        status("warm-up storm against %s: %d client timeout(s) (%d of them before the first answer), "
                                        + "%.3f s, first answer median %.3f s, last %.3f s, harness paused up to %d "
                                        + "ms%s",
                                server.name(), r.timeouts(), r.requestTimeouts(), r.wallNanos() / 1e9,
                                r.firstAnswerSeconds()[0], r.firstAnswerSeconds()[1], stall / 1_000_000,
                                c0.isEmpty() ? "" : "; server counters "
                                        + difference(counters(server), c0));
                        warmupTimeouts.merge(server.name() + ", " + configuration(window), r.timeouts(), Long::sum);
                    }
                    pause();
                }
            }
            Map<TftpServerProcess, Map<String, Long>> countersBefore = new LinkedHashMap<>();
            for (TftpServerProcess server : peers) {
                countersBefore.put(server, counters(server));
            }
            for (int round = 0; round < rounds; round++) {
                for (TftpServerProcess server : NbdBenchMain.rotate(peers, round)) {
                    Series s = series.get(server);
                    Map<String, Long> c0 = counters(server);
                    long cpu0 = server.cpuNanos();
                    long client0 = os.getProcessCpuTime();
                    stallWatch.takeWorstNanos();
                    TftpLoadClient.Result r = storm(server, name, expected, window);
                    long stall = stallWatch.takeWorstNanos();
                    long client1 = os.getProcessCpuTime();
                    s.worstStallNanos = Math.max(s.worstStallNanos, stall);
                    pause(); // the server finishes (final ACKs, closing) before its CPU time is read
                    long cpu1 = server.cpuNanos();
                    s.serverCpuNanos += cpu1 - cpu0;
                    s.clientCpuNanos += client1 - client0;
                    s.wall.add(r.wallNanos());
                    s.results.add(r);
                    status("%s round %d: %-8s %6.3f s (median transfer %.3f s, first answer median %.3f s, last "
                                    + "%.3f s), server CPU %.2f s, timeouts %d (%d before the first answer), "
                                    + "duplicates %d, failed %d, harness paused up to %d ms%s",
                            configuration(window), round + 1, server.name(), r.wallNanos() / 1e9,
                            r.medianTransferSeconds(), r.firstAnswerSeconds()[0], r.firstAnswerSeconds()[1],
                            (cpu1 - cpu0) / 1e9, r.timeouts(), r.requestTimeouts(),
                            r.duplicates(), r.failed(), stall / 1_000_000, c0.isEmpty() ? "" : "; server counters "
                                    + difference(counters(server), c0));
                    if (!r.ok()) {
                        note(server.name() + ", " + configuration(window) + ", round " + (round + 1) + ": "
                                + r.failed() + " transfer(s) failed, first: " + r.firstFailure());
                    }
                }
            }
            // A transfer the server still thinks open gives up after its retries: wait for that before counting.
            pause(settleMillis);
            for (TftpServerProcess server : peers) {
                series.get(server).serverCounters = difference(counters(server), countersBefore.get(server));
            }
        }

        for (TftpServerProcess server : peers) {
            if (!server.alive()) {
                note(server.name() + " was no longer running at the end: " + server.logTail());
            }
        }
        for (Map.Entry<Integer, Map<TftpServerProcess, Series>> e : all.entrySet()) {
            StringBuilder stalls = new StringBuilder();
            e.getValue().forEach((server, series) -> stalls.append(stalls.isEmpty() ? "" : ", ")
                    .append(server.name()).append(' ').append(series.worstStallNanos / 1_000_000).append(" ms"));
            notes.add("longest pause of the harness JVM itself (a 10 ms ticker that overslept) during a timed storm, "
                    + configuration(e.getKey()) + ": " + stalls);
        }
        warmupTimeouts.forEach((k, v) -> notes.add("warm-up storms (not counted), " + k + ": " + v
                + " client timeout(s)"));
        String diskfarmStats = df != null ? df.stats() : "";
        if (!diskfarmStats.isEmpty()) {
            notes.add("diskfarm's own counters at the end (warm-up and probes included): `" + diskfarmStats + "`");
        }
        for (TftpServerProcess server : peers) {
            notes.add(Samples.format("%s: RSS at the end %d MiB, %d thread(s)", server.name(),
                    server.rssKib() >> 10, server.threads()));
        }
        if (dm != null) {
            for (String line : Files.readAllLines(dm.log())) {
                if (!line.contains("started, version") && !line.contains("compile time options")
                        && !line.contains("TFTP root is") && !line.contains("exiting on receipt")
                        && !line.contains(": sent ")
                        && !line.isBlank()) {
                    note("dnsmasq said: " + line.strip());
                }
            }
        }
        notes.add("load average (1, 5, 15 min) at the start: " + loadAtStart + "; at the end: "
                + NbdBenchMain.loadAverage() + " (other work on the machine shows here)");
        String md = environment(work, expected.length) + table(all, peers, df, dm) + notes()
                + "\nWhole run: " + Duration.between(started, Instant.now()).toSeconds() + " s.\n";
        return md;
    }

    /** The counters of diskfarm's server ({@code TftpStats}) by name; empty for a server without them. */
    private static Map<String, Long> counters(TftpServerProcess server) {
        Map<String, Long> counters = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(\\d+)").matcher(server.stats());
        while (m.find()) {
            counters.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return counters;
    }

    private static Map<String, Long> difference(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
        return d;
    }

    private TftpLoadClient.Result storm(TftpServerProcess server, String name, byte[] expected, int window) {
        TftpLoadClient client = new TftpLoadClient(new TftpLoadClient.Request(server.address(),
                new InetSocketAddress(clientAddress(), 0), name, expected, blksize, window,
                timeoutMillis * 1_000_000, retries));
        return client.run(clients, clientThreads);
    }

    /** Probes with one transfer until the server answers with the whole file (10 s at most). */
    private void waitUntilServing(TftpServerProcess server, String name, byte[] expected) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        TftpLoadClient probe = new TftpLoadClient(new TftpLoadClient.Request(server.address(),
                new InetSocketAddress(clientAddress(), 0), name, expected, blksize, 1, 200_000_000L, 0));
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!server.alive()) {
                throw new IllegalStateException(server.name() + " exited: " + server.logTail());
            }
            TftpLoadClient.Result r = probe.run(1, 1);
            if (r.ok()) {
                return;
            }
            last = r.firstFailure();
            pause(100);
        }
        throw new IllegalStateException(server.name() + " does not serve " + name + " at " + server.address() + ": "
                + last + "; log: " + server.logTail());
    }

    /** The clients' own address: loopback, in the servers' family. */
    private InetAddress clientAddress() {
        return InetAddress.getLoopbackAddress();
    }

    private TftpServerProcess startDiskfarm(Path root, Path work) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(List.of(serverJvm.strip().split("\\s+")));
        command.addAll(List.of("-cp", serverCp, TftpServeMain.class.getName(), "--bind", diskfarmAddress, "--port",
                Integer.toString(diskfarmPort), "--folder", root.toString()));
        if (eventLoops > 0) {
            command.addAll(List.of("--event-loops", Integer.toString(eventLoops)));
        }
        status("starting diskfarm's TFTP server on %s:%d", diskfarmAddress, diskfarmPort);
        TftpServerProcess server = TftpServerProcess.startDiskfarm("diskfarm", command,
                new InetSocketAddress(diskfarmAddress, diskfarmPort), work.resolve("diskfarm.log"));
        servers.add(server);
        notes.add("diskfarm: `" + String.join(" ", command).replace(serverCp, "CLASSPATH").replace(work + "/", "")
                + "` (`TftpServer.start(bind, BootFolder.of(root), TftpServerOptions.DEFAULTS"
                + (eventLoops > 0 ? ".withEventLoops(" + eventLoops + ")" : "") + ")`)");
        return server;
    }

    private TftpServerProcess startDnsmasq(Path root, Path work) {
        // -C /dev/null: no /etc/dnsmasq.conf; --port=0: no DNS; --quiet-tftp: no log line per transfer (diskfarm
        // logs none either); dnsmasq's TFTP port is 69 and cannot be changed.
        List<String> command = List.of(dnsmasq.toString(), "--keep-in-foreground", "--conf-file=/dev/null",
                "--port=0", "--no-hosts", "--no-resolv", "--enable-tftp", "--tftp-root=" + root,
                "--tftp-max=" + tftpMax, "--listen-address=" + dnsmasqAddress, "--bind-interfaces", "--quiet-tftp",
                "--pid-file=" + work.resolve("dnsmasq.pid"), "--log-facility=-");
        status("starting dnsmasq on %s:69", dnsmasqAddress);
        TftpServerProcess server = TftpServerProcess.startDnsmasq("dnsmasq", command,
                new InetSocketAddress(dnsmasqAddress, 69), work.resolve("dnsmasq.log"));
        servers.add(server);
        notes.add("dnsmasq: `" + String.join(" ", command).replace(work + "/", "") + "`");
        return server;
    }

    private void stopServers() {
        List<TftpServerProcess> running = new ArrayList<>(servers);
        servers.clear();
        running.forEach(TftpServerProcess::close);
    }

    private String configuration(int window) {
        return "blksize=" + blksize + (window > 1 ? " windowsize=" + window : "") + " tsize=0";
    }

    private String environment(Path work, int fileBytes) {
        StringBuilder md = new StringBuilder(Report.environment(work, NbdBenchMain.firstLine(List.of(
                dnsmasq.toString(), "--version"))).replace("## Machine", "### Machine"));
        md.setLength(md.length() - 1);
        md.append("- diskfarm TFTP server JVM: ").append(NbdBenchMain.firstLine(List.of(java.toString(), "-version")))
                .append(", options `").append(serverJvm).append("`\n");
        md.append("- network: ").append(namespace()).append('\n');
        md.append(Samples.format("%n### What runs%n%n%d clients fetch `%s` (%d bytes) at once, each from its own UDP "
                        + "socket on %s, driven by the harness's own client (`TftpLoadClient`: %d selector thread(s), "
                        + "retransmission after %d ms, %d retries). Per configuration: %d warm-up storm(s) per server, "
                        + "then %d round(s), each server once per round, the order alternating; %d ms pause after "
                        + "each storm. Wall time runs from the first RRQ to the last transfer's last block; every "
                        + "block is compared with the file.%n%n", clients, file.getFileName(), fileBytes,
                clientAddress().getHostAddress(), clientThreads, timeoutMillis, retries, warmup, rounds, pauseMillis));
        return md.toString();
    }

    /**
     * The network the run sees: the interfaces of this JVM's network namespace. scripts/bench-tftp makes one of its
     * own (unshare --net), in which loopback is the only interface.
     */
    private static String namespace() {
        try {
            List<String> names = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .map(NetworkInterface::getName).sorted().toList();
            return names.equals(List.of("lo")) ? "loopback; the only interface of this network namespace (a private "
                    + "one made by scripts/bench-tftp with unshare --net, nothing else on it)"
                    : "loopback of a namespace with other interfaces too (" + String.join(", ", names) + ")";
        } catch (IOException e) {
            return "loopback (interfaces unknown: " + e + ")";
        }
    }

    private String table(Map<Integer, Map<TftpServerProcess, Series>> all, List<TftpServerProcess> peers,
                         TftpServerProcess df, TftpServerProcess dm) {
        StringBuilder md = new StringBuilder();
        md.append("### Results\n\n");
        md.append("| client options | server | granted | wall s, median (min–max) | dnsmasq/diskfarm time, median "
                + "(range) | median transfer s | first answer s, median (slowest) | server CPU s per storm "
                + "| client CPU s per storm | client timeouts | duplicate blocks | failed transfers "
                + "| server: resent, gave up |\n");
        md.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map.Entry<Integer, Map<TftpServerProcess, Series>> e : all.entrySet()) {
            int window = e.getKey();
            for (TftpServerProcess server : peers) {
                Series s = e.getValue().get(server);
                int n = s.results.size();
                double medianTransfer = Samples.median(s.results.stream()
                        .mapToDouble(TftpLoadClient.Result::medianTransferSeconds).toArray());
                String ratio = "";
                if (server == df && dm != null) {
                    Series other = e.getValue().get(dm);
                    double[] range = range(other.wall, s.wall);
                    ratio = Samples.format("%.2f (%.2f–%.2f)", other.wall.medianTimeRatio(s.wall), range[0],
                            range[1]);
                }
                int grantedBlksize = s.results.stream().mapToInt(TftpLoadClient.Result::grantedBlksize).max()
                        .orElse(0);
                int grantedWindow = s.results.stream().mapToInt(TftpLoadClient.Result::grantedWindow).max()
                        .orElse(0);
                String own = s.serverCounters.isEmpty() ? "—" : s.serverCounters.getOrDefault("retransmitted", 0L)
                        + ", " + s.serverCounters.getOrDefault("failed", 0L);
                double firstMedian = Samples.median(s.results.stream().mapToDouble(r -> r.firstAnswerSeconds()[0])
                        .toArray());
                double firstMax = s.results.stream().mapToDouble(r -> r.firstAnswerSeconds()[1]).max().orElse(0);
                md.append(Samples.format("| %s | %s | blksize %d, window %d | %.3f (%.3f–%.3f) | %s | %.3f "
                                + "| %.3f (%.3f) | %.3f | %.3f | %d | %d | %d | %s |%n", configuration(window),
                        server.name(), grantedBlksize, grantedWindow, s.wall.medianSeconds(),
                        s.wall.minSeconds(), s.wall.maxSeconds(), ratio, medianTransfer, firstMedian, firstMax,
                        s.serverCpuNanos / 1e9 / n,
                        s.clientCpuNanos / 1e9 / n, sum(s, TftpLoadClient.Result::timeouts),
                        sum(s, TftpLoadClient.Result::duplicates), sum(s, r -> r.failed()), own));
            }
        }
        md.append("\nWall time: from the first RRQ of the storm to the last block of its last transfer. "
                + "dnsmasq/diskfarm time: dnsmasq's wall time divided by diskfarm's in the same round (above 1.00 = "
                + "diskfarm faster), median over rounds, with the range. First answer: from the start of the storm to "
                + "a transfer's first "
                + "packet from the server (its OACK), the median over rounds of each storm's median, and the slowest "
                + "of all. Server CPU: user+system time of the server process from "
                + "/proc/PID/stat (10 ms ticks) from the storm's start to the end of the pause after it, summed over "
                + "the rounds and divided by their number. Client CPU: the harness JVM's CPU time during the storm "
                + "(client and server share the 2 cores). Timeouts, duplicates (blocks received twice) and failures "
                + "are totals over the timed rounds. Server resent, gave up: diskfarm's own counters "
                + "(`TftpStats.retransmitted`, `failed`) over the timed rounds and " + settleMillis / 1000 + " s after "
                + "them; dnsmasq keeps none. \"granted\": what the server's OACK said (a server that leaves "
                + "windowsize out of it gets lock-step ACKs).\n");
        return md.toString();
    }

    private static long sum(Series s, ToLongFunction<TftpLoadClient.Result> f) {
        return s.results.stream().mapToLong(f).sum();
    }

    /** The lowest and highest per-round ratio a/b of times. */
    private static double[] range(Samples a, Samples b) {
        double low = Double.MAX_VALUE, high = 0;
        for (int i = 0; i < Math.min(a.count(), b.count()); i++) {
            double r = (double) a.nanos(i) / b.nanos(i);
            low = Math.min(low, r);
            high = Math.max(high, r);
        }
        return new double[] {low, high};
    }

    private String notes() {
        StringBuilder md = new StringBuilder("\n### Notes\n\n");
        for (String n : notes) {
            md.append("- ").append(n).append('\n');
        }
        return md.toString();
    }

    private void note(String text) {
        if (!notes.contains(text)) {
            notes.add(text);
            System.err.println("tftp-bench: note: " + text);
        }
    }

    private void pause() {
        pause(pauseMillis);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * A 10 ms ticker on a platform thread of the harness: how far it oversleeps shows pauses of the harness JVM itself
     * (GC, safepoints, CPU taken by other processes), which look like a slow server from the client's side.
     */
    private static final class StallWatch {
        private final AtomicLong worst = new AtomicLong();

        StallWatch() {
            Thread.ofPlatform().daemon().name("tftp-bench-stall-watch").start(this::tick);
        }

        private void tick() {
            long last = System.nanoTime();
            while (true) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                long over = now - last - 10_000_000L;
                worst.accumulateAndGet(over, Math::max);
                last = now;
            }
        }

        /** The longest oversleep since the last call, in nanoseconds. */
        long takeWorstNanos() {
            return Math.max(0, worst.getAndSet(0));
        }
    }

    static void status(String format, Object... args) {
        System.err.println("tftp-bench: " + Samples.format(format, args));
    }
}
