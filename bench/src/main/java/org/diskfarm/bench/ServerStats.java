package org.diskfarm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server under test seen through {@code /proc/PID}: its memory ({@code VmRSS}), threads and CPU time. Implemented by
 * the servers the harness starts itself ({@link NbdServerProcess}) and by those a testkit class starts for it (tgtd).
 *
 * <p>Threads: the readers may be called from any thread (the storm samples RSS from its own).
 */
interface ServerStats {
    String name();

    long pid();

    /** VmRSS from /proc/PID/status, in KiB; -1 once the process is gone. */
    default long rssKib() {
        return statusField("VmRSS:");
    }

    /** Threads from /proc/PID/status. */
    default long threads() {
        return statusField("Threads:");
    }

    private long statusField(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replaceAll("\\D", ""));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
        return -1;
    }

    /** User plus system CPU time of the process (all threads), in nanoseconds, from /proc/PID/stat. */
    default long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
