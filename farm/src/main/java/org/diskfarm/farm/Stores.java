package org.diskfarm.farm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Stores: named folders of vDisks. A store has a default path, and any server may reach it at a path of its own
 * ({@code store_paths}), as when each server keeps its copy on a local disk. Whether a path is a usable folder can
 * only be checked by the server that uses it, so callers pass a {@link PathCheck} for their own paths.
 */
public final class Stores {
    /** A store as the farm sees it. */
    public record Info(String name, String path, String description, List<ServerPath> paths) {
        /** The path {@code server} uses: its own, or the default. */
        public String pathFor(String server) {
            return paths.stream().filter(p -> p.server().equals(server)).map(ServerPath::path).findFirst()
                    .orElse(path);
        }
    }

    /** A server's own path to a store. */
    public record ServerPath(String server, String path) {
    }

    /** Checks a path on the machine that calls, and throws INVALID with a reason if it is not a writable folder. */
    @FunctionalInterface
    public interface PathCheck {
        void check(String path);
    }

    private final Farm farm;

    Stores(Farm farm) {
        this.farm = farm;
    }

    public List<Info> list() {
        return farm.db().withHandle(Stores::all);
    }

    public Optional<Info> find(String name) {
        return farm.db().withHandle(h -> all(h).stream().filter(s -> s.name().equals(name)).findFirst());
    }

    public Info add(String name, String path, String description, PathCheck check, String actor) {
        Names.check("store", name);
        String text = Names.description(description);
        check.check(path);
        return farm.db().inTransaction(h -> {
            if (exists(h, name)) {
                throw FarmException.conflict("a store named " + name + " exists already");
            }
            h.createUpdate("INSERT INTO stores (name, default_path, description) VALUES (?, ?, ?)")
                    .bind(0, name).bind(1, path).bind(2, text).execute();
            AuditLog.record(h, farm, actor, "store.add", name, "path " + path);
            return find(h, name);
        });
    }

    /** Sets a server's own path to a store ({@code check} is null when the path is another server's). */
    public Info setPath(String name, String server, String path, PathCheck check, String actor) {
        Names.check("server", server);
        if (check != null) {
            check.check(path);
        }
        return farm.db().inTransaction(h -> {
            if (!exists(h, name)) {
                throw FarmException.notFound("no store named " + name);
            }
            upsertPath(h, name, server, path);
            AuditLog.record(h, farm, actor, "store.path", name, "server " + server + " uses " + path);
            return find(h, name);
        });
    }

    public void remove(String name, String actor) {
        farm.db().inTransaction(h -> {
            if (!exists(h, name)) {
                throw FarmException.notFound("no store named " + name);
            }
            long vdisks = h.createQuery("SELECT COUNT(*) FROM vdisks WHERE store = ? AND removed_at IS NULL")
                    .bind(0, name).mapTo(Long.class).one();
            if (vdisks > 0) {
                throw FarmException.conflict("store " + name + " holds " + vdisks + " vDisk(s); remove them from "
                        + "the farm first");
            }
            h.createUpdate("DELETE FROM vdisks WHERE store = ?").bind(0, name).execute();
            h.createUpdate("DELETE FROM stores WHERE name = ?").bind(0, name).execute();
            AuditLog.record(h, farm, actor, "store.remove", name, "");
            return null;
        });
    }

    /**
     * Makes sure a server's own store exists at start-up: the store {@code name} is created with this path as its
     * default if the farm has none; otherwise, if its default path differs, this server gets a path of its own.
     */
    public Info ensure(String name, String server, String path) {
        return farm.db().inTransaction(h -> {
            if (!exists(h, name)) {
                h.createUpdate("INSERT INTO stores (name, default_path, description) VALUES (?, ?, ?) "
                        + "ON CONFLICT (name) DO NOTHING").bind(0, name).bind(1, path)
                        .bind(2, "created by server " + server).execute();
                AuditLog.record(h, farm, "server " + server, "store.add", name, "path " + path);
            }
            Info info = find(h, name);
            if (!info.pathFor(server).equals(path)) {
                upsertPath(h, name, server, path);
                AuditLog.record(h, farm, "server " + server, "store.path", name, "server " + server + " uses "
                        + path);
                info = find(h, name);
            }
            return info;
        });
    }

    private static void upsertPath(Handle h, String store, String server, String path) {
        h.createUpdate("INSERT INTO store_paths (store, server, path) VALUES (?, ?, ?) "
                + "ON CONFLICT (store, server) DO UPDATE SET path = excluded.path")
                .bind(0, store).bind(1, server).bind(2, path).execute();
    }

    static boolean exists(Handle h, String name) {
        return h.createQuery("SELECT COUNT(*) FROM stores WHERE name = ?").bind(0, name).mapTo(Long.class).one() > 0;
    }

    private static Info find(Handle h, String name) {
        return all(h).stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<Info> all(Handle h) {
        Map<String, List<ServerPath>> paths = new LinkedHashMap<>();
        h.createQuery("SELECT store, server, path FROM store_paths ORDER BY store, server")
                .map((r, ctx) -> {
                    paths.computeIfAbsent(r.getString("store"), k -> new ArrayList<>())
                            .add(new ServerPath(r.getString("server"), r.getString("path")));
                    return null;
                }).list();
        return h.createQuery("SELECT name, default_path, description FROM stores ORDER BY name")
                .map((r, ctx) -> new Info(r.getString("name"), r.getString("default_path"),
                        r.getString("description"), List.copyOf(paths.getOrDefault(r.getString("name"), List.of()))))
                .list();
    }
}
