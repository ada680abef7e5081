//! The in-memory catalogue: units, lists, versions, item contents, the holdings and the
//! authority index, built from a store snapshot at start (and on repair) and then changed write
//! by write: each write makes a new catalogue that shares with the one before it every part the
//! write did not touch (see [`Catalog::with_regions`] and its siblings).
//! Reads (holdings, item search, diffs) are served from here without touching the database.

mod compare;
mod shards;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use quanze_core::list::version_on;
use quanze_core::{
    DocNo, ItemContent, ItemId, ListEntry, ListHoldings, ListId, ListScope, ListVersion,
    ListVersionId, OverrideChange, PowerItem, PowerList, Region, TownHolder, Unit, UnitId,
    VersionStatus,
};
use quanze_store::Snapshot;

use shards::Shards;

/// The content of one stored item version, shared with the catalogue, as the unit reading it
/// holds it. It reads (derefs) as the stored [`ItemContent`]; read for a town, its
/// [`ContentRef::holder`] and [`ContentRef::guide`] follow [`TownHolder::of`] (a town's
/// 基本履职 is exercised by the town, the department guiding it), and so does what it
/// serialises as: the content with that 实施主体 and a `guide` field for the 业务指导部门.
#[derive(Debug, Clone)]
pub struct ContentRef {
    item: Arc<PowerItem>,
    /// Set when read for a town.
    town: Option<TownHolder>,
}

impl ContentRef {
    /// 实施主体 — as the unit reading it holds the entry.
    pub fn holder(&self) -> UnitId {
        self.town.map_or(self.item.content.holder, |t| t.holder)
    }

    /// 业务指导部门 — the department a town's 基本履职 entry names, when the town is its
    /// 实施主体 in the department's place.
    pub fn guide(&self) -> Option<UnitId> {
        self.town.and_then(|t| t.guide)
    }

    /// The content with the 实施主体 as the unit reading it holds the entry (a copy when it
    /// differs from the stored one).
    pub fn resolved(&self) -> std::borrow::Cow<'_, ItemContent> {
        let stored = &self.item.content;
        match self.town {
            Some(t) if t.holder != stored.holder => {
                std::borrow::Cow::Owned(ItemContent { holder: t.holder, ..stored.clone() })
            }
            _ => std::borrow::Cow::Borrowed(stored),
        }
    }
}

impl std::ops::Deref for ContentRef {
    type Target = ItemContent;

    fn deref(&self) -> &ItemContent {
        &self.item.content
    }
}

impl serde::Serialize for ContentRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The content as held, with its 业务指导部门 beside the fields it has.
        #[derive(serde::Serialize)]
        struct Held<'a> {
            #[serde(flatten)]
            content: &'a ItemContent,
            #[serde(skip_serializing_if = "Option::is_none")]
            guide: Option<UnitId>,
        }
        match self.town {
            // Stored as held (a department's list, or a town's own item): no copy.
            None => self.item.content.serialize(serializer),
            Some(t) if t.holder == self.item.content.holder && t.guide.is_none() => {
                self.item.content.serialize(serializer)
            }
            Some(t) => Held { content: &self.resolved(), guide: t.guide }.serialize(serializer),
        }
    }
}

/// A snapshot of everything readers need. Cheap to clone: the big parts (item versions, the
/// versions of each list, the holdings and the authority index) are shared behind `Arc`s.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    /// Regions by code.
    pub regions: Arc<Vec<Region>>,
    /// Units in name order. Each unit sits behind its own `Arc`, so a unit write copies
    /// pointers, not the units (a province registry has thousands).
    pub units: Arc<Vec<Arc<Unit>>>,
    unit_by_id: Arc<HashMap<UnitId, Arc<Unit>>>,
    /// Lists in name order.
    pub lists: Arc<Vec<PowerList>>,
    list_by_id: Arc<HashMap<ListId, usize>>,
    versions: HashMap<ListId, Arc<Vec<ListVersion>>>,
    version_by_id: HashMap<ListVersionId, (ListId, usize)>,
    /// The item versions some list version pins, and the latest version of every item: what
    /// the store's snapshot holds.
    items: Shards<(ItemId, u32), Arc<PowerItem>>,
    latest_item: Shards<ItemId, u32>,
    /// How many entries and added overrides of any version pin each item version.
    pins: Shards<(ItemId, u32), u32>,
    /// The same, of versions that are not drafts: what the public may see of an item.
    public_pins: Shards<(ItemId, u32), u32>,
    /// Which unit holds what on which date.
    pub holdings: Arc<ListHoldings>,
    /// Devolution grants.
    pub grants: Arc<Vec<quanze_core::Grant>>,
    /// Towns' readiness for grants.
    pub readiness: Arc<Vec<quanze_core::Readiness>>,
    /// Reclaims.
    pub reclaims: Arc<Vec<quanze_core::GrantReclaim>>,
    /// Who may exercise which power where and how (published lists and active grants).
    pub authority: Arc<quanze_core::AuthorityIndex>,
    /// The establishment (机构编制).
    pub establishment: Arc<quanze_core::Establishment>,
}

