package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One option of the handshake: IHAVEOPT, the 32-bit option code, the 32-bit data length and the data.
 *
 * @param option the option code ({@link NbdOption#code()}, or one this server does not know)
 * @param data   the option's data, read-only, position 0
 */
public record NbdOptionRequest(int option, ByteBuffer data) {
    public static final int HEADER_SIZE = 16;
    /** Longest option data the decoder accepts; a longer one closes the connection rather than being buffered. */
    public static final int MAX_DATA_LENGTH = NbdWire.MAX_OPTION_LENGTH;

    public NbdOptionRequest {
        data = NbdWire.copyOf(data);
    }

    /** The data, as a fresh view: moving its position does not change this record. */
    public ByteBuffer data() {
        return data.duplicate();
    }

    public NbdOptionRequest(NbdOption option, ByteBuffer data) {
        this(option.code(), data);
    }

    public static NbdOptionRequest of(NbdOption option) {
        return new NbdOptionRequest(option.code(), ByteBuffer.allocate(0));
    }

    /**
     * Decodes an option, or returns null (consuming nothing) if it is not all there yet. Throws a fatal
     * {@link NbdProtocolException} for bad magic or data longer than {@link #MAX_DATA_LENGTH}, as soon as the header
     * shows it.
     */
    public static NbdOptionRequest decode(ByteBuffer buf) {
        if (buf.remaining() < HEADER_SIZE) {
            return null;
        }
        int p = buf.position();
        long magic = buf.getLong(p);
        if (magic != NbdWire.IHAVEOPT) {
            throw NbdProtocolException.fatal("bad option magic " + NbdWire.hex(magic));
        }
        int option = buf.getInt(p + 8);
        int length = buf.getInt(p + 12);
        if (length < 0 || length > MAX_DATA_LENGTH) {
            throw NbdProtocolException.fatal(NbdOption.describe(option) + " has " + Integer.toUnsignedString(length)
                    + " bytes of data, more than " + MAX_DATA_LENGTH);
        }
        if (buf.remaining() < HEADER_SIZE + length) {
            return null;
        }
        buf.position(p + HEADER_SIZE);
        return new NbdOptionRequest(option, NbdWire.copyOf(buf, length));
    }

    /** The known option, or empty for a code this server does not know. */
    public Optional<NbdOption> known() {
        return NbdOption.fromCode(option);
    }

    public int size() {
        return HEADER_SIZE + data.remaining();
    }

    public void encodeTo(ByteBuffer buf) {
        buf.putLong(NbdWire.IHAVEOPT).putInt(option).putInt(data.remaining()).put(data.duplicate());
    }

    public ByteBuffer encode() {
        ByteBuffer buf = ByteBuffer.allocate(size());
        encodeTo(buf);
        return buf.flip();
    }

    @Override
    public String toString() {
        return "NbdOptionRequest[" + NbdOption.describe(option) + ", " + data.remaining() + " bytes]";
    }
}
