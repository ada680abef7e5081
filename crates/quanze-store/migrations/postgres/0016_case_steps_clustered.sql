-- Issue 15: a case's timeline stored together. On SQLite `case_steps` becomes a WITHOUT
-- ROWID table clustered by (case, step). PostgreSQL reads a case's steps along the primary
-- key's index already and has no clustered tables that stay clustered: nothing to change.
SELECT 1;