impl Catalog {
    /// Builds the catalogue from a store snapshot (at start and on repair; writes change the
    /// catalogue they replace instead).
    pub fn build(snapshot: Snapshot) -> Catalog {
        let Snapshot {
            regions,
            units,
            lists,
            versions,
            items,
            grants,
            readiness,
            reclaims,
            establishment,
        } = snapshot;
        let mut by_list: HashMap<ListId, Vec<ListVersion>> = HashMap::new();
        for v in versions {
            by_list.entry(v.list).or_default().push(v);
        }
        let mut units: Vec<Arc<Unit>> = units.into_iter().map(Arc::new).collect();
        let (mut lists, mut regions, mut grants, mut readiness, mut reclaims) =
            (lists, regions, grants, readiness, reclaims);
        units.sort_by(|a, b| unit_order(a, b));
        lists.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        // The writes insert by binary search in these orders, so they are set here rather than
        // left to the order the store's queries happen to return.
        regions.sort_by(|a, b| a.code.cmp(&b.code));
        grants.sort_by_key(|g| g.id);
        readiness.sort_by_key(|r| (r.grant, r.town));
        reclaims.sort_by_key(|r| r.id);
        let mut catalog = Catalog {
            regions: Arc::new(regions),
            unit_by_id: Arc::new(units.iter().map(|u| (u.id, Arc::clone(u))).collect()),
            units: Arc::new(units),
            lists: Arc::new(lists),
            versions: by_list.into_iter().map(|(list, vs)| (list, Arc::new(vs))).collect(),
            items: items.into_iter().map(|it| ((it.id, it.version), Arc::new(it))).collect(),
            grants: Arc::new(grants),
            readiness: Arc::new(readiness),
            reclaims: Arc::new(reclaims),
            establishment: Arc::new(establishment),
            ..Catalog::default()
        };
        catalog.index_lists();
        for vs in catalog.versions.values_mut() {
            Arc::make_mut(vs).sort_by_key(|v| v.number);
        }
        catalog.index_versions();
        let mut latest: HashMap<ItemId, u32> = HashMap::new();
        for (&(id, version), _) in catalog.items.iter() {
            let v = latest.entry(id).or_default();
            *v = (*v).max(version);
        }
        catalog.latest_item = latest.into_iter().collect();
        let mut pins: HashMap<(ItemId, u32), u32> = HashMap::new();
        let mut public_pins: HashMap<(ItemId, u32), u32> = HashMap::new();
        for v in catalog.versions.values().flat_map(|vs| vs.iter()) {
            for key in pinned(v) {
                *pins.entry(key).or_default() += 1;
                if v.status != VersionStatus::Draft {
                    *public_pins.entry(key).or_default() += 1;
                }
            }
        }
        catalog.pins = pins.into_iter().collect();
        catalog.public_pins = public_pins.into_iter().collect();
        // Readiness records written before issue 14 do not say whether the grant hands a
        // penalty power to the town; every record is marked from its grant on load.
        let marks: Vec<bool> =
            catalog.readiness.iter().map(|r| catalog.certificates_required(r.grant)).collect();
        for (r, required) in Arc::make_mut(&mut catalog.readiness).iter_mut().zip(marks) {
            r.certificates_required = required;
        }
        catalog.rebuild_holdings();
        catalog
    }

