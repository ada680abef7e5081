//! Use cases on regions, units, lists and versions: create, import, publish, query, diff and
//! export.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use quanze_core::diff::{DiffSide, ListDiff, diff};
use quanze_core::{
    CreditCode, DocNo, DutyKind, Issue, ItemContent, ItemId, ListEntry, ListId, ListScope,
    ListVersion, ListVersionId, Override, OverrideChange, OverrideTarget, PowerCategory, PowerItem,
    PowerList, Region, RegionCode, Role, Severity, Tag, Unit, UnitId, UnitKind, VersionStatus,
};
use quanze_store::DraftWrite;

use crate::Service;
use crate::auth::CurrentUser;
use crate::catalog::{Catalog, ContentRef};
use crate::error::{Problem, ServiceError, ServiceResult};

/// A unit to create, as entered.
#[derive(Debug, Clone)]
pub struct NewUnit {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// Region code.
    pub region: RegionCode,
    /// Credit code, if known.
    pub credit_code: Option<CreditCode>,
    /// Parent unit.
    pub parent: Option<UnitId>,
    /// Tags.
    pub tags: BTreeSet<Tag>,
}

/// One item as a list shows it: the entry and its content.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ItemView {
    /// Stable item id.
    pub item: ItemId,
    /// Content version.
    pub version: u32,
    /// The list it comes from.
    pub list: ListId,
    /// Duty kind.
    pub duty: DutyKind,
    /// Content (shared with the catalogue).
    pub content: ContentRef,
}

/// Filters for the item query.
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    /// Items a unit holds (its own list, or its resolved township list).
    pub unit: Option<UnitId>,
    /// Only this category.
    pub category: Option<PowerCategory>,
    /// Only this duty kind (`own`, `cooperate`, `reclaimed`).
    pub duty: Option<String>,
    /// Text contained in the name, sub-item or code.
    pub text: Option<String>,
    /// The date (default: today).
    pub date: Option<NaiveDate>,
    /// Skip this many.
    pub offset: usize,
    /// At most this many (capped at 500).
    pub limit: usize,
}

/// A page of results with the total count.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    /// How many match in all.
    pub total: usize,
    /// Offset of the first.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// The page.
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// Cuts a page out of all results.
    pub fn of(all: Vec<T>, offset: usize, limit: usize) -> Page<T> {
        let total = all.len();
        let items = all.into_iter().skip(offset).take(limit).collect();
        Page { total, offset, limit, items }
    }
}

/// What an import found and did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportOutcome {
    /// Rows read.
    pub rows: usize,
    /// Every problem, with where it is.
    pub problems: Vec<Problem>,
    /// Whether this was a dry run (nothing stored).
    pub dry_run: bool,
    /// The draft version written (not on a dry run).
    pub version: Option<ListVersionId>,
    /// Items new to the list.
    pub added: usize,
    /// Items whose content changed.
    pub changed: usize,
    /// Items unchanged.
    pub unchanged: usize,
    /// Items of the previous version not in the file.
    pub removed: usize,
    /// The ledger leaf of the write (not on a dry run).
    pub leaf_index: Option<u64>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The published xlsx layout.
    Xlsx,
    /// CSV (UTF-8 with BOM).
    Csv,
    /// JSON for open data.
    Json,
}

impl ExportFormat {
    /// Parses xlsx / csv / json.
    pub fn parse(raw: &str) -> Option<ExportFormat> {
        match raw.to_ascii_lowercase().as_str() {
            "xlsx" => Some(ExportFormat::Xlsx),
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            _ => None,
        }
    }
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}

const EDITORS: [Role; 2] = [Role::StaffingEditor, Role::SysAdmin];

impl Service {
    /// Adds or renames regions. Returns the ledger leaf of the write.
    pub async fn put_regions(
        &self,
        by: Option<&CurrentUser>,
        regions: Vec<Region>,
    ) -> ServiceResult<u64> {
        if let Some(by) = by {
            by.require(&EDITORS, None, "维护行政区划")?;
        }
        if regions.is_empty() {
            return Err(ServiceError::rejected(
                "empty_regions",
                "没有提供任何行政区划",
                "no regions given",
            ));
        }
        let codes: Vec<&str> = regions.iter().map(|r| r.code.as_str()).collect();
        let ev = self.event(
            by,
            None,
            "region.put",
            "regions".into(),
            serde_json::json!({ "codes": codes }),
        );
        let receipt = self.store.put_regions(&regions, ev).await?;
        self.reload().await?;
        Ok(receipt.leaf_index())
    }

