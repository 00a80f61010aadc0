package org.diskfarm.farm;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * A target device's identity: the 48-bit MAC address of the network card it boots from. Written in lower case with
 * colons ({@code 52:54:00:12:34:56}), the form NBD export names, boot script URLs and the farm use; read also with
 * dashes ({@code 52-54-00-12-34-56}, as Windows and PVS write it) or as 12 bare hex digits.
 */
public record MacAddress(long value) implements Comparable<MacAddress> {

    public MacAddress {
        if (value < 0 || value > 0xFFFF_FFFF_FFFFL) {
            throw new IllegalArgumentException("a MAC address has 48 bits: " + Long.toHexString(value));
        }
    }

    /**
     * Parses a MAC address.
     *
     * @throws IllegalArgumentException with a message that quotes the text if it is not one
     */
    public static MacAddress parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException(
                "not a MAC address: '" + text + "' (expected six hex pairs like 52:54:00:12:34:56)"));
    }

    /** Parses a MAC address, or empty if {@code text} is not one. */
    public static Optional<MacAddress> tryParse(String text) {
        String hex;
        if (text.length() == 17) {
            char separator = text.charAt(2);
            if (separator != ':' && separator != '-') {
                return Optional.empty();
            }
            StringBuilder digits = new StringBuilder(12);
            for (int i = 0; i < 17; i++) {
                if (i % 3 == 2) {
                    if (text.charAt(i) != separator) {
                        return Optional.empty();
                    }
                } else {
                    digits.append(text.charAt(i));
                }
            }
            hex = digits.toString();
        } else if (text.length() == 12) {
            hex = text;
        } else {
            return Optional.empty();
        }
        for (int i = 0; i < hex.length(); i++) {
            if (!HexFormat.isHexDigit(hex.charAt(i))) { // ASCII only; Character.digit also takes e.g. fullwidth digits
                return Optional.empty();
            }
        }
        return Optional.of(new MacAddress(HexFormat.fromHexDigitsToLong(hex)));
    }

    /** Twelve lower-case hex digits without separators, for file names and iSCSI names. */
    public String bare() {
        return String.format(Locale.ROOT, "%012x", value);
    }

    /** Lower case with colons: {@code 52:54:00:12:34:56}. */
    @Override
    public String toString() {
        String bare = bare();
        StringBuilder text = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                text.append(':');
            }
            text.append(bare, i, i + 2);
        }
        return text.toString();
    }

    @Override
    public int compareTo(MacAddress other) {
        return Long.compare(value, other.value);
    }
}