    /// This catalogue after regions were added or renamed (the last of a code wins).
    pub fn with_regions(&self, regions: &[Region]) -> Catalog {
        let mut next = self.clone();
        let all = Arc::make_mut(&mut next.regions);
        for region in regions {
            match all.binary_search_by(|r| r.code.cmp(&region.code)) {
                Ok(at) => all[at] = region.clone(),
                Err(at) => all.insert(at, region.clone()),
            }
        }
        next
    }

    /// This catalogue after a unit was created or changed. The holdings and the authority
    /// index are rebuilt only when a town is concerned (templates and grants by tag resolve
    /// over towns); a department's name, kind or tags change no holding.
    pub fn with_unit(&self, unit: Unit) -> Catalog {
        let mut next = self.clone();
        let before = self.unit(unit.id);
        let touches_towns =
            unit.kind.is_township_level() || before.is_some_and(|b| b.kind.is_township_level());
        let unit = Arc::new(unit);
        let units = Arc::make_mut(&mut next.units);
        if let Some(old) = before {
            // A rename moves the unit in the name order: take it out first.
            if let Ok(at) = units.binary_search_by(|u| unit_order(u, old)) {
                units.remove(at);
            }
        }
        let at = units.binary_search_by(|u| unit_order(u, &unit)).unwrap_or_else(|at| at);
        units.insert(at, Arc::clone(&unit));
        Arc::make_mut(&mut next.unit_by_id).insert(unit.id, unit);
        if touches_towns {
            next.rebuild_holdings();
        }
        next
    }

    /// This catalogue after a list was created (with no versions: no holding changes).
    pub fn with_list(&self, list: PowerList) -> Catalog {
        let mut next = self.clone();
        let lists = Arc::make_mut(&mut next.lists);
        lists.push(list);
        lists.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        next.index_lists();
        next
    }

    /// This catalogue after a draft was written (created or replaced) with the item versions it
    /// introduced. Drafts hold nothing, so the indexes stay.
    pub fn with_draft(&self, draft: ListVersion, new_items: Vec<PowerItem>) -> Catalog {
        let mut next = self.clone();
        // Pins first, so an item version the draft keeps is never forgotten on the way.
        next.pin(&draft);
        next.add_items(new_items);
        let list = draft.list;
        let mut versions = self.versions(list).to_vec();
        let old = match versions.iter().position(|v| v.id == draft.id) {
            Some(at) => Some(std::mem::replace(&mut versions[at], draft.clone())),
            None => {
                versions.push(draft.clone());
                None
            }
        };
        versions.sort_by_key(|v| v.number);
        if let Some(old) = &old {
            next.unpin(old);
        }
        next.versions.insert(list, Arc::new(versions));
        next.index_versions();
        next
    }

    /// This catalogue after a draft was discarded (its item versions stay stored, but the
    /// catalogue keeps only those still pinned or latest, as a rebuild would).
    pub fn without_draft(&self, id: ListVersionId) -> Catalog {
        let Some(version) = self.version(id) else { return self.clone() };
        let mut next = self.clone();
        let list = version.list;
        let mut versions = self.versions(list).to_vec();
        versions.retain(|v| v.id != id);
        next.unpin(version);
        next.versions.insert(list, Arc::new(versions));
        next.index_versions();
        next
    }

    /// This catalogue after `drafts` were published on `effective` under `doc_no` with the new
    /// item versions (in hand): every version of each list in force so far superseded on
    /// `effective`, the new one published; the holdings and the authority index rebuilt from
    /// memory, without reading the store back (a reload parses every stored item version: 12 s
    /// at 200,000).
    pub fn with_published(
        &self,
        drafts: Vec<ListVersion>,
        new_items: Vec<PowerItem>,
        effective: NaiveDate,
        doc_no: &DocNo,
    ) -> Catalog {
        let mut next = self.clone();
        for mut new in drafts {
            let list = new.list;
            let mut versions = next.versions(list).to_vec();
            for v in versions.iter_mut().filter(|v| v.status == VersionStatus::Published) {
                v.status = VersionStatus::Superseded;
                v.effective_until = Some(effective);
            }
            new.status = VersionStatus::Published;
            new.effective_from = Some(effective);
            new.doc_no = Some(doc_no.clone());
            next.pin(&new);
            match versions.iter().position(|v| v.id == new.id) {
                Some(at) => {
                    let old = std::mem::replace(&mut versions[at], new.clone());
                    next.unpin(&old);
                }
                None => versions.push(new.clone()),
            }
            versions.sort_by_key(|v| v.number);
            next.versions.insert(list, Arc::new(versions));
        }
        next.add_items(new_items);
        next.index_versions();
        next.rebuild_holdings();
        next
    }

