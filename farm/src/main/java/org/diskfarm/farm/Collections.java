package org.diskfarm.farm;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Device collections: groups of devices (a classroom, a lab) for bulk assignment. */
public final class Collections {
    /** A collection and how many devices are in it. */
    public record Info(String name, String description, int devices) {
    }

    private final Farm farm;

    Collections(Farm farm) {
        this.farm = farm;
    }

    public List<Info> list() {
        return farm.db().withHandle(h -> h.createQuery("SELECT c.name, c.description, (SELECT COUNT(*) FROM devices d "
                        + "WHERE d.collection = c.name) AS devices FROM collections c ORDER BY c.name")
                .map((r, ctx) -> new Info(r.getString("name"), r.getString("description"), r.getInt("devices")))
                .list());
    }

    public Optional<Info> find(String name) {
        return farm.db().withHandle(h -> find(h, name));
    }

    public Info add(String name, String description, String actor) {
        Names.check("collection", name);
        String text = Names.description(description);
        return farm.db().inTransaction(h -> {
            if (exists(h, name)) {
                throw FarmException.conflict("a collection named " + name + " exists already");
            }
            h.createUpdate("INSERT INTO collections (name, description) VALUES (?, ?)").bind(0, name).bind(1, text)
                    .execute();
            AuditLog.record(h, farm, actor, "collection.add", name, text);
            return require(h, name);
        });
    }

    public Info update(String name, String description, String actor) {
        String text = Names.description(description);
        return farm.db().inTransaction(h -> {
            require(h, name);
            h.createUpdate("UPDATE collections SET description = ? WHERE name = ?").bind(0, text).bind(1, name)
                    .execute();
            AuditLog.record(h, farm, actor, "collection.set", name, "description '" + text + "'");
            return require(h, name);
        });
    }

    public void remove(String name, String actor) {
        farm.db().inTransaction(h -> {
            Info info = require(h, name);
            if (info.devices() > 0) {
                throw FarmException.conflict("collection " + name + " holds " + info.devices() + " device(s); move "
                        + "or remove them first");
            }
            h.createUpdate("DELETE FROM collections WHERE name = ?").bind(0, name).execute();
            AuditLog.record(h, farm, actor, "collection.remove", name, "");
            return null;
        });
    }

    static boolean exists(Handle h, String name) {
        return h.createQuery("SELECT COUNT(*) FROM collections WHERE name = ?").bind(0, name).mapTo(Long.class)
                .one() > 0;
    }

    static Info require(Handle h, String name) {
        return find(h, name).orElseThrow(() -> FarmException.notFound("no collection named " + name));
    }

    private static Optional<Info> find(Handle h, String name) {
        return h.createQuery("SELECT c.name, c.description, (SELECT COUNT(*) FROM devices d WHERE d.collection = "
                        + "c.name) AS devices FROM collections c WHERE c.name = ?").bind(0, name)
                .map((r, ctx) -> new Info(r.getString("name"), r.getString("description"), r.getInt("devices")))
                .findOne();
    }
}
