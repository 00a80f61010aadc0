package org.diskfarm.block;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Copies one device onto another at least as large, leaving out what reads as zeros: holes the source reports, and
 * runs of zero bytes found in its data. This is how a master image is captured into a dynamic vDisk without storing
 * its empty space, and how a vDisk is exported to a sparse raw file.
 *
 * <p>Threads: one copy runs on the calling thread.
 */
public final class DeviceCopy {
    /** How much is read at once. */
    static final int CHUNK = 4 << 20;
    /** The grain of zero detection: a run of this many zero bytes is not written. */
    static final int GRAIN = 64 << 10;
    private static final long EXTENT_QUERY = 1L << 30;

    private final BlockDevice source;
    private final BlockDevice target;
    private boolean targetReadsZero = true;
    private LongConsumer progress = done -> { };

    private DeviceCopy(BlockDevice source, BlockDevice target) {
        if (source.size() > target.size()) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT,
                    "cannot copy " + source.size() + " bytes onto a device of " + target.size() + " bytes");
        }
        this.source = source;
        this.target = target;
    }

    public static DeviceCopy of(BlockDevice source, BlockDevice target) {
        return new DeviceCopy(source, target);
    }

    /**
     * Whether the target already reads as zeros everywhere (a new file); if not, zero ranges are zeroed explicitly.
     * Default true.
     */
    public DeviceCopy targetReadsZero(boolean value) {
        this.targetReadsZero = value;
        return this;
    }

    /** Called with the number of bytes done after every chunk. */
    public DeviceCopy progress(LongConsumer listener) {
        this.progress = listener;
        return this;
    }

    /** Copies everything and flushes the target; returns the number of bytes written to it. */
    public long run() {
        long size = source.size();
        long written = 0;
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        long position = 0;
        while (position < size) {
            List<Extent> extents = source.extents(position, Math.min(EXTENT_QUERY, size - position));
            for (Extent extent : extents) {
                if (extent.zero()) {
                    if (!targetReadsZero) {
                        target.zero(extent.offset(), extent.length(), IoFlags.NONE);
                    }
                } else {
                    written += copyData(extent, buffer);
                }
                progress.accept(extent.end());
            }
            position = extents.getLast().end();
        }
        if (!targetReadsZero && target.size() > size) {
            // A larger target (a VHD rounds its size up to its geometry) ends in zeros, like a new one would.
            target.zero(size, target.size() - size, IoFlags.NONE);
        }
        target.flush();
        return written;
    }

    private long copyData(Extent extent, ByteBuffer buffer) {
        long written = 0;
        for (long at = extent.offset(); at < extent.end(); ) {
            int n = (int) Math.min(CHUNK, extent.end() - at);
            buffer.clear().limit(n);
            source.read(at, buffer);
            written += writeNonZero(at, buffer.flip());
            at += n;
            progress.accept(at);
        }
        return written;
    }

    /** Writes the runs of {@code data} (which sits at {@code offset}) that are not all zeros. */
    private long writeNonZero(long offset, ByteBuffer data) {
        long written = 0;
        int runStart = -1;
        for (int at = 0; at < data.limit(); at += GRAIN) {
            int end = Math.min(at + GRAIN, data.limit());
            boolean zero = Zeros.isAllZero(data.duplicate().position(at).limit(end));
            if (!zero && runStart < 0) {
                runStart = at;
            } else if (zero && runStart >= 0) {
                written += writeRun(offset, data, runStart, at);
                runStart = -1;
            }
            if (zero && !targetReadsZero) {
                target.zero(offset + at, end - at, IoFlags.NONE);
            }
        }
        if (runStart >= 0) {
            written += writeRun(offset, data, runStart, data.limit());
        }
        return written;
    }

    private long writeRun(long offset, ByteBuffer data, int from, int to) {
        target.write(offset + from, data.duplicate().position(from).limit(to), IoFlags.NONE);
        return to - from;
    }
}
