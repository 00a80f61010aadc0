package org.diskfarm.iscsi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.iscsi.scsi.ScsiDisk;
import org.diskfarm.iscsi.scsi.ScsiNexus;

/**
 * One iSCSI session in full feature phase (RFC 7143): the CmdSN window, the tasks and their data transfers (immediate
 * and unsolicited data, R2T and Data-Out, Data-In), delivery of commands to SCSI in CmdSN order, task management,
 * text requests (SendTargets), NOP, logout and asynchronous messages. A discovery session has no disk and takes only
 * Text, NOP-Out and Logout.
 *
 * <p>The server's session table owns it; its connection ({@link IscsiConnection}, one: MaxConnections=1) hands it PDUs.
 * All state is touched on that connection's event loop only; {@link #kill} and {@link #sendAsyncMessage} may be called
 * from any thread. StatSN is the connection's.
 *
 * <p>The session routes each PDU and owns what its parts share (the connection, the end of the session, the Target
 * Transfer Tags); the parts, one job each: {@link CmdSnWindow} (CmdSN order), {@link CommandIntake} (SCSI Command PDU
 * to task), {@link DataOutReceiver} (R2T and Data-Out), {@link TaskScheduler} (the tasks, and running them in order),
 * {@link DataInSender} (Data-In and SCSI Response), {@link TaskManagement} (TMF and aborts), {@link TextExchange}
 * (Text and SendTargets). Logout, asynchronous messages and the end of the session stay here.
 */
final class IscsiSession {
    /** The one logger of a session and its parts. */
    static final System.Logger LOG = System.getLogger(IscsiSession.class.getName());

    final IscsiServer.Context context;
    final SessionKey key;
    /** Set by the session table when it registers the session, before the connection sees it. */
    int tsih;
    final byte[] isid;
    final String initiatorName;
    final IscsiTargetInfo target;
    final SessionParams params;
    final ScsiDisk disk;
    final BlockDevice device;
    final ScsiNexus nexus;
    final Executor workers;
    /** Completes when the session has ended and its device is closed (session reinstatement waits for it). */
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    final CmdSnWindow window;
    final TaskScheduler tasks = new TaskScheduler(this);
    final CommandIntake intake = new CommandIntake(this);
    final DataOutReceiver dataOut = new DataOutReceiver(this);
    final DataInSender dataIn = new DataInSender(this);
    final TaskManagement tmf = new TaskManagement(this);
    final TextExchange text = new TextExchange(this);

    private volatile IscsiConnection connection;
    /** Set by {@link #kill} (any thread); a connection that attaches afterwards closes at once. */
    volatile boolean killed;
    private int nextTtt = 1;
    private boolean ending;
    private boolean deviceClosed;

    IscsiSession(IscsiServer.Context context, SessionKey key, int tsih, byte[] isid, String initiatorName,
            IscsiTargetInfo target, SessionParams params, ScsiDisk disk, BlockDevice device, ScsiNexus nexus,
            int cmdSN, Executor workers) {
        this.context = context;
        this.key = key;
        this.tsih = tsih;
        this.isid = isid;
        this.initiatorName = initiatorName;
        this.target = target;
        this.params = params;
        this.disk = disk;
        this.device = device;
        this.nexus = nexus;
        this.window = new CmdSnWindow(this, cmdSN);
        this.workers = workers;
    }

    boolean discovery() {
        return disk == null;
    }

    void attach(IscsiConnection connection) {
        this.connection = connection;
    }

    IscsiConnection connection() {
        return connection;
    }

    /** Whether the session is ending (logged out, or its connection gone): it takes and starts nothing more. */
    boolean ending() {
        return ending;
    }

    int expCmdSN() {
        return window.expCmdSN();
    }

    int maxCmdSN() {
        return window.maxCmdSN();
    }

    String describe() {
        return discovery() ? "discovery" : target.name();
    }

    // ---------------------------------------------------------------- receiving

    /** One PDU of full feature phase. */
    void receive(Pdu pdu) {
        if (ending) {
            return;
        }
        if (pdu.dataDigestError) {
            connection.reject(pdu, Pdu.REJECT_DATA_DIGEST);
            if (pdu.opcode() == Pdu.SCSI_COMMAND || pdu.opcode() == Pdu.DATA_OUT) {
                connection.fail("data digest error in a SCSI command or Data-Out (no recovery at ErrorRecoveryLevel 0)");
            }
            return;
        }
        switch (pdu.opcode()) {
            case Pdu.NOP_OUT -> nopOut(pdu);
            case Pdu.SCSI_COMMAND -> {
                if (discovery()) {
                    connection.reject(pdu, Pdu.REJECT_PROTOCOL_ERROR);
                } else {
                    window.ordered(pdu, () -> intake.command(pdu));
                }
            }
            case Pdu.TASK_MGMT_REQUEST -> {
                if (discovery()) {
                    connection.reject(pdu, Pdu.REJECT_PROTOCOL_ERROR);
                } else {
                    window.ordered(pdu, () -> tmf.taskManagement(pdu));
                }
            }
            case Pdu.TEXT_REQUEST -> window.ordered(pdu, () -> text.text(pdu));
            case Pdu.DATA_OUT -> {
                if (discovery()) {
                    connection.reject(pdu, Pdu.REJECT_PROTOCOL_ERROR);
                } else {
                    dataOut.dataOut(pdu);
                }
            }
            case Pdu.LOGOUT_REQUEST -> window.ordered(pdu, () -> logout(pdu));
            case Pdu.SNACK_REQUEST -> connection.reject(pdu, Pdu.REJECT_SNACK);
            case Pdu.LOGIN_REQUEST -> connection.reject(pdu, Pdu.REJECT_PROTOCOL_ERROR);
            default -> connection.reject(pdu, Pdu.REJECT_NOT_SUPPORTED);
        }
    }

