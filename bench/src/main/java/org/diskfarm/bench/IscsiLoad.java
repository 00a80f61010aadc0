package org.diskfarm.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generators of the iSCSI benchmark, both built on libiscsi (fio here has no iSCSI engine): libiscsi's
 * {@code iscsi-perf} for the reads (time-based, one session, {@code -m} requests in flight) and
 * {@code qemu-img bench -w} for the random writes (count-based, QEMU's iscsi driver, {@code -d} requests in flight,
 * offsets a large stride apart). Every result is a {@link Fio.Result} without latencies (neither tool reports them).
 *
 * <p>Threads: stateless.
 */
final class IscsiLoad {
    private static final Pattern PERF_AVERAGE = Pattern.compile("iops average (\\d+) \\(\\d+ MB/s\\)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern BENCH_TIME = Pattern.compile("Run completed in ([0-9.]+) seconds");
    /** The block size both targets report (READ CAPACITY); iscsi-perf counts in blocks. */
    static final int BLOCK = 512;

    private IscsiLoad() {
    }

    /**
     * {@code iscsi-perf -m DEPTH -b BLOCKS -t SECONDS [-r] URL}: sequential reads from LBA 0 (wrapping at the end), or
     * with {@code -r} reads at random LBAs ({@code rand() % blocks}, so 512-byte aligned, not 4 KiB aligned). Its
     * figure is the average over the whole run, no ramp.
     */
    static List<String> perfCommand(Fio.Workload w, String url, int seconds) {
        List<String> command = new ArrayList<>(List.of("iscsi-perf", "-m", Integer.toString(w.ioDepth()), "-b",
                Integer.toString(w.blockBytes() / BLOCK), "-t", Integer.toString(seconds)));
        if (w.rw().startsWith("rand")) {
            command.add("-r");
        }
        command.add(url);
        return command;
    }

    static Fio.Result perf(Fio.Workload w, String url, int seconds, ServerStats server, Path work) {
        List<String> command = perfCommand(w, url, seconds);
        long cpu0 = server.cpuNanos();
        Processes.Run run = Processes.run(command, work.resolve("iscsi-perf.log"));
        long cpu = server.cpuNanos() - cpu0;
        // The figure goes out after a carriage return, on the last progress line.
        Matcher m = PERF_AVERAGE.matcher(run.output().replace('\r', '\n'));
        if (!run.ok() || !m.find()) {
            throw new IllegalStateException("iscsi-perf against " + url + ": " + run.describe());
        }
        double iops = Double.parseDouble(m.group(1));
        return new Fio.Result(iops, iops * w.blockBytes(), Double.NaN, Double.NaN, (double) cpu / run.nanos());
    }

    /**
     * {@code qemu-img bench -f raw -w -d DEPTH -s SIZE -S STEP -c COUNT URL}: COUNT writes, each {@code step} bytes
     * after the last modulo the disk's size; with a step of an odd number of blocks near 0.618 of the disk, coprime
     * to its block count, successive writes land far apart and COUNT of them touch COUNT different blocks (while
     * COUNT is below the disk's block count). The time is qemu-img's own, from the first request to the last.
     */
    static List<String> benchCommand(Fio.Workload w, String url, long count, long step) {
        return List.of("qemu-img", "bench", "-f", "raw", "-w", "-d", Integer.toString(w.ioDepth()), "-s",
                Integer.toString(w.blockBytes()), "-S", Long.toString(step), "-c", Long.toString(count), url);
    }

    static Fio.Result bench(Fio.Workload w, String url, long count, long step, ServerStats server, Path work) {
        long cpu0 = server.cpuNanos();
        Processes.Run run = Processes.run(benchCommand(w, url, count, step), work.resolve("qemu-img-bench.log"));
        long cpu = server.cpuNanos() - cpu0;
        Matcher m = BENCH_TIME.matcher(run.output());
        if (!run.ok() || !m.find()) {
            throw new IllegalStateException("qemu-img bench against " + url + ": " + run.describe());
        }
        double seconds = Double.parseDouble(m.group(1));
        double iops = count / seconds;
        return new Fio.Result(iops, iops * w.blockBytes(), Double.NaN, Double.NaN, (double) cpu / run.nanos());
    }

    /** The stride for {@link #bench}: an odd number of requests near 0.618 of the disk, coprime to its count. */
    static long scatterStep(long diskBytes, int requestBytes) {
        long blocks = diskBytes / requestBytes;
        long k = (long) (blocks * 0.618) | 1;
        while (gcd(k, blocks) != 1) {
            k += 2;
        }
        return k * requestBytes;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
