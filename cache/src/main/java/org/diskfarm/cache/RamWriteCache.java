package org.diskfarm.cache;

import org.diskfarm.block.BlockDevice;

/**
 * The {@code ram} write cache: a device's writes in memory, in {@link #CHUNK_SIZE}-byte chunks (4 KiB: the page size
 * of the clients' file systems, so a 4 KiB random write costs one chunk and no base read), up to a capacity in bytes.
 *
 * <p>A write that needs a new chunk beyond the capacity fails with NO_SPACE (ENOSPC to the client) and changes
 * nothing; it never exhausts the heap. Zeroing whole chunks takes no memory (one bit per chunk); trimming drops whole
 * chunks, which then read from the base again. {@link #flush()} has nothing to do: the cache lives in the server
 * process and does not survive it (nor a discard, which a device's boot event does).
 *
 * <p>Memory: chunks are heap {@code byte[]}s; {@link #usedBytes()} counts 4 KiB per chunk, the map adds about 1.5%.
 * Threads: see {@link ChunkWriteCache}.
 */
public final class RamWriteCache extends ChunkWriteCache {

    public RamWriteCache(String name, BlockDevice base, long capacityBytes) {
        super(name, base, capacityBytes, null, 0);
    }

    /** Bytes of data the cache may hold. */
    public long capacityBytes() {
        return ramCapacityBytes();
    }
}
