//! The ledger (账本): the events every write records, as the leaves of an RFC 9162 Merkle
//! tree over SM3 (default) or SHA-256, with its stored tree, signed checkpoints, witness
//! cosignatures and the erasable personal data behind event commitments.
//!
//! Invariants: event `seq` is leaf `seq - 1`, and sequence numbers have no gaps (each write
//! appends its event under the write lock, [`crate::tx`]); the `event_head` row holds the last
//! number and the tree's frontier, so the root at every size is fixed at commit. The interior
//! nodes are completed later by the integrator ([`integrate`]), which refuses to store anything
//! when the leaves do not give the head's root; proofs read them from tiles, memory and node
//! rows ([`tiles`]). Checkpoints are not events (recording one as a leaf would change the tree
//! it signs); every checkpoint is kept. Erasing personal data removes only the data: the
//! commitment stays in the event and its leaf, so proofs stay valid.

mod integrate;
mod tiles;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use quanze_core::Event;
use quanze_ledger::{CompactRange, Hash, HashAlg, NodeId};

pub(crate) use tiles::{EdgeNodes, UpperNodes};

use crate::open::SqlStore;
use crate::rows::{EventRow, instant_text};
use crate::tx::violation;
use crate::{NewEvent, Receipt, StoreError};

/// The ledger's current state as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerHead {
    /// The hash algorithm chosen when the ledger was created.
    pub alg: HashAlg,
    /// Number of leaves.
    pub size: u64,
    /// Root of the tree of `size` leaves.
    pub root: Hash,
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Tree size it commits to.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
    /// The whole signed note (C2SP tlog-checkpoint), as served.
    pub note: String,
    /// When it was signed.
    pub created_at: DateTime<Utc>,
}

