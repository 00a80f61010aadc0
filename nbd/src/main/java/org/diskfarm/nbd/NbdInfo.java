package org.diskfarm.nbd;

import java.nio.ByteBuffer;

/**
 * The payload of an NBD_REP_INFO reply: a 16-bit {@link NbdInfoType} and the information. A reply's data is decoded
 * whole with {@link #decode}; unknown types come back as {@link Unknown}, which a client ignores.
 */
public sealed interface NbdInfo {

    int type();

    /** Bytes {@link #encodeTo} writes, type included. */
    int size();

    void encodeTo(ByteBuffer buf);

    /** Size of the export in bytes and its transmission flags. */
    record Export(long exportSize, int transmissionFlags) implements NbdInfo {
        public int type() {
            return NbdInfoType.EXPORT.code();
        }

        public int size() {
            return 12;
        }

        public void encodeTo(ByteBuffer buf) {
            buf.putShort((short) type()).putLong(exportSize).putShort((short) transmissionFlags);
        }
    }

    /** The canonical name of the export. */
    record Name(String name) implements NbdInfo {
        public int type() {
            return NbdInfoType.NAME.code();
        }

        public int size() {
            return 2 + NbdWire.utf8(name).length;
        }

        public void encodeTo(ByteBuffer buf) {
            buf.putShort((short) type()).put(NbdWire.utf8(name));
        }
    }

    /** A description of the export for people. */
    record Description(String description) implements NbdInfo {
        public int type() {
            return NbdInfoType.DESCRIPTION.code();
        }

        public int size() {
            return 2 + NbdWire.utf8(description).length;
        }

        public void encodeTo(ByteBuffer buf) {
            buf.putShort((short) type()).put(NbdWire.utf8(description));
        }
    }

    /** Block size constraints: minimum, preferred and maximum request size in bytes. */
    record BlockSize(int minimum, int preferred, int maximum) implements NbdInfo {
        public int type() {
            return NbdInfoType.BLOCK_SIZE.code();
        }

        public int size() {
            return 14;
        }

        public void encodeTo(ByteBuffer buf) {
            buf.putShort((short) type()).putInt(minimum).putInt(preferred).putInt(maximum);
        }
    }

    /** An information type this side does not know, kept as it came. */
    record Unknown(int type, ByteBuffer payload) implements NbdInfo {
        public Unknown {
            payload = NbdWire.copyOf(payload);
        }

        public ByteBuffer payload() {
            return payload.duplicate();
        }

        public int size() {
            return 2 + payload.remaining();
        }

        public void encodeTo(ByteBuffer buf) {
            buf.putShort((short) type).put(payload.duplicate());
        }
    }

    /** Decodes the whole data of an NBD_REP_INFO reply; a wrong length is a (non-fatal) protocol error. */
    static NbdInfo decode(ByteBuffer data) {
        ByteBuffer buf = data.duplicate();
        NbdWire.need(buf, 2, "NBD_REP_INFO");
        int type = Short.toUnsignedInt(buf.getShort());
        NbdInfoType known = NbdInfoType.fromCode(type).orElse(null);
        if (known == null) {
            return new Unknown(type, buf);
        }
        return switch (known) {
            case EXPORT -> {
                exactly(buf, 10, known);
                yield new Export(buf.getLong(), Short.toUnsignedInt(buf.getShort()));
            }
            case NAME -> new Name(NbdWire.readString(buf, buf.remaining()));
            case DESCRIPTION -> new Description(NbdWire.readString(buf, buf.remaining()));
            case BLOCK_SIZE -> {
                exactly(buf, 12, known);
                yield new BlockSize(buf.getInt(), buf.getInt(), buf.getInt());
            }
        };
    }

    private static void exactly(ByteBuffer buf, int length, NbdInfoType type) {
        if (buf.remaining() != length) {
            throw new NbdProtocolException("NBD_INFO_" + type + " has " + buf.remaining() + " bytes, not " + length,
                    false);
        }
    }
}
