package org.diskfarm.vhd;

/** The three kinds of VHD file (VHD specification, "Disk Type" field of the footer). */
public enum VhdType {
    /** All data in one run, followed by the footer. */
    FIXED(2),
    /** Blocks allocated on first write, located through the Block Allocation Table. */
    DYNAMIC(3),
    /** Like dynamic, but sectors not written in this file are read from a parent disk. */
    DIFFERENCING(4);

    private final int code;

    VhdType(int code) {
        this.code = code;
    }

    /** The value of the footer's Disk Type field. */
    public int code() {
        return code;
    }

    /** The type for a Disk Type field, or null for codes that are not a disk type we open (0 None, 1 and 5 Reserved). */
    public static VhdType fromCode(int code) {
        for (VhdType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }

    /** Lower-case name as the CLI and JSON show it: fixed, dynamic, differencing. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
