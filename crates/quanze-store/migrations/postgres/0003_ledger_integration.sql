-- A write stores its leaf hash in its own event row and moves the frontier in the head row,
-- in its own transaction; the interior nodes of the tree (and a copy of each leaf hash, indexed
-- by hash) are added afterwards in batches by the integrator, up to the size recorded here.
-- This keeps the ledger's share of a write small (issue 3: at most 30 %).
ALTER TABLE events ADD COLUMN leaf_hash TEXT;
UPDATE events SET leaf_hash =
    (SELECT n.hash FROM ledger_nodes n WHERE n.level = 0 AND n.idx = events.seq - 1);

CREATE TABLE ledger_integrated (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    size     BIGINT NOT NULL,
    frontier TEXT NOT NULL
);
INSERT INTO ledger_integrated (id, size, frontier) SELECT 1, leaves, frontier FROM event_head;
