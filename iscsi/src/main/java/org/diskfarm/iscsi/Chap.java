package org.diskfarm.iscsi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** CHAP with MD5 (RFC 1994, RFC 7143 section 12.1.3): responses, and the binary value encodings of section 6.1. */
final class Chap {
    /** CHAP_A value of MD5. */
    static final int MD5 = 5;

    private Chap() {
    }

    /** MD5(identifier || secret || challenge). */
    static byte[] response(int identifier, byte[] secret, byte[] challenge) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((byte) identifier);
            md5.update(secret);
            md5.update(challenge);
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    /** A binary value: {@code 0x} hex or {@code 0b} base64 (section 6.1.4); null if it is neither. */
    static byte[] decodeBinary(String value) {
        try {
            if (value.length() > 2 && (value.startsWith("0x") || value.startsWith("0X"))) {
                String hex = value.substring(2);
                if ((hex.length() & 1) == 1) {
                    hex = "0" + hex;
                }
                return HexFormat.of().parseHex(hex);
            }
            if (value.length() > 2 && (value.startsWith("0b") || value.startsWith("0B"))) {
                return Base64.getDecoder().decode(value.substring(2));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    static String hex(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }
}
