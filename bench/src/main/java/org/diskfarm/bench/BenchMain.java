package org.diskfarm.bench;

import org.diskfarm.testkit.TestFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The diskfarm benchmark: device I/O on a dynamic VHD against a raw file, and import of a half-empty raw image against
 * {@code qemu-img convert -O vpc}, peers side by side in one run, repeated; prints Markdown tables of medians and
 * ratios. Run it with {@code scripts/bench}; see docs/benchmarks.md for what each number means.
 *
 * <pre>
 * options: --dir DIR            work directory for the big files (default: a new directory under /tmp)
 *          --device-size BYTES  size of the device I/O files (default 1 GiB; suffixes k, m, g)
 *          --import-size BYTES  size of the raw image to import (default 4 GiB)
 *          --rounds N           rounds of device I/O (default 5)
 *          --import-rounds N    rounds of import (default 3)
 *          --random N           4 KiB requests per random workload (default 100000)
 *          --cli-jar JAR --java JAVA   also time `diskfarm vdisk import` as a process
 *          --only device|import run one part
 *          --out FILE           also write the Markdown to FILE
 * </pre>
 */
public final class BenchMain {
    private Path dir;
    private long deviceSize = 1L << 30;
    private long importSize = 4L << 30;
    private int rounds = 5;
    private int importRounds = 3;
    private int randomRequests = 100_000;
    private Path cliJar;
    private Path javaExecutable;
    private String only = "";
    private Path out;

    public static void main(String[] args) throws IOException {
        BenchMain bench = new BenchMain();
        bench.parse(args);
        String markdown = bench.run();
        System.out.println(markdown);
        if (bench.out != null) {
            Files.writeString(bench.out, markdown);
        }
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--dir" -> dir = Path.of(value);
                case "--device-size" -> deviceSize = bytes(value);
                case "--import-size" -> importSize = bytes(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--import-rounds" -> importRounds = Integer.parseInt(value);
                case "--random" -> randomRequests = Integer.parseInt(value);
                case "--cli-jar" -> cliJar = Path.of(value);
                case "--java" -> javaExecutable = Path.of(value);
                case "--only" -> only = value;
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (cliJar != null && javaExecutable == null) {
            javaExecutable = Path.of(System.getProperty("java.home"), "bin", "java");
        }
    }

    private static long bytes(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        int shift = switch (t.charAt(t.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        return Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1)) << shift;
    }

    private String run() throws IOException {
        boolean ownDir = dir == null;
        Path work = ownDir ? TestFiles.tempDir("diskfarm-bench") : Files.createDirectories(dir);
        Instant started = Instant.now();
        StringBuilder md = new StringBuilder();
        try {
            List<ImportBench.Result> imports = List.of();
            List<DeviceIoBench.Row> rows = List.of();
            ImportBench importBench = new ImportBench(work, importSize, importRounds, cliJar, javaExecutable);
            md.append(Report.environment(work, importBench.qemuImgVersion()));
            if (!only.equals("import")) {
                DeviceIoBench deviceBench = new DeviceIoBench(work, deviceSize, rounds, randomRequests);
                rows = deviceBench.run(work.resolve("device.raw"), work.resolve("device.vhd"));
                Processes.delete(work.resolve("device.raw"), work.resolve("device.vhd"));
                md.append(Report.deviceTable(rows, deviceBench.size(), rounds));
            }
            if (!only.equals("device")) {
                Path source = work.resolve("source.raw");
                Processes.delete(source);
                System.err.println("import: writing the " + importSize + "-byte source image");
                SourceImage.write(source, importSize);
                imports = importBench.run(source);
                Processes.delete(source);
                md.append(Report.importTable(imports, importSize, importRounds, importBench.notes()));
            }
        } finally {
            if (ownDir) {
                TestFiles.deleteTree(work);
            }
        }
        md.append("\nWhole run: ").append(Duration.between(started, Instant.now()).toSeconds()).append(" s.\n");
        return md.toString();
    }
}
