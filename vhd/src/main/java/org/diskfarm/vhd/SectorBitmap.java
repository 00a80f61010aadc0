package org.diskfarm.vhd;

/**
 * Bit arithmetic on a block's sector bitmap: one bit per sector, the most significant bit of the first byte for the
 * block's first sector (VHD specification, "Block Bitmap"). A set bit means the sector's data is in this file; a
 * clear bit means it reads as zeros (dynamic disk) or from the parent (differencing disk).
 */
final class SectorBitmap {
    private SectorBitmap() {
    }

    static boolean get(byte[] bitmap, int sector) {
        return (bitmap[sector >>> 3] & (0x80 >>> (sector & 7))) != 0;
    }

    /** Sets or clears {@code [from, to)}; returns true if any bit changed. */
    static boolean set(byte[] bitmap, int from, int to, boolean value) {
        boolean changed = false;
        for (int sector = from; sector < to; sector++) {
            int mask = 0x80 >>> (sector & 7);
            int old = bitmap[sector >>> 3];
            int now = value ? old | mask : old & ~mask;
            if (now != old) {
                bitmap[sector >>> 3] = (byte) now;
                changed = true;
            }
        }
        return changed;
    }

    /** True if every bit of {@code [from, to)} equals {@code value}. */
    static boolean all(byte[] bitmap, int from, int to, boolean value) {
        return runEnd(bitmap, from, to) == to && (from == to || get(bitmap, from) == value);
    }

    /** The first sector at or after {@code from} (and before {@code to}) whose bit differs from {@code from}'s. */
    static int runEnd(byte[] bitmap, int from, int to) {
        if (from >= to) {
            return to;
        }
        boolean value = get(bitmap, from);
        int wholeByte = value ? 0xff : 0x00;
        int sector = from + 1;
        while (sector < to) {
            if ((sector & 7) == 0 && sector + 8 <= to && (bitmap[sector >>> 3] & 0xff) == wholeByte) {
                sector += 8;
            } else if (get(bitmap, sector) == value) {
                sector++;
            } else {
                return sector;
            }
        }
        return to;
    }
}
