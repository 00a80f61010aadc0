package org.diskfarm.boot.tftp;

import java.util.Optional;

/**
 * TFTP packet types: RFC 1350 section 5 (RRQ to ERROR) and RFC 2347 (OACK). An opcode outside this table is answered
 * with {@link TftpErrorCode#ILLEGAL_OPERATION} where an answer is due.
 */
public enum TftpOpcode {
    RRQ(1),
    WRQ(2),
    DATA(3),
    ACK(4),
    ERROR(5),
    OACK(6);

    private final int code;

    TftpOpcode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The opcode with this code, or empty for one that no RFC this server implements defines. */
    public static Optional<TftpOpcode> fromCode(int code) {
        return code >= 1 && code <= VALUES.length ? Optional.of(VALUES[code - 1]) : Optional.empty();
    }

    private static final TftpOpcode[] VALUES = values();
}
