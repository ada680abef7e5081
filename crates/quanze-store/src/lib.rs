//! Quanze storage: the [`Store`] trait, [`connect`] to SQLite (default) or PostgreSQL, and
//! [`testing`] helpers that give tests fresh databases on both.
//!
//! This is the only crate with SQL. Every write method is one transaction that writes the
//! state change and exactly one row in `events` (who, when, what, which subject); event
//! sequence numbers are gap-free, taken from a locked head row, never from a sequence.
//! It knows nothing about HTTP.

mod batch;
mod checkpoint;
mod direct;
mod laws_page;
mod ledger;
mod rows;
mod store;
pub mod testing;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::{
    ChangeSet, ChangeSetId, DocNo, Event, ItemId, ListId, ListVersion, ListVersionId, PowerItem,
    PowerList, Region, RoleGrant, Unit, UnitId, UserId, Username,
};
pub use quanze_ledger::{Hash, HashAlg, NodeId};
pub use store::SQLITE_CONNECTION_PRAGMAS;

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
    /// (the stored tree, change sets) or the checkpoint thread's.
    #[error("database: {0}")]
    Direct(String),
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
    let store = store::open(url, options).await?;
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
}

impl Receipt {
    /// The event's leaf index in the ledger (`seq - 1`).
    pub fn leaf_index(&self) -> u64 {
        self.seq.saturating_sub(1)
    }
}

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

/// Options of a new database.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectOptions {
    /// The ledger's hash when the ledger is created (SM3 by default); ignored afterwards.
    pub ledger_hash: HashAlg,
}

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
    pub reclaims: Vec<quanze_core::Reclaim>,
    /// The establishment (机构编制); empty until one is recorded.
    pub establishment: quanze_core::Establishment,
}

/// A stored account.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub username: Username,
    /// Display name (personal data: never put into events in clear).
    pub display_name: String,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// Roles.
    pub roles: Vec<RoleGrant>,
    /// Consecutive failed logins.
    pub failed_logins: u32,
    /// Locked until this instant, after too many failures.
    pub locked_until: Option<DateTime<Utc>>,
}

/// The storage contract. Each write is one transaction writing state and one event.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend.
    fn backend(&self) -> Backend;

    /// Inserts regions, or renames existing ones (by code).
    async fn put_regions(&self, regions: &[Region], ev: NewEvent) -> Result<Receipt, StoreError>;
    /// All regions, by code.
    async fn regions(&self) -> Result<Vec<Region>, StoreError>;

    /// Inserts a law of the registry, or replaces the one with its id. `Conflict` when another
    /// law has the same title and start of force; `NotFound` when `amended_by` or
    /// `repealed_by` names no law.
    async fn put_law(&self, law: &quanze_core::Law, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// The law registry, by start of force (the same order on every backend: titles would
    /// sort by each database's collation).
    async fn laws(&self) -> Result<Vec<quanze_core::Law>, StoreError>;
    /// How many laws there are, and the laws from `offset` on (at most `limit`) in the order of
    /// [`Store::laws`], cut in the database.
    async fn laws_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<quanze_core::Law>), StoreError>;

    /// Creates a unit; `Conflict` if the id or (name) exists; its region must exist
    /// (`NotFound` otherwise), and so must its parent.
    async fn create_unit(&self, unit: &Unit, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// Replaces a unit's fields.
    async fn update_unit(&self, unit: &Unit, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// All units, by name.
    async fn units(&self) -> Result<Vec<Unit>, StoreError>;
    /// One unit.
    async fn unit(&self, id: UnitId) -> Result<Unit, StoreError>;

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

    /// Creates an account with its roles. `Conflict` if the name is taken.
    async fn create_user(&self, user: &UserRecord, ev: NewEvent) -> Result<Receipt, StoreError>;
    /// Looks an account up by name.
    async fn user_by_name(&self, name: &Username) -> Result<Option<UserRecord>, StoreError>;
    /// Looks an account up by id.
    async fn user(&self, id: UserId) -> Result<UserRecord, StoreError>;
    /// Records a login attempt's outcome: on success resets the failure count and any lock;
    /// on failure stores `failures` (the caller's count: it decides when an expired lock
    /// starts a new one) and `locked_until`. Records an event either way.
    async fn record_login(
        &self,
        user: UserId,
        success: bool,
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Stores an API token by its hash (the token itself is never stored).
    async fn create_token(
        &self,
        user: UserId,
        token_hash: &str,
        name: &str,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// The account an API token (by hash) belongs to.
    async fn user_by_token(&self, token_hash: &str) -> Result<Option<UserRecord>, StoreError>;

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
    /// The personal data behind an event's commitment: `(salt hex, data)`, unless erased.
    async fn personal_data(
        &self,
        seq: u64,
    ) -> Result<Option<(String, serde_json::Value)>, StoreError>;
    /// Erases the personal data of an event (the commitment stays; proofs stay valid).
    async fn erase_personal(&self, seq: u64, ev: NewEvent) -> Result<Receipt, StoreError>;

    /// Records a devolution grant. `Conflict` if its id exists; `NotFound` if the granting
    /// department does not exist.
    async fn put_grant(
        &self,
        grant: &quanze_core::Grant,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Records (or replaces) a town's readiness for a grant. `NotFound` if the grant or the
    /// town does not exist.
    async fn put_readiness(
        &self,
        readiness: &quanze_core::Readiness,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
    /// Records a reclaim. `NotFound` if the grant or the town does not exist.
    async fn put_reclaim(
        &self,
        reclaim: &quanze_core::Reclaim,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;

    /// Replaces the establishment (机构编制) whole; the caller checked it with the core.
    async fn put_establishment(
        &self,
        establishment: &quanze_core::Establishment,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;

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
