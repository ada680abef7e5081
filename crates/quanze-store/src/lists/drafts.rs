//! Writing drafts, publishing and discarding them: the steps of [`super::ListStore`]'s writes,
//! run on a transaction's connection so that a change set's publication can run them for many
//! lists in one transaction.
//!
//! A draft is written as a few multi-row statements whatever its size ([`crate::batch`]); its
//! new item versions' contents are serialised on every core. References are checked up front,
//! so that a missing unit or item version is named precisely.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::{
    DocNo, ItemId, ListEntry, ListVersionId, OverrideChange, OverrideTarget, PowerItem, UnitId,
    VersionStatus,
};
use rayon::prelude::*;
use sqlx::AnyConnection;

use super::{SELECT_ITEM_VERSIONS_IN, SELECT_LIST_ID};
use crate::StoreError;
use crate::batch::{insert_rows, select_in};
use crate::lists::DraftWrite;
use crate::open::SqlStore;
use crate::rows::{ItemVersionRow, OverrideColumns, date_text, instant_text, status_code};
use crate::tx::violation;

/// A version's list and status.
const SELECT_VERSION_STATE: &str = "SELECT list_id, status FROM list_versions WHERE id = $1";

impl SqlStore {
    pub(crate) async fn save_draft_in(
        &self,
        conn: &mut AnyConnection,
        draft: &DraftWrite,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const UPDATE_DRAFT_NUMBER: &str = "UPDATE list_versions SET number = $2 WHERE id = $1";
        const DELETE_ENTRIES: &str = "DELETE FROM list_entries WHERE version_id = $1";
        const DELETE_OVERRIDES: &str = "DELETE FROM list_overrides WHERE version_id = $1";
        const INSERT_DRAFT: &str =
            "INSERT INTO list_versions (id, list_id, number, status) VALUES ($1, $2, $3, $4)";
        const SELECT_ITEM_VERSION_KEYS: &str =
            "SELECT item_id, number FROM item_versions WHERE item_id IN ";
        const SELECT_ITEM_IDS: &str = "SELECT id FROM items WHERE id IN ";
        const INSERT_ITEMS: &str = "INSERT INTO items (id, created_at) VALUES ";
        const ON_CONFLICT_ITEMS: &str = " ON CONFLICT (id) DO NOTHING";
        const INSERT_ITEM_VERSIONS: &str =
            "INSERT INTO item_versions (item_id, number, name, category, holder, content) VALUES ";
        const ON_CONFLICT_ITEM_VERSIONS: &str = " ON CONFLICT (item_id, number) DO NOTHING";
        const INSERT_ENTRIES: &str = "INSERT INTO list_entries (version_id, position, item_id, item_version, duty_kind, counterpart) VALUES ";
        const INSERT_OVERRIDES: &str = "INSERT INTO list_overrides (version_id, position, target_kind, target_tag, \
             target_unit, change_kind, item_id, item_version, duty_kind, counterpart, reason) VALUES ";
        let version = &draft.version;
        let version_id = version.id.to_string();
        if version.status != VersionStatus::Draft {
            return Err(StoreError::Conflict(format!(
                "version {version_id} has status {}; only drafts can be saved",
                status_code(version.status)
            )));
        }

        // Create the version row, or empty the existing draft for its new content.
        let existing: Option<(String, String)> = sqlx::query_as(SELECT_VERSION_STATE)
            .bind(version_id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        let taken =
            || format!("list {} already has a version number {}", version.list, version.number);
        match existing {
            Some((_, status)) if status != status_code(VersionStatus::Draft) => {
                return Err(StoreError::Conflict(format!(
                    "version {version_id} is {status}; published versions are immutable"
                )));
            }
            Some((list_id, _)) if list_id != version.list.to_string() => {
                return Err(StoreError::Conflict(format!(
                    "draft {version_id} belongs to list {list_id}, not {}",
                    version.list
                )));
            }
            Some(_) => {
                sqlx::query(UPDATE_DRAFT_NUMBER)
                    .bind(version_id.as_str())
                    .bind(i64::from(version.number))
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| violation(e, &taken(), "draft"))?;
                sqlx::query(DELETE_ENTRIES).bind(version_id.as_str()).execute(&mut *conn).await?;
                sqlx::query(DELETE_OVERRIDES).bind(version_id.as_str()).execute(&mut *conn).await?;
            }
            None => {
                let list: Option<(String,)> = sqlx::query_as(SELECT_LIST_ID)
                    .bind(version.list.to_string())
                    .fetch_optional(&mut *conn)
                    .await?;
                if list.is_none() {
                    return Err(StoreError::NotFound(format!("list {}", version.list)));
                }
                sqlx::query(INSERT_DRAFT)
                    .bind(version_id.as_str())
                    .bind(version.list.to_string())
                    .bind(i64::from(version.number))
                    .bind(status_code(VersionStatus::Draft))
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| violation(e, &taken(), &format!("list {}", version.list)))?;
            }
        }

