-- Issue 14: 行政强制措施 and 行政强制执行 are two kinds (行政强制法第二条), stored as
-- "coercive_measure" and "coercive_enforcement"; both keep the national category code 03
-- (行政强制) in the category column. Contents stored as the single kind "coercion" are decided
-- by their name and stages, as quanze_core::PowerCategory::coercion_kind decides an imported
-- bare 行政强制: an enforcement when the name says 强制执行, 代履行, 强制拆除, 加处罚款 or
-- 加处滞纳金, or a responsibility stage is 催告 (强制法第三十五条); otherwise a measure.
-- Ledger events keep what they recorded; a recorded "coercion" reads as a measure.
UPDATE item_versions
SET content = replace(content, '"category":"coercion"',
    CASE WHEN name LIKE '%强制执行%' OR name LIKE '%代履行%' OR name LIKE '%强制拆除%'
              OR name LIKE '%加处罚款%' OR name LIKE '%加处滞纳金%'
              OR content LIKE '%"stage":"催告"%'
         THEN '"category":"coercive_enforcement"'
         ELSE '"category":"coercive_measure"' END)
WHERE content LIKE '%"category":"coercion"%';

UPDATE change_set_changes
SET content = replace(content, '"category":"coercion"',
    CASE WHEN (content::json ->> 'name') LIKE '%强制执行%' OR (content::json ->> 'name') LIKE '%代履行%'
              OR (content::json ->> 'name') LIKE '%强制拆除%' OR (content::json ->> 'name') LIKE '%加处罚款%'
              OR (content::json ->> 'name') LIKE '%加处滞纳金%' OR content LIKE '%"stage":"催告"%'
         THEN '"category":"coercive_enforcement"'
         ELSE '"category":"coercive_measure"' END)
WHERE content LIKE '%"category":"coercion"%';

-- The rank of every law (设定权): the registry gains 国务院决定 ("state_council_decision") and
-- 自治条例/单行条例 ("autonomous_regulation"); stored ranks keep their names. The demo
-- registered every title not ending in 条例 as a 法律: the 办法 it cites are put right (国务院
-- 令 for 发票管理办法, 社会救助暂行办法 and 报废机动车回收管理办法; ministry orders for the
-- other two).
UPDATE laws SET level = 'administrative_regulation'
WHERE level = 'law' AND title IN ('中华人民共和国发票管理办法', '社会救助暂行办法', '报废机动车回收管理办法');
UPDATE laws SET level = 'departmental_rule'
WHERE level = 'law' AND title IN ('养老机构管理办法', '单用途商业预付卡管理办法（试行）');
