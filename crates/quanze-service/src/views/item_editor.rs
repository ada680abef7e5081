//! 事项编辑 — the drafting pages' item editor: a new item for a list, or the whole content of
//! one of its items (name, codes, basis, holder, cooperation, responsibilities, accountability
//! and the service guide), written into a new change set or into a draft one.
//!
//! The form's fields are the columns of the list template (`quanze_exchange::form_columns`)
//! and each is read by the template's own grammar (`quanze_exchange::import_form`): a clerk
//! writes 设定依据, 责任事项 or 申请材料 the same way on the page and in Excel, and a wrong
//! field is named by its column as an import names it. What is read then goes through the
//! change set's own drafting or revision, so every rule of a change set applies (reason and
//! basis, 设定权, an item changed twice, an amendment that changes nothing).

use chrono::NaiveDate;
use quanze_core::changeset::Change;
use quanze_core::workflow::Stage;
use quanze_core::{
    ChangeSetId, DutyKind, ItemContent, ItemId, ListId, ListScope, ProposedChange, Severity,
    UnitId, UnitKind, VersionStatus,
};
use quanze_exchange::{Column, ExchangeItem, UnitDirectory};

use crate::catalog::Catalog;
use crate::changesets::{ChangeAction, ChangeInput, ChangeSetCommand, NewChangeSet};
use crate::error::{ErrorCode, Problem, ServiceError};
use crate::views::ChangeSetReceipt;
use crate::{CurrentUser, Service, ServiceResult};

/// 事项编辑表 — the item editor as the page shows it.
#[derive(Debug, Clone)]
pub struct ItemEditor {
    /// The list: id and name.
    pub list: (ListId, String),
    /// The draft change set it revises (id, title), or none for a new change set.
    pub set: Option<(ChangeSetId, String)>,
    /// The item amended; none for a new item.
    pub item: Option<ItemId>,
    /// The item's name now (empty for a new item).
    pub name: String,
    /// Each field's column and its text now.
    pub cells: Vec<(Column, String)>,
    /// The names of the county's units (what 实施主体, 配合部门 … may name).
    pub units: Vec<String>,
    /// The change's reason and basis, when the draft already changes this item.
    pub reason: String,
    /// See `reason`.
    pub basis: String,
}

/// Where an edited item goes.
#[derive(Debug, Clone)]
pub enum DraftTarget {
    /// A new change set with this title and effective date.
    New {
        /// 标题.
        title: String,
        /// 生效日期.
        effective_on: NaiveDate,
    },
    /// A change set still being drafted.
    Draft(ChangeSetId),
}

/// One item's content as the editor posts it.
#[derive(Debug, Clone)]
pub struct ItemDraft {
    /// The change set.
    pub target: DraftTarget,
    /// The list.
    pub list: ListId,
    /// The item amended; none for a new item.
    pub item: Option<ItemId>,
    /// Each field's column and text, as typed.
    pub cells: Vec<(Column, String)>,
    /// 调整理由.
    pub reason: String,
    /// 调整依据.
    pub basis: String,
}

/// A unit list that a change set may revise: its unit and whether that unit is a town (whose
/// new items say how the town holds them: 基本履职, 配合履职, 上级部门收回).
fn revisable(catalog: &Catalog, list: ListId) -> ServiceResult<(String, UnitId, bool)> {
    let found = catalog.list(list).filter(|_| {
        catalog.latest_version(list).is_some_and(|v| v.status == VersionStatus::Published)
    });
    let (name, unit) = match found.map(|l| (&l.name, &l.scope)) {
        Some((name, ListScope::Unit { unit })) => (name.clone(), *unit),
        _ => return Err(ServiceError::NotFound(format!("没有已公布的清单{list}"))),
    };
    let town = catalog
        .unit(unit)
        .is_some_and(|u| matches!(u.kind, UnitKind::Township | UnitKind::Subdistrict));
    Ok((name, unit, town))
}

/// The draft change set `id`, refused unless it is still being drafted.
async fn draft_set(service: &Service, id: ChangeSetId) -> ServiceResult<quanze_core::ChangeSet> {
    let set = service.store.change_set(id).await?.set;
    if set.flow.stage != Stage::Drafting {
        return Err(ServiceError::rejected(
            ErrorCode::InvalidChange,
            "调整方案已不在起草阶段，不能再修改事项；如需修改，请先退回起草",
            "the change set is no longer being drafted",
        ));
    }
    Ok(set)
}