    /// This catalogue after a grant was recorded.
    pub fn with_grant(&self, grant: quanze_core::Grant) -> Catalog {
        let mut next = self.clone();
        let grants = Arc::make_mut(&mut next.grants);
        match grants.binary_search_by(|g| g.id.cmp(&grant.id)) {
            Ok(at) => grants[at] = grant,
            Err(at) => grants.insert(at, grant),
        }
        next.rebuild_authority();
        next
    }

    /// This catalogue after towns' readiness for grants was recorded (each replacing the last
    /// for its grant and town), with the authority index rebuilt once.
    pub fn with_readiness(
        &self,
        recorded: impl IntoIterator<Item = quanze_core::Readiness>,
    ) -> Catalog {
        let mut next = self.clone();
        let key = |r: &quanze_core::Readiness| (r.grant, r.town);
        let all = Arc::make_mut(&mut next.readiness);
        for readiness in recorded {
            match all.binary_search_by(|r| key(r).cmp(&key(&readiness))) {
                Ok(at) => all[at] = readiness,
                Err(at) => all.insert(at, readiness),
            }
        }
        next.rebuild_authority();
        next
    }

    /// This catalogue after a reclaim was recorded.
    pub fn with_reclaim(&self, reclaim: quanze_core::GrantReclaim) -> Catalog {
        let mut next = self.clone();
        let reclaims = Arc::make_mut(&mut next.reclaims);
        match reclaims.binary_search_by(|r| r.id.cmp(&reclaim.id)) {
            Ok(at) => reclaims[at] = reclaim,
            Err(at) => reclaims.insert(at, reclaim),
        }
        next.rebuild_authority();
        next
    }

    /// This catalogue with another establishment.
    pub fn with_establishment(&self, establishment: quanze_core::Establishment) -> Catalog {
        Catalog { establishment: Arc::new(establishment), ..self.clone() }
    }

    fn index_lists(&mut self) {
        self.list_by_id = Arc::new(self.lists.iter().enumerate().map(|(i, l)| (l.id, i)).collect());
    }

    fn index_versions(&mut self) {
        self.versions.retain(|_, vs| !vs.is_empty());
        self.version_by_id = self
            .versions
            .iter()
            .flat_map(|(list, vs)| vs.iter().enumerate().map(move |(i, v)| (v.id, (*list, i))))
            .collect();
    }

    /// Adds new item versions; a version that is now neither pinned nor the latest of its
    /// item leaves the catalogue, as it would leave a snapshot.
    fn add_items(&mut self, new_items: Vec<PowerItem>) {
        for item in new_items {
            let key = (item.id, item.version);
            let previous = self.latest_item.get(&item.id).copied();
            if previous.is_none_or(|p| p < item.version) {
                self.latest_item.insert(item.id, item.version);
            }
            self.items.insert(key, Arc::new(item));
            if let Some(p) = previous {
                self.forget_if_unused((key.0, p));
            }
        }
    }

    fn pin(&mut self, version: &ListVersion) {
        let public = version.status != VersionStatus::Draft;
        for key in pinned(version) {
            *self.pins.entry(key).or_default() += 1;
            if public {
                *self.public_pins.entry(key).or_default() += 1;
            }
        }
    }

    fn unpin(&mut self, version: &ListVersion) {
        let public = version.status != VersionStatus::Draft;
        for key in pinned(version) {
            for (counts, counted) in [(&mut self.pins, true), (&mut self.public_pins, public)] {
                if !counted {
                    continue;
                }
                if let std::collections::hash_map::Entry::Occupied(mut n) = counts.entry(key) {
                    *n.get_mut() -= 1;
                    if *n.get() == 0 {
                        n.remove();
                    }
                }
            }
            self.forget_if_unused(key);
        }
    }

    fn forget_if_unused(&mut self, key: (ItemId, u32)) {
        let latest = self.latest_item.get(&key.0).copied();
        if self.pins.get(&key).is_none() && latest != Some(key.1) {
            self.items.remove(&key);
        }
    }

