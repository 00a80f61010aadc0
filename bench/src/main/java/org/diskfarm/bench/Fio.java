package org.diskfarm.bench;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs fio's {@code nbd} ioengine (libnbd; one connection per job, {@code iodepth} requests in flight on it) against
 * one export and reads the JSON report.
 *
 * <p>Threads: stateless.
 */
final class Fio {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Fio() {
    }

    /** A workload: fio's rw, block size and queue depth. */
    record Workload(String key, String title, String rw, String blockSize, int ioDepth) {
        boolean writes() {
            return rw.contains("write");
        }

        int blockBytes() {
            return (int) NbdBenchMain.bytes(blockSize);
        }
    }

    /** One fio run: throughput, latency percentiles, and the server's CPU use over the run. */
    record Result(double iops, double bytesPerSecond, double p50Micros, double p99Micros, double serverCpuCores) {
    }

    static List<String> command(Workload w, String uri, int runtimeSeconds, Path json) {
        List<String> command = new ArrayList<>(List.of("fio", "--name=" + w.key(), "--ioengine=nbd", "--uri=" + uri,
                "--rw=" + w.rw(), "--bs=" + w.blockSize(), "--iodepth=" + w.ioDepth(), "--time_based",
                "--runtime=" + runtimeSeconds, "--ramp_time=1", "--randrepeat=1", "--norandommap",
                "--output-format=json", "--output=" + json));
        return command;
    }

    /** Runs {@code w} for {@code runtimeSeconds} (after a 1 s ramp that is not counted) against {@code uri}. */
    static Result run(Workload w, String uri, int runtimeSeconds, ServerStats server, Path work) {
        Path json = work.resolve("fio.json");
        Path log = work.resolve("fio.log");
        Processes.delete(json);
        long cpu0 = server.cpuNanos();
        long start = System.nanoTime();
        Processes.Run run = Processes.run(command(w, uri, runtimeSeconds, json), log);
        long wall = System.nanoTime() - start;
        long cpu = server.cpuNanos() - cpu0;
        if (!run.ok()) {
            throw new IllegalStateException("fio against " + uri + ": " + run.describe());
        }
        try {
            String text = Files.readString(json);
            JsonNode job = JSON.readTree(text.substring(text.indexOf('{'))).path("jobs").get(0);
            if (job.path("error").asInt() != 0) {
                throw new IllegalStateException("fio against " + uri + " reports error " + job.path("error"));
            }
            JsonNode side = job.path(w.writes() ? "write" : "read");
            JsonNode percentiles = side.path("clat_ns").path("percentile");
            return new Result(side.path("iops").asDouble(), side.path("bw_bytes").asDouble(),
                    percentiles.path("50.000000").asDouble() / 1000, percentiles.path("99.000000").asDouble() / 1000,
                    (double) cpu / wall);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String version() {
        return NbdBenchMain.firstLine(List.of("fio", "--version"));
    }
}
