package org.diskfarm.bench;

import org.diskfarm.block.FileStorage;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The raw image the import benchmark copies: half holes, like a freshly installed master image. The image is cut into
 * regions of 64 MiB; odd regions are holes (never written, so the file is sparse), every fourth even region is written
 * as zeros (allocated, to exercise zero detection), the other even regions hold data whose last 1 MiB is zeros (a zero
 * run inside data). For a 4 GiB image: 2 GiB of holes, 512 MiB of allocated zeros, 1.5 GiB of data.
 *
 * <p>Threads: runs on the calling thread.
 */
final class SourceImage {
    static final long REGION = 64L << 20;
    private static final int CHUNK = 4 << 20;
    private static final int TAIL_ZEROS = 1 << 20;

    private SourceImage() {
    }

    enum Kind { HOLE, ZEROS, DATA }

    static Kind kind(long region) {
        if (region % 2 == 1) {
            return Kind.HOLE;
        }
        return region % 8 == 2 ? Kind.ZEROS : Kind.DATA;
    }

    /** Writes the image to {@code file} (which must not exist), flushed. */
    static void write(Path file, long size) {
        Content content = new Content(7);
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        try (FileStorage storage = FileStorage.open(file, FileStorage.Mode.CREATE_NEW)) {
            storage.truncate(size);
            for (long region = 0; region * REGION < size; region++) {
                Kind kind = kind(region);
                if (kind == Kind.HOLE) {
                    continue;
                }
                long start = region * REGION;
                long end = Math.min(size, start + REGION);
                for (long at = start; at < end; at += CHUNK) {
                    int n = (int) Math.min(CHUNK, end - at);
                    buffer.clear().limit(n);
                    if (kind == Kind.DATA) {
                        content.fill(at, buffer);
                        zeroTail(buffer, at, end);
                    } else {
                        zeroFill(buffer);
                    }
                    storage.write(at, buffer);
                }
            }
            storage.force(false);
        }
    }

    /** Zeros the part of {@code buffer} (holding {@code [at, at + remaining)}) that lies in the region's last 1 MiB. */
    private static void zeroTail(ByteBuffer buffer, long at, long regionEnd) {
        long zerosFrom = regionEnd - TAIL_ZEROS;
        for (long i = Math.max(at, zerosFrom); i < at + buffer.remaining(); i++) {
            buffer.put((int) (i - at), (byte) 0);
        }
    }

    private static void zeroFill(ByteBuffer buffer) {
        for (int i = 0; i < buffer.limit(); i++) {
            buffer.put(i, (byte) 0);
        }
    }

    /** Bytes of each kind in an image of {@code size} bytes: {holes, zeros, data}. */
    static long[] census(long size) {
        long[] bytes = new long[3];
        for (long region = 0; region * REGION < size; region++) {
            long length = Math.min(REGION, size - region * REGION);
            bytes[kind(region).ordinal()] += length;
        }
        return bytes;
    }
}
