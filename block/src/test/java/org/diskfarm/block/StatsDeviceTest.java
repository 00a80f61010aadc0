package org.diskfarm.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link StatsDevice} counts, and that it changes nothing it passes on. */
class StatsDeviceTest {
    private static final int SIZE = 1 << 20;
    private static final int NBD_ZERO_COPY_MIN = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void readsWritesFlushesTrimsAndZeroesAreCountedOnceWithTheirBytes() {
        MemoryDevice memory = MemoryDevice.of(SIZE);
        IoStats stats = new IoStats();
        StatsDevice device = new StatsDevice(memory, stats, 0);

        byte[] data = pattern(4096, 7);
        ByteBuffer src = ByteBuffer.wrap(data);
        device.write(8192, src, IoFlags.NONE);
        assertThat(src.hasRemaining()).isFalse();
        ByteBuffer dst = ByteBuffer.allocate(1000);
        device.read(8192 + 10, dst);
        assertThat(dst.hasRemaining()).isFalse();
        assertThat(dst.array()).isEqualTo(Arrays.copyOfRange(data, 10, 1010));
        device.read(0, ByteBuffer.allocate(512));
        device.flush();
        device.trim(0, 4096, IoFlags.NONE);
        device.zero(65536, 12345, IoFlags.NONE);
        device.extents(0, SIZE);

        assertThat(stats.reads()).isEqualTo(2);
        assertThat(stats.bytesRead()).isEqualTo(1512);
        assertThat(stats.writes()).isEqualTo(1);
        assertThat(stats.bytesWritten()).isEqualTo(4096);
        assertThat(stats.flushes()).isEqualTo(1);
        assertThat(stats.trims()).isEqualTo(1);
        assertThat(stats.bytesTrimmed()).isEqualTo(4096);
        assertThat(stats.zeroes()).isEqualTo(1);
        assertThat(stats.bytesZeroed()).isEqualTo(12345);
        assertThat(stats.errors()).isZero();
    }

    @Test
    void propertiesAndSpansOfTheDeviceBelowPassUnchanged() throws IOException {
        Path file = rawFile(SIZE);
        try (RawFileDevice raw = RawFileDevice.open(file, true)) {
            StatsDevice device = new StatsDevice(raw, new IoStats(), 1);
            assertThat(device.size()).isEqualTo(raw.size());
            assertThat(device.logicalBlockSize()).isEqualTo(raw.logicalBlockSize());
            assertThat(device.limits()).isEqualTo(raw.limits());
            assertThat(device.canWrite()).isEqualTo(raw.canWrite());
            assertThat(device.canTrim()).isEqualTo(raw.canTrim());
            assertThat(device.trimReadsZero()).isEqualTo(raw.trimReadsZero());
            assertThat(device.canFastZero()).isEqualTo(raw.canFastZero());
            assertThat(device.isConcurrent()).isEqualTo(raw.isConcurrent());
            assertThat(device.extents(0, SIZE)).isEqualTo(raw.extents(0, SIZE));
            assertThat(device.fileSpan(4096, 1)).isEqualTo(raw.fileSpan(4096, 1));
            assertThat(device.fileSpan(4096, 200_000)).isEqualTo(raw.fileSpan(4096, 200_000));
        }
    }

    @Test
    void aFileSpanCountsOneReadOfItsBytesAndASpanOutsideAFileCountsNothing() throws IOException {
        IoStats stats = new IoStats();
        try (RawFileDevice raw = RawFileDevice.open(rawFile(SIZE), false)) {
            StatsDevice device = new StatsDevice(raw, stats, NBD_ZERO_COPY_MIN);
            FileSpan span = device.fileSpan(0, 128 << 10);
            assertThat(span).isEqualTo(raw.fileSpan(0, 128 << 10));
            assertThat(stats.reads()).isEqualTo(1);
            assertThat(stats.bytesRead()).isEqualTo(128 << 10);
        }
        StatsDevice memory = new StatsDevice(MemoryDevice.of(SIZE), stats, NBD_ZERO_COPY_MIN);
        assertThat(memory.fileSpan(0, 128 << 10)).isEqualTo(FileSpan.notInFile(128 << 10));
        assertThat(stats.reads()).isEqualTo(1);
        assertThat(stats.bytesRead()).isEqualTo(128 << 10);
    }

