package org.diskfarm.iscsi;

import java.util.HashMap;
import java.util.Map;

/**
 * The CmdSN window of one session (RFC 7143 section 4.2.2.1): ExpCmdSN, MaxCmdSN, and the non-immediate PDUs held
 * back until every CmdSN before them has come. On the session's event loop only.
 */
final class CmdSnWindow {
    /** Commands the CmdSN window admits beyond those in progress. */
    static final int WINDOW = 32;

    private final IscsiSession session;
    private int expCmdSN;
    private int maxCmdSN;
    private final Map<Integer, Runnable> outOfOrder = new HashMap<>();

    CmdSnWindow(IscsiSession session, int cmdSN) {
        this.session = session;
        this.expCmdSN = cmdSN;
        this.maxCmdSN = cmdSN + WINDOW - 1;
    }

    int expCmdSN() {
        return expCmdSN;
    }

    int maxCmdSN() {
        int computed = expCmdSN - 1 + Math.max(0, WINDOW - session.tasks.size());
        if (Pdu.snLess(maxCmdSN, computed)) {
            maxCmdSN = computed;
        }
        return maxCmdSN;
    }

    /**
     * CmdSN rules (section 4.2.2.1): an immediate PDU is handled now; others in CmdSN order, held while a CmdSN before
     * them is missing; one outside the window [ExpCmdSN, MaxCmdSN] is dropped silently (section 4.2.2.1).
     */
    void ordered(Pdu pdu, Runnable handler) {
        if (pdu.immediate()) {
            handler.run();
            return;
        }
        int cmdSN = pdu.u32(24);
        int max = maxCmdSN();
        if (cmdSN == expCmdSN) {
            expCmdSN++;
            handler.run();
            Runnable next;
            while (!session.ending() && (next = outOfOrder.remove(expCmdSN)) != null) {
                expCmdSN++;
                next.run();
            }
        } else if (Pdu.snLess(expCmdSN, cmdSN) && !Pdu.snLess(max, cmdSN) && outOfOrder.size() < WINDOW) {
            outOfOrder.putIfAbsent(cmdSN, handler);
        } else {
            IscsiSession.LOG.log(System.Logger.Level.DEBUG, "iSCSI {0}: CmdSN {1} outside [{2}, {3}]: dropped",
                    session.who(), Integer.toUnsignedString(cmdSN), Integer.toUnsignedString(expCmdSN),
                    Integer.toUnsignedString(max));
        }
    }

    /**
     * ABORT TASK of a task not received (section 11.5.1): true, and its CmdSN consumed without running anything, if
     * {@code refCmdSN} lies in the window before the TMF's own CmdSN.
     */
    boolean abortUnreceived(int refCmdSN, int tmfCmdSN) {
        boolean inWindow = !Pdu.snLess(refCmdSN, expCmdSN) && !Pdu.snLess(maxCmdSN(), refCmdSN)
                && Pdu.snLess(refCmdSN, tmfCmdSN);
        if (inWindow) {
            outOfOrder.put(refCmdSN, () -> { });
        }
        return inWindow;
    }

    /** The connection is gone: PDUs held back will never run. */
    void clear() {
        outOfOrder.clear();
    }
}
