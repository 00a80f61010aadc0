package org.diskfarm.bench;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.FileStorage;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdOptions;
import org.diskfarm.vhd.VhdSpec;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

/**
 * Device I/O on a dynamic VHD (2 MiB blocks) against the same on a raw file of the same size and content: sequential
 * reads of 1 MiB, random reads of 4 KiB (one thread and two), sequential writes of 1 MiB into a new file (the VHD in
 * both metadata modes) and random 4 KiB overwrites of an allocated file, each write workload ending with a flush that
 * is timed. Reads alternate between the peers slice by slice (every 64 MiB, or every twentieth of the requests), so
 * that both see the same noise of a shared machine; write workloads, which end with an fsync, run one after the other
 * inside each round, in an order that rotates from round to round. Write rows are also given for the time before
 * the fsync: the format's own cost, apart from the disk's.
 *
 * <p>Both files are in the page cache (warm), as a hot vDisk is on a farm server: reads measure the format's CPU and
 * system call cost, not the disk. Before each timed write workload every dirty page of the machine is written back
 * (untimed), so each write starts from a clean cache and its fsync writes only its own data.
 *
 * <p>Threads: runs on the calling thread, except the two-thread read workload.
 */
final class DeviceIoBench {
    static final int SEQ_REQUEST = 1 << 20;
    static final int RANDOM_REQUEST = 4096;
    /** Reads alternate between the peers every 64 MiB (sequential) or every 1/20 of the requests (random). */
    private static final long SEQ_SLICE = 64L << 20;
    private static final int RANDOM_SLICES = 20;

    /** One line of the table: a workload's times on the raw file and on the VHD. */
    record Row(String workload, int requestBytes, long requests, Samples raw, Samples vhd) {
    }

    private final Path dir;
    private final long size;
    private final int rounds;
    private final int randomRequests;
    private final Content content = new Content(42);
    private final Path log;

    DeviceIoBench(Path dir, long requestedSize, int rounds, int randomRequests) {
        this.dir = dir;
        this.size = Vhd.roundedSize(requestedSize);
        this.rounds = rounds;
        this.randomRequests = randomRequests;
        this.log = dir.resolve("process.log");
    }

    long size() {
        return size;
    }

