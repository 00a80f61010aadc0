package org.diskfarm.farm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The vDisks of the farm. The files in the stores are the truth: a server's scan ({@link #recordScan}) adds what it
 * finds, and the {@code .pvp} beside each image and the row here are kept alike, whichever changed last winning (see
 * the schema). Administrators change properties here ({@link #update}); every server holding the vDisk then rewrites
 * its {@code .pvp} at its next scan.
 */
public final class VDisks {
    /** The modes, as in .pvp files. */
    public static final Set<String> MODES = Set.of("private", "standard");
    /** The write cache types, as in .pvp files. */
    public static final Set<String> WRITE_CACHE_TYPES = Set.of("ram", "ram-overflow", "server-disk");

    /** The settings of a vDisk that its .pvp holds. */
    public record Properties(String mode, String writeCacheType, long writeCacheSize, boolean loadBalancing,
            boolean highAvailability, String description) {
        public Properties {
            if (!MODES.contains(mode)) {
                throw FarmException.invalid("mode must be private or standard, not '" + mode + "'");
            }
            if (!WRITE_CACHE_TYPES.contains(writeCacheType)) {
                throw FarmException.invalid("write cache type must be ram, ram-overflow or server-disk, not '"
                        + writeCacheType + "'");
            }
            if (writeCacheSize < 1) {
                throw FarmException.invalid("write cache size must be at least 1 byte: " + writeCacheSize);
            }
            description = Names.description(description);
        }
    }

    /** A change of properties; null fields stay as they are. */
    public record Change(String mode, String writeCacheType, Long writeCacheSize, Boolean loadBalancing,
            Boolean highAvailability, String description) {
        Properties applyTo(Properties p) {
            return new Properties(mode != null ? mode : p.mode(),
                    writeCacheType != null ? writeCacheType : p.writeCacheType(),
                    writeCacheSize != null ? writeCacheSize : p.writeCacheSize(),
                    loadBalancing != null ? loadBalancing : p.loadBalancing(),
                    highAvailability != null ? highAvailability : p.highAvailability(),
                    description != null ? description : p.description());
        }
    }

    /** What one server's store holds of a vDisk: its image's size, time and content hash (null until hashed). */
    public record Copy(String server, int version, long size, String contentHash, Instant scannedAt,
            Instant modifiedAt) {
    }

    /** A vDisk as the farm sees it. */
    public record Info(String name, String store, long size, Properties properties, int devices, List<Copy> copies,
            Instant updatedAt) {
    }

    /** One image a server's scan found. Times are epoch milliseconds of the files' modification. */
    public record Scanned(String name, int version, long size, long imageModified, long propertiesModified,
            Properties properties, String contentHash) {
    }

    /**
     * What a scan should do on the server: the properties to write into its .pvp files (the farm's are newer), and the
     * vDisks it must not serve (taken out of the farm).
     */
    public record ScanResult(Map<String, Properties> rewrite, Set<String> notInFarm) {
    }

    private final Farm farm;

    VDisks(Farm farm) {
        this.farm = farm;
    }

    public Page<Info> list(int limit, int offset) {
        Page.check(limit, offset);
        return farm.db().withHandle(h -> {
            long total = h.createQuery("SELECT COUNT(*) FROM vdisks WHERE removed_at IS NULL").mapTo(Long.class).one();
            List<String> names = h.createQuery("SELECT name FROM vdisks WHERE removed_at IS NULL ORDER BY name "
                    + "LIMIT :limit OFFSET :offset").bind("limit", limit).bind("offset", offset)
                    .mapTo(String.class).list();
            List<Info> items = new ArrayList<>();
            for (String name : names) {
                find(h, name).ifPresent(items::add);
            }
            return new Page<>(items, total, limit, offset);
        });
    }

    public Optional<Info> find(String name) {
        return farm.db().withHandle(h -> find(h, name));
    }

    /** Changes properties; the servers holding the vDisk rewrite their .pvp at their next scan. */
    public Info update(String name, Change change, String actor) {
        return farm.db().inTransaction(h -> {
            Info info = require(h, name);
            Properties changed = change.applyTo(info.properties());
            if (!changed.equals(info.properties())) {
                // The row must be newer than any .pvp: a clock step backwards would otherwise let an old file win.
                long at = Math.max(farm.now(), info.updatedAt().toEpochMilli() + 1);
                writeProperties(h, name, changed, at);
                AuditLog.record(h, farm, actor, "vdisk.set", name, describeChange(info.properties(), changed));
            }
            return require(h, name);
        });
    }

    /** Takes a vDisk out of the farm; its files stay in the stores. Refused while devices are assigned to it. */
    public void remove(String name, String actor) {
        farm.db().inTransaction(h -> {
            Info info = require(h, name);
            if (info.devices() > 0) {
                throw FarmException.conflict("vDisk " + name + " is assigned to " + info.devices() + " device(s); "
                        + "assign them another vDisk first");
            }
            h.createUpdate("UPDATE vdisks SET removed_at = ? WHERE name = ?").bind(0, farm.now()).bind(1, name)
                    .execute();
            h.createUpdate("DELETE FROM vdisk_copies WHERE vdisk = ?").bind(0, name).execute();
            AuditLog.record(h, farm, actor, "vdisk.remove", name, "its files stay in store " + info.store());
            return null;
        });
    }

    /**
     * Records what one server's copy of a store holds now, and says what the server should change on its side.
     * Copies this server no longer has are forgotten.
     */
    public ScanResult recordScan(String server, String store, List<Scanned> found) {
        long now = farm.now();
        return farm.db().inTransaction(h -> {
            Map<String, Properties> rewrite = new LinkedHashMap<>();
            java.util.Set<String> notInFarm = new java.util.TreeSet<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Scanned s : found) {
                Optional<Row> row = row(h, s.name());
                String actor = "server " + server;
                if (row.isEmpty()) {
                    h.createUpdate("INSERT INTO vdisks (name, store, size_bytes, mode, write_cache_type, "
                                    + "write_cache_size, load_balancing, high_availability, description, updated_at) "
                                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                            .bind(0, s.name()).bind(1, store).bind(2, s.size())
                            .bind(3, s.properties().mode()).bind(4, s.properties().writeCacheType())
                            .bind(5, s.properties().writeCacheSize()).bind(6, flag(s.properties().loadBalancing()))
                            .bind(7, flag(s.properties().highAvailability())).bind(8, s.properties().description())
                            .bind(9, Math.max(s.propertiesModified(), s.imageModified())).execute();
                    AuditLog.record(h, farm, actor, "vdisk.found", s.name(), "in store " + store + ", "
                            + s.size() + " bytes");
                } else if (row.get().removedAt() != null) {
                    if (s.imageModified() <= row.get().removedAt()) {
                        notInFarm.add(s.name());
                        continue;
                    }
                    h.createUpdate("UPDATE vdisks SET removed_at = NULL, store = ? WHERE name = ?").bind(0, store)
                            .bind(1, s.name()).execute();
                    writeProperties(h, s.name(), s.properties(), Math.max(s.propertiesModified(), s.imageModified()));
                    AuditLog.record(h, farm, actor, "vdisk.found", s.name(), "its image changed after it was "
                            + "removed, so it is back in the farm");
                } else if (s.propertiesModified() > row.get().updatedAt()) {
                    if (!s.properties().equals(row.get().properties())) {
                        AuditLog.record(h, farm, actor, "vdisk.set", s.name(), "from its .pvp file: "
                                + describeChange(row.get().properties(), s.properties()));
                    }
                    writeProperties(h, s.name(), s.properties(), s.propertiesModified());
                } else if (!s.properties().equals(row.get().properties())) {
                    rewrite.put(s.name(), row.get().properties());
                }
                if (s.version() == 0) {
                    h.createUpdate("UPDATE vdisks SET size_bytes = ? WHERE name = ?").bind(0, s.size())
                            .bind(1, s.name()).execute();
                }
                seen.add(s.name() + "\0" + s.version());
                h.createUpdate("INSERT INTO vdisk_copies (vdisk, version, server, size_bytes, modified_at, "
                                + "content_hash, scanned_at) VALUES (:vdisk, :version, :server, :size, :modified, "
                                + ":hash, :now) ON CONFLICT (vdisk, version, server) DO UPDATE SET "
                                + "size_bytes = :size, modified_at = :modified, scanned_at = :now, content_hash = "
                                + "CASE WHEN :hash IS NOT NULL THEN :hash WHEN vdisk_copies.modified_at = :modified "
                                + "AND vdisk_copies.size_bytes = :size THEN vdisk_copies.content_hash ELSE NULL END")
                        .bind("vdisk", s.name()).bind("version", s.version()).bind("server", server)
                        .bind("size", s.size()).bind("modified", s.imageModified()).bind("hash", s.contentHash())
                        .bind("now", now).execute();
            }
            List<Copy> mine = h.createQuery("SELECT c.vdisk, c.version FROM vdisk_copies c JOIN vdisks v "
                            + "ON v.name = c.vdisk WHERE c.server = ? AND v.store = ?").bind(0, server).bind(1, store)
                    .map((r, ctx) -> new Copy(r.getString("vdisk"), r.getInt("version"), 0, null, null, null)).list();
            for (Copy gone : mine) {
                if (!seen.contains(gone.server() + "\0" + gone.version())) {
                    h.createUpdate("DELETE FROM vdisk_copies WHERE vdisk = ? AND version = ? AND server = ?")
                            .bind(0, gone.server()).bind(1, gone.version()).bind(2, server).execute();
                }
            }
            return new ScanResult(rewrite, notInFarm);
        });
    }

    /** The content hash recorded for a server's copy if the file has not changed since, else empty. */
    public Optional<String> knownHash(String server, String vdisk, int version, long size, long modified) {
        return farm.db().withHandle(h -> h.createQuery("SELECT content_hash FROM vdisk_copies WHERE vdisk = ? AND "
                        + "version = ? AND server = ? AND size_bytes = ? AND modified_at = ?")
                .bind(0, vdisk).bind(1, version).bind(2, server).bind(3, size).bind(4, modified)
                .mapTo(String.class).findOne().filter(java.util.Objects::nonNull));
    }

    /** Records a content hash computed for a server's copy, if the copy is still the file that was hashed. */
    public void recordHash(String server, String vdisk, int version, long size, long modified, String hash) {
        farm.db().inTransaction(h -> h.createUpdate("UPDATE vdisk_copies SET content_hash = ? WHERE vdisk = ? AND "
                        + "version = ? AND server = ? AND size_bytes = ? AND modified_at = ?")
                .bind(0, hash).bind(1, vdisk).bind(2, version).bind(3, server).bind(4, size).bind(5, modified)
                .execute());
    }

    static Info require(Handle h, String name) {
        return find(h, name).orElseThrow(() -> FarmException.notFound("no vDisk named " + name + " in the farm"));
    }

    private record Row(String name, String store, long size, Properties properties, long updatedAt, Long removedAt) {
    }

    private static Optional<Row> row(Handle h, String name) {
        return h.createQuery("SELECT * FROM vdisks WHERE name = ?").bind(0, name).map((r, ctx) -> {
            long removed = r.getLong("removed_at");
            Long removedAt = r.wasNull() ? null : removed;
            return new Row(r.getString("name"), r.getString("store"), r.getLong("size_bytes"),
                    new Properties(r.getString("mode"), r.getString("write_cache_type"), r.getLong("write_cache_size"),
                            r.getInt("load_balancing") != 0, r.getInt("high_availability") != 0,
                            r.getString("description")),
                    r.getLong("updated_at"), removedAt);
        }).findOne();
    }

    private static Optional<Info> find(Handle h, String name) {
        Optional<Row> row = row(h, name).filter(r -> r.removedAt() == null);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        int devices = h.createQuery("SELECT COUNT(*) FROM devices WHERE vdisk = ?").bind(0, name)
                .mapTo(Integer.class).one();
        List<Copy> copies = h.createQuery("SELECT server, version, size_bytes, content_hash, scanned_at, modified_at "
                        + "FROM vdisk_copies WHERE vdisk = ? ORDER BY server, version").bind(0, name)
                .map((r, ctx) -> new Copy(r.getString("server"), r.getInt("version"), r.getLong("size_bytes"),
                        r.getString("content_hash"), Instant.ofEpochMilli(r.getLong("scanned_at")),
                        Instant.ofEpochMilli(r.getLong("modified_at")))).list();
        Row r = row.get();
        return Optional.of(new Info(r.name(), r.store(), r.size(), r.properties(), devices, copies,
                Instant.ofEpochMilli(r.updatedAt())));
    }

    private static void writeProperties(Handle h, String name, Properties p, long at) {
        h.createUpdate("UPDATE vdisks SET mode = ?, write_cache_type = ?, write_cache_size = ?, load_balancing = ?, "
                        + "high_availability = ?, description = ?, updated_at = ? WHERE name = ?")
                .bind(0, p.mode()).bind(1, p.writeCacheType()).bind(2, p.writeCacheSize())
                .bind(3, flag(p.loadBalancing())).bind(4, flag(p.highAvailability())).bind(5, p.description())
                .bind(6, at).bind(7, name).execute();
    }

    private static int flag(boolean value) {
        return value ? 1 : 0;
    }

    private static String describeChange(Properties from, Properties to) {
        List<String> parts = new ArrayList<>();
        if (!from.mode().equals(to.mode())) {
            parts.add("mode " + from.mode() + " -> " + to.mode());
        }
        if (!from.writeCacheType().equals(to.writeCacheType())) {
            parts.add("write cache type " + from.writeCacheType() + " -> " + to.writeCacheType());
        }
        if (from.writeCacheSize() != to.writeCacheSize()) {
            parts.add("write cache size " + from.writeCacheSize() + " -> " + to.writeCacheSize());
        }
        if (from.loadBalancing() != to.loadBalancing()) {
            parts.add("load balancing " + to.loadBalancing());
        }
        if (from.highAvailability() != to.highAvailability()) {
            parts.add("high availability " + to.highAvailability());
        }
        if (!from.description().equals(to.description())) {
            parts.add("description '" + to.description() + "'");
        }
        return parts.isEmpty() ? "no change" : String.join(", ", parts);
    }
}
