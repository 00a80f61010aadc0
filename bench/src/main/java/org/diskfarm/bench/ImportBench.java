package org.diskfarm.bench;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.DeviceCopy;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.testkit.QemuImg;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdCheckReport;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdOptions;
import org.diskfarm.vhd.VhdSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Import of a half-empty raw image into a new dynamic VHD: diskfarm's import path against {@code qemu-img convert -O
 * vpc}, in the same run, interleaved (the order of the peers rotates from round to round), each peer's output deleted
 * before the next starts. Before every timed peer, every dirty page of the machine is written back (untimed) so that
 * no peer pays for another's writes. The source stays in the page cache throughout.
 *
 * <p>The peers differ in what is durable when they return, and the table says so: qemu-img's default cache mode for
 * the destination is {@code unsafe} (no fsync of the data at all); {@code -t writeback} makes it fsync at every block
 * allocation. diskfarm's import (metadata synced ON_FLUSH) fsyncs once at the end; with PER_ALLOCATION it fsyncs at
 * every block allocation.
 *
 * <p>Threads: runs on the calling thread.
 */
final class ImportBench {
    /** One peer: a name, what it leaves durable, and how to run it once into {@code out}. */
    record Peer(String name, String durability, Runner runner) {
    }

    @FunctionalInterface
    interface Runner {
        Processes.Timing run(Path out);
    }

    /** A peer's wall-clock and CPU times, and its output as checked once before the timed rounds. */
    record Result(Peer peer, Samples samples, Samples cpu, String check, long fileBytes, long allocatedBytes) {
    }

    private final Path dir;
    private final long size;
    private final int rounds;
    private final Path cliJar;
    private final Path javaExecutable;
    private final QemuImg qemuImg = QemuImg.locate().withTimeout(Duration.ofMinutes(10));
    private final Path log;
    private final List<String> notes = new ArrayList<>();

    ImportBench(Path dir, long size, int rounds, Path cliJar, Path javaExecutable) {
        this.dir = dir;
        this.size = size;
        this.rounds = rounds;
        this.cliJar = cliJar;
        this.javaExecutable = javaExecutable;
        this.log = dir.resolve("process.log");
    }

    List<String> notes() {
        return notes;
    }

    String qemuImgVersion() {
        return qemuImg.version();
    }

    List<Result> run(Path source) {
        String qemu = qemuImg.executable().toString();
        List<Peer> peers = new ArrayList<>();
        peers.add(new Peer("qemu-img convert -O vpc (default: -t unsafe)", "nothing fsynced",
                out -> Processes.timed(qemuConvert(qemu, "unsafe", source, out), log)));
        peers.add(new Peer("qemu-img convert -O vpc, then sync FILE", "all data and metadata (one fsync at the end)",
                out -> Processes.timed(qemuConvert(qemu, "unsafe", source, out), log)
                        .plus(Processes.timed(List.of("sync", out.toString()), log))));
        peers.add(new Peer("qemu-img convert -O vpc -t writeback", "fdatasync at every block allocation",
                out -> Processes.timed(qemuConvert(qemu, "writeback", source, out), log)));
        peers.add(new Peer("diskfarm import in-process, ON_FLUSH", "all data and metadata (fsync at the end)",
                out -> importInProcess(source, out, VhdOptions.MetadataSync.ON_FLUSH)));
        peers.add(new Peer("diskfarm import in-process, PER_ALLOCATION", "fsync at every block allocation",
                out -> importInProcess(source, out, VhdOptions.MetadataSync.PER_ALLOCATION)));
        if (cliJar != null) {
            peers.add(new Peer("diskfarm vdisk import (CLI process)",
                    "all data and metadata (fsync at the end); also hashes the content (in parallel) and writes NAME.pvp",
                    out -> Processes.timed(cliImport(source, out), log)));
        }
        Map<Peer, Result> results = new LinkedHashMap<>();
        for (Peer peer : List.copyOf(peers)) {
            Result checked = check(peer, source);
            if (checked == null) {
                peers.remove(peer);
            } else {
                results.put(peer, checked);
            }
        }
        for (int round = 0; round < rounds; round++) {
            System.err.println("import: round " + (round + 1) + " of " + rounds);
            for (int i = 0; i < peers.size(); i++) {
                Peer peer = peers.get((i + round) % peers.size());
                Path out = output(peer);
                Processes.settle(source, log);
                Processes.Timing timing = peer.runner().run(out);
                results.get(peer).samples().add(timing.wallNanos());
                results.get(peer).cpu().add(timing.cpuNanos());
                deleteOutput(out);
            }
        }
        return List.copyOf(results.values());
    }

    /**
     * Runs a peer once, untimed, and checks its output: it must read like the source ({@code qemu-img compare}, which
     * also calls a longer image equal if its tail reads as zeros) and pass diskfarm's strict VHD check. This also warms
     * up the JIT for the in-process peers. Returns null (and records a note) if a peer cannot run at all.
     */
    private Result check(Peer peer, Path source) {
        Path out = output(peer);
        deleteOutput(out);
        try {
            peer.runner().run(out);
        } catch (RuntimeException e) {
            notes.add(peer.name() + " was skipped: " + firstLine(e.getMessage()));
            deleteOutput(out);
            return null;
        }
        boolean same = qemuImg.compare(source, "raw", out, "vpc");
        VhdCheckReport report = Vhd.check(out);
        QemuImg.Info info = qemuImg.info(out, "vpc");
        String check = (same ? "same as source" : "DIFFERS from source") + ", " + (report.ok() ? "check ok"
                : "check: " + report.problems().size() + " problems") + ", virtual " + info.virtualSize() + " B";
        long fileBytes;
        try {
            fileBytes = Files.size(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Result result = new Result(peer, new Samples(), new Samples(), check, fileBytes, info.actualSize());
        deleteOutput(out);
        return result;
    }

    private static String firstLine(String message) {
        return message == null ? "failed" : message.lines().findFirst().orElse("failed");
    }

    private Path output(Peer peer) {
        String slug = peer.name().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "").toLowerCase(Locale.ROOT);
        return dir.resolve("out-" + slug).resolve("image.vhd");
    }

    private void deleteOutput(Path out) {
        Processes.delete(out, out.resolveSibling("image.pvp"), out.resolveSibling(".image.vhd.partial"));
        try {
            Files.createDirectories(out.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> qemuConvert(String qemu, String cache, Path source, Path out) {
        return List.of(qemu, "convert", "-t", cache, "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic",
                source.toString(), out.toString());
    }

    private List<String> cliImport(Path source, Path out) {
        return List.of(javaExecutable.toString(), "--enable-native-access=ALL-UNNAMED", "-jar", cliJar.toString(),
                "vdisk", "import", source.toString(), out.toString());
    }

    /** diskfarm's import path, as {@code diskfarm vdisk import} runs it, without the hash and the properties file. */
    private static Processes.Timing importInProcess(Path source, Path out, VhdOptions.MetadataSync sync) {
        long cpuStart = Processes.ownCpuNanos();
        long start = System.nanoTime();
        try (BlockDevice input = RawFileDevice.open(source, false);
             VhdDevice target = Vhd.create(out, VhdSpec.dynamic(input.size()),
                     VhdOptions.readWrite().withMetadataSync(sync))) {
            DeviceCopy.of(input, target).targetReadsZero(true).run();
        }
        return new Processes.Timing(System.nanoTime() - start, Processes.ownCpuNanos() - cpuStart);
    }
}
