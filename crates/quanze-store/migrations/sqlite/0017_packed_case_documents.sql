-- Issue 15: a case's document and its steps' documents are stored packed (zstd against a
-- dictionary built into the store; `quanze-store/src/packed.rs`) as BLOBs. A document whose
-- first byte is `{` is plain JSON, so the rows written before are kept as they are, turned
-- into BLOBs here so that every row of the column reads as bytes.
UPDATE cases SET doc = CAST(doc AS BLOB) WHERE typeof(doc) = 'text';
UPDATE case_steps SET doc = CAST(doc AS BLOB) WHERE typeof(doc) = 'text';
