package org.diskfarm.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.IscsiTestCu;
import org.diskfarm.testkit.IscsiTestCu.Outcome;
import org.diskfarm.testkit.IscsiTestCu.Result;
import org.diskfarm.testkit.vm.TgtTarget;
import org.diskfarm.testkit.vm.VmTools;

/**
 * libiscsi's conformance suite against diskfarm and tgtd in one run, one iscsi-test-cu process per suite, each on a
 * 128 MiB LUN: tgtd on a sparse file, diskfarm on a target device's disk (a Standard-mode vDisk through the device's
 * RAM write cache; the reservation tests need two initiators at once, which Private mode does not admit). Prints the
 * Markdown of docs/conformance.md. Run it with {@code scripts/conformance-iscsi}.
 *
 * <pre>
 * options: --cli-jar JAR   the diskfarm executable jar (required)
 *          --java JAVA     the java to run it with (default: this one)
 *          --dir DIR       work directory (default: a new folder under /tmp)
 *          --out FILE      also write the Markdown to FILE
 * </pre>
 */
public final class IscsiConformanceMain {
    private static final long SIZE = 128L << 20;
    private static final Duration PER_SUITE = Duration.ofMinutes(3);
    private static final String DEVICE = "iqn.2026-11.org.diskfarm:device.525400000009";

    private IscsiConformanceMain() {
    }

    public static void main(String[] args) throws Exception {
        Path cliJar = null;
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path dir = null;
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--cli-jar" -> cliJar = Path.of(args[i + 1]);
                case "--java" -> java = Path.of(args[i + 1]);
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (cliJar == null || args.length % 2 != 0) {
            throw new IllegalArgumentException("usage: --cli-jar JAR [--java JAVA] [--dir DIR] [--out FILE]");
        }
        VmTools.ensure(VmTools.TGT).ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        if (!IscsiTestCu.available()) {
            throw new IllegalStateException("iscsi-test-cu (Debian package libiscsi-bin) is needed");
        }
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("iscsi-conformance");
        Path lun = work.resolve("tgtd-lun.img");
        try (FileChannel file = FileChannel.open(lun, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.allocate(1), SIZE - 1);
        }
        Path data = work.resolve("diskfarm");
        Files.createDirectories(data.resolve("store"));
        ClientProcess.Result created = ClientProcess.run(List.of(java.toString(), "-jar", cliJar.toString(), "vdisk",
                "create", data.resolve("store/scratch.vhd").toString(), "--size", "128M"), Duration.ofMinutes(1));
        require(created);
        require(ClientProcess.run(List.of(java.toString(), "-jar", cliJar.toString(), "vdisk", "set",
                data.resolve("store/scratch.vhd").toString(), "--mode", "standard", "--cache", "ram",
                "--cache-size", "256M"), Duration.ofMinutes(1)));
        Files.writeString(data.resolve("devices.csv"), "mac,name,vdisk\n52:54:00:00:00:09,conformance,scratch\n");

        status("tgtd: " + TgtTarget.version());
        Map<String, Result> tgtd;
        try (TgtTarget peer = TgtTarget.start(work, lun, "iqn.2026-11.org.diskfarm.test:tgtd")) {
            tgtd = IscsiTestCu.runAll(peer.lunUrl(), PER_SUITE);
        }
        status("diskfarm serve");
        Map<String, Result> ours;
        int port = NbdServerProcess.freePort();
        List<String> serve = List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-jar",
                cliJar.toString(), "serve", "--data", data.toString(), "--bind", "127.0.0.1", "--nbd-port", "0",
                "--http-port", "0", "--iscsi-port", Integer.toString(port), "--name", "conformance");
        try (NbdServerProcess server = NbdServerProcess.start("diskfarm", serve, port, work.resolve("serve.log"),
                NbdServerProcess.Readiness.READY_LINE)) {
            ours = IscsiTestCu.runAll("iscsi://127.0.0.1:" + port + "/" + DEVICE + "/0", PER_SUITE);
        }
        String markdown = render(tgtd, ours);
        System.out.print(markdown);
        if (out != null) {
            Files.writeString(out, markdown, StandardCharsets.UTF_8);
        }
    }

    private static void require(ClientProcess.Result result) {
        if (result.exitCode() != 0) {
            throw new IllegalStateException(result.describe());
        }
    }

    private static void status(String text) {
        System.err.println("iscsi-conformance: " + text);
    }

    static String render(Map<String, Result> tgtd, Map<String, Result> ours) {
        StringBuilder md = new StringBuilder();
        md.append("Run of ").append(LocalDate.now()).append(": `scripts/conformance-iscsi`, libiscsi-bin ")
                .append(dpkgVersion("libiscsi-bin")).append(", tgt ").append(dpkgVersion("tgt"))
                .append(", 128 MiB LUNs.\n\n");
        md.append("| | passed | failed | skipped | not run |\n| --- | ---: | ---: | ---: | ---: |\n");
        md.append(countsRow("tgtd", tgtd)).append(countsRow("diskfarm", ours)).append('\n');
        List<String> regressions = new ArrayList<>();
        for (Result t : tgtd.values()) {
            Result d = ours.get(t.name());
            if (t.outcome() == Outcome.PASSED && d != null && d.outcome() == Outcome.FAILED) {
                regressions.add(t.name());
            }
        }
        md.append("Tests tgtd passes and diskfarm fails: ").append(regressions.isEmpty() ? "none"
                : String.join(", ", regressions)).append(".\n\n");
        md.append("| test | tgtd | diskfarm | diskfarm's reason (failed or skipped) |\n| --- | --- | --- | --- |\n");
        for (Result d : ours.values()) {
            Result t = tgtd.get(d.name());
            md.append("| ").append(d.name()).append(" | ").append(t == null ? "" : label(t.outcome())).append(" | ")
                    .append(label(d.outcome())).append(" | ")
                    .append(d.outcome() == Outcome.PASSED ? "" : d.detail().replace("|", "\\|")).append(" |\n");
        }
        return md.toString();
    }

    private static String countsRow(String name, Map<String, Result> results) {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            counts.put(o, 0);
        }
        results.values().forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
        return "| " + name + " | " + counts.get(Outcome.PASSED) + " | " + counts.get(Outcome.FAILED) + " | "
                + counts.get(Outcome.SKIPPED) + " | " + counts.get(Outcome.NOT_RUN) + " |\n";
    }

    private static String label(Outcome outcome) {
        return switch (outcome) {
            case PASSED -> "passed";
            case FAILED -> "**FAILED**";
            case SKIPPED -> "skipped";
            case NOT_RUN -> "**not run**";
        };
    }

    private static String dpkgVersion(String pkg) {
        try {
            return ClientProcess.run(List.of("dpkg-query", "-W", "-f=${Version}", pkg), Duration.ofSeconds(10))
                    .stdout().strip();
        } catch (IllegalStateException e) {
            return "?";
        }
    }
}
