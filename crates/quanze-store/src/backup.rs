//! 备份 — the store's part of a backup: an online, consistent copy of a SQLite file (`VACUUM
//! INTO`, one read transaction, so writers carry on), where a SQLite database keeps its
//! material files, and whether a database is empty enough to restore into. PostgreSQL is
//! backed up by its own tool (`pg_dump`, run by the binary), which reads one snapshot too.

use std::path::{Path, PathBuf};

use sqlx::Connection as _;

use crate::open::backend_of;
use crate::{Backend, StoreError};

/// The SQLite file a `sqlite://` URL names (`None` for an in-memory database or another
/// backend).
pub fn sqlite_file_of(url: &str) -> Option<PathBuf> {
    if backend_of(url).ok()? != Backend::Sqlite {
        return None;
    }
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    (!(path.is_empty() || path == ":memory:" || query.contains("mode=memory")))
        .then(|| PathBuf::from(path))
}

/// The folder a SQLite database keeps its material files in (beside the file).
pub fn materials_dir_of(file: &Path) -> PathBuf {
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    dir.join("materials")
}

/// Copies the SQLite database at `url` into `dest` (a new file, created 0600) as of one
/// moment, while others keep writing: `VACUUM INTO` reads in one transaction.
pub async fn backup_sqlite(url: &str, dest: &Path) -> Result<(), StoreError> {
    let Some(file) = sqlite_file_of(url) else {
        return Err(StoreError::Url("a backup copies a SQLite file: sqlite://PATH".into()));
    };
    if !file.is_file() {
        return Err(StoreError::NotFound(format!("database file {}", file.display())));
    }
    crate::private::create_private_file(dest).map_err(|e| {
        sqlx::Error::Io(std::io::Error::new(e.kind(), format!("creating {}: {e}", dest.display())))
    })?;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}", file.display())).await?;
    sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut conn).await?;
    let target =
        dest.to_str().ok_or_else(|| StoreError::Url("the backup path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1").bind(target).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Whether the database at `url` holds no Quanze tables (a SQLite file that does not exist or
/// is empty counts as empty): what a restore needs, so that it never mixes two databases.
pub async fn database_is_empty(url: &str) -> Result<bool, StoreError> {
    sqlx::any::install_default_drivers();
    match backend_of(url)? {
        Backend::Sqlite => {
            let Some(file) = sqlite_file_of(url) else { return Ok(true) };
            Ok(std::fs::metadata(&file).map(|m| m.len() == 0).unwrap_or(true))
        }
        Backend::Postgres => {
            let mut conn = sqlx::AnyConnection::connect(url).await?;
            let found: Option<(String,)> = sqlx::query_as(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() LIMIT 1",
            )
            .fetch_optional(&mut conn)
            .await?;
            conn.close().await?;
            Ok(found.is_none())
        }
    }
}

/// The ledger's head in a SQLite file, read without changing it (a read-only connection makes
/// no log files and runs no migrations): what a backup's manifest records of its copy.
pub async fn sqlite_ledger_head(file: &Path) -> Result<crate::LedgerHead, StoreError> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut conn = sqlx::AnyConnection::connect(&url).await?;
    let alg: String =
        sqlx::query_scalar("SELECT alg FROM ledger_meta WHERE id = 1").fetch_one(&mut conn).await?;
    let alg: quanze_ledger::HashAlg = alg
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("ledger_meta: unknown hash {alg:?}")))?;
    let (_, leaves, frontier): (i64, i64, String) =
        sqlx::query_as(crate::ledger::SELECT_HEAD).fetch_one(&mut conn).await?;
    conn.close().await?;
    let range = crate::ledger::parse_frontier(alg, leaves, &frontier)?;
    Ok(crate::LedgerHead { alg, size: range.size(), root: range.root() })
}
