//! Governance: change sets (调整方案), the proposals that change lists through a workflow of
//! opinion rounds, public comment, legal review, approval and publication.
//!
//! A change set is stored as two parts: a small workflow document (`change_sets.doc`: every
//! field but the changes) with a revision number, and its changes as rows of their own
//! (`change_set_changes`), which may be 100,000. A [`ChangeSetWrite`] says what a write stores:
//! the whole set when created, only the workflow state on a workflow step (the document stays
//! small however many items it touches), or the state and the changes on a revision while
//! drafting. Invariants: every write but a creation is refused unless the change set is still
//! at the revision the caller read (optimistic locking: a concurrent writer gets `Conflict`);
//! publication writes and publishes every list's new version and the change set in one
//! transaction, so a refusal leaves everything as it was. On a SQLite file one change set is
//! read through the store's own rusqlite connections ([`crate::direct`]), and its changes are
//! parsed on every core.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::{ChangeSet, ChangeSetId, DocNo, ListVersionId, UserId};
use rayon::prelude::*;
use sqlx::AnyConnection;

use crate::batch::insert_rows;
use crate::lists::DraftWrite;
use crate::open::SqlStore;
use crate::rows::{ChangeColumns, ChangeRow, document, instant_text};
use crate::tx::violation;
use crate::{Backend, NewEvent, Receipt, StoreError};

/// What a change-set write stores. The changes are rows of their own, written only when
/// they are drafted or revised: a workflow step rewrites the small workflow document, never
/// the (possibly 100,000) changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeSetWrite {
    /// A new change set, with its changes.
    Create,
    /// The workflow state only; the stored changes stay as they are.
    State {
        /// The revision the change set was read at.
        prev_rev: u64,
    },
    /// The workflow state and the changes (a revision while drafting).
    StateAndChanges {
        /// The revision the change set was read at.
        prev_rev: u64,
    },
}

/// A change set as stored, with its revision (one more on every write).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChangeSet {
    /// The change set.
    pub set: ChangeSet,
    /// Its revision: 1 when created.
    pub rev: u64,
}