    List<Row> run(Path rawFile, Path vhdFile) {
        Processes.delete(rawFile, vhdFile);
        try (BlockDevice seedRaw = newRaw(rawFile)) {
            writeAll(seedRaw, true);
        }
        try (BlockDevice seedVhd = newVhd(vhdFile, VhdOptions.MetadataSync.ON_FLUSH)) {
            writeAll(seedVhd, true);
        }
        Samples seqRaw = new Samples(), seqVhd = new Samples();
        Samples randRaw = new Samples(), randVhd = new Samples();
        Samples rand2Raw = new Samples(), rand2Vhd = new Samples();
        Timed writeRaw = new Timed(), writeVhdPerAllocation = new Timed(), writeVhdOnFlush = new Timed();
        Timed overwriteRaw = new Timed(), overwriteVhd = new Timed();
        long[] offsets = randomOffsets(1, randomRequests);
        long[] offsetsB = randomOffsets(2, randomRequests);
        long[] overwrites = randomOffsets(3, randomRequests);
        int seqSlices = (int) Math.max(1, size / SEQ_SLICE);
        try (BlockDevice raw = RawFileDevice.open(rawFile, true);
             BlockDevice vhd = Vhd.open(vhdFile, VhdOptions.readWrite())) {
            // Warm-up: pulls both files into the page cache, loads the VHD's bitmaps and lets the JIT compile.
            for (int i = 0; i < 2; i++) {
                readSequential(raw, 0, seqSlices);
                readSequential(vhd, 0, seqSlices);
                readRandom(raw, offsetsB, 0, offsetsB.length);
                readRandom(vhd, offsetsB, 0, offsetsB.length);
            }
            for (int round = 0; round < rounds; round++) {
                boolean rawFirst = round % 2 == 0;
                System.err.println("device I/O: round " + (round + 1) + " of " + rounds);
                interleaved(rawFirst, seqSlices, seqRaw, seqVhd,
                        slice -> readSequential(raw, slice, seqSlices), slice -> readSequential(vhd, slice, seqSlices));
                interleaved(rawFirst, RANDOM_SLICES, randRaw, randVhd,
                        slice -> readRandom(raw, offsets, slice, RANDOM_SLICES),
                        slice -> readRandom(vhd, offsets, slice, RANDOM_SLICES));
                interleaved(rawFirst, RANDOM_SLICES, rand2Raw, rand2Vhd,
                        slice -> readRandomTwoThreads(raw, offsets, offsetsB, slice),
                        slice -> readRandomTwoThreads(vhd, offsets, offsetsB, slice));
                List<Runnable> writers = new ArrayList<>(List.of(
                        () -> timedOverwrite(raw, overwrites, overwriteRaw),
                        () -> timedOverwrite(vhd, overwrites, overwriteVhd),
                        () -> timedFreshWrite(rawFile.resolveSibling("fresh.raw"), null, writeRaw),
                        () -> timedFreshWrite(vhdFile.resolveSibling("fresh-pa.vhd"),
                                VhdOptions.MetadataSync.PER_ALLOCATION, writeVhdPerAllocation),
                        () -> timedFreshWrite(vhdFile.resolveSibling("fresh-of.vhd"),
                                VhdOptions.MetadataSync.ON_FLUSH, writeVhdOnFlush)));
                for (int i = 0; i < writers.size(); i++) {
                    writers.get((i + round) % writers.size()).run();
                }
            }
        }
        long seqRequests = size / SEQ_REQUEST;
        String seqWrite = "sequential write, 1 MiB, new file";
        String overwrite = "random overwrite, 4 KiB, allocated file";
        return List.of(
                new Row("sequential read, 1 MiB", SEQ_REQUEST, seqRequests, seqRaw, seqVhd),
                new Row("random read, 4 KiB, 1 thread", RANDOM_REQUEST, randomRequests, randRaw, randVhd),
                new Row("random read, 4 KiB, 2 threads", RANDOM_REQUEST, 2L * randomRequests, rand2Raw, rand2Vhd),
                new Row(seqWrite + " + fsync; VHD PER_ALLOCATION", SEQ_REQUEST, seqRequests,
                        writeRaw.total, writeVhdPerAllocation.total),
                new Row(seqWrite + " + fsync; VHD ON_FLUSH", SEQ_REQUEST, seqRequests,
                        writeRaw.total, writeVhdOnFlush.total),
                new Row(overwrite + " + fsync", RANDOM_REQUEST, randomRequests, overwriteRaw.total,
                        overwriteVhd.total),
                new Row(seqWrite + ", before the fsync; VHD PER_ALLOCATION", SEQ_REQUEST, seqRequests,
                        writeRaw.beforeFlush, writeVhdPerAllocation.beforeFlush),
                new Row(seqWrite + ", before the fsync; VHD ON_FLUSH", SEQ_REQUEST, seqRequests,
                        writeRaw.beforeFlush, writeVhdOnFlush.beforeFlush),
                new Row(overwrite + ", before the fsync", RANDOM_REQUEST, randomRequests, overwriteRaw.beforeFlush,
                        overwriteVhd.beforeFlush));
    }

    /** A write workload's times: the whole of it, and the part before its final flush. */
    private static final class Timed {
        final Samples total = new Samples();
        final Samples beforeFlush = new Samples();
    }

    @FunctionalInterface
    private interface SliceWork {
        void run(int slice);
    }

    /**
     * Runs both peers' workloads slice by slice, alternating (raw, VHD, raw, VHD, ... or the other way round), and adds
     * each peer's summed time as one sample: on a noisy machine both then see the same noise.
     */
    private static void interleaved(boolean rawFirst, int slices, Samples raw, Samples vhd, SliceWork rawWork,
                                    SliceWork vhdWork) {
        long rawNanos = 0;
        long vhdNanos = 0;
        for (int slice = 0; slice < slices; slice++) {
            for (int turn = 0; turn < 2; turn++) {
                boolean rawTurn = (turn == 0) == rawFirst;
                long start = System.nanoTime();
                (rawTurn ? rawWork : vhdWork).run(slice);
                long nanos = System.nanoTime() - start;
                if (rawTurn) {
                    rawNanos += nanos;
                } else {
                    vhdNanos += nanos;
                }
            }
        }
        raw.add(rawNanos);
        vhd.add(vhdNanos);
    }

