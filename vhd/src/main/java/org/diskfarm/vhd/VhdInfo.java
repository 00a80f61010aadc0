package org.diskfarm.vhd;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a VHD file says about itself, as {@code vdisk info} shows it.
 *
 * @param file                the path as given
 * @param type                fixed, dynamic or differencing
 * @param virtualSize         bytes the disk holds
 * @param geometry            the footer's CHS geometry
 * @param blockSize           bytes per block (0 for fixed disks)
 * @param allocatedBytes      bytes of virtual disk stored in this file (allocated blocks × block size; the whole
 *                            size for fixed disks)
 * @param fileSize            bytes of the file
 * @param uniqueId            the footer's Unique Id
 * @param timestamp           the footer's time stamp
 * @param creatorApplication  the footer's Creator Application, for example {@code "dfrm"}, {@code "qemu"}
 * @param parent              for a differencing disk its parent, resolved, and so on up the chain; else null
 * @param parentUniqueId      the parent's Unique Id as this file records it (null unless differencing)
 * @param parentTimestamp     the parent's time stamp as this file records it (null unless differencing)
 * @param footerRecovered     the footer at the end was damaged and the copy at the start was used
 */
public record VhdInfo(String file, VhdType type, long virtualSize, Geometry geometry, int blockSize,
                      long allocatedBytes, long fileSize, UUID uniqueId, Instant timestamp,
                      String creatorApplication, VhdInfo parent, UUID parentUniqueId, Instant parentTimestamp,
                      boolean footerRecovered) {

    /** This file and its parents, child first. */
    public List<VhdInfo> chain() {
        java.util.ArrayList<VhdInfo> chain = new java.util.ArrayList<>();
        for (VhdInfo at = this; at != null; at = at.parent) {
            chain.add(at);
        }
        return chain;
    }
}
