package org.diskfarm.boot.tftp;

import java.util.Optional;

/** Error codes of the ERROR packet: RFC 1350 appendix ("Error Codes") and code 8 of RFC 2347. */
public enum TftpErrorCode {
    /** Not defined, see the message: this server uses it for "server busy", read failures and timeouts. */
    NOT_DEFINED(0),
    FILE_NOT_FOUND(1),
    ACCESS_VIOLATION(2),
    DISK_FULL(3),
    ILLEGAL_OPERATION(4),
    UNKNOWN_TRANSFER_ID(5),
    FILE_EXISTS(6),
    NO_SUCH_USER(7),
    /** RFC 2347: the transfer ends because option negotiation failed. */
    OPTION_REFUSED(8);

    private final int code;

    TftpErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The error code with this number, or empty for one no RFC defines (a peer may still send it). */
    public static Optional<TftpErrorCode> fromCode(int code) {
        return code >= 0 && code < VALUES.length ? Optional.of(VALUES[code]) : Optional.empty();
    }

    private static final TftpErrorCode[] VALUES = values();
}