/// A change of the set as the input that proposes it again (a revision replaces them all).
fn input_of(change: &ProposedChange) -> ChangeInput {
    let (action, base, duty, content) = match &change.change {
        Change::Add { duty, content, .. } => {
            (ChangeAction::Add, None, Some(*duty), Some(content.clone()))
        }
        Change::Amend { base, content, .. } => {
            (ChangeAction::Amend, Some(*base), None, Some(content.clone()))
        }
        Change::Remove { base, .. } => (ChangeAction::Remove, Some(*base), None, None),
    };
    ChangeInput {
        list: change.list,
        action,
        item: Some(change.item()),
        base,
        duty,
        content,
        reason: change.reason.clone(),
        basis: change.basis.clone(),
    }
}

/// The one problem of a form that yields no item and says no more.
fn nothing_read() -> Problem {
    Problem {
        sheet: quanze_exchange::FORM_SHEET.to_owned(),
        row: Some(1),
        column: None,
        severity: Severity::Error,
        code: "no_item".to_owned(),
        message_zh: "未能读出事项，请填写事项名称、事项类型和实施主体".to_owned(),
        message_en: "the form describes no item".to_owned(),
    }
}

impl Service {
    /// The item editor for `list`: blank for a new item, else `item`'s content — as the draft
    /// `set` changes it when it does, else as published.
    pub async fn item_editor(
        &self,
        list: ListId,
        set: Option<ChangeSetId>,
        item: Option<ItemId>,
    ) -> ServiceResult<ItemEditor> {
        let catalog = self.catalog();
        let (list_name, unit, town) = revisable(&catalog, list)?;
        let draft = match set {
            Some(id) => Some(draft_set(self, id).await?),
            None => None,
        };
        let in_draft = draft
            .as_ref()
            .and_then(|s| s.changes.iter().find(|c| c.list == list && Some(c.item()) == item));
        let published = |item: ItemId| {
            let version = catalog.latest_version(list)?;
            let entry = version.entries.iter().find(|e| e.item == item)?;
            Some((entry.duty, catalog.content(entry)?.clone()))
        };
        let (duty, content) = match (item, in_draft) {
            (_, Some(change)) => match &change.change {
                Change::Add { duty, content, .. } => (*duty, content.clone()),
                Change::Amend { item, content, .. } => {
                    (published(*item).map_or(DutyKind::Own, |(d, _)| d), content.clone())
                }
                Change::Remove { .. } => {
                    return Err(ServiceError::rejected(
                        ErrorCode::InvalidChange,
                        "本方案取消该事项；如需调整其内容，请先撤下取消",
                        "the draft removes this item",
                    ));
                }
            },
            (Some(item), None) => published(item)
                .ok_or_else(|| ServiceError::NotFound(format!("清单中没有事项{item}")))?,
            (None, None) => (DutyKind::Own, blank_content(unit)),
        };
        let directory = UnitDirectory::new(&catalog.units);
        let columns = quanze_exchange::form_columns(town && item.is_none());
        let exchange = ExchangeItem { duty, content, variant: None, guide: None };
        let mut cells = quanze_exchange::form_cells(&exchange, &columns, &directory)
            .map_err(|e| ServiceError::Internal(format!("item form: {e}")))?;
        if item.is_none() && in_draft.is_none() {
            // A blank form: the category is chosen, not defaulted.
            for (col, text) in &mut cells {
                if matches!(col, Column::Category | Column::Source | Column::Level) {
                    text.clear();
                }
            }
        }
        Ok(ItemEditor {
            list: (list, list_name),
            set: draft.as_ref().map(|s| (s.id, s.title.clone())),
            item,
            name: if item.is_some() { exchange.content.display_name() } else { String::new() },
            cells,
            units: catalog.units.iter().map(|u| u.name.clone()).collect(),
            reason: in_draft.map(|c| c.reason.clone()).unwrap_or_default(),
            basis: in_draft.map(|c| c.basis.clone()).unwrap_or_default(),
        })
    }

