package org.diskfarm.vhd;

/**
 * Cylinder/head/sector geometry as stored in a VHD footer, computed exactly as the VHD specification's
 * "CHS Calculation" appendix does. Virtual PC and QEMU (for files whose creator is not Hyper-V) take a disk's size from
 * this geometry rather than from the footer's Current Size, so diskfarm writes sizes that the geometry represents
 * exactly (see {@link Vhd#roundedSize(long)}).
 */
public record Geometry(int cylinders, int heads, int sectorsPerTrack) {

    /** The largest geometry the specification allows: 65535 cylinders, 16 heads, 255 sectors per track. */
    public static final Geometry MAX = new Geometry(65535, 16, 255);

    /** Sectors the geometry addresses: cylinders × heads × sectors per track. */
    public long sectors() {
        return (long) cylinders * heads * sectorsPerTrack;
    }

    /** The geometry the specification computes for a disk of {@code totalSectors} 512-byte sectors. */
    public static Geometry forSectors(long totalSectors) {
        long sectors = Math.min(totalSectors, MAX.sectors());
        int sectorsPerTrack;
        int heads;
        long cylinderTimesHeads;
        if (sectors >= 65535L * 16 * 63) {
            sectorsPerTrack = 255;
            heads = 16;
            cylinderTimesHeads = sectors / sectorsPerTrack;
        } else {
            sectorsPerTrack = 17;
            cylinderTimesHeads = sectors / sectorsPerTrack;
            heads = (int) ((cylinderTimesHeads + 1023) / 1024);
            if (heads < 4) {
                heads = 4;
            }
            if (cylinderTimesHeads >= heads * 1024L || heads > 16) {
                sectorsPerTrack = 31;
                heads = 16;
                cylinderTimesHeads = sectors / sectorsPerTrack;
            }
            if (cylinderTimesHeads >= heads * 1024L) {
                sectorsPerTrack = 63;
                heads = 16;
                cylinderTimesHeads = sectors / sectorsPerTrack;
            }
        }
        int cylinders = (int) (cylinderTimesHeads / heads);
        return new Geometry(cylinders, heads, sectorsPerTrack);
    }

    @Override
    public String toString() {
        return cylinders + "/" + heads + "/" + sectorsPerTrack;
    }
}
