package org.diskfarm.farm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The API tokens that allow changes. The farm keeps only their SHA-256: a token is shown once, when it is made.
 * The first server to open a farm database without a token makes one ({@link #createFirst}).
 */
public final class ApiTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Farm farm;

    ApiTokens(Farm farm) {
        this.farm = farm;
    }

    /**
     * Makes the farm's first token if it has none.
     *
     * @return the new token, to be shown once; empty if the farm has a token already (another server may have won
     *         the race to make it)
     */
    public Optional<String> createFirst() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String token = "df_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return farm.db().inTransaction(h -> {
            long tokens = h.createQuery("SELECT COUNT(*) FROM api_tokens").mapTo(Long.class).one();
            if (tokens > 0) {
                return Optional.<String>empty();
            }
            int made = h.createUpdate("INSERT INTO api_tokens (name, sha256, created_at) VALUES ('admin', ?, ?) "
                    + "ON CONFLICT (name) DO NOTHING").bind(0, sha256(token)).bind(1, farm.now()).execute();
            if (made == 1) {
                AuditLog.record(h, farm, "farm", "token.create", "admin", "the first API token");
            }
            return made == 1 ? Optional.of(token) : Optional.<String>empty();
        });
    }

    /** True if {@code token} is one of the farm's tokens. */
    public boolean valid(String token) {
        List<String> hashes = farm.db().withHandle(h -> h.createQuery("SELECT sha256 FROM api_tokens")
                .mapTo(String.class).list());
        byte[] given = sha256(token).getBytes(StandardCharsets.US_ASCII);
        boolean found = false;
        for (String hash : hashes) {
            found |= MessageDigest.isEqual(given, hash.getBytes(StandardCharsets.US_ASCII));
        }
        return found;
    }

    /** The hex SHA-256 of a token's UTF-8 bytes. */
    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
