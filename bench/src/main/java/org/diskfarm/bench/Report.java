package org.diskfarm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Markdown the benchmark prints: the machine it ran on, then one table per part with medians and ratios.
 *
 * <p>Threads: stateless.
 */
final class Report {
    private static final double MIB = 1 << 20;

    private Report() {
    }

    static String environment(Path work, String qemuImgVersion) {
        StringBuilder md = new StringBuilder("## Machine\n\n");
        md.append("- CPUs: ").append(Runtime.getRuntime().availableProcessors()).append(" (").append(cpuModel())
                .append(")\n");
        md.append("- memory: ").append(memTotal()).append('\n');
        md.append("- work directory: ").append(work).append(" on ").append(disk(work)).append('\n');
        md.append("- kernel: ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append('\n');
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(Runtime.version()).append('\n');
        md.append("- ").append(qemuImgVersion).append("\n\n");
        return md.toString();
    }

    static String deviceTable(List<DeviceIoBench.Row> rows, long size, int rounds) {
        StringBuilder md = new StringBuilder();
        md.append(Samples.format("## Device I/O: dynamic VHD against raw file (%.0f MiB each, warm page cache, "
                + "median of %d rounds)%n%n", size / MIB, rounds));
        md.append("| workload | raw MiB/s | raw IOPS | VHD MiB/s | VHD IOPS | VHD/raw (median) | VHD/raw (range) |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (DeviceIoBench.Row row : rows) {
            double bytes = (double) row.requestBytes() * row.requests();
            double rawSeconds = row.raw().medianSeconds();
            double vhdSeconds = row.vhd().medianSeconds();
            double[] range = ratioRange(row.raw(), row.vhd());
            md.append(Samples.format("| %s | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f–%.2f |%n", row.workload(),
                    bytes / MIB / rawSeconds, row.requests() / rawSeconds, bytes / MIB / vhdSeconds,
                    row.requests() / vhdSeconds, row.raw().medianTimeRatio(row.vhd()), range[0], range[1]));
        }
        md.append("\nVHD/raw is throughput of the VHD divided by throughput of the raw file in the same round "
                + "(1.00 = as fast; 0.90 = 10% slower).\n\n");
        return md.toString();
    }

    /** The lowest and highest per-round ratio of raw time to VHD time (VHD throughput relative to raw). */
    private static double[] ratioRange(Samples raw, Samples vhd) {
        double low = Double.MAX_VALUE, high = 0;
        for (int i = 0; i < Math.min(raw.count(), vhd.count()); i++) {
            double ratio = (double) raw.nanos(i) / vhd.nanos(i);
            low = Math.min(low, ratio);
            high = Math.max(high, ratio);
        }
        return new double[] {low, high};
    }

    static String importTable(List<ImportBench.Result> results, long size, int rounds, List<String> notes) {
        long[] census = SourceImage.census(size);
        StringBuilder md = new StringBuilder();
        md.append(Samples.format("## Import: %.0f MiB raw image into a new dynamic VHD (median of %d rounds)%n%n",
                size / MIB, rounds));
        md.append(Samples.format("Source: %.0f MiB of holes, %.0f MiB written as zeros, %.0f MiB of data regions "
                + "(each ending in 1 MiB of zeros); in the page cache.%n%n", census[0] / MIB, census[1] / MIB,
                census[2] / MIB));
        Samples qemu = results.getFirst().samples();
        Samples qemuSynced = results.size() > 1 ? results.get(1).samples() : qemu;
        md.append("| peer | durable when it returns | time s (min–max) | MiB/s of image | speed vs qemu-img "
                + "default | speed vs qemu-img + sync | CPU s (user+sys) | output file MiB (allocated) | "
                + "output check |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (ImportBench.Result result : results) {
            Samples s = result.samples();
            md.append(Samples.format("| %s | %s | %.2f (%.2f–%.2f) | %.0f | %.2f | %.2f | %.2f | %.0f (%.0f) | %s |%n",
                    result.peer().name(), result.peer().durability(), s.medianSeconds(), s.minSeconds(),
                    s.maxSeconds(), size / MIB / s.medianSeconds(), qemu.medianTimeRatio(s),
                    qemuSynced.medianTimeRatio(s), result.cpu().medianSeconds(), result.fileBytes() / MIB,
                    result.allocatedBytes() / MIB, result.check()));
        }
        md.append("\nSpeed vs X is X's time divided by this peer's time in the same round, median over rounds "
                + "(above 1.00 = faster than X). CPU is the median user+system time of the process (of the JVM for "
                + "in-process peers, JIT and GC threads included).\n");
        for (String note : notes) {
            md.append("\nNote: ").append(note).append('\n');
        }
        return md.toString();
    }

    private static String cpuModel() {
        return BenchMainFiles.lines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown model");
    }

    private static String memTotal() {
        return BenchMainFiles.lines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .map(l -> Samples.format("%.1f GiB", Long.parseLong(l.replaceAll("\\D", "")) / MIB))
                .findFirst().orElse("unknown");
    }

    /** The block device under {@code path} and whether the kernel calls it rotational. */
    private static String disk(Path path) {
        try {
            String store = Files.getFileStore(path).name();
            String device = store.replaceFirst("^/dev/", "").replaceFirst("p?\\d+$", "");
            List<String> rotational = BenchMainFiles.lines(Path.of("/sys/block", device, "queue", "rotational"));
            String kind = rotational.isEmpty() ? "unknown type"
                    : rotational.getFirst().strip().equals("1") ? "reported rotational" : "reported non-rotational";
            return store + " (" + Files.getFileStore(path).type() + ", " + kind + ")";
        } catch (IOException e) {
            return "unknown device";
        }
    }

    /** Reads small system files, giving an empty list for one that cannot be read. */
    private static final class BenchMainFiles {
        static List<String> lines(Path file) {
            try {
                return Files.readAllLines(file);
            } catch (IOException e) {
                return List.of();
            }
        }
    }
}
