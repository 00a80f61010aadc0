package org.diskfarm.nbd;

import java.util.Optional;

/** Information types of NBD_REP_INFO replies and of the requests in NBD_OPT_INFO and NBD_OPT_GO (NBD_INFO_*). */
public enum NbdInfoType {
    EXPORT(0),
    NAME(1),
    DESCRIPTION(2),
    BLOCK_SIZE(3);

    private final int code;

    NbdInfoType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type with this code, or empty: a server ignores requests for types it does not know. */
    public static Optional<NbdInfoType> fromCode(int code) {
        for (NbdInfoType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
