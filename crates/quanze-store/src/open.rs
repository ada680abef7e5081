//! Opening the store: URL parsing, the SQLite or PostgreSQL pool, per-connection settings,
//! migrations, and [`SqlStore`], the one implementation of every store trait.
//!
//! Why one implementation, on sqlx's `Any` driver: the schema uses only portable types (text
//! and 64-bit integers) and the SQL only what both dialects accept (`$N` placeholders,
//! `ON CONFLICT`, `RETURNING`), so the backends differ in three places only, each a
//! `match self.backend`: how a write transaction begins and how a consistent read begins
//! ([`crate::tx`]), and the placeholder style of batched statements ([`crate::batch`]). Two
//! copies of every query would drift; the contract suite runs every query on both backends.
//!
//! A SQLite file is opened in WAL mode with foreign keys on, 8 KiB pages when new and a page
//! cache of up to 128 MiB on each writing connection. Besides the pool it gets read-only
//! rusqlite connections for the ledger's hot reads ([`crate::direct`]) and a thread of its own
//! that checkpoints the log after commits ([`crate::wal`]). `:memory:` keeps one connection
//! forever (each connection to it would be a new empty database). The migrations of
//! `migrations/sqlite` and `migrations/postgres` carry the same numbers and names (a test
//! checks), and opening runs them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use chrono::Utc;
use quanze_ledger::HashAlg;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use tokio::sync::Mutex;

use crate::direct::DirectReader;
use crate::group::GroupWriter;
use crate::ledger::{EdgeNodes, UpperNodes};
use crate::rows::instant_text;
use crate::wal::Checkpointer;
use crate::{Backend, ConnectOptions, Store, StoreError};

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
/// No memory map here: every page a connection touches through a map stays in the server's
/// resident set for as long as the connection lives, per connection, up to the map's size; with
/// a million cases that is gigabytes of RSS for reading random cases (issue 15's figure is
/// 300 MiB). Without one a read copies its pages out of the OS cache, and each connection's
/// own page cache stays at SQLite's 2 MiB. Only the ledger's direct reader maps the file
/// ([`SQLITE_READER_MMAP`]).
///
/// A new file gets 8 KiB pages: an item version's content (about 4.3 KB of JSON) then fits
/// in its row's page instead of spilling into an overflow page, which made publishing a
/// 100,000-item list about a third faster (`docs/performance.md`). The setting is ignored
/// for a file that already exists.
pub const SQLITE_CONNECTION_PRAGMAS: [&str; 4] = [
    "PRAGMA page_size = 8192",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
];
/// The ledger's direct reader ([`crate::direct`]) reads through a memory map of up to 2 GiB of
/// the file (SQLite's own limit): a B-tree search then touches mapped pages instead of copying
/// each page out of the OS cache with a system call, which is most of a stored-tree proof's
/// and a ledger verification's cost. The mapped pages count in the server's RSS (they are the
/// OS cache's, shared, and dropped under memory pressure); only the ledger's tables are read
/// through it.
pub(crate) const SQLITE_READER_MMAP: &str = "PRAGMA mmap_size = 2147418112";
/// Syncs the log at every commit, so that a commit that returned survives a power cut: the
/// group writer's setting always ([`crate::group`]), the pool's with `ConnectOptions::durable`.
pub(crate) const SQLITE_SYNCHRONOUS_FULL: &str = "PRAGMA synchronous = FULL";
/// WAL lets readers run while a writer commits. It is a property of the file, so it is set once.
const SQLITE_WAL: &str = "PRAGMA journal_mode = WAL";
/// The page cache of the store's connections to a SQLite file (16 MiB).
pub(crate) const SQLITE_CACHE: &str = "PRAGMA cache_size = -16384";
/// The page cache of a large write's transaction (a whole list saved or published, a change
/// set of many items: [`crate::tx::WriteTx`] begun with `begin_large_write`): 128 MiB, so
/// that the write keeps its index pages in memory instead of spilling them to the log
/// mid-transaction and reading them back. Set back to [`SQLITE_CACHE`] before it ends.
pub(crate) const SQLITE_LARGE_WRITE_CACHE: &str = "PRAGMA cache_size = -131072";
/// Settings of the store's own (writing) connections to a SQLite file, after
/// `SQLITE_CONNECTION_PRAGMAS`:
/// - no automatic checkpoint: checkpoints are the checkpoint thread's (see `wal`),
///   so that no commit waits for the log to be copied into the file;
/// - a page cache of up to 16 MiB (the default is 2 MiB). It fills from reads too, and each
///   pooled connection has its own, so it is kept small: four connections at 128 MiB held
///   half a GiB once a server had read a million cases (docs/performance.md). A write of a
///   whole list raises it for its own transaction ([`SQLITE_LARGE_WRITE_CACHE`]);
/// - the log file cut back to 256 MiB when it starts over, so that one large write does not
///   leave a log of its size on disk. The limit lies above the 128 MiB at which the
///   checkpoint thread starts the log over (`wal`), so that under a steady stream of writes
///   the log is rewritten in place: a log cut back (to 64 MiB before) grew again on every
///   cycle, and on ext4 each sync of a growing file commits the file system's journal too
///   (case steps: 10,700–11,100 a second in place against 8,900–9,600, docs/performance.md).
pub(crate) const SQLITE_WRITER_PRAGMAS: [&str; 3] =
    ["PRAGMA wal_autocheckpoint = 0", SQLITE_CACHE, "PRAGMA journal_size_limit = 268435456"];

