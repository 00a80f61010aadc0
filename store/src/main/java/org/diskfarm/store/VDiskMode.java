package org.diskfarm.store;

import java.util.Locale;

/** Who may use a vDisk and how (see DOMAIN.md). */
public enum VDiskMode {
    /** One device at a time reads and writes the vDisk itself; the vDisk is locked ({@code NAME.lok}) while in use. */
    PRIVATE,
    /** Many devices share the vDisk read-only; each device's writes go to its own write cache. */
    STANDARD;

    /** The name in .pvp files and on the command line: {@code private}, {@code standard}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode for a label, or null if there is none. */
    public static VDiskMode fromLabel(String label) {
        for (VDiskMode mode : values()) {
            if (mode.label().equals(label)) {
                return mode;
            }
        }
        return null;
    }
}
