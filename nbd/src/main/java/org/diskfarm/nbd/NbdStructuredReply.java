package org.diskfarm.nbd;

import java.nio.ByteBuffer;

/**
 * One structured reply chunk: magic, 16-bit flags ({@link NbdFlags.Reply#DONE}), 16-bit chunk type, the request's
 * cookie, 32-bit payload length and the payload. A server that streams READ data from a file writes
 * {@link #encodeHeaderTo} and the offset itself and sends the data as a file region.
 *
 * @param flags  reply flags
 * @param cookie the cookie of the request answered
 * @param chunk  the payload
 */
public record NbdStructuredReply(int flags, long cookie, NbdChunk chunk) {
    public static final int HEADER_SIZE = 20;
    /** Longest payload a decoding client accepts: a full 32 MiB read plus its offset. */
    public static final int MAX_PAYLOAD = NbdWire.MAX_REQUEST_LENGTH + 8;

    public boolean done() {
        return (flags & NbdFlags.Reply.DONE) != 0;
    }

    /** Decodes a whole chunk, or returns null (consuming nothing) if it is not all there yet; the client's side. */
    public static NbdStructuredReply decode(ByteBuffer buf) {
        if (buf.remaining() < HEADER_SIZE) {
            return null;
        }
        int p = buf.position();
        int magic = buf.getInt(p);
        if (magic != NbdWire.STRUCTURED_REPLY_MAGIC) {
            throw NbdProtocolException.fatal("bad structured reply magic "
                    + NbdWire.hex(Integer.toUnsignedLong(magic)));
        }
        int flags = Short.toUnsignedInt(buf.getShort(p + 4));
        int type = Short.toUnsignedInt(buf.getShort(p + 6));
        long cookie = buf.getLong(p + 8);
        int length = buf.getInt(p + 16);
        if (length < 0 || length > MAX_PAYLOAD) {
            throw NbdProtocolException.fatal("structured reply chunk of " + Integer.toUnsignedString(length)
                    + " bytes, more than " + MAX_PAYLOAD);
        }
        if (buf.remaining() < HEADER_SIZE + length) {
            return null;
        }
        NbdChunk chunk;
        try {
            chunk = NbdChunk.decode(type, buf.slice(p + HEADER_SIZE, length));
        } catch (NbdProtocolException e) {
            throw NbdProtocolException.fatal(e.getMessage());
        }
        buf.position(p + HEADER_SIZE + length);
        return new NbdStructuredReply(flags, cookie, chunk);
    }

    public int size() {
        return HEADER_SIZE + chunk.payloadSize();
    }

    /** Writes only the 20-byte header, for a payload the caller sends itself. */
    public static void encodeHeaderTo(ByteBuffer buf, int flags, int type, long cookie, int payloadLength) {
        buf.putInt(NbdWire.STRUCTURED_REPLY_MAGIC).putShort((short) flags).putShort((short) type).putLong(cookie)
                .putInt(payloadLength);
    }

    public void encodeTo(ByteBuffer buf) {
        encodeHeaderTo(buf, flags, chunk.type(), cookie, chunk.payloadSize());
        chunk.encodeTo(buf);
    }

    public ByteBuffer encode() {
        ByteBuffer buf = ByteBuffer.allocate(size());
        encodeTo(buf);
        return buf.flip();
    }
}
