//! Reading the lists a change set touches: the units it affects, the duties they hold now, and
//! the next version of each list built from its newest published one.

use super::*;

/// The version each list's changes apply to: the newest that is not a draft.
pub(super) fn base_version(catalog: &Catalog, list: ListId) -> Option<&ListVersion> {
    catalog.versions(list).iter().rev().find(|v| v.status != VersionStatus::Draft)
}

/// Checks every change against its list as it stands (the same check publication repeats).
pub(super) fn check_against_lists(catalog: &Catalog, set: &ChangeSet) -> ServiceResult<()> {
    for list in set.lists() {
        apply(catalog, set, list)?;
    }
    Ok(())
}

pub(super) fn apply(
    catalog: &Catalog,
    set: &ChangeSet,
    list: ListId,
) -> Result<quanze_core::changeset::Applied, quanze_core::ChangeSetError> {
    let latest = |item: ItemId| catalog.latest_item_version(item);
    let content = |item: ItemId, v: u32| catalog.item(item, v).map(|p| &p.content);
    Ok(apply_to_list(base_version(catalog, list), set.changes_to(list), latest, content)?)
}

/// The drafts publication writes: one per affected list, numbered after its last version.
/// Consumes the changes: their contents become the new item versions without a copy.
pub(super) fn next_versions(
    service: &Service,
    catalog: &Catalog,
    changes: Vec<ProposedChange>,
) -> ServiceResult<Vec<DraftWrite>> {
    let mut by_list: BTreeMap<ListId, Vec<(usize, ProposedChange)>> = BTreeMap::new();
    for (i, c) in changes.into_iter().enumerate() {
        by_list.entry(c.list).or_default().push((i, c));
    }
    let latest = |item: ItemId| catalog.latest_item_version(item);
    let content = |item: ItemId, v: u32| catalog.item(item, v).map(|p| &p.content);
    let mut drafts = Vec::new();
    for (list, changes) in by_list {
        let applied = quanze_core::changeset::apply_owned_to_list(
            base_version(catalog, list),
            changes,
            latest,
            content,
        )
        .map_err(quanze_core::ChangeSetError::from)?;
        let number = catalog.versions(list).iter().map(|v| v.number).max().unwrap_or(0) + 1;
        drafts.push(DraftWrite {
            version: ListVersion {
                id: service.ids.version(),
                list,
                number,
                status: VersionStatus::Draft,
                effective_from: None,
                effective_until: None,
                doc_no: None,
                entries: applied.entries,
                overrides: applied.overrides,
            },
            new_items: applied.new_items,
        });
    }
    Ok(drafts)
}

pub(super) fn current_holder(catalog: &Catalog, c: &ProposedChange) -> Option<UnitId> {
    match &c.change {
        Change::Add { content, .. } => Some(content.holder),
        Change::Amend { item, base, .. } | Change::Remove { item, base } => {
            catalog.item(*item, *base).map(|p| p.content.holder)
        }
    }
}

/// Every unit a change set affects: the holders and cooperating units of the items before
/// and after, the unit of each unit list, and every town of a township template's county.
pub(super) fn affected_units(catalog: &Catalog, set: &ChangeSet) -> BTreeSet<UnitId> {
    let mut units = BTreeSet::new();
    for c in &set.changes {
        let before = match &c.change {
            Change::Amend { item, base, .. } | Change::Remove { item, base } => {
                catalog.item(*item, *base).map(|p| &p.content)
            }
            Change::Add { .. } => None,
        };
        for content in before.into_iter().chain(c.content()) {
            units.insert(content.holder);
            units.extend(content.cooperation.iter().map(|co| co.unit));
        }
        match catalog.list(c.list).map(|l| &l.scope) {
            Some(ListScope::Unit { unit }) => {
                units.insert(*unit);
            }
            Some(ListScope::TownshipTemplate { county }) => {
                units.extend(catalog.towns_of(county).map(|t| t.id));
            }
            None => {}
        }
    }
    units.retain(|u| catalog.unit(*u).is_some());
    units
}

/// The duty kind amended items keep.
pub(super) fn current_duties(catalog: &Catalog, set: &ChangeSet) -> BTreeMap<ItemId, DutyKind> {
    let mut base = EntryIndex::new(base_version);
    set.changes
        .iter()
        .filter_map(|c| base.entry(catalog, c.list, c.item()).map(|e| (e.item, e.duty)))
        .collect()
}

