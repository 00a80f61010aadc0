package org.diskfarm.cache;

import java.nio.file.Path;
import org.diskfarm.block.BlockDevice;

/**
 * Makes the write cache a vDisk's properties choose for one device. The base is the vDisk opened read-only once and
 * shared by every device's cache; no cache writes or closes it.
 */
public final class WriteCaches {
    private WriteCaches() {
    }

    /** {@code ram}: up to {@code capacityBytes} of the device's writes in memory. */
    public static RamWriteCache ram(BlockDevice base, long capacityBytes) {
        return ram("ram write cache", base, capacityBytes);
    }

    /** @param name names the device in error messages */
    public static RamWriteCache ram(String name, BlockDevice base, long capacityBytes) {
        return new RamWriteCache(name, base, capacityBytes);
    }

    /** {@code ram-overflow}: RAM first, then {@code file} (created when needed) up to {@code fileCapacityBytes}. */
    public static OverflowWriteCache ramOverflow(BlockDevice base, long ramCapacityBytes, Path file,
            long fileCapacityBytes) {
        return new OverflowWriteCache(String.valueOf(file.getFileName()), base, ramCapacityBytes, file,
                fileCapacityBytes);
    }

    /** {@code server-disk}: the device's writes in {@code file}, bounded only by the file system. */
    public static FileWriteCache serverDisk(BlockDevice base, Path file) {
        return new FileWriteCache(String.valueOf(file.getFileName()), base, file);
    }
}
