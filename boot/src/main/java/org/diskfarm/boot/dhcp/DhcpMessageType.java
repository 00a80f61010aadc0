package org.diskfarm.boot.dhcp;

import java.util.Optional;

/**
 * The DHCP message type, option 53 (RFC 2132 section 9.6). Only the eight types of RFC 2131 are named; later ones
 * (FORCERENEW, lease query, ...) decode to {@link Optional#empty()}, and the proxy ignores them.
 */
public enum DhcpMessageType {
    DISCOVER(1),
    OFFER(2),
    REQUEST(3),
    DECLINE(4),
    ACK(5),
    NAK(6),
    RELEASE(7),
    INFORM(8);

    private final int code;

    DhcpMessageType(int code) {
        this.code = code;
    }

    /** The value of option 53. */
    public int code() {
        return code;
    }

    /** The type with this code, or empty for a code RFC 2131 does not define. */
    public static Optional<DhcpMessageType> fromCode(int code) {
        for (DhcpMessageType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
