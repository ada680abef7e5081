-- Issue 16: 办结 — one row per ended case, for the dashboard's on-time rate (按期办结率) and
-- trips per case (最多跑一次): the figures are in each case's packed document, which SQL cannot
-- read, so the case write that ends a case adds its row here in the same transaction.
CREATE TABLE case_ends (
    case_id  TEXT PRIMARY KEY REFERENCES cases (id),
    -- the unit whose name the decision bears
    unit     TEXT NOT NULL,
    -- closed, refused or withdrawn
    state    TEXT NOT NULL,
    ended_on TEXT NOT NULL,
    -- 1 when every clock of the case stopped by its deadline
    on_time  INTEGER NOT NULL,
    trips    INTEGER NOT NULL
);

-- Work the store does once, at its next opening, after a migration that SQL alone cannot do:
-- here, the rows of the cases that had ended before this migration (their documents unpacked).
CREATE TABLE store_tasks (
    name    TEXT PRIMARY KEY,
    done_at TEXT
);
INSERT INTO store_tasks (name, done_at) VALUES ('case_ends', NULL);
