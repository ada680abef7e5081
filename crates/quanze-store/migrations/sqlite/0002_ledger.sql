-- The ledger (全程留痕): every event is a leaf of an RFC 9162 Merkle tree, appended in the
-- event's own transaction. Complete node hashes are stored so proofs come from the stored
-- tree; the head row keeps the frontier (roots of the perfect subtrees) for the next append.
ALTER TABLE events ADD COLUMN commitment TEXT;
ALTER TABLE event_head ADD COLUMN leaves INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_head ADD COLUMN frontier TEXT NOT NULL DEFAULT '';

-- The hash algorithm is chosen when the ledger is created and never changes.
CREATE TABLE ledger_meta (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    alg        TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);
CREATE INDEX ledger_leaves_by_hash ON ledger_nodes (hash) WHERE level = 0;

-- Personal data stays out of leaves: the event holds a salted SM3 commitment, the data lives
-- here and can be erased (个人信息保护法) without breaking any proof.
CREATE TABLE event_personal (
    seq  INTEGER PRIMARY KEY REFERENCES events (seq),
    salt TEXT NOT NULL,
    data TEXT NOT NULL
);

-- Signed tree heads (C2SP signed notes); every one is kept.
CREATE TABLE checkpoints (
    size       INTEGER PRIMARY KEY,
    root       TEXT NOT NULL,
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Witness cosignature lines (C2SP tlog-cosignature), one per witness and checkpoint.
CREATE TABLE cosignatures (
    size       INTEGER NOT NULL REFERENCES checkpoints (size),
    witness    TEXT NOT NULL,
    line       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (size, witness)
);
