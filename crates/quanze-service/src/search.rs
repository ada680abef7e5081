//! 事项检索 — the search index of published items, kept with the catalogue.
//!
//! The index holds, for every list, the items of the version in force today, with the text
//! of their service guides. It is built on the first search (or by [`Service::warm_search`]
//! at a server's start), not when the service opens: a benchmark's province of a million items
//! opens in seconds and never searches. After that, every change of the catalogue and every
//! new day replaces the lists whose version in force changed (a publication, a withdrawal, a
//! version taking effect), each batch in one commit of the index.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use quanze_core::{ItemContent, ListId, ListScope, ListVersionId, PowerList, Unit};
use quanze_search::{ItemDoc, SearchError, SearchIndex, SearchQuery};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::Catalog;
use crate::{ErrorCode, Service, ServiceError, ServiceResult};

/// The index, once built, and what it was built from.
#[derive(Default)]
pub(crate) struct SearchState {
    inner: Mutex<Option<Indexed>>,
}

struct Indexed {
    /// Searched without the lock (tantivy's searchers run side by side).
    index: Arc<SearchIndex>,
    /// The day it was brought up to date for, and each list's version in force then.
    on: NaiveDate,
    versions: HashMap<ListId, ListVersionId>,
    /// The catalogue's units it took the units' names from: a unit write replaces them, and
    /// every list is indexed again (a county has a few thousand items; unit writes are rare).
    units: Arc<Vec<Arc<Unit>>>,
}

/// A search as asked over the API.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchRequest {
    /// What to look for, as one would say it (营业执照, 农村建房, 低保); at most 100 characters.
    pub q: String,
    /// Only the items of this unit (its id).
    #[serde(default)]
    pub unit: Option<String>,
    /// Only items of this category (`licensing`, `penalty`, `public_service`, …).
    #[serde(default)]
    pub category: Option<String>,
    /// Only items that can be done in this town (its region code).
    #[serde(default)]
    pub town: Option<String>,
    /// Hits to skip (at most 1,000).
    #[serde(default)]
    pub offset: Option<u32>,
    /// Hits to give (1–100; 20 when not given).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One item found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    /// The item's id.
    pub item: String,
    /// The list it is published on.
    pub list: String,
    /// Its name.
    pub name: String,
    /// The name as escaped HTML with the matched words in `<b>`, when it has any.
    pub name_html: Option<String>,
    /// A passage of its service guide as escaped HTML with the matched words in `<b>` (empty
    /// when the guide has none).
    pub guide_html: String,
    /// The unit that holds it (id).
    pub unit: String,
    /// That unit's name.
    pub unit_name: String,
    /// Its category.
    pub category: String,
    /// Its category in Chinese (行政许可, 公共服务 …).
    pub category_zh: String,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchPage {
    /// Items matching in all.
    pub total: usize,
    /// The words the query was cut into.
    pub words: Vec<String>,
    /// `true` when no item has every word and these have some of them.
    pub partial: bool,
    /// The page, best first.
    pub hits: Vec<SearchHit>,
}

impl Service {
    /// 事项检索 — searches the published items and their guides (no sign-in needed: only
    /// what is published is indexed).
    pub fn search_items(&self, request: &SearchRequest) -> ServiceResult<SearchPage> {
        let query = SearchQuery {
            text: &request.q,
            unit: request.unit.as_deref().filter(|s| !s.is_empty()),
            category: request.category.as_deref().filter(|s| !s.is_empty()),
            town: request.town.as_deref().filter(|s| !s.is_empty()),
            offset: request.offset.unwrap_or(0) as usize,
            limit: request.limit.unwrap_or(20) as usize,
        };
        let found = self.search_index()?.search(&query)?;
        Ok(SearchPage {
            total: found.total,
            partial: found.partial,
            hits: found.hits.into_iter().map(SearchHit::from).collect(),
            words: found.words,
        })
    }

    /// Builds the search index now (a server calls this at start, off the request path).
    pub fn warm_search(&self) -> ServiceResult<()> {
        self.search_index().map(drop)
    }

    /// Brings the index up to date, if it was built, after a change of the catalogue.
    pub(crate) fn refresh_search(&self) {
        let mut inner = self.search.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(indexed) = inner.as_mut()
            && let Err(e) = indexed.refresh(&self.catalog(), self.today())
        {
            // Dropped: the next search builds it again from the catalogue.
            tracing::warn!(error = %e, "the search index could not follow a catalogue change; it will be rebuilt");
            *inner = None;
        }
    }

    /// The index, built or brought up to the day first.
    fn search_index(&self) -> ServiceResult<Arc<SearchIndex>> {
        let mut inner = self.search.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let today = self.today();
        if let Some(indexed) = inner.as_mut() {
            if indexed.on != today
                && let Err(e) = indexed.refresh(&self.catalog(), today)
            {
                *inner = None;
                return Err(e.into());
            }
        } else {
            let mut indexed = Indexed {
                index: Arc::new(SearchIndex::in_memory()?),
                on: today,
                versions: HashMap::new(),
                units: Arc::default(),
            };
            indexed.refresh(&self.catalog(), today)?;
            *inner = Some(indexed);
        }
        Ok(inner.as_ref().map(|i| Arc::clone(&i.index)).expect("set above"))
    }
}

