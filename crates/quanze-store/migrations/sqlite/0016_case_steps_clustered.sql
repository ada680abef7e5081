-- Issue 15: a case's timeline (and its materials) stored together.
--
-- `case_steps` was a rowid table: each step row went to the end of the file when it was
-- written, days after the case's earlier steps, so reading one case's timeline from a large
-- store cost a random read per step. As a WITHOUT ROWID table its rows are kept in the order
-- of its primary key (case, step), so a case's steps share one or two pages (8 KiB pages, a
-- few hundred bytes a step), and the separate primary-key index is gone (one B-tree written
-- per step instead of two).
CREATE TABLE case_steps_by_case (
    case_id TEXT NOT NULL REFERENCES cases (id),
    n       INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (case_id, n)
) WITHOUT ROWID;
INSERT INTO case_steps_by_case (case_id, n, seq, doc) SELECT case_id, n, seq, doc FROM case_steps;
DROP TABLE case_steps;
ALTER TABLE case_steps_by_case RENAME TO case_steps;

-- The same for the materials filed with a case (a case page lists them all).
CREATE TABLE case_materials_by_case (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    name        TEXT NOT NULL,
    digest      TEXT NOT NULL REFERENCES materials (digest),
    attached_at TEXT NOT NULL,
    at_step     INTEGER NOT NULL,
    valid_until TEXT,
    reused_from TEXT REFERENCES cases (id),
    PRIMARY KEY (case_id, name, digest)
) WITHOUT ROWID;
INSERT INTO case_materials_by_case
    SELECT case_id, name, digest, attached_at, at_step, valid_until, reused_from FROM case_materials;
DROP TABLE case_materials;
ALTER TABLE case_materials_by_case RENAME TO case_materials;
