package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One reply to an option: the reply magic, the option code it answers, the 32-bit reply type, the data length and the
 * data. Error replies carry an optional one-line UTF-8 message as their data.
 *
 * @param option the option code answered
 * @param type   the reply type code ({@link NbdOptionReplyType#code()}; unknown ones are kept as they are)
 * @param data   the reply data, read-only, position 0
 */
public record NbdOptionReply(int option, int type, ByteBuffer data) implements NbdHandshakeOutput {
    public static final int HEADER_SIZE = 20;
    /** Longest reply data a decoding client accepts. */
    public static final int MAX_DATA_LENGTH = NbdWire.MAX_OPTION_LENGTH;

    public NbdOptionReply {
        data = NbdWire.copyOf(data);
    }

    /** The data, as a fresh view: moving its position does not change this record. */
    public ByteBuffer data() {
        return data.duplicate();
    }

    public static NbdOptionReply ack(int option) {
        return new NbdOptionReply(option, NbdOptionReplyType.ACK.code(), ByteBuffer.allocate(0));
    }

    /** An error reply with a message for the client's log. */
    public static NbdOptionReply error(int option, NbdOptionReplyType type, String message) {
        if (!type.isError()) {
            throw new IllegalArgumentException(type + " is not an error");
        }
        return new NbdOptionReply(option, type.code(), ByteBuffer.wrap(NbdWire.utf8(message)));
    }

    /** NBD_REP_SERVER: one export of a LIST, as a 32-bit name length, the name and nothing after it. */
    public static NbdOptionReply server(int option, String exportName) {
        byte[] name = NbdWire.utf8(exportName);
        ByteBuffer data = ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name).flip();
        return new NbdOptionReply(option, NbdOptionReplyType.SERVER.code(), data);
    }

    /** NBD_REP_INFO carrying one piece of information. */
    public static NbdOptionReply info(int option, NbdInfo info) {
        ByteBuffer data = ByteBuffer.allocate(info.size());
        info.encodeTo(data);
        return new NbdOptionReply(option, NbdOptionReplyType.INFO.code(), data.flip());
    }

    /** NBD_REP_META_CONTEXT: a 32-bit context id and the context's name. */
    public static NbdOptionReply metaContext(int option, int contextId, String name) {
        byte[] bytes = NbdWire.utf8(name);
        ByteBuffer data = ByteBuffer.allocate(4 + bytes.length).putInt(contextId).put(bytes).flip();
        return new NbdOptionReply(option, NbdOptionReplyType.META_CONTEXT.code(), data);
    }

    /** Decodes a reply, or returns null (consuming nothing) if it is not all there yet; the client's side. */
    public static NbdOptionReply decode(ByteBuffer buf) {
        if (buf.remaining() < HEADER_SIZE) {
            return null;
        }
        int p = buf.position();
        long magic = buf.getLong(p);
        if (magic != NbdWire.OPTION_REPLY_MAGIC) {
            throw NbdProtocolException.fatal("bad option reply magic " + NbdWire.hex(magic));
        }
        int option = buf.getInt(p + 8);
        int type = buf.getInt(p + 12);
        int length = buf.getInt(p + 16);
        if (length < 0 || length > MAX_DATA_LENGTH) {
            throw NbdProtocolException.fatal("option reply has " + Integer.toUnsignedString(length)
                    + " bytes of data, more than " + MAX_DATA_LENGTH);
        }
        if (buf.remaining() < HEADER_SIZE + length) {
            return null;
        }
        buf.position(p + HEADER_SIZE);
        return new NbdOptionReply(option, type, NbdWire.copyOf(buf, length));
    }

    public Optional<NbdOptionReplyType> knownType() {
        return NbdOptionReplyType.fromCode(type);
    }

    public boolean isError() {
        return NbdOptionReplyType.isError(type);
    }

    /** The data as text: the message of an error reply. */
    public String message() {
        return NbdWire.readString(data.duplicate(), data.remaining());
    }

    @Override
    public int size() {
        return HEADER_SIZE + data.remaining();
    }

    @Override
    public void encodeTo(ByteBuffer buf) {
        buf.putLong(NbdWire.OPTION_REPLY_MAGIC).putInt(option).putInt(type).putInt(data.remaining())
                .put(data.duplicate());
    }

    @Override
    public String toString() {
        String typeName = knownType().map(Enum::name).orElse(Integer.toHexString(type));
        return "NbdOptionReply[" + NbdOption.describe(option) + ", " + typeName + ", " + data.remaining() + " bytes]";
    }
}
