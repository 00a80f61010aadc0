package org.diskfarm.store;

import java.util.Locale;

/**
 * Sizes in bytes as people write them: {@code 4096}, {@code 512K}, {@code 64MiB}, {@code 4GB}, {@code 1 T}. Every
 * unit is binary (1K = 1 KiB = 1024 bytes, 1G = 1 GiB), whether written {@code G}, {@code GB} or {@code GiB}, as disk
 * tools do; the case of the unit does not matter. Only whole numbers are accepted.
 */
public final class ByteSize {
    private static final String UNITS = "KMGTPE";

    private ByteSize() {
    }

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException with a one-line message if the text is not a size or does not fit in a long
     */
    public static long parse(String text) {
        String trimmed = text.strip();
        int digits = 0;
        while (digits < trimmed.length() && Character.isDigit(trimmed.charAt(digits))) {
            digits++;
        }
        if (digits == 0) {
            throw bad(text);
        }
        String unit = trimmed.substring(digits).strip().toUpperCase(Locale.ROOT);
        int shift = unitShift(unit);
        if (shift < 0) {
            throw bad(text);
        }
        try {
            long number = Long.parseLong(trimmed.substring(0, digits));
            if (number > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException("size too large: \"" + text + "\"");
            }
            return number << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large: \"" + text + "\"", e);
        }
    }

    /** The exact short form that {@link #parse} reads back: {@code 4GiB}, {@code 1536KiB}, or plain bytes {@code 1000}. */
    public static String format(long bytes) {
        if (bytes != 0) {
            for (int i = UNITS.length() - 1; i >= 0; i--) {
                int shift = 10 * (i + 1);
                if (bytes % (1L << shift) == 0) {
                    return (bytes >> shift) + String.valueOf(UNITS.charAt(i)) + "iB";
                }
            }
        }
        return Long.toString(bytes);
    }

    /**
     * A size for people to read: {@code 64 MiB}, {@code 1.50 GiB}, {@code 800 bytes}. Whole numbers are shown without
     * decimals, others with two.
     */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes == 1 ? "1 byte" : bytes + " bytes";
        }
        int i = 0;
        while (i + 1 < UNITS.length() && bytes >= (1L << (10 * (i + 2)))) {
            i++;
        }
        long unit = 1L << (10 * (i + 1));
        String suffix = " " + UNITS.charAt(i) + "iB";
        if (bytes % unit == 0) {
            return (bytes / unit) + suffix;
        }
        return String.format(Locale.ROOT, "%.2f", (double) bytes / unit) + suffix;
    }

    /** Bits to shift for a unit: "" and "B" are bytes; "K", "KB" and "KiB" are KiB, and so on; -1 if unknown. */
    private static int unitShift(String unit) {
        if (unit.isEmpty() || unit.equals("B")) {
            return 0;
        }
        int index = UNITS.indexOf(unit.charAt(0));
        String rest = unit.substring(1);
        if (index < 0 || !(rest.isEmpty() || rest.equals("B") || rest.equals("IB"))) {
            return -1;
        }
        return 10 * (index + 1);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("not a size: \"" + text
                + "\" (expected bytes, or a whole number with K, M, G or T, e.g. 4096, 512M, 4GiB)");
    }
}
