-- Issue 14 §1–2: a grant records the legal instrument of its mode (the province's decision,
-- the 委托书, the basis for the town's own name) as structured records inside its JSON
-- document. Grants recorded before kept the provincial decision as a bare document number:
-- it moves to `legacy_decision`, so that the new record's shape (issuer, publication and
-- evaluation dates) is never faked; the consistency report lists such grants.
UPDATE grants
SET doc = ((doc::jsonb - 'provincial_decision')
           || jsonb_build_object('legacy_decision', doc::jsonb -> 'provincial_decision'))::text
WHERE jsonb_typeof(doc::jsonb -> 'provincial_decision') = 'string';
