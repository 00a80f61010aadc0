package org.diskfarm.nbd;

import java.util.Optional;

/** Reply types of option haggling (NBD_REP_*); the error types have bit 31 set. */
public enum NbdOptionReplyType {
    ACK(1),
    SERVER(2),
    INFO(3),
    META_CONTEXT(4),
    ERR_UNSUP(0x8000_0001),
    ERR_POLICY(0x8000_0002),
    ERR_INVALID(0x8000_0003),
    ERR_PLATFORM(0x8000_0004),
    ERR_TLS_REQD(0x8000_0005),
    ERR_UNKNOWN(0x8000_0006),
    ERR_SHUTDOWN(0x8000_0007),
    ERR_BLOCK_SIZE_REQD(0x8000_0008),
    ERR_TOO_BIG(0x8000_0009);

    private final int code;

    NbdOptionReplyType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean isError() {
        return isError(code);
    }

    /** True for every code with bit 31 set, known or not: a client must treat unknown ones as errors too. */
    public static boolean isError(int code) {
        return code < 0;
    }

    /** The reply type with this code, or empty for one this server does not know. */
    public static Optional<NbdOptionReplyType> fromCode(int code) {
        for (NbdOptionReplyType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
