package org.diskfarm.block;

/**
 * A run of bytes of a device with one allocation state, as NBD's {@code base:allocation} context and SCSI GET LBA
 * STATUS describe them.
 *
 * @param offset    first byte
 * @param length    number of bytes, at least 1
 * @param allocated the bytes are stored somewhere (in this device or below it); false means a hole
 * @param zero      the bytes are known to read as zeros (always true for a hole)
 */
public record Extent(long offset, long length, boolean allocated, boolean zero) {

    public Extent {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad extent at " + offset + " length " + length);
        }
    }

    public static Extent data(long offset, long length) {
        return new Extent(offset, length, true, false);
    }

    public static Extent hole(long offset, long length) {
        return new Extent(offset, length, false, true);
    }

    public long end() {
        return offset + length;
    }

    /** True if the two describe the same state, so that adjacent ones can be merged. */
    public boolean sameState(Extent other) {
        return allocated == other.allocated && zero == other.zero;
    }
}
