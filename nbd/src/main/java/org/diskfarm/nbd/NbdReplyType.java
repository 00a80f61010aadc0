package org.diskfarm.nbd;

import java.util.Optional;

/** Chunk types of structured replies (NBD_REPLY_TYPE_*); the error types have bit 15 set. */
public enum NbdReplyType {
    NONE(0),
    OFFSET_DATA(1),
    OFFSET_HOLE(2),
    BLOCK_STATUS(5),
    ERROR(0x8001),
    ERROR_OFFSET(0x8002);

    private final int code;

    NbdReplyType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static boolean isError(int code) {
        return (code & 0x8000) != 0;
    }

    /** The chunk type with this code, or empty for one this side does not know. */
    public static Optional<NbdReplyType> fromCode(int code) {
        for (NbdReplyType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
