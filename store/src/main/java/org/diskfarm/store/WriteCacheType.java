package org.diskfarm.store;

import java.util.Locale;

/** Where a Standard-mode device's writes live until it boots again (see DOMAIN.md). */
public enum WriteCacheType {
    /** In server RAM, bounded by the cache size. */
    RAM,
    /** In server RAM up to the cache size, then in a file on the server. */
    RAM_OVERFLOW,
    /** In a file on the server: a differencing VHD per device. */
    SERVER_DISK;

    /** The name in .pvp files and on the command line: {@code ram}, {@code ram-overflow}, {@code server-disk}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The type for a label, or null if there is none. */
    public static WriteCacheType fromLabel(String label) {
        for (WriteCacheType type : values()) {
            if (type.label().equals(label)) {
                return type;
            }
        }
        return null;
    }
}
