-- Issue 15: a case's document and its steps' documents are stored packed (zstd against a
-- dictionary built into the store; `quanze-store/src/packed.rs`), so the columns hold bytes.
-- A document whose first byte is `{` is plain JSON: the rows written before keep their text.
ALTER TABLE cases ALTER COLUMN doc TYPE BYTEA USING convert_to(doc, 'UTF8');
ALTER TABLE case_steps ALTER COLUMN doc TYPE BYTEA USING convert_to(doc, 'UTF8');