    private void nopOut(Pdu pdu) {
        if (pdu.itt() == Pdu.RESERVED_TAG) {
            if (!pdu.immediate()) {
                connection.reject(pdu, Pdu.REJECT_PROTOCOL_ERROR); // section 11.18: a NOP-Out without reply is immediate
                return;
            }
            if (pdu.u32(20) != Pdu.RESERVED_TAG) {
                connection.pingAnswered(pdu.u32(20));
            }
            return;
        }
        if (pdu.u32(20) != Pdu.RESERVED_TAG) {
            connection.reject(pdu, Pdu.REJECT_INVALID_FIELD); // an answer to our ping carries ITT 0xffffffff
            return;
        }
        window.ordered(pdu, () -> {
            Pdu in = Pdu.of(Pdu.NOP_IN).flags(0x80).lun(pdu.lun()).itt(pdu.itt()).u32(20, Pdu.RESERVED_TAG);
            byte[] echo = pdu.data.length <= params.initiatorMaxRecv ? pdu.data
                    : java.util.Arrays.copyOf(pdu.data, params.initiatorMaxRecv);
            connection.send(in, echo.length == 0 ? null : ByteBuffer.wrap(echo), true);
        });
    }

    /** The next Target Transfer Tag, for an R2T or a text response in parts; never 0xffffffff. */
    int nextTtt() {
        int ttt = nextTtt++;
        if (nextTtt == Pdu.RESERVED_TAG) {
            nextTtt = 1;
        }
        return ttt;
    }

    // ---------------------------------------------------------------- logout, async, end

    private void logout(Pdu pdu) {
        int reason = pdu.flags() & 0x7f;
        Pdu response = Pdu.of(Pdu.LOGOUT_RESPONSE).flags(0x80).itt(pdu.itt());
        if (reason == 2) {
            response.u8(2, 2); // connection recovery is not supported
            connection.send(response, null, true);
            return;
        }
        if (reason == 1 && pdu.u16(20) != connection.cid()) {
            response.u8(2, 1); // CID not found
            connection.send(response, null, true);
            return;
        }
        List<IscsiTask> all = tasks.all();
        for (IscsiTask t : all) {
            if (!t.running) {
                tmf.abort(t);
            }
        }
        tmf.whenTasksEnd(all, () -> {
            response.u8(2, 0).u16(40, 0).u16(42, 0);
            connection.send(response, null, true);
            LOG.log(System.Logger.Level.DEBUG, "iSCSI {0}: logged out", who());
            ending = true;
            connection.closeAfterFlush();
        });
    }

    /**
     * Sends an Asynchronous Message (section 11.9): {@code event} 1 asks the initiator to log out within
     * {@code parameter3} seconds. May be called from any thread; does nothing if the session has ended.
     */
    void sendAsyncMessage(int event, int parameter1, int parameter2, int parameter3) {
        IscsiConnection c = connection;
        if (c == null) {
            return;
        }
        c.onEventLoop(() -> {
            if (ending) {
                return;
            }
            Pdu m = Pdu.of(Pdu.ASYNC_MESSAGE).flags(0x80).itt(Pdu.RESERVED_TAG).u32(20, Pdu.RESERVED_TAG)
                    .u8(36, event).u8(37, 0).u16(38, parameter1).u16(40, parameter2).u16(42, parameter3);
            c.send(m, null, true);
        });
    }

    /** Asks the initiator to log out (async event 1), for example to move it to another server. */
    void requestLogout(int seconds) {
        sendAsyncMessage(1, 0, 0, seconds);
    }

    /** Ends the session from outside (reinstatement, server close): closes its connection. Any thread. */
    void kill(String reason) {
        killed = true;
        IscsiConnection c = connection;
        if (c == null) {
            return;
        }
        c.close(reason);
    }

    /** On the event loop: the connection is gone. The session ends once its running commands return. */
    void connectionClosed() {
        ending = true;
        for (IscsiTask t : tasks.all()) {
            if (!t.running) {
                tasks.drop(t);
            }
        }
        window.clear();
        tmf.clear();
        endIfIdle();
    }

    /** Ends the session once nothing runs: leaves the session table, detaches the disk and closes the device. */
    void endIfIdle() {
        if (tasks.running() > 0 || deviceClosed) {
            return;
        }
        deviceClosed = true;
        context.sessions().remove(this);
        if (disk == null) {
            closed.complete(null);
            return;
        }
        Runnable close = () -> {
            try {
                disk.detach();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "iSCSI {0}: detach failed: {1}", who(), e.toString());
            }
            try {
                device.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "iSCSI {0}: closing the device failed: {1}", who(),
                        e.toString());
            } finally {
                closed.complete(null);
            }
        };
        try {
            workers.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
    }

    String who() {
        return initiatorName + "@" + describe();
    }

    /** What identifies a session for reinstatement (section 6.3.5): initiator name, ISID, target. */
    record SessionKey(String initiatorName, String isid, String target) {
        static SessionKey of(String initiatorName, byte[] isid, String target) {
            return new SessionKey(initiatorName, java.util.HexFormat.of().formatHex(isid), target);
        }
    }

    static String initiatorPort(String initiatorName, byte[] isid) {
        return initiatorName + ",i,0x" + java.util.HexFormat.of().formatHex(isid);
    }

    static String address(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
