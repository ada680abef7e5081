//! Lists (权责清单): lists, their versions with entries and template overrides, the item
//! versions entries pin, and the snapshot the service's in-memory catalogue is built from.
//!
//! Invariants: item versions are immutable (saving the same item version again must give the
//! same content); a published or superseded list version is immutable, only drafts are
//! replaced or discarded; within a list, version numbers are unique and publication dates
//! increase, and publishing a version supersedes the one in force (its `effective_until` is the
//! new version's date). A list with a unit scope names an existing unit. Writing drafts and
//! publishing them is [`drafts`]; a change set's publication runs the same steps for many
//! lists in one transaction ([`crate::governance`]).

mod drafts;

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use chrono::NaiveDate;
use quanze_core::{
    DocNo, ItemId, ListEntry, ListId, ListScope, ListVersion, ListVersionId, PowerItem, PowerList,
    Region, Unit,
};

use crate::batch::select_in;
use crate::open::SqlStore;
use crate::registry::{SELECT_REGIONS, SELECT_UNITS, sort_units};
use crate::rows::{
    EntryRow, ItemVersionRow, ListRow, OverrideRow, RegionRow, UnitRow, VersionRow, documents,
    scope_columns,
};
use crate::tx::violation;
use crate::{NewEvent, Receipt, StoreError};

/// A draft version to write: the version (status Draft, with all its entries and overrides)
/// and the item content versions it introduces (new items or new content of existing ones).
#[derive(Debug, Clone)]
pub struct DraftWrite {
    /// The draft. If a draft with this id exists it is replaced whole; otherwise it is created.
    pub version: ListVersion,
    /// New item versions referenced by the draft. An item id not yet stored is created.
    pub new_items: Vec<PowerItem>,
}

/// Everything the in-memory catalogue needs, loaded at start and after each publication.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// All regions.
    pub regions: Vec<Region>,
    /// All units.
    pub units: Vec<Unit>,
    /// All lists.
    pub lists: Vec<PowerList>,
    /// All versions of all lists, with entries and overrides.
    pub versions: Vec<ListVersion>,
    /// Every item version referenced by any list version (and the latest of every item).
    pub items: Vec<PowerItem>,
    /// Devolution grants, oldest first.
    pub grants: Vec<quanze_core::Grant>,
    /// Readiness records of towns for grants.
    pub readiness: Vec<quanze_core::Readiness>,
    /// Reclaims.
    pub reclaims: Vec<quanze_core::GrantReclaim>,
    /// The establishment (机构编制); empty until one is recorded.
    pub establishment: quanze_core::Establishment,
}

