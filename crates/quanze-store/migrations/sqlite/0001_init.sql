-- Quanze schema, version 1 (SQLite). Keep in step with postgres/0001_init.sql.
--
-- Values use portable types so one implementation serves both backends: ids are UUID text,
-- dates are 'YYYY-MM-DD' text (which sorts like the date), instants are RFC 3339 text in UTC
-- with nanoseconds, and structured values are JSON text. A `region` column is not needed yet;
-- every county-owned table can gain one when the schema is distributed by region.

CREATE TABLE regions (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    level  TEXT NOT NULL,
    -- Not a foreign key: a county may load its townships without the province above it.
    parent TEXT
);

CREATE TABLE units (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    region      TEXT NOT NULL REFERENCES regions (code),
    credit_code TEXT,
    parent      TEXT REFERENCES units (id),
    tags        TEXT NOT NULL
);
CREATE INDEX units_region ON units (region);

CREATE TABLE lists (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    scope_kind   TEXT NOT NULL,
    scope_unit   TEXT REFERENCES units (id),
    scope_county TEXT,
    CHECK ((scope_kind = 'unit' AND scope_unit IS NOT NULL AND scope_county IS NULL)
        OR (scope_kind = 'township_template' AND scope_unit IS NULL AND scope_county IS NOT NULL))
);

CREATE TABLE list_versions (
    id              TEXT PRIMARY KEY,
    list_id         TEXT NOT NULL REFERENCES lists (id),
    number          INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
    effective_from  TEXT,
    effective_until TEXT,
    doc_no          TEXT,
    UNIQUE (list_id, number)
);

CREATE TABLE items (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

-- Item versions are immutable once written; list versions pin them by (item_id, number).
CREATE TABLE item_versions (
    item_id  TEXT NOT NULL REFERENCES items (id),
    number   INTEGER NOT NULL,
    name     TEXT NOT NULL,
    category TEXT NOT NULL,
    holder   TEXT NOT NULL REFERENCES units (id),
    content  TEXT NOT NULL,
    PRIMARY KEY (item_id, number)
);
CREATE INDEX item_versions_holder ON item_versions (holder);

CREATE TABLE list_entries (
    version_id   TEXT NOT NULL REFERENCES list_versions (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    item_id      TEXT NOT NULL,
    item_version INTEGER NOT NULL,
    duty_kind    TEXT NOT NULL,
    counterpart  TEXT REFERENCES units (id),
    PRIMARY KEY (version_id, item_id),
    FOREIGN KEY (item_id, item_version) REFERENCES item_versions (item_id, number)
);
-- "Which lists hold this item", and the snapshot's referenced-item-versions query.
CREATE INDEX list_entries_item ON list_entries (item_id, item_version);

CREATE TABLE list_overrides (
    version_id   TEXT NOT NULL REFERENCES list_versions (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    target_kind  TEXT NOT NULL,
    target_tag   TEXT,
    target_unit  TEXT REFERENCES units (id),
    change_kind  TEXT NOT NULL,
    item_id      TEXT NOT NULL REFERENCES items (id),
    -- NULL for a removal; a NULL column disables the composite foreign key (MATCH SIMPLE).
    item_version INTEGER,
    duty_kind    TEXT,
    counterpart  TEXT REFERENCES units (id),
    reason       TEXT NOT NULL,
    PRIMARY KEY (version_id, position),
    FOREIGN KEY (item_id, item_version) REFERENCES item_versions (item_id, number)
);
CREATE INDEX list_overrides_item ON list_overrides (item_id, item_version);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT
);

CREATE TABLE user_roles (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role     TEXT NOT NULL,
    -- NULL: the role holds for the whole county.
    unit_id  TEXT REFERENCES units (id),
    PRIMARY KEY (user_id, position)
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- One row per write. Rows are only ever inserted. No foreign keys: the trace must outlive
-- whatever it mentions.
CREATE TABLE events (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT,
    unit    TEXT,
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL
);

-- The gap-free counter: every write transaction increments this one row first, which also
-- serialises writers (a sequence would skip numbers on rollback).
CREATE TABLE event_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
);
INSERT INTO event_head (id, last_seq) VALUES (1, 0);
