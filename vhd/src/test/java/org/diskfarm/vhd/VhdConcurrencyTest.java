package org.diskfarm.vhd;

import org.diskfarm.block.IoFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** A VhdDevice says it is concurrent: many readers at once, and writers to different places at once. */
class VhdConcurrencyTest {
    private static final int BLOCK = 64 << 10;
    private static final int SIZE = 64 * BLOCK;

    @TempDir
    Path dir;

    /** Content that depends only on the position, so any reader can check any range. */
    private static byte patternAt(long position) {
        return (byte) (position * 31 + (position >>> 9) * 7 + 1);
    }

    private static ByteBuffer pattern(long offset, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        for (int i = 0; i < length; i++) {
            buffer.put(i, patternAt(offset + i));
        }
        return buffer;
    }

    @Test
    void concurrentReadersOfADifferencingChainAllSeeTheContent() throws Exception {
        Path base = dir.resolve("base.vhd");
        try (VhdDevice device = Vhd.create(base, VhdSpec.dynamic(SIZE).withBlockSize(BLOCK))) {
            // Even blocks in the base, odd ones in the child, half-blocks left to zero in both.
            for (int b = 0; b < 64; b += 2) {
                device.write((long) b * BLOCK, pattern((long) b * BLOCK, BLOCK / 2), IoFlags.NONE);
            }
        }
        Path child = dir.resolve("child.vhd");
        try (VhdDevice device = Vhd.create(child, VhdSpec.differencing(base))) {
            for (int b = 1; b < 64; b += 2) {
                device.write((long) b * BLOCK, pattern((long) b * BLOCK, BLOCK / 2), IoFlags.NONE);
            }
        }
        try (VhdDevice device = Vhd.open(child, false); ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                readers.add(pool.submit(() -> readAndCheck(device, new Random(seed), 300)));
            }
            for (Future<?> reader : readers) {
                reader.get();
            }
        }
    }

    private static void readAndCheck(VhdDevice device, Random random, int reads) {
        for (int i = 0; i < reads; i++) {
            long offset = random.nextInt(SIZE);
            int length = random.nextInt((int) Math.min(SIZE - offset, 3 * BLOCK) + 1);
            ByteBuffer got = ByteBuffer.allocate(length);
            device.read(offset, got);
            for (int j = 0; j < length; j++) {
                long at = offset + j;
                byte expected = at % BLOCK < BLOCK / 2 ? patternAt(at) : 0;
                if (got.get(j) != expected) {
                    throw new AssertionError("byte " + at + " read " + got.get(j) + ", expected " + expected);
                }
            }
        }
    }

    @Test
    void concurrentWritersToDifferentBlocksAllLand() throws Exception {
        Path file = dir.resolve("disk.vhd");
        try (VhdDevice device = Vhd.create(file, VhdSpec.dynamic(SIZE).withBlockSize(BLOCK));
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    // Thread t owns every 8th sector-aligned 4 KiB piece, so pieces of one block race for allocation.
                    for (long at = thread * 4096L; at < SIZE; at += 8 * 4096L) {
                        device.write(at, pattern(at, 4096), IoFlags.NONE);
                    }
                }));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
            device.flush();
        }
        assertThat(Vhd.check(file).problems()).isEmpty();
        try (VhdDevice device = Vhd.open(file, false)) {
            ByteBuffer all = ByteBuffer.allocate(SIZE);
            device.read(0, all);
            assertThat(all.array()).isEqualTo(pattern(0, SIZE).array());
            assertThat(device.info().allocatedBytes()).isEqualTo(SIZE);
        }
    }
}
