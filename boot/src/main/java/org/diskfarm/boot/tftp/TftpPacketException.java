package org.diskfarm.boot.tftp;

/**
 * A datagram that is not a well-formed TFTP packet. {@link #reason()} says what kind of damage it has, so that the
 * server can log each kind once per client and pick its answer (RFC 1350 has no error for a packet too short to carry
 * an opcode: such a datagram is dropped).
 */
public final class TftpPacketException extends Exception {
    /** The kinds of damage the decoder tells apart. */
    public enum Reason {
        /** Shorter than its fixed fields (fewer than 2 bytes: no opcode; fewer than 4 for DATA, ACK and ERROR). */
        TRUNCATED,
        /** An opcode no RFC this server implements defines. */
        UNKNOWN_OPCODE,
        /** A string field (file name, mode, option name or value) without its terminating NUL byte. */
        MISSING_NUL,
        /** The option list is not a sequence of name/value pairs (an empty name before more data). */
        MALFORMED_OPTIONS,
        /** A request longer than the 512 octets RFC 2347 allows ("The maximum size of a request packet"). */
        TOO_LONG,
        /** A file name that is not valid UTF-8. */
        BAD_FILE_NAME
    }

    private final Reason reason;

    /**
     * The message quotes what the client sent (option names, file names), so it is made printable here, for every
     * caller: control characters become '?' and it is cut at 200 characters, so that a datagram cannot break or flood
     * the one log line it gets.
     */
    public TftpPacketException(Reason reason, String message) {
        super(printable(message));
        this.reason = reason;
    }

    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
        text.codePoints().limit(200).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return text.codePointCount(0, text.length()) > 200 ? out.append("...").toString() : out.toString();
    }

    public Reason reason() {
        return reason;
    }
}
