-- The law registry (法规库): every law, regulation, rule and normative document that items
-- cite, with its window of force and what amended or repealed it. Impact reports and the
-- legality review read it.
CREATE TABLE laws (
    id             TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    level          TEXT NOT NULL,
    issuer         TEXT NOT NULL,
    in_force_from  TEXT NOT NULL,
    in_force_until TEXT,
    amended_by     TEXT REFERENCES laws (id),
    repealed_by    TEXT REFERENCES laws (id)
);
CREATE UNIQUE INDEX laws_by_title_and_start ON laws (title, in_force_from);