impl Indexed {
    /// Replaces the lists whose version in force on `on` is not the one indexed.
    fn refresh(&mut self, catalog: &Catalog, on: NaiveDate) -> Result<(), SearchError> {
        let now = in_force(catalog, on);
        let renamed = !Arc::ptr_eq(&self.units, &catalog.units);
        let changed: Vec<ListId> = now
            .iter()
            .filter(|(list, version)| renamed || self.versions.get(list) != Some(version))
            .map(|(list, _)| *list)
            .chain(self.versions.keys().filter(|l| !now.contains_key(l)).copied())
            .collect();
        if !changed.is_empty() {
            let keys: Vec<String> = changed.iter().map(ToString::to_string).collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let docs: Vec<ItemDoc> = changed
                .iter()
                .filter_map(|l| catalog.list(*l))
                .flat_map(|list| list_documents(catalog, list, on))
                .collect();
            self.index.replace_lists(&keys, &docs)?;
        }
        self.on = on;
        self.versions = now;
        self.units = Arc::clone(&catalog.units);
        Ok(())
    }
}

/// Each list's version in force on `on`.
fn in_force(catalog: &Catalog, on: NaiveDate) -> HashMap<ListId, ListVersionId> {
    catalog.lists.iter().filter_map(|l| Some((l.id, catalog.version_on(l.id, on)?.id))).collect()
}

/// The documents of one list's version in force on `on`: a unit's list as it stands (a town's
/// own list can be done in that town); a township template as each town of its county
/// receives it, one document per item naming every town that has it.
fn list_documents(catalog: &Catalog, list: &PowerList, on: NaiveDate) -> Vec<ItemDoc> {
    let Some(version) = catalog.version_on(list.id, on) else { return Vec::new() };
    let unit_name = |id| catalog.unit(id).map(|u: &Unit| u.name.clone()).unwrap_or_default();
    let doc = |content: &ItemContent, item: String, towns: Vec<String>| {
        item_document(content, item, list.id.to_string(), unit_name(content.holder), towns)
    };
    match &list.scope {
        ListScope::Unit { unit } => {
            let holder = catalog.unit(*unit);
            let town = holder.filter(|u| u.kind.is_township_level());
            let towns: Vec<String> = town.map(|u| u.region.to_string()).into_iter().collect();
            catalog
                .entries_for(version, town)
                .into_iter()
                .map(|(entry, content)| {
                    doc(&content.resolved(), entry.item.to_string(), towns.clone())
                })
                .collect()
        }
        ListScope::TownshipTemplate { county } => {
            // item id → (its content as the first town has it, the towns that have it)
            let mut items: BTreeMap<String, (ItemContent, Vec<String>)> = BTreeMap::new();
            let towns = catalog
                .units
                .iter()
                .filter(|u| u.kind.is_township_level() && u.region.is_within(county));
            for town in towns {
                for (entry, content) in catalog.entries_for(version, Some(town)) {
                    items
                        .entry(entry.item.to_string())
                        .or_insert_with(|| (content.resolved().into_owned(), Vec::new()))
                        .1
                        .push(town.region.to_string());
                }
            }
            items.into_iter().map(|(item, (content, towns))| doc(&content, item, towns)).collect()
        }
    }
}

/// The search document of one item's content on a list, as the index holds it (also what the
/// search benchmark feeds a province-sized index).
pub fn item_document(
    content: &ItemContent,
    item: String,
    list: String,
    unit_name: String,
    towns: Vec<String>,
) -> ItemDoc {
    ItemDoc {
        item,
        list,
        name: content.display_name(),
        unit: content.holder.to_string(),
        unit_name,
        category: category_name(content),
        towns,
        guide: guide_text(content),
    }
}

/// The category as the API names it (`licensing`, …).
fn category_name(content: &ItemContent) -> String {
    serde_json::to_value(content.category)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The service guide's text a search reads: conditions, materials, fees, place, channels,
/// the handling office, the legal basis and the responsibilities.
fn guide_text(content: &ItemContent) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(label) = &content.category_label {
        parts.push(label.clone());
    }
    parts.push(content.category.zh().to_owned());
    if let Some(office) = &content.handling_office {
        parts.push(office.clone());
    }
    if let Some(s) = &content.service {
        parts.extend(s.conditions.clone());
        parts.extend(s.materials.iter().map(|m| m.name.clone()));
        parts.extend(s.fee.clone());
        parts.extend(s.place.clone());
        parts.extend(s.channels.iter().cloned());
    }
    parts.extend(content.legal_basis.iter().map(ToString::to_string));
    parts.extend(content.responsibilities.iter().map(|r| format!("{}：{}", r.stage, r.content)));
    parts.join("\n")
}

impl From<quanze_search::Hit> for SearchHit {
    fn from(h: quanze_search::Hit) -> SearchHit {
        SearchHit {
            item: h.item,
            list: h.list,
            name: h.name,
            name_html: h.name_html,
            guide_html: h.guide_html,
            unit: h.unit,
            unit_name: h.unit_name,
            category_zh: serde_json::from_value::<quanze_core::PowerCategory>(
                serde_json::Value::String(h.category.clone()),
            )
            .map(|c| c.zh().to_owned())
            .unwrap_or_default(),
            category: h.category,
        }
    }
}

impl From<SearchError> for ServiceError {
    fn from(e: SearchError) -> ServiceError {
        if e.is_bad_query() {
            ServiceError::rejected(ErrorCode::InvalidInput, e.zh(), e.to_string())
        } else {
            ServiceError::Internal(e.to_string())
        }
    }
}
