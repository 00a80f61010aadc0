package org.diskfarm.farm;

import java.util.Objects;

/**
 * The CHAP secrets that guard one iSCSI target (RFC 7143 section 12.1.3): the initiator proves {@code user} and
 * {@code secret}; with mutual CHAP the target answers the initiator's challenge as {@code targetUser} with
 * {@code targetSecret}.
 *
 * @param targetUser   null unless mutual CHAP
 * @param targetSecret null unless mutual CHAP; differs from {@code secret}
 */
public record ChapSecret(String user, String secret, String targetUser, String targetSecret) {
    /** RFC 7143 section 12.1.3 asks for at least 96 bits; Windows' initiator wants 12 to 16 characters. */
    public static final int MIN_SECRET_LENGTH = 12;

    public ChapSecret {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(secret, "secret");
        if (user.isEmpty() || secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("a CHAP user must not be empty and a secret must have at least "
                    + MIN_SECRET_LENGTH + " characters");
        }
        if ((targetUser == null) != (targetSecret == null)) {
            throw new IllegalArgumentException("mutual CHAP needs both target_user and target_secret");
        }
        if (targetSecret != null && (targetUser.isEmpty() || targetSecret.length() < MIN_SECRET_LENGTH)) {
            throw new IllegalArgumentException("a mutual CHAP target user must not be empty and its secret must "
                    + "have at least " + MIN_SECRET_LENGTH + " characters");
        }
        if (secret.equals(targetSecret)) {
            throw new IllegalArgumentException("the target's secret must differ from the initiator's (RFC 7143 "
                    + "section 12.1.3)");
        }
    }

    public boolean mutual() {
        return targetSecret != null;
    }
}