    private BlockDevice newRaw(Path file) {
        FileStorage storage = FileStorage.open(file, FileStorage.Mode.CREATE_NEW);
        storage.truncate(size);
        return RawFileDevice.of(storage);
    }

    private VhdDevice newVhd(Path file, VhdOptions.MetadataSync sync) {
        VhdDevice device = Vhd.create(file, VhdSpec.dynamic(size), VhdOptions.readWrite().withMetadataSync(sync));
        if (device.size() != size) {
            throw new IllegalStateException("VHD of " + device.size() + " bytes, expected " + size);
        }
        return device;
    }

    /** Sequential 1 MiB writes over the whole device, then (if asked) a flush. */
    private void writeAll(BlockDevice device, boolean flush) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(SEQ_REQUEST);
        for (long at = 0; at < size; at += SEQ_REQUEST) {
            int n = (int) Math.min(SEQ_REQUEST, size - at);
            buffer.clear().limit(n);
            content.fill(at, buffer);
            device.write(at, buffer, IoFlags.NONE);
        }
        if (flush) {
            device.flush();
        }
    }

    /** Creates a new file (raw if {@code sync} is null), writes all of it and flushes; times the lot. */
    private void timedFreshWrite(Path file, VhdOptions.MetadataSync sync, Timed timed) {
        Processes.delete(file);
        Processes.syncAll(log);
        long start = System.nanoTime();
        try (BlockDevice device = sync == null ? newRaw(file) : newVhd(file, sync)) {
            writeAll(device, false);
            timed.beforeFlush.add(System.nanoTime() - start);
            device.flush();
            timed.total.add(System.nanoTime() - start);
        }
        Processes.delete(file);
    }

    /** Random 4 KiB overwrites with the data already there (so raw and VHD stay equal), then a flush. */
    private void timedOverwrite(BlockDevice device, long[] offsets, Timed timed) {
        Processes.syncAll(log);
        ByteBuffer buffer = ByteBuffer.allocateDirect(RANDOM_REQUEST);
        long start = System.nanoTime();
        for (long offset : offsets) {
            buffer.clear();
            content.fill(offset, buffer);
            device.write(offset, buffer, IoFlags.NONE);
        }
        timed.beforeFlush.add(System.nanoTime() - start);
        device.flush();
        timed.total.add(System.nanoTime() - start);
    }

    /** Slice {@code slice} of {@code slices} of a sequential read of the whole device. */
    private void readSequential(BlockDevice device, int slice, int slices) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(SEQ_REQUEST);
        long requests = (size + SEQ_REQUEST - 1) / SEQ_REQUEST;
        long end = Math.min(size, requests * (slice + 1) / slices * SEQ_REQUEST);
        for (long at = requests * slice / slices * SEQ_REQUEST; at < end; at += SEQ_REQUEST) {
            buffer.clear().limit((int) Math.min(SEQ_REQUEST, size - at));
            device.read(at, buffer);
        }
    }

    /** Slice {@code slice} of {@code slices} of the random reads at {@code offsets}. */
    private static void readRandom(BlockDevice device, long[] offsets, int slice, int slices) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(RANDOM_REQUEST);
        int end = (int) ((long) offsets.length * (slice + 1) / slices);
        for (int i = (int) ((long) offsets.length * slice / slices); i < end; i++) {
            device.read(offsets[i], buffer.clear());
        }
    }

    private static void readRandomTwoThreads(BlockDevice device, long[] a, long[] b, int slice) {
        CountDownLatch start = new CountDownLatch(1);
        Thread other = Thread.ofPlatform().name("bench-reader-2").start(() -> {
            awaitQuietly(start);
            readRandom(device, b, slice, RANDOM_SLICES);
        });
        start.countDown();
        readRandom(device, a, slice, RANDOM_SLICES);
        try {
            other.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code count} offsets of 4 KiB requests spread evenly at random over the device, from a fixed seed. */
    private long[] randomOffsets(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        long slots = size / RANDOM_REQUEST;
        long[] offsets = new long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = random.nextLong(slots) * RANDOM_REQUEST;
        }
        return offsets;
    }
}
