-- Change sets (调整方案): a proposed revision of one or more lists with its workflow, opinion
-- rounds (三上三下), public comment period and legality review. The whole aggregate is one
-- JSON document, written whole by each operation; `rev` goes up by one on every write so two
-- clerks acting at once cannot overwrite each other (the second is refused and reloads).
CREATE TABLE change_sets (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    stage      TEXT NOT NULL,
    rev        BIGINT NOT NULL,
    doc        TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX change_sets_by_stage ON change_sets (stage);
