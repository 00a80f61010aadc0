package org.diskfarm.vhd;

import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;
import org.diskfarm.testkit.CrashingStorage;
import org.diskfarm.testkit.CrashingStorage.CrashImage;
import org.diskfarm.testkit.CrashingStorage.CrashKind;
import org.diskfarm.testkit.MemoryStorage;
import org.diskfarm.testkit.TestFiles;
import org.diskfarm.vhd.VhdOptions.MetadataSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A VHD file stays consistent whichever write to it is the last to land. A {@link CrashingStorage} sits under the VHD
 * code (through {@link VhdOptions#withOpener}) while a scenario of writes, zeros, trims, flushes and FUA writes runs on
 * a dynamic disk with 4 KiB blocks (so that many writes allocate). The scenario runs once to count the file writes it
 * makes, then once for every N from 0 to that count with a crash after N writes. From each crash the images a reopen
 * could find are built: process death; process death with the crashing write torn, once at a file sector (as disks
 * tear) and once at exactly half its bytes (harsher than any disk, so that a torn footer or BAT sector is tried too);
 * and power loss with none, all, and each one alone of the writes after the last fsync. Each image must open
 * read-write (which may repair a damaged footer), pass {@link Vhd#check} without errors, and read:
 * <ul>
 *   <li>every write that was flushed, or written with FUA, before the crash exactly;</li>
 *   <li>anything else as one of the values it held since then: old or new content, never other bytes. This is
 *       checked per byte rather than per sector because power loss may land two unflushed writes into parts of one
 *       sector in either order;</li>
 *   <li>with {@link MetadataSync#PER_ALLOCATION}, after a process death, also every write and zero that returned.</li>
 * </ul>
 * Each recovered image then takes a few more writes (new blocks, partial sectors) and must read and check as
 * expected again. The files live in memory ({@link MemoryStorage}); paths under /crash are never touched on disk.
 */
class VhdCrashConsistencyTest {
    private static final Path BASE = Path.of("/crash/base.vhd");
    private static final Path DISK = Path.of("/crash/disk.vhd");
    private static final int BLOCK = 4096;
    /** Failures listed in full in an assertion message; the rest are counted. */
    private static final int REPORTED = 12;

    /** One step of the scenario. */
    sealed interface Op {
    }

    record Write(long offset, int length, long seed, boolean fua) implements Op {
    }

    record Zero(long offset, int length, boolean fua) implements Op {
    }

    record Trim(long offset, int length) implements Op {
    }

    record Flush() implements Op {
    }

    /** What one op left in the model: the bytes of its range after it, and whether they were durable at return. */
    record Step(Op op, long offset, byte[] after, boolean durable) {
    }

    /** What one run of the scenario did before it stopped (at the end or at the crash). */
    record Run(List<Step> steps, int returned, byte[] initial) {
    }

    /** Differencing or not, and the metadata sync mode under test. */
    enum Layout { FIXED, DYNAMIC, DIFFERENCING }

    @ParameterizedTest
    @EnumSource(MetadataSync.class)
    void dynamicDiskSurvivesACrashAfterAnyWrite(MetadataSync sync) {
        assertSurvivesEveryCrash(Layout.DYNAMIC, sync, BLOCK);
    }

    @ParameterizedTest
    @EnumSource(MetadataSync.class)
    void differencingDiskSurvivesACrashAfterAnyWrite(MetadataSync sync) {
        assertSurvivesEveryCrash(Layout.DIFFERENCING, sync, BLOCK);
    }

    @ParameterizedTest
    @EnumSource(MetadataSync.class)
    void fixedDiskSurvivesACrashAfterAnyWrite(MetadataSync sync) {
        assertSurvivesEveryCrash(Layout.FIXED, sync, BLOCK);
    }

    /** Larger blocks: fewer allocations, but each bitmap covers many of the scenario's writes. */
    @ParameterizedTest
    @EnumSource(MetadataSync.class)
    void dynamicDiskWith64KiBBlocksSurvivesACrashAfterAnyWrite(MetadataSync sync) {
        assertSurvivesEveryCrash(Layout.DYNAMIC, sync, 64 << 10);
    }

    @ParameterizedTest
    @EnumSource(MetadataSync.class)
    void scenarioWithoutCrashReadsAsItsModel(MetadataSync sync) {
        for (Layout layout : Layout.values()) {
            MemoryStorage storage = prepare(layout, BLOCK);
            byte[] initial = content(storage);
            CrashingStorage crashing = CrashingStorage.over(storage);
            Run run = runScenario(crashing, sync, scenario(initial.length), initial);
            assertThat(run.returned()).isEqualTo(scenario(initial.length).size());
            assertThat(crashing.writeCount()).as("file writes of the scenario")
                    .isGreaterThan(layout == Layout.FIXED ? 10 : 20);

            try (VhdDevice device = Vhd.open(DISK, VhdOptions.readOnly().withOpener(storage))) {
                byte[] expected = modelAfter(run, run.steps().size());
                assertThat(Arrays.mismatch(TestFiles.readAll(device), expected)).as(layout + " first difference")
                        .isEqualTo(-1);
            }
        }
    }

    @Test
    void crashingStorageStopsEveryCallAfterTheCrash() {
        MemoryStorage storage = prepare(Layout.DYNAMIC, BLOCK);
        CrashingStorage crashing = CrashingStorage.over(storage).crashAfter(0);
        try (VhdDevice device = Vhd.open(DISK, VhdOptions.readWrite().withOpener(crashing))) {
            device.write(0, ByteBuffer.wrap(TestFiles.pattern(1, 4096)), IoFlags.FUA);
            throw new AssertionError("a FUA write that allocates must reach the file, and the crash must stop it");
        } catch (StorageException e) {
            assertThat(e.kind()).isEqualTo(StorageException.Kind.IO_ERROR);
        }
        assertThat(crashing.crashed()).isTrue();
        assertThat(crashing.crashingWrite()).isPresent();
    }

    // ---- the scenario ----

    /** Writes that allocate, writes into allocated blocks, unaligned ones, zero, trim, FUA, flushes in between. */
    private static List<Op> scenario(long size) {
        return List.of(
                new Write(0, 4096, 1, false),                 // allocates block 0
                new Write(8192 + 100, 10_000, 2, false),      // unaligned, allocates blocks 2..4
                new Flush(),
                new Write(1024, 512, 3, false),               // into an allocated block
                new Write(8192 + 50, 300, 4, false),          // partial sectors of an allocated block
                new Write(40_960, 4096, 5, true),             // FUA, allocates
                new Write(65_536 - 1000, 5000, 6, false),     // across a block boundary, allocates two
                new Zero(8192, 4096, false),                  // a whole allocated block
                new Trim(0, 2048),
                new Flush(),
                new Write(200_000 + 37, 600, 7, false),
                new Write(300_000, 12_288, 8, false),
                new Zero(300_000 + 100, 1000, false),         // partial sectors
                new Write(65_536 + 10, 700, 9, true),         // FUA into an allocated block
                new Write(size - 4096, 4096, 10, false),      // the last block
                new Write(size - 100, 100, 11, false),
                new Flush(),
                new Write(500_000, 8192, 12, false),
                new Zero(500_000 + 4096, 512, true),          // FUA zero
                new Write(501_000, 10, 13, false));           // and no flush at the end
    }

    /** The disk the scenario runs on (base content first, for a differencing disk), in a fresh memory store. */
    private static MemoryStorage prepare(Layout layout, int blockSize) {
        MemoryStorage storage = new MemoryStorage();
        VhdOptions options = VhdOptions.readWrite().withOpener(storage);
        long requested = 1 << 20;
        if (layout == Layout.FIXED) {
            Vhd.create(DISK, VhdSpec.fixed(requested), options).close();
            return storage;
        }
        if (layout == Layout.DYNAMIC) {
            Vhd.create(DISK, VhdSpec.dynamic(requested).withBlockSize(blockSize), options).close();
            return storage;
        }
        try (VhdDevice base = Vhd.create(BASE, VhdSpec.dynamic(requested).withBlockSize(BLOCK), options)) {
            base.write(0, ByteBuffer.wrap(TestFiles.pattern(100, 0, 400_000)), IoFlags.NONE);
            long tail = base.size() - 8192;
            base.write(tail, ByteBuffer.wrap(TestFiles.pattern(100, tail, 8192)), IoFlags.NONE);
            base.flush();
        }
        Vhd.create(DISK, VhdSpec.differencing(BASE).withBlockSize(blockSize), options).close();
        return storage;
    }

    /** What the disk reads before the scenario, through a read-only open that writes nothing. */
    private static byte[] content(MemoryStorage storage) {
        try (VhdDevice device = Vhd.open(DISK, VhdOptions.readOnly().withOpener(storage))) {
            return TestFiles.readAll(device);
        }
    }

    /**
     * Runs the scenario on {@code DISK} opened through {@code crashing}, until it ends or a call fails (the crash).
     * Every op's resulting bytes are computed before it is called, so the op that hit the crash is in the steps too.
     */
    private static Run runScenario(CrashingStorage crashing, MetadataSync sync, List<Op> ops, byte[] initial) {
        VhdOptions options = VhdOptions.readWrite().withMetadataSync(sync).withOpener(crashing);
        List<Step> steps = new ArrayList<>();
        int returned = 0;
        VhdDevice device = null;
        try {
            device = Vhd.open(DISK, options);
            byte[] model = initial.clone();
            for (Op op : ops) {
                Step step = expectedStep(op, model);
                steps.add(step);
                apply(device, op);
                if (op instanceof Trim trim) {
                    // After a trim a sector reads as zeros, its old content, or (differencing) the parent's
                    // (BlockDevice.trim): adopt what the device now reads.
                    byte[] now = TestFiles.read(device, trim.offset(), trim.length());
                    assertOldOrZeroOrParent(now, model, initial, trim.offset());
                    step = new Step(op, step.offset(), now, false);
                    steps.set(steps.size() - 1, step);
                }
                if (step.after() != null) {
                    System.arraycopy(step.after(), 0, model, (int) step.offset(), step.after().length);
                }
                returned++;
            }
            device.close();
            device = null;
        } catch (StorageException e) {
            if (!crashing.crashed()) {
                throw e;
            }
        } finally {
            if (device != null) {
                device.close();
            }
        }
        return new Run(steps, returned, initial);
    }

    private static Step expectedStep(Op op, byte[] model) {
        return switch (op) {
            case Write w -> new Step(op, w.offset(), TestFiles.pattern(w.seed(), w.offset(), w.length()), w.fua());
            case Zero z -> new Step(op, z.offset(), new byte[z.length()], z.fua());
            case Trim t -> new Step(op, t.offset(), new byte[t.length()], false);
            case Flush f -> new Step(op, 0, null, true);
        };
    }

    private static void apply(VhdDevice device, Op op) {
        switch (op) {
            case Write w -> device.write(w.offset(), ByteBuffer.wrap(TestFiles.pattern(w.seed(), w.offset(),
                    w.length())), w.fua() ? IoFlags.FUA : IoFlags.NONE);
            case Zero z -> device.zero(z.offset(), z.length(), z.fua() ? IoFlags.FUA : IoFlags.NONE);
            case Trim t -> device.trim(t.offset(), t.length(), IoFlags.NONE);
            case Flush f -> device.flush();
        }
    }

    private static void assertOldOrZeroOrParent(byte[] now, byte[] model, byte[] initial, long offset) {
        for (int i = 0; i < now.length; i++) {
            int b = (int) offset + i;
            if (now[i] != 0 && now[i] != model[b] && now[i] != initial[b]) {
                throw new AssertionError("after trim, byte " + b + " reads " + now[i] + ", neither zero nor its old "
                        + "value " + model[b] + " nor the parent's " + initial[b]);
            }
        }
    }

    private static byte[] modelAfter(Run run, int stepCount) {
        byte[] model = run.initial().clone();
        for (Step step : run.steps().subList(0, stepCount)) {
            if (step.after() != null) {
                System.arraycopy(step.after(), 0, model, (int) step.offset(), step.after().length);
            }
        }
        return model;
    }

    // ---- crashing at every write ----

    private static void assertSurvivesEveryCrash(Layout layout, MetadataSync sync, int blockSize) {
        MemoryStorage reference = prepare(layout, blockSize);
        byte[] initial = content(reference);
        List<Op> ops = scenario(initial.length);
        CrashingStorage counting = CrashingStorage.over(reference);
        runScenario(counting, sync, ops, initial);
        long total = counting.writeCount();
        assertThat(total).as("file writes of the scenario").isGreaterThan(layout == Layout.FIXED ? 10 : 20);

        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (long n = 0; n <= total; n++) {
            CrashingStorage crashing = CrashingStorage.over(prepare(layout, blockSize)).crashAfter(n);
            Run run = runScenario(crashing, sync, ops, initial);
            Expectation expectation = new Expectation(run);
            Set<String> seen = new HashSet<>();
            List<CrashImage> images = new ArrayList<>(crashing.crashImages());
            crashing.tornImage(1).ifPresent(files -> images.add(new CrashImage(CrashKind.TORN_WRITE,
                    "byte-torn " + crashing.crashingWrite().orElseThrow(), files)));
            for (CrashImage image : images) {
                if (!seen.add(image.kind().keepsEveryCompletedWrite() + ":" + fingerprint(image))) {
                    continue;
                }
                checked++;
                String failure = checkImage(image, expectation, sync);
                if (failure != null) {
                    failures.add("crash after " + n + " of " + total + " writes (" + describe(run, ops) + "), "
                            + image.label() + ": " + failure);
                }
            }
        }
        assertThat(checked).isGreaterThan((int) total);
        assertThat(failures).as("%d of the crash images of %s/%s fail; the first %d:%n%s", failures.size(), layout,
                sync, Math.min(REPORTED, failures.size()),
                String.join("\n", failures.subList(0, Math.min(REPORTED, failures.size())))).isEmpty();
    }

    /** Null if the image opens, checks clean and reads as the model allows; else what went wrong. */
    private static String checkImage(CrashImage image, Expectation expectation, MetadataSync sync) {
        MemoryStorage storage = MemoryStorage.of(image.files());
        byte[] actual;
        try (VhdDevice device = Vhd.open(DISK, VhdOptions.readWrite().withOpener(storage))) {
            actual = TestFiles.readAll(device);
        } catch (RuntimeException e) {
            return "reopen failed: " + e;
        }
        VhdCheckReport report;
        try {
            report = Vhd.check(DISK, VhdOptions.readOnly().withOpener(storage));
        } catch (RuntimeException e) {
            return "check threw " + e;
        }
        if (!report.ok()) {
            return "check found errors: " + report.problems();
        }
        boolean returnedWritesDurable = sync == MetadataSync.PER_ALLOCATION && image.kind().keepsEveryCompletedWrite();
        String failure = expectation.verify(actual, returnedWritesDurable);
        return failure != null ? failure : writeAfterRecovery(storage, actual, sync);
    }

    /**
     * Life goes on after the crash: the recovered disk takes new writes (new blocks, where space a lost allocation
     * leaked may be reused, and partial sectors, whose unwritten part must not show stale data), and afterwards reads
     * as what it read after the crash plus them, and still checks clean.
     */
    private static String writeAfterRecovery(MemoryStorage storage, byte[] recovered, MetadataSync sync) {
        byte[] expected = recovered.clone();
        long[][] writes = {{500_000 + 1000, 50}, {600_000 + 37, 100}, {650_000, 9000}, {8192 + 7, 20}};
        try (VhdDevice device = Vhd.open(DISK, VhdOptions.readWrite().withMetadataSync(sync).withOpener(storage))) {
            for (long[] write : writes) {
                byte[] data = TestFiles.pattern(200 + write[0], write[0], (int) write[1]);
                device.write(write[0], ByteBuffer.wrap(data), IoFlags.NONE);
                System.arraycopy(data, 0, expected, (int) write[0], data.length);
            }
            device.flush();
        } catch (RuntimeException e) {
            return "writing after recovery failed: " + e;
        }
        try (VhdDevice device = Vhd.open(DISK, VhdOptions.readOnly().withOpener(storage))) {
            int mismatch = Arrays.mismatch(TestFiles.readAll(device), expected);
            if (mismatch >= 0) {
                return "after recovery and new writes, byte " + mismatch + " reads otherwise than expected ("
                        + expected[mismatch] + ")";
            }
        } catch (RuntimeException e) {
            return "reopen after writing after recovery failed: " + e;
        }
        VhdCheckReport report = Vhd.check(DISK, VhdOptions.readOnly().withOpener(storage));
        return report.ok() ? null : "after recovery and new writes, check found errors: " + report.problems();
    }

    /**
     * What a crash in one run allows each byte to read: the content as of the last durable point (the last flush that
     * returned, raised by FUA writes that returned, and with {@code returnedWritesDurable} by every write and zero that
     * returned), or any value a later step gave it, up to and including the step that hit the crash. Bytes no step
     * after the last flush touched must read the durable content; they are compared in bulk.
     */
    private static final class Expectation {
        private final Run run;
        private final int lastFlush;
        private final byte[] floor;
        /** Merged [start, end) ranges that steps after the last flush touched, in order. */
        private final List<int[]> touched = new ArrayList<>();

        Expectation(Run run) {
            this.run = run;
            int flush = -1;
            for (int i = 0; i < run.returned(); i++) {
                if (run.steps().get(i).op() instanceof Flush) {
                    flush = i;
                }
            }
            this.lastFlush = flush;
            this.floor = modelAfter(run, flush + 1);
            List<int[]> ranges = new ArrayList<>();
            for (Step step : run.steps().subList(flush + 1, run.steps().size())) {
                if (step.after() != null) {
                    ranges.add(new int[] {(int) step.offset(), (int) step.offset() + step.after().length});
                }
            }
            ranges.sort((x, y) -> Integer.compare(x[0], y[0]));
            for (int[] range : ranges) {
                if (!touched.isEmpty() && touched.getLast()[1] >= range[0]) {
                    touched.getLast()[1] = Math.max(touched.getLast()[1], range[1]);
                } else {
                    touched.add(range.clone());
                }
            }
        }

        /** Null if every byte of {@code actual} reads a value it may hold; else the first that does not. */
        String verify(byte[] actual, boolean returnedWritesDurable) {
            int from = 0;
            for (int[] range : touched) {
                String failure = compareWithFloor(actual, from, range[0]);
                if (failure != null) {
                    return failure;
                }
                from = range[1];
            }
            String failure = compareWithFloor(actual, from, actual.length);
            return failure != null ? failure : verifyTouched(actual, returnedWritesDurable);
        }

        private String compareWithFloor(byte[] actual, int from, int to) {
            int mismatch = from >= to ? -1 : Arrays.mismatch(actual, from, to, floor, from, to);
            return mismatch < 0 ? null : describeBad(actual, from + mismatch, "no step after the last flush wrote it");
        }

        private String verifyTouched(byte[] actual, boolean returnedWritesDurable) {
            boolean[] accepted = new boolean[actual.length];
            for (int[] range : touched) {
                for (int b = range[0]; b < range[1]; b++) {
                    accepted[b] = actual[b] == floor[b];
                }
            }
            List<Step> steps = run.steps();
            for (int i = lastFlush + 1; i < steps.size(); i++) {
                Step step = steps.get(i);
                if (step.after() == null) {
                    continue;
                }
                boolean trim = step.op() instanceof Trim;
                boolean durable = i < run.returned() && (step.durable() || (returnedWritesDurable && !trim));
                for (int k = 0; k < step.after().length; k++) {
                    int b = (int) step.offset() + k;
                    // A trim may leave zeros or the old content, and (see runScenario) the parent's content.
                    boolean matches = actual[b] == step.after()[k]
                            || (trim && (actual[b] == 0 || actual[b] == run.initial()[b]));
                    accepted[b] = durable ? matches : accepted[b] || matches;
                }
            }
            for (int[] range : touched) {
                for (int b = range[0]; b < range[1]; b++) {
                    if (!accepted[b]) {
                        return describeBad(actual, b, countBad(accepted) + " bytes of the written ranges wrong");
                    }
                }
            }
            return null;
        }

        private String describeBad(byte[] actual, int b, String note) {
            byte[] latest = modelAfter(run, run.returned());
            return "byte " + b + " (sector " + b / 512 + ") reads " + actual[b] + "; durable value " + floor[b]
                    + ", latest returned value " + latest[b] + "; " + note;
        }
    }

    private static int countBad(boolean[] accepted) {
        int bad = 0;
        for (boolean ok : accepted) {
            if (!ok) {
                bad++;
            }
        }
        return bad;
    }

    private static String describe(Run run, List<Op> ops) {
        if (run.returned() >= ops.size()) {
            return "all " + ops.size() + " ops returned; crash in close";
        }
        return run.returned() + " ops returned; crash in " + ops.get(run.returned());
    }

    /** Identifies an image by its disk file (a base is only read, so it is the same in every image). */
    private static String fingerprint(CrashImage image) {
        return TestFiles.sha256(image.file(DISK));
    }
}
