//! Transactions: every write is one [`WriteTx`], every multi-statement read one
//! [`SqlStore::begin_read`].
//!
//! A write first reads the `event_head` row under the write lock (`BEGIN IMMEDIATE` on SQLite,
//! behind the process's own writer queue; `SELECT ... FOR UPDATE` on PostgreSQL), then changes
//! state, then — in [`WriteTx::finish`] — inserts the one `events` row with the next number,
//! and last moves the head on. Writers therefore commit in sequence order and a rollback gives
//! its number back, so sequence numbers have no gaps.
//!
//! The event is also the ledger's next leaf: its RFC 8785 bytes are hashed into `leaf_hash` in
//! its own row and the new frontier is stored in the head, so the root at every size is fixed
//! at commit. Interior nodes are left to the integrator ([`crate::ledger`]). Personal data goes
//! into the erasable `event_personal` table; the event and its leaf carry only a salted SM3
//! commitment to it.

use std::sync::Arc;

use quanze_core::Event;
use quanze_ledger::{CompactRange, HashAlg};
use sqlx::error::ErrorKind;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::ledger::{frontier_text, parse_frontier};
use crate::open::SqlStore;
use crate::rows::instant_text;
use crate::wal::Checkpointer;
use crate::{Backend, NewEvent, Receipt, StoreError};

/// Maps a failed statement: a unique violation becomes `Conflict(conflict)`, a foreign-key
/// violation or a missing row `NotFound(missing)`, anything else stays a database error.
pub(crate) fn violation(err: sqlx::Error, conflict: &str, missing: &str) -> StoreError {
    match &err {
        sqlx::Error::RowNotFound => StoreError::NotFound(missing.to_owned()),
        sqlx::Error::Database(db) => match db.kind() {
            ErrorKind::UniqueViolation => StoreError::Conflict(conflict.to_owned()),
            ErrorKind::ForeignKeyViolation => StoreError::NotFound(missing.to_owned()),
            _ => StoreError::Sqlx(err),
        },
        _ => StoreError::Sqlx(err),
    }
}

/// An open write transaction holding its event number.
pub(crate) struct WriteTx<'s> {
    tx: Transaction<'static, Any>,
    seq: i64,
    leaves: i64,
    frontier: String,
    alg: HashAlg,
    /// Woken after the commit.
    checkpointer: Option<&'s Checkpointer>,
    /// Declared after `tx` so that the transaction is dropped (rolled back) before the next
    /// writer is let in.
    _writer: Option<OwnedMutexGuard<()>>,
}

impl WriteTx<'_> {
    /// The connection to write through.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Records the event and commits if `res` is `Ok`; rolls everything back otherwise.
    pub(crate) async fn finish(
        mut self,
        res: Result<(), StoreError>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let res = match res {
            Ok(()) => {
                append(&mut self.tx, self.alg, self.seq, self.leaves, &self.frontier, &ev).await
            }
            Err(e) => Err(e),
        };
        match res {
            Ok(()) => {
                self.tx.commit().await?;
                if let Some(checkpointer) = self.checkpointer {
                    checkpointer.wake();
                }
                let seq = u64::try_from(self.seq).map_err(|_| {
                    StoreError::Corrupt(format!("event_head: negative last_seq {}", self.seq))
                })?;
                Ok(Receipt { seq })
            }
            Err(e) => {
                // The original error is what matters; if the rollback fails too, the pool
                // discards the broken connection and the transaction dies with it.
                if let Err(rollback) = self.tx.rollback().await {
                    tracing::warn!(error = %rollback, "rollback after a failed write failed");
                }
                Err(e)
            }
        }
    }
}

/// Reads the head at the start of a write. On SQLite `BEGIN IMMEDIATE` already holds the
/// write lock; on PostgreSQL the row lock queues concurrent writers until this one commits.
pub(crate) const LOCK_HEAD_SQLITE: &str =
    "SELECT last_seq, leaves, frontier FROM event_head WHERE id = 1";
const LOCK_HEAD_POSTGRES: &str =
    "SELECT last_seq, leaves, frontier FROM event_head WHERE id = 1 FOR UPDATE";