/// The store over an `Any` pool.
pub(crate) struct SqlStore {
    /// The group writer ([`crate::group`]), started by the first group write. Declared before
    /// the checkpointer so that its last commits are still checkpointed when the store closes.
    pub(crate) group: tokio::sync::OnceCell<GroupWriter>,
    pub(crate) pool: AnyPool,
    /// The SQLite file, unless the database is in memory or on PostgreSQL.
    pub(crate) sqlite_file: Option<PathBuf>,
    /// The stored tree's reads on a SQLite file, run in place (see `direct`).
    pub(crate) direct: Option<Arc<DirectReader>>,
    /// Checkpoints a SQLite file's log after commits, off the writers' path.
    pub(crate) checkpointer: Option<Checkpointer>,
    pub(crate) backend: Backend,
    /// The ledger's hash, fixed when the ledger was created.
    pub(crate) alg: HashAlg,
    /// SQLite admits one writer at a time. Queueing this process's writers here (FIFO, no
    /// polling) is cheaper than letting them retry in SQLite's sleeping busy handler;
    /// `BEGIN IMMEDIATE` still guards against writers in other processes. PostgreSQL writers
    /// queue on the `event_head` row lock instead, so this lock is not taken there.
    /// Shared with the group writer's thread, which takes it for each batch.
    pub(crate) sqlite_writer: Arc<Mutex<()>>,
    /// [`ConnectOptions::one_by_one`].
    pub(crate) one_by_one: bool,
    /// A lower bound of the integrated ledger size (it only grows), so that proofs skip the
    /// integrator when their nodes are already stored.
    pub(crate) integrated: AtomicU64,
    /// The upper levels of the stored tree, read once and kept (complete nodes never change).
    pub(crate) upper: std::sync::RwLock<UpperNodes>,
    /// The nodes of the last, partial tile, for the integrated size they were read at.
    pub(crate) edge: std::sync::RwLock<Option<(u64, EdgeNodes)>>,
    /// Seals personal data at rest ([`crate::Sealer`]), once the service installs its key.
    pub(crate) sealer: std::sync::RwLock<Option<Arc<dyn crate::Sealer>>>,
}

impl SqlStore {
    /// The installed sealer, if any.
    pub(crate) fn sealer(&self) -> Option<Arc<dyn crate::Sealer>> {
        self.sealer.read().expect("the sealer lock is never poisoned").clone()
    }
}

impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    fn install_sealer(&self, sealer: Arc<dyn crate::Sealer>) {
        *self.sealer.write().expect("the sealer lock is never poisoned") = Some(sealer);
    }
}

/// Records the ledger's hash when the ledger is created (never changed afterwards).
const INSERT_META: &str =
    "INSERT INTO ledger_meta (id, alg, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING";
/// The ledger's hash.
const SELECT_META: &str = "SELECT alg FROM ledger_meta WHERE id = 1";

/// Opens (creating if needed) the database at `url` and runs its migrations.
pub(crate) async fn open(url: &str, options: ConnectOptions) -> Result<SqlStore, StoreError> {
    // Idempotent (guarded by a `Once` inside sqlx).
    sqlx::any::install_default_drivers();
    let backend = backend_of(url)?;
    let (pool, sqlite_file) = match backend {
        Backend::Sqlite => open_sqlite(url, options.durable).await?,
        Backend::Postgres => (
            AnyPoolOptions::new().max_connections(POSTGRES_MAX_CONNECTIONS).connect(url).await?,
            None,
        ),
    };
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
    }
    sqlx::query(INSERT_META)
        .bind(options.ledger_hash.name())
        .bind(instant_text(Utc::now()))
        .execute(&pool)
        .await?;
    let alg_name: String = sqlx::query_scalar(SELECT_META).fetch_one(&pool).await?;
    let alg: HashAlg = alg_name
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("ledger_meta: unknown hash {alg_name:?}")))?;
    // Opened after the migrations, so the reader sees the schema it reads.
    let direct =
        sqlite_file.as_deref().map(|path| DirectReader::open(path).map(Arc::new)).transpose()?;
    let checkpointer = sqlite_file.as_deref().map(Checkpointer::start).transpose()?;
    let store = SqlStore {
        group: tokio::sync::OnceCell::new(),
        one_by_one: options.one_by_one,
        sqlite_file,
        direct,
        checkpointer,
        pool,
        backend,
        alg,
        sqlite_writer: Arc::new(Mutex::new(())),
        integrated: AtomicU64::new(0),
        upper: std::sync::RwLock::new(UpperNodes::default()),
        edge: std::sync::RwLock::new(None),
        sealer: std::sync::RwLock::new(None),
    };
    store.backfill_ledger().await?;
    store.backfill_case_ends().await?;
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

/// The pool, and the file's path unless the database is in memory. `durable` syncs every
/// commit of the pool's connections (`synchronous = FULL`).
async fn open_sqlite(url: &str, durable: bool) -> Result<(AnyPool, Option<PathBuf>), StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path == ":memory:" || path.is_empty() || query.contains("mode=memory");
    if !in_memory
        && let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        crate::private::create_private_dir_all(parent).map_err(|e| {
            sqlx::Error::Io(std::io::Error::new(
                e.kind(),
                format!("creating the database directory {}: {e}", parent.display()),
            ))
        })?;
    }
    // A new database file is the owner's alone; SQLite gives its -wal and -shm files the
    // database file's mode.
    if !in_memory {
        match crate::private::create_private_file(Path::new(path)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(sqlx::Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("creating the database file {path}: {e}"),
                ))
                .into());
            }
        }
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
                if durable {
                    sqlx::query(SQLITE_SYNCHRONOUS_FULL).execute(&mut *conn).await?;
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
    Ok((pool, (!in_memory).then(|| PathBuf::from(path))))
}