    fn rebuild_holdings(&mut self) {
        self.holdings = Arc::new(self.build_holdings());
        self.rebuild_authority();
    }

    fn rebuild_authority(&mut self) {
        // Item versions whose content says 上级委托, with the entrusting department.
        let entrusted: HashMap<(ItemId, u32), UnitId> = self
            .items
            .iter()
            .filter_map(|(key, it)| Some((*key, it.content.entrusting_department()?)))
            .collect();
        self.authority = Arc::new(
            quanze_core::AuthorityIndex::build(
                (*self.holdings).clone(),
                &self.units,
                &self.grants,
                &self.readiness,
                &self.reclaims,
            )
            .with_entrusted(&entrusted),
        );
    }

    /// The content of `grant`'s department item as the department held it when the grant took
    /// effect (its own entry only: an entry it cooperates on or handed back is not holding).
    pub fn granted_content(&self, grant: &quanze_core::Grant) -> Option<&ItemContent> {
        let own = |e: &&ListEntry| e.duty == quanze_core::DutyKind::Own;
        match self.holdings.holds(grant.from, grant.item, grant.effective_from).filter(own) {
            Some(e) => self.content(e),
            None => {
                let version = self.latest_item_version(grant.item)?;
                self.item(grant.item, version).map(|i| &i.content)
            }
        }
    }

    /// Whether the towns of `grant` need two certified officers and the confirmation's date
    /// to take it (a penalty power they exercise, 行政处罚法 第42条).
    pub fn certificates_required(&self, grant: quanze_core::GrantId) -> bool {
        let Ok(at) = self.grants.binary_search_by(|g| g.id.cmp(&grant)) else { return false };
        let g = &self.grants[at];
        self.granted_content(g).is_some_and(|c| g.needs_certificates(c.category))
    }

    fn build_holdings(&self) -> ListHoldings {
        let mut index = ListHoldings::new();
        for list in self.lists.iter() {
            let Some(versions) = self.versions.get(&list.id) else { continue };
            for v in versions.iter().filter(|v| v.status != VersionStatus::Draft) {
                let Some(from) = v.effective_from else { continue };
                match &list.scope {
                    ListScope::Unit { unit } => {
                        let entries = ListHoldings::sorted(v.entries.clone());
                        index.add(*unit, list.id, from, v.effective_until, entries);
                    }
                    ListScope::TownshipTemplate { county } => {
                        for town in self.towns_of(county) {
                            let entries: Arc<[ListEntry]> = v.resolve_for(town).into();
                            index.add(town.id, list.id, from, v.effective_until, entries);
                        }
                    }
                }
            }
        }
        index
    }

