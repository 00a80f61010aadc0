package org.diskfarm.cache;

import java.nio.file.Path;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.StorageOpener;

/**
 * The {@code server-disk} write cache: a device's writes in a file of the server's cache folder, a dynamic VHD of the
 * base's size used as a sparse store of {@link #CHUNK_SIZE}-byte chunks at their own offsets. Which chunks it holds is
 * kept in memory (one bit per chunk); absent chunks are read from the shared base device.
 *
 * <p>Why not a differencing VHD over the vDisk file, as the issue first suggests: a differencing VHD device opens
 * its own parent chain, so every device would hold its own copy of the base. Here all devices share one base object.
 *
 * <p>Lifetime: the file is created on the first write and deleted on {@link #discard()} (a boot event) and on
 * {@link #close()}. It survives reconnections of the device (the server keeps this object), not a restart of the
 * server process: without the in-memory chunk set the file means nothing. {@link #flush()} flushes the VHD. A full
 * file system gives NO_SPACE. Threads: see {@link ChunkWriteCache}.
 */
public final class FileWriteCache extends ChunkWriteCache {
    private final Path file;

    public FileWriteCache(String name, BlockDevice base, Path file) {
        this(name, base, file, StorageOpener.FILES);
    }

    /** For tests: the file is opened through {@code opener}. */
    FileWriteCache(String name, BlockDevice base, Path file, StorageOpener opener) {
        super(name, base, 0, new FileChunkStore(file, base.size(), opener), Long.MAX_VALUE);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