/// Stores and reads the ledger: events, the stored tree, checkpoints, cosignatures and
/// personal data.
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// Events with `seq > after`, in order, at most `limit`.
    async fn events(&self, after: u64, limit: u32) -> Result<Vec<Event>, StoreError>;
    /// Number of events (equals the last seq: there are no gaps).
    async fn event_count(&self) -> Result<u64, StoreError>;

    /// The ledger's algorithm, size and root.
    async fn ledger_head(&self) -> Result<LedgerHead, StoreError>;
    /// Integrates every leaf written so far into the stored tree: the interior nodes and the
    /// hash-indexed copies of the leaves, in batches, each its own transaction. A write stores
    /// only its leaf hash and the new frontier; this completes the tree for proofs. Refuses
    /// (`Corrupt`, nothing stored) when the stored leaves do not give the head's root.
    /// Returns the integrated size.
    async fn integrate_ledger(&self) -> Result<u64, StoreError>;
    /// How many leaves have been integrated into the stored tree.
    async fn integrated_size(&self) -> Result<u64, StoreError>;
    /// Stored complete node hashes; ids not stored are left out. Integrates first when an
    /// interior node asked for lies past the integrated size.
    async fn ledger_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError>;
    /// The leaf hashes stored with the events of leaves `start..end`, in order.
    async fn leaf_hashes(&self, start: u64, end: u64) -> Result<Vec<(u64, Hash)>, StoreError>;
    /// The index of the leaf with this hash, if any.
    async fn leaf_index_of(&self, leaf_hash: &Hash) -> Result<Option<u64>, StoreError>;
    /// Stores a signed checkpoint (idempotent per size). Not an event: a checkpoint is about
    /// the ledger, and recording it as a leaf would change the tree it signs.
    async fn add_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError>;
    /// Checkpoints in increasing size.
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError>;
    /// The largest checkpoint.
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// Stores a witness cosignature line for a checkpoint (replacing that witness's earlier
    /// line for the same size).
    async fn add_cosignature(
        &self,
        size: u64,
        witness: &str,
        line: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The cosignature lines of a checkpoint.
    async fn cosignatures(&self, size: u64) -> Result<Vec<String>, StoreError>;
    /// 审计记录 — the events `filter` selects, in sequence order, each with its personal data
    /// (unless erased): what the audit administrator reads.
    async fn audit_events(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<(Event, Option<serde_json::Value>)>, StoreError>;
    /// The personal data behind an event's commitment: `(salt hex, data)`, unless erased.
    async fn personal_data(
        &self,
        seq: u64,
    ) -> Result<Option<(String, serde_json::Value)>, StoreError>;
    /// Erases the personal data of an event (the commitment stays; proofs stay valid).
    async fn erase_personal(&self, seq: u64, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// Records an act that changes no state (an export of the audit trail): its event alone.
    async fn record_act(&self, ev: NewEvent) -> Result<Receipt, StoreError>;
}

/// The head row: last event number, leaves in the tree, frontier.
pub(crate) const SELECT_HEAD: &str =
    "SELECT last_seq, leaves, frontier FROM event_head WHERE id = 1";
/// Which events an audit query reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Events after this sequence number.
    pub after: u64,
    /// At most this many.
    pub limit: u32,
    /// Kinds starting with this (letters, digits, `_` and `.` only).
    pub kind_prefix: Option<String>,
    /// By this account.
    pub actor: Option<quanze_core::UserId>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// An event row with its personal data.
#[derive(sqlx::FromRow)]
struct AuditRow {
    #[sqlx(flatten)]
    row: EventRow,
    data: Option<String>,
}

/// Events after a number, in order, at most a limit (also read by the integrator's backfill
/// and by [`crate::direct`]).
pub(crate) const SELECT_EVENTS: &str = "SELECT seq, at, actor, unit, kind, subject, payload, commitment FROM events \
     WHERE seq > $1 ORDER BY seq LIMIT $2";

#[async_trait]
impl LedgerStore for SqlStore {
    async fn events(&self, after: u64, limit: u32) -> Result<Vec<Event>, StoreError> {
        // Sequence numbers are below i64::MAX; nothing lies after a larger `after`.
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new());
        };
        let rows: Vec<EventRow> = match &self.direct {
            // A batch is many rows: read on a blocking thread, without a hop per row.
            Some(direct) => {
                let direct = Arc::clone(direct);
                tokio::task::spawn_blocking(move || direct.events(after, i64::from(limit)))
                    .await
                    .map_err(|e| StoreError::Direct(format!("reading events: {e}")))??
            }
            None => {
                sqlx::query_as(SELECT_EVENTS)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.into_iter().map(Event::try_from).collect()
    }

    async fn event_count(&self) -> Result<u64, StoreError> {
        const SELECT_EVENT_COUNT: &str = "SELECT last_seq FROM event_head WHERE id = 1";
        let last: i64 = sqlx::query_scalar(SELECT_EVENT_COUNT).fetch_one(&self.pool).await?;
        u64::try_from(last)
            .map_err(|_| StoreError::Corrupt(format!("event_head: negative last_seq {last}")))
    }

    async fn ledger_head(&self) -> Result<LedgerHead, StoreError> {
        let (_, leaves, frontier): (i64, i64, String) = match &self.direct {
            Some(direct) => direct
                .rows3(SELECT_HEAD, &[])?
                .pop()
                .ok_or_else(|| StoreError::Corrupt("event_head: no row".into()))?,
            None => sqlx::query_as(SELECT_HEAD).fetch_one(&self.pool).await?,
        };
        let range = parse_frontier(self.alg, leaves, &frontier)?;
        Ok(LedgerHead { alg: self.alg, size: range.size(), root: range.root() })
    }

    async fn ledger_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError> {
        self.read_nodes(ids).await
    }

    async fn leaf_hashes(&self, start: u64, end: u64) -> Result<Vec<(u64, Hash)>, StoreError> {
        // Leaf hashes as written with their events (`seq` is the leaf index plus one).
        const SELECT_LEAVES: &str = "SELECT seq - 1, leaf_hash FROM events \
             WHERE seq > $1 AND seq <= $2 AND leaf_hash IS NOT NULL ORDER BY seq";
        let (Ok(start), Ok(end)) = (i64::try_from(start), i64::try_from(end)) else {
            return Ok(Vec::new());
        };
        let rows: Vec<(i64, String)> = match &self.direct {
            Some(direct) => {
                let direct = Arc::clone(direct);
                tokio::task::spawn_blocking(move || direct.rows2(SELECT_LEAVES, &[start, end]))
                    .await
                    .map_err(|e| StoreError::Direct(format!("reading leaf hashes: {e}")))??
            }
            None => {
                sqlx::query_as(SELECT_LEAVES).bind(start).bind(end).fetch_all(&self.pool).await?
            }
        };
        rows.into_iter()
            .map(|(index, hash)| {
                let corrupt = |e: String| StoreError::Corrupt(format!("events {}: {e}", index + 1));
                let hash = Hash::from_hex(&hash).map_err(|e| corrupt(format!("leaf_hash {e}")))?;
                let index = u64::try_from(index).map_err(|e| corrupt(format!("seq {e}")))?;
                Ok((index, hash))
            })
            .collect()
    }

    async fn leaf_index_of(&self, leaf_hash: &Hash) -> Result<Option<u64>, StoreError> {
        // Integrated leaves are found through the hash index; the tail not yet integrated (small:
        // the integrator runs every half second) by a range scan of its event rows.
        const SELECT_LEAF_BY_HASH: &str =
            "SELECT idx FROM ledger_nodes WHERE level = 0 AND hash = $1 ORDER BY idx LIMIT 1";
        const SELECT_TAIL_LEAF_BY_HASH: &str = "SELECT seq - 1 FROM events \
             WHERE seq > $1 AND leaf_hash = $2 ORDER BY seq LIMIT 1";
        let hex = leaf_hash.to_hex();
        let integrated = self.integrated_size().await?;
        let mut idx: Option<i64> = sqlx::query_scalar(SELECT_LEAF_BY_HASH)
            .bind(hex.as_str())
            .fetch_optional(&self.pool)
            .await?;
        if idx.is_none() {
            idx = sqlx::query_scalar(SELECT_TAIL_LEAF_BY_HASH)
                .bind(i64::try_from(integrated).unwrap_or(i64::MAX))
                .bind(hex.as_str())
                .fetch_optional(&self.pool)
                .await?;
        }
        Ok(idx.and_then(|i| u64::try_from(i).ok()))
    }

    async fn integrate_ledger(&self) -> Result<u64, StoreError> {
        loop {
            let (size, caught_up) = self.integrate_batch().await?;
            self.integrated.fetch_max(size, Ordering::AcqRel);
            if caught_up {
                return Ok(size);
            }
        }
    }

    async fn integrated_size(&self) -> Result<u64, StoreError> {
        const SELECT_INTEGRATED_SIZE: &str = "SELECT size FROM ledger_integrated WHERE id = 1";
        let size: i64 = sqlx::query_scalar(SELECT_INTEGRATED_SIZE).fetch_one(&self.pool).await?;
        let size = u64::try_from(size)
            .map_err(|_| StoreError::Corrupt(format!("ledger_integrated: size {size}")))?;
        self.integrated.fetch_max(size, Ordering::AcqRel);
        Ok(size)
    }

    async fn add_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
        const INSERT_CHECKPOINT: &str = "INSERT INTO checkpoints (size, root, note, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING";
        let size =
            i64::try_from(cp.size).map_err(|_| StoreError::Conflict("size too large".into()))?;
        sqlx::query(INSERT_CHECKPOINT)
            .bind(size)
            .bind(cp.root.to_hex())
            .bind(cp.note.as_str())
            .bind(instant_text(cp.created_at))
            .execute(&self.pool)
            .await?;
        self.written();
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        const SELECT_CHECKPOINTS: &str =
            "SELECT size, root, note, created_at FROM checkpoints ORDER BY size";
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as(SELECT_CHECKPOINTS).fetch_all(&self.pool).await?;
        rows.into_iter().map(checkpoint_row).collect()
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        const SELECT_LATEST_CHECKPOINT: &str =
            "SELECT size, root, note, created_at FROM checkpoints ORDER BY size DESC LIMIT 1";
        let row: Option<(i64, String, String, String)> =
            sqlx::query_as(SELECT_LATEST_CHECKPOINT).fetch_optional(&self.pool).await?;
        row.map(checkpoint_row).transpose()
    }

    async fn add_cosignature(
        &self,
        size: u64,
        witness: &str,
        line: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const UPSERT_COSIGNATURE: &str = "INSERT INTO cosignatures (size, witness, line, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line, \
             created_at = excluded.created_at";
        let size = i64::try_from(size).map_err(|_| StoreError::NotFound("checkpoint".into()))?;
        sqlx::query(UPSERT_COSIGNATURE)
            .bind(size)
            .bind(witness)
            .bind(line)
            .bind(instant_text(at))
            .execute(&self.pool)
            .await
            .map_err(|e| {
                violation(e, "cosignature exists", &format!("checkpoint of size {size}"))
            })?;
        self.written();
        Ok(())
    }

    async fn cosignatures(&self, size: u64) -> Result<Vec<String>, StoreError> {
        const SELECT_COSIGNATURES: &str =
            "SELECT line FROM cosignatures WHERE size = $1 ORDER BY witness";
        let Ok(size) = i64::try_from(size) else { return Ok(Vec::new()) };
        Ok(sqlx::query_scalar(SELECT_COSIGNATURES).bind(size).fetch_all(&self.pool).await?)
    }

    async fn audit_events(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<(Event, Option<serde_json::Value>)>, StoreError> {
        let after = i64::try_from(filter.after).unwrap_or(i64::MAX);
        let mut sql = String::from(
            "SELECT e.seq, e.at, e.actor, e.unit, e.kind, e.subject, e.payload, e.commitment, \
             p.data FROM events e LEFT JOIN event_personal p ON p.seq = e.seq WHERE e.seq > $1",
        );
        let mut n = 1;
        // Each clause's `?` becomes the next placeholder (twice in one clause: the same value).
        let mut next = |sql: &mut String, clause: &str| {
            n += 1;
            sql.push_str(&clause.replace('?', &format!("${n}")));
        };
        if let Some(prefix) = &filter.kind_prefix {
            if !prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                return Err(StoreError::Conflict(format!("kind prefix {prefix:?}")));
            }
            // A true prefix, alike on both backends (LIKE treats `_` as a wildcard and
            // ignores case on SQLite only).
            next(&mut sql, " AND substr(e.kind, 1, length(CAST(? AS TEXT))) = ?");
        }
        if filter.actor.is_some() {
            next(&mut sql, " AND e.actor = ?");
        }
        if filter.from.is_some() {
            next(&mut sql, " AND e.at >= ?");
        }
        if filter.to.is_some() {
            next(&mut sql, " AND e.at < ?");
        }
        next(&mut sql, " ORDER BY e.seq LIMIT ?");
        let mut query = sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql)).bind(after);
        if let Some(prefix) = &filter.kind_prefix {
            query = query.bind(prefix.clone());
        }
        if let Some(actor) = filter.actor {
            query = query.bind(actor.to_string());
        }
        if let Some(from) = filter.from {
            query = query.bind(instant_text(from));
        }
        if let Some(to) = filter.to {
            query = query.bind(instant_text(to));
        }
        let rows = query.bind(i64::from(filter.limit)).fetch_all(&self.pool).await?;
        let sealer = self.sealer();
        rows.into_iter()
            .map(|AuditRow { row, data: personal }| {
                let seq = row.seq;
                let personal = personal
                    .map(|data| open_personal(sealer.as_deref(), seq, &data))
                    .transpose()?;
                Ok((Event::try_from(row)?, personal))
            })
            .collect()
    }

    async fn personal_data(
        &self,
        seq: u64,
    ) -> Result<Option<(String, serde_json::Value)>, StoreError> {
        const SELECT_PERSONAL: &str = "SELECT salt, data FROM event_personal WHERE seq = $1";
        let Ok(seq) = i64::try_from(seq) else { return Ok(None) };
        let row: Option<(String, String)> =
            sqlx::query_as(SELECT_PERSONAL).bind(seq).fetch_optional(&self.pool).await?;
        let sealer = self.sealer();
        row.map(|(salt, data)| open_personal(sealer.as_deref(), seq, &data).map(|d| (salt, d)))
            .transpose()
    }

    async fn erase_personal(&self, seq: u64, ev: NewEvent) -> Result<Receipt, StoreError> {
        const DELETE_PERSONAL: &str = "DELETE FROM event_personal WHERE seq = $1";
        let mut w = self.begin_write().await?;
        let target = i64::try_from(seq).unwrap_or(i64::MAX);
        let res = async {
            let done = sqlx::query(DELETE_PERSONAL).bind(target).execute(w.conn()).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!("personal data of event {seq}")));
            }
            Ok(())
        }
        .await;
        w.finish(res, ev).await
    }

    async fn record_act(&self, ev: NewEvent) -> Result<Receipt, StoreError> {
        let w = self.begin_write().await?;
        w.finish(Ok(()), ev).await
    }
}

