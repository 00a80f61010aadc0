package org.diskfarm.cache;

import java.nio.file.Path;
import org.diskfarm.block.BlockDevice;

/**
 * The {@code ram-overflow} write cache: new chunks go to RAM while it has room, then to a cache file as in
 * {@link FileWriteCache}; a chunk stays where it was first put until it is trimmed, zeroed or discarded. Reads look
 * in RAM, then the file, then the base. When both capacities are used up, writes that need a new chunk fail with
 * NO_SPACE and change nothing. Nothing survives the server process; see {@link RamWriteCache} and
 * {@link FileWriteCache}. Threads: see {@link ChunkWriteCache}.
 */
public final class OverflowWriteCache extends ChunkWriteCache {
    private final Path file;
    private final long fileCapacityBytes;

    public OverflowWriteCache(String name, BlockDevice base, long ramCapacityBytes, Path file,
            long fileCapacityBytes) {
        super(name, base, ramCapacityBytes, new FileChunkStore(file, base.size()), fileCapacityBytes);
        this.file = file;
        this.fileCapacityBytes = fileCapacityBytes;
    }

    public Path file() {
        return file;
    }

    public long fileCapacityBytes() {
        return fileCapacityBytes;
    }
}
