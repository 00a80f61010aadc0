package org.diskfarm.bench;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the peers that are programs (qemu-img, the diskfarm command line, sync) and times them by the wall clock, from
 * process start to exit. Output goes to a log file so that a chatty program never blocks on a pipe.
 *
 * <p>Threads: stateless; the harness calls it from one thread.
 */
final class Processes {
    private static final long TIMEOUT_MINUTES = 10;

    private Processes() {
    }

    /** What a run came to: its exit status, its wall-clock time, and the tail of what it printed. */
    record Run(List<String> command, int exitCode, long nanos, String output) {
        boolean ok() {
            return exitCode == 0;
        }

        String describe() {
            return String.join(" ", command) + " exited with " + exitCode + ": " + output.strip();
        }
    }

    static Run run(List<String> command, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        try {
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
                return new Run(command, -1, System.nanoTime() - start, "timed out");
            }
            long nanos = System.nanoTime() - start;
            String output = Files.readString(log);
            return new Run(command, process.exitValue(), nanos, output.length() > 2000
                    ? output.substring(output.length() - 2000) : output);
        } catch (IOException e) {
            return new Run(command, -1, 0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A run's wall-clock time, and the CPU time (user and system) it used. */
    record Timing(long wallNanos, long cpuNanos) {
        Timing plus(Timing other) {
            return new Timing(wallNanos + other.wallNanos, cpuNanos + other.cpuNanos);
        }
    }

    /**
     * Runs a command that must succeed under {@code /usr/bin/time}, which reports the CPU time of the command and its
     * children; the wall clock is taken here, so it includes the (small, equal for all) cost of starting time.
     */
    static Timing timed(List<String> command, Path log) {
        Path cpuFile = log.resolveSibling("cpu.txt");
        List<String> wrapped = new ArrayList<>(List.of("/usr/bin/time", "-f", "%U %S", "-o",
                cpuFile.toString()));
        wrapped.addAll(command);
        long wall = runChecked(wrapped, log);
        try {
            String[] fields = Files.readString(cpuFile).strip().split("\\s+");
            int n = fields.length;
            double seconds = Double.parseDouble(fields[n - 2]) + Double.parseDouble(fields[n - 1]);
            return new Timing(wall, (long) (seconds * 1e9));
        } catch (IOException | RuntimeException e) {
            return new Timing(wall, -1);
        }
    }

    /** CPU time used so far by this JVM, all threads (JIT and GC included). */
    static long ownCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Runs a command that must succeed; returns its wall-clock time in nanoseconds. */
    static long runChecked(List<String> command, Path log) {
        Run run = run(command, log);
        if (!run.ok()) {
            throw new IllegalStateException(run.describe());
        }
        return run.nanos();
    }

    /** Writes back every dirty page of the machine, so that a timed write starts from a clean page cache. */
    static void syncAll(Path log) {
        runChecked(List.of("sync"), log);
    }

    /**
     * Starts a timed peer from the same page-cache state every time: everything written back, the page cache dropped
     * (as root; elsewhere only the sync), then {@code warm} read once so that it is cached again. Without this the
     * kernel's state left by the previous peer (dirty pages, freed folios of a deleted output) swings the next peer's
     * time by a factor of two or more.
     */
    static void settle(Path warm, Path log) {
        syncAll(log);
        Path dropCaches = Path.of("/proc/sys/vm/drop_caches");
        if (Files.isWritable(dropCaches)) {
            try {
                Files.writeString(dropCaches, "3");
            } catch (IOException e) {
                // Not allowed here (a container): the sync alone must do.
            }
        }
        runChecked(List.of("dd", "if=" + warm, "of=/dev/null", "bs=4M", "status=none"), log);
    }

    static void delete(Path... files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
