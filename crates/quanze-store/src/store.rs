//! The one [`Store`] implementation, on sqlx's `Any` driver, for SQLite and PostgreSQL.
//!
//! Why one implementation: the schema uses only portable types (text and 64-bit integers), the
//! SQL uses only what both dialects accept (`$N` placeholders, `ON CONFLICT`, `RETURNING`), so
//! the two backends differ in three places only, each marked with a `match self.backend`:
//! how a write transaction begins, how a consistent read begins, and placeholder style in
//! [`crate::batch`]. Two copies of every query would drift; the contract suite runs every
//! query here on both backends instead.
//!
//! Writes: each write method is one transaction that first reads the `event_head` row under
//! the write lock (`BEGIN IMMEDIATE` on SQLite, `SELECT ... FOR UPDATE` on PostgreSQL), then
//! changes state, then inserts the one `events` row with the next number and its leaf hash,
//! and last moves the head (number and frontier) on. Writers therefore commit in sequence
//! order and a rollback gives its number back, so sequence numbers have no gaps.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::{
    ChangeSet, ChangeSetId, DocNo, Event, ItemId, ListEntry, ListId, ListScope, ListVersion,
    ListVersionId, OverrideChange, OverrideTarget, PowerItem, PowerList, Region, Unit, UnitId,
    UserId, Username, VersionStatus,
};
use rayon::prelude::*;
use sqlx::any::AnyPoolOptions;
use sqlx::error::ErrorKind;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::batch::{Statement, insert_rows, select_in};
use crate::checkpoint::Checkpointer;
use crate::direct::DirectReader;
use crate::ledger;
use crate::rows::{
    ChangeColumns, ChangeRow, EntryRow, EventRow, ItemVersionRow, LawRow, ListRow, OverrideColumns,
    OverrideRow, RegionRow, RoleRow, UnitRow, UserRow, VersionRow, date_text, instant_text,
    region_level_code, scope_columns, status_code, unit_kind_code,
};
use crate::{
    Backend, ChangeSetWrite, ConnectOptions, DraftWrite, LedgerHead, NewEvent, Receipt, Snapshot,
    Store, StoreError, StoredChangeSet, StoredCheckpoint, UserRecord,
};
use quanze_ledger::{Hash, HashAlg, NodeId};

/// Connections per pool. SQLite has one writer at a time anyway; a few connections let reads
/// run beside it. PostgreSQL serves a county's web server comfortably with ten.
const SQLITE_MAX_CONNECTIONS: u32 = 4;
const POSTGRES_MAX_CONNECTIONS: u32 = 10;

/// Per-connection SQLite settings. `foreign_keys` and the 5 s `busy_timeout` are sqlx's defaults
/// too, set again here so that the schema's guarantees do not hang on a library default.
/// `synchronous = NORMAL` is safe in WAL mode: a power cut may lose the last commits but never
/// corrupts the database.
/// Public so that benchmarks and tools open SQLite exactly as the store does.
///
/// Reads go through a memory map of up to 2 GiB of the file (SQLite's own limit): a B-tree
/// search then touches mapped pages instead of copying each page out of the OS cache with a
/// system call, which is most of a stored-tree proof's and a ledger verification's cost.
///
/// A new file gets 8 KiB pages: an item version's content (about 4.3 KB of JSON) then fits
/// in its row's page instead of spilling into an overflow page, which made publishing a
/// 100,000-item list about a third faster (`docs/performance.md`). The setting is ignored
/// for a file that already exists.
pub const SQLITE_CONNECTION_PRAGMAS: [&str; 5] = [
    "PRAGMA page_size = 8192",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA mmap_size = 2147418112",
];
/// WAL lets readers run while a writer commits. It is a property of the file, so it is set once.
const SQLITE_WAL: &str = "PRAGMA journal_mode = WAL";
/// Settings of the store's own (writing) connections to a SQLite file, after
/// `SQLITE_CONNECTION_PRAGMAS`:
/// - no automatic checkpoint: checkpoints are the checkpoint thread's (see `checkpoint`),
///   so that no commit waits for the log to be copied into the file;
/// - a page cache of up to 128 MiB (the default is 2 MiB): a large write keeps its index
///   pages in memory instead of spilling them to the log mid-transaction and reading them
///   back. It is an upper bound, reached only by a connection that wrote a large
///   transaction; the read-only connections (`direct`) keep the default;
/// - the log file cut back to 64 MiB when it starts over, so that one large write does not
///   leave a log of its size on disk.
pub(crate) const SQLITE_WRITER_PRAGMAS: [&str; 3] = [
    "PRAGMA wal_autocheckpoint = 0",
    "PRAGMA cache_size = -131072",
    "PRAGMA journal_size_limit = 67108864",
];

/// The store over an `Any` pool.
pub(crate) struct SqlStore {
    pool: AnyPool,
    /// The stored tree's reads on a SQLite file, run in place (see `direct`).
    direct: Option<Arc<DirectReader>>,
    /// Checkpoints a SQLite file's log after commits, off the writers' path.
    checkpointer: Option<Checkpointer>,
    backend: Backend,
    /// The ledger's hash, fixed when the ledger was created.
    alg: HashAlg,
    /// SQLite admits one writer at a time. Queueing this process's writers here (FIFO, no
    /// polling) is cheaper than letting them retry in SQLite's sleeping busy handler;
    /// `BEGIN IMMEDIATE` still guards against writers in other processes. PostgreSQL writers
    /// queue on the `event_head` row lock instead, so this lock is not taken there.
    sqlite_writer: Mutex<()>,
    /// A lower bound of the integrated ledger size (it only grows), so that proofs skip the
    /// integrator when their nodes are already stored.
    integrated: AtomicU64,
    /// The upper levels of the stored tree, read once and kept (complete nodes never change).
    upper: std::sync::RwLock<ledger::UpperNodes>,
    /// The nodes of the last, partial tile, for the integrated size they were read at.
    edge: std::sync::RwLock<Option<(u64, EdgeNodes)>>,
}

/// The nodes of the last, partial tile, shared with the proofs that read them.
type EdgeNodes = Arc<HashMap<NodeId, Hash>>;

/// Leaves the integrator adds per transaction: about 2 rows each, so one transaction stays
/// near a second of work and a few MiB of WAL.
const INTEGRATE_BATCH: i64 = 20_000;

