//! Matching the rows of an imported file against the newest version of a list: which items
//! are added, changed, unchanged or removed, and which 差异声明 rows become the overrides of a
//! township template.
//!
//! Pure: the caller reads the file, passes the list's newest version, the catalogue's item
//! versions and a source of new item ids, and stores the draft that comes back.
//!
//! The rules:
//! - A row matches an item of the base version (its entries, and the items its overrides add
//!   for some towns) by [`ItemContent::list_key`]: the 实施编码 when the row has one, else the
//!   trimmed name and sub-item. The base code (基本编码) plays no part. When two base entries
//!   share a key, the first (entries before overrides) wins.
//! - A matched row with the same content keeps the item's id and content version (unchanged);
//!   with other content it gets a new version of the same item, one above the newest version
//!   the catalogue holds (changed). An unmatched row is a new item at version 1 (added).
//! - The same new content twice under one key (a duplicate row, or a template row and a town's
//!   variant of it) is one new version, counted once.
//! - Items of the base version's entries that no main row matches are removed.
//! - Difference rows (差异声明) are matched after the main rows. In a township template an
//!   增加 row becomes an `Add` override of the matched entry, and a 不承担 row a `Remove`
//!   override of the main row with the same key; a 不承担 row whose item is not among the
//!   file's main rows is a problem. A file with difference rows replaces the base version's
//!   overrides; a file without them keeps them. Difference rows in a unit's list are a problem.

use std::collections::{BTreeSet, HashMap};

use crate::error::Severity;
use crate::ids::ItemId;
use crate::item::{ItemContent, PowerItem};
use crate::list::{
    DutyKind, ListEntry, ListScope, ListVersion, Override, OverrideChange, OverrideTarget,
};

/// The column a problem about an item names (事项名称).
const NAME_COLUMN: &str = "事项名称";

/// 导入行 — one item row of an imported file, located by sheet and row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The sheet name.
    pub sheet: String,
    /// The row as Excel shows it (1-based).
    pub row: u32,
    /// The item's content.
    pub content: ItemContent,
    /// 履职类型.
    pub duty: DutyKind,
    /// For a row of a township template's 差异声明: whom it applies to and what it does.
    pub difference: Option<RowDifference>,
}

/// 差异 — what a 差异声明 row declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowDifference {
    /// Whom it applies to (a tag or one town).
    pub target: OverrideTarget,
    /// 增加 or 不承担.
    pub kind: DifferenceKind,
    /// Why (差异理由).
    pub reason: String,
}

/// Whether a difference row adds an item for some towns or takes a template item away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DifferenceKind {
    /// 增加 — the towns hold this item too (or hold it with this duty kind instead).
    Add,
    /// 不承担 — the towns do not hold this template item.
    Remove,
}

/// The item versions the catalogue holds, as matching needs them.
pub trait ItemVersions {
    /// The content of one version of an item, if held.
    fn content(&self, item: ItemId, version: u32) -> Option<&ItemContent>;

    /// The newest version of an item: the last of the unbroken run of versions from 1, or
    /// `None` when version 1 is not held.
    fn newest_version(&self, item: ItemId) -> Option<u32> {
        (1..).take_while(|n| self.content(item, *n).is_some()).last()
    }
}

/// A problem found while matching, located by sheet and row. Every one is an error: a real
/// import stores nothing while there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    /// The file has 差异声明 rows but the list belongs to one unit, not a township template.
    DifferenceOutsideTemplate {
        /// The sheet of the first difference row.
        sheet: String,
    },
    /// A 不承担 row names an item that is not among the file's template rows.
    RemovedItemNotInTemplate {
        /// The sheet.
        sheet: String,
        /// The row.
        row: u32,
        /// The item's name.
        name: String,
    },
}