    /// Creates a unit. Returns its id and any warnings (a credit code failing its check digit
    /// is stored with a warning, never rejected).
    pub async fn create_unit(
        &self,
        by: Option<&CurrentUser>,
        new: NewUnit,
    ) -> ServiceResult<(UnitId, Vec<Issue>, u64)> {
        if let Some(by) = by {
            by.require(&EDITORS, None, "新增单位")?;
        }
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "unit_name" }.into());
        }
        let catalog = self.catalog();
        if !catalog.regions.iter().any(|r| r.code == new.region) {
            return Err(ServiceError::NotFound(format!("行政区划 {}", new.region)));
        }
        if let Some(parent) = new.parent
            && catalog.unit(parent).is_none()
        {
            return Err(ServiceError::NotFound(format!("上级单位 {parent}")));
        }
        let (unit, issues) = checked_unit(self.ids.unit(), name, new)?;
        let ev = self.event(
            by,
            Some(unit.id),
            "unit.created",
            format!("unit:{}", unit.id),
            serde_json::to_value(&unit).unwrap_or_default(),
        );
        let receipt = self.store.create_unit(&unit, ev).await?;
        self.reload().await?;
        Ok((unit.id, issues, receipt.leaf_index()))
    }

    /// Changes a unit's name, kind, region, credit code, parent or tags (its id stays). Returns
    /// the warnings (a failing credit-code check digit) and the event's leaf index.
    pub async fn update_unit(
        &self,
        by: Option<&CurrentUser>,
        id: UnitId,
        new: NewUnit,
    ) -> ServiceResult<(Vec<Issue>, u64)> {
        if let Some(by) = by {
            by.require(&EDITORS, None, "修改单位")?;
        }
        let catalog = self.catalog();
        let before =
            catalog.unit(id).ok_or_else(|| ServiceError::NotFound(format!("单位 {id}")))?.clone();
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "unit_name" }.into());
        }
        if !catalog.regions.iter().any(|r| r.code == new.region) {
            return Err(ServiceError::NotFound(format!("行政区划 {}", new.region)));
        }
        if let Some(parent) = new.parent {
            // A unit may not sit under itself, directly or through its descendants.
            let mut at = Some(parent);
            while let Some(p) = at {
                if p == id {
                    return Err(ServiceError::rejected(
                        "parent_cycle",
                        "上级单位不能是本单位或其下级单位".to_owned(),
                        format!("unit {id} cannot sit under itself (through {parent})"),
                    ));
                }
                at = catalog
                    .unit(p)
                    .ok_or_else(|| ServiceError::NotFound(format!("上级单位 {p}")))?
                    .parent;
            }
        }
        let (unit, issues) = checked_unit(id, name, new)?;
        let ev = self.event(
            by,
            Some(id),
            "unit.updated",
            format!("unit:{id}"),
            serde_json::json!({ "before": before, "after": unit }),
        );
        let receipt = self.store.update_unit(&unit, ev).await?;
        self.reload().await?;
        Ok((issues, receipt.leaf_index()))
    }

    /// Discards a draft version (a published or superseded one is never removed). Editors of
    /// the staffing office, or a clerk of the list's own unit.
    pub async fn discard_draft(
        &self,
        by: &CurrentUser,
        version_id: ListVersionId,
    ) -> ServiceResult<u64> {
        let catalog = self.catalog();
        let (version, list) = catalog.version_with_list(version_id)?;
        let list_unit = match &list.scope {
            ListScope::Unit { unit } => Some(*unit),
            ListScope::TownshipTemplate { .. } => None,
        };
        by.require(&[Role::StaffingEditor, Role::SysAdmin, Role::Clerk], list_unit, "删除草稿")?;
        if version.status != VersionStatus::Draft {
            return Err(ServiceError::rejected(
                "not_a_draft",
                format!("第{}版已{}，只能删除草稿", version.number, version.status.zh()),
                format!(
                    "version {} is {:?}; only drafts can be discarded",
                    version.number, version.status
                ),
            ));
        }
        let ev = self.event(
            Some(by),
            list_unit,
            "list.version.discarded",
            format!("list_version:{version_id}"),
            serde_json::json!({ "list": version.list, "number": version.number }),
        );
        let receipt = self.store.discard_draft(version_id, ev).await?;
        self.reload().await?;
        Ok(receipt.leaf_index())
    }

    /// Creates an empty list.
    pub async fn create_list(
        &self,
        by: Option<&CurrentUser>,
        name: &str,
        scope: ListScope,
    ) -> ServiceResult<(ListId, u64)> {
        if let Some(by) = by {
            by.require(&EDITORS, None, "新建清单")?;
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "name" }.into());
        }
        let catalog = self.catalog();
        match &scope {
            ListScope::Unit { unit } if catalog.unit(*unit).is_none() => {
                return Err(ServiceError::NotFound(format!("单位 {unit}")));
            }
            _ => {}
        }
        let list = PowerList { id: self.ids.list(), name: name.to_owned(), scope };
        let ev = self.event(
            by,
            None,
            "list.created",
            format!("list:{}", list.id),
            serde_json::to_value(&list).unwrap_or_default(),
        );
        let receipt = self.store.create_list(&list, ev).await?;
        self.reload().await?;
        Ok((list.id, receipt.leaf_index()))
    }

    /// Imports an xlsx into a list as a new draft version (or replaces the open draft). With
    /// `dry_run`, or when any problem is an error, nothing is stored; the outcome lists every
    /// problem with sheet, row and column.
    pub async fn import_list(
        &self,
        by: &CurrentUser,
        list_id: ListId,
        bytes: &[u8],
        dry_run: bool,
        progress: Option<quanze_exchange::ProgressHandle>,
    ) -> ServiceResult<ImportOutcome> {
        let catalog = self.catalog();
        let list = catalog
            .list(list_id)
            .ok_or_else(|| ServiceError::NotFound(format!("清单 {list_id}")))?;
        let list_unit = match &list.scope {
            ListScope::Unit { unit } => Some(*unit),
            ListScope::TownshipTemplate { .. } => None,
        };
        by.require(&[Role::StaffingEditor, Role::SysAdmin, Role::Clerk], list_unit, "导入清单")?;
        let directory = quanze_exchange::UnitDirectory::new(&catalog.units);
        let options = quanze_exchange::ImportOptions {
            max_bytes: self.config.max_upload_bytes as u64,
            default_holder: list_unit,
            progress: progress.clone(),
            ..Default::default()
        };
        let imported = quanze_exchange::import_xlsx(bytes, &directory, &options)?;
        let mut problems = imported.problems;
        let (variant_rows, rows): (Vec<_>, Vec<_>) =
            imported.items.into_iter().partition(|i| i.item.variant.is_some());

        // Match rows to the items of the newest version so unchanged items keep their id and
        // content version, and changed ones get a new version of the same item. The items a
        // template adds for some towns are matched as well.
        let base = catalog.latest_version(list_id);
        let mut by_key: HashMap<String, (ItemId, u32)> = HashMap::new();
        if let Some(base) = base {
            let added = base.overrides.iter().filter_map(|o| match &o.change {
                OverrideChange::Add { entry } => Some(entry),
                OverrideChange::Remove { .. } => None,
            });
            for e in base.entries.iter().chain(added) {
                if let Some(c) = catalog.content(e) {
                    by_key.entry(c.list_key()).or_insert((e.item, e.item_version));
                }
            }
        }
        let mut latest_number: HashMap<ItemId, u32> = HashMap::new();
        for v in by_key.values() {
            let n = (1..).take_while(|n| catalog.item(v.0, *n).is_some()).last().unwrap_or(v.1);
            latest_number.insert(v.0, n);
        }
        let (mut added, mut changed, mut unchanged) = (0, 0, 0);
        let mut new_items: Vec<PowerItem> = Vec::new();
        // Items given a new version by this import, by id: where in `new_items`.
        let mut fresh: HashMap<ItemId, usize> = HashMap::new();
        let mut entry_for = |row: &quanze_exchange::ExchangeItem| {
            let key = row.content.list_key();
            let duty = row.duty;
            let known = by_key.get(&key).copied();
            // The same new content twice (a template row and a town's variant of it) is one
            // new version.
            if let Some((item, _)) = known
                && let Some(&i) = fresh.get(&item)
                && new_items[i].content == row.content
            {
                return ListEntry { item, item_version: new_items[i].version, duty };
            }
            match known {
                Some((item, version)) => {
                    let same =
                        catalog.item(item, version).is_some_and(|i| i.content == row.content);
                    if same {
                        unchanged += 1;
                        ListEntry { item, item_version: version, duty }
                    } else {
                        changed += 1;
                        let number = latest_number.get(&item).copied().unwrap_or(version) + 1;
                        latest_number.insert(item, number);
                        fresh.insert(item, new_items.len());
                        new_items.push(PowerItem {
                            id: item,
                            version: number,
                            content: row.content.clone(),
                        });
                        ListEntry { item, item_version: number, duty }
                    }
                }
                None => {
                    added += 1;
                    let item = self.ids.item();
                    by_key.insert(key, (item, 1));
                    fresh.insert(item, new_items.len());
                    new_items.push(PowerItem {
                        id: item,
                        version: 1,
                        content: row.content.clone(),
                    });
                    ListEntry { item, item_version: 1, duty }
                }
            }
        };
        let mut entries = Vec::with_capacity(rows.len());
        let mut seen = BTreeSet::new();
        for row in &rows {
            let entry = entry_for(&row.item);
            seen.insert(entry.item);
            entries.push(entry);
        }
        // 差异声明 rows become the draft's overrides (replacing the previous version's); a file
        // without them keeps the previous version's.
        let mut overrides = Vec::new();
        // The template's own items by list key, for the rows a town does not hold.
        let template_items: HashMap<String, ItemId> = if variant_rows.is_empty() {
            HashMap::new()
        } else {
            rows.iter().zip(&entries).map(|(r, e)| (r.item.content.list_key(), e.item)).collect()
        };
        if !variant_rows.is_empty() && list_unit.is_some() {
            problems.push(Problem {
                sheet: variant_rows[0].sheet.clone(),
                row: None,
                column: None,
                severity: Severity::Error,
                code: "variant_outside_template".into(),
                message_zh: "只有乡镇权责清单模板可以有差异声明；本清单属于一个单位".into(),
                message_en: "only a township template has declared differences; this list belongs to one unit".into(),
            });
        }
        for row in variant_rows.iter().filter(|_| list_unit.is_none()) {
            let Some(variant) = &row.item.variant else { continue };
            let target = match &variant.scope {
                quanze_exchange::VariantScope::Tag { tag } => {
                    OverrideTarget::Tag { tag: tag.clone() }
                }
                quanze_exchange::VariantScope::Town { unit } => {
                    OverrideTarget::Town { unit: *unit }
                }
            };
            let change = match variant.change {
                quanze_exchange::VariantChange::Add => {
                    OverrideChange::Add { entry: entry_for(&row.item) }
                }
                quanze_exchange::VariantChange::Remove => {
                    match template_items.get(&row.item.content.list_key()) {
                        Some(&item) => OverrideChange::Remove { item },
                        None => {
                            problems.push(Problem {
                                sheet: row.sheet.clone(),
                                row: Some(row.row),
                                column: Some("事项名称".into()),
                                severity: Severity::Error,
                                code: "variant_unknown_item".into(),
                                message_zh: format!(
                                    "差异为“不承担”的事项“{}”不在模板中",
                                    row.item.content.name
                                ),
                                message_en: format!(
                                    "the removed item {} is not in the template",
                                    row.item.content.name
                                ),
                            });
                            continue;
                        }
                    }
                }
            };
            overrides.push(Override { target, change, reason: variant.reason.clone() });
        }
        let has_errors = problems.iter().any(Problem::is_error);
        let overrides = if variant_rows.is_empty() {
            base.map(|b| b.overrides.clone()).unwrap_or_default()
        } else {
            overrides
        };
        let removed =
            base.map_or(0, |b| b.entries.iter().filter(|e| !seen.contains(&e.item)).count());
        let mut outcome = ImportOutcome {
            rows: rows.len() + variant_rows.len(),
            problems,
            dry_run,
            version: None,
            added,
            changed,
            unchanged,
            removed,
            leaf_index: None,
        };
        if dry_run {
            return Ok(outcome);
        }
        if has_errors {
            return Err(ServiceError::ImportProblems { problems: outcome.problems });
        }
        let (id, number) = match base {
            Some(b) if b.status == VersionStatus::Draft => (b.id, b.number),
            Some(b) => (self.ids.version(), b.number + 1),
            None => (self.ids.version(), 1),
        };
        let version = ListVersion {
            id,
            list: list_id,
            number,
            status: VersionStatus::Draft,
            effective_from: None,
            effective_until: None,
            doc_no: None,
            entries,
            overrides,
        };
        let ev = self.event(
            Some(by),
            list_unit,
            "list.version.imported",
            format!("list_version:{id}"),
            serde_json::json!({
                "list": list_id, "number": number, "rows": outcome.rows,
                "added": added, "changed": changed, "unchanged": unchanged, "removed": removed,
            }),
        );
        if let Some(p) = &progress {
            p.0.stage("保存草稿版本", 0);
        }
        let receipt = self.store.save_draft(&DraftWrite { version, new_items }, ev).await?;
        self.reload().await?;
        outcome.version = Some(id);
        outcome.leaf_index = Some(receipt.leaf_index());
        Ok(outcome)
    }

    /// Writes a draft built elsewhere (the demo loader, later the change-set workflow).
    pub async fn save_draft(
        &self,
        by: Option<&CurrentUser>,
        draft: DraftWrite,
    ) -> ServiceResult<()> {
        if let Some(by) = by {
            by.require(&EDITORS, None, "保存清单草稿")?;
        }
        let v = &draft.version;
        let ev = self.event(
            by,
            None,
            "list.version.draft_saved",
            format!("list_version:{}", v.id),
            serde_json::json!({ "list": v.list, "number": v.number, "entries": v.entries.len(), "new_items": draft.new_items.len() }),
        );
        self.store.save_draft(&draft, ev).await?;
        self.reload().await
    }

    /// Replaces the declared differences (差异) of a township template's draft: which extra
    /// items a tag or a town holds, and which template items it does not. Every override is
    /// checked before anything is written: the town exists and lies in the template's county,
    /// an added item version exists, a removed item is in the template, and no (target, item)
    /// is declared twice. Returns the ledger leaf of the write.
    pub async fn set_overrides(
        &self,
        by: &CurrentUser,
        version_id: ListVersionId,
        overrides: Vec<Override>,
    ) -> ServiceResult<u64> {
        by.require(&EDITORS, None, "设置乡镇差异")?;
        let catalog = self.catalog();
        let version = catalog
            .version(version_id)
            .ok_or_else(|| ServiceError::NotFound(format!("清单版本 {version_id}")))?;
        if version.status != VersionStatus::Draft {
            return Err(ServiceError::Conflict(format!(
                "version {version_id} is {:?}: only a draft can change",
                version.status
            )));
        }
        let list = catalog
            .list(version.list)
            .ok_or_else(|| ServiceError::NotFound(format!("清单 {}", version.list)))?;
        let ListScope::TownshipTemplate { county } = &list.scope else {
            return Err(ServiceError::rejected(
                "not_a_template",
                "只有乡镇通用目录才能设置按标签或按乡镇的差异",
                "overrides apply to township templates only",
            ));
        };
        let bad = |i: usize, zh: String, en: String| {
            ServiceError::rejected(
                "invalid_override",
                format!("第{}条差异：{zh}", i + 1),
                format!("override {}: {en}", i + 1),
            )
        };
        let template_items: BTreeSet<ItemId> = version.entries.iter().map(|e| e.item).collect();
        let mut seen = std::collections::HashSet::new();
        for (i, o) in overrides.iter().enumerate() {
            if let OverrideTarget::Town { unit } = &o.target {
                let town = catalog.unit(*unit).ok_or_else(|| {
                    bad(i, format!("乡镇 {unit} 不存在"), format!("town {unit} does not exist"))
                })?;
                if !town.kind.is_township_level() || !town.region.is_within(county) {
                    return Err(bad(
                        i,
                        format!("“{}”不是本县的乡镇或街道", town.name),
                        format!("{} is not a town of county {}", town.name, county.as_str()),
                    ));
                }
            }
            let item = match &o.change {
                OverrideChange::Add { entry } => {
                    if catalog.content(entry).is_none() {
                        return Err(bad(
                            i,
                            format!("事项 {} 第{}版不存在", entry.item, entry.item_version),
                            format!(
                                "item {} version {} does not exist",
                                entry.item, entry.item_version
                            ),
                        ));
                    }
                    entry.item
                }
                OverrideChange::Remove { item } => {
                    if !template_items.contains(item) {
                        return Err(bad(
                            i,
                            format!("要去掉的事项 {item} 不在通用目录中"),
                            format!("item {item} to remove is not in the template"),
                        ));
                    }
                    *item
                }
            };
            if !seen.insert((o.target.clone(), item)) {
                return Err(bad(
                    i,
                    format!("同一对象对事项 {item} 的差异重复"),
                    format!("item {item} is overridden twice for the same target"),
                ));
            }
        }
        let mut draft = version.clone();
        draft.overrides = overrides;
        let ev = self.event(
            Some(by),
            None,
            "list.version.overrides_set",
            format!("list_version:{version_id}"),
            serde_json::json!({ "list": draft.list, "number": draft.number, "overrides": draft.overrides.len() }),
        );
        let receipt = self
            .store
            .save_draft(&DraftWrite { version: draft, new_items: Vec::new() }, ev)
            .await?;
        self.reload().await?;
        Ok(receipt.leaf_index())
    }

    /// Findings that block publication of a version: 权责不一致 warnings and errors on any item,
    /// cooperating, lead or receiving units that do not exist, duplicate items.
    pub fn publication_blockers(&self, version: &ListVersion) -> Vec<Issue> {
        let catalog = self.catalog();
        let mut out = Vec::new();
        let mut keys = HashMap::new();
        let check_entry = |e: &ListEntry, out: &mut Vec<Issue>| {
            let Some(content) = catalog.content(e) else {
                out.push(Issue::new(
                    "missing_item",
                    Severity::Error,
                    "item",
                    format!("事项 {} 第{}版不存在", e.item, e.item_version),
                    format!("item {} version {} does not exist", e.item, e.item_version),
                ));
                return;
            };
            out.extend(content.issues());
            if catalog.unit(content.holder).is_none() {
                out.push(Issue::new(
                    "unknown_holder",
                    Severity::Error,
                    "holder",
                    format!("“{}”的实施主体不存在", content.display_name()),
                    format!("holder of {} does not exist", content.display_name()),
                ));
            }
            for c in &content.cooperation {
                if catalog.unit(c.unit).is_none() {
                    out.push(Issue::new(
                        "unknown_cooperating_unit",
                        Severity::Error,
                        "cooperation",
                        format!("“{}”的配合部门 {} 不存在", content.display_name(), c.unit),
                        format!(
                            "cooperating unit {} of {} does not exist",
                            c.unit,
                            content.display_name()
                        ),
                    ));
                }
            }
            if let Some(other) = e.duty.counterpart()
                && catalog.unit(other).is_none()
            {
                out.push(Issue::new(
                    "unknown_counterpart",
                    Severity::Error,
                    "duty",
                    format!("“{}”的{}单位不存在", content.display_name(), e.duty.zh()),
                    format!("the lead/receiving unit of {} does not exist", content.display_name()),
                ));
            }
        };
        for e in &version.entries {
            check_entry(e, &mut out);
            if let Some(c) = catalog.content(e)
                && let Some(prev) = keys.insert(c.list_key(), e.item)
                && prev != e.item
            {
                out.push(Issue::new(
                    "duplicate_item",
                    Severity::Error,
                    "name",
                    format!("清单中“{}”重复", c.display_name()),
                    format!("{} appears twice in the list", c.display_name()),
                ));
            }
        }
        for o in &version.overrides {
            if let OverrideChange::Add { entry } = &o.change {
                check_entry(entry, &mut out);
            }
        }
        out
    }

    /// Publishes a draft with its effective date and document number, after checking that
    /// nothing blocks publication.
    pub async fn publish(
        &self,
        by: Option<&CurrentUser>,
        version_id: ListVersionId,
        effective: NaiveDate,
        doc_no: DocNo,
    ) -> ServiceResult<u64> {
        if let Some(by) = by {
            by.require(&[Role::StaffingEditor, Role::Leader, Role::SysAdmin], None, "公布清单")?;
        }
        let catalog = self.catalog();
        let version = catalog
            .version(version_id)
            .ok_or_else(|| ServiceError::NotFound(format!("清单版本 {version_id}")))?;
        if version.status != VersionStatus::Draft {
            return Err(ServiceError::rejected(
                "not_a_draft",
                format!("第{}版已{}，不能再次公布", version.number, version.status.zh()),
                format!("version {} is {:?}, not a draft", version.number, version.status),
            ));
        }
        let blockers = self.publication_blockers(version);
        if !blockers.is_empty() {
            return Err(ServiceError::Rejected {
                code: "publication_blocked",
                message_zh: format!(
                    "有{}个问题需要先解决才能公布（如：{}）",
                    blockers.len(),
                    blockers[0].message_zh
                ),
                message_en: format!(
                    "{} issue(s) block publication: {}",
                    blockers.len(),
                    blockers[0].message_en
                ),
                issues: blockers,
            });
        }
        let ev = self.event(
            by,
            None,
            "list.version.published",
            format!("list_version:{version_id}"),
            serde_json::json!({ "list": version.list, "number": version.number, "effective": effective, "doc_no": doc_no.as_str() }),
        );
        let receipt = self.store.publish(version_id, effective, &doc_no, ev).await?;
        self.reload().await?;
        Ok(receipt.leaf_index())
    }

    /// The items matching a query, paginated.
    pub fn items(&self, q: &ItemQuery) -> ServiceResult<Page<ItemView>> {
        let catalog = self.catalog();
        let date = q.date.unwrap_or_else(|| self.today());
        // Filter over borrowed contents and build views for the page only.
        let text = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let wanted = |duty: DutyKind, content: &ItemContent| {
            q.category.is_none_or(|c| content.category == c)
                && q.duty.as_deref().is_none_or(|d| duty.code() == d)
                && text.is_none_or(|t| {
                    content.name.contains(t)
                        || content.sub_item.as_deref().is_some_and(|s| s.contains(t))
                        || content.local_code.as_deref().is_some_and(|s| s.contains(t))
                        || content.base_code.as_ref().is_some_and(|s| s.as_str().contains(t))
                        || content.impl_code.as_ref().is_some_and(|s| s.as_str().contains(t))
                })
        };
        let mut matches: Vec<(ListId, ListEntry)> = Vec::new();
        let mut push = |list: ListId, e: &ListEntry| {
            if let Some(content) = catalog.content(e)
                && wanted(e.duty, content)
            {
                matches.push((list, *e));
            }
        };
        match q.unit {
            Some(unit_id) => {
                let unit = catalog
                    .unit(unit_id)
                    .ok_or_else(|| ServiceError::NotFound(format!("单位 {unit_id}")))?;
                for list in catalog.lists_for_unit(unit) {
                    if let Some(v) = catalog.version_on(list.id, date) {
                        for e in
                            catalog.entries_for(v, unit.kind.is_township_level().then_some(unit))
                        {
                            push(list.id, &e);
                        }
                    }
                }
            }
            None => {
                for list in &catalog.lists {
                    if let Some(v) = catalog.version_on(list.id, date) {
                        for e in &v.entries {
                            push(list.id, e);
                        }
                    }
                }
            }
        }
        let limit = q.limit.clamp(1, 500);
        let total = matches.len();
        let items = matches
            .into_iter()
            .skip(q.offset)
            .take(limit)
            .filter_map(|(list, e)| {
                Some(ItemView {
                    item: e.item,
                    version: e.item_version,
                    list,
                    duty: e.duty,
                    content: catalog.content_ref(&e)?,
                })
            })
            .collect();
        Ok(Page { total, offset: q.offset, limit, items })
    }

    /// What a unit holds on a date (resolved township list or own list), from the index.
    pub fn holdings(&self, unit: UnitId, date: NaiveDate) -> ServiceResult<Vec<ItemView>> {
        let catalog = self.catalog();
        if catalog.unit(unit).is_none() {
            return Err(ServiceError::NotFound(format!("单位 {unit}")));
        }
        let lists = catalog.lists_for_unit(catalog.unit(unit).expect("checked above"));
        let in_force: Vec<_> =
            lists.iter().filter_map(|l| catalog.version_on(l.id, date)).collect();
        if in_force.is_empty() {
            let first = lists
                .iter()
                .flat_map(|l| catalog.versions(l.id))
                .filter_map(|v| v.effective_from)
                .min();
            let (zh, en) = match first {
                Some(first) => (
                    format!("该单位在 {date} 没有生效的清单版本（最早的版本自 {first} 起生效）"),
                    format!(
                        "unit {unit} has no list version in force on {date} (the first takes effect on {first})"
                    ),
                ),
                None => (
                    format!("该单位尚无已公布的清单，{date} 没有生效的清单版本"),
                    format!("unit {unit} has no published list, so none is in force on {date}"),
                ),
            };
            return Err(ServiceError::rejected("no_version_on_date", zh, en));
        }
        // Which list each held item comes from, built once (an item can be in one list only
        // per unit and date; a town's override additions fall back to its first list).
        let mut list_of: HashMap<ItemId, ListId> = HashMap::new();
        for v in &in_force {
            for e in &v.entries {
                list_of.entry(e.item).or_insert(v.list);
            }
        }
        Ok(catalog
            .holdings
            .holdings(unit, date)
            .filter_map(|e| {
                let content = catalog.content_ref(e)?;
                let list = list_of.get(&e.item).copied().or_else(|| lists.first().map(|l| l.id))?;
                Some(ItemView {
                    item: e.item,
                    version: e.item_version,
                    list,
                    duty: e.duty,
                    content,
                })
            })
            .collect())
    }

    /// The field-by-field difference between two versions (of one list or of two).
    pub fn diff_versions(&self, a: ListVersionId, b: ListVersionId) -> ServiceResult<ListDiff> {
        let catalog = self.catalog();
        // The contents are borrowed from the catalogue, never copied.
        let side = |id: ListVersionId| -> ServiceResult<Vec<DiffSide<'_>>> {
            let v = catalog
                .version(id)
                .ok_or_else(|| ServiceError::NotFound(format!("清单版本 {id}")))?;
            Ok(v.entries
                .iter()
                .filter_map(|e| {
                    Some(DiffSide { item: e.item, duty: e.duty, content: catalog.content(e)? })
                })
                .collect())
        };
        Ok(diff(&side(a)?, &side(b)?))
    }

    /// The difference between what two units hold on a date.
    pub fn diff_units(&self, a: UnitId, b: UnitId, date: NaiveDate) -> ServiceResult<ListDiff> {
        let left: Vec<(ListEntry, ItemContent)> = self
            .holdings(a, date)?
            .into_iter()
            .map(|v| (entry_of(&v), (*v.content).clone()))
            .collect();
        let right: Vec<(ListEntry, ItemContent)> = self
            .holdings(b, date)?
            .into_iter()
            .map(|v| (entry_of(&v), (*v.content).clone()))
            .collect();
        Ok(diff(&sides(&left), &sides(&right)))
    }

    /// Exports a version (a template version resolved for `town` when given).
    pub fn export_version(
        &self,
        version_id: ListVersionId,
        town: Option<UnitId>,
        format: ExportFormat,
        progress: Option<quanze_exchange::ProgressHandle>,
    ) -> ServiceResult<(String, Vec<u8>)> {
        let catalog = self.catalog();
        let (version, list) = catalog.version_with_list(version_id)?;
        let town = match town {
            Some(id) => {
                Some(catalog.unit(id).ok_or_else(|| ServiceError::NotFound(format!("单位 {id}")))?)
            }
            None => None,
        };
        let entries = catalog.entries_for(version, town);
        let title = match town {
            Some(t) => format!("{}权责清单", t.name),
            None => list.name.clone(),
        };
        let mut rows: Vec<quanze_exchange::ExchangeItem> = entries
            .iter()
            .filter_map(|e| {
                Some(quanze_exchange::ExchangeItem {
                    content: catalog.content(e)?.clone(),
                    duty: e.duty,
                    variant: None,
                })
            })
            .collect();
        // The template itself (no town chosen) carries its declared differences, which the
        // exchange layout writes on its 差异声明 sheet.
        if town.is_none() {
            rows.extend(variant_rows(&catalog, version));
        }
        let directory = quanze_exchange::UnitDirectory::new(&catalog.units);
        let township = town.is_some() || matches!(list.scope, ListScope::TownshipTemplate { .. });
        let options = quanze_exchange::ExportOptions {
            title: title.clone(),
            split: if township {
                quanze_exchange::SheetSplit::ByDutyKind
            } else {
                quanze_exchange::SheetSplit::ByCategory
            },
            progress,
        };
        let bytes = match format {
            ExportFormat::Xlsx => quanze_exchange::export_xlsx(&rows, &directory, &options),
            ExportFormat::Csv => quanze_exchange::export_csv(&rows, &directory),
            ExportFormat::Json => quanze_exchange::export_json(&rows),
        }
        .map_err(|e| ServiceError::Internal(format!("export failed: {e}")))?;
        Ok((format!("{title}-第{}版.{}", version.number, format.extension()), bytes))
    }
}