/// The `event_head` row as a write reads it under the lock.
pub(crate) struct Head {
    pub(crate) last_seq: i64,
    pub(crate) leaves: i64,
    pub(crate) frontier: String,
}

/// Begins a write transaction on `pool` and reads the head under the write lock: on SQLite
/// after taking this process's writer slot (`writer`) and with `BEGIN IMMEDIATE`; on
/// PostgreSQL with the head row locked. The guard, when there is one, is to be dropped after
/// the transaction ends.
pub(crate) async fn lock_head(
    pool: &AnyPool,
    backend: Backend,
    writer: &Arc<Mutex<()>>,
) -> Result<(Option<OwnedMutexGuard<()>>, Transaction<'static, Any>, Head), StoreError> {
    let (writer, mut tx) = match backend {
        Backend::Sqlite => {
            let writer = Arc::clone(writer).lock_owned().await;
            // IMMEDIATE takes the write lock now (waiting up to busy_timeout for other
            // processes) instead of failing with SQLITE_BUSY when a read upgrades.
            (Some(writer), pool.begin_with("BEGIN IMMEDIATE").await?)
        }
        Backend::Postgres => (None, pool.begin().await?),
    };
    let lock = match backend {
        Backend::Sqlite => LOCK_HEAD_SQLITE,
        Backend::Postgres => LOCK_HEAD_POSTGRES,
    };
    let (last_seq, leaves, frontier): (i64, i64, String) =
        sqlx::query_as(lock).fetch_one(&mut *tx).await?;
    Ok((writer, tx, Head { last_seq, leaves, frontier }))
}

impl SqlStore {
    /// Begins a write: takes the writer slot and the next event number.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx<'_>, StoreError> {
        let (writer, tx, head) = lock_head(&self.pool, self.backend, &self.sqlite_writer).await?;
        Ok(WriteTx {
            tx,
            seq: head.last_seq + 1,
            leaves: head.leaves,
            frontier: head.frontier,
            alg: self.alg,
            checkpointer: self.checkpointer.as_ref(),
            _writer: writer,
        })
    }

    /// After a commit outside `WriteTx`: asks for a checkpoint of the log (SQLite files).
    pub(crate) fn written(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.wake();
        }
    }

    /// Begins a read-only transaction that sees one consistent state across its statements.
    pub(crate) async fn begin_read(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.backend {
            // A deferred SQLite transaction reads from one WAL snapshot from its first SELECT.
            Backend::Sqlite => self.pool.begin().await?,
            // READ COMMITTED (the default) would give each statement its own snapshot.
            Backend::Postgres => {
                self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?
            }
        })
    }
}

/// Builds the event as it will be read back, with the commitment to its personal data.
fn event_of(seq: u64, ev: &NewEvent, commitment: Option<String>) -> Event {
    Event {
        seq,
        at: ev.at,
        actor: ev.actor,
        unit: ev.unit,
        kind: ev.kind.clone(),
        subject: ev.subject.clone(),
        payload: ev.payload.clone(),
        commitment,
    }
}

/// Salted SM3 commitment to personal data: `SM3(salt || canonical JSON)`, hex.
fn commit_personal(salt: &[u8], data: &serde_json::Value) -> String {
    let mut bytes = salt.to_vec();
    bytes.extend(quanze_core::canonical::to_vec(data).unwrap_or_default());
    HashAlg::Sm3.digest(&bytes).to_hex()
}

/// Inserts an event row (`SealedEvent`'s columns, in this order).
pub(crate) const INSERT_EVENT: &str = "INSERT INTO events (seq, at, actor, unit, kind, subject, \
     payload, commitment, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
/// Inserts an event's personal data.
pub(crate) const INSERT_PERSONAL: &str =
    "INSERT INTO event_personal (seq, salt, data) VALUES ($1, $2, $3)";
/// Moves the head on at the end of a write: the last event number and the new frontier in
/// one statement.
pub(crate) const ADVANCE_HEAD: &str =
    "UPDATE event_head SET last_seq = $1, leaves = $1, frontier = $2 WHERE id = 1";

