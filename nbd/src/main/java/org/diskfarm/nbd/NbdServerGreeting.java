package org.diskfarm.nbd;

import java.nio.ByteBuffer;

/**
 * The first bytes of a fixed newstyle connection, sent by the server: NBDMAGIC, IHAVEOPT and 16 bits of handshake
 * flags.
 *
 * @param handshakeFlags {@link NbdFlags.Handshake} bits
 */
public record NbdServerGreeting(int handshakeFlags) implements NbdHandshakeOutput {
    public static final int SIZE = 18;

    /** What this server sends: fixed newstyle, and the client may skip the 124 zero bytes. */
    public static final NbdServerGreeting DEFAULT =
            new NbdServerGreeting(NbdFlags.Handshake.FIXED_NEWSTYLE | NbdFlags.Handshake.NO_ZEROES);

    /** Decodes a greeting, or returns null (consuming nothing) if fewer than {@link #SIZE} bytes remain. */
    public static NbdServerGreeting decode(ByteBuffer buf) {
        if (buf.remaining() < SIZE) {
            return null;
        }
        int p = buf.position();
        long magic = buf.getLong(p);
        long opt = buf.getLong(p + 8);
        if (magic != NbdWire.NBD_MAGIC || opt != NbdWire.IHAVEOPT) {
            throw NbdProtocolException.fatal("bad greeting magic " + NbdWire.hex(magic) + " " + NbdWire.hex(opt));
        }
        int flags = Short.toUnsignedInt(buf.getShort(p + 16));
        buf.position(p + SIZE);
        return new NbdServerGreeting(flags);
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void encodeTo(ByteBuffer buf) {
        buf.putLong(NbdWire.NBD_MAGIC).putLong(NbdWire.IHAVEOPT).putShort((short) handshakeFlags);
    }
}