    /// Writes the item the editor describes into its change set: a new change set, or a
    /// revision of a draft one that adds the item or replaces that item's change. A field that
    /// cannot be read is refused with every problem at its column
    /// ([`ServiceError::ImportProblems`]); the change set's own rules then apply as to the
    /// API's drafting and revision.
    pub async fn draft_item(
        &self,
        by: &CurrentUser,
        draft: ItemDraft,
    ) -> ServiceResult<ChangeSetReceipt> {
        by.require_act(quanze_core::access::Act::DraftChangeSet, None)?;
        let catalog = self.catalog();
        let (_, unit, town) = revisable(&catalog, draft.list)?;
        let set = match &draft.target {
            DraftTarget::Draft(id) => Some(draft_set(self, *id).await?),
            DraftTarget::New { .. } => None,
        };
        let published = draft.item.and_then(|item| {
            let version = catalog.latest_version(draft.list)?;
            let entry = version.entries.iter().find(|e| e.item == item)?;
            Some((entry.item_version, catalog.content(entry)?))
        });
        // The item is either in the list or an addition the draft already holds.
        let added = draft.item.and_then(|item| {
            set.as_ref()?.changes.iter().find_map(|c| match &c.change {
                Change::Add { item: i, duty, .. } if *i == item && c.list == draft.list => {
                    Some(*duty)
                }
                _ => None,
            })
        });
        if let (Some(item), None, None) = (draft.item, &published, added) {
            return Err(ServiceError::NotFound(format!("清单中没有事项{item}")));
        }
        let directory = UnitDirectory::new(&catalog.units);
        let options = quanze_exchange::ImportOptions {
            default_holder: Some(unit),
            ..quanze_exchange::ImportOptions::default()
        };
        let read = quanze_exchange::import_form(&draft.cells, &directory, &options);
        let errors: Vec<Problem> = read.problems.iter().filter(|p| p.is_error()).cloned().collect();
        if !errors.is_empty() {
            return Err(ServiceError::ImportProblems { problems: errors });
        }
        let Some(read) = read.items.into_iter().next() else {
            return Err(ServiceError::ImportProblems { problems: vec![nothing_read()] });
        };
        let mut content: ItemContent = read.item.content;
        let input = match (draft.item, published) {
            (Some(item), Some((base, now))) if added.is_none() => {
                // The grant a town's item rests on is not a field of the form; it stays.
                if content.grant.is_none() {
                    content.grant = now.grant.clone();
                }
                ChangeInput {
                    list: draft.list,
                    action: ChangeAction::Amend,
                    item: Some(item),
                    base: Some(base),
                    duty: None,
                    content: Some(content),
                    reason: draft.reason,
                    basis: draft.basis,
                }
            }
            (item, _) => ChangeInput {
                list: draft.list,
                action: ChangeAction::Add,
                item,
                base: None,
                // A department's own list holds its items itself; a town says how it holds
                // each new one (an edited addition keeps what it said).
                duty: Some(match (added, town) {
                    (Some(duty), _) => duty,
                    (None, true) => read.item.duty,
                    (None, false) => DutyKind::Own,
                }),
                content: Some(content),
                reason: draft.reason,
                basis: draft.basis,
            },
        };
        match (draft.target, set) {
            (DraftTarget::New { title, effective_on }, _) => {
                let new = NewChangeSet {
                    title,
                    effective_on,
                    changes: vec![input],
                    countersigners: Vec::new(),
                    ratification: None,
                };
                self.draft_change_set(by, new).await
            }
            (DraftTarget::Draft(id), Some(set)) => {
                let mut changes: Vec<ChangeInput> = set.changes.iter().map(input_of).collect();
                let same = |c: &ChangeInput| c.list == input.list && c.item == input.item;
                match (input.item, changes.iter().position(same)) {
                    (Some(_), Some(at)) => changes[at] = input,
                    _ => changes.push(input),
                }
                self.revise_changes(by, id, changes).await
            }
            (DraftTarget::Draft(_), None) => unreachable!("a draft target loads its set"),
        }
    }

    /// Takes change `index` (1-based) out of the draft change set `id`.
    pub async fn withdraw_change(
        &self,
        by: &CurrentUser,
        id: ChangeSetId,
        index: usize,
    ) -> ServiceResult<ChangeSetReceipt> {
        by.require_act(quanze_core::access::Act::DraftChangeSet, None)?;
        let set = draft_set(self, id).await?;
        if index == 0 || index > set.changes.len() {
            return Err(ServiceError::NotFound(format!("第{index}项调整")));
        }
        let changes = set
            .changes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i + 1 != index)
            .map(|(_, c)| input_of(c))
            .collect();
        self.revise_changes(by, id, changes).await
    }

    async fn revise_changes(
        &self,
        by: &CurrentUser,
        id: ChangeSetId,
        changes: Vec<ChangeInput>,
    ) -> ServiceResult<ChangeSetReceipt> {
        let outcome =
            self.act_on_change_set(Some(by), id, ChangeSetCommand::Revise { changes }).await?;
        Ok(ChangeSetReceipt {
            change_set: self.change_set(id).await?,
            leaf_index: outcome.leaf_index,
        })
    }
}

/// A new item's starting content: the list's unit holds it; everything else is typed.
fn blank_content(holder: UnitId) -> ItemContent {
    ItemContent {
        name: String::new(),
        sub_item: None,
        category: quanze_core::PowerCategory::Other,
        category_label: None,
        base_code: None,
        impl_code: None,
        local_code: None,
        legal_basis: Vec::new(),
        holder,
        handling_office: None,
        cooperation: Vec::new(),
        source: quanze_core::PowerSource::Statutory,
        grant: None,
        level: quanze_core::ExerciseLevel::County,
        responsibilities: Vec::new(),
        accountability: Vec::new(),
        service: None,
        remarks: None,
    }
}
