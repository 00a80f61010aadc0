package org.diskfarm.iscsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.diskfarm.block.StorageException;
import org.diskfarm.iscsi.scsi.ScsiResponse;
import org.diskfarm.iscsi.scsi.Sense;

/**
 * The tasks of one session (RFC 7143 section 4.2.2) and their delivery to SCSI: the tasks by ITT, the queue of those
 * not started yet in CmdSN order, which of them may start now, running them on the disk and ending them.
 *
 * <p>Ordering: commands are delivered in CmdSN order. On a concurrent device, READ and WRITE commands (SIMPLE task
 * attribute) may run at the same time on virtual threads, each as soon as its data is in; every other command, and
 * every ORDERED one, runs alone after all before it. Small READs of a concurrent device run inline on the event loop.
 * All of it on the session's event loop.
 */
final class TaskScheduler {
    /** READs up to this size on a concurrent device run on the event loop, as NBD's small reads. */
    static final int INLINE_READ = 64 << 10;

    private final IscsiSession session;
    private final Map<Integer, IscsiTask> tasks = new LinkedHashMap<>();
    private final List<IscsiTask> queue = new ArrayList<>();
    private int running;
    private boolean barrierRunning;

    TaskScheduler(IscsiSession session) {
        this.session = session;
    }

    IscsiTask get(int itt) {
        return tasks.get(itt);
    }

    boolean contains(int itt) {
        return tasks.containsKey(itt);
    }

    /** How many tasks the session has: queued, waiting for data or running. */
    int size() {
        return tasks.size();
    }

    /** A copy of the tasks, in the order they came. */
    List<IscsiTask> all() {
        return new ArrayList<>(tasks.values());
    }

    /** How many tasks run now. */
    int running() {
        return running;
    }

    /** A new task, queued behind those before it. */
    void add(IscsiTask t) {
        tasks.put(t.itt, t);
        queue.add(t);
    }

    /** Forgets a task that does not run: it never starts. */
    void drop(IscsiTask t) {
        queue.remove(t);
        tasks.remove(t.itt);
    }

    /** Starts every queued task that may run now, in CmdSN order. */
    void dispatch() {
        boolean concurrent = session.device != null && session.device.isConcurrent();
        boolean progressed = true;
        while (progressed && !session.ending()) {
            progressed = false;
            boolean first = true;
            for (IscsiTask t : queue) {
                if (barrierRunning) {
                    return;
                }
                if (t.barrier) {
                    if (first && running == 0 && t.ready) {
                        queue.remove(t);
                        start(t);
                        progressed = true;
                    }
                    break;
                }
                first = false;
                if (!t.ready) {
                    if (!concurrent) {
                        break;
                    }
                    continue;
                }
                if (!concurrent && running > 0) {
                    break;
                }
                queue.remove(t);
                start(t); // may finish inline and dispatch again: the loop starts over
                progressed = true;
                break;
            }
        }
    }

    private void start(IscsiTask t) {
        running++;
        t.running = true;
        if (t.barrier) {
            barrierRunning = true;
        }
        if (t.earlySense != null) {
            finished(t, ScsiResponse.checkCondition(t.earlySense));
            return;
        }
        boolean inline = session.device.isConcurrent() && (t.opcode() == 0x28 || t.opcode() == 0x88)
                && t.edtl <= INLINE_READ;
        if (inline) {
            finished(t, execute(t));
            return;
        }
        try {
            session.workers.execute(() -> {
                ScsiResponse response = execute(t);
                session.connection().onEventLoop(() -> finished(t, response), () -> finished(t, response));
            });
        } catch (RejectedExecutionException e) {
            finished(t, ScsiResponse.checkCondition(Sense.fixed(Sense.ABORTED_COMMAND, 0, 0)));
        }
    }

    private ScsiResponse execute(IscsiTask t) {
        try {
            if (t.lun != 0) {
                return notThisLun(t);
            }
            // never null: an empty buffer when nothing came (a WRITE of 0 blocks without the W bit is fine)
            ByteBuffer data = t.dataOut.duplicate().position(0).limit(t.wanted);
            return session.disk.execute(t.cdb, data);
        } catch (StorageException e) {
            IscsiSession.LOG.log(System.Logger.Level.WARNING, "iSCSI {0}: command 0x{1} failed: {2}", session.who(),
                    Integer.toHexString(t.opcode()), e.getMessage());
            return ScsiResponse.checkCondition(Sense.fixed(Sense.HARDWARE_ERROR, 0x44, 0));
        } catch (RuntimeException e) {
            IscsiSession.LOG.log(System.Logger.Level.ERROR, "iSCSI {0}: command 0x{1} failed: {2}", session.who(),
                    Integer.toHexString(t.opcode()), e.toString());
            return ScsiResponse.checkCondition(Sense.fixed(Sense.HARDWARE_ERROR, 0x44, 0));
        }
    }

    /** A LUN other than 0: INQUIRY says "no device here", REPORT LUNS answers, the rest LOGICAL UNIT NOT SUPPORTED. */
    private ScsiResponse notThisLun(IscsiTask t) {
        if (t.opcode() == 0xa0) {
            return session.disk.execute(t.cdb, null);
        }
        if (t.opcode() == 0x12 && (t.cdb[1] & 1) == 0) {
            ScsiResponse r = session.disk.execute(t.cdb, null);
            if (r.dataIn() != null && r.dataIn().hasRemaining()) {
                ByteBuffer copy = ByteBuffer.allocate(r.dataIn().remaining()).put(r.dataIn().duplicate()).flip();
                r.release();
                copy.put(0, (byte) 0x7f);
                return ScsiResponse.good(copy);
            }
            return r;
        }
        return ScsiResponse.checkCondition(Sense.fixed(Sense.ILLEGAL_REQUEST, 0x25, 0x00));
    }

    /** On the event loop: a task has run. */
    private void finished(IscsiTask t, ScsiResponse response) {
        running--;
        if (t.barrier) {
            barrierRunning = false;
        }
        t.running = false;
        tasks.remove(t.itt);
        if (!t.aborted && !session.ending()) {
            session.dataIn.respond(t, response);
        } else {
            response.release();
        }
        session.tmf.runWhenIdle();
        if (!session.ending()) {
            dispatch();
        } else {
            session.endIfIdle();
        }
    }
}
