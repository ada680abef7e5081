-- Tiles (issue 3): the lowest eight levels of each complete run of 256 leaves as one row
-- (510 hashes, level by level from the leaves up), written by the integrator beside the node
-- rows, so that a proof reads one row per path for its lowest levels. A ledger integrated
-- before this migration has no tiles for its old leaves; proofs there read node rows.
CREATE TABLE ledger_tiles (
    idx   BIGINT PRIMARY KEY,
    nodes BYTEA NOT NULL
);
