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
    /// Begun by `begin_large_write` on SQLite: its connection's page cache is raised until
    /// the transaction ends.
    large: bool,
    seq: i64,
    leaves: i64,
    frontier: String,
    alg: HashAlg,
    /// Woken after the commit.
    checkpointer: Option<&'s Checkpointer>,
    /// Seals the event's personal data.
    sealer: Option<Arc<dyn crate::Sealer>>,
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
                let sealer = self.sealer.as_deref();
                append(&mut self.tx, self.alg, self.seq, self.leaves, &self.frontier, &ev, sealer)
                    .await
            }
            Err(e) => Err(e),
        };
        if self.large
            && let Err(e) = sqlx::query(crate::open::SQLITE_CACHE).execute(&mut *self.tx).await
        {
            tracing::warn!(error = %e, "could not set a large write's page cache back");
        }
        match res {
            Ok(()) => {
                self.tx.commit().await?;
                if let Some(checkpointer) = self.checkpointer {
                    checkpointer.wake();
                }
                let seq = u64::try_from(self.seq).map_err(|_| {
                    StoreError::Corrupt(format!("event_head: negative last_seq {}", self.seq))
                })?;
                Ok(Receipt::of(seq))
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

/// Begins a write transaction on `pool`: on SQLite after taking this process's writer slot
/// (`writer`) and with `BEGIN IMMEDIATE`. The guard, when there is one, is to be dropped after
/// the transaction ends. A write with an event goes on to lock the head ([`lock_head`]).
pub(crate) async fn begin_locked(
    pool: &AnyPool,
    backend: Backend,
    writer: &Arc<Mutex<()>>,
) -> Result<(Option<OwnedMutexGuard<()>>, Transaction<'static, Any>), StoreError> {
    Ok(match backend {
        Backend::Sqlite => {
            let writer = Arc::clone(writer).lock_owned().await;
            // IMMEDIATE takes the write lock now (waiting up to busy_timeout for other
            // processes) instead of failing with SQLITE_BUSY when a read upgrades.
            (Some(writer), pool.begin_with("BEGIN IMMEDIATE").await?)
        }
        Backend::Postgres => (None, pool.begin().await?),
    })
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
    let (writer, mut tx) = begin_locked(pool, backend, writer).await?;
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
            large: false,
            seq: head.last_seq + 1,
            leaves: head.leaves,
            frontier: head.frontier,
            alg: self.alg,
            checkpointer: self.checkpointer.as_ref(),
            sealer: self.sealer(),
            _writer: writer,
        })
    }

    /// A write of many rows (a whole list, a large change set): on SQLite its connection's
    /// page cache is raised to [`crate::open::SQLITE_LARGE_WRITE_CACHE`] until it ends.
    pub(crate) async fn begin_large_write(&self) -> Result<WriteTx<'_>, StoreError> {
        let mut w = self.begin_write().await?;
        if self.backend == Backend::Sqlite {
            sqlx::query(crate::open::SQLITE_LARGE_WRITE_CACHE).execute(&mut *w.tx).await?;
            w.large = true;
        }
        Ok(w)
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

/// An event with all done that does not need its number: the texts of its columns, its
/// payload as RFC 8785 canonical JSON (which is also the text stored, so it is written once),
/// and the salted SM3 commitment to its personal data. The group writer's callers prepare
/// their events on their own tasks, so that its one thread does only what needs the number:
/// the leaf hash ([`seal`]).
#[derive(Debug)]
pub(crate) struct PreparedEvent {
    /// `at` as stored.
    at: String,
    /// `at` as the leaf has it (RFC 3339, fewest fraction digits).
    leaf_at: String,
    actor: Option<String>,
    unit: Option<String>,
    pub(crate) kind: String,
    pub(crate) subject: String,
    payload: String,
    commitment: Option<String>,
    /// `(salt hex, data JSON)` for `event_personal`.
    personal: Option<(String, String)>,
}

