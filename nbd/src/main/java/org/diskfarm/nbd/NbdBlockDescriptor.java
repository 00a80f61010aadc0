package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import org.diskfarm.block.Extent;

/**
 * One block status descriptor of a BLOCK_STATUS chunk: a 32-bit length and 32 bits of flags, for
 * {@code base:allocation} the {@link NbdFlags.Allocation} bits.
 *
 * @param length bytes described, 1 to 2^32-1
 * @param flags  status flags
 */
public record NbdBlockDescriptor(long length, int flags) {
    public static final int SIZE = 8;
    /** Longest length a descriptor can carry. */
    public static final long MAX_LENGTH = 0xffff_ffffL;

    public NbdBlockDescriptor {
        if (length < 1 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("block status length " + length + " out of 1.." + MAX_LENGTH);
        }
    }

    /**
     * The {@code base:allocation} descriptor of an extent: HOLE for an unallocated extent, ZERO for one known to read
     * as zeros. The extent must be at most {@link #MAX_LENGTH} long; the server splits or clips longer ones.
     */
    public static NbdBlockDescriptor allocation(Extent extent) {
        int flags = (extent.allocated() ? 0 : NbdFlags.Allocation.HOLE)
                | (extent.zero() ? NbdFlags.Allocation.ZERO : 0);
        return new NbdBlockDescriptor(extent.length(), flags);
    }

    static NbdBlockDescriptor decode(ByteBuffer buf) {
        long length = Integer.toUnsignedLong(buf.getInt());
        int flags = buf.getInt();
        if (length == 0) {
            throw new NbdProtocolException("block status descriptor of length 0", false);
        }
        return new NbdBlockDescriptor(length, flags);
    }

    public void encodeTo(ByteBuffer buf) {
        buf.putInt((int) length).putInt(flags);
    }
}
