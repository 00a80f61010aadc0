package org.diskfarm.farm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * Target devices: who they are (MAC, name), what they boot (their vDisk), which collection groups them, and their
 * state as the servers last saw it (booting, up, down; the server serving them; when).
 */
public final class Devices {
    /** The states a device can be in. {@code off}: never seen since it was added. */
    public static final Set<String> BOOT_STATES = Set.of("off", "booting", "up", "down");

    /** A device as the farm sees it. */
    public record Info(MacAddress mac, String name, String description, String collection, String vdisk,
            String bootState, String servedBy, Instant lastSeen, Instant bootedAt) {
        /** What streaming needs to know, if it has a vDisk. */
        public Optional<TargetDevice> target() {
            return vdisk == null ? Optional.empty() : Optional.of(new TargetDevice(mac, name, vdisk,
                    bootedAt == null ? 0 : bootedAt.toEpochMilli()));
        }
    }

    /** A device to add. {@code mac} is text as given, checked on add. */
    public record New(String mac, String name, String description, String collection, String vdisk) {
    }

    /**
     * A change: null fields stay as they are; for {@code collection} and {@code vdisk}, an empty Optional clears the
     * field.
     */
    public record Change(String name, String description, Optional<String> collection, Optional<String> vdisk) {
    }

    private static final String COLUMNS = "mac, name, description, collection, vdisk, boot_state, served_by, "
            + "last_seen_at, booted_at";

    private final Farm farm;

    Devices(Farm farm) {
        this.farm = farm;
    }

    public Page<Info> list(String collection, String vdisk, int limit, int offset) {
        Page.check(limit, offset);
        String where = " WHERE 1 = 1" + (collection != null ? " AND collection = :collection" : "")
                + (vdisk != null ? " AND vdisk = :vdisk" : "");
        return farm.db().withHandle(h -> {
            Query count = h.createQuery("SELECT COUNT(*) FROM devices" + where);
            Query page = h.createQuery("SELECT " + COLUMNS + " FROM devices" + where
                    + " ORDER BY mac LIMIT :limit OFFSET :offset").bind("limit", limit).bind("offset", offset);
            for (Query q : List.of(count, page)) {
                if (collection != null) {
                    q.bind("collection", collection);
                }
                if (vdisk != null) {
                    q.bind("vdisk", vdisk);
                }
            }
            return new Page<>(map(page).list(), count.mapTo(Long.class).one(), limit, offset);
        });
    }

    /** Every device, ordered by MAC (a server's snapshot of the farm). */
    public List<Info> all() {
        return farm.db().withHandle(h -> map(h.createQuery("SELECT " + COLUMNS + " FROM devices ORDER BY mac"))
                .list());
    }

    public Optional<Info> find(MacAddress mac) {
        return farm.db().withHandle(h -> find(h, mac));
    }

