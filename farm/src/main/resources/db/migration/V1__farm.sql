-- The farm database, version 1: one schema for the embedded SQLite file and for a shared PostgreSQL.
-- Portable SQL only (the two run the same migrations): times are BIGINT epoch milliseconds, flags are INTEGER 0/1,
-- no JSON or native boolean types. The one difference, a generated key, is the Flyway placeholder ${generated_id}
-- (FarmDatabase sets it per engine).

-- Farm members. Each server writes its own row (heartbeat, load); any server marks a member down whose heartbeat is
-- older than its lease. instance changes at every start: a heartbeat only counts from the process that owns the row.
CREATE TABLE servers (
    name            VARCHAR(128) PRIMARY KEY,
    instance        VARCHAR(64) NOT NULL,
    address         VARCHAR(255) NOT NULL,
    nbd_port        INTEGER NOT NULL,
    iscsi_port      INTEGER NOT NULL,
    http_port       INTEGER NOT NULL,
    state           VARCHAR(8) NOT NULL,
    started_at      BIGINT NOT NULL,
    heartbeat_at    BIGINT NOT NULL,
    lease_millis    BIGINT NOT NULL,
    devices         INTEGER NOT NULL DEFAULT 0,
    bytes_read      BIGINT NOT NULL DEFAULT 0,
    bytes_written   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE stores (
    name            VARCHAR(128) PRIMARY KEY,
    default_path    VARCHAR(1024) NOT NULL,
    description     VARCHAR(1024) NOT NULL DEFAULT ''
);

-- A server's own path to a store, where it differs from the default.
CREATE TABLE store_paths (
    store           VARCHAR(128) NOT NULL REFERENCES stores (name) ON DELETE CASCADE,
    server          VARCHAR(128) NOT NULL,
    path            VARCHAR(1024) NOT NULL,
    PRIMARY KEY (store, server)
);

-- vDisks mirror the .pvp files beside their images. updated_at says which side changed last: a .pvp newer than the
-- row updates the row at the next scan, a row newer than a .pvp rewrites that .pvp. removed_at marks a vDisk taken out
-- of the farm (its files stay); a scan brings it back only if its image changes afterwards.
CREATE TABLE vdisks (
    name                VARCHAR(128) PRIMARY KEY,
    store               VARCHAR(128) NOT NULL REFERENCES stores (name),
    size_bytes          BIGINT NOT NULL,
    mode                VARCHAR(16) NOT NULL,
    write_cache_type    VARCHAR(16) NOT NULL,
    write_cache_size    BIGINT NOT NULL,
    load_balancing      INTEGER NOT NULL DEFAULT 0,
    high_availability   INTEGER NOT NULL DEFAULT 0,
    description         VARCHAR(1024) NOT NULL DEFAULT '',
    updated_at          BIGINT NOT NULL,
    removed_at          BIGINT
);

-- What each server's copy of a store holds, as its last scan found it.
CREATE TABLE vdisk_copies (
    vdisk           VARCHAR(128) NOT NULL REFERENCES vdisks (name) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    server          VARCHAR(128) NOT NULL,
    size_bytes      BIGINT NOT NULL,
    modified_at     BIGINT NOT NULL,
    content_hash    VARCHAR(80),
    scanned_at      BIGINT NOT NULL,
    PRIMARY KEY (vdisk, version, server)
);

CREATE TABLE collections (
    name            VARCHAR(128) PRIMARY KEY,
    description     VARCHAR(1024) NOT NULL DEFAULT ''
);

CREATE TABLE devices (
    mac             VARCHAR(17) PRIMARY KEY,
    name            VARCHAR(128) NOT NULL UNIQUE,
    description     VARCHAR(1024) NOT NULL DEFAULT '',
    collection      VARCHAR(128) REFERENCES collections (name),
    vdisk           VARCHAR(128) REFERENCES vdisks (name),
    boot_state      VARCHAR(16) NOT NULL DEFAULT 'off',
    served_by       VARCHAR(128),
    last_seen_at    BIGINT
);

-- API tokens: only a SHA-256 of each is kept.
CREATE TABLE api_tokens (
    name            VARCHAR(64) PRIMARY KEY,
    sha256          VARCHAR(64) NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE audit (
    id              ${generated_id},
    at              BIGINT NOT NULL,
    actor           VARCHAR(128) NOT NULL,
    action          VARCHAR(64) NOT NULL,
    subject         VARCHAR(255) NOT NULL,
    detail          VARCHAR(4000) NOT NULL DEFAULT ''
);

CREATE INDEX audit_at ON audit (at);
CREATE INDEX devices_vdisk ON devices (vdisk);
CREATE INDEX devices_collection ON devices (collection);