/// Stores lists, their versions and item versions. Each write is one transaction writing
/// state and one event.
#[async_trait]
pub trait ListStore: Send + Sync {
    /// Creates a list; a unit scope must name an existing unit.
    async fn create_list(&self, list: &PowerList, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// All lists.
    async fn lists(&self) -> Result<Vec<PowerList>, StoreError>;
    /// One list.
    async fn list(&self, id: ListId) -> Result<PowerList, StoreError>;

    /// Writes a draft version and its new item versions. `Conflict` if the version id exists
    /// and is not a draft, or the version number is taken by another version; `NotFound` if the
    /// list, or an entry's item version, or a referenced unit does not exist.
    async fn save_draft(&self, draft: &DraftWrite, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// Publishes a draft: status Published, effective date and document number set; the
    /// version in force before it (if any, and effective earlier) becomes Superseded with
    /// `effective_until = effective`. `Conflict` if the version is not a draft or a published
    /// version of the list already takes effect on or after `effective`.
    async fn publish(
        &self,
        version: ListVersionId,
        effective: NaiveDate,
        doc_no: &DocNo,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Deletes a draft version (never a published one).
    async fn discard_draft(
        &self,
        version: ListVersionId,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// The versions of a list, oldest first, with entries and overrides.
    async fn versions(&self, list: ListId) -> Result<Vec<ListVersion>, StoreError>;
    /// One version with entries and overrides.
    async fn version(&self, id: ListVersionId) -> Result<ListVersion, StoreError>;
    /// Item versions by (id, number); missing ones are left out.
    async fn items(&self, keys: &[(ItemId, u32)]) -> Result<Vec<PowerItem>, StoreError>;
    /// Every version of one item, oldest first.
    async fn item_history(&self, id: ItemId) -> Result<Vec<PowerItem>, StoreError>;

    /// Everything the in-memory catalogue needs.
    async fn snapshot(&self) -> Result<Snapshot, StoreError>;
}

/// Whether a list exists (also checked before a draft is written).
pub(super) const SELECT_LIST_ID: &str = "SELECT id FROM lists WHERE id = $1";
/// The stored versions of some items (also compared with a draft's new item versions).
pub(super) const SELECT_ITEM_VERSIONS_IN: &str =
    "SELECT item_id, number, content FROM item_versions WHERE item_id IN ";
/// Every list (also read by the snapshot).
const SELECT_LISTS: &str = "SELECT id, name, scope_kind, scope_unit, scope_county FROM lists";

#[async_trait]
impl ListStore for SqlStore {
    async fn create_list(&self, list: &PowerList, ev: NewEvent) -> Result<Receipt, StoreError> {
        const INSERT_LIST: &str = "INSERT INTO lists (id, name, scope_kind, scope_unit, scope_county) VALUES ($1, $2, $3, $4, $5)";
        let mut w = self.begin_write().await?;
        let res = async {
            let conn = w.conn();
            if let ListScope::Unit { unit } = &list.scope {
                self.require_units(conn, &BTreeSet::from([*unit])).await?;
            }
            let (kind, unit, county) = scope_columns(&list.scope);
            sqlx::query(INSERT_LIST)
                .bind(list.id.to_string())
                .bind(list.name.as_str())
                .bind(kind)
                .bind(unit)
                .bind(county)
                .execute(conn)
                .await
                .map_err(|e| {
                    violation(e, &format!("list {} exists", list.id), "the list's unit")
                })?;
            Ok(())
        }
        .await;
        w.finish(res, ev).await
    }

    async fn lists(&self) -> Result<Vec<PowerList>, StoreError> {
        let rows: Vec<ListRow> = sqlx::query_as(SELECT_LISTS).fetch_all(&self.pool).await?;
        let mut lists = rows.into_iter().map(PowerList::try_from).collect::<Result<Vec<_>, _>>()?;
        // Sorted here for the same reason as units.
        lists.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(lists)
    }

    async fn list(&self, id: ListId) -> Result<PowerList, StoreError> {
        const SELECT_LIST: &str =
            "SELECT id, name, scope_kind, scope_unit, scope_county FROM lists WHERE id = $1";
        let row: Option<ListRow> =
            sqlx::query_as(SELECT_LIST).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.ok_or_else(|| StoreError::NotFound(format!("list {id}")))?.try_into()
    }

    async fn save_draft(&self, draft: &DraftWrite, ev: NewEvent) -> Result<Receipt, StoreError> {
        let mut w = self.begin_large_write().await?;
        let res = self.save_draft_in(w.conn(), draft, ev.at).await;
        w.finish(res, ev).await
    }

    async fn publish(
        &self,
        version: ListVersionId,
        effective: NaiveDate,
        doc_no: &DocNo,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_large_write().await?;
        let res = self.publish_in(w.conn(), version, effective, doc_no).await;
        w.finish(res, ev).await
    }

    async fn discard_draft(
        &self,
        version: ListVersionId,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = self.discard_in(w.conn(), version).await;
        w.finish(res, ev).await
    }

    async fn versions(&self, list: ListId) -> Result<Vec<ListVersion>, StoreError> {
        const SELECT_VERSIONS_OF_LIST: &str = "SELECT id, list_id, number, status, effective_from, effective_until, \
             doc_no FROM list_versions WHERE list_id = $1 ORDER BY number";
        const SELECT_ENTRIES_OF_LIST: &str = "SELECT e.version_id, e.item_id, e.item_version, e.duty_kind, \
             e.counterpart FROM list_entries e JOIN list_versions v ON v.id = e.version_id WHERE v.list_id = $1 \
             ORDER BY e.version_id, e.position";
        const SELECT_OVERRIDES_OF_LIST: &str = "SELECT o.version_id, o.position, o.target_kind, o.target_tag, \
             o.target_unit, o.change_kind, o.item_id, o.item_version, o.duty_kind, o.counterpart, o.reason \
             FROM list_overrides o JOIN list_versions v ON v.id = o.version_id WHERE v.list_id = $1 \
             ORDER BY o.version_id, o.position";
        let mut tx = self.begin_read().await?;
        let id = list.to_string();
        let found: Option<(String,)> =
            sqlx::query_as(SELECT_LIST_ID).bind(id.as_str()).fetch_optional(&mut *tx).await?;
        if found.is_none() {
            return Err(StoreError::NotFound(format!("list {id}")));
        }
        let rows: Vec<VersionRow> =
            sqlx::query_as(SELECT_VERSIONS_OF_LIST).bind(id.as_str()).fetch_all(&mut *tx).await?;
        let entries: Vec<EntryRow> =
            sqlx::query_as(SELECT_ENTRIES_OF_LIST).bind(id.as_str()).fetch_all(&mut *tx).await?;
        let overrides: Vec<OverrideRow> =
            sqlx::query_as(SELECT_OVERRIDES_OF_LIST).bind(id.as_str()).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        SqlStore::assemble(rows, entries, overrides)
    }

    async fn version(&self, id: ListVersionId) -> Result<ListVersion, StoreError> {
        const SELECT_VERSION: &str = "SELECT id, list_id, number, status, effective_from, effective_until, doc_no \
             FROM list_versions WHERE id = $1";
        const SELECT_ENTRIES_OF_VERSION: &str = "SELECT version_id, item_id, item_version, duty_kind, counterpart \
             FROM list_entries WHERE version_id = $1 ORDER BY position";
        const SELECT_OVERRIDES_OF_VERSION: &str = "SELECT version_id, position, target_kind, target_tag, target_unit, \
             change_kind, item_id, item_version, duty_kind, counterpart, reason FROM list_overrides \
             WHERE version_id = $1 ORDER BY position";
        let mut tx = self.begin_read().await?;
        let key = id.to_string();
        let row: Option<VersionRow> =
            sqlx::query_as(SELECT_VERSION).bind(key.as_str()).fetch_optional(&mut *tx).await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(format!("list version {id}")));
        };
        let entries: Vec<EntryRow> = sqlx::query_as(SELECT_ENTRIES_OF_VERSION)
            .bind(key.as_str())
            .fetch_all(&mut *tx)
            .await?;
        let overrides: Vec<OverrideRow> = sqlx::query_as(SELECT_OVERRIDES_OF_VERSION)
            .bind(key.as_str())
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut versions = SqlStore::assemble(vec![row], entries, overrides)?;
        versions.pop().ok_or_else(|| StoreError::NotFound(format!("list version {id}")))
    }

    async fn items(&self, keys: &[(ItemId, u32)]) -> Result<Vec<PowerItem>, StoreError> {
        let ids: Vec<String> = keys
            .iter()
            .map(|(id, _)| *id)
            .collect::<BTreeSet<_>>()
            .iter()
            .map(|id| id.to_string())
            .collect();
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<ItemVersionRow> =
            select_in(&mut conn, self.backend, SELECT_ITEM_VERSIONS_IN, "", &ids).await?;
        let mut found: HashMap<(ItemId, u32), PowerItem> = HashMap::new();
        for row in rows {
            let item = PowerItem::try_from(row)?;
            found.insert((item.id, item.version), item);
        }
        // In the order asked, each once.
        Ok(keys.iter().filter_map(|key| found.remove(key)).collect())
    }

    async fn item_history(&self, id: ItemId) -> Result<Vec<PowerItem>, StoreError> {
        const SELECT_ITEM_HISTORY: &str =
            "SELECT item_id, number, content FROM item_versions WHERE item_id = $1 ORDER BY number";
        let rows: Vec<ItemVersionRow> =
            sqlx::query_as(SELECT_ITEM_HISTORY).bind(id.to_string()).fetch_all(&self.pool).await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(format!("item {id}")));
        }
        rows.into_iter().map(PowerItem::try_from).collect()
    }

