package org.diskfarm.iscsi.scsi;

import java.util.ArrayDeque;

/**
 * The unit attention conditions queued for one I_T nexus (SAM-5, SPC-4): reported one per command, oldest
 * first, to every command except INQUIRY, REPORT LUNS and REQUEST SENSE. The empty check is a volatile read, so the
 * data path pays nothing while none is pending.
 */
final class UnitAttentions {
    /** SPC-4 allows a device to drop conditions it cannot queue; a few distinct ones are all a nexus ever collects. */
    private static final int MAXIMUM = 8;

    private final ArrayDeque<Integer> pending = new ArrayDeque<>();
    private volatile int count;
    /** Sessions attached through this nexus; guarded by the logical unit. */
    int sessions;

    boolean isEmpty() {
        return count == 0;
    }

    /** Queues ASC/ASCQ {@code code} ({@code asc << 8 | ascq}) unless it is already pending. */
    synchronized void add(int code) {
        if (!pending.contains(code)) {
            if (pending.size() == MAXIMUM) {
                pending.removeLast();
            }
            pending.addLast(code);
            count = pending.size();
        }
    }

    /** The oldest condition as sense data, removed from the queue; null if none is pending. */
    synchronized byte[] poll() {
        Integer code = pending.pollFirst();
        count = pending.size();
        return code == null ? null : Sense.unitAttention(code >>> 8, code & 0xff);
    }

    synchronized void clear() {
        pending.clear();
        count = 0;
    }
}
