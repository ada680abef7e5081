-- Issue 15: a case's timeline and materials stored together. On SQLite `case_steps` and
-- `case_materials` become WITHOUT ROWID tables clustered by case. PostgreSQL reads a case's
-- rows along the primary key's index already and has no clustered tables that stay
-- clustered: nothing to change.
SELECT 1;
