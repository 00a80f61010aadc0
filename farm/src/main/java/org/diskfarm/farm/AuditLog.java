package org.diskfarm.farm;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The audit log: every change to the farm, who made it and when. Entries are written by the repositories inside the
 * transaction of the change they describe, so a change without its entry (or the reverse) cannot happen.
 */
public final class AuditLog {
    /** One change. */
    public record Entry(long id, Instant at, String actor, String action, String subject, String detail) {
    }

    private final Farm farm;

    AuditLog(Farm farm) {
        this.farm = farm;
    }

    static void record(Handle h, Farm farm, String actor, String action, String subject, String detail) {
        h.createUpdate("INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)")
                .bind(0, farm.now()).bind(1, actor).bind(2, action).bind(3, subject)
                .bind(4, detail.length() > 4000 ? detail.substring(0, 4000) : detail)
                .execute();
    }

    /** Entries, newest first. */
    public Page<Entry> list(int limit, int offset) {
        Page.check(limit, offset);
        return farm.db().withHandle(h -> {
            long total = h.createQuery("SELECT COUNT(*) FROM audit").mapTo(Long.class).one();
            List<Entry> items = h.createQuery("SELECT id, at, actor, action, subject, detail FROM audit "
                            + "ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset")
                    .bind("limit", limit).bind("offset", offset)
                    .map((r, ctx) -> new Entry(r.getLong("id"), Instant.ofEpochMilli(r.getLong("at")),
                            r.getString("actor"), r.getString("action"), r.getString("subject"), r.getString("detail")))
                    .list();
            return new Page<>(items, total, limit, offset);
        });
    }
}