/// Opens (creating if needed) the database at `url` and runs its migrations.
pub(crate) async fn open(url: &str, options: ConnectOptions) -> Result<SqlStore, StoreError> {
    // Idempotent (guarded by a `Once` inside sqlx).
    sqlx::any::install_default_drivers();
    let backend = backend_of(url)?;
    let (pool, sqlite_file) = match backend {
        Backend::Sqlite => open_sqlite(url).await?,
        Backend::Postgres => (
            AnyPoolOptions::new().max_connections(POSTGRES_MAX_CONNECTIONS).connect(url).await?,
            None,
        ),
    };
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
    }
    sqlx::query(ledger::INSERT_META)
        .bind(options.ledger_hash.name())
        .bind(instant_text(Utc::now()))
        .execute(&pool)
        .await?;
    let alg_name: String = sqlx::query_scalar(ledger::SELECT_META).fetch_one(&pool).await?;
    let alg: HashAlg = alg_name
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("ledger_meta: unknown hash {alg_name:?}")))?;
    // Opened after the migrations, so the reader sees the schema it reads.
    let direct =
        sqlite_file.as_deref().map(|path| DirectReader::open(path).map(Arc::new)).transpose()?;
    let checkpointer = sqlite_file.as_deref().map(Checkpointer::start).transpose()?;
    let store = SqlStore {
        direct,
        checkpointer,
        pool,
        backend,
        alg,
        sqlite_writer: Mutex::new(()),
        integrated: AtomicU64::new(0),
        upper: std::sync::RwLock::new(ledger::UpperNodes::default()),
        edge: std::sync::RwLock::new(None),
    };
    store.backfill_ledger().await?;
    // The migrations and the backfill wrote without checkpoints.
    store.written();
    Ok(store)
}

/// The backend a URL names, or `Url` naming the supported schemes.
pub(crate) fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        // Only the scheme is echoed: the rest of a URL may hold a password.
        let scheme = url.split_once(':').map_or("(none)", |(scheme, _)| scheme);
        Err(StoreError::Url(format!(
            "scheme {scheme:?} is not supported; use sqlite://PATH, postgres://... or postgresql://..."
        )))
    }
}

/// The pool, and the file's path unless the database is in memory.
async fn open_sqlite(url: &str) -> Result<(AnyPool, Option<std::path::PathBuf>), StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path == ":memory:" || path.is_empty() || query.contains("mode=memory");
    if !in_memory
        && let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            sqlx::Error::Io(std::io::Error::new(
                e.kind(),
                format!("creating the database directory {}: {e}", parent.display()),
            ))
        })?;
    }
    // `mode=rwc` creates the file when it is missing (sqlx's URL parser knows no other way).
    let url = if in_memory || query.contains("mode=") {
        url.to_owned()
    } else if query.is_empty() {
        format!("{url}?mode=rwc")
    } else {
        format!("{url}&mode=rwc")
    };
    // No ping before each acquire: the connection lives in this process (a worker thread),
    // and a ping is one more round trip to that thread on every query — a stored-tree proof's
    // largest cost on two cores.
    let mut options =
        AnyPoolOptions::new().test_before_acquire(false).after_connect(move |conn, _meta| {
            Box::pin(async move {
                for pragma in SQLITE_CONNECTION_PRAGMAS {
                    sqlx::query(pragma).execute(&mut *conn).await?;
                }
                if !in_memory {
                    for pragma in SQLITE_WRITER_PRAGMAS {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                }
                Ok(())
            })
        });
    options = if in_memory {
        // Every connection to `:memory:` is its own empty database: keep exactly one, forever.
        options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
    } else {
        options.max_connections(SQLITE_MAX_CONNECTIONS)
    };
    let pool = options.connect(&url).await?;
    if !in_memory {
        sqlx::query(SQLITE_WAL).execute(&pool).await?;
    }
    Ok((pool, (!in_memory).then(|| std::path::PathBuf::from(path))))
}

/// Maps a failed statement: a unique violation becomes `Conflict(conflict)`, a foreign-key
/// violation or a missing row `NotFound(missing)`, anything else stays a database error.
fn violation(err: sqlx::Error, conflict: &str, missing: &str) -> StoreError {
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
struct WriteTx<'s> {
    tx: Transaction<'static, Any>,
    seq: i64,
    leaves: i64,
    frontier: String,
    alg: HashAlg,
    /// Woken after the commit.
    checkpointer: Option<&'s Checkpointer>,
    /// Declared after `tx` so that the transaction is dropped (rolled back) before the next
    /// writer is let in.
    _writer: Option<MutexGuard<'s, ()>>,
}

