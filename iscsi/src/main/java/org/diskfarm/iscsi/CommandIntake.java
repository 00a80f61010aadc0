package org.diskfarm.iscsi;

import java.nio.ByteBuffer;
import org.diskfarm.iscsi.scsi.Sense;

/**
 * A SCSI Command PDU into a task of its session (RFC 7143 section 11.3): its CDB, the checks of its immediate and
 * unsolicited data against the negotiated keys, and how much Data-Out the task keeps (overflow, section 11.4.5.1).
 * The task is then queued and its data solicited ({@link DataOutReceiver}).
 */
final class CommandIntake {
    private static final int COMPARE_AND_WRITE = 0x89;
    /** The most Data-Out one command may bring: beyond it, CHECK CONDITION (INVALID FIELD IN CDB). */
    static final int MAX_DATA_OUT = 64 << 20;

    private final IscsiSession session;

    CommandIntake(IscsiSession session) {
        this.session = session;
    }

    void command(Pdu pdu) {
        IscsiConnection connection = session.connection();
        SessionParams params = session.params;
        int flags = pdu.flags();
        boolean finalBit = (flags & 0x80) != 0;
        boolean read = (flags & 0x40) != 0;
        boolean write = (flags & 0x20) != 0;
        int attribute = flags & 7;
        int itt = pdu.itt();
        if (session.tasks.contains(itt)) {
            connection.reject(pdu, 0x07); // task in progress
            return;
        }
        byte[] cdb = cdb(pdu);
        if (cdb == null) {
            connection.reject(pdu, Pdu.REJECT_INVALID_FIELD);
            return;
        }
        if (read && write) {
            connection.reject(pdu, Pdu.REJECT_NOT_SUPPORTED); // bidirectional commands: none a disk needs
            return;
        }
        long edtl = pdu.u32(20) & 0xffffffffL;
        if (pdu.data.length > 0 && (!write || !params.immediateData || pdu.data.length > edtl
                || pdu.data.length > params.firstBurstLength)) {
            connection.fail("immediate data of " + pdu.data.length + " bytes not allowed here (W="
                    + write + ", EDTL " + edtl + ", FirstBurstLength " + params.firstBurstLength + ")");
            return;
        }
        if (!finalBit && (!write || params.initialR2T)) {
            connection.fail("SCSI command announces unsolicited Data-Out that InitialR2T=Yes or no W bit forbids");
            return;
        }
        boolean simpleReadWrite = attribute <= 1 || attribute == 4; // untagged, SIMPLE, ACA treated as simple
        IscsiTask t = new IscsiTask(itt, pdu.u32(24), pdu.lun(), cdb, edtl, read, write, !simpleReadWrite);
        if (!t.isReadOrWrite()) {
            t = new IscsiTask(itt, t.cmdSN, t.lun, cdb, edtl, read, write, true);
        }
        long spdtl = pdu.lun() == 0 ? Math.max(0, session.disk.dataOutLength(cdb)) : 0;
        t.dataOutLength = spdtl;
        long accepted = write ? edtl : 0;
        long keep = spdtl;
        if (spdtl > accepted) {
            // Overflow (section 11.4.5.1): a WRITE is cut to the whole blocks the initiator sends, the residual
            // says the rest was not transferred; other commands are refused: INVALID FIELD IN INFORMATION UNIT.
            byte[] cut = Cdbs.truncateWrite(cdb, accepted, session.device.logicalBlockSize());
            if (cut != null) {
                t = new IscsiTask(itt, t.cmdSN, t.lun, cut, edtl, read, write, t.barrier);
                t.dataOutLength = spdtl;
                keep = Math.max(0, session.disk.dataOutLength(cut));
            } else {
                t.earlySense = Sense.fixed(Sense.ILLEGAL_REQUEST, 0x0e, 0x03);
            }
        }
        if (write && edtl > spdtl && (cdb[0] & 0xff) == COMPARE_AND_WRITE) {
            // More data than the CDB asks for: for COMPARE AND WRITE a sign that NUMBER OF LOGICAL BLOCKS (one byte)
            // wrapped, e.g. 256 blocks sent as 0; comparing nothing would report a success that is not one (LIO
            // answers the same; libiscsi CompareAndWrite.Simple checks it).
            t.earlySense = Sense.invalidFieldInCdb();
        }
        if (t.earlySense == null && keep > MAX_DATA_OUT) {
            t.earlySense = Sense.invalidFieldInCdb();
        }
        t.dataOutLength = spdtl;
        t.wanted = t.earlySense != null ? 0 : (int) keep;
        t.dataOut = ByteBuffer.allocate(t.wanted);
        t.store(0, pdu.data);
        t.unsolicitedOffset = pdu.data.length;
        if (!finalBit) {
            t.unsolicitedOpen = true;
            t.unsolicitedEnd = Math.min(edtl, params.firstBurstLength);
        }
        t.nextR2TOffset = finalBit ? pdu.data.length : Math.min(edtl, params.firstBurstLength);
        session.tasks.add(t);
        if (!t.unsolicitedOpen) {
            session.dataOut.solicit(t);
        }
        session.tasks.dispatch();
    }

    /** The CDB: 16 bytes of the header, more from an extended-CDB AHS (section 11.3.5); null if the AHS is bad. */
    private static byte[] cdb(Pdu pdu) {
        byte[] cdb = java.util.Arrays.copyOfRange(pdu.bhs, 32, 48);
        byte[] ahs = pdu.ahs;
        int at = 0;
        while (at + 4 <= ahs.length) {
            int length = ((ahs[at] & 0xff) << 8) | (ahs[at + 1] & 0xff);
            int type = ahs[at + 2] & 0xff;
            if (at + 3 + length > ahs.length || length == 0) {
                return null;
            }
            if (type == 1) {
                byte[] longer = new byte[16 + length - 1];
                System.arraycopy(cdb, 0, longer, 0, 16);
                System.arraycopy(ahs, at + 4, longer, 16, length - 1);
                cdb = longer;
            }
            at += 3 + length;
            at += Pdu.pad(at);
        }
        return cdb;
    }
}
