package org.diskfarm.bench;

import org.diskfarm.block.FileStorage;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The raw image the NBD benchmark serves: mostly data, partly sparse, like an installed system disk. The image is cut
 * into regions of 32 MiB: every fourth region (3, 7, 11, ...) is a hole (never written), regions 5, 13, 21, ... are
 * written as zeros (allocated), the others hold non-zero {@link Content}. For 1 GiB: 640 MiB of data, 128 MiB of
 * allocated zeros, 256 MiB of holes. The first 96 MiB are data, so the boot storm's first 64 MiB are all data.
 *
 * <p>Threads: runs on the calling thread.
 */
final class NbdImage {
    static final long REGION = 32L << 20;
    private static final int CHUNK = 4 << 20;

    private NbdImage() {
    }

    static SourceImage.Kind kind(long region) {
        if (region % 4 == 3) {
            return SourceImage.Kind.HOLE;
        }
        return region % 8 == 5 ? SourceImage.Kind.ZEROS : SourceImage.Kind.DATA;
    }

    /** Writes the image to {@code file} (which must not exist), flushed. */
    static void write(Path file, long size) {
        Content content = new Content(11);
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        try (FileStorage storage = FileStorage.open(file, FileStorage.Mode.CREATE_NEW)) {
            storage.truncate(size);
            for (long region = 0; region * REGION < size; region++) {
                SourceImage.Kind kind = kind(region);
                if (kind == SourceImage.Kind.HOLE) {
                    continue;
                }
                long start = region * REGION;
                long end = Math.min(size, start + REGION);
                for (long at = start; at < end; at += CHUNK) {
                    int n = (int) Math.min(CHUNK, end - at);
                    buffer.clear().limit(n);
                    if (kind == SourceImage.Kind.DATA) {
                        content.fill(at, buffer);
                    } else {
                        for (int i = 0; i < n; i++) {
                            buffer.put(i, (byte) 0);
                        }
                    }
                    storage.write(at, buffer);
                }
            }
            storage.force(false);
        }
    }

    /** Bytes of each kind in an image of {@code size} bytes: {holes, zeros, data}. */
    static long[] census(long size) {
        long[] bytes = new long[3];
        for (long region = 0; region * REGION < size; region++) {
            bytes[kind(region).ordinal()] += Math.min(REGION, size - region * REGION);
        }
        return bytes;
    }
}
