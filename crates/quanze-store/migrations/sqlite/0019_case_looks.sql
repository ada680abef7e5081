-- Issue 15: PostgreSQL moves the scheduler's cursor (`next_alert_on`) into a narrow table of
-- its own, so that a case's steps can be HOT updates there. SQLite updates only the indexes
-- whose columns change, so it keeps the column in `cases`: nothing changes here. The file
-- exists so that both backends carry the same migrations.
SELECT 1;