    async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        const SELECT_ALL_VERSIONS: &str = "SELECT id, list_id, number, status, effective_from, effective_until, \
             doc_no FROM list_versions ORDER BY list_id, number";
        const SELECT_ALL_ENTRIES: &str = "SELECT version_id, item_id, item_version, duty_kind, counterpart \
             FROM list_entries ORDER BY version_id, position";
        const SELECT_ALL_OVERRIDES: &str = "SELECT version_id, position, target_kind, target_tag, target_unit, \
             change_kind, item_id, item_version, duty_kind, counterpart, reason FROM list_overrides \
             ORDER BY version_id, position";
        // Item versions some list version pins, plus the latest version of every item. The indexes on
        // (item_id, item_version) of entries and overrides make each probe an index lookup.
        const SELECT_SNAPSHOT_ITEMS: &str = "SELECT iv.item_id, iv.number, iv.content FROM item_versions iv \
             WHERE EXISTS (SELECT 1 FROM list_entries e WHERE e.item_id = iv.item_id AND e.item_version = iv.number) \
             OR EXISTS (SELECT 1 FROM list_overrides o WHERE o.item_id = iv.item_id AND o.item_version = iv.number) \
             OR iv.number = (SELECT MAX(m.number) FROM item_versions m WHERE m.item_id = iv.item_id) \
             ORDER BY iv.item_id, iv.number";
        const SELECT_GRANTS: &str = "SELECT doc FROM grants ORDER BY id";
        const SELECT_READINESS: &str = "SELECT doc FROM readiness ORDER BY grant_id, town";
        const SELECT_RECLAIMS: &str = "SELECT doc FROM reclaims ORDER BY id";
        const SELECT_ESTABLISHMENT: &str = "SELECT doc FROM establishment WHERE id = 1";
        // Eleven queries in one consistent read, whatever the number of lists and versions.
        let mut tx = self.begin_read().await?;
        let regions: Vec<RegionRow> = sqlx::query_as(SELECT_REGIONS).fetch_all(&mut *tx).await?;
        let units: Vec<UnitRow> = sqlx::query_as(SELECT_UNITS).fetch_all(&mut *tx).await?;
        let lists: Vec<ListRow> = sqlx::query_as(SELECT_LISTS).fetch_all(&mut *tx).await?;
        let versions: Vec<VersionRow> =
            sqlx::query_as(SELECT_ALL_VERSIONS).fetch_all(&mut *tx).await?;
        let entries: Vec<EntryRow> = sqlx::query_as(SELECT_ALL_ENTRIES).fetch_all(&mut *tx).await?;
        let overrides: Vec<OverrideRow> =
            sqlx::query_as(SELECT_ALL_OVERRIDES).fetch_all(&mut *tx).await?;
        let items: Vec<ItemVersionRow> =
            sqlx::query_as(SELECT_SNAPSHOT_ITEMS).fetch_all(&mut *tx).await?;
        let grants: Vec<(String,)> = sqlx::query_as(SELECT_GRANTS).fetch_all(&mut *tx).await?;
        let readiness: Vec<(String,)> =
            sqlx::query_as(SELECT_READINESS).fetch_all(&mut *tx).await?;
        let sealer = self.sealer();
        let readiness = readiness
            .into_iter()
            .map(|(doc,)| {
                crate::reseal::open_stored(sealer.as_deref(), "a readiness document", &doc)
                    .map(|doc| (doc,))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let reclaims: Vec<(String,)> = sqlx::query_as(SELECT_RECLAIMS).fetch_all(&mut *tx).await?;
        let establishment: Vec<(String,)> =
            sqlx::query_as(SELECT_ESTABLISHMENT).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut units = units.into_iter().map(Unit::try_from).collect::<Result<Vec<_>, _>>()?;
        sort_units(&mut units);
        let mut lists =
            lists.into_iter().map(PowerList::try_from).collect::<Result<Vec<_>, _>>()?;
        lists.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(Snapshot {
            regions: regions.into_iter().map(Region::try_from).collect::<Result<_, _>>()?,
            units,
            lists,
            versions: SqlStore::assemble(versions, entries, overrides)?,
            items: items.into_iter().map(PowerItem::try_from).collect::<Result<_, _>>()?,
            grants: documents("grant", grants)?,
            readiness: documents("readiness", readiness)?,
            reclaims: documents("reclaim", reclaims)?,
            establishment: documents("establishment", establishment)?.pop().unwrap_or_default(),
        })
    }
}

impl SqlStore {
    /// Loads entries and overrides for `rows` and assembles the versions in `rows`' order.
    fn assemble(
        rows: Vec<VersionRow>,
        entries: Vec<EntryRow>,
        overrides: Vec<OverrideRow>,
    ) -> Result<Vec<ListVersion>, StoreError> {
        let mut versions =
            rows.into_iter().map(ListVersion::try_from).collect::<Result<Vec<_>, _>>()?;
        let index: HashMap<ListVersionId, usize> =
            versions.iter().enumerate().map(|(i, v)| (v.id, i)).collect();
        for row in entries {
            let (version, entry) = <(ListVersionId, ListEntry)>::try_from(row)?;
            if let Some(&i) = index.get(&version) {
                versions[i].entries.push(entry);
            }
        }
        for row in overrides {
            let (version, o) = <(ListVersionId, quanze_core::Override)>::try_from(row)?;
            if let Some(&i) = index.get(&version) {
                versions[i].overrides.push(o);
            }
        }
        Ok(versions)
    }
}
