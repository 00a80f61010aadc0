package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * The CDBs and parameter lists of PERSISTENT RESERVE IN/OUT (SPC-4) and RESERVE/RELEASE (6)/(10)
 * (SPC-2), decoded and checked before {@link Reservations} changes any state.
 */
final class ReservationCommands {
    /** The basic PERSISTENT RESERVE OUT parameter list (SPC-4). */
    private static final int BASIC_PARAMETERS = 24;

    private ReservationCommands() {
    }

    static ScsiResponse reserve(ScsiDisk disk, byte[] cdb) {
        boolean ten = (cdb[0] & 0xff) == 0x56;
        // Third-party and extent reservations (SPC-2 RESERVE) are not supported.
        if (ten ? (cdb[1] & 0x12) != 0 : (cdb[1] & 0x01) != 0) {
            throw ScsiError.invalidField(1);
        }
        disk.unit().reservations().reserve6(disk.nexus());
        return ScsiResponse.good();
    }

    static ScsiResponse release(ScsiDisk disk, byte[] cdb) {
        boolean ten = (cdb[0] & 0xff) == 0x57;
        if (ten ? (cdb[1] & 0x12) != 0 : (cdb[1] & 0x01) != 0) {
            throw ScsiError.invalidField(1);
        }
        disk.unit().reservations().release6(disk.nexus());
        return ScsiResponse.good();
    }

    static ScsiResponse in(ScsiDisk disk, byte[] cdb) {
        Reservations r = disk.unit().reservations();
        ByteBuffer data = switch (cdb[1] & 0x1f) {
            case 0 -> r.readKeys();
            case 1 -> r.readReservation();
            case 2 -> Reservations.reportCapabilities();
            case 3 -> r.readFullStatus();
            default -> throw ScsiError.check(Sense.illegalField(true, 1, 4));
        };
        // SPC-4 PERSISTENT RESERVE IN: the lengths in the data stay whole when the allocation length cuts it.
        return ScsiResponse.good(Cdb.cut(data, Cdb.u16(cdb, 7)));
    }

    static int parameterListLength(byte[] cdb) {
        return (int) Math.min(Integer.MAX_VALUE, Cdb.u32(cdb, 5));
    }

    static ScsiResponse out(ScsiDisk disk, byte[] cdb, ByteBuffer dataOut) {
        int action = cdb[1] & 0x1f;
        int scope = (cdb[2] & 0xf0) >>> 4;
        int type = cdb[2] & 0x0f;
        if (action > Reservations.REGISTER_AND_IGNORE) {
            // REGISTER AND MOVE and REPLACE LOST RESERVATION are not supported.
            throw ScsiError.check(Sense.illegalField(true, 1, 4));
        }
        boolean usesType = action == Reservations.RESERVE_SA || action == Reservations.RELEASE_SA
                || action == Reservations.PREEMPT || action == Reservations.PREEMPT_AND_ABORT;
        if (usesType) {
            if (scope != 0) {
                throw ScsiError.check(Sense.illegalField(true, 2, 7)); // only LU_SCOPE
            }
            if (!Reservations.validType(type)) {
                throw ScsiError.check(Sense.illegalField(true, 2, 3));
            }
        }
        int length = parameterListLength(cdb);
        if (length != BASIC_PARAMETERS) {
            throw ScsiError.check(Sense.parameterListLengthError());
        }
        ByteBuffer list = Cdb.dataOut(dataOut, length);
        long key = list.getLong(0);
        long serviceActionKey = list.getLong(8);
        int flags = list.get(20);
        if ((flags & 0x08) != 0) {
            throw ScsiError.check(Sense.illegalField(false, 20, 3)); // SPEC_I_PT: SIP_C is 0
        }
        if ((flags & 0x04) != 0) {
            throw ScsiError.check(Sense.illegalField(false, 20, 2)); // ALL_TG_PT: ATP_C is 0
        }
        if ((flags & 0x01) != 0) {
            throw ScsiError.check(Sense.illegalField(false, 20, 0)); // APTPL: PTPL_C is 0
        }
        Reservations r = disk.unit().reservations();
        ScsiNexus nexus = disk.nexus();
        switch (action) {
            case Reservations.REGISTER -> r.register(nexus, key, serviceActionKey, false);
            case Reservations.REGISTER_AND_IGNORE -> r.register(nexus, key, serviceActionKey, true);
            case Reservations.RESERVE_SA -> r.reserve(nexus, key, type);
            case Reservations.RELEASE_SA -> r.release(nexus, key, type);
            case Reservations.CLEAR -> r.clear(nexus, key);
            default -> r.preempt(nexus, key, serviceActionKey, type);
        }
        return ScsiResponse.good();
    }
}
