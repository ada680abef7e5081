-- Issue 15: materials (申请材料) filed with cases, stored content-addressed.
--
-- A material's content is stored once under its SM3 digest (lowercase hex), however many cases
-- file it: `materials` holds its size and the type detected from its bytes. On a SQLite file
-- the bytes are a file under the database's folder (`materials/ab/cdef…`), written to a
-- temporary file, synced and renamed into place before the row that names it is committed; on
-- PostgreSQL (and in-memory SQLite) they are in `material_contents`, written in the same
-- transaction as the row. Nothing is ever deleted, so a row never names missing content.
--
-- `case_materials` files a material with a case, under its name in the item's guide, with
-- the case's step count at that moment and its validity. Reuse on the same applicant's later
-- cases (once-only) finds them through `cases.applicant_key` (the keyed SM3 of the
-- applicant's number, indexed): no applicant key is repeated here.
CREATE TABLE materials (
    digest     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE material_contents (
    digest  TEXT PRIMARY KEY REFERENCES materials (digest),
    content BLOB NOT NULL
);

CREATE TABLE case_materials (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    name        TEXT NOT NULL,
    digest      TEXT NOT NULL REFERENCES materials (digest),
    attached_at TEXT NOT NULL,
    at_step     INTEGER NOT NULL,
    -- YYYY-MM-DD; NULL when no end of validity was given
    valid_until TEXT,
    -- the earlier case of the same applicant the material was reused from
    reused_from TEXT REFERENCES cases (id),
    PRIMARY KEY (case_id, name, digest)
);