    /** Adds devices, all or none: one bad or duplicate entry refuses the whole list and names the entry. */
    public List<Info> add(List<New> devices, String actor) {
        if (devices.isEmpty()) {
            throw FarmException.invalid("no devices to add");
        }
        List<MacAddress> macs = new ArrayList<>();
        Map<MacAddress, Integer> seenMacs = new HashMap<>();
        Map<String, Integer> seenNames = new HashMap<>();
        for (int i = 0; i < devices.size(); i++) {
            New d = devices.get(i);
            String where = devices.size() > 1 ? "device " + (i + 1) + " of " + devices.size() + ": " : "";
            MacAddress mac = MacAddress.tryParse(d.mac() == null ? "" : d.mac().strip()).orElseThrow(() ->
                    FarmException.invalid(where + "not a MAC address: '" + d.mac() + "'"));
            try {
                Names.check("device", d.name());
                Names.description(d.description());
            } catch (FarmException e) {
                throw FarmException.invalid(where + e.getMessage());
            }
            Integer other = seenMacs.put(mac, i + 1);
            if (other != null) {
                throw FarmException.invalid(where + "MAC address " + mac + " is also device " + other + " of the list");
            }
            other = seenNames.put(d.name(), i + 1);
            if (other != null) {
                throw FarmException.invalid(where + "name " + d.name() + " is also device " + other + " of the list");
            }
            macs.add(mac);
        }
        return farm.db().inTransaction(h -> {
            List<Info> added = new ArrayList<>();
            for (int i = 0; i < devices.size(); i++) {
                New d = devices.get(i);
                MacAddress mac = macs.get(i);
                String where = devices.size() > 1 ? "device " + (i + 1) + " of " + devices.size() + ": " : "";
                Optional<Info> same = find(h, mac);
                if (same.isPresent()) {
                    throw FarmException.conflict(where + "MAC address " + mac + " is device " + same.get().name()
                            + " already");
                }
                if (byName(h, d.name()).isPresent()) {
                    throw FarmException.conflict(where + "a device named " + d.name() + " exists already");
                }
                String collection = blankToNull(d.collection());
                String vdisk = blankToNull(d.vdisk());
                checkReferences(h, where, collection, vdisk);
                h.createUpdate("INSERT INTO devices (mac, name, description, collection, vdisk) VALUES (?, ?, ?, ?, ?)")
                        .bind(0, mac.toString()).bind(1, d.name()).bind(2, Names.description(d.description()))
                        .bind(3, collection).bind(4, vdisk).execute();
                AuditLog.record(h, farm, actor, "device.add", mac.toString(), "name " + d.name()
                        + (vdisk != null ? ", vDisk " + vdisk : "") + (collection != null ? ", collection "
                        + collection : ""));
                added.add(find(h, mac).orElseThrow());
            }
            return added;
        });
    }

    public Info update(MacAddress mac, Change change, String actor) {
        if (change.name() != null) {
            Names.check("device", change.name());
        }
        String description = change.description() != null ? Names.description(change.description()) : null;
        return farm.db().inTransaction(h -> {
            Info info = require(h, mac);
            String name = change.name() != null ? change.name() : info.name();
            String collection = change.collection() != null ? blankToNull(change.collection().orElse(null))
                    : info.collection();
            String vdisk = change.vdisk() != null ? blankToNull(change.vdisk().orElse(null)) : info.vdisk();
            if (!name.equals(info.name()) && byName(h, name).isPresent()) {
                throw FarmException.conflict("a device named " + name + " exists already");
            }
            checkReferences(h, "", collection, vdisk);
            h.createUpdate("UPDATE devices SET name = ?, description = ?, collection = ?, vdisk = ? WHERE mac = ?")
                    .bind(0, name).bind(1, description != null ? description : info.description())
                    .bind(2, collection).bind(3, vdisk).bind(4, mac.toString()).execute();
            Info after = require(h, mac);
            AuditLog.record(h, farm, actor, "device.set", mac.toString(), describe(info, after));
            return after;
        });
    }

    public void remove(MacAddress mac, String actor) {
        farm.db().inTransaction(h -> {
            Info info = require(h, mac);
            h.createUpdate("DELETE FROM devices WHERE mac = ?").bind(0, mac.toString()).execute();
            AuditLog.record(h, farm, actor, "device.remove", mac.toString(), "name " + info.name());
            return null;
        });
    }

    /** Assigns a vDisk to devices; returns how many. Unknown devices refuse the whole list. */
    public int assign(String vdisk, List<MacAddress> macs, String actor) {
        return farm.db().inTransaction(h -> {
            VDisks.require(h, vdisk);
            for (MacAddress mac : macs) {
                require(h, mac);
            }
            for (MacAddress mac : macs) {
                h.createUpdate("UPDATE devices SET vdisk = ? WHERE mac = ?").bind(0, vdisk).bind(1, mac.toString())
                        .execute();
            }
            AuditLog.record(h, farm, actor, "vdisk.assign", vdisk, macs.size() + " device(s): "
                    + String.join(" ", macs.stream().map(MacAddress::toString).toList()));
            return macs.size();
        });
    }