impl WriteTx<'_> {
    /// The connection to write through.
    fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Records the event and commits if `res` is `Ok`; rolls everything back otherwise.
    async fn finish(
        mut self,
        res: Result<(), StoreError>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let res = match res {
            Ok(()) => {
                ledger::append(&mut self.tx, self.alg, self.seq, self.leaves, &self.frontier, &ev)
                    .await
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

impl SqlStore {
    /// Begins a write: takes the writer slot and the next event number.
    async fn begin_write(&self) -> Result<WriteTx<'_>, StoreError> {
        let (writer, mut tx) = match self.backend {
            Backend::Sqlite => {
                let writer = self.sqlite_writer.lock().await;
                // IMMEDIATE takes the write lock now (waiting up to busy_timeout for other
                // processes) instead of failing with SQLITE_BUSY when a read upgrades.
                (Some(writer), self.pool.begin_with("BEGIN IMMEDIATE").await?)
            }
            Backend::Postgres => (None, self.pool.begin().await?),
        };
        let lock = match self.backend {
            Backend::Sqlite => ledger::LOCK_HEAD_SQLITE,
            Backend::Postgres => ledger::LOCK_HEAD_POSTGRES,
        };
        let (last, leaves, frontier): (i64, i64, String) =
            sqlx::query_as(lock).fetch_one(&mut *tx).await?;
        Ok(WriteTx {
            tx,
            seq: last + 1,
            leaves,
            frontier,
            alg: self.alg,
            checkpointer: self.checkpointer.as_ref(),
            _writer: writer,
        })
    }

    /// After a commit outside `WriteTx`: asks for a checkpoint of the log (SQLite files).
    fn written(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.wake();
        }
    }

    /// Begins a read-only transaction that sees one consistent state across its statements.
    async fn begin_read(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.backend {
            // A deferred SQLite transaction reads from one WAL snapshot from its first SELECT.
            Backend::Sqlite => self.pool.begin().await?,
            // READ COMMITTED (the default) would give each statement its own snapshot.
            Backend::Postgres => {
                self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?
            }
        })
    }

    /// The first of `ids` that is not a stored unit.
    async fn first_missing_unit(
        &self,
        conn: &mut AnyConnection,
        ids: &BTreeSet<UnitId>,
    ) -> Result<Option<UnitId>, StoreError> {
        if ids.is_empty() {
            // Nothing to look up: save the round trip (most accounts hold county-wide roles).
            return Ok(None);
        }
        let wanted: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
        let found: Vec<(String,)> =
            select_in(conn, self.backend, "SELECT id FROM units WHERE id IN ", "", &wanted).await?;
        let found: HashSet<String> = found.into_iter().map(|(id,)| id).collect();
        Ok(ids.iter().find(|id| !found.contains(&id.to_string())).copied())
    }

    async fn require_units(
        &self,
        conn: &mut AnyConnection,
        ids: &BTreeSet<UnitId>,
    ) -> Result<(), StoreError> {
        match self.first_missing_unit(conn, ids).await? {
            Some(id) => Err(StoreError::NotFound(format!("unit {id}"))),
            None => Ok(()),
        }
    }

    async fn require_region(&self, conn: &mut AnyConnection, code: &str) -> Result<(), StoreError> {
        let found: Option<(String,)> =
            sqlx::query_as(SELECT_REGION_CODE).bind(code).fetch_optional(conn).await?;
        match found {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound(format!("region {code}"))),
        }
    }

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

    async fn load_user(
        &self,
        conn: &mut AnyConnection,
        row: UserRow,
    ) -> Result<UserRecord, StoreError> {
        let roles: Vec<RoleRow> =
            sqlx::query_as(SELECT_ROLES).bind(row.id.as_str()).fetch_all(conn).await?;
        row.into_record(roles)
    }

    async fn save_draft_in(
        &self,
        conn: &mut AnyConnection,
        draft: &DraftWrite,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
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

    async fn publish_in(
        &self,
        conn: &mut AnyConnection,
        version: ListVersionId,
        effective: NaiveDate,
        doc_no: &DocNo,
    ) -> Result<(), StoreError> {
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

    async fn discard_in(
        &self,
        conn: &mut AnyConnection,
        version: ListVersionId,
    ) -> Result<(), StoreError> {
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

    async fn create_user_in(
        &self,
        conn: &mut AnyConnection,
        user: &UserRecord,
    ) -> Result<(), StoreError> {
        let units: BTreeSet<UnitId> = user.roles.iter().filter_map(|grant| grant.unit).collect();
        self.require_units(conn, &units).await?;
        let id = user.id.to_string();
        sqlx::query(INSERT_USER)
            .bind(id.as_str())
            .bind(user.username.as_str())
            .bind(user.display_name.as_str())
            .bind(user.password_hash.as_str())
            .bind(i64::from(user.failed_logins))
            .bind(user.locked_until.map(instant_text))
            .execute(&mut *conn)
            .await
            .map_err(|e| {
                violation(e, &format!("user name {} or id {id} is taken", user.username), "user")
            })?;
        insert_rows(
            conn,
            self.backend,
            INSERT_ROLES,
            "",
            4,
            user.roles.iter().enumerate(),
            |row, (i, grant)| {
                row.bind(id.as_str())
                    .bind(i as i64)
                    .bind(grant.role.code())
                    .bind(grant.unit.map(|u| u.to_string()));
            },
        )
        .await
        .map_err(|e| violation(e, "role position taken", "a role's unit"))?;
        Ok(())
    }
}

const SELECT_REGION_CODE: &str = "SELECT code FROM regions WHERE code = $1";
const SELECT_VERSION_STATE: &str = "SELECT list_id, status FROM list_versions WHERE id = $1";
const SELECT_LIST_ID: &str = "SELECT id FROM lists WHERE id = $1";
const UPDATE_DRAFT_NUMBER: &str = "UPDATE list_versions SET number = $2 WHERE id = $1";
const DELETE_ENTRIES: &str = "DELETE FROM list_entries WHERE version_id = $1";
const DELETE_OVERRIDES: &str = "DELETE FROM list_overrides WHERE version_id = $1";
const INSERT_DRAFT: &str =
    "INSERT INTO list_versions (id, list_id, number, status) VALUES ($1, $2, $3, $4)";
const SELECT_ITEM_VERSION_KEYS: &str =
    "SELECT item_id, number FROM item_versions WHERE item_id IN ";
const SELECT_ITEM_IDS: &str = "SELECT id FROM items WHERE id IN ";
const SELECT_ITEM_VERSIONS_IN: &str =
    "SELECT item_id, number, content FROM item_versions WHERE item_id IN ";
const INSERT_ITEMS: &str = "INSERT INTO items (id, created_at) VALUES ";
const ON_CONFLICT_ITEMS: &str = " ON CONFLICT (id) DO NOTHING";
const INSERT_ITEM_VERSIONS: &str =
    "INSERT INTO item_versions (item_id, number, name, category, holder, content) VALUES ";
const ON_CONFLICT_ITEM_VERSIONS: &str = " ON CONFLICT (item_id, number) DO NOTHING";
const INSERT_ENTRIES: &str = "INSERT INTO list_entries (version_id, position, item_id, item_version, duty_kind, counterpart) VALUES ";
const INSERT_OVERRIDES: &str = "INSERT INTO list_overrides (version_id, position, target_kind, target_tag, \
     target_unit, change_kind, item_id, item_version, duty_kind, counterpart, reason) VALUES ";
const SELECT_LATEST_EFFECTIVE: &str =
    "SELECT MAX(effective_from) FROM list_versions WHERE list_id = $1 AND status <> 'draft'";
const SUPERSEDE: &str = "UPDATE list_versions SET status = 'superseded', effective_until = $2 \
     WHERE list_id = $1 AND status = 'published'";
const PUBLISH: &str =
    "UPDATE list_versions SET status = 'published', effective_from = $2, doc_no = $3 WHERE id = $1";
const DELETE_VERSION: &str = "DELETE FROM list_versions WHERE id = $1";
const INSERT_USER: &str = "INSERT INTO users (id, username, display_name, password_hash, failed_logins, \
     locked_until) VALUES ($1, $2, $3, $4, $5, $6)";
const INSERT_ROLES: &str = "INSERT INTO user_roles (user_id, position, role, unit_id) VALUES ";
const SELECT_ROLES: &str =
    "SELECT role, unit_id FROM user_roles WHERE user_id = $1 ORDER BY position";

const UPSERT_REGIONS: &str = "INSERT INTO regions (code, name, level, parent) VALUES ";
const ON_CONFLICT_REGIONS: &str = " ON CONFLICT (code) DO UPDATE SET name = excluded.name";
const SELECT_REGIONS: &str = "SELECT code, name FROM regions ORDER BY code";
const INSERT_UNIT: &str = "INSERT INTO units (id, name, kind, region, credit_code, parent, tags) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const UPDATE_UNIT: &str = "UPDATE units SET name = $2, kind = $3, region = $4, credit_code = $5, \
     parent = $6, tags = $7 WHERE id = $1";
const SELECT_UNITS: &str = "SELECT id, name, kind, region, credit_code, parent, tags FROM units";
const SELECT_UNIT: &str =
    "SELECT id, name, kind, region, credit_code, parent, tags FROM units WHERE id = $1";
const INSERT_LIST: &str = "INSERT INTO lists (id, name, scope_kind, scope_unit, scope_county) VALUES ($1, $2, $3, $4, $5)";
const SELECT_LISTS: &str = "SELECT id, name, scope_kind, scope_unit, scope_county FROM lists";
const SELECT_LIST: &str =
    "SELECT id, name, scope_kind, scope_unit, scope_county FROM lists WHERE id = $1";
const SELECT_VERSIONS_OF_LIST: &str = "SELECT id, list_id, number, status, effective_from, effective_until, \
     doc_no FROM list_versions WHERE list_id = $1 ORDER BY number";
const SELECT_ENTRIES_OF_LIST: &str = "SELECT e.version_id, e.item_id, e.item_version, e.duty_kind, \
     e.counterpart FROM list_entries e JOIN list_versions v ON v.id = e.version_id WHERE v.list_id = $1 \
     ORDER BY e.version_id, e.position";
const SELECT_OVERRIDES_OF_LIST: &str = "SELECT o.version_id, o.position, o.target_kind, o.target_tag, \
     o.target_unit, o.change_kind, o.item_id, o.item_version, o.duty_kind, o.counterpart, o.reason \
     FROM list_overrides o JOIN list_versions v ON v.id = o.version_id WHERE v.list_id = $1 \
     ORDER BY o.version_id, o.position";
const SELECT_VERSION: &str = "SELECT id, list_id, number, status, effective_from, effective_until, doc_no \
     FROM list_versions WHERE id = $1";
const SELECT_ENTRIES_OF_VERSION: &str = "SELECT version_id, item_id, item_version, duty_kind, counterpart \
     FROM list_entries WHERE version_id = $1 ORDER BY position";
const SELECT_OVERRIDES_OF_VERSION: &str = "SELECT version_id, position, target_kind, target_tag, target_unit, \
     change_kind, item_id, item_version, duty_kind, counterpart, reason FROM list_overrides \
     WHERE version_id = $1 ORDER BY position";
const SELECT_ITEM_HISTORY: &str =
    "SELECT item_id, number, content FROM item_versions WHERE item_id = $1 ORDER BY number";
const SELECT_ALL_VERSIONS: &str = "SELECT id, list_id, number, status, effective_from, effective_until, \
     doc_no FROM list_versions ORDER BY list_id, number";
const SELECT_ALL_ENTRIES: &str = "SELECT version_id, item_id, item_version, duty_kind, counterpart \
     FROM list_entries ORDER BY version_id, position";
const SELECT_ALL_OVERRIDES: &str = "SELECT version_id, position, target_kind, target_tag, target_unit, \
     change_kind, item_id, item_version, duty_kind, counterpart, reason FROM list_overrides \
     ORDER BY version_id, position";
/// Item versions some list version pins, plus the latest version of every item. The indexes on
/// (item_id, item_version) of entries and overrides make each probe an index lookup.
const SELECT_SNAPSHOT_ITEMS: &str = "SELECT iv.item_id, iv.number, iv.content FROM item_versions iv \
     WHERE EXISTS (SELECT 1 FROM list_entries e WHERE e.item_id = iv.item_id AND e.item_version = iv.number) \
     OR EXISTS (SELECT 1 FROM list_overrides o WHERE o.item_id = iv.item_id AND o.item_version = iv.number) \
     OR iv.number = (SELECT MAX(m.number) FROM item_versions m WHERE m.item_id = iv.item_id) \
     ORDER BY iv.item_id, iv.number";
const SELECT_USER_BY_NAME: &str = "SELECT id, username, display_name, password_hash, failed_logins, \
     locked_until FROM users WHERE username = $1";
const SELECT_USER_BY_ID: &str = "SELECT id, username, display_name, password_hash, failed_logins, \
     locked_until FROM users WHERE id = $1";
const SELECT_USER_BY_TOKEN: &str = "SELECT u.id, u.username, u.display_name, u.password_hash, \
     u.failed_logins, u.locked_until FROM users u JOIN api_tokens t ON t.user_id = u.id \
     WHERE t.token_hash = $1";
const LOGIN_SUCCEEDED: &str =
    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1";
const LOGIN_FAILED: &str = "UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1";
const INSERT_TOKEN: &str =
    "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)";
pub(crate) const SELECT_EVENTS: &str = "SELECT seq, at, actor, unit, kind, subject, payload, commitment FROM events \
     WHERE seq > $1 ORDER BY seq LIMIT $2";
/// Leaf hashes as written with their events (`seq` is the leaf index plus one).
const SELECT_LEAVES: &str = "SELECT seq - 1, leaf_hash FROM events \
     WHERE seq > $1 AND seq <= $2 AND leaf_hash IS NOT NULL ORDER BY seq";
/// Integrated leaves are found through the hash index; the tail not yet integrated (small:
/// the integrator runs every half second) by a range scan of its event rows.
const SELECT_LEAF_BY_HASH: &str =
    "SELECT idx FROM ledger_nodes WHERE level = 0 AND hash = $1 ORDER BY idx LIMIT 1";
const SELECT_TAIL_LEAF_BY_HASH: &str = "SELECT seq - 1 FROM events \
     WHERE seq > $1 AND leaf_hash = $2 ORDER BY seq LIMIT 1";
const UPSERT_LAW: &str = "INSERT INTO laws (id, title, level, issuer, in_force_from, \
     in_force_until, amended_by, repealed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (id) DO UPDATE SET title = excluded.title, level = excluded.level, \
     issuer = excluded.issuer, in_force_from = excluded.in_force_from, \
     in_force_until = excluded.in_force_until, amended_by = excluded.amended_by, \
     repealed_by = excluded.repealed_by";
const SELECT_LAWS: &str = "SELECT id, title, level, issuer, in_force_from, in_force_until, \
     amended_by, repealed_by FROM laws ORDER BY in_force_from, id";
const INSERT_GRANT: &str =
    "INSERT INTO grants (id, item, from_unit, batch, doc) VALUES ($1, $2, $3, $4, $5)";
const UPSERT_READINESS: &str = "INSERT INTO readiness (grant_id, town, doc) VALUES ($1, $2, $3) \
     ON CONFLICT (grant_id, town) DO UPDATE SET doc = excluded.doc";
const INSERT_RECLAIM: &str =
    "INSERT INTO reclaims (id, grant_id, town, doc) VALUES ($1, $2, $3, $4)";
const SELECT_GRANTS: &str = "SELECT doc FROM grants ORDER BY id";
const SELECT_READINESS: &str = "SELECT doc FROM readiness ORDER BY grant_id, town";
const SELECT_RECLAIMS: &str = "SELECT doc FROM reclaims ORDER BY id";
const UPSERT_ESTABLISHMENT: &str = "INSERT INTO establishment (id, doc) VALUES (1, $1) \
     ON CONFLICT (id) DO UPDATE SET doc = excluded.doc";
const SELECT_ESTABLISHMENT: &str = "SELECT doc FROM establishment WHERE id = 1";
const INSERT_CHANGE_SET: &str = "INSERT INTO change_sets (id, title, stage, rev, doc, updated_at) \
     VALUES ($1, $2, $3, 1, $4, $5)";
const UPDATE_CHANGE_SET: &str = "UPDATE change_sets SET title = $2, stage = $3, rev = rev + 1, \
     doc = $4, updated_at = $5 WHERE id = $1 AND rev = $6";
const SELECT_CHANGE_SET_REV: &str = "SELECT rev FROM change_sets WHERE id = $1";
const SELECT_CHANGE_SETS: &str = "SELECT doc, rev FROM change_sets ORDER BY id DESC";
pub(crate) const SELECT_CHANGE_SET: &str = "SELECT doc, rev FROM change_sets WHERE id = $1";
const INSERT_CHANGES: &str = "INSERT INTO change_set_changes (set_id, position, list_id, item_id, \
     action, base, duty_kind, counterpart, reason, basis, content) VALUES ";
const DELETE_CHANGES: &str = "DELETE FROM change_set_changes WHERE set_id = $1";
pub(crate) const SELECT_CHANGES_OF: &str = "SELECT position, list_id, item_id, action, base, duty_kind, \
     counterpart, reason, basis, content FROM change_set_changes WHERE set_id = $1 ORDER BY position";
const SELECT_ALL_CHANGES: &str = "SELECT set_id, position, list_id, item_id, action, base, \
     duty_kind, counterpart, reason, basis, content FROM change_set_changes ORDER BY set_id, position";
const SELECT_INTEGRATED: &str = "SELECT size, frontier FROM ledger_integrated WHERE id = 1";
const SELECT_INTEGRATED_SIZE: &str = "SELECT size FROM ledger_integrated WHERE id = 1";
const SELECT_LEAVES_TO_INTEGRATE: &str =
    "SELECT seq, leaf_hash FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq";
const INSERT_CHECKPOINT: &str = "INSERT INTO checkpoints (size, root, note, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING";
const SELECT_CHECKPOINTS: &str =
    "SELECT size, root, note, created_at FROM checkpoints ORDER BY size";
const SELECT_LATEST_CHECKPOINT: &str =
    "SELECT size, root, note, created_at FROM checkpoints ORDER BY size DESC LIMIT 1";
const UPSERT_COSIGNATURE: &str = "INSERT INTO cosignatures (size, witness, line, created_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line, \
     created_at = excluded.created_at";
const SELECT_COSIGNATURES: &str = "SELECT line FROM cosignatures WHERE size = $1 ORDER BY witness";
const SELECT_PERSONAL: &str = "SELECT salt, data FROM event_personal WHERE seq = $1";
const DELETE_PERSONAL: &str = "DELETE FROM event_personal WHERE seq = $1";
const SELECT_EVENT_COUNT: &str = "SELECT last_seq FROM event_head WHERE id = 1";

/// Units sorted by name in Rust rather than `ORDER BY`: PostgreSQL sorts text by the server's
/// collation and SQLite by bytes, and the two orders differ for Chinese names.
fn sort_units(units: &mut [Unit]) {
    units.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn put_law(&self, law: &quanze_core::Law, ev: NewEvent) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let level = serde_json::to_value(law.level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let res = sqlx::query(UPSERT_LAW)
            .bind(law.id.to_string())
            .bind(law.title.as_str())
            .bind(level)
            .bind(law.issuer.as_str())
            .bind(date_text(law.in_force_from))
            .bind(law.in_force_until.map(date_text))
            .bind(law.amended_by.map(|l| l.to_string()))
            .bind(law.repealed_by.map(|l| l.to_string()))
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| {
                violation(
                    e,
                    &format!("{} in force from {} is registered", law.title, law.in_force_from),
                    "the amending or repealing law",
                )
            });
        w.finish(res, ev).await
    }

    async fn laws(&self) -> Result<Vec<quanze_core::Law>, StoreError> {
        let rows: Vec<LawRow> = sqlx::query_as(SELECT_LAWS).fetch_all(&self.pool).await?;
        rows.into_iter().map(quanze_core::Law::try_from).collect()
    }

    async fn laws_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<quanze_core::Law>), StoreError> {
        crate::laws_page::laws_page(&self.pool, offset, limit).await
    }

    async fn put_grant(
        &self,
        grant: &quanze_core::Grant,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = sqlx::query(INSERT_GRANT)
            .bind(grant.id.to_string())
            .bind(grant.item.to_string())
            .bind(grant.from.to_string())
            .bind(grant.batch.as_str())
            .bind(document(grant)?)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| {
                violation(e, &format!("grant {} exists", grant.id), "the granting department")
            });
        w.finish(res, ev).await
    }

    async fn put_readiness(
        &self,
        readiness: &quanze_core::Readiness,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = sqlx::query(UPSERT_READINESS)
            .bind(readiness.grant.to_string())
            .bind(readiness.town.to_string())
            .bind(document(readiness)?)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| violation(e, "readiness", "the grant or the town"));
        w.finish(res, ev).await
    }

    async fn put_reclaim(
        &self,
        reclaim: &quanze_core::Reclaim,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = sqlx::query(INSERT_RECLAIM)
            .bind(reclaim.id.to_string())
            .bind(reclaim.grant.to_string())
            .bind(reclaim.town.to_string())
            .bind(document(reclaim)?)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| {
                violation(e, &format!("reclaim {} exists", reclaim.id), "the grant or the town")
            });
        w.finish(res, ev).await
    }

    async fn put_establishment(
        &self,
        establishment: &quanze_core::Establishment,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = sqlx::query(UPSERT_ESTABLISHMENT)
            .bind(document(establishment)?)
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(StoreError::from);
        w.finish(res, ev).await
    }

    async fn put_change_set(
        &self,
        set: &ChangeSet,
        write: ChangeSetWrite,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = write_change_set(w.conn(), self.backend, set, write, ev.at).await;
        w.finish(res, ev).await
    }

    async fn change_sets(&self) -> Result<Vec<StoredChangeSet>, StoreError> {
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
        let mut w = self.begin_write().await?;
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

    async fn put_regions(&self, regions: &[Region], ev: NewEvent) -> Result<Receipt, StoreError> {
        // One row per code (the last wins): PostgreSQL refuses to upsert a row twice in one
        // statement.
        let by_code: BTreeMap<&str, &Region> =
            regions.iter().map(|r| (r.code.as_str(), r)).collect();
        let mut w = self.begin_write().await?;
        let res = insert_rows(
            w.conn(),
            self.backend,
            UPSERT_REGIONS,
            ON_CONFLICT_REGIONS,
            4,
            by_code.values(),
            |row, r| {
                row.bind(r.code.as_str())
                    .bind(r.name.as_str())
                    .bind(region_level_code(r.level()))
                    .bind(r.parent().map(String::from));
            },
        )
        .await
        .map(|_| ())
        .map_err(StoreError::from);
        w.finish(res, ev).await
    }

    async fn regions(&self) -> Result<Vec<Region>, StoreError> {
        let rows: Vec<RegionRow> = sqlx::query_as(SELECT_REGIONS).fetch_all(&self.pool).await?;
        rows.into_iter().map(Region::try_from).collect()
    }

    async fn create_unit(&self, unit: &Unit, ev: NewEvent) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = self.write_unit(w.conn(), unit, INSERT_UNIT).await;
        w.finish(res, ev).await
    }

    async fn update_unit(&self, unit: &Unit, ev: NewEvent) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = self.write_unit(w.conn(), unit, UPDATE_UNIT).await;
        w.finish(res, ev).await
    }

    async fn units(&self) -> Result<Vec<Unit>, StoreError> {
        let rows: Vec<UnitRow> = sqlx::query_as(SELECT_UNITS).fetch_all(&self.pool).await?;
        let mut units = rows.into_iter().map(Unit::try_from).collect::<Result<Vec<_>, _>>()?;
        sort_units(&mut units);
        Ok(units)
    }

    async fn unit(&self, id: UnitId) -> Result<Unit, StoreError> {
        let row: Option<UnitRow> =
            sqlx::query_as(SELECT_UNIT).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.ok_or_else(|| StoreError::NotFound(format!("unit {id}")))?.try_into()
    }

    async fn create_list(&self, list: &PowerList, ev: NewEvent) -> Result<Receipt, StoreError> {
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
        let row: Option<ListRow> =
            sqlx::query_as(SELECT_LIST).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.ok_or_else(|| StoreError::NotFound(format!("list {id}")))?.try_into()
    }

    async fn save_draft(&self, draft: &DraftWrite, ev: NewEvent) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
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
        let mut w = self.begin_write().await?;
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
        let rows: Vec<ItemVersionRow> =
            sqlx::query_as(SELECT_ITEM_HISTORY).bind(id.to_string()).fetch_all(&self.pool).await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(format!("item {id}")));
        }
        rows.into_iter().map(PowerItem::try_from).collect()
    }

    async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        // Seven queries in one consistent read, whatever the number of lists and versions.
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

    async fn create_user(&self, user: &UserRecord, ev: NewEvent) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = self.create_user_in(w.conn(), user).await;
        w.finish(res, ev).await
    }

    async fn user_by_name(&self, name: &Username) -> Result<Option<UserRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<UserRow> = sqlx::query_as(SELECT_USER_BY_NAME)
            .bind(name.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => Ok(Some(self.load_user(&mut conn, row).await?)),
            None => Ok(None),
        }
    }

    async fn user(&self, id: UserId) -> Result<UserRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<UserRow> = sqlx::query_as(SELECT_USER_BY_ID)
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
        self.load_user(&mut conn, row).await
    }

    async fn record_login(
        &self,
        user: UserId,
        success: bool,
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = async {
            let query = if success {
                sqlx::query(LOGIN_SUCCEEDED).bind(user.to_string())
            } else {
                sqlx::query(LOGIN_FAILED)
                    .bind(user.to_string())
                    .bind(i64::from(failures))
                    .bind(locked_until.map(instant_text))
            };
            let done = query.execute(w.conn()).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(format!("user {user}")));
            }
            Ok(())
        }
        .await;
        w.finish(res, ev).await
    }

    async fn create_token(
        &self,
        user: UserId,
        token_hash: &str,
        name: &str,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        let mut w = self.begin_write().await?;
        let res = sqlx::query(INSERT_TOKEN)
            .bind(token_hash)
            .bind(user.to_string())
            .bind(name)
            .bind(instant_text(ev.at))
            .execute(w.conn())
            .await
            .map(|_| ())
            .map_err(|e| violation(e, "this token is already stored", &format!("user {user}")));
        w.finish(res, ev).await
    }

    async fn user_by_token(&self, token_hash: &str) -> Result<Option<UserRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row: Option<UserRow> = sqlx::query_as(SELECT_USER_BY_TOKEN)
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(row) => Ok(Some(self.load_user(&mut conn, row).await?)),
            None => Ok(None),
        }
    }

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
        let last: i64 = sqlx::query_scalar(SELECT_EVENT_COUNT).fetch_one(&self.pool).await?;
        u64::try_from(last)
            .map_err(|_| StoreError::Corrupt(format!("event_head: negative last_seq {last}")))
    }

    async fn ledger_head(&self) -> Result<LedgerHead, StoreError> {
        let (_, leaves, frontier): (i64, i64, String) = match &self.direct {
            Some(direct) => direct
                .rows3(ledger::SELECT_HEAD, &[])?
                .pop()
                .ok_or_else(|| StoreError::Corrupt("event_head: no row".into()))?,
            None => sqlx::query_as(ledger::SELECT_HEAD).fetch_one(&self.pool).await?,
        };
        let range = ledger::parse_frontier(self.alg, leaves, &frontier)?;
        Ok(LedgerHead { alg: self.alg, size: range.size(), root: range.root() })
    }

    async fn ledger_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError> {
        // Interior nodes exist once the integrator has passed the end of their subtree.
        let needed = ids
            .iter()
            .filter(|id| id.level > 0)
            .map(|id| {
                id.index.saturating_add(1).checked_shl(u32::from(id.level)).unwrap_or(u64::MAX)
            })
            .max()
            .unwrap_or(0);
        if needed > self.integrated.load(Ordering::Acquire) {
            self.integrate_ledger().await?;
        }
        // Nodes of the upper levels come from memory, read from the table the first time
        // they are asked for; a proof then reads only its few lowest levels from the table.
        let mut found = HashMap::new();
        let mut wanted = Vec::with_capacity(ids.len());
        let missing_upper = {
            let upper = self.upper.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut missing = false;
            for id in ids {
                match upper.get(*id) {
                    Some(hash) => {
                        found.insert(*id, hash);
                    }
                    None if id.level >= ledger::UpperNodes::FROM_LEVEL => {
                        missing = true;
                        wanted.push(*id);
                    }
                    None => wanted.push(*id),
                }
            }
            missing
        };
        if missing_upper {
            self.load_upper_nodes().await?;
            let upper = self.upper.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            wanted.retain(|id| match upper.get(*id) {
                Some(hash) => {
                    found.insert(*id, hash);
                    false
                }
                None => true,
            });
        }
        // The lowest levels come from tiles where their tile is complete and stored.
        let integrated = self.integrated.load(Ordering::Acquire);
        let complete_tiles = integrated / ledger::TILE_LEAVES;
        let mut tiles: BTreeMap<u64, Vec<NodeId>> = BTreeMap::new();
        wanted.retain(|id| match ledger::tile_slot(*id) {
            Some((tile, _)) if tile < complete_tiles => {
                tiles.entry(tile).or_default().push(*id);
                false
            }
            _ => true,
        });
        if !tiles.is_empty() {
            // A proof touches at most two tiles (its paths and the right edges of its sizes):
            // one prepared statement reads two.
            let keys: Vec<i64> =
                tiles.keys().map(|k| i64::try_from(*k).unwrap_or(i64::MAX)).collect();
            let mut rows: Vec<(i64, Vec<u8>)> = Vec::with_capacity(keys.len());
            for pair in keys.chunks(2) {
                let binds = [pair[0], pair[pair.len() - 1]];
                rows.extend(match &self.direct {
                    Some(direct) => direct.rows2(ledger::SELECT_TILES, &binds)?,
                    None => {
                        sqlx::query_as(ledger::SELECT_TILES)
                            .bind(binds[0])
                            .bind(binds[1])
                            .fetch_all(&self.pool)
                            .await?
                    }
                });
            }
            rows.dedup_by_key(|(tile, _)| *tile);
            for (tile, bytes) in rows {
                let Some(ids) = u64::try_from(tile).ok().and_then(|t| tiles.remove(&t)) else {
                    continue;
                };
                for id in ids {
                    let hash = ledger::tile_slot(id)
                        .and_then(|(_, slot)| ledger::tile_hash(&bytes, slot))
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "ledger_tiles {tile}: {} bytes, too short",
                                bytes.len()
                            ))
                        })?;
                    found.insert(id, hash);
                }
            }
            // Tiles not stored (a ledger integrated before tiles existed): read node rows.
            wanted.extend(tiles.into_values().flatten());
        }
        // The nodes of the last, partial tile are held for the integrated size they belong to.
        if wanted.iter().any(|id| ledger::is_edge_node(*id, integrated)) {
            let edge = self.edge_nodes(integrated).await?;
            wanted.retain(|id| match edge.get(id) {
                Some(hash) => {
                    found.insert(*id, *hash);
                    false
                }
                None => true,
            });
        }
        let ids = wanted.as_slice();
        // A proof reads at most about 2·log2(n) nodes; chunk anyway to stay under bind limits.
        for chunk in ids.chunks(400) {
            let mut sql = String::from("SELECT level, idx, hash FROM ledger_nodes WHERE ");
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(" OR ");
                }
                sql.push_str(&format!("(level = ${} AND idx = ${})", 2 * i + 1, 2 * i + 2));
            }
            // Only placeholders are formatted into the text; values are bound.
            let binds: Vec<i64> = chunk
                .iter()
                .flat_map(|id| [i64::from(id.level), i64::try_from(id.index).unwrap_or(i64::MAX)])
                .collect();
            found.extend(ledger::node_rows(self.node_query(sql, &binds).await?)?);
        }
        // Leaves not yet integrated are read from their event rows.
        let tail: Vec<i64> = ids
            .iter()
            .filter(|id| id.level == 0 && !found.contains_key(id))
            .filter_map(|id| i64::try_from(id.index).ok()?.checked_add(1))
            .collect();
        for chunk in tail.chunks(self.backend.max_binds()) {
            let mut stmt = Statement::new(
                self.backend,
                "SELECT CAST(0 AS BIGINT), seq - 1, leaf_hash FROM events WHERE leaf_hash IS NOT NULL AND seq IN ",
            );
            stmt.push_in_list(chunk.iter().copied());
            found.extend(ledger::node_rows(stmt.build_as().fetch_all(&self.pool).await?)?);
        }
        Ok(found)
    }

    async fn leaf_hashes(&self, start: u64, end: u64) -> Result<Vec<(u64, Hash)>, StoreError> {
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
        let size: i64 = sqlx::query_scalar(SELECT_INTEGRATED_SIZE).fetch_one(&self.pool).await?;
        let size = u64::try_from(size)
            .map_err(|_| StoreError::Corrupt(format!("ledger_integrated: size {size}")))?;
        self.integrated.fetch_max(size, Ordering::AcqRel);
        Ok(size)
    }

    async fn add_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), StoreError> {
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
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as(SELECT_CHECKPOINTS).fetch_all(&self.pool).await?;
        rows.into_iter().map(checkpoint_row).collect()
    }

    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
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
        let Ok(size) = i64::try_from(size) else { return Ok(Vec::new()) };
        Ok(sqlx::query_scalar(SELECT_COSIGNATURES).bind(size).fetch_all(&self.pool).await?)
    }

    async fn personal_data(
        &self,
        seq: u64,
    ) -> Result<Option<(String, serde_json::Value)>, StoreError> {
        let Ok(seq) = i64::try_from(seq) else { return Ok(None) };
        let row: Option<(String, String)> =
            sqlx::query_as(SELECT_PERSONAL).bind(seq).fetch_optional(&self.pool).await?;
        row.map(|(salt, data)| {
            serde_json::from_str(&data)
                .map(|d| (salt, d))
                .map_err(|e| StoreError::Corrupt(format!("event_personal {seq}: {e}")))
        })
        .transpose()
    }

    async fn erase_personal(&self, seq: u64, ev: NewEvent) -> Result<Receipt, StoreError> {
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
}

