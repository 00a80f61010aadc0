package org.diskfarm.boot.tftp;

import java.util.Locale;
import java.util.Optional;

/**
 * Transfer modes of RFC 1350 section 1, named case-insensitively on the wire. This server sends {@link #OCTET} and
 * {@link #NETASCII}; {@link #MAIL} is obsolete (it delivers to a user) and is refused like an unknown mode.
 */
public enum TftpMode {
    NETASCII("netascii"),
    OCTET("octet"),
    MAIL("mail");

    private final String wireName;

    TftpMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The mode with this name in any case, or empty for a name RFC 1350 does not define. */
    public static Optional<TftpMode> fromName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (TftpMode mode : values()) {
            if (mode.wireName.equals(lower)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
