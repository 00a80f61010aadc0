package org.diskfarm.nbd;

import java.util.Optional;

/** Request types of the transmission phase (NBD_CMD_*). An unknown type is answered with EINVAL. */
public enum NbdCommand {
    READ(0),
    WRITE(1),
    DISC(2),
    FLUSH(3),
    TRIM(4),
    CACHE(5),
    WRITE_ZEROES(6),
    BLOCK_STATUS(7),
    RESIZE(8);

    private final int code;

    NbdCommand(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The command with this code, or empty for a type this server does not know. */
    public static Optional<NbdCommand> fromCode(int code) {
        return code >= 0 && code < VALUES.length ? Optional.of(VALUES[code]) : Optional.empty();
    }

    private static final NbdCommand[] VALUES = values();
}
