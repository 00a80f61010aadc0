package org.diskfarm.farm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The members of the farm. Each server registers itself at start-up and then heartbeats ({@link Membership}); a
 * server whose last heartbeat is older than its lease is down. Any live server marks such a member down in the table
 * (so that all see one state), and a reader computes the same from the heartbeat time, so a farm whose every other
 * server died still reports the truth.
 *
 * <p>Heartbeats compare times written by different machines: their clocks must agree to well within a lease (NTP).
 */
public final class Servers {
    /** A member as the farm sees it. {@code state} is {@code up} or {@code down}. */
    public record Info(String name, String address, int nbdPort, int iscsiPort, int httpPort, String state,
            int devices, long bytesRead, long bytesWritten, Instant startedAt, Instant lastHeartbeat,
            long leaseMillis) {
        public boolean up() {
            return state.equals("up");
        }
    }

    /** What a server says about itself when it joins. */
    public record Registration(String name, String instance, String address, int nbdPort, int iscsiPort,
            int httpPort, long leaseMillis) {
    }

    /** What a heartbeat reports: the server's load now. */
    public record Load(int devices, long bytesRead, long bytesWritten) {
    }

    private static final String COLUMNS = "name, address, nbd_port, iscsi_port, http_port, state, devices, "
            + "bytes_read, bytes_written, started_at, heartbeat_at, lease_millis";

    private final Farm farm;

    Servers(Farm farm) {
        this.farm = farm;
    }

    /**
     * Writes (or takes over) this server's row, state up.
     *
     * @return the heartbeat time of the row's previous owner if that owner was still up, so that the caller can
     *         find out whether it is alive (see {@link Membership#join}); empty if the name was free or down
     */
    Optional<Long> register(Registration r) {
        Names.check("server", r.name());
        long now = farm.now();
        return farm.db().inTransaction(h -> {
            Optional<Info> before = find(h, r.name(), now);
            h.createUpdate("INSERT INTO servers (name, instance, address, nbd_port, iscsi_port, http_port, state, "
                            + "started_at, heartbeat_at, lease_millis) VALUES (:name, :instance, :address, :nbd, "
                            + ":iscsi, :http, 'up', :now, :now, :lease) ON CONFLICT (name) DO UPDATE SET "
                            + "instance = :instance, address = :address, nbd_port = :nbd, iscsi_port = :iscsi, "
                            + "http_port = :http, state = 'up', started_at = :now, heartbeat_at = :now, "
                            + "lease_millis = :lease, devices = 0, bytes_read = 0, bytes_written = 0")
                    .bind("name", r.name()).bind("instance", r.instance()).bind("address", r.address())
                    .bind("nbd", r.nbdPort()).bind("iscsi", r.iscsiPort()).bind("http", r.httpPort())
                    .bind("now", now).bind("lease", r.leaseMillis())
                    .execute();
            return before.filter(Info::up).map(info -> info.lastHeartbeat().toEpochMilli());
        });
    }

    /** The heartbeat time of a member now, if it has a row. */
    Optional<Long> heartbeatOf(String name) {
        return farm.db().withHandle(h -> h.createQuery("SELECT heartbeat_at FROM servers WHERE name = ?")
                .bind(0, name).mapTo(Long.class).findOne());
    }

    /**
     * Renews this server's lease and reports its load.
     *
     * @return false if the row belongs to another instance now (another process took the name): the caller must
     *         stop claiming it
     */
    boolean heartbeat(String name, String instance, Load load) {
        long now = farm.now();
        return farm.db().inTransaction(h -> h.createUpdate("UPDATE servers SET heartbeat_at = ?, state = 'up', "
                        + "devices = ?, bytes_read = ?, bytes_written = ? WHERE name = ? AND instance = ?")
                .bind(0, now).bind(1, load.devices()).bind(2, load.bytesRead()).bind(3, load.bytesWritten())
                .bind(4, name).bind(5, instance).execute() == 1);
    }

    /** Marks down every member whose lease ran out, and returns their names. */
    List<String> markExpired() {
        long now = farm.now();
        return farm.db().inTransaction(h -> {
            List<String> expired = h.createQuery("SELECT name FROM servers WHERE state = 'up' "
                            + "AND heartbeat_at + lease_millis < ? ORDER BY name")
                    .bind(0, now).mapTo(String.class).list();
            for (String name : expired) {
                h.createUpdate("UPDATE servers SET state = 'down', devices = 0 WHERE name = ? AND state = 'up' "
                        + "AND heartbeat_at + lease_millis < ?").bind(0, name).bind(1, now).execute();
            }
            return expired;
        });
    }

    /** Marks this server down at a clean stop, so that others need not wait for its lease. */
    void leave(String name, String instance) {
        farm.db().inTransaction(h -> h.createUpdate("UPDATE servers SET state = 'down', devices = 0 "
                + "WHERE name = ? AND instance = ?").bind(0, name).bind(1, instance).execute());
    }

    public List<Info> list() {
        long now = farm.now();
        return farm.db().withHandle(h -> map(h.createQuery("SELECT " + COLUMNS + " FROM servers ORDER BY name"),
                now).list());
    }

    public Optional<Info> find(String name) {
        long now = farm.now();
        return farm.db().withHandle(h -> find(h, name, now));
    }

    /** Removes a member that is down (retired, or renamed); an up member is refused. */
    public void remove(String name, String actor) {
        long now = farm.now();
        farm.db().inTransaction(h -> {
            Info info = find(h, name, now).orElseThrow(() -> FarmException.notFound("no server named " + name
                    + " in the farm"));
            if (info.up()) {
                throw FarmException.conflict("server " + name + " is up (last heartbeat " + info.lastHeartbeat()
                        + "); stop it before removing it from the farm");
            }
            h.createUpdate("DELETE FROM store_paths WHERE server = ?").bind(0, name).execute();
            h.createUpdate("DELETE FROM vdisk_copies WHERE server = ?").bind(0, name).execute();
            h.createUpdate("UPDATE devices SET served_by = NULL WHERE served_by = ?").bind(0, name).execute();
            h.createUpdate("DELETE FROM servers WHERE name = ?").bind(0, name).execute();
            AuditLog.record(h, farm, actor, "server.remove", name, "address " + info.address());
            return null;
        });
    }

    private static Optional<Info> find(Handle h, String name, long now) {
        return map(h.createQuery("SELECT " + COLUMNS + " FROM servers WHERE name = ?").bind(0, name), now)
                .findOne();
    }

    private static org.jdbi.v3.core.result.ResultIterable<Info> map(Query query, long now) {
        return query.map((r, ctx) -> {
            long heartbeat = r.getLong("heartbeat_at");
            long lease = r.getLong("lease_millis");
            boolean up = r.getString("state").equals("up") && heartbeat + lease >= now;
            return new Info(r.getString("name"), r.getString("address"), r.getInt("nbd_port"),
                    r.getInt("iscsi_port"), r.getInt("http_port"), up ? "up" : "down", up ? r.getInt("devices") : 0,
                    r.getLong("bytes_read"), r.getLong("bytes_written"), Instant.ofEpochMilli(r.getLong("started_at")),
                    Instant.ofEpochMilli(heartbeat), lease);
        });
    }
}