impl ImportProblem {
    /// The sheet.
    pub fn sheet(&self) -> &str {
        match self {
            ImportProblem::DifferenceOutsideTemplate { sheet }
            | ImportProblem::RemovedItemNotInTemplate { sheet, .. } => sheet,
        }
    }
    /// The row; `None` for a problem about the whole sheet.
    pub fn row(&self) -> Option<u32> {
        match self {
            ImportProblem::DifferenceOutsideTemplate { .. } => None,
            ImportProblem::RemovedItemNotInTemplate { row, .. } => Some(*row),
        }
    }
    /// The column header it is about; `None` for a whole row or sheet.
    pub fn column(&self) -> Option<&'static str> {
        match self {
            ImportProblem::DifferenceOutsideTemplate { .. } => None,
            ImportProblem::RemovedItemNotInTemplate { .. } => Some(NAME_COLUMN),
        }
    }
    /// Always [`Severity::Error`].
    pub fn severity(&self) -> Severity {
        Severity::Error
    }
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            ImportProblem::DifferenceOutsideTemplate { .. } => "variant_outside_template",
            ImportProblem::RemovedItemNotInTemplate { .. } => "variant_unknown_item",
        }
    }
    /// The message for users.
    pub fn message_zh(&self) -> String {
        match self {
            ImportProblem::DifferenceOutsideTemplate { .. } => {
                "只有乡镇权责清单模板可以有差异声明；本清单属于一个单位".into()
            }
            ImportProblem::RemovedItemNotInTemplate { name, .. } => {
                format!("差异为“不承担”的事项“{name}”不在模板中")
            }
        }
    }
    /// The message for logs.
    pub fn message_en(&self) -> String {
        match self {
            ImportProblem::DifferenceOutsideTemplate { .. } => {
                "only a township template has declared differences; this list belongs to one unit"
                    .into()
            }
            ImportProblem::RemovedItemNotInTemplate { name, .. } => {
                format!("the removed item {name} is not in the template")
            }
        }
    }
}

/// What matching yields: the next draft's entries and overrides, the item versions to store
/// with it, the counts and the problems.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportMatch {
    /// The draft's entries, one per main row, in file order.
    pub entries: Vec<ListEntry>,
    /// The draft's overrides.
    pub overrides: Vec<Override>,
    /// Where each override was read, (sheet, row), in the order of `overrides`; empty when the
    /// file has no difference rows and the base version's overrides are kept.
    pub override_rows: Vec<(String, u32)>,
    /// Item versions new with this import (new items and new versions of changed ones).
    pub new_items: Vec<PowerItem>,
    /// Items new to the list.
    pub added: usize,
    /// Items whose content changed.
    pub changed: usize,
    /// Items unchanged.
    pub unchanged: usize,
    /// Entries of the base version whose item no main row matches.
    pub removed: usize,
    /// Problems, in row order.
    pub problems: Vec<ImportProblem>,
}

/// Matches the rows of a file against `base`, the newest version of a list with `scope`.
/// `new_item_id` is called once per added item, in row order.
pub fn match_import(
    scope: &ListScope,
    base: Option<&ListVersion>,
    items: &impl ItemVersions,
    rows: &[ImportRow],
    new_item_id: impl FnMut() -> ItemId,
) -> ImportMatch {
    let (difference_rows, main_rows): (Vec<&ImportRow>, Vec<&ImportRow>) =
        rows.iter().partition(|r| r.difference.is_some());
    let mut matcher = Matcher::new(base, items, new_item_id);

    let mut entries = Vec::with_capacity(main_rows.len());
    let mut seen = BTreeSet::new();
    for row in &main_rows {
        let entry = matcher.entry_for(row);
        seen.insert(entry.item);
        entries.push(entry);
    }

    let mut problems = Vec::new();
    let mut overrides = Vec::new();
    let mut override_rows = Vec::new();
    // The template's own items by list key, for the rows a town does not hold.
    let template_items: HashMap<String, ItemId> = if difference_rows.is_empty() {
        HashMap::new()
    } else {
        main_rows.iter().zip(&entries).map(|(r, e)| (r.content.list_key(), e.item)).collect()
    };
    let is_template = matches!(scope, ListScope::TownshipTemplate { .. });
    if let Some(first) = difference_rows.first()
        && !is_template
    {
        problems.push(ImportProblem::DifferenceOutsideTemplate { sheet: first.sheet.clone() });
    }
    for row in difference_rows.iter().filter(|_| is_template) {
        let Some(difference) = &row.difference else { continue };
        let change = match difference.kind {
            DifferenceKind::Add => OverrideChange::Add { entry: matcher.entry_for(row) },
            DifferenceKind::Remove => match template_items.get(&row.content.list_key()) {
                Some(&item) => OverrideChange::Remove { item },
                None => {
                    problems.push(ImportProblem::RemovedItemNotInTemplate {
                        sheet: row.sheet.clone(),
                        row: row.row,
                        name: row.content.name.clone(),
                    });
                    continue;
                }
            },
        };
        overrides.push(Override {
            target: difference.target.clone(),
            change,
            reason: difference.reason.clone(),
        });
        override_rows.push((row.sheet.clone(), row.row));
    }
    // A file without difference rows keeps the base version's overrides.
    let overrides = if difference_rows.is_empty() {
        base.map(|b| b.overrides.clone()).unwrap_or_default()
    } else {
        overrides
    };
    let removed = base.map_or(0, |b| b.entries.iter().filter(|e| !seen.contains(&e.item)).count());
    ImportMatch {
        entries,
        overrides,
        override_rows,
        new_items: matcher.new_items,
        added: matcher.added,
        changed: matcher.changed,
        unchanged: matcher.unchanged,
        removed,
        problems,
    }
}

