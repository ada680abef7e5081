-- A change set's changes in their own rows, one per proposed change, beside the workflow
-- document. The changes are written when a change set is drafted or its changes revised;
-- the workflow's steps (rounds, opinions, review, approval) rewrite only the document, which
-- holds no item contents however many items the change set touches. The change's fields are
-- columns and the new content is the item content's own JSON (NULL for a removal), so reading
-- 100,000 changes parses each content directly.
CREATE TABLE change_set_changes (
    set_id      TEXT NOT NULL REFERENCES change_sets (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    list_id     TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    -- add, amend, remove
    action      TEXT NOT NULL,
    -- the item version an amendment or removal was written on
    base        INTEGER,
    -- an addition's duty kind and its counterpart unit
    duty_kind   TEXT,
    counterpart TEXT,
    reason      TEXT NOT NULL,
    basis       TEXT NOT NULL,
    content     TEXT,
    PRIMARY KEY (set_id, position)
);

-- Change sets stored before: their changes move out of the document.
INSERT INTO change_set_changes
    (set_id, position, list_id, item_id, action, base, duty_kind, counterpart, reason, basis, content)
SELECT cs.id, (c.ord - 1)::INTEGER, c.value ->> 'list', c.value ->> 'item',
       c.value ->> 'action', (c.value ->> 'base')::INTEGER,
       c.value -> 'duty' ->> 'kind',
       COALESCE(c.value -> 'duty' ->> 'lead', c.value -> 'duty' ->> 'receiver'),
       c.value ->> 'reason', c.value ->> 'basis', c.value ->> 'content'
FROM change_sets cs, jsonb_array_elements(cs.doc::jsonb -> 'changes') WITH ORDINALITY AS c(value, ord);
UPDATE change_sets SET doc = jsonb_set(doc::jsonb, '{changes}', '[]'::jsonb)::text;
