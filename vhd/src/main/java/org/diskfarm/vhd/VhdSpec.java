package org.diskfarm.vhd;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to create: a fixed or dynamic disk of a size, or a differencing disk over a parent.
 *
 * @param type      the kind of file
 * @param size      requested virtual size in bytes (ignored for differencing disks, which take their parent's); the
 *                  created disk may be slightly larger, see {@link Vhd#roundedSize(long)}
 * @param blockSize bytes per block of dynamic and differencing disks: a power of two from 512 B to 256 MiB;
 *                  2 MiB by default, as Hyper-V and QEMU use
 * @param parent    the parent disk of a differencing disk, else null
 */
public record VhdSpec(VhdType type, long size, int blockSize, Path parent) {
    public static final int DEFAULT_BLOCK_SIZE = 2 << 20;

    public VhdSpec {
        Objects.requireNonNull(type);
        if ((type == VhdType.DIFFERENCING) != (parent != null)) {
            throw new IllegalArgumentException("a differencing disk, and only one, has a parent");
        }
    }

    public static VhdSpec fixed(long size) {
        return new VhdSpec(VhdType.FIXED, size, 0, null);
    }

    public static VhdSpec dynamic(long size) {
        return new VhdSpec(VhdType.DYNAMIC, size, DEFAULT_BLOCK_SIZE, null);
    }

    public static VhdSpec differencing(Path parent) {
        return new VhdSpec(VhdType.DIFFERENCING, 0, DEFAULT_BLOCK_SIZE, parent);
    }

    public VhdSpec withBlockSize(int bytes) {
        return new VhdSpec(type, size, bytes, parent);
    }
}
