package org.diskfarm.vhd;

import java.nio.file.Path;

/**
 * The entry points of the VHD library: open, create, describe and check VHD files (Microsoft Virtual Hard Disk Image
 * Format Specification 1.0). Everything returned is a {@link VhdDevice}, a {@code BlockDevice} like any other.
 *
 * <p>Errors are {@code StorageException}s whose one-line message names the file and the problem; a damaged file gives
 * kind CORRUPT, a missing file or parent NOT_FOUND.
 */
public final class Vhd {
    private Vhd() {
    }

    /** Opens a VHD file, and for a differencing disk its parents (read-only). */
    public static VhdDevice open(Path file, VhdOptions options) {
        return VhdChain.open(file, options);
    }

    public static VhdDevice open(Path file, boolean writable) {
        return open(file, writable ? VhdOptions.readWrite() : VhdOptions.readOnly());
    }

    /** Creates a new VHD file (it must not exist) and returns it opened for writing. */
    public static VhdDevice create(Path file, VhdSpec spec, VhdOptions options) {
        VhdCreator.create(file, spec, options);
        return open(file, options);
    }

    public static VhdDevice create(Path file, VhdSpec spec) {
        return create(file, spec, VhdOptions.readWrite());
    }

    /** What the file (and its parent chain) says about itself; recovers nothing and writes nothing. */
    public static VhdInfo info(Path file) {
        try (VhdDevice device = open(file, VhdOptions.readOnly())) {
            return device.info();
        }
    }

    /** A strict structure check of the file and its parents; never throws for a damaged file, it reports. */
    public static VhdCheckReport check(Path file) {
        return VhdChecker.check(file, VhdOptions.readOnly());
    }

    public static VhdCheckReport check(Path file, VhdOptions options) {
        return VhdChecker.check(file, options);
    }

    /**
     * The virtual size a new disk of {@code requested} bytes gets: rounded up to whole sectors and then, up to the
     * largest size CHS geometry can address (about 127 GiB), to the next size that the geometry represents exactly.
     * Virtual PC and QEMU size such disks by their geometry, Hyper-V by the footer's Current Size: with this rounding
     * every reader sees the same size. QEMU's {@code qemu-img create -f vpc} rounds the same way.
     */
    public static long roundedSize(long requested) {
        return VhdCreator.roundedSize(requested);
    }
}
