package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reservations of one logical unit: RESERVE(6)/(10) and RELEASE (SPC-2)
 * and persistent reservations (SPC-4, PERSISTENT RESERVE IN/OUT), keyed by I_T nexus. Not persisted: APTPL is
 * refused, so everything is lost with the process, as a power loss would lose it.
 *
 * <p>Thread-safe: every method locks this object. The access check on the data path is a volatile read while no
 * reservation exists, which is always the case in a boot storm.
 */
final class Reservations {
    /** Command classes for {@link #checkAccess} (SPC-4 persistent reservation access table; SPC-2 reservations). */
    static final int EXEMPT = 0;        // INQUIRY, REPORT LUNS, REQUEST SENSE: never in conflict
    static final int PERSISTENT = 1;    // PERSISTENT RESERVE IN/OUT: their own rules
    static final int RESERVE = 2;       // RESERVE/RELEASE(6)/(10): their own rules
    static final int METADATA = 3;      // TEST UNIT READY, READ CAPACITY, REPORT SUPPORTED OPERATION CODES
    static final int READ = 4;          // reads of the medium and of mode pages
    static final int WRITE = 5;         // everything that changes the medium or the unit's state

    static final int WRITE_EXCLUSIVE = 1;
    static final int EXCLUSIVE_ACCESS = 3;
    static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5;
    static final int EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 6;
    static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;
    static final int EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 8;

    private static final int RESERVATIONS_PREEMPTED = 0x2a03;
    private static final int RESERVATIONS_RELEASED = 0x2a04;
    private static final int REGISTRATIONS_PREEMPTED = 0x2a05;

    private final ScsiLogicalUnit unit;
    private final Map<ScsiNexus, Long> registrations = new LinkedHashMap<>();
    private int generation;
    /** Persistent reservation type, 0 for none. */
    private int type;
    /** Holder of a persistent reservation of a type that has one (not the all-registrants types). */
    private ScsiNexus holder;
    /** Holder of the RESERVE(6)/(10) reservation. */
    private ScsiNexus reserve6Holder;
    private volatile boolean active;

    Reservations(ScsiLogicalUnit unit) {
        this.unit = unit;
    }

    boolean isActive() {
        return active;
    }

    private void updateActive() {
        active = type != 0 || reserve6Holder != null;
    }

    /** Throws RESERVATION CONFLICT if a reservation keeps {@code nexus} from a command of class {@code access}. */
    void checkAccess(ScsiNexus nexus, int access) {
        if (!active || access == EXEMPT) {
            return;
        }
        synchronized (this) {
            if (reserve6Holder != null) {
                if (!reserve6Holder.equals(nexus) && access != RESERVE) {
                    throw ScsiError.reservationConflict();
                }
                return;
            }
            if (type == 0 || access == PERSISTENT || access == METADATA || isHolder(nexus)) {
                return;
            }
            boolean registered = registrations.containsKey(nexus);
            boolean allowed = switch (type) {
                case WRITE_EXCLUSIVE -> access == READ;
                case WRITE_EXCLUSIVE_REGISTRANTS_ONLY, WRITE_EXCLUSIVE_ALL_REGISTRANTS -> registered || access == READ;
                case EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, EXCLUSIVE_ACCESS_ALL_REGISTRANTS -> registered;
                default -> false;
            };
            if (!allowed) {
                throw ScsiError.reservationConflict();
            }
        }
    }

    private static boolean allRegistrants(int type) {
        return type == WRITE_EXCLUSIVE_ALL_REGISTRANTS || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    private static boolean registrantsOnly(int type) {
        return type == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
    }

    /** SPC-4: with an all-registrants type every registrant holds the reservation. */
    private boolean isHolder(ScsiNexus nexus) {
        return type != 0 && (allRegistrants(type) ? registrations.containsKey(nexus) : nexus.equals(holder));
    }

    // ---- RESERVE(6)/(10), RELEASE(6)/(10)

    /**
     * RESERVE(6)/(10). SPC-3 (exceptions to SPC-2 RESERVE and RELEASE behaviour): while any nexus is registered for
     * persistent reservations, RESERVE and RELEASE conflict, whoever sends them.
     */
    synchronized void reserve6(ScsiNexus nexus) {
        if (!registrations.isEmpty() || (reserve6Holder != null && !reserve6Holder.equals(nexus))) {
            throw ScsiError.reservationConflict();
        }
        reserve6Holder = nexus;
        updateActive();
    }

    /** SPC-2 RELEASE: a RELEASE from a nexus that holds nothing is GOOD and does nothing. */
    synchronized void release6(ScsiNexus nexus) {
        if (!registrations.isEmpty()) {
            throw ScsiError.reservationConflict();
        }
        if (nexus.equals(reserve6Holder)) {
            reserve6Holder = null;
            updateActive();
        }
    }

    synchronized void releaseReserve6() {
        reserve6Holder = null;
        updateActive();
    }

    synchronized void nexusLost(ScsiNexus nexus) {
        if (nexus.equals(reserve6Holder)) {
            reserve6Holder = null;
            updateActive();
        }
    }

    // ---- PERSISTENT RESERVE IN (SPC-4)

    synchronized ByteBuffer readKeys() {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * registrations.size());
        b.putInt(generation).putInt(8 * registrations.size());
        for (long key : registrations.values()) {
            b.putLong(key);
        }
        return b.flip();
    }