    @Test
    void aFileSpanShorterThanTheZeroCopyThresholdIsHandedOutAsNotInAFileAndCountsNothing() throws IOException {
        IoStats stats = new IoStats();
        try (RawFileDevice raw = RawFileDevice.open(rawFile(SIZE), false)) {
            StatsDevice device = new StatsDevice(raw, stats, NBD_ZERO_COPY_MIN);
            assertThat(device.fileSpan(0, NBD_ZERO_COPY_MIN - 1)).isEqualTo(FileSpan.notInFile(NBD_ZERO_COPY_MIN - 1));
            assertThat(stats.reads()).isZero();
            assertThat(device.fileSpan(0, NBD_ZERO_COPY_MIN).isInFile()).isTrue();
            assertThat(stats.bytesRead()).isEqualTo(NBD_ZERO_COPY_MIN);
        }
    }

    /**
     * A client READ served as NBD serves it, over a device whose data lies in pieces of every size, some in the file
     * and some not: every byte is counted exactly once, whether sent from the file or copied, and the bytes are right.
     */
    @Test
    void readsServedAsNbdServesThemCountEveryByteOnce() throws IOException {
        Path file = rawFile(SIZE);
        byte[] content = Files.readAllBytes(file);
        IoStats stats = new IoStats();
        Random random = new Random(42);
        try (RawFileDevice raw = RawFileDevice.open(file, false)) {
            StatsDevice device = new StatsDevice(new Pieces(raw), stats, NBD_ZERO_COPY_MIN);
            long expectedBytes = 0;
            for (int i = 0; i < 300; i++) {
                int length = 1 + random.nextInt(i % 3 == 0 ? 4096 : 512 << 10);
                int offset = random.nextInt(SIZE - length + 1);
                long before = stats.bytesRead();
                NbdLikeReply reply = NbdLikeReply.serve(device, offset, length, NBD_ZERO_COPY_MIN);
                assertThat(reply.bytes).as("request %d at %d length %d", i, offset, length)
                        .isEqualTo(Arrays.copyOfRange(content, offset, offset + length));
                assertThat(stats.bytesRead() - before).as("bytes counted for request %d", i).isEqualTo(length);
                expectedBytes += length;
            }
            assertThat(stats.bytesRead()).isEqualTo(expectedBytes);
            assertThat(stats.errors()).isZero();
        }
    }

    /** One operation per read() call and per file span sent: a request whose data lies in one file span counts one. */
    @Test
    void aReadFromOneFileSpanCountsOneOperation() throws IOException {
        IoStats stats = new IoStats();
        try (RawFileDevice raw = RawFileDevice.open(rawFile(SIZE), false)) {
            StatsDevice device = new StatsDevice(raw, stats, NBD_ZERO_COPY_MIN);
            NbdLikeReply.serve(device, 0, 512 << 10, NBD_ZERO_COPY_MIN); // sent from the file
            NbdLikeReply.serve(device, 4096, 4096, NBD_ZERO_COPY_MIN); // copied
            assertThat(stats.reads()).isEqualTo(2);
            assertThat(stats.bytesRead()).isEqualTo((512 << 10) + 4096);
        }
    }

    @Test
    void aFailureCountsOneErrorNothingElseAndIsRethrownUnchanged() {
        StorageException failure = new StorageException(StorageException.Kind.IO_ERROR, "disk.vhd: the disk failed");
        IoStats stats = new IoStats();
        StatsDevice device = new StatsDevice(new Failing(MemoryDevice.of(SIZE), failure), stats, 0);
        List<Runnable> calls = List.of(
                () -> device.read(0, ByteBuffer.allocate(512)),
                () -> device.write(0, ByteBuffer.allocate(512), IoFlags.NONE),
                device::flush,
                () -> device.trim(0, 512, IoFlags.NONE),
                () -> device.zero(0, 512, IoFlags.NONE),
                () -> device.extents(0, 512),
                () -> device.fileSpan(0, 512),
                device::close);
        for (Runnable call : calls) {
            assertThatThrownBy(call::run).isSameAs(failure);
        }
        assertThat(stats.errors()).isEqualTo(calls.size());
        assertThat(List.of(stats.reads(), stats.bytesRead(), stats.writes(), stats.bytesWritten(), stats.flushes(),
                stats.trims(), stats.zeroes())).containsOnly(0L);
    }

    @Test
    void checksOfTheDeviceBelowCountAsErrorsToo() throws IOException {
        IoStats stats = new IoStats();
        RawFileDevice raw = RawFileDevice.open(rawFile(SIZE), false);
        StatsDevice device = new StatsDevice(raw, stats, 0);
        assertKind(() -> device.read(SIZE, ByteBuffer.allocate(1)), StorageException.Kind.OUT_OF_RANGE);
        assertKind(() -> device.write(0, ByteBuffer.allocate(1), IoFlags.NONE), StorageException.Kind.READ_ONLY);
        device.close();
        assertKind(() -> device.fileSpan(0, 512), StorageException.Kind.CLOSED);
        assertThat(stats.errors()).isEqualTo(3);
        assertThat(stats.reads()).isZero();
        assertThat(stats.writes()).isZero();
    }

