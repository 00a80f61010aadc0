package org.diskfarm.farm;

import java.time.Clock;
import java.util.Objects;

/**
 * The farm as its database holds it: servers, stores, vDisks, devices, collections and the audit log, each behind a
 * small repository. Every server of a farm opens the same database, so every server sees every change at once.
 *
 * <p>Changes take an {@code actor} (who makes the change, for the audit log: {@code admin@10.0.0.5},
 * {@code server srv1}) and fail with {@link FarmException}: INVALID or NOT_FOUND or CONFLICT before anything is
 * written, UNAVAILABLE if the database cannot be reached. Thread-safe.
 */
public final class Farm {
    private final FarmDatabase db;
    private final Clock clock;
    private final Servers servers;
    private final Stores stores;
    private final VDisks vdisks;
    private final Devices devices;
    private final Collections collections;
    private final AuditLog audit;
    private final ApiTokens tokens;

    public Farm(FarmDatabase db, Clock clock) {
        this.db = Objects.requireNonNull(db);
        this.clock = Objects.requireNonNull(clock);
        this.servers = new Servers(this);
        this.stores = new Stores(this);
        this.vdisks = new VDisks(this);
        this.devices = new Devices(this);
        this.collections = new Collections(this);
        this.audit = new AuditLog(this);
        this.tokens = new ApiTokens(this);
    }

    public FarmDatabase db() {
        return db;
    }

    /** The time now, in epoch milliseconds, as this farm's clock says. */
    public long now() {
        return clock.millis();
    }

    public Servers servers() {
        return servers;
    }

    public Stores stores() {
        return stores;
    }

    public VDisks vdisks() {
        return vdisks;
    }

    public Devices devices() {
        return devices;
    }

    public Collections collections() {
        return collections;
    }

    public AuditLog audit() {
        return audit;
    }

    public ApiTokens tokens() {
        return tokens;
    }
}