/// Stores change sets. Each write is one transaction writing state and one event.
#[async_trait]
pub trait GovernanceStore: Send + Sync {
    /// Writes a change set: created with its changes (`Conflict` if the id exists), or its
    /// workflow state replaced — with its changes only when the write says so — while it is
    /// still at revision `prev_rev` (`Conflict` when someone else wrote it first, `NotFound`
    /// when there is none).
    async fn put_change_set(
        &self,
        set: &ChangeSet,
        write: ChangeSetWrite,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Every change set, newest first.
    async fn change_sets(&self) -> Result<Vec<StoredChangeSet>, StoreError>;
    /// One change set.
    async fn change_set(&self, id: ChangeSetId) -> Result<StoredChangeSet, StoreError>;
    /// 公布 — in one transaction: writes each draft with its new item versions, publishes it
    /// on `effective` under `doc_no` (superseding the version in force), and replaces the
    /// change set (still at `prev_rev`). Any refusal leaves everything as it was.
    async fn publish_change_set(
        &self,
        set: &ChangeSet,
        prev_rev: u64,
        drafts: &[DraftWrite],
        effective: NaiveDate,
        doc_no: &DocNo,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
}

/// One change set's workflow document and revision (also read by [`crate::direct`]).
pub(crate) const SELECT_CHANGE_SET: &str = "SELECT doc, rev FROM change_sets WHERE id = $1";
/// One change set's changes, in order (also read by [`crate::direct`]).
pub(crate) const SELECT_CHANGES_OF: &str = "SELECT position, list_id, item_id, action, base, duty_kind, \
     counterpart, reason, basis, content FROM change_set_changes WHERE set_id = $1 ORDER BY position";

#[async_trait]
impl GovernanceStore for SqlStore {
    async fn put_change_set(
        &self,
        set: &ChangeSet,
        write: ChangeSetWrite,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_large_write().await?;
        let res = write_change_set(w.conn(), self.backend, set, write, ev.at).await;
        w.finish(res, ev).await
    }

    async fn change_sets(&self) -> Result<Vec<StoredChangeSet>, StoreError> {
        const SELECT_CHANGE_SETS: &str = "SELECT doc, rev FROM change_sets ORDER BY id DESC";
        const SELECT_ALL_CHANGES: &str = "SELECT set_id, position, list_id, item_id, action, base, \
             duty_kind, counterpart, reason, basis, content FROM change_set_changes ORDER BY set_id, position";
        let mut tx = self.begin_read().await?;
        let rows: Vec<(String, i64)> =
            sqlx::query_as(SELECT_CHANGE_SETS).fetch_all(&mut *tx).await?;
        let changes: Vec<(String, ChangeRow)> = sqlx::query(SELECT_ALL_CHANGES)
            .try_map(|row: sqlx::any::AnyRow| {
                use sqlx::{FromRow as _, Row as _};
                Ok((row.try_get::<String, _>("set_id")?, ChangeRow::from_row(&row)?))
            })
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut by_set: HashMap<String, Vec<ChangeRow>> = HashMap::new();
        for (set, row) in changes {
            by_set.entry(set).or_default().push(row);
        }
        rows.into_iter()
            .map(|row| {
                let mut stored = change_set_of(row)?;
                let rows = by_set.remove(&stored.set.id.to_string()).unwrap_or_default();
                stored.set.changes = changes_of(stored.set.id, rows)?;
                Ok(stored)
            })
            .collect()
    }

    async fn change_set(&self, id: ChangeSetId) -> Result<StoredChangeSet, StoreError> {
        let key = id.to_string();
        let found = match &self.direct {
            Some(direct) => {
                let direct = Arc::clone(direct);
                tokio::task::spawn_blocking(move || direct.change_set(&key))
                    .await
                    .map_err(|e| StoreError::Direct(format!("reading change set {id}: {e}")))??
            }
            None => {
                let mut tx = self.begin_read().await?;
                let row: Option<(String, i64)> = sqlx::query_as(SELECT_CHANGE_SET)
                    .bind(key.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let changes: Vec<ChangeRow> = match row {
                    Some(_) => {
                        sqlx::query_as(SELECT_CHANGES_OF)
                            .bind(key.as_str())
                            .fetch_all(&mut *tx)
                            .await?
                    }
                    None => Vec::new(),
                };
                tx.commit().await?;
                row.map(|row| (row, changes))
            }
        };
        let Some((row, changes)) = found else {
            return Err(StoreError::NotFound(format!("change set {id}")));
        };
        let mut stored = change_set_of(row)?;
        // Parsing 100,000 contents takes seconds of CPU: off the async workers.
        stored.set.changes =
            tokio::task::spawn_blocking(move || changes_of(id, changes))
                .await
                .map_err(|e| StoreError::Direct(format!("parsing change set {id}: {e}")))??;
        Ok(stored)
    }

    async fn publish_change_set(
        &self,
        set: &ChangeSet,
        prev_rev: u64,
        drafts: &[DraftWrite],
        effective: NaiveDate,
        doc_no: &DocNo,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_large_write().await?;
        let res = async {
            for draft in drafts {
                self.save_draft_in(w.conn(), draft, ev.at).await?;
                self.publish_in(w.conn(), draft.version.id, effective, doc_no).await?;
            }
            let write = ChangeSetWrite::State { prev_rev };
            write_change_set(w.conn(), self.backend, set, write, ev.at).await
        }
        .await;
        w.finish(res, ev).await
    }
}

/// Writes a change set (see [`GovernanceStore::put_change_set`]): its workflow document, and its
/// changes as rows when the write says so.
async fn write_change_set(
    conn: &mut AnyConnection,
    backend: Backend,
    set: &ChangeSet,
    write: ChangeSetWrite,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    const INSERT_CHANGE_SET: &str = "INSERT INTO change_sets (id, title, stage, rev, doc, updated_at) \
         VALUES ($1, $2, $3, 1, $4, $5)";
    const UPDATE_CHANGE_SET: &str = "UPDATE change_sets SET title = $2, stage = $3, rev = rev + 1, \
         doc = $4, updated_at = $5 WHERE id = $1 AND rev = $6";
    const SELECT_CHANGE_SET_REV: &str = "SELECT rev FROM change_sets WHERE id = $1";
    const INSERT_CHANGES: &str = "INSERT INTO change_set_changes (set_id, position, list_id, item_id, \
         action, base, duty_kind, counterpart, reason, basis, content) VALUES ";
    const DELETE_CHANGES: &str = "DELETE FROM change_set_changes WHERE set_id = $1";
    let id = set.id.to_string();
    let doc = document(&StateDocument::of(set))?;
    let stage = serde_json::to_value(set.flow.stage)
        .ok()
        .and_then(|v| v.get("state").and_then(|s| s.as_str()).map(str::to_owned))
        .unwrap_or_default();
    let (prev_rev, with_changes) = match write {
        ChangeSetWrite::Create => (None, true),
        ChangeSetWrite::State { prev_rev } => (Some(prev_rev), false),
        ChangeSetWrite::StateAndChanges { prev_rev } => (Some(prev_rev), true),
    };
    match prev_rev {
        None => {
            sqlx::query(INSERT_CHANGE_SET)
                .bind(id.as_str())
                .bind(set.title.as_str())
                .bind(stage)
                .bind(doc)
                .bind(instant_text(at))
                .execute(&mut *conn)
                .await
                .map_err(|e| violation(e, &format!("change set {id} exists"), "change set"))?;
        }
        Some(rev) => {
            let rev_i = i64::try_from(rev)
                .map_err(|_| StoreError::Conflict(format!("change set {id}: no revision {rev}")))?;
            let done = sqlx::query(UPDATE_CHANGE_SET)
                .bind(id.as_str())
                .bind(set.title.as_str())
                .bind(stage)
                .bind(doc)
                .bind(instant_text(at))
                .bind(rev_i)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if done == 0 {
                let now: Option<i64> = sqlx::query_scalar(SELECT_CHANGE_SET_REV)
                    .bind(id.as_str())
                    .fetch_optional(conn)
                    .await?;
                return Err(match now {
                    None => StoreError::NotFound(format!("change set {id}")),
                    Some(now) => StoreError::Conflict(format!(
                        "change set {id} is at revision {now}, not {rev}: it was changed meanwhile"
                    )),
                });
            }
            if with_changes {
                sqlx::query(DELETE_CHANGES).bind(id.as_str()).execute(&mut *conn).await?;
            }
        }
    }
    if with_changes {
        let rows: Vec<ChangeColumns<'_>> = set
            .changes
            .par_iter()
            .enumerate()
            .map(|(i, c)| ChangeColumns::of(i, c))
            .collect::<Result<_, _>>()?;
        insert_rows(conn, backend, INSERT_CHANGES, "", 11, &rows, |row, c| {
            row.bind(id.as_str())
                .bind(c.position)
                .bind(c.list_id.as_str())
                .bind(c.item_id.as_str())
                .bind(c.action)
                .bind(c.base)
                .bind(c.duty_kind)
                .bind(c.counterpart.as_deref())
                .bind(c.reason)
                .bind(c.basis)
                .bind(c.content.as_deref());
        })
        .await?;
    }
    Ok(())
}

/// A change set's workflow document: everything but its changes, which are stored as rows
/// (`change_set_changes`). Borrows the set, so a step that writes the document never copies
/// the changes; the field names are [`ChangeSet`]'s, and the changes are written as `[]`, so
/// the document reads back as a `ChangeSet` whose changes are then filled from the rows.
#[derive(serde::Serialize)]
struct StateDocument<'a> {
    id: ChangeSetId,
    title: &'a str,
    effective_on: NaiveDate,
    changes: [(); 0],
    flow: &'a quanze_core::workflow::Flow,
    rounds: &'a [quanze_core::OpinionRound],
    comments: &'a Option<quanze_core::opinion::CommentPeriod>,
    review: &'a Option<quanze_core::review::LegalReview>,
    published: &'a [ListVersionId],
    #[serde(skip_serializing_if = "Option::is_none")]
    ratification: &'a Option<quanze_core::schedule::Ratification>,
    created_by: UserId,
    created_at: DateTime<Utc>,
}

impl<'a> StateDocument<'a> {
    fn of(set: &'a ChangeSet) -> StateDocument<'a> {
        // Destructured, so a field added to `ChangeSet` fails to compile here until the
        // document stores it too.
        let ChangeSet {
            id,
            title,
            effective_on,
            changes: _,
            flow,
            rounds,
            comments,
            review,
            published,
            ratification,
            created_by,
            created_at,
        } = set;
        StateDocument {
            id: *id,
            title,
            effective_on: *effective_on,
            changes: [],
            flow,
            rounds,
            comments,
            review,
            published,
            ratification,
            created_by: *created_by,
            created_at: *created_at,
        }
    }
}

fn change_set_of((doc, rev): (String, i64)) -> Result<StoredChangeSet, StoreError> {
    let set: ChangeSet = serde_json::from_str(&doc)
        .map_err(|e| StoreError::Corrupt(format!("change set document: {e}")))?;
    let rev = u64::try_from(rev)
        .map_err(|_| StoreError::Corrupt(format!("change set {}: revision {rev}", set.id)))?;
    Ok(StoredChangeSet { set, rev })
}

/// A change set's change rows back as proposed changes, in order. Parsing 100,000 item
/// contents is most of reading a large change set, so it runs on every core.
fn changes_of(
    id: ChangeSetId,
    rows: Vec<ChangeRow>,
) -> Result<Vec<quanze_core::ProposedChange>, StoreError> {
    if let Some((i, row)) = rows.iter().enumerate().find(|(i, row)| row.position != *i as i64) {
        return Err(StoreError::Corrupt(format!(
            "change set {id}: change {i} is missing (found position {})",
            row.position
        )));
    }
    let set = id.to_string();
    rows.into_par_iter().map(|row| row.into_change(&set)).collect()
}
