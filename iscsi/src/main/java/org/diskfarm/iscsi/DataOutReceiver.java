package org.diskfarm.iscsi;

/**
 * The Data-Out side of a session's tasks (RFC 7143 sections 11.7-11.8): unsolicited Data-Out after the immediate
 * data, R2Ts one burst (MaxBurstLength) at a time (MaxOutstandingR2T=1), and the checks that each Data-Out PDU
 * answers what it should in DataSN and buffer offset order. A task whose data is all in is ready to run.
 */
final class DataOutReceiver {
    private final IscsiSession session;

    DataOutReceiver(IscsiSession session) {
        this.session = session;
    }

    /** Sends the next R2T of a task, or marks it ready when all its data is in. */
    void solicit(IscsiTask t) {
        if (t.nextR2TOffset < t.wanted) {
            long length = Math.min(session.params.maxBurstLength, t.wanted - t.nextR2TOffset);
            t.ttt = session.nextTtt();
            t.sequenceOffset = t.nextR2TOffset;
            t.sequenceEnd = t.nextR2TOffset + length;
            t.sequenceDataSN = 0;
            t.nextR2TOffset = t.sequenceEnd;
            Pdu r2t = Pdu.of(Pdu.R2T).flags(0x80).lun(t.lun).itt(t.itt).u32(20, t.ttt)
                    .u32(36, t.r2tSN++).u32(40, (int) t.sequenceOffset).u32(44, (int) length);
            session.connection().send(r2t, null, false);
            return;
        }
        t.ttt = Pdu.RESERVED_TAG;
        t.ready = true;
    }

    void dataOut(Pdu pdu) {
        IscsiConnection connection = session.connection();
        IscsiTask t = session.tasks.get(pdu.itt());
        if (t == null || t.ready) {
            if (session.tmf.wasAborted(pdu.itt())) {
                return; // section 4.2.3.5 (sic): Data-Out of an aborted task is dropped
            }
            connection.reject(pdu, Pdu.REJECT_INVALID_FIELD);
            return;
        }
        int ttt = pdu.u32(20);
        int dataSN = pdu.u32(36);
        long offset = pdu.u32(40) & 0xffffffffL;
        long end = offset + pdu.data.length;
        boolean last = pdu.finalBit();
        int expectedDataSN = ttt == Pdu.RESERVED_TAG ? t.unsolicitedDataSN : t.sequenceDataSN;
        if (Integer.compareUnsigned(dataSN, expectedDataSN) < 0) {
            // A DataSN already seen: a duplicate, dropped (as Linux LIO does); the command waits for its data.
            IscsiSession.LOG.log(System.Logger.Level.DEBUG, "iSCSI {0}: duplicate DataSN {1} for ITT 0x{2} dropped",
                    session.who(), dataSN, Integer.toHexString(t.itt));
            return;
        }
        if (ttt == Pdu.RESERVED_TAG) {
            if (!t.unsolicitedOpen || dataSN != t.unsolicitedDataSN || offset != t.unsolicitedOffset
                    || end > t.unsolicitedEnd) {
                connection.fail(String.format("unsolicited Data-Out out of order (ITT 0x%08x, DataSN %d, offset %d)",
                        t.itt, dataSN, offset));
                return;
            }
            t.store(offset, pdu.data);
            t.unsolicitedDataSN++;
            t.unsolicitedOffset = end;
            if (last) {
                t.unsolicitedOpen = false;
                solicit(t);
                session.tasks.dispatch();
            }
            return;
        }
        if (ttt != t.ttt || dataSN != t.sequenceDataSN || offset != t.sequenceOffset || end > t.sequenceEnd
                || (last && end != t.sequenceEnd)) {
            connection.fail(String.format("Data-Out does not answer our R2T (ITT 0x%08x, TTT 0x%08x, DataSN %d,"
                    + " offset %d)", t.itt, ttt, dataSN, offset));
            return;
        }
        t.store(offset, pdu.data);
        t.sequenceDataSN++;
        t.sequenceOffset = end;
        if (last) {
            if (t.unsolicitedOpen) {
                return; // R2Ts only start after the unsolicited burst; cannot happen
            }
            solicit(t);
            session.tasks.dispatch();
        }
    }
}