impl SqlStore {
    /// Node rows `(level, idx, hash)` of a query over integer binds: in place on a SQLite
    /// file, through the pool otherwise.
    async fn node_query(
        &self,
        sql: String,
        binds: &[i64],
    ) -> Result<Vec<(i64, i64, String)>, StoreError> {
        if let Some(direct) = &self.direct {
            return direct.rows3(&sql, binds);
        }
        let mut query = sqlx::query_as::<_, (i64, i64, String)>(sqlx::AssertSqlSafe(sql));
        for bind in binds {
            query = query.bind(*bind);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// The stored nodes of the last, partial tile of a tree of `integrated` leaves, from memory
    /// when they were read for this size already.
    async fn edge_nodes(&self, integrated: u64) -> Result<EdgeNodes, StoreError> {
        {
            let edge = self.edge.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((size, nodes)) = edge.as_ref()
                && *size == integrated
            {
                return Ok(Arc::clone(nodes));
            }
        }
        let (sql, binds) = ledger::tile_prefix_query(integrated / ledger::TILE_LEAVES, integrated);
        let nodes = Arc::new(ledger::node_rows(self.node_query(sql, &binds).await?)?);
        *self.edge.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((integrated, Arc::clone(&nodes)));
        Ok(nodes)
    }

    /// Reads the integrated nodes of the upper levels that memory does not hold yet (each
    /// level from the index after the last one held) and keeps them.
    async fn load_upper_nodes(&self) -> Result<(), StoreError> {
        let integrated = self.integrated.load(Ordering::Acquire);
        let starts = {
            let upper = self.upper.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            upper.next_indexes(integrated)
        };
        for (level, start) in starts {
            let binds = [i64::from(level), i64::try_from(start).unwrap_or(i64::MAX)];
            let rows = self.node_query(ledger::SELECT_LEVEL_FROM.to_owned(), &binds).await?;
            let mut nodes: Vec<(NodeId, Hash)> = ledger::node_rows(rows)?.into_iter().collect();
            nodes.sort_unstable_by_key(|(id, _)| id.index);
            let mut upper = self.upper.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            upper.extend(level, start, nodes.into_iter().map(|(id, h)| (id.index, h)));
        }
        Ok(())
    }

    /// Inserts or updates (by `sql`) one unit after checking its region and parent.
    async fn write_unit(
        &self,
        conn: &mut AnyConnection,
        unit: &Unit,
        sql: &'static str,
    ) -> Result<(), StoreError> {
        self.require_region(conn, unit.region.as_str()).await?;
        if let Some(parent) = unit.parent {
            self.require_units(conn, &BTreeSet::from([parent])).await?;
        }
        let tags = serde_json::to_string(&unit.tags)
            .map_err(|e| StoreError::Corrupt(format!("unit tags do not serialise: {e}")))?;
        let done = sqlx::query(sql)
            .bind(unit.id.to_string())
            .bind(unit.name.as_str())
            .bind(unit_kind_code(unit.kind))
            .bind(unit.region.as_str())
            .bind(unit.credit_code.as_ref().map(|c| c.as_str().to_owned()))
            .bind(unit.parent.map(|p| p.to_string()))
            .bind(tags)
            .execute(conn)
            .await
            .map_err(|e| {
                violation(
                    e,
                    &format!("a unit with id {} or name {} exists", unit.id, unit.name),
                    "the unit's region or parent",
                )
            })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("unit {}", unit.id)));
        }
        Ok(())
    }
}

