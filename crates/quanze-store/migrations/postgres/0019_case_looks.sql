-- Issue 15: on PostgreSQL the scheduler's cursor lives in a narrow table of its own.
--
-- An `UPDATE` is HOT (no new index entries, the new row version on the same page) only when
-- it changes no indexed column. `cases.next_alert_on` was indexed for the scheduler, so every
-- step of a case — the deadline tick's alert steps above all — inserted into all five of
-- `cases`' indexes. Here a case's next look is a row of `case_looks`, indexed there under the
-- index's old name; a step that keeps the case's units and state updates `cases` without
-- touching an index, and `cases` keeps room on its pages for such new versions.
--
-- SQLite updates only the indexes whose columns change, so it keeps the column in `cases`
-- (its migration 0019 changes nothing): the two schemas differ here, and `cases.rs` says where.
--
-- The row carries the case's step count as its own version: the scheduler moves a look only
-- if the case has not stepped since it read it (`case_looks.steps`), a condition PostgreSQL
-- checks again on the row it updates when a step commits first (a check on a joined `cases`
-- row would see its old version and let a stale look overwrite the step's).
CREATE TABLE case_looks (
    case_id       TEXT PRIMARY KEY REFERENCES cases (id),
    steps         INTEGER NOT NULL,
    -- YYYY-MM-DD; NULL once no clock can change level (ended, paused, or red already)
    next_alert_on TEXT
);
INSERT INTO case_looks (case_id, steps, next_alert_on) SELECT id, steps, next_alert_on FROM cases;
DROP INDEX cases_next_alert;
ALTER TABLE cases DROP COLUMN next_alert_on;
CREATE INDEX cases_next_alert ON case_looks (next_alert_on) WHERE next_alert_on IS NOT NULL;
ALTER TABLE cases SET (fillfactor = 75);