/// The running state of one matching: what each key matched, the versions made so far and
/// the counts.
struct Matcher<'a, V, F> {
    items: &'a V,
    new_item_id: F,
    /// The item (and its version in the base) each list key matches.
    by_key: HashMap<String, (ItemId, u32)>,
    /// The newest version number of each matched item, raised as new versions are made.
    newest: HashMap<ItemId, u32>,
    new_items: Vec<PowerItem>,
    /// Items given a new version by this import, by id: where in `new_items`.
    fresh: HashMap<ItemId, usize>,
    added: usize,
    changed: usize,
    unchanged: usize,
}

impl<'a, V: ItemVersions, F: FnMut() -> ItemId> Matcher<'a, V, F> {
    fn new(base: Option<&ListVersion>, items: &'a V, new_item_id: F) -> Self {
        let mut by_key: HashMap<String, (ItemId, u32)> = HashMap::new();
        if let Some(base) = base {
            let added = base.overrides.iter().filter_map(|o| match &o.change {
                OverrideChange::Add { entry } => Some(entry),
                OverrideChange::Remove { .. } => None,
            });
            for e in base.entries.iter().chain(added) {
                if let Some(c) = items.content(e.item, e.item_version) {
                    by_key.entry(c.list_key()).or_insert((e.item, e.item_version));
                }
            }
        }
        let newest = by_key
            .values()
            .map(|&(item, version)| (item, items.newest_version(item).unwrap_or(version)))
            .collect();
        Matcher {
            items,
            new_item_id,
            by_key,
            newest,
            new_items: Vec::new(),
            fresh: HashMap::new(),
            added: 0,
            changed: 0,
            unchanged: 0,
        }
    }

    /// The entry for one row: an existing item version, a new version of a matched item, or
    /// a new item.
    fn entry_for(&mut self, row: &ImportRow) -> ListEntry {
        let key = row.content.list_key();
        let duty = row.duty;
        let known = self.by_key.get(&key).copied();
        // The same new content twice (a template row and a town's variant of it) is one new
        // version.
        if let Some((item, _)) = known
            && let Some(&i) = self.fresh.get(&item)
            && self.new_items[i].content == row.content
        {
            return ListEntry { item, item_version: self.new_items[i].version, duty };
        }
        match known {
            Some((item, version)) => {
                // The published layouts have no column for the grant link: a row without one
                // keeps the link of the version it matches.
                let same = self.items.content(item, version).is_some_and(|c| {
                    *c == row.content
                        || (row.content.grant.is_none()
                            && c.grant.is_some()
                            && *c == ItemContent { grant: c.grant.clone(), ..row.content.clone() })
                });
                if same {
                    self.unchanged += 1;
                    ListEntry { item, item_version: version, duty }
                } else {
                    self.changed += 1;
                    let number = self.newest.get(&item).copied().unwrap_or(version) + 1;
                    self.newest.insert(item, number);
                    self.push_new(item, number, row);
                    ListEntry { item, item_version: number, duty }
                }
            }
            None => {
                self.added += 1;
                let item = (self.new_item_id)();
                self.by_key.insert(key, (item, 1));
                self.push_new(item, 1, row);
                ListEntry { item, item_version: 1, duty }
            }
        }
    }

    fn push_new(&mut self, item: ItemId, version: u32, row: &ImportRow) {
        self.fresh.insert(item, self.new_items.len());
        self.new_items.push(PowerItem { id: item, version, content: row.content.clone() });
    }
}

#[cfg(test)]
mod tests;
