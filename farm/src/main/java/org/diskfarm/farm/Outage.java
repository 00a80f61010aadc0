package org.diskfarm.farm;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this server can reach the farm database, as the last attempt found. The change from up to down and back is
 * logged once each way, however many calls fail in between; while it is down, the server works from its last good
 * copy of the farm.
 */
public final class Outage {
    private static final System.Logger LOG = System.getLogger(Outage.class.getName());

    private final String database;
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile long since;

    public Outage(String database) {
        this.database = database;
    }

    /** Records a failed attempt to reach the database. */
    public void failed(Throwable cause, long now) {
        if (down.compareAndSet(false, true)) {
            since = now;
            LOG.log(System.Logger.Level.WARNING, "farm database {0} is unreachable ({1}); streaming goes on for "
                    + "connected devices and known devices may reconnect from the last good copy of the farm; "
                    + "changes are refused until it returns", database, cause.getMessage());
        }
    }

    /** Records a successful attempt. */
    public void succeeded(long now) {
        if (down.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "farm database {0} is back after {1} s; catching up", database,
                    Long.toString(Math.max(0, now - since) / 1000));
        }
    }

    public boolean isDown() {
        return down.get();
    }
}