/// An event made ready for its row: the values to store, its leaf hash and its personal data
/// with the salt of the commitment. Both write paths — a [`WriteTx`] and the group writer
/// ([`crate::group`]) — seal their events here, so a leaf means the same on either.
#[derive(Debug)]
pub(crate) struct SealedEvent<'e> {
    pub(crate) seq: i64,
    pub(crate) at: String,
    pub(crate) actor: Option<String>,
    pub(crate) unit: Option<String>,
    pub(crate) kind: &'e str,
    pub(crate) subject: &'e str,
    pub(crate) payload: String,
    pub(crate) commitment: Option<String>,
    pub(crate) leaf_hash: String,
    /// `(salt hex, data JSON)` for `event_personal`.
    pub(crate) personal: Option<(String, String)>,
}

/// Seals `ev` as event number `seq`, the next leaf of the tree whose frontier is `range`, and
/// pushes its leaf hash onto `range`: the event's RFC 8785 bytes hashed with `alg`, its
/// personal data (if any) replaced by a salted SM3 commitment. No I/O; `range` is the new
/// frontier to store in the head once the event row is written.
pub(crate) fn seal<'e>(
    alg: HashAlg,
    range: &mut CompactRange,
    seq: i64,
    ev: &'e NewEvent,
) -> Result<SealedEvent<'e>, StoreError> {
    let useq =
        u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))?;
    if range.size() + 1 != useq {
        return Err(StoreError::Corrupt(format!(
            "ledger has {} leaves but the next event is {seq}; run `quanze ledger verify`",
            range.size()
        )));
    }
    let personal = ev.personal.as_ref().map(|data| {
        let salt: [u8; 16] = rand::random();
        (hex::encode(salt), commit_personal(&salt, data), data.to_string())
    });
    let event = event_of(useq, ev, personal.as_ref().map(|p| p.1.clone()));
    let leaf = alg.hash_leaf(&event.leaf_bytes());
    range.push_leaf_hash(leaf);
    Ok(SealedEvent {
        seq,
        at: instant_text(event.at),
        actor: event.actor.map(|u| u.to_string()),
        unit: event.unit.map(|u| u.to_string()),
        kind: &ev.kind,
        subject: &ev.subject,
        payload: event.payload.to_string(),
        commitment: event.commitment,
        leaf_hash: leaf.to_hex(),
        personal: personal.map(|(salt, _, data)| (salt, data)),
    })
}

/// Writes a sealed event's row and its personal data through sqlx.
pub(crate) async fn insert_sealed(
    conn: &mut AnyConnection,
    sealed: &SealedEvent<'_>,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_EVENT)
        .bind(sealed.seq)
        .bind(sealed.at.as_str())
        .bind(sealed.actor.as_deref())
        .bind(sealed.unit.as_deref())
        .bind(sealed.kind)
        .bind(sealed.subject)
        .bind(sealed.payload.as_str())
        .bind(sealed.commitment.as_deref())
        .bind(sealed.leaf_hash.as_str())
        .execute(&mut *conn)
        .await?;
    if let Some((salt, data)) = &sealed.personal {
        sqlx::query(INSERT_PERSONAL)
            .bind(sealed.seq)
            .bind(salt.as_str())
            .bind(data.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Writes the event with its leaf hash and its personal data, and moves the head (event
/// number and frontier) on. Called last in every write transaction.
///
/// The interior nodes of the tree are not written here: the integrator ([`crate::ledger`]) adds them later, in
/// batches, from the leaf hashes stored in the event rows. The transaction still fixes the
/// leaf and the root (the frontier), so a checkpoint can be signed at any size at once; what
/// it saves is one row per level and two B-trees per write (docs/performance.md).
async fn append(
    conn: &mut AnyConnection,
    alg: HashAlg,
    seq: i64,
    leaves: i64,
    frontier: &str,
    ev: &NewEvent,
) -> Result<(), StoreError> {
    let mut range = parse_frontier(alg, leaves, frontier)?;
    let sealed = seal(alg, &mut range, seq, ev)?;
    insert_sealed(conn, &sealed).await?;
    sqlx::query(ADVANCE_HEAD).bind(seq).bind(frontier_text(&range)).execute(&mut *conn).await?;
    Ok(())
}