impl PreparedEvent {
    /// Prepares `ev`, its personal data sealed by `sealer` when there is one (the commitment is
    /// to the data in clear, so a rotation of the key reseals the stored copy without breaking
    /// it); it fails only for a payload with a number JSON cannot hold.
    pub(crate) fn new(
        ev: &NewEvent,
        sealer: Option<&dyn crate::Sealer>,
    ) -> Result<PreparedEvent, StoreError> {
        let canonical = |what: &str, value: &serde_json::Value| {
            let mut bytes = Vec::with_capacity(1024);
            quanze_core::canonical::write_value(&mut bytes, value)
                .ok()
                .and_then(|()| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "{}: the {what} holds a non-finite number",
                        ev.subject
                    ))
                })
        };
        let personal = match &ev.personal {
            Some(data) => {
                let salt: [u8; 16] = rand::random();
                let text = canonical("personal data", data)?;
                let mut bytes = salt.to_vec();
                bytes.extend_from_slice(text.as_bytes());
                let commitment = HashAlg::Sm3.digest(&bytes).to_hex();
                // The canonical text just made is what is kept (sealed when there is a key):
                // the data is serialised once.
                let stored = crate::reseal::seal_stored(sealer, text);
                Some((commitment, (hex::encode(salt), stored)))
            }
            None => None,
        };
        let (commitment, personal) = personal.unzip();
        Ok(PreparedEvent {
            at: instant_text(ev.at),
            leaf_at: ev.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            actor: ev.actor.map(|id| id.to_string()),
            unit: ev.unit.map(|id| id.to_string()),
            kind: ev.kind.clone(),
            subject: ev.subject.clone(),
            payload: canonical("payload", &ev.payload)?,
            commitment,
            personal,
        })
    }
}

/// A prepared event with its number and leaf hash: the values of its row.
#[derive(Debug)]
pub(crate) struct SealedEvent<'e> {
    pub(crate) seq: i64,
    pub(crate) at: &'e str,
    pub(crate) actor: Option<&'e str>,
    pub(crate) unit: Option<&'e str>,
    pub(crate) kind: &'e str,
    pub(crate) subject: &'e str,
    pub(crate) payload: &'e str,
    pub(crate) commitment: Option<&'e str>,
    pub(crate) leaf_hash: String,
    /// `(salt hex, data JSON)` for `event_personal`.
    pub(crate) personal: Option<(&'e str, &'e str)>,
}

/// Seals `ev` as event number `seq`, the next leaf of the tree whose frontier is `range`, and
/// pushes its leaf hash onto `range`: the event's RFC 8785 bytes hashed with `alg`. No I/O;
/// `range` is the new frontier to store in the head once the event row is written. Both
/// write paths — a [`WriteTx`] and the group writer ([`crate::group`]) — seal their events
/// here, so a leaf means the same on either.
pub(crate) fn seal<'e>(
    alg: HashAlg,
    range: &mut CompactRange,
    seq: i64,
    ev: &'e PreparedEvent,
) -> Result<SealedEvent<'e>, StoreError> {
    let useq =
        u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))?;
    if range.size() + 1 != useq {
        return Err(StoreError::Corrupt(format!(
            "ledger has {} leaves but the next event is {seq}; run `quanze ledger verify`",
            range.size()
        )));
    }
    let bytes = quanze_core::LeafParts {
        seq: useq,
        at: &ev.leaf_at,
        actor: ev.actor.as_deref(),
        unit: ev.unit.as_deref(),
        kind: &ev.kind,
        subject: &ev.subject,
        payload: quanze_core::canonical::Member::Raw(ev.payload.as_bytes()),
        commitment: ev.commitment.as_deref(),
    }
    .bytes()
    .map_err(|e| StoreError::Corrupt(format!("{}: {e}", ev.subject)))?;
    let leaf = alg.hash_leaf(&bytes);
    range.push_leaf_hash(leaf);
    Ok(SealedEvent {
        seq,
        at: &ev.at,
        actor: ev.actor.as_deref(),
        unit: ev.unit.as_deref(),
        kind: &ev.kind,
        subject: &ev.subject,
        payload: &ev.payload,
        commitment: ev.commitment.as_deref(),
        leaf_hash: leaf.to_hex(),
        personal: ev.personal.as_ref().map(|(salt, data)| (salt.as_str(), data.as_str())),
    })
}

/// Writes a sealed event's row and its personal data through sqlx.
pub(crate) async fn insert_sealed(
    conn: &mut AnyConnection,
    sealed: &SealedEvent<'_>,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_EVENT)
        .bind(sealed.seq)
        .bind(sealed.at)
        .bind(sealed.actor)
        .bind(sealed.unit)
        .bind(sealed.kind)
        .bind(sealed.subject)
        .bind(sealed.payload)
        .bind(sealed.commitment)
        .bind(sealed.leaf_hash.as_str())
        .execute(&mut *conn)
        .await?;
    if let Some((salt, data)) = &sealed.personal {
        sqlx::query(INSERT_PERSONAL)
            .bind(sealed.seq)
            .bind(*salt)
            .bind(*data)
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
    sealer: Option<&dyn crate::Sealer>,
) -> Result<(), StoreError> {
    let mut range = parse_frontier(alg, leaves, frontier)?;
    let prepared = PreparedEvent::new(ev, sealer)?;
    let sealed = seal(alg, &mut range, seq, &prepared)?;
    insert_sealed(conn, &sealed).await?;
    sqlx::query(ADVANCE_HEAD).bind(seq).bind(frontier_text(&range)).execute(&mut *conn).await?;
    Ok(())
}
