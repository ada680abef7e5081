//! Reads from the catalogue: the item query, a unit's holdings and diffs.

use std::collections::HashMap;

use chrono::NaiveDate;
use quanze_core::diff::{DiffSide, ListDiff, diff};
use quanze_core::{DutyKind, ItemContent, ItemId, ListEntry, ListId, ListVersionId, UnitId};

use super::*;
use crate::Service;
use crate::catalog::resolved_entries;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

impl Service {
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
                let town = unit.kind.is_township_level().then_some(unit);
                for list in catalog.lists_for_unit(unit) {
                    if let Some(v) = catalog.version_on(list.id, date) {
                        for e in resolved_entries(v, town) {
                            push(list.id, &e);
                        }
                    }
                }
            }
            None => {
                for list in catalog.lists.iter() {
                    if let Some(v) = catalog.version_on(list.id, date) {
                        for e in &v.entries {
                            push(list.id, e);
                        }
                    }
                }
            }
        }
        // Each content as the unit asked about holds it (a town's 基本履职 in its own name).
        let holder = q.unit.and_then(|u| catalog.unit(u));
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
                    content: catalog.content_ref(&e, holder)?,
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
        let holder = catalog.unit(unit).expect("checked above");
        let lists = catalog.lists_for_unit(holder);
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
            return Err(ServiceError::rejected(ErrorCode::NoVersionOnDate, zh, en));
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
                let content = catalog.content_ref(e, Some(holder))?;
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
            .map(|v| (entry_of(&v), v.content.resolved().into_owned()))
            .collect();
        let right: Vec<(ListEntry, ItemContent)> = self
            .holdings(b, date)?
            .into_iter()
            .map(|v| (entry_of(&v), v.content.resolved().into_owned()))
            .collect();
        Ok(diff(&sides(&left), &sides(&right)))
    }
}

fn entry_of(v: &ItemView) -> ListEntry {
    ListEntry { item: v.item, item_version: v.version, duty: v.duty }
}

fn sides(rows: &[(ListEntry, ItemContent)]) -> Vec<DiffSide<'_>> {
    rows.iter().map(|(e, c)| DiffSide { item: e.item, duty: e.duty, content: c }).collect()
}
