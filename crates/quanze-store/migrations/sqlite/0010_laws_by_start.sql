-- The law registry is listed and paged by start of force: an index in that order lets a page
-- stop after its rows instead of sorting every law.
CREATE INDEX laws_by_start ON laws (in_force_from, id);