    synchronized ByteBuffer readReservation() {
        ByteBuffer b = ByteBuffer.allocate(type == 0 ? 8 : 24);
        b.putInt(generation).putInt(type == 0 ? 0 : 16);
        if (type != 0) {
            // SPC-4 READ RESERVATION: the all-registrants types report key 0.
            b.putLong(allRegistrants(type) ? 0 : registrations.getOrDefault(holder, 0L));
            b.putInt(0).put((byte) 0).put((byte) type).putShort((short) 0);
        }
        return b.flip();
    }

    /** SPC-4 REPORT CAPABILITIES: what this unit supports: all six types, no APTPL, SPEC_I_PT or ALL_TG_PT. */
    static ByteBuffer reportCapabilities() {
        ByteBuffer b = ByteBuffer.allocate(8);
        b.putShort((short) 8);
        b.put((byte) 0x00);
        b.put((byte) 0x80); // TMV: the type mask is valid; ALLOW COMMANDS 0
        b.put((byte) 0xea); // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
        b.put((byte) 0x01); // EX_AC_AR
        b.putShort((short) 0);
        return b.flip();
    }

    synchronized ByteBuffer readFullStatus() {
        List<byte[]> descriptors = new ArrayList<>();
        int total = 0;
        for (Map.Entry<ScsiNexus, Long> e : registrations.entrySet()) {
            byte[] transportId = transportId(e.getKey());
            ByteBuffer d = ByteBuffer.allocate(24 + transportId.length);
            d.putLong(e.getValue()).putInt(0);
            boolean holds = isHolder(e.getKey());
            d.put((byte) (holds ? 0x01 : 0x00)).put((byte) (holds ? type : 0)).putInt(0).putShort((short) 1);
            d.putInt(transportId.length).put(transportId);
            descriptors.add(d.array());
            total += d.capacity();
        }
        ByteBuffer b = ByteBuffer.allocate(8 + total);
        b.putInt(generation).putInt(total);
        descriptors.forEach(b::put);
        return b.flip();
    }

