package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of one structured reply chunk, by chunk type. {@link NbdStructuredReply} frames it; {@link #decode}
 * reads a whole payload, and chunk types this side does not know come back as {@link Unknown}.
 */
public sealed interface NbdChunk {

    /** The chunk type code ({@link NbdReplyType#code()}). */
    int type();

    /** Bytes of payload {@link #encodeTo} writes. */
    int payloadSize();

    void encodeTo(ByteBuffer buf);

    /** NBD_REPLY_TYPE_NONE: no payload; only valid with the DONE flag. */
    record None() implements NbdChunk {
        public int type() {
            return NbdReplyType.NONE.code();
        }

        public int payloadSize() {
            return 0;
        }

        public void encodeTo(ByteBuffer buf) {
        }
    }

    /** NBD_REPLY_TYPE_OFFSET_DATA: a 64-bit offset and the data read there. */
    record OffsetData(long offset, ByteBuffer data) implements NbdChunk {
        public OffsetData {
            data = NbdWire.copyOf(data);
        }

        /** The data, as a fresh view: moving its position does not change this record. */
        public ByteBuffer data() {
            return data.duplicate();
        }

        public int type() {
            return NbdReplyType.OFFSET_DATA.code();
        }

        public int payloadSize() {
            return 8 + data.remaining();
        }

        public void encodeTo(ByteBuffer buf) {
            buf.putLong(offset).put(data.duplicate());
        }
    }

    /** NBD_REPLY_TYPE_OFFSET_HOLE: a 64-bit offset and a 32-bit length of bytes that read as zeros. */
    record OffsetHole(long offset, int holeSize) implements NbdChunk {
        public int type() {
            return NbdReplyType.OFFSET_HOLE.code();
        }

        public int payloadSize() {
            return 12;
        }

        public void encodeTo(ByteBuffer buf) {
            buf.putLong(offset).putInt(holeSize);
        }
    }

    /** NBD_REPLY_TYPE_BLOCK_STATUS: a 32-bit metadata context id and its descriptors. */
    record BlockStatus(int contextId, List<NbdBlockDescriptor> descriptors) implements NbdChunk {
        public BlockStatus {
            descriptors = List.copyOf(descriptors);
        }

        public int type() {
            return NbdReplyType.BLOCK_STATUS.code();
        }

        public int payloadSize() {
            return 4 + NbdBlockDescriptor.SIZE * descriptors.size();
        }

        public void encodeTo(ByteBuffer buf) {
            buf.putInt(contextId);
            descriptors.forEach(d -> d.encodeTo(buf));
        }
    }

    /** NBD_REPLY_TYPE_ERROR: a 32-bit errno and a 16-bit-length message. */
    record Error(int error, String message) implements NbdChunk {
        public int type() {
            return NbdReplyType.ERROR.code();
        }

        public int payloadSize() {
            return 6 + NbdWire.utf8(message).length;
        }

        public void encodeTo(ByteBuffer buf) {
            byte[] text = NbdWire.utf8(message);
            buf.putInt(error).putShort((short) text.length).put(text);
        }
    }

    /** NBD_REPLY_TYPE_ERROR_OFFSET: as {@link Error}, then the 64-bit offset where the error lies. */
    record ErrorOffset(int error, String message, long offset) implements NbdChunk {
        public int type() {
            return NbdReplyType.ERROR_OFFSET.code();
        }

        public int payloadSize() {
            return 14 + NbdWire.utf8(message).length;
        }

        public void encodeTo(ByteBuffer buf) {
            byte[] text = NbdWire.utf8(message);
            buf.putInt(error).putShort((short) text.length).put(text).putLong(offset);
        }
    }

    /** A chunk type this side does not know, kept as it came. */
    record Unknown(int type, ByteBuffer payload) implements NbdChunk {
        public Unknown {
            payload = NbdWire.copyOf(payload);
        }

        public ByteBuffer payload() {
            return payload.duplicate();
        }

        public int payloadSize() {
            return payload.remaining();
        }

        public void encodeTo(ByteBuffer buf) {
            buf.put(payload.duplicate());
        }
    }

    /** Decodes a whole payload of the given chunk type; a payload of the wrong shape is a protocol error. */
    static NbdChunk decode(int type, ByteBuffer payload) {
        ByteBuffer buf = payload.duplicate();
        NbdReplyType known = NbdReplyType.fromCode(type).orElse(null);
        if (known == null) {
            return new Unknown(type, buf);
        }
        NbdChunk chunk = switch (known) {
            case NONE -> new None();
            case OFFSET_DATA -> {
                NbdWire.need(buf, 8, "OFFSET_DATA chunk");
                OffsetData data = new OffsetData(buf.getLong(), buf);
                buf.position(buf.limit());
                yield data;
            }
            case OFFSET_HOLE -> {
                NbdWire.need(buf, 12, "OFFSET_HOLE chunk");
                yield new OffsetHole(buf.getLong(), buf.getInt());
            }
            case BLOCK_STATUS -> {
                NbdWire.need(buf, 4, "BLOCK_STATUS chunk");
                int id = buf.getInt();
                if (buf.remaining() % NbdBlockDescriptor.SIZE != 0) {
                    throw new NbdProtocolException("BLOCK_STATUS chunk has a partial descriptor", false);
                }
                List<NbdBlockDescriptor> descriptors = new ArrayList<>();
                while (buf.hasRemaining()) {
                    descriptors.add(NbdBlockDescriptor.decode(buf));
                }
                yield new BlockStatus(id, descriptors);
            }
            case ERROR, ERROR_OFFSET -> {
                NbdWire.need(buf, 6, known + " chunk");
                int error = buf.getInt();
                int length = Short.toUnsignedInt(buf.getShort());
                NbdWire.need(buf, length, known + " message");
                String message = NbdWire.readString(buf, length);
                if (known == NbdReplyType.ERROR) {
                    yield new Error(error, message);
                }
                NbdWire.need(buf, 8, "ERROR_OFFSET offset");
                yield new ErrorOffset(error, message, buf.getLong());
            }
        };
        if (buf.hasRemaining()) {
            throw new NbdProtocolException(known + " chunk has " + buf.remaining() + " bytes too many", false);
        }
        return chunk;
    }
}
