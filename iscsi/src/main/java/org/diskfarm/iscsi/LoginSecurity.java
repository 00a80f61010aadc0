package org.diskfarm.iscsi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The security stage of a login (RFC 7143 sections 6.3 and 12.1): AuthMethod None, or CHAP with MD5 when the target
 * has a secret, one-way or mutual. Keeps where the exchange stands across Login Requests; a refusal is a
 * {@link LoginFailure}.
 */
final class LoginSecurity {
    private enum Auth { NOT_STARTED, CHAP_CHOSEN, CHAP_CHALLENGED, DONE }

    private final Random random;
    private Auth auth = Auth.NOT_STARTED;
    private int chapId;
    private byte[] chapChallenge;

    LoginSecurity(Random random) {
        this.random = random;
    }

    /** Whether the initiator has authenticated (or no authentication was asked for). */
    boolean done() {
        return auth == Auth.DONE;
    }

    /**
     * The security stage's keys; true if the target holds the transit back (CHAP not finished). {@code chapRequired}:
     * {@code target} has a CHAP secret.
     */
    boolean keys(List<Map.Entry<String, String>> keys, List<Map.Entry<String, String>> reply,
            IscsiTargetInfo target, boolean chapRequired) {
        String authMethod = value(keys, "AuthMethod");
        if (authMethod != null) {
            if (auth != Auth.NOT_STARTED) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "AuthMethod offered twice");
            }
            List<String> offered = List.of(authMethod.split(","));
            if (chapRequired) {
                if (!offered.contains("CHAP")) {
                    reply.add(Map.entry("AuthMethod", "Reject"));
                    throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "target " + target.name()
                            + " needs CHAP, initiator offered " + TextKeys.shorten(authMethod));
                }
                reply.add(Map.entry("AuthMethod", "CHAP"));
                auth = Auth.CHAP_CHOSEN;
                return true;
            }
            if (!offered.contains("None")) {
                throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "no CHAP secret for this target, initiator"
                        + " offered only " + TextKeys.shorten(authMethod));
            }
            reply.add(Map.entry("AuthMethod", "None"));
            auth = Auth.DONE;
            return false;
        }
        String algorithms = value(keys, "CHAP_A");
        if (algorithms != null) {
            if (auth != Auth.CHAP_CHOSEN) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "CHAP_A without AuthMethod=CHAP");
            }
            if (!List.of(algorithms.split(",")).contains(Integer.toString(Chap.MD5))) {
                throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP without MD5: CHAP_A="
                        + TextKeys.shorten(algorithms));
            }
            chapId = random.nextInt(256);
            chapChallenge = new byte[16];
            random.nextBytes(chapChallenge);
            reply.add(Map.entry("CHAP_A", Integer.toString(Chap.MD5)));
            reply.add(Map.entry("CHAP_I", Integer.toString(chapId)));
            reply.add(Map.entry("CHAP_C", Chap.hex(chapChallenge)));
            auth = Auth.CHAP_CHALLENGED;
            return true;
        }
        String user = value(keys, "CHAP_N");
        String response = value(keys, "CHAP_R");
        if (user != null || response != null) {
            if (auth != Auth.CHAP_CHALLENGED || user == null || response == null) {
                throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_N and CHAP_R out of turn");
            }
            IscsiChap chap = target.chap();
            byte[] expected = Chap.response(chapId, chap.secret().getBytes(StandardCharsets.UTF_8), chapChallenge);
            byte[] got = Chap.decodeBinary(response);
            if (!user.equals(chap.user()) || got == null || !MessageDigest.isEqual(expected, got)) {
                throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP authentication of user "
                        + TextKeys.shorten(user) + " failed");
            }
            String mutualId = value(keys, "CHAP_I");
            String mutualChallenge = value(keys, "CHAP_C");
            if (mutualId != null || mutualChallenge != null) {
                byte[] challenge = mutualChallenge == null ? null : Chap.decodeBinary(mutualChallenge);
                int id;
                try {
                    id = mutualId == null ? -1 : Integer.decode(mutualId);
                } catch (NumberFormatException e) {
                    id = -1;
                }
                if (!chap.mutual() || challenge == null || challenge.length == 0 || id < 0 || id > 255) {
                    throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, chap.mutual()
                            ? "malformed mutual CHAP challenge" : "mutual CHAP asked, no target secret set");
                }
                if (Arrays.equals(challenge, chapChallenge)) {
                    throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE,
                            "initiator reflected our CHAP challenge");
                }
                reply.add(Map.entry("CHAP_N", chap.targetUser()));
                reply.add(Map.entry("CHAP_R", Chap.hex(Chap.response(id,
                        chap.targetSecret().getBytes(StandardCharsets.UTF_8), challenge))));
            }
            auth = Auth.DONE;
            return false;
        }
        return auth == Auth.CHAP_CHOSEN || auth == Auth.CHAP_CHALLENGED;
    }

    /** The login leaves the security stage: fine once authenticated, or when none was offered nor needed. */
    void leave(boolean chapRequired) {
        if (auth != Auth.DONE) {
            if (auth == Auth.NOT_STARTED && !chapRequired) {
                auth = Auth.DONE; // no AuthMethod offered: None
            } else {
                throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE,
                        "left the security stage before authenticating");
            }
        }
    }

    private static String value(List<Map.Entry<String, String>> keys, String name) {
        for (Map.Entry<String, String> key : keys) {
            if (key.getKey().equals(name)) {
                return key.getValue();
            }
        }
        return null;
    }
}
