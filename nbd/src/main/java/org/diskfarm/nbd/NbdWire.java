package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Magic numbers, limits and small helpers shared by the wire records. All fields are big-endian (network order). */
final class NbdWire {
    private NbdWire() {
    }

    /** "NBDMAGIC", the first 8 bytes the server sends. */
    static final long NBD_MAGIC = 0x4e42444d41474943L;
    /** "IHAVEOPT", in the greeting and before every option request. */
    static final long IHAVEOPT = 0x49484156454f5054L;
    /** Magic of every option reply. */
    static final long OPTION_REPLY_MAGIC = 0x0003e889045565a9L;
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    /** Longest option data a server buffers; longer options close the connection. */
    static final int MAX_OPTION_LENGTH = 64 << 10;
    /** Longest write payload accepted, and the largest request a client may send (BlockLimits.DEFAULT.maximum). */
    static final int MAX_REQUEST_LENGTH = 32 << 20;
    /** Longest name or description, as the protocol bounds strings. */
    static final int MAX_STRING = 4096;

    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads {@code length} bytes of {@code buf} as UTF-8. */
    static String readString(ByteBuffer buf, int length) {
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A read-only copy of {@code length} bytes from the position of {@code buf}, which it advances. */
    static ByteBuffer copyOf(ByteBuffer buf, int length) {
        ByteBuffer copy = ByteBuffer.allocate(length);
        copy.put(buf.slice(buf.position(), length)).flip();
        buf.position(buf.position() + length);
        return copy.asReadOnlyBuffer();
    }

    /** A read-only copy of the remaining bytes of {@code data}, leaving {@code data} untouched. */
    static ByteBuffer copyOf(ByteBuffer data) {
        return copyOf(data.duplicate(), data.remaining());
    }

    /** Throws an option-level (not fatal) error if fewer than {@code n} bytes remain in an option's data. */
    static void need(ByteBuffer data, int n, String what) {
        if (data.remaining() < n) {
            throw new NbdProtocolException(what + " is truncated: needs " + n + " more bytes, has " + data.remaining(),
                    false);
        }
    }

    /** Reads a 32-bit length-prefixed string from an option's data, checking it fits. */
    static String readLengthPrefixed(ByteBuffer data, String what) {
        need(data, 4, what);
        int length = data.getInt();
        if (length < 0 || length > MAX_STRING) {
            throw new NbdProtocolException(what + " has length " + Integer.toUnsignedString(length) + ", more than "
                    + MAX_STRING, false);
        }
        need(data, length, what);
        return readString(data, length);
    }
}
