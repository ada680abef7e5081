//! Quanze storage: [`connect`] to SQLite (default) or PostgreSQL, the [`Store`] contract split
//! by resource, and [`testing`] helpers that give tests fresh databases on both.
//!
//! This is the only crate with SQL. Every write method is one transaction that writes the
//! state change and exactly one row in `events` (who, when, what, which subject); event
//! sequence numbers are gap-free, taken from a locked head row, never from a sequence.
//! [`GroupStore::group_write`] commits many such writes in one transaction (group commit),
//! each in a savepoint with its one event, and answers each only after the commit.
//! It knows nothing about HTTP.
//!
//! [`Store`] is the sum of one trait per resource, each beside its implementation and its SQL:
//! [`RegistryStore`] (regions, units), [`LawStore`], [`ListStore`] (lists, versions, drafts,
//! items, the catalogue's snapshot), [`AccountStore`] (users, roles, tokens, logins),
//! [`GovernanceStore`] (change sets), [`DevolutionStore`] (grants, readiness, reclaims, the
//! establishment), [`CalendarStore`] (working-day calendar years loaded at run time),
//! [`CaseStore`] (cases, their timeline, ratings, complaints), [`MaterialStore`] (materials
//! stored once under their SM3 digest, filed with cases), [`LedgerStore`] (events, the
//! stored tree, checkpoints, personal data) and [`GroupStore`] (schema-independent writes
//! committed many to a transaction: group commit).
//! Callers hold an `Arc<dyn Store>`, on which every resource's methods can be called without
//! importing their traits (a trait object carries its supertraits' methods); code generic over
//! a store imports them with `use quanze_store::prelude::*;`. Underneath, one implementation
//! serves both backends: module `open` sets it up and module `tx` runs its transactions.

mod accounts;
mod backup;
mod batch;
mod calendar;
mod cases;
mod devolution;
mod direct;
mod factors;
mod governance;
mod group;
mod laws;
mod ledger;
mod lists;
mod materials;
mod open;
mod packed;
mod private;
mod registry;
mod reseal;
mod rows;
mod sessions;
pub mod testing;
#[cfg(test)]
mod tests;
mod tx;
mod wal;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use quanze_core::{UnitId, UserId};
pub use quanze_ledger::{Hash, HashAlg, NodeId};

pub use accounts::{AccountStore, TokenLife, UserRecord};
pub use backup::{
    backup_sqlite, database_is_empty, materials_dir_of, sqlite_file_of, sqlite_ledger_head,
};
pub use calendar::{CalendarStore, StoredCalendarYear};
pub use cases::{
    CaseFilter, CaseStore, CaseTallies, CaseWrite, NextLook, SealedApplicant, StoredCase,
    StoredStep,
};
pub use devolution::DevolutionStore;
pub use factors::{FactorStore, FactorUse, Factors};
pub use governance::{ChangeSetWrite, GovernanceStore, StoredChangeSet};
pub use group::{Bulk, GroupJob, GroupStore, SqlType, SqlValue, Stmt};
pub use laws::LawStore;
pub use ledger::{AuditFilter, LedgerHead, LedgerStore, StoredCheckpoint};
pub use lists::{DraftWrite, ListStore, Snapshot};
pub use materials::{MaterialStore, MaterialSweep};
pub use open::SQLITE_CONNECTION_PRAGMAS;
pub use private::{create_private_dir_all, create_private_file};
pub use registry::RegistryStore;
pub use reseal::{ResealCounts, ResealStore, SealedAccountRow, SealedApplicantRow, SealedRows};
pub use sessions::{StoredSession, WebSessionStore};

/// The store's traits, for code that calls store methods on something other than a
/// `dyn Store` (a generic store, or one resource's trait object): `use quanze_store::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AccountStore, CalendarStore, CaseStore, DevolutionStore, FactorStore, GovernanceStore,
        GroupStore, LawStore, LedgerStore, ListStore, MaterialStore, RegistryStore, Store,
        WebSessionStore,
    };
}

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The subject does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A unique key or a state rule was violated (duplicate, stale version, published version
    /// changed).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored row failed to parse back into the domain.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The URL names a backend this build does not have, or is malformed.
    #[error("unsupported database URL: {0}")]
    Url(String),
    /// The database failed.
    #[error(transparent)]
    Sqlx(sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A rusqlite connection of the store's own failed: the direct reads of a SQLite file
    /// (the stored tree, change sets), the checkpoint thread's or the group writer's.
    #[error("database: {0}")]
    Direct(String),
    /// The group writer could not commit the batch a write was in (the message says why;
    /// nothing of the batch was committed), or stopped before answering. The write was not
    /// acknowledged.
    #[error("group commit: {0}")]
    Group(String),
}

impl From<sqlx::Error> for StoreError {
    /// Classifies a database error where no better context is at hand: a missing row and a
    /// foreign-key violation are `NotFound`, a unique violation is `Conflict`. Write methods map
    /// their statements' errors with messages naming the subject instead.
    fn from(err: sqlx::Error) -> StoreError {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound("row".to_owned()),
            sqlx::Error::Database(db) => match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    StoreError::Conflict(db.message().to_owned())
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    StoreError::NotFound(format!("a referenced row ({})", db.message()))
                }
                _ => StoreError::Sqlx(err),
            },
            _ => StoreError::Sqlx(err),
        }
    }
}

