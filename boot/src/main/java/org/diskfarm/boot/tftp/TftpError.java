package org.diskfarm.boot.tftp;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * ERROR (RFC 1350 section 5): opcode 5, a 16-bit error code and a NUL-terminated message. An ERROR is never
 * acknowledged nor retransmitted, and ends the transfer it belongs to. A received message without its NUL is taken
 * up to the end of the datagram: it is only logged, and the code alone decides what happens.
 *
 * @param code    the error code as on the wire ({@link TftpErrorCode} for the known ones)
 * @param message a human-readable message; messages this server builds are cut to {@link #MAX_MESSAGE_CHARS}
 */
public record TftpError(int code, String message) implements TftpPacket {
    /** Longest message this server sends, so that an ERROR echoing a client's file name stays small. */
    public static final int MAX_MESSAGE_CHARS = 200;

    public TftpError {
        if (code < 0 || code > 0xffff) {
            throw new IllegalArgumentException("error code " + code + " does not fit 16 bits");
        }
        message = message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS);
    }

    public TftpError(TftpErrorCode code, String message) {
        this(code.code(), message);
    }

    public static TftpError decode(ByteBuffer src) throws TftpPacketException {
        TftpPacket.requireAtLeast(src, 4, TftpOpcode.ERROR);
        src.getShort();
        int code = Short.toUnsignedInt(src.getShort());
        String message;
        try {
            message = TftpStrings.readAscii(src, "error message");
        } catch (TftpPacketException e) {
            byte[] rest = new byte[src.remaining()];
            src.get(rest);
            message = new String(rest, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        src.position(src.limit());
        return new TftpError(code, message);
    }

    /** The code as a known {@link TftpErrorCode}, or empty for one no RFC defines. */
    public Optional<TftpErrorCode> errorCode() {
        return TftpErrorCode.fromCode(code);
    }

    @Override
    public TftpOpcode opcode() {
        return TftpOpcode.ERROR;
    }

    @Override
    public int size() {
        return 4 + TftpStrings.asciiSize(message);
    }

    @Override
    public void encodeTo(ByteBuffer dst) {
        dst.putShort((short) TftpOpcode.ERROR.code()).putShort((short) code);
        TftpStrings.writeAscii(dst, message);
    }
}
