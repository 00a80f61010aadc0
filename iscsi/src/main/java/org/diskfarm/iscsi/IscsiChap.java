package org.diskfarm.iscsi;

import java.util.Objects;

/**
 * CHAP secrets of a target (RFC 7143 section 12.1.3, RFC 1994): the initiator must answer the target's challenge with
 * {@code user}/{@code secret}; with mutual CHAP the target answers the initiator's challenge as
 * {@code targetUser}/{@code targetSecret}.
 *
 * @param targetUser   null unless mutual CHAP is offered
 * @param targetSecret null unless mutual CHAP is offered; must differ from {@code secret} (section 12.1.3)
 */
public record IscsiChap(String user, String secret, String targetUser, String targetSecret) {
    public IscsiChap {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(secret, "secret");
        if ((targetUser == null) != (targetSecret == null)) {
            throw new IllegalArgumentException("mutual CHAP needs both a target user and a target secret");
        }
        if (secret.equals(targetSecret)) {
            throw new IllegalArgumentException("the target's CHAP secret must differ from the initiator's");
        }
    }

    public static IscsiChap oneWay(String user, String secret) {
        return new IscsiChap(user, secret, null, null);
    }

    public boolean mutual() {
        return targetSecret != null;
    }
}
