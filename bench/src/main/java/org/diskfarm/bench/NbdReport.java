package org.diskfarm.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The Markdown the NBD benchmark prints: machine and versions, one table per fio workload, a table of ratios
 * diskfarm/peer, and the boot storm. The iSCSI benchmark prints its tables with the same methods.
 *
 * <p>Threads: stateless.
 */
final class NbdReport {
    private static final double MIB = 1 << 20;

    private NbdReport() {
    }

    /** A row of the tables: one server (and export or target) measured; the diskfarm rows get ratios to the peers. */
    interface Row {
        String label();

        boolean diskfarm();
    }

    static final String FIO_CLIENT_NOTE = "Server CPU is the server process's user+system time over the fio run "
            + "(ramp included) divided by its wall time; fio (the client) runs on the same 2 cores.";

    /**
     * Machine, versions and image; {@code clientRuns} says how long each client run lasts (e.g. "fio runs 5 s after a
     * 1 s ramp").
     */
    static String environment(Path work, List<String> versions, String serverJvm, boolean diskfarm, long imageSize,
                              long servedSize, int rounds, String clientRuns) {
        StringBuilder md = new StringBuilder(Report.environment(work, "qemu-img/qemu-nbd: see below").replace(
                "## Machine", "### Machine"));
        md.setLength(md.length() - 1);
        for (String v : versions) {
            md.append("- ").append(v).append('\n');
        }
        if (diskfarm) {
            md.append("- diskfarm serve JVM options: `").append(serverJvm).append("`\n");
        }
        long[] census = NbdImage.census(imageSize);
        md.append(Samples.format("%n### Image%n%nRaw image of %.0f MiB: %.0f MiB of data, %.0f MiB of allocated "
                        + "zeros, %.0f MiB of holes (regions of 32 MiB; the first 96 MiB are data); imported with "
                        + "`diskfarm vdisk import` into a dynamic VHD, whose virtual size (%d bytes, CHS rounding) the raw "
                        + "file is then grown to; every server serves %d bytes. All files are read once before the "
                        + "servers start (warm page cache); nothing is dropped. %s, "
                        + "%d round(s), the order of the servers rotating by one each round; medians over rounds.%n%n",
                imageSize / MIB, census[2] / MIB, census[1] / MIB, census[0] / MIB, servedSize, servedSize, clientRuns,
                rounds));
        return md.toString();
    }

