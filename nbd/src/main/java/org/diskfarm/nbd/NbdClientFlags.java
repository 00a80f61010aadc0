package org.diskfarm.nbd;

import java.nio.ByteBuffer;

/**
 * The client's answer to the greeting: 32 bits of {@link NbdFlags.Client} flags.
 *
 * @param flags the client flags as sent
 */
public record NbdClientFlags(int flags) {
    public static final int SIZE = 4;

    /** Decodes the flags, or returns null (consuming nothing) if fewer than 4 bytes remain. */
    public static NbdClientFlags decode(ByteBuffer buf) {
        return buf.remaining() < SIZE ? null : new NbdClientFlags(buf.getInt());
    }

    public boolean fixedNewstyle() {
        return (flags & NbdFlags.Client.FIXED_NEWSTYLE) != 0;
    }

    public boolean noZeroes() {
        return (flags & NbdFlags.Client.NO_ZEROES) != 0;
    }

    public int size() {
        return SIZE;
    }

    public void encodeTo(ByteBuffer buf) {
        buf.putInt(flags);
    }
}