        // The new item versions, each once; the same key twice must carry the same content.
        let mut new_items: BTreeMap<(ItemId, u32), &PowerItem> = BTreeMap::new();
        for item in &draft.new_items {
            if let Some(other) = new_items.insert((item.id, item.version), item)
                && other.content != item.content
            {
                return Err(StoreError::Conflict(format!(
                    "item {} version {} is given twice with different content",
                    item.id, item.version
                )));
            }
        }
        let new_ids: BTreeSet<ItemId> = new_items.keys().map(|(id, _)| *id).collect();

        // Check references up front, so that a missing one is named precisely (SQLite's
        // foreign-key error does not say which key failed). The schema's foreign keys remain
        // the backstop. Item versions introduced by this draft need no lookup.
        let mut units: BTreeSet<UnitId> = BTreeSet::new();
        let mut old_versions: BTreeSet<(ItemId, u32)> = BTreeSet::new();
        let mut old_items: BTreeSet<ItemId> = BTreeSet::new();
        for item in new_items.values() {
            units.insert(item.content.holder);
            units.extend(item.content.cooperation.iter().map(|c| c.unit));
        }
        let mut refer = |entry: &ListEntry, units: &mut BTreeSet<UnitId>| {
            units.extend(entry.duty.counterpart());
            if !new_items.contains_key(&(entry.item, entry.item_version)) {
                old_versions.insert((entry.item, entry.item_version));
            }
        };
        for entry in &version.entries {
            refer(entry, &mut units);
        }
        for o in &version.overrides {
            if let OverrideTarget::Town { unit } = &o.target {
                units.insert(*unit);
            }
            match &o.change {
                OverrideChange::Add { entry } => refer(entry, &mut units),
                OverrideChange::Remove { item } => {
                    if !new_ids.contains(item) {
                        old_items.insert(*item);
                    }
                }
            }
        }
        self.require_units(conn, &units).await?;
        if !old_versions.is_empty() {
            let ids: Vec<String> = old_versions
                .iter()
                .map(|(id, _)| *id)
                .collect::<BTreeSet<_>>()
                .iter()
                .map(|id| id.to_string())
                .collect();
            let found: Vec<(String, i64)> =
                select_in(conn, self.backend, SELECT_ITEM_VERSION_KEYS, "", &ids).await?;
            let found: HashSet<(String, i64)> = found.into_iter().collect();
            if let Some((id, n)) = old_versions
                .iter()
                .find(|(id, n)| !found.contains(&(id.to_string(), i64::from(*n))))
            {
                return Err(StoreError::NotFound(format!("item {id} version {n}")));
            }
        }
        if !old_items.is_empty() {
            let ids: Vec<String> = old_items.iter().map(|id| id.to_string()).collect();
            let found: Vec<(String,)> =
                select_in(conn, self.backend, SELECT_ITEM_IDS, "", &ids).await?;
            let found: HashSet<String> = found.into_iter().map(|(id,)| id).collect();
            if let Some(id) = old_items.iter().find(|id| !found.contains(&id.to_string())) {
                return Err(StoreError::NotFound(format!("item {id}")));
            }
        }

