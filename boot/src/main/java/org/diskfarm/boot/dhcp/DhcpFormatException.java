package org.diskfarm.boot.dhcp;

/**
 * A datagram that is not a well-formed DHCP message, with one line saying what is wrong and where, and the
 * {@link Kind} of fault so that callers can count and rate-limit by kind.
 *
 * <p>It is an {@link IllegalArgumentException}: the bytes given to {@link DhcpPacket#decode} are the bad argument.
 * No stack trace is filled in; malformed datagrams are expected input from the network, not programming errors.
 */
public final class DhcpFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the datagram. */
    public enum Kind {
        /** Shorter than the 236-byte BOOTP header plus the 4-byte magic cookie (RFC 2131 section 2). */
        TRUNCATED,
        /** Longer than {@link DhcpPacket#MAX_SIZE}. */
        OVERSIZED,
        /** A header field outside its range: {@code op} neither 1 nor 2, or {@code hlen} over 16. */
        BAD_HEADER,
        /** The four bytes after the header are not the magic cookie 99.130.83.99 (RFC 2131 section 3). */
        NO_MAGIC_COOKIE,
        /** An option whose length byte, or whose data, lies past the end of its field (RFC 2131 section 4.1). */
        OPTION_OVERRUN,
        /** An options field, or an overloaded {@code file} or {@code sname} field, without an END option. */
        MISSING_END,
        /**
         * Option 52 (overload) malformed or where it must not be: inside {@code file} or {@code sname} (which would
         * make the fields overload again: an option loop), repeated, or with a value other than 1, 2 or 3
         * (RFC 2132 section 9.3).
         */
        BAD_OVERLOAD,
        /** A known option whose (concatenated, RFC 3396) value has a length or value its RFC does not allow. */
        BAD_OPTION_VALUE
    }

    private final Kind kind;

    public DhcpFormatException(Kind kind, String message) {
        super(message, null);
        this.kind = kind;
    }

    /** What is wrong, for counting and rate-limiting. */
    public Kind kind() {
        return kind;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