    /**
     * One table per workload and a table of ratios; {@code clientNote} ends the text under them. The latency columns
     * are left out when the client gives no latencies (NaN).
     */
    static <T extends Row> String fioTables(Map<Fio.Workload, Map<T, List<Fio.Result>>> fio, String clientNote) {
        if (fio.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder();
        List<String[]> ratioRows = new ArrayList<>();
        List<String> peerLabels = new ArrayList<>();
        for (Map.Entry<Fio.Workload, Map<T, List<Fio.Result>>> e : fio.entrySet()) {
            Fio.Workload w = e.getKey();
            Map<T, List<Fio.Result>> byTarget = e.getValue();
            List<T> peers = byTarget.keySet().stream().filter(t -> !t.diskfarm()).toList();
            boolean latency = byTarget.values().stream().flatMap(List::stream).noneMatch(r -> Double.isNaN(r.p50Micros()));
            md.append(Samples.format("### %s%n%n", capitalise(w.title())));
            md.append("| server, export | MiB/s | IOPS | ").append(latency ? "p50 µs | p99 µs | " : "")
                    .append("server CPU (cores) | vs faster peer (median) | (range) |\n");
            md.append("| --- |").append(" ---: |".repeat(latency ? 7 : 5)).append('\n');
            for (Map.Entry<T, List<Fio.Result>> t : byTarget.entrySet()) {
                List<Fio.Result> rs = t.getValue();
                String vs = "", range = "";
                if (t.getKey().diskfarm()) {
                    double[] ratios = ratiosToFastest(rs, peers.stream().map(byTarget::get).toList());
                    vs = Samples.format("%.2f", Samples.median(ratios));
                    range = rangeOf(ratios);
                    String[] row = new String[2 + peers.size() + 2];
                    row[0] = w.title();
                    row[1] = t.getKey().label();
                    for (int i = 0; i < peers.size(); i++) {
                        row[2 + i] = Samples.format("%.2f", Samples.median(ratios(rs, byTarget.get(peers.get(i)))));
                    }
                    row[2 + peers.size()] = vs;
                    row[3 + peers.size()] = range;
                    ratioRows.add(row);
                    if (peerLabels.isEmpty()) {
                        peers.forEach(p -> peerLabels.add(p.label()));
                    }
                }
                String latencies = latency ? Samples.format("%.0f | %.0f | ", median(rs, Fio.Result::p50Micros),
                        median(rs, Fio.Result::p99Micros)) : "";
                md.append(Samples.format("| %s | %.0f | %.0f | %s%.2f | %s | %s |%n", t.getKey().label(),
                        median(rs, r -> r.bytesPerSecond() / MIB), median(rs, Fio.Result::iops), latencies,
                        median(rs, Fio.Result::serverCpuCores), vs, range));
            }
            md.append('\n');
        }
        md.append("### Ratios diskfarm/peer (throughput, median of per-round ratios)\n\n");
        md.append("| workload | diskfarm | ");
        peerLabels.forEach(p -> md.append("vs ").append(p).append(" | "));
        md.append("vs faster peer | (range) |\n|");
        md.append(" --- |".repeat(2)).append(" ---: |".repeat(peerLabels.size() + 2)).append('\n');
        for (String[] row : ratioRows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        md.append("\nA ratio is diskfarm's throughput divided by the peer's in the same round (1.00 = as fast, 0.80 = "
                + "20% slower); \"faster peer\" takes, round by round, the fastest of the peers. " + clientNote + "\n\n");
        return md.toString();
    }

    private static double[] ratios(List<Fio.Result> diskfarm, List<Fio.Result> peer) {
        double[] r = new double[Math.min(diskfarm.size(), peer.size())];
        for (int i = 0; i < r.length; i++) {
            r[i] = diskfarm.get(i).iops() / peer.get(i).iops();
        }
        return r;
    }

    private static double[] ratiosToFastest(List<Fio.Result> diskfarm, List<List<Fio.Result>> peers) {
        double[] r = new double[diskfarm.size()];
        for (int i = 0; i < r.length; i++) {
            double best = 0;
            for (List<Fio.Result> p : peers) {
                if (i < p.size()) {
                    best = Math.max(best, p.get(i).iops());
                }
            }
            r[i] = diskfarm.get(i).iops() / best;
        }
        return r;
    }

    /**
     * The storm table; {@code unit} names what was opened ("connections", "sessions") and {@code handshake} what each
     * went through before it counts as open.
     */
    static <T extends Row> String stormTable(Map<T, List<BootStorm.Result>> storms, int connections, long bytes,
                                             int request, String serverJvm, String unit, String handshake) {
        if (storms.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder();
        String one = unit.substring(0, unit.length() - 1);
        md.append(Samples.format("### Boot storm: %d %s, each reading the first %.0f MiB in order "
                        + "(%d KiB requests, one at a time per %s)%n%n", connections, unit, bytes / MIB,
                request >> 10, one));
        md.append("| server, export | storm s (range) | aggregate MiB/s | vs faster peer | server CPU (cores) | "
                + "RSS before MiB | RSS with " + connections + " idle MiB | growth per idle " + one + " KiB (range) | "
                + "live Java heap per idle " + one + " KiB | threads before → idle | peak RSS in storm MiB | "
                + "RSS after close MiB | handshakes s |\n");
        md.append("| --- |").append(" ---: |".repeat(12)).append('\n');
        List<List<BootStorm.Result>> peers = storms.entrySet().stream().filter(e -> !e.getKey().diskfarm())
                .map(Map.Entry::getValue).toList();
        double total = (double) connections * bytes;
        for (Map.Entry<T, List<BootStorm.Result>> e : storms.entrySet()) {
            List<BootStorm.Result> rs = e.getValue();
            String vs = "";
            if (e.getKey().diskfarm()) {
                double[] ratios = new double[rs.size()];
                for (int i = 0; i < ratios.length; i++) {
                    double best = Double.MAX_VALUE;
                    for (List<BootStorm.Result> p : peers) {
                        if (i < p.size()) {
                            best = Math.min(best, p.get(i).stormNanos());
                        }
                    }
                    ratios[i] = best / rs.get(i).stormNanos();
                }
                vs = Samples.format("%.2f (%s)", Samples.median(ratios), rangeOf(ratios));
            }
            double[] growth = rs.stream().mapToDouble(r -> r.growthPerConnectionKib(connections)).toArray();
            double seconds = median(rs, r -> r.stormNanos() / 1e9);
            double[] heap = rs.stream().mapToDouble(r -> r.heapGrowthPerConnectionKib(connections)).toArray();
            String heapText = Double.isNaN(heap[0]) ? "—" : Samples.format("%.1f", Samples.median(heap));
            md.append(Samples.format("| %s | %.2f (%s) | %.0f | %s | %.2f | %.0f | %.0f | %.1f (%s) | %s | %.0f → %.0f | "
                            + "%.0f | %.0f | %.2f |%n", e.getKey().label(), seconds,
                    rangeOf(rs.stream().mapToDouble(r -> r.stormNanos() / 1e9).toArray()), total / MIB / seconds, vs,
                    median(rs, BootStorm.Result::serverCpuCores), median(rs, r -> r.rssBeforeKib() / 1024.0),
                    median(rs, r -> r.rssIdleKib() / 1024.0), Samples.median(growth), rangeOf(growth), heapText,
                    median(rs, BootStorm.Result::threadsBefore), median(rs, BootStorm.Result::threadsIdle),
                    median(rs, r -> r.rssPeakKib() / 1024.0), median(rs, r -> r.rssAfterCloseKib() / 1024.0),
                    median(rs, r -> r.handshakeNanos() / 1e9)));
        }
        md.append(Samples.format("%n" + capitalise(unit) + " are opened 16 at a time, each through the whole "
                + "handshake (" + handshake + "), by the harness's own minimal client (one socket and one virtual thread "
                + "per " + one + "), and held idle; after 1 s the server's VmRSS is read again. Growth per idle " + one
                + " = (RSS with %d idle - RSS before) / %d. Then all " + unit + " read at once; storm time runs from the start signal "
                + "to the last " + one + "'s last byte; aggregate = %d × %.0f MiB / storm time. Peak RSS is sampled every "
                + "100 ms. vs faster peer is the fastest peer's storm time over diskfarm's in the same round. Every "
                + "server of this table is started afresh for the storm part and gets a 2 s sequential read first. For "
                + "diskfarm, live Java heap per idle " + one + " is the heap in use after a full GC (`jcmd PID GC.run`, "
                + "then `GC.heap_info`) with the " + unit + " idle, minus the same before they were opened, over %d; "
                + "the first GC runs before the baseline RSS is read. diskfarm JVM: `%s`.%n%n", connections,
                connections, connections, bytes / MIB, connections, serverJvm));
        return md.toString();
    }

    static String notes(List<String> notes) {
        StringBuilder md = new StringBuilder();
        if (!notes.isEmpty()) {
            md.append("### Commands and notes\n\n");
            for (String note : notes) {
                md.append("- ").append(note).append('\n');
            }
        }
        return md.toString();
    }

    private static <T> double median(List<T> values, ToDoubleFunction<T> f) {
        return Samples.median(values.stream().mapToDouble(f).toArray());
    }

    private static String rangeOf(double[] values) {
        double low = Double.MAX_VALUE, high = -Double.MAX_VALUE;
        for (double v : values) {
            low = Math.min(low, v);
            high = Math.max(high, v);
        }
        return Samples.format(Math.abs(high) >= 100 ? "%.0f–%.0f" : "%.2f–%.2f", low, high);
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
