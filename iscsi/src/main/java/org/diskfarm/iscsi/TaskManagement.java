package org.diskfarm.iscsi;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Task management functions of one session (RFC 7143 section 11.5): ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LUN
 * RESET and TARGET WARM RESET, each answered once the tasks it aborts have ended; and aborting tasks, which Logout
 * uses too. On the session's event loop only.
 */
final class TaskManagement {
    private final IscsiSession session;
    private final LinkedHashSet<Integer> abortedItts = new LinkedHashSet<>();
    /** TMF and Logout responses waiting for aborted or running tasks to end. */
    private final List<Runnable> whenIdle = new ArrayList<>();

    TaskManagement(IscsiSession session) {
        this.session = session;
    }

    void taskManagement(Pdu pdu) {
        int function = pdu.flags() & 0x7f;
        int rtt = pdu.u32(20);
        int refCmdSN = pdu.u32(32);
        Pdu response = Pdu.of(Pdu.TASK_MGMT_RESPONSE).flags(0x80).itt(pdu.itt());
        switch (function) {
            case 1 -> { // ABORT TASK
                IscsiTask t = session.tasks.get(rtt);
                if (t == null) {
                    // Section 11.5.1: a task not (yet) received whose RefCmdSN lies in the window before the TMF's
                    // own CmdSN counts as received and aborted: its CmdSN is consumed without running it.
                    boolean inWindow = session.window.abortUnreceived(refCmdSN, pdu.u32(24));
                    tmfRespond(response, inWindow ? 0 : 1);
                    return;
                }
                if (t.lun != pdu.lun()) {
                    tmfRespond(response, 1);
                    return;
                }
                abort(t);
                whenTasksEnd(List.of(t), () -> tmfRespond(response, 0));
            }
            case 2, 4, 5, 6 -> { // ABORT TASK SET, CLEAR TASK SET, LUN RESET, TARGET WARM RESET
                if (function != 6 && pdu.lun() != 0) {
                    tmfRespond(response, 2);
                    return;
                }
                List<IscsiTask> all = session.tasks.all();
                all.forEach(this::abort);
                whenTasksEnd(all, () -> {
                    if (function >= 5) {
                        try {
                            session.disk.unit().reset(session.nexus);
                        } catch (RuntimeException e) {
                            IscsiSession.LOG.log(System.Logger.Level.WARNING, "iSCSI {0}: reset failed: {1}",
                                    session.who(), e.toString());
                        }
                    }
                    tmfRespond(response, 0);
                });
            }
            case 8 -> tmfRespond(response, 4); // TASK REASSIGN: no connection recovery at ERL 0
            default -> tmfRespond(response, 5); // CLEAR ACA, TARGET COLD RESET and the rest: not supported
        }
    }

    private void tmfRespond(Pdu response, int code) {
        response.u8(2, code);
        session.connection().send(response, null, true);
    }

    /** Aborts a task: it gets no response; a running one ends when its device call returns. */
    void abort(IscsiTask t) {
        t.aborted = true;
        abortedItts.add(t.itt);
        if (abortedItts.size() > 256) {
            abortedItts.remove(abortedItts.iterator().next());
        }
        if (!t.running) {
            session.tasks.drop(t);
        }
    }

    /** Whether a task of this ITT was aborted lately (the last 256 aborts). */
    boolean wasAborted(int itt) {
        return abortedItts.contains(itt);
    }

    /** Runs {@code then} once none of {@code watched} runs any more (at once if none does). */
    void whenTasksEnd(List<IscsiTask> watched, Runnable then) {
        List<IscsiTask> left = new ArrayList<>(watched);
        Runnable check = new Runnable() {
            @Override
            public void run() {
                left.removeIf(t -> !t.running);
                if (left.isEmpty()) {
                    whenIdle.remove(this);
                    then.run();
                }
            }
        };
        whenIdle.add(check);
        check.run();
        session.tasks.dispatch();
    }

    /** A task has ended: answers whatever waited for it. */
    void runWhenIdle() {
        for (Runnable r : List.copyOf(whenIdle)) {
            r.run();
        }
    }

    /** The connection is gone: nothing waiting will be answered. */
    void clear() {
        whenIdle.clear();
    }
}
