package org.diskfarm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The timings of one workload on one peer, one per round, and what they come to.
 *
 * <p>Threads: not thread-safe; the harness adds from one thread.
 */
final class Samples {
    private final List<Long> nanos = new ArrayList<>();

    void add(long elapsedNanos) {
        nanos.add(elapsedNanos);
    }

    int count() {
        return nanos.size();
    }

    long nanos(int round) {
        return nanos.get(round);
    }

    /** The median time in seconds (the mean of the middle two for an even count). */
    double medianSeconds() {
        return median(nanos.stream().mapToDouble(n -> n / 1e9).toArray());
    }

    double minSeconds() {
        return nanos.stream().mapToLong(Long::longValue).min().orElseThrow() / 1e9;
    }

    double maxSeconds() {
        return nanos.stream().mapToLong(Long::longValue).max().orElseThrow() / 1e9;
    }

    /** The median over rounds of this peer's time divided by {@code other}'s time in the same round. */
    double medianTimeRatio(Samples other) {
        double[] ratios = new double[Math.min(count(), other.count())];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = (double) nanos.get(i) / other.nanos.get(i);
        }
        return median(ratios);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
