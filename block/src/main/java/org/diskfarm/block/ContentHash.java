package org.diskfarm.block;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * The content hash of a {@link BlockDevice}: a digest of the bytes the device reads, whatever stores them. A raw file,
 * a fixed, dynamic or differencing VHD and a memory device with the same bytes have the same hash, so replication can
 * check a copy against its original and {@code vdisk export} against its vDisk.
 *
 * <p>Definition (version 1, text form {@code sha256:<64 hex digits>}):
 * <ol>
 *   <li>split the device into chunks of {@value #CHUNK} bytes (1 MiB); the last chunk may be shorter;</li>
 *   <li>chunk hash = SHA-256 of the chunk's bytes;</li>
 *   <li>content hash = SHA-256 of the device size as 8 bytes big-endian, followed by every chunk hash in order.</li>
 * </ol>
 * Holes cost nothing: a chunk that lies wholly inside extents the device reports as zero is not read; its hash is the
 * precomputed hash of a zero chunk of its length. A chunk that is read and turns out all zeros takes the same shortcut.
 *
 * <p>Threads: {@link #of} reads and hashes with up to {@link #parallelism()} virtual threads when the device
 * {@link BlockDevice#isConcurrent() is concurrent}, else on the calling thread. Instances are immutable.
 */
public final class ContentHash {
    /** Bytes per chunk. Part of the definition: changing it changes every hash. */
    public static final int CHUNK = 1 << 20;
    /** The prefix of the text form. */
    public static final String PREFIX = "sha256:";

    private static final int DIGEST_BYTES = 32;
    /** Chunks per round: each round queries extents once, hashes its chunks in parallel, then feeds them in order. */
    private static final int CHUNKS_PER_ROUND = 64;
    private static final byte[] ZERO_CHUNK_HASH = sha256().digest(new byte[CHUNK]);

    private final byte[] digest;

    private ContentHash(byte[] digest) {
        this.digest = digest;
    }

    /** Hashes the whole device. */
    public static ContentHash of(BlockDevice device) {
        return of(device, done -> { });
    }

    /**
     * Hashes the whole device, calling {@code progress} with the number of bytes done (from 0 to the size) after
     * every round of chunks, on the calling thread.
     */
    public static ContentHash of(BlockDevice device, LongConsumer progress) {
        int threads = device.isConcurrent() ? parallelism() : 1;
        long size = device.size();
        MessageDigest outer = sha256();
        outer.update(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.BIG_ENDIAN).putLong(0, size));
        try (ExecutorService pool = threads > 1 ? Executors.newVirtualThreadPerTaskExecutor() : null) {
            for (long start = 0; start < size; ) {
                long end = Math.min(size, start + (long) CHUNKS_PER_ROUND * CHUNK);
                for (byte[] chunkHash : hashRound(device, start, end, pool, threads)) {
                    outer.update(chunkHash);
                }
                start = end;
                progress.accept(start);
            }
        }
        return new ContentHash(outer.digest());
    }

    /** Parses the text form {@code sha256:<64 hex digits>} (lower or upper case). */
    public static ContentHash parse(String text) {
        if (text == null || !text.startsWith(PREFIX) || text.length() != PREFIX.length() + 2 * DIGEST_BYTES) {
            throw new IllegalArgumentException("not a content hash (sha256:<64 hex digits>): " + text);
        }
        try {
            return new ContentHash(HexFormat.of().parseHex(text, PREFIX.length(), text.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a content hash (sha256:<64 hex digits>): " + text, e);
        }
    }

    /** Threads used for a concurrent device: the processors, at most 4. */
    public static int parallelism() {
        return Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4);
    }

    /** The 32 digest bytes (a copy). */
    public byte[] bytes() {
        return digest.clone();
    }

    /** The text form, {@code sha256:<64 lower-case hex digits>}. */
    @Override
    public String toString() {
        return PREFIX + HexFormat.of().formatHex(digest);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ContentHash that && Arrays.equals(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest);
    }

    /** The chunk hashes of {@code [start, end)}, which starts on a chunk boundary, in order. */
    private static List<byte[]> hashRound(BlockDevice device, long start, long end, ExecutorService pool,
                                          int threads) {
        List<long[]> zeroRanges = zeroRanges(device, start, end);
        int chunks = (int) ((end - start + CHUNK - 1) / CHUNK);
        byte[][] hashes = new byte[chunks][];
        if (pool == null) {
            hashStripe(device, start, end, zeroRanges, hashes, 0, 1);
        } else {
            List<Future<?>> stripes = new ArrayList<>(threads);
            for (int stripe = 0; stripe < threads; stripe++) {
                int first = stripe;
                stripes.add(pool.submit(() -> hashStripe(device, start, end, zeroRanges, hashes, first, threads)));
            }
            awaitAll(stripes);
        }
        return Arrays.asList(hashes);
    }

    /** Hashes chunks {@code first, first + step, ...} of the round into {@code hashes}. */
    private static void hashStripe(BlockDevice device, long start, long end, List<long[]> zeroRanges,
                                   byte[][] hashes, int first, int step) {
        MessageDigest digest = sha256();
        ByteBuffer buffer = null;
        for (int i = first; i < hashes.length; i += step) {
            long offset = start + (long) i * CHUNK;
            int length = (int) Math.min(CHUNK, end - offset);
            if (covered(zeroRanges, offset, offset + length)) {
                hashes[i] = zeroChunkHash(length);
                continue;
            }
            if (buffer == null) {
                buffer = ByteBuffer.allocate(CHUNK);
            }
            buffer.clear().limit(length);
            device.read(offset, buffer);
            buffer.flip();
            if (Zeros.isAllZero(buffer)) {
                hashes[i] = zeroChunkHash(length);
            } else {
                digest.update(buffer.array(), 0, length);
                hashes[i] = digest.digest();
            }
        }
    }

    /** The ranges of {@code [start, end)} the device reports as reading zeros, merged, in order. */
    private static List<long[]> zeroRanges(BlockDevice device, long start, long end) {
        List<long[]> ranges = new ArrayList<>();
        for (long position = start; position < end; ) {
            List<Extent> extents = device.extents(position, end - position);
            if (extents.isEmpty()) {
                break;
            }
            for (Extent extent : extents) {
                if (!extent.zero()) {
                    continue;
                }
                long[] last = ranges.isEmpty() ? null : ranges.getLast();
                if (last != null && last[1] == extent.offset()) {
                    last[1] = extent.end();
                } else {
                    ranges.add(new long[] {extent.offset(), extent.end()});
                }
            }
            position = extents.getLast().end();
        }
        return ranges;
    }

    private static boolean covered(List<long[]> ranges, long from, long to) {
        for (long[] range : ranges) {
            if (range[0] <= from && to <= range[1]) {
                return true;
            }
        }
        return false;
    }

    private static byte[] zeroChunkHash(int length) {
        return length == CHUNK ? ZERO_CHUNK_HASH : sha256().digest(new byte[length]);
    }

    private static void awaitAll(List<Future<?>> futures) {
        try {
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            futures.forEach(f -> f.cancel(true));
            throw new StorageException(StorageException.Kind.IO_ERROR, "content hash interrupted", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
