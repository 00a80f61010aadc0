package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The 28-byte header of a transmission request: magic, 16-bit command flags, 16-bit type, 64-bit cookie (the
 * "handle"), 64-bit offset and 32-bit length. A WRITE's {@code length} bytes of data follow the header and are not part
 * of this record: the transport reads them (or streams them) after {@link #decode} returned the header.
 *
 * @param flags  {@link NbdFlags.Command} bits, as sent
 * @param type   the command code ({@link NbdCommand#code()}, or one this server does not know)
 * @param cookie opaque to the server, echoed in the reply
 * @param offset byte offset, as sent (unsigned 64 bits; a negative value here is past any device)
 * @param length byte count, unsigned 32 bits
 */
public record NbdRequest(int flags, int type, long cookie, long offset, long length) {
    public static final int SIZE = 28;
    /** Longest write payload the decoder accepts (32 MiB); a longer one closes the connection. */
    public static final int MAX_WRITE_LENGTH = NbdWire.MAX_REQUEST_LENGTH;

    public NbdRequest {
        if (length < 0 || length > 0xffff_ffffL) {
            throw new IllegalArgumentException("request length " + length + " does not fit 32 bits");
        }
    }

    public NbdRequest(NbdCommand command, int flags, long cookie, long offset, long length) {
        this(flags, command.code(), cookie, offset, length);
    }

    /** Decodes a header with the default write limit; see {@link #decode(ByteBuffer, int)}. */
    public static NbdRequest decode(ByteBuffer buf) {
        return decode(buf, MAX_WRITE_LENGTH);
    }

    /**
     * Decodes a request header, or returns null (consuming nothing) if fewer than {@link #SIZE} bytes remain. Bad
     * magic, or a WRITE longer than {@code maxWriteLength} (its data could not be skipped safely), is a fatal
     * {@link NbdProtocolException}. Other lengths are not checked here: the server answers them with an error.
     */
    public static NbdRequest decode(ByteBuffer buf, int maxWriteLength) {
        if (buf.remaining() < SIZE) {
            return null;
        }
        int p = buf.position();
        int magic = buf.getInt(p);
        if (magic != NbdWire.REQUEST_MAGIC) {
            throw NbdProtocolException.fatal("bad request magic " + NbdWire.hex(Integer.toUnsignedLong(magic)));
        }
        int flags = Short.toUnsignedInt(buf.getShort(p + 4));
        int type = Short.toUnsignedInt(buf.getShort(p + 6));
        long cookie = buf.getLong(p + 8);
        long offset = buf.getLong(p + 16);
        long length = Integer.toUnsignedLong(buf.getInt(p + 24));
        if (type == NbdCommand.WRITE.code() && length > maxWriteLength) {
            throw NbdProtocolException.fatal("write of " + length + " bytes at " + Long.toUnsignedString(offset)
                    + " is longer than " + maxWriteLength);
        }
        buf.position(p + SIZE);
        return new NbdRequest(flags, type, cookie, offset, length);
    }

    public Optional<NbdCommand> command() {
        return NbdCommand.fromCode(type);
    }

    public boolean has(int commandFlag) {
        return (flags & commandFlag) != 0;
    }

    /** Bytes of data that follow this header on the wire: the length of a WRITE, nothing for other commands. */
    public long payloadLength() {
        return type == NbdCommand.WRITE.code() ? length : 0;
    }

    public int size() {
        return SIZE;
    }

    public void encodeTo(ByteBuffer buf) {
        buf.putInt(NbdWire.REQUEST_MAGIC).putShort((short) flags).putShort((short) type).putLong(cookie)
                .putLong(offset).putInt((int) length);
    }
}
