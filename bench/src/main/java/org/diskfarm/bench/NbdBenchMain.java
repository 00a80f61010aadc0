package org.diskfarm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NBD streaming benchmark: fio (its nbd ioengine) against {@code diskfarm serve} and, in the same run, against
 * nbdkit (file plugin, the raw image) and qemu-nbd (the same VHD file with {@code -f vpc}, and the raw image), all
 * serving the same content on 127.0.0.1; then a boot storm of N connections. Prints Markdown. Run it with
 * {@code scripts/bench-nbd}; docs/benchmarks.md, section "NBD streaming", says what each number means.
 *
 * <pre>
 * options: --dir DIR              work directory (must not exist or be empty; default under /tmp)
 *          --cli-jar JAR          the diskfarm command line (import, vdisk set, serve); required
 *          --java JAVA            the java to run it with (default: this one)
 *          --server-jvm "OPTS"    JVM options for diskfarm serve (default "-Xms1g -Xmx6g")
 *          --serve-args "ARGS"    extra options for the main diskfarm serve, e.g. "--nbd-zero-copy-min off"
 *          --compare-args "ARGS"  options of a second diskfarm serve among the read targets, to show what a setting
 *                                 changes (default "--nbd-poll-window off"; "" leaves it out)
 *          --image-size BYTES     size of the image (default 1g; suffixes k, m, g)
 *          --rounds N             rounds per workload (default 3)
 *          --runtime S            seconds per fio run, after a 1 s ramp (default 5)
 *          --storm N              connections in the boot storm (default 500)
 *          --storm-bytes BYTES    bytes each storm connection reads (default 64m)
 *          --storm-request BYTES  size of each storm read (default 64k)
 *          --only read,write,storm  the parts to run (default all)
 *          --no-diskfarm          the peers only (while diskfarm serve is not there)
 *          --storm-by-name        also storm diskfarm's vDisk export by name (all connections on one export)
 *          --storm-qemu-raw       also storm qemu-nbd -f raw (left out by default to keep the run short)
 *          --quick                a smoke run: --image-size 256m --rounds 1 --runtime 2 --storm-bytes 8m
 *          --out FILE             also write the Markdown to FILE
 * </pre>
 */
public final class NbdBenchMain {
    static final String READ_MAC = "52:54:00:00:00:01";

    private Path dir;
    private Path cliJar;
    private Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private String serverJvm = "-Xms1g -Xmx6g";
    private String[] serveArgs = new String[0];
    private String[] compareArgs = {"--nbd-poll-window", "off"};
    private long imageSize = 1L << 30;
    private int rounds = 3;
    private int runtime = 5;
    private int stormConnections = 500;
    private long stormBytes = 64L << 20;
    private int stormRequest = 64 << 10;
    private List<String> only = List.of("read", "write", "storm");
    private boolean diskfarm = true;
    private boolean stormByName;
    private boolean stormQemuRaw;
    private Path out;

    private final List<String> notes = new ArrayList<>();
    private final List<NbdServerProcess> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private NbdServerProcess diskfarmServer;
    private int httpPort;