/// The entries of one version of each list by item, built once per list on first use: a
/// change set may hold 100,000 changes, and a scan of the list per change would be quadratic.
pub(super) struct EntryIndex<F> {
    pick: F,
    lists: HashMap<ListId, HashMap<ItemId, quanze_core::ListEntry>>,
}

impl<F: for<'a> Fn(&'a Catalog, ListId) -> Option<&'a ListVersion>> EntryIndex<F> {
    pub(super) fn new(pick: F) -> EntryIndex<F> {
        EntryIndex { pick, lists: HashMap::new() }
    }

    pub(super) fn entry(
        &mut self,
        catalog: &Catalog,
        list: ListId,
        item: ItemId,
    ) -> Option<quanze_core::ListEntry> {
        self.prepare(catalog, list);
        self.built(list, item)
    }

    /// Builds the entries of one list, unless they are built already.
    fn prepare(&mut self, catalog: &Catalog, list: ListId) {
        let pick = &self.pick;
        self.lists.entry(list).or_insert_with(|| {
            pick(catalog, list)
                .map(|v| v.entries.iter().map(|e| (e.item, *e)).collect())
                .unwrap_or_default()
        });
    }

    /// The entry of an item in a list whose entries were already built (none otherwise).
    fn built(&self, list: ListId, item: ItemId) -> Option<quanze_core::ListEntry> {
        self.lists.get(&list)?.get(&item).copied()
    }
}

pub(super) fn parse_stage(raw: &str) -> ServiceResult<Stage> {
    Ok(match raw.trim() {
        "drafting" | "起草" => Stage::Drafting,
        "opinions" | "征求意见" => Stage::Opinions { round: 0 },
        "public_comment" | "公示" => Stage::PublicComment,
        "legal_review" | "合法性审查" => Stage::LegalReview,
        "approval" | "审定" => Stage::Approval,
        other => {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidStage,
                format!("无法退回到“{other}”：可退回到 起草、征求意见、公示、合法性审查、审定"),
                format!("cannot return to {other:?}"),
            ));
        }
    })
}

pub(super) fn view(catalog: &Catalog, stored: StoredChangeSet) -> ChangeSetView {
    let StoredChangeSet { set, rev } = stored;
    // The base version's entries of every list first, so the changes (100,000 of them in a
    // large set, each diffed field by field) can be described on every core.
    let mut base = EntryIndex::new(base_version);
    for list in set.lists() {
        base.prepare(catalog, list);
    }
    let base = &base;
    let changes = set
        .changes
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let before = match &c.change {
                Change::Amend { item, base, .. } | Change::Remove { item, base } => {
                    catalog.item(*item, *base).map(|p| &p.content)
                }
                Change::Add { .. } => None,
            };
            let duty = base.built(c.list, c.item()).map_or(DutyKind::Own, |e| e.duty);
            let (action, action_zh) = match &c.change {
                Change::Add { .. } => ("add", "新增"),
                Change::Amend { .. } => ("amend", "调整"),
                Change::Remove { .. } => ("remove", "取消"),
            };
            ChangeView {
                index: i + 1,
                list: c.list,
                list_name: catalog.list(c.list).map(|l| l.name.clone()).unwrap_or_default(),
                item: c.item(),
                name: c.content().or(before).map(|x| x.display_name()).unwrap_or_default(),
                action,
                action_zh,
                fields: before.map(|b| c.fields(b, duty)).unwrap_or_default(),
                reason: c.reason.clone(),
                basis: c.basis.clone(),
            }
        })
        .collect();
    ChangeSetView { stage_zh: set.flow.stage.zh(), set, rev, changes }
}

/// The current content of each item the change set removes, for the review of removals.
pub(super) fn removed_contents<'a>(
    catalog: &'a Catalog,
    set: &ChangeSet,
) -> HashMap<ItemId, &'a ItemContent> {
    let mut base = EntryIndex::new(base_version);
    set.changes
        .iter()
        .filter(|c| matches!(c.change, Change::Remove { .. }))
        .filter_map(|c| {
            let entry = base.entry(catalog, c.list, c.item())?;
            catalog.content(&entry).map(|content| (entry.item, content))
        })
        .collect()
}
