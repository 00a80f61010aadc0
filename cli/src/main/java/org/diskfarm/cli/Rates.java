package org.diskfarm.cli;

import java.time.Duration;
import java.util.Locale;

/** Elapsed times and throughput as the commands print them. */
final class Rates {
    private Rates() {
    }

    /** {@code 0.42 s}, {@code 12.3 s}, {@code 2 min 5 s}. */
    static String duration(Duration elapsed) {
        double seconds = elapsed.toNanos() / 1e9;
        if (seconds < 60) {
            return String.format(Locale.ROOT, seconds < 10 ? "%.2f s" : "%.1f s", seconds);
        }
        return elapsed.toMinutes() + " min " + elapsed.toSecondsPart() + " s";
    }

    /** {@code 152.4 MiB/s} for {@code bytes} processed in {@code elapsed}. */
    static String mibPerSecond(long bytes, Duration elapsed) {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return String.format(Locale.ROOT, "%.1f MiB/s", bytes / seconds / (1 << 20));
    }
}
