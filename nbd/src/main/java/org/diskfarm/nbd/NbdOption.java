package org.diskfarm.nbd;

import java.util.Optional;

/** Option codes of the fixed newstyle handshake (NBD_OPT_*). Codes not listed here are answered with ERR_UNSUP. */
public enum NbdOption {
    EXPORT_NAME(1),
    ABORT(2),
    LIST(3),
    /** Withdrawn from the protocol; kept so that it is named in logs. */
    PEEK_EXPORT(4),
    STARTTLS(5),
    INFO(6),
    GO(7),
    STRUCTURED_REPLY(8),
    LIST_META_CONTEXT(9),
    SET_META_CONTEXT(10),
    EXTENDED_HEADERS(11);

    private final int code;

    NbdOption(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The option with this code, or empty for a code this server does not know. */
    public static Optional<NbdOption> fromCode(int code) {
        for (NbdOption option : values()) {
            if (option.code == code) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }

    /** The name for a log line: {@code NBD_OPT_GO}, or {@code "unknown option N"}. */
    public static String describe(int code) {
        return fromCode(code).map(o -> "NBD_OPT_" + o.name())
                .orElse("unknown option " + Integer.toUnsignedString(code));
    }
}