    @Test
    void aNegativeThresholdIsRefused() {
        assertThatThrownBy(() -> new StatsDevice(MemoryDevice.of(512), new IoStats(), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertKind(Runnable call, StorageException.Kind kind) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(kind));
    }

    private Path rawFile(int size) throws IOException {
        Path file = dir.resolve("raw-" + size + ".img");
        if (!Files.exists(file)) {
            Files.write(file, pattern(size, 13));
        }
        return file;
    }

    private static byte[] pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * The raw file cut into pieces as a dynamic VHD or a write cache cuts it: lengths from a few bytes to hundreds of
     * KiB, every third piece not in a file (read instead), the rest in the file.
     */
    private static final class Pieces extends ForwardingBlockDevice {
        private static final int[] LENGTHS = {4096, 131072, 512, 70000, 65536, 1000, 200_000, 65535, 300_000};

        Pieces(BlockDevice delegate) {
            super(delegate);
        }

        @Override
        public FileSpan fileSpan(long offset, long length) {
            long start = 0;
            for (int i = 0; ; i++) {
                long end = start + LENGTHS[i % LENGTHS.length];
                if (offset < end) {
                    long n = Math.min(length, end - offset);
                    FileSpan below = delegate.fileSpan(offset, n);
                    return i % 3 == 2 ? FileSpan.notInFile(n) : below;
                }
                start = end;
            }
        }
    }

    /** Throws the same exception from every call. */
    private static final class Failing extends ForwardingBlockDevice {
        private final StorageException failure;

        Failing(BlockDevice delegate, StorageException failure) {
            super(delegate);
            this.failure = failure;
        }

        @Override
        public void read(long offset, ByteBuffer dst) {
            throw failure;
        }

        @Override
        public void write(long offset, ByteBuffer src, IoFlags flags) {
            throw failure;
        }

        @Override
        public void flush() {
            throw failure;
        }

        @Override
        public void trim(long offset, long length, IoFlags flags) {
            throw failure;
        }

        @Override
        public void zero(long offset, long length, IoFlags flags) {
            throw failure;
        }

        @Override
        public List<Extent> extents(long offset, long length) {
            throw failure;
        }

        @Override
        public FileSpan fileSpan(long offset, long length) {
            throw failure;
        }

        @Override
        public void close() {
            throw failure;
        }
    }

    /**
     * The data of one READ as {@code org.diskfarm.nbd.NbdReadReply.data} gathers it (kept in step with it by hand; the
     * nbd module is above this one): short reads copied; longer ones asked span by span, file spans of at least the
     * threshold "sent" (here read from the channel at their position), everything else copied in merged runs.
     */
    private static final class NbdLikeReply {
        final byte[] bytes;
        private int filled;

        private NbdLikeReply(int length) {
            bytes = new byte[length];
        }

        static NbdLikeReply serve(BlockDevice device, long offset, int length, int zeroCopyMin) {
            NbdLikeReply reply = new NbdLikeReply(length);
            if (length < zeroCopyMin) {
                reply.copy(device, offset, length);
                return reply;
            }
            long end = offset + length;
            long copyFrom = -1;
            for (long pos = offset; pos < end; ) {
                FileSpan span = device.fileSpan(pos, end - pos);
                long n = Math.min(span.length(), end - pos);
                if (span.isInFile() && n >= zeroCopyMin) {
                    if (copyFrom >= 0) {
                        reply.copy(device, copyFrom, (int) (pos - copyFrom));
                        copyFrom = -1;
                    }
                    reply.send(span.limit(n));
                } else if (copyFrom < 0) {
                    copyFrom = pos;
                }
                pos += n;
            }
            if (copyFrom >= 0) {
                reply.copy(device, copyFrom, (int) (end - copyFrom));
            }
            assertThat(reply.filled).isEqualTo(length);
            return reply;
        }

        private void copy(BlockDevice device, long offset, int length) {
            device.read(offset, ByteBuffer.wrap(bytes, filled, length));
            filled += length;
        }

        private void send(FileSpan span) {
            ByteBuffer into = ByteBuffer.wrap(bytes, filled, (int) span.length());
            try {
                while (into.hasRemaining()) {
                    int n = span.channel().read(into, span.position() + (into.position() - filled));
                    if (n < 0) {
                        throw new IOException("end of file inside a span");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            filled += (int) span.length();
        }
    }
}