    /** Assigns a vDisk to every device of a collection; returns how many. */
    public int assignCollection(String vdisk, String collection, String actor) {
        return farm.db().inTransaction(h -> {
            VDisks.require(h, vdisk);
            Collections.require(h, collection);
            int n = h.createUpdate("UPDATE devices SET vdisk = ? WHERE collection = ?").bind(0, vdisk)
                    .bind(1, collection).execute();
            AuditLog.record(h, farm, actor, "vdisk.assign", vdisk, "collection " + collection + ", " + n
                    + " device(s)");
            return n;
        });
    }

    /** Records a device's state as a server saw it (operational, not an administrator's change: no audit entry). */
    public void recordState(MacAddress mac, String state, String server, long at) {
        farm.db().inTransaction(h -> h.createUpdate("UPDATE devices SET boot_state = ?, served_by = ?, "
                        + "last_seen_at = ? WHERE mac = ? AND (last_seen_at IS NULL OR last_seen_at <= ?)")
                .bind(0, state).bind(1, server).bind(2, at).bind(3, mac.toString()).bind(4, at).execute());
    }

    /**
     * A device's boot event, as the server that saw it records it: booting now, through that server. Every server
     * drops a write cache of the device made before this moment (see {@link TargetDevice#bootedAt}).
     */
    public Info bootEvent(MacAddress mac, String server) {
        long now = farm.now();
        return farm.db().inTransaction(h -> {
            require(h, mac);
            h.createUpdate("UPDATE devices SET boot_state = 'booting', served_by = ?, last_seen_at = ?, booted_at = ? "
                    + "WHERE mac = ?").bind(0, server).bind(1, now).bind(2, now).bind(3, mac.toString()).execute();
            return require(h, mac);
        });
    }

    static Info require(Handle h, MacAddress mac) {
        return find(h, mac).orElseThrow(() -> FarmException.notFound("no device with MAC address " + mac));
    }

    private void checkReferences(Handle h, String where, String collection, String vdisk) {
        if (collection != null && !Collections.exists(h, collection)) {
            throw FarmException.notFound(where + "no collection named " + collection);
        }
        if (vdisk != null && VDisks.require(h, vdisk) == null) {
            throw new AssertionError();
        }
    }

    private static Optional<Info> find(Handle h, MacAddress mac) {
        return map(h.createQuery("SELECT " + COLUMNS + " FROM devices WHERE mac = ?").bind(0, mac.toString()))
                .findOne();
    }

    private static Optional<Info> byName(Handle h, String name) {
        return map(h.createQuery("SELECT " + COLUMNS + " FROM devices WHERE name = ?").bind(0, name)).findOne();
    }

    private static org.jdbi.v3.core.result.ResultIterable<Info> map(Query query) {
        return query.map((r, ctx) -> {
            long seen = r.getLong("last_seen_at");
            Instant lastSeen = r.wasNull() ? null : Instant.ofEpochMilli(seen);
            long booted = r.getLong("booted_at");
            Instant bootedAt = r.wasNull() ? null : Instant.ofEpochMilli(booted);
            return new Info(MacAddress.parse(r.getString("mac")), r.getString("name"), r.getString("description"),
                    r.getString("collection"), r.getString("vdisk"), r.getString("boot_state"),
                    r.getString("served_by"), lastSeen, bootedAt);
        });
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static String describe(Info from, Info to) {
        List<String> parts = new ArrayList<>();
        if (!from.name().equals(to.name())) {
            parts.add("name " + from.name() + " -> " + to.name());
        }
        if (!java.util.Objects.equals(from.vdisk(), to.vdisk())) {
            parts.add("vDisk " + from.vdisk() + " -> " + to.vdisk());
        }
        if (!java.util.Objects.equals(from.collection(), to.collection())) {
            parts.add("collection " + from.collection() + " -> " + to.collection());
        }
        if (!from.description().equals(to.description())) {
            parts.add("description '" + to.description() + "'");
        }
        return parts.isEmpty() ? "no change" : String.join(", ", parts);
    }
}