    public static void main(String[] args) throws IOException {
        NbdBenchMain bench = new NbdBenchMain();
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
                case "--quick" -> {
                    imageSize = 256L << 20;
                    rounds = 1;
                    runtime = 2;
                    stormBytes = 8L << 20;
                    continue;
                }
                case "--no-diskfarm" -> {
                    diskfarm = false;
                    continue;
                }
                case "--storm-by-name" -> {
                    stormByName = true;
                    continue;
                }
                case "--storm-qemu-raw" -> {
                    stormQemuRaw = true;
                    continue;
                }
                case "--dir" -> dir = Path.of(value);
                case "--cli-jar" -> cliJar = Path.of(value);
                case "--java" -> java = Path.of(value);
                case "--server-jvm" -> serverJvm = value;
                case "--serve-args" -> serveArgs = value.isBlank() ? new String[0] : value.strip().split("\\s+");
                case "--compare-args" -> compareArgs = value.isBlank() ? new String[0] : value.strip().split("\\s+");
                case "--image-size" -> imageSize = bytes(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--runtime" -> runtime = Integer.parseInt(value);
                case "--storm" -> stormConnections = Integer.parseInt(value);
                case "--storm-bytes" -> stormBytes = bytes(value);
                case "--storm-request" -> stormRequest = (int) bytes(value);
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

    static long bytes(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        int shift = switch (t.charAt(t.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        return Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1)) << shift;
    }

    /** One export of one server: what fio and the storm connect to. */
    record Target(String key, String label, NbdServerProcess server, String export, boolean diskfarm)
            implements NbdReport.Row {
        String uri() {
            return "nbd://127.0.0.1:" + server.port() + "/" + export;
        }
    }

    static final List<Fio.Workload> READS = List.of(
            new Fio.Workload("seqread", "sequential read, 1 MiB, QD8", "read", "1m", 8),
            new Fio.Workload("randread1", "random read, 4 KiB, QD1", "randread", "4k", 1),
            new Fio.Workload("randread32", "random read, 4 KiB, QD32", "randread", "4k", 32));
    static final Fio.Workload RANDWRITE = new Fio.Workload("randwrite32", "random write, 4 KiB, QD32", "randwrite",
            "4k", 32);

    private String run() throws IOException {
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("diskfarm-nbd-bench");
        Instant started = Instant.now();
        String loadAtStart = loadAverage();
        Path log = work.resolve("setup.log");
        Path image = work.resolve("image.raw");
        Path data = work.resolve("diskfarm");
        Path store = Files.createDirectories(data.resolve("store"));

        // The image: raw for nbdkit and qemu-nbd -f raw; imported by diskfarm into the VHD that diskfarm and
        // qemu-nbd -f vpc serve. The raw file is then grown to the VHD's virtual size (CHS rounding), as a hole.
        status("writing the %d MiB image", imageSize >> 20);
        Path base = store.resolve("base.vhd");
        DiskfarmCli cli = new DiskfarmCli(java, cliJar);
        long size = cli.prepareImage(image, base, imageSize, log);
        Path nbdkitCopy = copy(image, work.resolve("nbdkit-w.raw"), log);
        Path qemuRawCopy = copy(image, work.resolve("qemu-w.raw"), log);
        Path qemuVpcCopy = copy(base, work.resolve("qemu-w.vhd"), log);
        for (String name : List.of("priv", "std-ovf", "std-disk")) {
            copy(base, store.resolve(name + ".vhd"), log);
            copy(store.resolve("base.pvp"), store.resolve(name + ".pvp"), log);
        }
        cli.setMode(store, "base", log, "--mode", "standard", "--cache", "ram", "--cache-size", "2G");
        cli.setMode(store, "priv", log, "--mode", "private");
        cli.setMode(store, "std-ovf", log, "--mode", "standard", "--cache", "ram-overflow", "--cache-size", "128M");
        cli.setMode(store, "std-disk", log, "--mode", "standard", "--cache", "server-disk", "--cache-size", "2G");
        Files.writeString(data.resolve("devices.csv"), devicesCsv());
        for (Path file : List.of(image, base, nbdkitCopy, qemuRawCopy, qemuVpcCopy, store.resolve("priv.vhd"),
                store.resolve("std-ovf.vhd"), store.resolve("std-disk.vhd"))) {
            Processes.runChecked(List.of("dd", "if=" + file, "of=/dev/null", "bs=4M", "status=none"), log);
        }

        // The servers, all started once and left running; idle ones use no CPU.
        status("starting the servers");
        NbdServerProcess nbdkitRo = start("nbdkit", nbdkit(image, true), work);
        NbdServerProcess nbdkitRw = start("nbdkit-w", nbdkit(nbdkitCopy, false), work);
        NbdServerProcess qemuVpcRo = start("qemu-nbd-vpc", qemuNbd(base, "vpc", true), work);
        NbdServerProcess qemuVpcRw = start("qemu-nbd-vpc-w", qemuNbd(qemuVpcCopy, "vpc", false), work);
        NbdServerProcess qemuRawRo = start("qemu-nbd-raw", qemuNbd(image, "raw", true), work);
        NbdServerProcess qemuRawRw = start("qemu-nbd-raw-w", qemuNbd(qemuRawCopy, "raw", false), work);
        if (diskfarm) {
            diskfarmServer = startDiskfarm(data, work, "diskfarm", serveArgs);
            Processes.runChecked(List.of("qemu-img", "compare", "-q", "-f", "raw", "-F", "raw", image.toString(),
                    "nbd://127.0.0.1:" + diskfarmServer.port() + "/base"), log);
            Processes.runChecked(List.of("qemu-img", "compare", "-q", "-f", "raw", "-F", "raw", image.toString(),
                    "nbd://127.0.0.1:" + diskfarmServer.port() + "/" + READ_MAC), log);
        }

        List<Target> readTargets = new ArrayList<>();
        List<Target> writeTargets = new ArrayList<>();
        if (diskfarm) {
            readTargets.add(new Target("df-name", "diskfarm, vDisk export (Standard, read-only)", diskfarmServer,
                    "base", true));
            readTargets.add(new Target("df-dev", "diskfarm, device export (Standard, empty ram cache)",
                    diskfarmServer, READ_MAC, true));
            // The same vDisk from a second server with other settings, to show in the same run what they change.
            if (compareArgs.length > 0) {
                NbdServerProcess other = startDiskfarm(data, work, "diskfarm-compare", compareArgs);
                readTargets.add(new Target("df-compare", "diskfarm, vDisk export, " + String.join(" ", compareArgs),
                        other, "base", true));
            }
            writeTargets.add(new Target("df-private", "diskfarm Private mode (vDisk export)", diskfarmServer, "priv",
                    true));
            writeTargets.add(new Target("df-ram", "diskfarm Standard, ram cache (device export)", diskfarmServer,
                    writeMac(0), true));
            writeTargets.add(new Target("df-ovf", "diskfarm Standard, ram-overflow cache (device export)",
                    diskfarmServer, writeMac(1), true));
            writeTargets.add(new Target("df-disk", "diskfarm Standard, server-disk cache (device export)",
                    diskfarmServer, writeMac(2), true));
        }
        readTargets.add(new Target("nbdkit", "nbdkit file (raw)", nbdkitRo, "image", false));
        readTargets.add(new Target("qemu-vpc", "qemu-nbd -f vpc (same VHD)", qemuVpcRo, "image", false));
        readTargets.add(new Target("qemu-raw", "qemu-nbd -f raw", qemuRawRo, "image", false));
        writeTargets.add(new Target("nbdkit", "nbdkit file (own raw copy)", nbdkitRw, "image", false));
        writeTargets.add(new Target("qemu-vpc", "qemu-nbd -f vpc (own VHD copy)", qemuVpcRw, "image", false));
        writeTargets.add(new Target("qemu-raw", "qemu-nbd -f raw (own raw copy)", qemuRawRw, "image", false));

        Map<Fio.Workload, Map<Target, List<Fio.Result>>> fio = new LinkedHashMap<>();
        if (only.contains("read")) {
            status("warming up (2 s of each read workload on each read target, not counted)");
            for (Fio.Workload w : READS) {
                for (Target t : readTargets) {
                    Fio.run(w, t.uri(), 2, t.server(), work);
                }
            }
            for (Fio.Workload w : READS) {
                fio.put(w, runRounds(w, readTargets, work));
            }
        }
        if (only.contains("write")) {
            fio.put(RANDWRITE, runRounds(RANDWRITE, writeTargets, work));
        }
        Map<Target, List<BootStorm.Result>> storms = new LinkedHashMap<>();
        if (only.contains("storm")) {
            // Fresh servers for the storm, so that no figure carries what the fio runs left behind (for diskfarm, a
            // heap that held the RAM write caches); each gets a 2 s fio read first, so diskfarm's JIT is warm.
            checkServers();
            stopServers();
            status("restarting the servers for the storm");
            List<Target> stormTargets = new ArrayList<>();
            NbdServerProcess stormDiskfarm = diskfarm ? startDiskfarm(data, work, "diskfarm-storm", serveArgs) : null;
            if (diskfarm) {
                stormTargets.add(new Target("df-dev", "diskfarm, " + stormConnections
                        + " device exports (Standard, ram cache)", stormDiskfarm, "(one MAC each)", true));
                if (stormByName) {
                    stormTargets.add(new Target("df-name", "diskfarm, one vDisk export (Standard)", stormDiskfarm,
                            "base", true));
                }
            }
            stormTargets.add(new Target("nbdkit", "nbdkit file (raw)", start("nbdkit-storm", nbdkit(image, true),
                    work), "image", false));
            stormTargets.add(new Target("qemu-vpc", "qemu-nbd -f vpc (same VHD)", start("qemu-nbd-vpc-storm",
                    qemuNbd(base, "vpc", true), work), "image", false));
            if (stormQemuRaw) {
                stormTargets.add(new Target("qemu-raw", "qemu-nbd -f raw", start("qemu-nbd-raw-storm",
                        qemuNbd(image, "raw", true), work), "image", false));
            }
            for (Target t : stormTargets) {
                Fio.run(READS.getFirst(), t.diskfarm() ? "nbd://127.0.0.1:" + t.server().port() + "/" + READ_MAC
                        : t.uri(), 2, t.server(), work);
            }
            BootStorm storm = new BootStorm(stormConnections, stormBytes, stormRequest, image);
            for (Target t : stormTargets) {
                storms.put(t, new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (Target t : rotate(stormTargets, round)) {
                    status("storm round %d: %s", round + 1, t.label());
                    BootStorm.Result r = storm.run(t.server(), i -> NbdClient.connect(t.server().port(),
                            t.key().equals("df-dev") ? stormMac(i) : t.export()),
                            t.diskfarm() ? () -> liveHeapKib(java, t.server(), work) : null);
                    storms.get(t).add(r);
                    status("  %.2f s, %.1f KiB RSS per idle connection, peak RSS %d MiB", r.stormNanos() / 1e9,
                            r.growthPerConnectionKib(stormConnections), r.rssPeakKib() >> 10);
                }
            }
        }
        checkServers();
        stopServers();
        notes.add("load average (1, 5, 15 min) at the start: " + loadAtStart + "; at the end: " + loadAverage()
                + " (other work on the machine shows here)");
        String header = NbdReport.environment(work, versions(), serverJvm, diskfarm, imageSize, size, rounds,
                "fio runs " + runtime + " s after a 1 s ramp");
        String md = header + NbdReport.fioTables(fio, NbdReport.FIO_CLIENT_NOTE) + NbdReport.stormTable(storms,
                stormConnections, stormBytes, stormRequest, serverJvm, "connections", "NBD_OPT_GO") + NbdReport.notes(notes)
                + "\nWhole run: " + Duration.between(started, Instant.now()).toSeconds() + " s.\n";
        return md;
    }

    private void checkServers() {
        for (NbdServerProcess server : servers) {
            if (!server.alive()) {
                notes.add(server.name() + " was no longer running at the end of its part: " + server.logTail());
            }
        }
    }

    /** Runs a full GC in the diskfarm JVM (jcmd GC.run) and returns the heap in use afterwards, in KiB. */
    static long liveHeapKib(Path java, ServerStats server, Path work) {
        Path jcmd = java.resolveSibling("jcmd");
        Path log = work.resolve("jcmd.log");
        String pid = Long.toString(server.pid());
        Processes.runChecked(List.of(jcmd.toString(), pid, "GC.run"), log);
        Processes.Run info = Processes.run(List.of(jcmd.toString(), pid, "GC.heap_info"), log);
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info.output());
        return info.ok() && m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private Map<Target, List<Fio.Result>> runRounds(Fio.Workload w, List<Target> targets, Path work) {
        Map<Target, List<Fio.Result>> results = new LinkedHashMap<>();
        for (Target t : targets) {
            results.put(t, new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (Target t : rotate(targets, round)) {
                boolean dropCache = t.diskfarm() && w.writes() && !t.key().equals("df-private");
                if (dropCache) {
                    boot(t.export());
                }
                Fio.Result r = Fio.run(w, t.uri(), runtime, t.server(), work);
                results.get(t).add(r);
                status("%s round %d: %-52s %8.0f IOPS %7.0f MiB/s", w.key(), round + 1, t.label(), r.iops(),
                        r.bytesPerSecond() / (1 << 20));
                if (dropCache) {
                    boot(t.export());
                }
            }
        }
        return results;
    }

    /** The targets in an order that starts one further along each round, so that no peer always goes first. */
    static <T> List<T> rotate(List<T> list, int round) {
        List<T> rotated = new ArrayList<>(list);
        Collections.rotate(rotated, -(round % list.size()));
        return rotated;
    }

    /** A boot event for the device: drops its write cache (between write rounds, so each round starts empty). */
    private void boot(String mac) {
        boot(http, httpPort, token, mac, this::note);
    }

    /**
     * Sends a boot event for device {@code mac} to the server's HTTP API on {@code port}, with the farm's API
     * {@code token} (a change); failures go to {@code note}.
     */
    static void boot(HttpClient http, int port, String token, String mac, Consumer<String> note) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/devices/"
                + mac + "/boot")).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                note.accept("boot event for " + mac + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            note.accept("boot event for " + mac + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void note(String text) {
        if (!notes.contains(text)) {
            notes.add(text);
            System.err.println("nbd-bench: note: " + text);
        }
    }

    static String writeMac(int i) {
        return String.format(Locale.ROOT, "52:54:00:00:00:%02x", 0x11 + i);
    }

    static String stormMac(int i) {
        return String.format(Locale.ROOT, "52:54:00:01:%02x:%02x", i >> 8, i & 0xff);
    }

    private String devicesCsv() {
        StringBuilder csv = new StringBuilder("mac,name,vdisk\n");
        csv.append(READ_MAC).append(",reader,base\n");
        csv.append(writeMac(0)).append(",writer-ram,base\n");
        csv.append(writeMac(1)).append(",writer-ovf,std-ovf\n");
        csv.append(writeMac(2)).append(",writer-disk,std-disk\n");
        for (int i = 0; i < stormConnections; i++) {
            csv.append(stormMac(i)).append(String.format(Locale.ROOT, ",pc%03d,base%n", i));
        }
        return csv.toString();
    }

    private List<String> nbdkit(Path file, boolean readOnly) {
        List<String> command = new ArrayList<>(List.of("nbdkit", "--foreground", "--exit-with-parent", "-i",
                "127.0.0.1", "-p", "PORT"));
        if (readOnly) {
            command.add("-r");
        }
        command.addAll(List.of("file", file.toString()));
        return command;
    }

    private List<String> qemuNbd(Path file, String format, boolean readOnly) {
        List<String> command = new ArrayList<>(List.of("qemu-nbd", "-b", "127.0.0.1", "-p", "PORT", "-x", "image",
                "-f", format, "-t", "--shared=0"));
        if (readOnly) {
            command.add("-r");
        }
        command.add(file.toString());
        return command;
    }

    private NbdServerProcess start(String name, List<String> template, Path work) {
        int port = NbdServerProcess.freePort();
        List<String> command = template.stream().map(a -> a.equals("PORT") ? Integer.toString(port) : a).toList();
        NbdServerProcess server = NbdServerProcess.start(name, command, port, work.resolve(name + ".log"),
                NbdServerProcess.Readiness.PORT_OPEN);
        servers.add(server);
        notes.add(name + ": `" + String.join(" ", command).replace(work + "/", "") + "`");
        return server;
    }

    /** The farm's API token, which the first diskfarm server saved in its data folder. */
    private String token;

    private NbdServerProcess startDiskfarm(Path data, Path work, String name, String... extra) {
        int port = NbdServerProcess.freePort();
        int http = NbdServerProcess.freePort();
        if (!name.equals("diskfarm-compare")) {
            httpPort = http; // boot events go to the main server, whose devices have caches
        }
        List<String> args = new ArrayList<>(List.of(extra));
        if (name.equals("diskfarm-compare")) {
            args.addAll(List.of("--name", "bench-compare")); // a second server of the same farm
        }
        List<String> command = new DiskfarmCli(java, cliJar).serve(serverJvm, data, port, http, 0,
                args.toArray(String[]::new));
        status("starting diskfarm serve");
        NbdServerProcess server = NbdServerProcess.start(name, command, port, work.resolve(name + ".log"),
                NbdServerProcess.Readiness.READY_LINE);
        servers.add(server);
        token = DiskfarmCli.token(data);
        notes.add(name + ": `" + String.join(" ", command).replace(work + "/", "") + "`");
        return server;
    }

    private void stopServers() {
        List<NbdServerProcess> running = new ArrayList<>(servers);
        servers.clear();
        running.forEach(NbdServerProcess::close);
    }

    static Path copy(Path from, Path to, Path log) {
        Processes.runChecked(List.of("cp", "--sparse=always", from.toString(), to.toString()), log);
        return to;
    }

    private List<String> versions() {
        List<String> v = new ArrayList<>();
        v.add(Fio.version());
        v.add(firstLine(List.of("nbdkit", "--version")));
        v.add(firstLine(List.of("qemu-nbd", "--version")));
        v.add(firstLine(List.of("nbdinfo", "--version")) + " (libnbd, which fio's nbd engine uses)");
        v.add("diskfarm server JVM: " + firstLine(List.of(java.toString(), "-version")) + " (" + java + ")");
        return v;
    }

    static String firstLine(List<String> command) {
        try {
            Path log = Files.createTempFile("nbd-bench", ".log");
            Processes.Run run = Processes.run(command, log);
            Files.deleteIfExists(log);
            for (String line : run.output().strip().split("\n")) {
                if (!line.isBlank()) {
                    return line.strip();
                }
            }
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static void status(String format, Object... args) {
        System.err.println("nbd-bench: " + String.format(Locale.ROOT, format, args));
    }
}
