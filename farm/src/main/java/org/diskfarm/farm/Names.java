package org.diskfarm.farm;

import java.util.regex.Pattern;

/** The names the farm gives things (stores, vDisks, devices, collections, servers): one rule for all of them. */
final class Names {
    /** Letters, digits, {@code . _ -}, starting with a letter or digit, at most 128 characters (as vDisk names). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private Names() {
    }

    /** Returns {@code name} if valid. */
    static String check(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw FarmException.invalid("not a valid " + what + " name: '" + name + "' (letters, digits, . _ -; at "
                    + "most 128 characters, starting with a letter or digit)");
        }
        return name;
    }

    /** Returns {@code text} if it fits a description column. */
    static String description(String text) {
        if (text == null) {
            return "";
        }
        if (text.length() > 1024 || text.chars().anyMatch(c -> c < 0x20)) {
            throw FarmException.invalid("a description is one line of at most 1024 characters");
        }
        return text;
    }
}
