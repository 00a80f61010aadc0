package org.diskfarm.boot.tftp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The NUL-terminated strings of TFTP packets. Mode, option names and values and error messages are ASCII (RFC 1350
 * calls them netascii); they are read as ISO-8859-1 so that every byte survives into a log line. File names are read
 * as UTF-8, the encoding of Linux file names, and must be valid.
 *
 * <p>Threads: stateless.
 */
final class TftpStrings {
    private TftpStrings() {
    }

    /** Reads an ASCII field up to its NUL and consumes the NUL; throws if the buffer ends first. */
    static String readAscii(ByteBuffer src, String field) throws TftpPacketException {
        int length = fieldLength(src, field);
        byte[] bytes = new byte[length];
        src.get(src.position(), bytes);
        src.position(src.position() + length + 1);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Reads a UTF-8 field up to its NUL and consumes the NUL; throws if the buffer ends first or it is not UTF-8. */
    static String readUtf8(ByteBuffer src, String field) throws TftpPacketException {
        int length = fieldLength(src, field);
        ByteBuffer bytes = src.slice(src.position(), length);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(bytes);
            src.position(src.position() + length + 1);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new TftpPacketException(TftpPacketException.Reason.BAD_FILE_NAME, field + " is not valid UTF-8");
        }
    }

    /** Bytes before the next NUL from the buffer's position. */
    private static int fieldLength(ByteBuffer src, String field) throws TftpPacketException {
        for (int i = src.position(); i < src.limit(); i++) {
            if (src.get(i) == 0) {
                return i - src.position();
            }
        }
        throw new TftpPacketException(TftpPacketException.Reason.MISSING_NUL, field + " has no terminating NUL");
    }

    static void writeAscii(ByteBuffer dst, String s) {
        dst.put(s.getBytes(StandardCharsets.ISO_8859_1)).put((byte) 0);
    }

    static void writeUtf8(ByteBuffer dst, String s) {
        dst.put(s.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
    }

    static int asciiSize(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1).length + 1;
    }

    static int utf8Size(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length + 1;
    }
}