/// The frontier as stored in the head row: hex hashes, largest subtree first, comma-separated.
pub(crate) fn parse_frontier(
    alg: HashAlg,
    leaves: i64,
    text: &str,
) -> Result<CompactRange, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt(format!("event_head: frontier {why}"));
    let size = u64::try_from(leaves).map_err(|_| corrupt(format!("has negative size {leaves}")))?;
    let hashes = text
        .split(',')
        .filter(|h| !h.is_empty())
        .map(Hash::from_hex)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| corrupt(e.to_string()))?;
    CompactRange::from_parts(alg, size, hashes)
        .ok_or_else(|| corrupt(format!("does not match {size} leaves")))
}

/// The frontier as the head rows store it (see [`parse_frontier`]).
pub(crate) fn frontier_text(range: &CompactRange) -> String {
    range.frontier().iter().map(Hash::to_hex).collect::<Vec<_>>().join(",")
}

fn checkpoint_row(row: (i64, String, String, String)) -> Result<StoredCheckpoint, StoreError> {
    let (size, root, note, at) = row;
    Ok(StoredCheckpoint {
        size: u64::try_from(size)
            .map_err(|_| StoreError::Corrupt(format!("checkpoints: size {size}")))?,
        root: Hash::from_hex(&root)
            .map_err(|e| StoreError::Corrupt(format!("checkpoints {size}: root {e}")))?,
        note,
        created_at: parse_at(&at)?,
    })
}

/// Parses a stored instant.
pub(crate) fn parse_at(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| StoreError::Corrupt(format!("bad instant {text:?}: {e}")))
}

/// An event's stored personal data, opened by `sealer` when it was sealed.
pub(crate) fn open_personal(
    sealer: Option<&dyn crate::Sealer>,
    seq: i64,
    stored: &str,
) -> Result<serde_json::Value, StoreError> {
    let text = crate::reseal::open_stored(sealer, &format!("event_personal {seq}"), stored)?;
    serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("event_personal {seq}: {e}")))
}
