//! Fresh databases for tests, here and in the crates above.
//!
//! SQLite is always available: a file in a directory the test owns. PostgreSQL is used when a
//! server answers at `QUANZE_TEST_PG` (a URL; default `postgres://postgres@127.0.0.1:5432/postgres`):
//! each test gets its own database `test_<uuid>`, dropped by [`TestDb::cleanup`]. When no server
//! answers, the PostgreSQL half is skipped with a note on stderr, unless `QUANZE_REQUIRE_PG=1`,
//! in which case the test panics (fails).

use std::path::Path;
use std::time::Duration;

use sqlx::AnyConnection;
use sqlx::Connection as _;

use crate::Backend;

/// The PostgreSQL server tests use when `QUANZE_TEST_PG` is unset.
pub const DEFAULT_TEST_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// How long to wait for the test server before deciding it is not there.
const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A database created for one test.
#[derive(Debug)]
pub struct TestDb {
    /// Which backend.
    pub backend: Backend,
    /// The URL to pass to [`crate::connect`].
    pub url: String,
    pg: Option<TestPg>,
}

impl TestDb {
    /// Drops the PostgreSQL database (best effort; the SQLite file goes with the test's
    /// directory).
    pub async fn cleanup(self) {
        if let Some(pg) = self.pg {
            pg.cleanup().await;
        }
    }
}

/// A fresh PostgreSQL database on the test server.
#[derive(Debug)]
pub struct TestPg {
    /// The URL of the fresh database.
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestPg {
    /// Drops the database, forcing out connections a test left open. Failures are only
    /// printed: a leftover `test_*` database costs disk, not correctness.
    pub async fn cleanup(self) {
        let res = async {
            let mut admin = AnyConnection::connect(&self.admin_url).await?;
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&mut admin).await?;
            admin.close().await
        }
        .await;
        if let Err(e) = res {
            eprintln!("note: could not drop test database {}: {e}", self.name);
        }
    }
}

/// The URL of a SQLite database file in `dir` (created on first connect).
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("quanze.db").display())
}

/// Whether `QUANZE_REQUIRE_PG=1`.
pub fn postgres_required() -> bool {
    std::env::var("QUANZE_REQUIRE_PG").is_ok_and(|v| v == "1")
}

/// A fresh PostgreSQL database, or `None` (with a note on stderr) when no server answers.
///
/// # Panics
///
/// When no server answers and `QUANZE_REQUIRE_PG=1`, so that the calling test fails.
pub async fn fresh_postgres() -> Option<TestPg> {
    let admin_url = std::env::var("QUANZE_TEST_PG").unwrap_or_else(|_| DEFAULT_TEST_PG.to_owned());
    sqlx::any::install_default_drivers();
    let name = format!("test_{}", uuid::Uuid::now_v7().simple());
    let created = async {
        let mut admin =
            tokio::time::timeout(PG_CONNECT_TIMEOUT, AnyConnection::connect(&admin_url))
                .await
                .map_err(|_| sqlx::Error::PoolTimedOut)??;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        admin.close().await
    }
    .await;
    match created {
        Ok(()) => Some(TestPg { url: with_database(&admin_url, &name), admin_url, name }),
        Err(e) if postgres_required() => {
            panic!("QUANZE_REQUIRE_PG=1 but PostgreSQL at QUANZE_TEST_PG is unusable: {e}")
        }
        Err(e) => {
            eprintln!("skipping PostgreSQL: {e} (set QUANZE_TEST_PG to a server URL)");
            None
        }
    }
}

/// Fresh databases for one test: SQLite in `dir` always, then PostgreSQL when available.
///
/// # Panics
///
/// As [`fresh_postgres`].
pub async fn test_databases(dir: &Path) -> Vec<TestDb> {
    let mut dbs = vec![TestDb { backend: Backend::Sqlite, url: sqlite_url(dir), pg: None }];
    if let Some(pg) = fresh_postgres().await {
        dbs.push(TestDb { backend: Backend::Postgres, url: pg.url.clone(), pg: Some(pg) });
    }
    dbs
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}

/// `pgbench -N` (simple update) with `clients` clients for `secs` seconds on a fresh
/// database: the benches' reference for PostgreSQL, in transactions per second. `None` when
/// no server answers or `pgbench` is not installed.
pub async fn pgbench(clients: usize, secs: u64) -> Option<f64> {
    use std::process::Command;
    let pg = fresh_postgres().await?;
    let init = Command::new("pgbench").args(["-i", "-q", "-s", "1", &pg.url]).output();
    let tps = match init {
        Ok(out) if out.status.success() => Command::new("pgbench")
            .args(["-n", "-N", "-c", &clients.to_string(), "-j", "2"])
            .args(["-T", &secs.to_string(), &pg.url])
            .output()
            .ok()
            .and_then(|run| {
                String::from_utf8_lossy(&run.stdout)
                    .lines()
                    .find_map(|line| line.strip_prefix("tps = "))
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|tps| tps.parse().ok())
            }),
        _ => None,
    };
    pg.cleanup().await;
    tps
}

/// The load averages of the last 1, 5 and 15 minutes, for a bench to print beside its
/// figures.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "t"), "postgres://u@h:5432/t");
        assert_eq!(with_database("postgres://u@h", "t"), "postgres://u@h/t");
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "t"),
            "postgresql://u:p@h/t?sslmode=disable"
        );
    }
}
