-- Devolution (赋权): grants of department powers to towns, each town's readiness to take a
-- grant (承接), and reclaims (收回). The rules (the department holds the power, no town gets it
-- twice, penalty powers need a provincial decision, ...) are checked in the core before a
-- write; rows are JSON documents of the core types, with the keys the checks look up.
CREATE TABLE grants (
    id        TEXT PRIMARY KEY,
    item      TEXT NOT NULL,
    from_unit TEXT NOT NULL REFERENCES units (id),
    batch     TEXT NOT NULL,
    doc       TEXT NOT NULL
);
CREATE INDEX grants_by_item ON grants (item);

CREATE TABLE readiness (
    grant_id TEXT NOT NULL REFERENCES grants (id),
    town     TEXT NOT NULL REFERENCES units (id),
    doc      TEXT NOT NULL,
    PRIMARY KEY (grant_id, town)
);

CREATE TABLE reclaims (
    id       TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (id),
    town     TEXT NOT NULL REFERENCES units (id),
    doc      TEXT NOT NULL
);
