package org.diskfarm.server;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.IoStats;
import org.diskfarm.block.StatsDevice;

/**
 * This server's I/O totals per vDisk: every connection to a vDisk (by its name, or through a device assigned to it)
 * counts into that vDisk's one {@link IoStats}. Metrics are labelled per vDisk and never per device, so that their
 * number stays that of the vDisks, not of the machines booting from them.
 *
 * <p>A vDisk's totals, once made, live as long as this object: counters must only grow, so a vDisk that goes quiet
 * keeps its totals (and a vDisk removed and added again continues them).
 *
 * <p>Threads: safe.
 */
public final class VDiskStats {
    private final ConcurrentMap<String, IoStats> byVDisk = new ConcurrentHashMap<>();

    /** The totals of {@code vdisk}, made now if this is its first use. */
    public IoStats of(String vdisk) {
        Objects.requireNonNull(vdisk);
        IoStats stats = byVDisk.get(vdisk); // the common case, without the lock computeIfAbsent may take
        return stats != null ? stats : byVDisk.computeIfAbsent(vdisk, name -> new IoStats());
    }

    /**
     * {@code device} counting into the totals of {@code vdisk}.
     *
     * @param zeroCopyMin the protocol's zero-copy threshold (NBD's {@code zeroCopyMinBytes}): see {@link StatsDevice}
     */
    public StatsDevice count(String vdisk, BlockDevice device, long zeroCopyMin) {
        return new StatsDevice(device, of(vdisk), zeroCopyMin);
    }

    /** Every vDisk used so far, with its totals: a live, unmodifiable view. */
    public Map<String, IoStats> all() {
        return Collections.unmodifiableMap(byVDisk);
    }

    /** Bytes read from all vDisks, for the server's own totals (the API's {@code Server.bytesRead}). */
    public long bytesRead() {
        long sum = 0;
        for (IoStats stats : byVDisk.values()) {
            sum += stats.bytesRead();
        }
        return sum;
    }

    /** Bytes written to all vDisks (the API's {@code Server.bytesWritten}). */
    public long bytesWritten() {
        long sum = 0;
        for (IoStats stats : byVDisk.values()) {
            sum += stats.bytesWritten();
        }
        return sum;
    }
}