fn checkpoint_row(row: (i64, String, String, String)) -> Result<StoredCheckpoint, StoreError> {
    let (size, root, note, at) = row;
    Ok(StoredCheckpoint {
        size: u64::try_from(size)
            .map_err(|_| StoreError::Corrupt(format!("checkpoints: size {size}")))?,
        root: Hash::from_hex(&root)
            .map_err(|e| StoreError::Corrupt(format!("checkpoints {size}: root {e}")))?,
        note,
        created_at: ledger::parse_at(&at)?,
    })
}

impl SqlStore {
    /// Gives leaf hashes to events written before the ledger existed (a database migrated
    /// from schema 0001) and moves the head over them, in one transaction. Their interior
    /// nodes are the integrator's.
    async fn backfill_ledger(&self) -> Result<(), StoreError> {
        let (last_seq, leaves, frontier): (i64, i64, String) =
            sqlx::query_as(ledger::SELECT_HEAD).fetch_one(&self.pool).await?;
        if leaves >= last_seq {
            return Ok(());
        }
        let _writer = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().await),
            Backend::Postgres => None,
        };
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let mut range = ledger::parse_frontier(self.alg, leaves, &frontier)?;
        let rows: Vec<EventRow> = sqlx::query_as(SELECT_EVENTS)
            .bind(leaves)
            .bind(last_seq - leaves)
            .fetch_all(&mut *tx)
            .await?;
        for row in rows {
            let event = Event::try_from(row)?;
            let leaf = self.alg.hash_leaf(&event.leaf_bytes());
            sqlx::query("UPDATE events SET leaf_hash = $1 WHERE seq = $2")
                .bind(leaf.to_hex())
                .bind(i64::try_from(event.seq).unwrap_or(i64::MAX))
                .execute(&mut *tx)
                .await?;
            range.push_leaf_hash(leaf);
        }
        let text = ledger::frontier_text(&range);
        sqlx::query("UPDATE event_head SET leaves = $1, frontier = $2 WHERE id = 1")
            .bind(i64::try_from(range.size()).unwrap_or(i64::MAX))
            .bind(text)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One integrator transaction: reads the leaf hashes of up to [`INTEGRATE_BATCH`] events
    /// past the integrated size, stores the copies of the leaves and every interior node they
    /// complete, and records the new size and frontier. On reaching the head it checks that
    /// the stored leaves give the head's root; if not, nothing is stored and the damage is for
    /// `quanze ledger verify` to name. Returns the integrated size and whether it is the
    /// head's.
    async fn integrate_batch(&self) -> Result<(u64, bool), StoreError> {
        let _writer = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().await),
            Backend::Postgres => None,
        };
        let (mut tx, lock) = match self.backend {
            Backend::Sqlite => (self.pool.begin_with("BEGIN IMMEDIATE").await?, SELECT_INTEGRATED),
            // Two integrators queue on this row; writers are not held up (they lock the head).
            Backend::Postgres => (
                self.pool.begin().await?,
                "SELECT size, frontier FROM ledger_integrated WHERE id = 1 FOR UPDATE",
            ),
        };
        let (size, frontier): (i64, String) = sqlx::query_as(lock).fetch_one(&mut *tx).await?;
        let (_, head_leaves, head_frontier): (i64, i64, String) =
            sqlx::query_as(ledger::SELECT_HEAD).fetch_one(&mut *tx).await?;
        let mut range = ledger::parse_frontier(self.alg, size, &frontier)?;
        if size >= head_leaves {
            tx.commit().await?;
            return Ok((range.size(), true));
        }
        let end = head_leaves.min(size + INTEGRATE_BATCH);
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as(SELECT_LEAVES_TO_INTEGRATE)
            .bind(size)
            .bind(end)
            .fetch_all(&mut *tx)
            .await?;
        let mut nodes = Vec::with_capacity(2 * rows.len());
        let mut tiles = ledger::TileBuilder::default();
        let start = range.size();
        if start % ledger::TILE_LEAVES != 0 {
            // The first tile was begun by an earlier batch: its nodes so far are in node rows.
            let (sql, binds) = ledger::tile_prefix_query(start / ledger::TILE_LEAVES, start);
            let mut query = sqlx::query_as::<_, (i64, i64, String)>(sqlx::AssertSqlSafe(sql));
            for bind in binds {
                query = query.bind(bind);
            }
            for (id, hash) in ledger::node_rows(query.fetch_all(&mut *tx).await?)? {
                tiles.add(id, &hash);
            }
        }
        for (seq, hash) in rows {
            let expected = range.size() + 1;
            if u64::try_from(seq).ok() != Some(expected) {
                return Err(StoreError::Corrupt(format!(
                    "ledger integration: event {expected} is missing (found {seq} next); run `quanze ledger verify`"
                )));
            }
            let hash = hash.ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "ledger integration: event {seq} has no leaf hash; run `quanze ledger verify`"
                ))
            })?;
            let leaf = Hash::from_hex(&hash).map_err(|e| {
                StoreError::Corrupt(format!("ledger integration: event {seq}: leaf_hash {e}"))
            })?;
            for (id, hash) in range.append(leaf) {
                tiles.add(id, &hash);
                nodes.push((id, hash));
            }
        }
        if i64::try_from(range.size()).ok() != Some(end) {
            return Err(StoreError::Corrupt(format!(
                "ledger integration: events end at {} but the ledger holds {head_leaves}; run `quanze ledger verify`",
                range.size()
            )));
        }
        let caught_up = end == head_leaves;
        if caught_up {
            let head = ledger::parse_frontier(self.alg, head_leaves, &head_frontier)?;
            if head.root() != range.root() {
                return Err(StoreError::Corrupt(format!(
                    "ledger integration: the stored leaves 1..={end} do not give the head's root; run `quanze ledger verify`"
                )));
            }
        }
        insert_rows(
            &mut tx,
            self.backend,
            "INSERT INTO ledger_nodes (level, idx, hash) VALUES ",
            "",
            3,
            nodes,
            |row, (id, hash)| {
                row.bind(i64::from(id.level))
                    .bind(i64::try_from(id.index).unwrap_or(i64::MAX))
                    .bind(hash.to_hex());
            },
        )
        .await?;
        for (tile, bytes) in tiles.complete() {
            sqlx::query(ledger::INSERT_TILE)
                .bind(i64::try_from(tile).unwrap_or(i64::MAX))
                .bind(bytes)
                .execute(&mut *tx)
                .await?;
        }
        let text = ledger::frontier_text(&range);
        sqlx::query("UPDATE ledger_integrated SET size = $1, frontier = $2 WHERE id = 1")
            .bind(end)
            .bind(text)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.written();
        Ok((range.size(), caught_up))
    }
}

/// Writes a change set (see [`Store::put_change_set`]): its workflow document, and its
/// changes as rows when the write says so.
async fn write_change_set(
    conn: &mut AnyConnection,
    backend: Backend,
    set: &ChangeSet,
    write: ChangeSetWrite,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
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
    flow: &'a quanze_core::changeset::Flow,
    rounds: &'a [quanze_core::OpinionRound],
    comments: &'a Option<quanze_core::opinion::CommentPeriod>,
    review: &'a Option<quanze_core::review::LegalReview>,
    published: &'a [ListVersionId],
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

/// A core value as a stored JSON document.
fn document<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("a document does not serialise: {e}")))
}

/// Stored JSON documents back as core values; `what` names them in the error.
fn documents<T: serde::de::DeserializeOwned>(
    what: &str,
    rows: Vec<(String,)>,
) -> Result<Vec<T>, StoreError> {
    rows.into_iter()
        .map(|(doc,)| {
            serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
        })
        .collect()
}
