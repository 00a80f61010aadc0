package org.diskfarm.nbd;

import java.util.Optional;

/** Error values of replies in the transmission phase: Linux errno numbers, whatever the server's platform. */
public enum NbdError {
    EPERM(1),
    EIO(5),
    ENOMEM(12),
    EINVAL(22),
    ENOSPC(28),
    EOVERFLOW(75),
    ENOTSUP(95),
    ESHUTDOWN(108);

    private final int code;

    NbdError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The error with this value, or empty: the protocol says a client treats an unknown value as EINVAL. */
    public static Optional<NbdError> fromCode(int code) {
        for (NbdError error : values()) {
            if (error.code == code) {
                return Optional.of(error);
            }
        }
        return Optional.empty();
    }
}
