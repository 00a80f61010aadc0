package org.diskfarm.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.diskfarm.block.Extent;
import org.diskfarm.block.IoFlags;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WriteCacheTest {
    /** Not a multiple of the chunk size, so the short last chunk is exercised. */
    private static final int SIZE = (1 << 20) + 1000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void randomWritesZerosAndTrimsMatchAByteArrayModelAndLeaveTheBaseUnchanged(CacheType type) {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 64 << 10);
        byte[] original = base.copyOfData();
        byte[] model = base.copyOfData();
        Random random = new Random(42 + type.ordinal());
        try (ChunkWriteCache cache = type.create(base, dir, "model")) {
            for (int i = 0; i < 3000; i++) {
                int offset = random.nextInt(SIZE);
                int length = random.nextInt(Math.min(SIZE - offset, random.nextBoolean() ? 600 : 20000) + 1);
                switch (random.nextInt(10)) {
                    case 0, 1 -> {
                        cache.zero(offset, length, IoFlags.NONE);
                        Arrays.fill(model, offset, offset + length, (byte) 0);
                    }
                    case 2 -> {
                        cache.trim(offset, length, IoFlags.NONE);
                        restoreWholeChunks(model, original, offset, length);
                    }
                    case 3 -> assertThat(read(cache, offset, length))
                            .isEqualTo(Arrays.copyOfRange(model, offset, offset + length));
                    default -> {
                        byte[] bytes = new byte[length];
                        random.nextBytes(bytes);
                        cache.write(offset, ByteBuffer.wrap(bytes), IoFlags.NONE);
                        System.arraycopy(bytes, 0, model, offset, length);
                    }
                }
            }
            cache.flush();
            assertThat(read(cache, 0, SIZE)).isEqualTo(model);
            assertExtentsMatch(cache, model);
        }
        assertThat(base.copyOfData()).isEqualTo(original);
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void twoCachesOverTheSameBaseKeepTheirDataApartAndNeverWriteTheBase(CacheType type) {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        byte[] original = base.copyOfData();
        try (ChunkWriteCache a = type.create(base, dir, "a"); ChunkWriteCache b = type.create(base, dir, "b")) {
            a.write(1000, ByteBuffer.wrap(filled(10000, 0xAA)), IoFlags.NONE);
            b.write(5000, ByteBuffer.wrap(filled(10000, 0xBB)), IoFlags.NONE);
            a.zero(100_000, 50_000, IoFlags.NONE);

            byte[] expectA = original.clone();
            Arrays.fill(expectA, 1000, 11000, (byte) 0xAA);
            Arrays.fill(expectA, 100_000, 150_000, (byte) 0);
            byte[] expectB = original.clone();
            Arrays.fill(expectB, 5000, 15000, (byte) 0xBB);
            assertThat(read(a, 0, SIZE)).isEqualTo(expectA);
            assertThat(read(b, 0, SIZE)).isEqualTo(expectB);
        }
        assertThat(base.copyOfData()).isEqualTo(original);
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void sixteenThreadsWritingAtDifferentOffsetsKeepEveryWrite(CacheType type) throws Exception {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        int slice = SIZE / 16;
        try (ChunkWriteCache cache = type.create(base, dir, "threads");
                ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    // Unaligned pieces, so neighbouring threads share chunks at the slice borders.
                    for (int pos = thread * slice + 1; pos + 333 <= (thread + 1) * slice; pos += 333) {
                        cache.write(pos, ByteBuffer.wrap(filled(333, thread + 1)), IoFlags.NONE);
                        assertThat(read(cache, pos, 333)).isEqualTo(filled(333, thread + 1));
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            byte[] expected = base.copyOfData();
            for (int t = 0; t < 16; t++) {
                for (int pos = t * slice + 1; pos + 333 <= (t + 1) * slice; pos += 333) {
                    Arrays.fill(expected, pos, pos + 333, (byte) (t + 1));
                }
            }
            assertThat(read(cache, 0, SIZE)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void sixteenThreadsDoingRandomWritesZerosAndTrimsInUnalignedRegionsKeepEveryByte(CacheType type)
            throws Exception {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        byte[] original = base.copyOfData();
        int slice = SIZE / 16; // not a multiple of 4 KiB: neighbours share a chunk at every border
        try (ChunkWriteCache cache = type.create(base, dir, "random-threads");
                ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<byte[]>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int regionStart = t * slice;
                int regionEnd = t == 15 ? SIZE : regionStart + slice;
                Random random = new Random(t);
                futures.add(pool.submit(() -> {
                    byte[] model = original.clone();
                    for (int i = 0; i < 200; i++) {
                        int offset = regionStart + random.nextInt(regionEnd - regionStart);
                        int length = random.nextInt(Math.min(regionEnd - offset, 9000) + 1);
                        switch (random.nextInt(6)) {
                            case 0 -> {
                                cache.zero(offset, length, IoFlags.NONE);
                                Arrays.fill(model, offset, offset + length, (byte) 0);
                            }
                            case 1 -> {
                                cache.trim(offset, length, IoFlags.NONE);
                                restoreWholeChunks(model, original, offset, length);
                            }
                            default -> {
                                byte[] bytes = new byte[length];
                                random.nextBytes(bytes);
                                cache.write(offset, ByteBuffer.wrap(bytes), IoFlags.NONE);
                                System.arraycopy(bytes, 0, model, offset, length);
                            }
                        }
                        assertThat(read(cache, regionStart, regionEnd - regionStart))
                                .isEqualTo(Arrays.copyOfRange(model, regionStart, regionEnd));
                    }
                    return Arrays.copyOfRange(model, regionStart, regionEnd);
                }));
            }
            byte[] expected = new byte[SIZE];
            for (int t = 0; t < 16; t++) {
                byte[] region = futures.get(t).get();
                System.arraycopy(region, 0, expected, t * slice, region.length);
            }
            assertThat(read(cache, 0, SIZE)).isEqualTo(expected);
        }
        assertThat(base.copyOfData()).isEqualTo(original);
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void zeroOfALongUnalignedRangeReadsAsZerosAndStoresOnlyItsEdgeChunks(CacheType type) {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        try (ChunkWriteCache cache = type.create(base, dir, "zeros")) {
            cache.zero(1000, SIZE - 2000, IoFlags.NONE);
            cache.zero(500, SIZE - 1000, IoFlags.NONE); // edges in chunks already held

            byte[] expected = base.copyOfData();
            Arrays.fill(expected, 500, SIZE - 500, (byte) 0);
            assertThat(read(cache, 0, SIZE)).isEqualTo(expected);
            assertThat(cache.usedBytes()).isEqualTo(2 * 4096);
        }
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void twoThreadsFillingHalvesOfTheSameNewChunksAtOnceLoseNeitherHalf(CacheType type) throws Exception {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        int chunks = 200;
        try (ChunkWriteCache cache = type.create(base, dir, "halves");
                ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<?> low = pool.submit(() -> {
                for (int c = 0; c < chunks; c++) {
                    cache.write(c * 4096L, ByteBuffer.wrap(filled(100, 1)), IoFlags.NONE);
                }
            });
            Future<?> high = pool.submit(() -> {
                for (int c = 0; c < chunks; c++) {
                    cache.write(c * 4096L + 3000, ByteBuffer.wrap(filled(100, 2)), IoFlags.NONE);
                }
            });
            low.get();
            high.get();

            byte[] expected = base.copyOfData();
            for (int c = 0; c < chunks; c++) {
                Arrays.fill(expected, c * 4096, c * 4096 + 100, (byte) 1);
                Arrays.fill(expected, c * 4096 + 3000, c * 4096 + 3100, (byte) 2);
            }
            assertThat(read(cache, 0, SIZE)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void discardMakesTheDeviceReadAsTheBaseAgain(CacheType type) {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        try (ChunkWriteCache cache = type.create(base, dir, "boot")) {
            cache.write(0, ByteBuffer.wrap(filled(300_000, 7)), IoFlags.NONE);
            cache.zero(400_000, 100_000, IoFlags.NONE);
            assertThat(cache.usedBytes()).isPositive();

            cache.discard();

            assertThat(read(cache, 0, SIZE)).isEqualTo(base.copyOfData());
            assertThat(cache.usedBytes()).isZero();
            assertThat(cache.extents(0, SIZE)).containsExactly(Extent.data(0, SIZE));
            if (type != CacheType.RAM) {
                assertThat(Files.exists(dir.resolve("boot.vhd"))).isFalse();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void extentsReportCachedDataAsAllocatedOverTheBaseExtents(CacheType type) {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 64 << 10); // a 64 KiB hole, then data
        try (ChunkWriteCache cache = type.create(base, dir, "extents")) {
            cache.write(8192, ByteBuffer.wrap(filled(4096, 1)), IoFlags.NONE);
            cache.zero(128 << 10, 8192, IoFlags.NONE);

            assertThat(cache.extents(0, SIZE)).containsExactly(
                    Extent.hole(0, 8192),
                    Extent.data(8192, 4096),
                    Extent.hole(12288, (64 << 10) - 12288),
                    Extent.data(64 << 10, 64 << 10),
                    new Extent(128 << 10, 8192, true, true),
                    Extent.data((128 << 10) + 8192, SIZE - (128 << 10) - 8192));
        }
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void extentsOfARangeBrokenIntoThousandsOfPiecesEndEarlyAndContinueWhereTheyEnded(CacheType type) {
        int size = 10 << 20;
        ReadOnlyBase base = ReadOnlyBase.patterned(size, 0);
        try (ChunkWriteCache cache = type.create(base, dir, "many-extents")) {
            for (long pos = 0; pos < size; pos += 8192) {
                cache.write(pos, ByteBuffer.wrap(filled(10, 1)), IoFlags.NONE);
                cache.zero(pos + 4096, 4096, IoFlags.NONE);
            }
            List<Extent> first = cache.extents(0, size);
            assertThat(first).hasSizeLessThanOrEqualTo(WriteCache.MAX_EXTENTS);
            assertThat(first.getLast().end()).isLessThan(size);

            long pos = 0;
            int zeroExtents = 0;
            while (pos < size) {
                for (Extent e : cache.extents(pos, size - pos)) {
                    assertThat(e.offset()).isEqualTo(pos);
                    assertThat(e.length()).isEqualTo(4096);
                    assertThat(e.zero()).isEqualTo(e.offset() % 8192 != 0);
                    zeroExtents += e.zero() ? 1 : 0;
                    pos = e.end();
                }
            }
            assertThat(zeroExtents).isEqualTo(size / 8192);
        }
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void trimmedChunksReadFromTheBaseAgainAndFreeTheirSpace(CacheType type) {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        try (ChunkWriteCache cache = type.create(base, dir, "trim")) {
            cache.write(0, ByteBuffer.wrap(filled(5 * 4096, 9)), IoFlags.NONE);
            cache.trim(100, 3 * 4096, IoFlags.NONE); // wholly covers chunks 1 and 2 only

            byte[] expected = filled(5 * 4096, 9);
            System.arraycopy(base.copyOfData(), 4096, expected, 4096, 2 * 4096);
            assertThat(read(cache, 0, 5 * 4096)).isEqualTo(expected);
            assertThat(cache.usedBytes()).isEqualTo(3 * 4096);
        }
    }

    @ParameterizedTest
    @EnumSource(CacheType.class)
    void partialWriteFillsTheRestOfItsChunkFromTheBase(CacheType type) {
        ReadOnlyBase base = ReadOnlyBase.patterned(SIZE, 0);
        try (ChunkWriteCache cache = type.create(base, dir, "partial")) {
            cache.write(4096 + 10, ByteBuffer.wrap(filled(5, 3)), IoFlags.NONE);
            cache.write(SIZE - 7, ByteBuffer.wrap(filled(7, 4)), IoFlags.NONE); // the short last chunk

            byte[] expected = base.copyOfData();
            Arrays.fill(expected, 4106, 4111, (byte) 3);
            Arrays.fill(expected, SIZE - 7, SIZE, (byte) 4);
            assertThat(read(cache, 0, SIZE)).isEqualTo(expected);
            assertThat(cache.usedBytes()).isEqualTo(2 * 4096);
        }
    }

    static byte[] read(ChunkWriteCache cache, long offset, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        cache.read(offset, buffer);
        assertThat(buffer.hasRemaining()).isFalse();
        return buffer.array();
    }

    static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    /** What a trim does in the model: chunks the range wholly covers read from the base again. */
    private static void restoreWholeChunks(byte[] model, byte[] original, int offset, int length) {
        int end = offset + length;
        for (int chunk = offset / 4096; (long) chunk * 4096 < end; chunk++) {
            int start = chunk * 4096;
            int chunkEnd = Math.min(start + 4096, model.length);
            if (start >= offset && chunkEnd <= end) {
                System.arraycopy(original, start, model, start, chunkEnd - start);
            }
        }
    }

    /** Extents cover the device without gaps, and every extent said to be zero reads as zeros. */
    private static void assertExtentsMatch(ChunkWriteCache cache, byte[] model) {
        long pos = 0;
        while (pos < model.length) {
            List<Extent> extents = cache.extents(pos, model.length - pos);
            assertThat(extents).isNotEmpty();
            for (Extent e : extents) {
                assertThat(e.offset()).isEqualTo(pos);
                if (e.zero()) {
                    byte[] bytes = Arrays.copyOfRange(model, (int) e.offset(), (int) e.end());
                    assertThat(bytes).containsOnly(0);
                }
                pos = e.end();
            }
        }
    }
}
