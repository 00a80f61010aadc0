package org.diskfarm.iscsi;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.StorageException;
import org.diskfarm.iscsi.scsi.ScsiDisk;
import org.diskfarm.iscsi.scsi.ScsiIdentity;
import org.diskfarm.iscsi.scsi.ScsiLogicalUnit;
import org.diskfarm.iscsi.scsi.ScsiNexus;

/**
 * The server's sessions: TSIH allocation, session reinstatement (RFC 7143 section 6.3.5: a leading login with the
 * initiator name and ISID of a live session replaces it), refusal of connections to add to a session (MaxConnections
 * is 1), and the one {@link ScsiLogicalUnit} per target that all its sessions share. Thread-safe.
 */
final class SessionTable {
    private static final System.Logger LOG = System.getLogger(SessionTable.class.getName());
    /** How long a reinstating login waits for the old session's commands to return and its device to close. */
    private static final long REINSTATE_WAIT_SECONDS = 30;

    private final Map<Integer, IscsiSession> byTsih = new HashMap<>();
    private final Map<IscsiSession.SessionKey, IscsiSession> byKey = new HashMap<>();
    private final Map<String, ScsiLogicalUnit> units = new HashMap<>();
    private int nextTsih = 1;

    /**
     * Called on a virtual thread when a login reaches full feature phase: reinstates, opens the device, attaches the
     * logical unit and registers the session.
     *
     * @throws IscsiServer.LoginRefused with the login status to answer
     */
    IscsiSession open(LoginNegotiation login, SocketAddress remote, IscsiServer.Context context) {
        byte[] isid = login.isid();
        if (login.tsih() != 0) {
            synchronized (this) {
                IscsiSession existing = byTsih.get(login.tsih());
                if (existing == null) {
                    throw new IscsiServer.LoginRefused(LoginStatus.SESSION_DOES_NOT_EXIST,
                            "no session with TSIH " + login.tsih());
                }
                throw new IscsiServer.LoginRefused(LoginStatus.TOO_MANY_CONNECTIONS,
                        "session " + login.tsih() + " has its one connection (MaxConnections=1)");
            }
        }
        if (login.discovery) {
            return register(null, new IscsiSession(context, null, 0, isid, login.initiatorName, null, login.params,
                    null, null, null, login.cmdSN(), context.workers()));
        }
        IscsiTargetInfo target = login.target;
        if (target == null || login.initiatorName == null) {
            throw new IscsiServer.LoginRefused(LoginStatus.INITIATOR_ERROR, "normal session without a target");
        }
        IscsiSession.SessionKey key = IscsiSession.SessionKey.of(login.initiatorName, isid, target.name());
        IscsiSession old;
        synchronized (this) {
            old = byKey.remove(key);
        }
        if (old != null) {
            LOG.log(System.Logger.Level.INFO, "iSCSI {0}: session {1} reinstated by a new login", old.who(), old.tsih);
            old.kill("session reinstated by a new login from the same initiator and ISID");
            try {
                old.closed.get(REINSTATE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IscsiServer.LoginRefused(LoginStatus.SERVICE_UNAVAILABLE,
                        "the session it reinstates did not end within " + REINSTATE_WAIT_SECONDS + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IscsiServer.LoginRefused(LoginStatus.SERVICE_UNAVAILABLE, "interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                // the old session ended anyway
            }
        }
        BlockDevice device;
        try {
            device = context.opener().open(target.name(), login.initiatorName, remote);
        } catch (StorageException e) {
            throw new IscsiServer.LoginRefused(LoginStatus.SERVICE_UNAVAILABLE, "cannot open target "
                    + target.name() + ": " + e.getMessage());
        }
        try {
            ScsiNexus nexus = new ScsiNexus(IscsiSession.initiatorPort(login.initiatorName, isid),
                    target.name() + ",t,0x" + String.format("%04x", LoginNegotiation.TARGET_PORTAL_GROUP_TAG));
            ScsiDisk disk = unit(target.name(), target.identity()).attach(device, nexus);
            disk.useBuffers(PooledDataInBuffers.INSTANCE);
            return register(key, new IscsiSession(context, key, 0, isid, login.initiatorName, target, login.params,
                    disk, device, nexus, login.cmdSN(), context.workers()));
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }

    private synchronized IscsiSession register(IscsiSession.SessionKey key, IscsiSession unnumbered) {
        int tsih = nextTsih;
        while (byTsih.containsKey(tsih) || tsih == 0) {
            tsih = (tsih + 1) & 0xffff;
        }
        nextTsih = (tsih + 1) & 0xffff;
        IscsiSession s = unnumbered;
        s.tsih = tsih;
        byTsih.put(tsih, s);
        if (key != null) {
            byKey.put(key, s);
        }
        return s;
    }

    /** The logical unit of a target: one for all sessions, a new one if the target's identity changed. */
    synchronized ScsiLogicalUnit unit(String target, ScsiIdentity identity) {
        ScsiLogicalUnit unit = units.get(target);
        if (unit == null || !unit.identity().equals(identity)) {
            unit = new ScsiLogicalUnit(identity);
            units.put(target, unit);
        }
        return unit;
    }

    synchronized void remove(IscsiSession session) {
        byTsih.remove(session.tsih, session);
        if (session.key != null) {
            byKey.remove(session.key, session);
        }
    }

    synchronized List<IscsiSession> sessions() {
        return new ArrayList<>(byTsih.values());
    }
}
