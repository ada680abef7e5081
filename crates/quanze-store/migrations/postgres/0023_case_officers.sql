-- Issue 17: the certificate numbers (执法证号) of the officers who investigated a case or applied
-- a measure are personal data: sealed with SM4 under the personal-data key, here, instead of in
-- clear in the case's document (`doc` keeps an empty list then). NULL: none, or no key (the
-- document keeps them).
ALTER TABLE cases ADD COLUMN officers TEXT;
