-- Issue 15: cases (办件) under statutory procedure.
--
-- A case is one row: its state, its alert level and the next day that level can change
-- (the deadline scheduler reads only `next_alert_on <= today` along its index, never the whole
-- table), and its document (the core's `Case` as JSON, without the applicant). The applicant's
-- personal data is sealed (SM4 + HMAC-SM3) in `case_applicants`; cases are matched to an
-- applicant by a keyed SM3 hash of the ID number or credit code, never by the number itself.
-- Every step of a case is one row of `case_steps`, written in the same transaction as its
-- ledger event (`seq`), so the timeline and the ledger cannot disagree.
CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    receipt         TEXT NOT NULL UNIQUE,
    item_id         TEXT NOT NULL,
    procedure       TEXT NOT NULL,
    receiving_unit  TEXT NOT NULL,
    handling_unit   TEXT NOT NULL,
    deciding_unit   TEXT NOT NULL,
    state           TEXT NOT NULL,
    alert           TEXT NOT NULL,
    -- YYYY-MM-DD; NULL once no clock can change level (ended, paused, or red already)
    next_alert_on   TEXT,
    received_at     TEXT NOT NULL,
    applicant_key   TEXT NOT NULL,
    -- SM3 of the access code the applicant was given with the receipt
    access_hash     TEXT NOT NULL,
    steps           INTEGER NOT NULL,
    doc             TEXT NOT NULL
);
CREATE INDEX cases_next_alert ON cases (next_alert_on) WHERE next_alert_on IS NOT NULL;
CREATE INDEX cases_handling ON cases (handling_unit, state);
CREATE INDEX cases_applicant ON cases (applicant_key);

CREATE TABLE case_applicants (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    sealed  BLOB NOT NULL
);

CREATE TABLE case_steps (
    case_id TEXT NOT NULL REFERENCES cases (id),
    n       INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (case_id, n)
);

-- 督办: one per late clock and deadline, so a scheduler run repeated after a restart opens none twice.
CREATE TABLE supervisions (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES cases (id),
    clock     TEXT NOT NULL,
    due       TEXT NOT NULL,
    unit      TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    doc       TEXT NOT NULL,
    UNIQUE (case_id, clock, due)
);
CREATE INDEX supervisions_open ON supervisions (unit) WHERE closed_on IS NULL;

-- 好差评: once per case and channel.
CREATE TABLE ratings (
    id      TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    channel TEXT NOT NULL,
    unit    TEXT NOT NULL,
    level   INTEGER NOT NULL,
    at      TEXT NOT NULL,
    doc     TEXT NOT NULL,
    UNIQUE (case_id, channel)
);
CREATE INDEX ratings_unit ON ratings (unit);

-- 投诉建议; the complainant's name and contact, when given, are in event_personal only.
CREATE TABLE complaints (
    id         TEXT PRIMARY KEY,
    unit       TEXT NOT NULL,
    supervisor TEXT NOT NULL,
    reply_by   TEXT NOT NULL,
    replied    INTEGER NOT NULL DEFAULT 0,
    at         TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX complaints_supervisor ON complaints (supervisor, replied);