    /**
     * The iSCSI TransportID of the initiator port (SPC-4, format 01b): the port name, which is the initiator name
     * with ",i,0x" and the ISID, NUL-terminated and padded to a multiple of four bytes (at least 20).
     */
    static byte[] transportId(ScsiNexus nexus) {
        byte[] name = nexus.initiatorPort().getBytes(StandardCharsets.UTF_8);
        int length = Math.max(20, (name.length + 1 + 3) & ~3);
        ByteBuffer b = ByteBuffer.allocate(4 + length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) length).put(name);
        return b.array();
    }

    // ---- PERSISTENT RESERVE OUT (SPC-4)

    static final int REGISTER = 0;
    static final int RESERVE_SA = 1;
    static final int RELEASE_SA = 2;
    static final int CLEAR = 3;
    static final int PREEMPT = 4;
    static final int PREEMPT_AND_ABORT = 5;
    static final int REGISTER_AND_IGNORE = 6;

    static boolean validType(int type) {
        return type == WRITE_EXCLUSIVE || type == EXCLUSIVE_ACCESS || (type >= 5 && type <= 8);
    }

    /**
     * REGISTER and REGISTER AND IGNORE EXISTING KEY (SPC-4). PRgeneration counts every change; registering key
     * 0 from an unregistered nexus changes nothing and is not counted (SPC-4 PRGENERATION).
     */
    synchronized void register(ScsiNexus nexus, long key, long newKey, boolean ignoreExisting) {
        Long current = registrations.get(nexus);
        if (current == null) {
            if (!ignoreExisting && key != 0) {
                throw ScsiError.reservationConflict();
            }
            if (newKey == 0) {
                return;
            }
            registrations.put(nexus, newKey);
        } else {
            if (!ignoreExisting && key != current) {
                throw ScsiError.reservationConflict();
            }
            if (newKey == 0) {
                unregister(nexus);
            } else {
                registrations.put(nexus, newKey);
            }
        }
        generation++;
    }

    /** SPC-4: a holder that unregisters releases the reservation, unless others still hold it. */
    private void unregister(ScsiNexus nexus) {
        boolean held = isHolder(nexus);
        registrations.remove(nexus);
        if (held && (!allRegistrants(type) || registrations.isEmpty())) {
            int released = type;
            clearReservation();
            if (registrantsOnly(released)) {
                queueForRegistrants(nexus, RESERVATIONS_RELEASED);
            }
        }
    }

    private void clearReservation() {
        type = 0;
        holder = null;
        updateActive();
    }

    private void checkRegistered(ScsiNexus nexus, long key) {
        Long current = registrations.get(nexus);
        if (current == null || current != key) {
            throw ScsiError.reservationConflict();
        }
    }

    synchronized void reserve(ScsiNexus nexus, long key, int newType) {
        checkRegistered(nexus, key);
        if (reserve6Holder != null && !reserve6Holder.equals(nexus)) {
            throw ScsiError.reservationConflict();
        }
        if (type != 0) {
            // SPC-4: the holder may repeat its reservation; anything else conflicts.
            if (!isHolder(nexus) || type != newType) {
                throw ScsiError.reservationConflict();
            }
            return;
        }
        type = newType;
        holder = allRegistrants(newType) ? null : nexus;
        updateActive();
    }

    synchronized void release(ScsiNexus nexus, long key, int releaseType) {
        checkRegistered(nexus, key);
        if (type == 0 || !isHolder(nexus)) {
            return;
        }
        if (type != releaseType) {
            throw ScsiError.check(Sense.invalidReleaseOfPersistentReservation());
        }
        int released = type;
        clearReservation();
        // SPC-4 RELEASE: the other registrants learn of a released registrants-only or all-registrants reservation.
        if (released != WRITE_EXCLUSIVE && released != EXCLUSIVE_ACCESS) {
            queueForRegistrants(nexus, RESERVATIONS_RELEASED);
        }
    }

    synchronized void clear(ScsiNexus nexus, long key) {
        checkRegistered(nexus, key);
        queueForRegistrants(nexus, RESERVATIONS_PREEMPTED);
        registrations.clear();
        clearReservation();
        generation++;
    }

    /** SPC-4: PREEMPT (and PREEMPT AND ABORT; aborting the preempted tasks is the transport's part). */
    synchronized void preempt(ScsiNexus nexus, long key, long victimKey, int newType) {
        checkRegistered(nexus, key);
        boolean preemptsReservation = type != 0
                && (allRegistrants(type) ? victimKey == 0 : registrations.get(holder) == victimKey);
        if (!preemptsReservation) {
            if (victimKey == 0) {
                throw ScsiError.invalidParameter(8);
            }
            if (!removeRegistrations(nexus, victimKey, false)) {
                throw ScsiError.reservationConflict();
            }
        } else {
            removeRegistrations(nexus, victimKey, allRegistrants(type));
            type = newType;
            holder = allRegistrants(newType) ? null : nexus;
            updateActive();
        }
        generation++;
    }

    /** Removes the registrations with {@code victimKey} (or all others if {@code everyone}) but the preempter's. */
    private boolean removeRegistrations(ScsiNexus preempter, long victimKey, boolean everyone) {
        boolean removed = false;
        var it = registrations.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ScsiNexus, Long> e = it.next();
            if (!e.getKey().equals(preempter) && (everyone || e.getValue() == victimKey)) {
                unit.queue(e.getKey(), REGISTRATIONS_PREEMPTED);
                it.remove();
                removed = true;
            }
        }
        return removed;
    }

    private void queueForRegistrants(ScsiNexus except, int code) {
        for (ScsiNexus n : registrations.keySet()) {
            if (!n.equals(except)) {
                unit.queue(n, code);
            }
        }
    }
}