    /// The towns and subdistricts within a county.
    pub fn towns_of<'a>(
        &'a self,
        county: &'a quanze_core::RegionCode,
    ) -> impl Iterator<Item = &'a Unit> + 'a {
        self.units
            .iter()
            .map(|u| &**u)
            .filter(move |u| u.kind.is_township_level() && u.region.is_within(county))
    }

    /// One unit.
    pub fn unit(&self, id: UnitId) -> Option<&Unit> {
        self.unit_by_id.get(&id).map(|u| &**u)
    }

    /// A unit by exact name.
    pub fn unit_by_name(&self, name: &str) -> Option<&Unit> {
        self.units.iter().map(|u| &**u).find(|u| u.name == name)
    }

    /// One list.
    pub fn list(&self, id: ListId) -> Option<&PowerList> {
        self.list_by_id.get(&id).map(|&i| &self.lists[i])
    }

    /// The versions of a list, oldest first.
    pub fn versions(&self, list: ListId) -> &[ListVersion] {
        self.versions.get(&list).map(|vs| vs.as_slice()).unwrap_or(&[])
    }

    /// One version.
    pub fn version(&self, id: ListVersionId) -> Option<&ListVersion> {
        let (list, i) = self.version_by_id.get(&id)?;
        self.versions.get(list)?.get(*i)
    }

    /// One version and its list, or `NotFound` naming what is missing.
    pub fn version_with_list(
        &self,
        id: ListVersionId,
    ) -> crate::ServiceResult<(&ListVersion, &PowerList)> {
        let not_found = crate::ServiceError::NotFound;
        let version = self.version(id).ok_or_else(|| not_found(format!("清单版本 {id}")))?;
        let list =
            self.list(version.list).ok_or_else(|| not_found(format!("清单 {}", version.list)))?;
        Ok((version, list))
    }

    /// The newest version of a list (draft or not).
    pub fn latest_version(&self, list: ListId) -> Option<&ListVersion> {
        self.versions(list).last()
    }

    /// The version of a list in force on a date.
    pub fn version_on(&self, list: ListId, date: NaiveDate) -> Option<&ListVersion> {
        version_on(self.versions(list), date)
    }

    /// The newest stored version number of an item.
    pub fn latest_item_version(&self, id: ItemId) -> Option<u32> {
        self.latest_item.get(&id).copied()
    }

    /// The newest version of an item that a published or superseded list version pins: what
    /// the public may be shown of it (a draft's wording is the staff's). `None` for an item
    /// only drafts name.
    pub fn public_item_version(&self, id: ItemId) -> Option<u32> {
        let latest = self.latest_item_version(id)?;
        (1..=latest).rev().find(|v| self.public_pins.get(&(id, *v)).is_some())
    }

    /// One item version.
    pub fn item(&self, id: ItemId, version: u32) -> Option<&PowerItem> {
        self.items.get(&(id, version)).map(|i| &**i)
    }

    /// A shared handle to the content behind a list entry as `unit` holds it: answers carry it
    /// without copying the content (copies were most of an item query's cost). Read for a
    /// town or subdistrict, its 实施主体 follows [`TownHolder::of`] — the one place every view,
    /// export and page of a town's list takes it from.
    pub fn content_ref(&self, entry: &ListEntry, unit: Option<&Unit>) -> Option<ContentRef> {
        let item = self.items.get(&(entry.item, entry.item_version))?;
        let town = unit
            .filter(|u| u.kind.is_township_level())
            .map(|u| TownHolder::of(entry.duty, &item.content, u.id));
        Some(ContentRef { item: Arc::clone(item), town })
    }

    /// The content behind a list entry.
    pub fn content(&self, entry: &ListEntry) -> Option<&ItemContent> {
        self.item(entry.item, entry.item_version).map(|i| &i.content)
    }

    /// The lists that apply to a unit: its own lists and, for a town, its county's template.
    pub fn lists_for_unit(&self, unit: &Unit) -> Vec<&PowerList> {
        self.lists
            .iter()
            .filter(|l| match &l.scope {
                ListScope::Unit { unit: u } => *u == unit.id,
                ListScope::TownshipTemplate { county } => {
                    unit.kind.is_township_level() && unit.region.is_within(county)
                }
            })
            .collect()
    }

    /// How many entries each unit holds on a date, by unit id.
    pub fn holding_counts(&self, date: NaiveDate) -> BTreeMap<UnitId, usize> {
        self.units.iter().map(|u| (u.id, self.holdings.holdings(u.id, date).count())).collect()
    }

    /// The entries of a list version as seen by one town (template versions are resolved),
    /// each with its content as the town holds it ([`Catalog::content_ref`]); entries whose
    /// content is missing are left out.
    pub fn entries_for(
        &self,
        version: &ListVersion,
        town: Option<&Unit>,
    ) -> Vec<(ListEntry, ContentRef)> {
        let entries = resolved_entries(version, town);
        entries.into_iter().filter_map(|e| Some((e, self.content_ref(&e, town)?))).collect()
    }
}

/// The entries of a list version as one town holds them (a template version resolved), or
/// as stored.
pub(crate) fn resolved_entries(version: &ListVersion, town: Option<&Unit>) -> Vec<ListEntry> {
    match town {
        Some(town) => version.resolve_for(town),
        None => version.entries.clone(),
    }
}

/// The item versions a list version pins: its entries and the entries its overrides add.
fn pinned(version: &ListVersion) -> impl Iterator<Item = (ItemId, u32)> + '_ {
    let added = version.overrides.iter().filter_map(|o| match &o.change {
        OverrideChange::Add { entry } => Some(entry),
        OverrideChange::Remove { .. } => None,
    });
    version.entries.iter().chain(added).map(|e| (e.item, e.item_version))
}

/// The catalogue's order of units: by name, then id.
fn unit_order(a: &Unit, b: &Unit) -> std::cmp::Ordering {
    a.name.cmp(&b.name).then(a.id.cmp(&b.id))
}
