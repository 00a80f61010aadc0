package org.diskfarm.nbd;

import java.nio.ByteBuffer;

/**
 * The 16-byte simple reply: magic, 32-bit error (0 or an {@link NbdError} value) and the request's cookie. A
 * successful READ's data follows it and is not part of this record.
 *
 * @param error  0 for success, else an errno value
 * @param cookie the cookie of the request answered
 */
public record NbdSimpleReply(int error, long cookie) {
    public static final int SIZE = 16;

    public static NbdSimpleReply ok(long cookie) {
        return new NbdSimpleReply(0, cookie);
    }

    public static NbdSimpleReply error(NbdError error, long cookie) {
        return new NbdSimpleReply(error.code(), cookie);
    }

    /** Decodes a reply header, or returns null (consuming nothing) if fewer than 16 bytes remain. */
    public static NbdSimpleReply decode(ByteBuffer buf) {
        if (buf.remaining() < SIZE) {
            return null;
        }
        int p = buf.position();
        int magic = buf.getInt(p);
        if (magic != NbdWire.SIMPLE_REPLY_MAGIC) {
            throw NbdProtocolException.fatal("bad simple reply magic " + NbdWire.hex(Integer.toUnsignedLong(magic)));
        }
        NbdSimpleReply reply = new NbdSimpleReply(buf.getInt(p + 4), buf.getLong(p + 8));
        buf.position(p + SIZE);
        return reply;
    }

    public int size() {
        return SIZE;
    }

    public void encodeTo(ByteBuffer buf) {
        buf.putInt(NbdWire.SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie);
    }
}
