package org.diskfarm.iscsi.scsi;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.diskfarm.block.BlockDevice;

/**
 * A disk logical unit as all sessions to one target share it: its identity and the state that SCSI keeps per logical
 * unit rather than per connection (reservations, unit attentions per nexus, changeable mode pages). Thread-safe. Each
 * session reaches it through its own {@link ScsiDisk}, which adds the session's block device.
 *
 * <p>The transport calls {@link #attach} when a session logs in to the target, {@link ScsiDisk#detach} when the
 * session ends for any reason (logout, connection loss, reinstatement), and {@link #reset} for the task management
 * functions LOGICAL UNIT RESET, TARGET WARM RESET and TARGET COLD RESET.
 */
public final class ScsiLogicalUnit {
    /** Unit attention POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (SPC-4 annex D). */
    static final int RESET_OCCURRED = 0x2900;
    /** MODE PARAMETERS CHANGED: another nexus changed a mode page that all nexuses share (SPC-4 mode parameters). */
    static final int MODE_PARAMETERS_CHANGED = 0x2a01;

    private final ScsiIdentity identity;
    private final Map<ScsiNexus, UnitAttentions> attentions = new HashMap<>();
    private final Reservations reservations = new Reservations(this);
    /** WCE of the caching mode page, shared by all nexuses; false makes every write FUA. */
    private volatile boolean writeCache = true;
    /** Serialises COMPARE AND WRITE and ORWRITE, the read-modify-write commands, against each other. */
    private final Object readModifyWrite = new Object();

    public ScsiLogicalUnit(ScsiIdentity identity) {
        this.identity = Objects.requireNonNull(identity);
    }

    public ScsiIdentity identity() {
        return identity;
    }

    /** The logical unit as one session (one I_T nexus) sees it, on that session's device. */
    public ScsiDisk attach(BlockDevice device, ScsiNexus nexus) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(nexus, "nexus");
        if (device.logicalBlockSize() != ScsiDisk.BLOCK) {
            throw new IllegalArgumentException("only 512-byte logical blocks are supported, not "
                    + device.logicalBlockSize());
        }
        UnitAttentions queue;
        synchronized (attentions) {
            queue = attentions.computeIfAbsent(nexus, n -> new UnitAttentions());
            queue.sessions++;
        }
        return new ScsiDisk(this, device, nexus, queue);
    }

    /**
     * LOGICAL UNIT RESET or a target reset (TARGET WARM/COLD RESET) arriving through nexus {@code by} (SAM-5):
     * releases the reservation made with RESERVE(6)/(10) (persistent reservations survive resets, SPC-4), puts the
     * mode pages back to their defaults, and queues unit attention POWER ON, RESET, OR BUS DEVICE RESET OCCURRED for
     * every nexus. {@code by} gets one too: SAM-5 sets the condition for every I_T nexus, and initiators (and
     * libiscsi's MultipathIO.Reset test) expect it on the path that sent the reset. Aborting the tasks in flight is
     * the transport's part.
     */
    public void reset(ScsiNexus by) {
        Objects.requireNonNull(by, "by");
        reservations.releaseReserve6();
        writeCache = true;
        queueForOthers(null, RESET_OCCURRED);
    }

    /** True while RESERVE(6)/(10) or a persistent reservation is in effect; for logging and tests. */
    public boolean isReserved() {
        return reservations.isActive();
    }

    void detach(ScsiNexus nexus, UnitAttentions queue) {
        boolean last;
        synchronized (attentions) {
            last = --queue.sessions == 0;
            if (last) {
                attentions.remove(nexus, queue);
            }
        }
        if (last) {
            // SPC-4 (RESERVE/RELEASE): I_T nexus loss releases the nexus's reservation; persistent
            // reservations and registrations stay (SPC-4).
            reservations.nexusLost(nexus);
        }
    }

    Reservations reservations() {
        return reservations;
    }

    boolean writeCache() {
        return writeCache;
    }

    /** MODE SELECT changed WCE through {@code by}: the other nexuses learn it from a unit attention. */
    void writeCache(boolean enabled, ScsiNexus by) {
        if (writeCache != enabled) {
            writeCache = enabled;
            queueForOthers(by, MODE_PARAMETERS_CHANGED);
        }
    }

    Object readModifyWriteLock() {
        return readModifyWrite;
    }

    /** Queues unit attention {@code code} ({@code asc << 8 | ascq}) for {@code nexus} if it has a session. */
    void queue(ScsiNexus nexus, int code) {
        UnitAttentions queue;
        synchronized (attentions) {
            queue = attentions.get(nexus);
        }
        if (queue != null) {
            queue.add(code);
        }
    }

    void queueForOthers(ScsiNexus except, int code) {
        synchronized (attentions) {
            for (Map.Entry<ScsiNexus, UnitAttentions> e : attentions.entrySet()) {
                if (!e.getKey().equals(except)) {
                    e.getValue().add(code);
                }
            }
        }
    }
}
