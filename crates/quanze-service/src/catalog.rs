//! The in-memory catalogue: units, lists, versions, item contents and the holdings index,
//! rebuilt from a store snapshot at start and after every write that changes lists or units.
//! Reads (holdings, item search, diffs) are served from here without touching the database.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use quanze_core::list::version_on;
use quanze_core::{
    HoldingsIndex, ItemContent, ItemId, ListEntry, ListId, ListScope, ListVersion, ListVersionId,
    PowerItem, PowerList, Region, Unit, UnitId, VersionStatus,
};
use quanze_store::Snapshot;

/// The content of one stored item version, shared with the catalogue; reads as (and
/// serialises as) the [`ItemContent`].
#[derive(Debug, Clone)]
pub struct ContentRef(Arc<PowerItem>);

impl std::ops::Deref for ContentRef {
    type Target = ItemContent;

    fn deref(&self) -> &ItemContent {
        &self.0.content
    }
}

impl serde::Serialize for ContentRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.content.serialize(serializer)
    }
}

/// What a catalogue is assembled from.
struct Parts {
    regions: Vec<Region>,
    units: Vec<Unit>,
    lists: Vec<PowerList>,
    versions: HashMap<ListId, Vec<ListVersion>>,
    items: HashMap<(ItemId, u32), Arc<PowerItem>>,
    grants: Vec<quanze_core::Grant>,
    readiness: Vec<quanze_core::Readiness>,
    reclaims: Vec<quanze_core::Reclaim>,
    establishment: quanze_core::Establishment,
}

/// A snapshot of everything readers need.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Regions by code.
    pub regions: Vec<Region>,
    /// Units in name order.
    pub units: Vec<Unit>,
    unit_by_id: HashMap<UnitId, usize>,
    /// Lists in name order.
    pub lists: Vec<PowerList>,
    list_by_id: HashMap<ListId, usize>,
    versions: HashMap<ListId, Vec<ListVersion>>,
    version_by_id: HashMap<ListVersionId, (ListId, usize)>,
    items: HashMap<(ItemId, u32), Arc<PowerItem>>,
    latest_item: HashMap<ItemId, u32>,
    /// Which unit holds what on which date.
    pub holdings: HoldingsIndex,
    /// Devolution grants.
    pub grants: Vec<quanze_core::Grant>,
    /// Towns' readiness for grants.
    pub readiness: Vec<quanze_core::Readiness>,
    /// Reclaims.
    pub reclaims: Vec<quanze_core::Reclaim>,
    /// Who may exercise which power where and how (published lists and active grants).
    pub authority: quanze_core::AuthorityIndex,
    /// The establishment (机构编制).
    pub establishment: quanze_core::Establishment,
}

impl Catalog {
    /// Builds the catalogue from a store snapshot.
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
        let items = items.into_iter().map(|it| ((it.id, it.version), Arc::new(it))).collect();
        Catalog::assemble(Parts {
            regions,
            units,
            lists,
            versions: by_list,
            items,
            grants,
            readiness,
            reclaims,
            establishment,
        })
    }

    /// This catalogue with the versions of some lists replaced and new item versions added:
    /// what a publication changes, without reading the store back (a reload parses every
    /// stored item version: 12 s at 200,000).
    pub fn with_lists(
        &self,
        lists: Vec<(ListId, Vec<ListVersion>)>,
        new_items: Vec<PowerItem>,
    ) -> Catalog {
        let mut versions = self.versions.clone();
        versions.extend(lists);
        let mut items = self.items.clone();
        items.extend(new_items.into_iter().map(|it| ((it.id, it.version), Arc::new(it))));
        Catalog::assemble(Parts {
            regions: self.regions.clone(),
            units: self.units.clone(),
            lists: self.lists.clone(),
            versions,
            items,
            grants: self.grants.clone(),
            readiness: self.readiness.clone(),
            reclaims: self.reclaims.clone(),
            establishment: self.establishment.clone(),
        })
    }

    /// The catalogue over its parts: the lookup maps, the holdings and the authority index.
    fn assemble(parts: Parts) -> Catalog {
        let Parts {
            regions,
            mut units,
            mut lists,
            versions: mut by_list,
            items,
            grants,
            readiness,
            reclaims,
            establishment,
        } = parts;
        units.sort_by(|a, b| a.name.cmp(&b.name));
        lists.sort_by(|a, b| a.name.cmp(&b.name));
        let unit_by_id = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let list_by_id = lists.iter().enumerate().map(|(i, l)| (l.id, i)).collect();
        let mut version_by_id = HashMap::new();
        for (list, vs) in by_list.iter_mut() {
            vs.sort_by_key(|v| v.number);
            for (i, v) in vs.iter().enumerate() {
                version_by_id.insert(v.id, (*list, i));
            }
        }
        let mut latest_item: HashMap<ItemId, u32> = HashMap::new();
        for &(id, version) in items.keys() {
            let v = latest_item.entry(id).or_default();
            *v = (*v).max(version);
        }
        let mut catalog = Catalog {
            regions,
            units,
            unit_by_id,
            lists,
            list_by_id,
            versions: by_list,
            version_by_id,
            items,
            latest_item,
            holdings: HoldingsIndex::new(),
            grants,
            readiness,
            reclaims,
            authority: quanze_core::AuthorityIndex::default(),
            establishment,
        };
        catalog.holdings = catalog.build_holdings();
        catalog.authority = quanze_core::AuthorityIndex::build(
            catalog.holdings.clone(),
            &catalog.units,
            &catalog.grants,
            &catalog.readiness,
            &catalog.reclaims,
        );
        catalog
    }

    fn build_holdings(&self) -> HoldingsIndex {
        let mut index = HoldingsIndex::new();
        for list in &self.lists {
            let Some(versions) = self.versions.get(&list.id) else { continue };
            for v in versions.iter().filter(|v| v.status != VersionStatus::Draft) {
                let Some(from) = v.effective_from else { continue };
                match &list.scope {
                    ListScope::Unit { unit } => {
                        let entries = HoldingsIndex::sorted(v.entries.clone());
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
        self.units.iter().filter(move |u| u.kind.is_township_level() && u.region.is_within(county))
    }

    /// One unit.
    pub fn unit(&self, id: UnitId) -> Option<&Unit> {
        self.unit_by_id.get(&id).map(|&i| &self.units[i])
    }

    /// A unit by exact name.
    pub fn unit_by_name(&self, name: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.name == name)
    }

    /// One list.
    pub fn list(&self, id: ListId) -> Option<&PowerList> {
        self.list_by_id.get(&id).map(|&i| &self.lists[i])
    }

    /// The versions of a list, oldest first.
    pub fn versions(&self, list: ListId) -> &[ListVersion] {
        self.versions.get(&list).map(Vec::as_slice).unwrap_or(&[])
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

    /// One item version.
    pub fn item(&self, id: ItemId, version: u32) -> Option<&PowerItem> {
        self.items.get(&(id, version)).map(|i| &**i)
    }

    /// A shared handle to the content behind a list entry: answers carry it without copying
    /// the content (copies were most of an item query's cost).
    pub fn content_ref(&self, entry: &ListEntry) -> Option<ContentRef> {
        self.items.get(&(entry.item, entry.item_version)).map(|i| ContentRef(Arc::clone(i)))
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

    /// The entries of a list version as seen by one town (template versions are resolved).
    pub fn entries_for(&self, version: &ListVersion, town: Option<&Unit>) -> Vec<ListEntry> {
        match town {
            Some(town) => version.resolve_for(town),
            None => version.entries.clone(),
        }
    }
}