/// Opens the store at `url` and brings its schema up to date.
///
/// `sqlite://PATH` opens (creating the file and its directory if missing) a SQLite database in
/// WAL mode with foreign keys on; `postgres://...` or `postgresql://...` connects to
/// PostgreSQL. Anything else is [`StoreError::Url`].
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    connect_with(url, ConnectOptions::default()).await
}

/// Like [`connect`], choosing the ledger's hash if the database is new.
pub async fn connect_with(
    url: &str,
    options: ConnectOptions,
) -> Result<Arc<dyn Store>, StoreError> {
    let store = open::open(url, options).await?;
    Ok(Arc::new(store))
}

/// Which database is behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// The event that a write records in its own transaction. `seq` is assigned by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// When (the service's clock).
    pub at: DateTime<Utc>,
    /// Who; `None` for system actions (demo loader, migrations).
    pub actor: Option<UserId>,
    /// For which unit.
    pub unit: Option<UnitId>,
    /// What, e.g. `unit.created`.
    pub kind: String,
    /// Which subject, e.g. `unit:<uuid>`.
    pub subject: String,
    /// Details (no personal data in clear).
    pub payload: serde_json::Value,
    /// Personal data the write concerns (names of persons, ID or phone numbers). It is kept
    /// in an erasable table; the event and its ledger leaf carry only a salted SM3 commitment.
    pub personal: Option<serde_json::Value>,
}

/// What a write returns: the sequence number of the event it recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// The event's sequence number.
    pub seq: u64,
    /// Rows changed by the write's statements marked [`Stmt::counted`] (a group job's
    /// `INSERT … ON CONFLICT DO NOTHING` that may find its row there already); 0 otherwise.
    pub counted: u64,
}

impl Receipt {
    /// The receipt of event `seq`, nothing counted.
    pub fn of(seq: u64) -> Receipt {
        Receipt { seq, counted: 0 }
    }

    /// The event's leaf index in the ledger (`seq - 1`).
    pub fn leaf_index(&self) -> u64 {
        self.seq.saturating_sub(1)
    }
}

/// Options of a new database.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectOptions {
    /// The ledger's hash when the ledger is created (SM3 by default); ignored afterwards.
    pub ledger_hash: HashAlg,
    /// SQLite: sync the log at every commit of the store's pool (`synchronous = FULL`), so
    /// that every acknowledged write survives a power cut. Off by default: the pool commits
    /// with `synchronous = NORMAL` (a power cut may lose the last commits, never corrupts the
    /// file). The group writer ([`GroupStore::group_write`]) syncs every commit either way.
    /// Ignored on PostgreSQL.
    pub durable: bool,
    /// PostgreSQL: the group writer sends each job's statements one by one, as before it
    /// learnt to send the same statement of many jobs as one ([`Bulk`]). Off by default; for
    /// benches' baselines. Ignored by a SQLite file's writer, which runs in-process.
    pub one_by_one: bool,
}

/// The storage contract: every resource's trait. Each write is one transaction writing state
/// and one event. Held as `Arc<dyn Store>`, which answers every resource trait's methods
/// without importing them.
pub trait Store:
    RegistryStore
    + LawStore
    + ListStore
    + AccountStore
    + GovernanceStore
    + DevolutionStore
    + CalendarStore
    + CaseStore
    + MaterialStore
    + LedgerStore
    + GroupStore
    + WebSessionStore
    + FactorStore
    + ResealStore
    + 'static
{
    /// Which backend.
    fn backend(&self) -> Backend;
    /// Seals personal data at rest from now on: the data behind events' commitments, towns'
    /// readiness documents (staff names, certificate numbers), the certificate numbers of the
    /// officers who acted on a case and applicants' uploaded materials are written sealed, and
    /// opened when read. Without a sealer they are written in clear.
    fn install_sealer(&self, sealer: Arc<dyn Sealer>);
}

/// 个人信息加密 — what seals personal data at rest: the service's personal-data key ring (SM4
/// and HMAC-SM3). The store holds no key of its own.
pub trait Sealer: Send + Sync {
    /// `plain` sealed under the current key, as text (`sm4:…`).
    fn seal_text(&self, plain: &str) -> String;
    /// Opens what [`Sealer::seal_text`] sealed under any key of the ring; a text that is not
    /// sealed (written before there was a key) is given back as it is; `None` when the seal
    /// does not open.
    fn open_text(&self, stored: &str) -> Option<String>;
    /// `plain` sealed under the current key (an applicant's uploaded material).
    fn seal_bytes(&self, plain: &[u8]) -> Vec<u8>;
    /// Opens what [`Sealer::seal_bytes`] sealed under any key of the ring; `None` when the
    /// seal does not open.
    fn open_bytes(&self, sealed: &[u8]) -> Option<Vec<u8>>;
}