/// The unit `new` describes under `id`, with its findings; refused when any is an error.
fn checked_unit(id: UnitId, name: String, new: NewUnit) -> ServiceResult<(Unit, Vec<Issue>)> {
    let unit = Unit {
        id,
        name,
        kind: new.kind,
        region: new.region,
        credit_code: new.credit_code,
        parent: new.parent,
        tags: new.tags,
    };
    let issues = unit.issues();
    if let Some(err) = issues.iter().find(|i| i.severity == Severity::Error) {
        return Err(ServiceError::Rejected {
            code: "invalid_unit",
            message_zh: err.message_zh.clone(),
            message_en: err.message_en.clone(),
            issues,
        });
    }
    Ok((unit, issues))
}

/// A template version's overrides as exchange rows: an added entry with its content, a
/// removed item with the template entry's content so that a reader can see what is dropped.
fn variant_rows(catalog: &Catalog, version: &ListVersion) -> Vec<quanze_exchange::ExchangeItem> {
    use quanze_exchange::{Variant, VariantChange, VariantScope};
    version
        .overrides
        .iter()
        .filter_map(|o| {
            let scope = match &o.target {
                OverrideTarget::Tag { tag } => VariantScope::Tag { tag: tag.clone() },
                OverrideTarget::Town { unit } => VariantScope::Town { unit: *unit },
            };
            let (entry, change) = match &o.change {
                OverrideChange::Add { entry } => (*entry, VariantChange::Add),
                OverrideChange::Remove { item } => {
                    (*version.entries.iter().find(|e| e.item == *item)?, VariantChange::Remove)
                }
            };
            Some(quanze_exchange::ExchangeItem {
                content: catalog.content(&entry)?.clone(),
                duty: entry.duty,
                variant: Some(Variant { scope, change, reason: o.reason.clone() }),
            })
        })
        .collect()
}

fn entry_of(v: &ItemView) -> ListEntry {
    ListEntry { item: v.item, item_version: v.version, duty: v.duty }
}

fn sides(rows: &[(ListEntry, ItemContent)]) -> Vec<DiffSide<'_>> {
    rows.iter().map(|(e, c)| DiffSide { item: e.item, duty: e.duty, content: c }).collect()
}
