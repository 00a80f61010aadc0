package org.diskfarm.block;

/**
 * Block size constraints a device states to its clients (NBD_INFO_BLOCK_SIZE in the NBD protocol, the Block Limits VPD
 * page B0h in SCSI). Requests need not honour them for correctness, only for efficiency, except that no request may be
 * longer than {@code maximum}.
 *
 * @param minimum   smallest efficient request size in bytes (a power of two, at least 1)
 * @param preferred preferred request size and alignment in bytes (a power of two, at least {@code minimum})
 * @param maximum   largest request in bytes a client may send
 */
public record BlockLimits(int minimum, int preferred, int maximum) {
    /** The limits most devices state: 512-byte sectors, 4 KiB preferred, 32 MiB at most per request. */
    public static final BlockLimits DEFAULT = new BlockLimits(512, 4096, 32 << 20);

    public BlockLimits {
        if (minimum < 1 || Integer.bitCount(minimum) != 1 || preferred < minimum || Integer.bitCount(preferred) != 1
                || maximum < preferred) {
            throw new IllegalArgumentException("bad block limits: min " + minimum + ", preferred " + preferred
                    + ", max " + maximum);
        }
    }
}
