//! Importing an xlsx into a list as a new draft version.

use std::collections::{BTreeSet, HashMap};

use quanze_core::{
    ItemId, ListEntry, ListId, ListScope, ListVersion, Override, OverrideChange, OverrideTarget,
    PowerItem, Role, Severity, VersionStatus,
};
use quanze_store::DraftWrite;

use super::*;
use crate::Service;
use crate::auth::CurrentUser;
use crate::error::{Problem, ServiceError, ServiceResult};

impl Service {
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
        let writer = self.catalog_writer().await;
        let draft = DraftWrite { version, new_items };
        let receipt = self.store.save_draft(&draft, ev).await?;
        writer.apply(|c| c.with_draft(draft.version, draft.new_items));
        outcome.version = Some(id);
        outcome.leaf_index = Some(receipt.leaf_index());
        Ok(outcome)
    }
}