        // Items and their new versions. Item versions are immutable: one that is already
        // stored (a draft saved again) is skipped, and then must be identical.
        let created_at = instant_text(at);
        insert_rows(conn, self.backend, INSERT_ITEMS, ON_CONFLICT_ITEMS, 2, &new_ids, |row, id| {
            row.bind(id.to_string()).bind(created_at.as_str());
        })
        .await?;
        // Serialised on every core: 100,000 contents take a second on one.
        let items: Vec<&PowerItem> = new_items.values().copied().collect();
        let contents: Vec<(&PowerItem, String)> = items
            .par_iter()
            .map(|item| serde_json::to_string(&item.content).map(|json| (*item, json)))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("item content does not serialise: {e}")))?;
        let inserted = insert_rows(
            conn,
            self.backend,
            INSERT_ITEM_VERSIONS,
            ON_CONFLICT_ITEM_VERSIONS,
            6,
            &contents,
            |row, (item, json)| {
                row.bind(item.id.to_string())
                    .bind(i64::from(item.version))
                    .bind(item.content.name.as_str())
                    .bind(item.content.category.code())
                    .bind(item.content.holder.to_string())
                    .bind(json.as_str());
            },
        )
        .await
        .map_err(|e| violation(e, "item version exists", "an item's holder unit"))?;
        if inserted < contents.len() as u64 {
            self.require_same_item_versions(conn, &new_items, &new_ids).await?;
        }

        let twice = format!("version {version_id} lists an item more than once");
        insert_rows(
            conn,
            self.backend,
            INSERT_ENTRIES,
            "",
            6,
            version.entries.iter().enumerate(),
            |row, (i, e)| {
                row.bind(version_id.as_str())
                    .bind(i as i64)
                    .bind(e.item.to_string())
                    .bind(i64::from(e.item_version))
                    .bind(e.duty.code())
                    .bind(e.duty.counterpart().map(|u| u.to_string()));
            },
        )
        .await
        .map_err(|e| violation(e, &twice, "an entry's item version or counterpart unit"))?;

        let overrides: Vec<(i64, OverrideColumns, &str)> = version
            .overrides
            .iter()
            .enumerate()
            .map(|(i, o)| (i as i64, OverrideColumns::from(o), o.reason.as_str()))
            .collect();
        insert_rows(
            conn,
            self.backend,
            INSERT_OVERRIDES,
            "",
            11,
            overrides,
            |row, (i, c, reason)| {
                row.bind(version_id.as_str())
                    .bind(i)
                    .bind(c.target_kind)
                    .bind(c.target_tag)
                    .bind(c.target_unit)
                    .bind(c.change_kind)
                    .bind(c.item_id)
                    .bind(c.item_version)
                    .bind(c.duty_kind)
                    .bind(c.counterpart)
                    .bind(reason);
            },
        )
        .await
        .map_err(|e| {
            violation(e, "override position taken", "an override's item, unit or item version")
        })?;
        Ok(())
    }

    /// After some new item versions were found already stored: each must equal what is stored.
    async fn require_same_item_versions(
        &self,
        conn: &mut AnyConnection,
        new_items: &BTreeMap<(ItemId, u32), &PowerItem>,
        new_ids: &BTreeSet<ItemId>,
    ) -> Result<(), StoreError> {
        let ids: Vec<String> = new_ids.iter().map(|id| id.to_string()).collect();
        let stored: Vec<ItemVersionRow> =
            select_in(conn, self.backend, SELECT_ITEM_VERSIONS_IN, "", &ids).await?;
        for row in stored {
            let stored = PowerItem::try_from(row)?;
            if let Some(given) = new_items.get(&(stored.id, stored.version))
                && given.content != stored.content
            {
                return Err(StoreError::Conflict(format!(
                    "item {} version {} is already stored with different content; item versions are \
                     immutable, store the change as a new version",
                    stored.id, stored.version
                )));
            }
        }
        Ok(())
    }

    pub(crate) async fn publish_in(
        &self,
        conn: &mut AnyConnection,
        version: ListVersionId,
        effective: NaiveDate,
        doc_no: &DocNo,
    ) -> Result<(), StoreError> {
        const SELECT_LATEST_EFFECTIVE: &str = "SELECT MAX(effective_from) FROM list_versions WHERE list_id = $1 AND status <> 'draft'";
        const SUPERSEDE: &str = "UPDATE list_versions SET status = 'superseded', effective_until = $2 \
             WHERE list_id = $1 AND status = 'published'";
        const PUBLISH: &str = "UPDATE list_versions SET status = 'published', effective_from = $2, doc_no = $3 WHERE id = $1";
        let id = version.to_string();
        let state: Option<(String, String)> = sqlx::query_as(SELECT_VERSION_STATE)
            .bind(id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        let Some((list_id, status)) = state else {
            return Err(StoreError::NotFound(format!("list version {id}")));
        };
        if status != status_code(VersionStatus::Draft) {
            return Err(StoreError::Conflict(format!("version {id} is {status}, not a draft")));
        }
        let effective = date_text(effective);
        let latest: Option<String> = sqlx::query_scalar(SELECT_LATEST_EFFECTIVE)
            .bind(list_id.as_str())
            .fetch_one(&mut *conn)
            .await?;
        // Dates are stored as YYYY-MM-DD, so text order is date order.
        if let Some(latest) = latest
            && latest >= effective
        {
            return Err(StoreError::Conflict(format!(
                "list {list_id} already has a version taking effect on {latest}, not before {effective}"
            )));
        }
        sqlx::query(SUPERSEDE)
            .bind(list_id.as_str())
            .bind(effective.as_str())
            .execute(&mut *conn)
            .await?;
        sqlx::query(PUBLISH)
            .bind(id.as_str())
            .bind(effective.as_str())
            .bind(doc_no.as_str())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    pub(super) async fn discard_in(
        &self,
        conn: &mut AnyConnection,
        version: ListVersionId,
    ) -> Result<(), StoreError> {
        const DELETE_VERSION: &str = "DELETE FROM list_versions WHERE id = $1";
        let id = version.to_string();
        let state: Option<(String, String)> = sqlx::query_as(SELECT_VERSION_STATE)
            .bind(id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        match state {
            None => Err(StoreError::NotFound(format!("list version {id}"))),
            Some((_, status)) if status != status_code(VersionStatus::Draft) => {
                Err(StoreError::Conflict(format!(
                    "version {id} is {status}; only drafts can be discarded"
                )))
            }
            Some(_) => {
                // Entries and overrides go with it (ON DELETE CASCADE). Item versions it
                // introduced stay: they are history, and cheap.
                sqlx::query(DELETE_VERSION).bind(id.as_str()).execute(conn).await?;
                Ok(())
            }
        }
    }
}
