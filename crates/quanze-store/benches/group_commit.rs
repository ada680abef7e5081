//! Group commit (issue 15): durable writes per second from 64 concurrent clients.
//!
//! A job is what a case action writes: a row inserted into a scratch table (naming its
//! event), the client's counter row updated under an expected row count, and the event with
//! its leaf hash and the new frontier. Measured, each for `QUANZE_BENCH_SECS` (default 5)
//! after a second of warm-up:
//!
//! - `group`: `GroupStore::group_write` on a SQLite file; the group writer commits with
//!   `synchronous = FULL`, so every acknowledged job is on disk.
//! - `alone`: `GroupStore::write_alone` — one sqlx transaction per job, the way every other
//!   write goes — on a store opened with `durable` (`synchronous = FULL` too): the baseline.
//! - `raw 1/commit`: rusqlite on one thread, one FULL transaction per insert + update, no
//!   ledger: the most commits this disk gives one at a time.
//! - `raw 64/commit`: the same with 64 insert + update pairs per transaction: the batched
//!   limit at the batch size 64 clients can form.
//! - PostgreSQL, when `QUANZE_TEST_PG` (or the default test server) answers: `group` and
//!   `alone` on a fresh database, and `pgbench -N` with 64 clients on another one when
//!   `pgbench` is installed.
//!
//! `cargo bench -p quanze-store --bench group_commit`; `QUANZE_BENCH_DIR=/dev/shm` puts the
//! SQLite files on a memory file system, which leaves the CPU's share. Figures go to
//! docs/performance.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use quanze_store::{ConnectOptions, GroupJob, NewEvent, SqlValue, Stmt, Store};

const CLIENTS: i64 = 64;
/// Item ids, unique across measurements on the same database.
static NEXT_ID: AtomicI64 = AtomicI64::new(0);
const WARM_UP: Duration = Duration::from_secs(1);

const CREATE_ITEMS: &str = "CREATE TABLE bench_items (id BIGINT PRIMARY KEY, \
     client BIGINT NOT NULL, seq BIGINT NOT NULL, state TEXT NOT NULL)";
const CREATE_COUNTERS: &str =
    "CREATE TABLE bench_counters (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)";
const INSERT_ITEM: &str =
    "INSERT INTO bench_items (id, client, seq, state) VALUES ($1, $2, $3, $4)";
const BUMP_COUNTER: &str = "UPDATE bench_counters SET n = n + 1 WHERE id = $1";

fn job(id: i64, client: i64) -> GroupJob {
    GroupJob::new(NewEvent {
        at: Utc::now(),
        actor: None,
        unit: None,
        kind: "bench.accepted".into(),
        subject: format!("bench:{id}"),
        payload: serde_json::json!({ "client": client, "state": "受理" }),
        personal: None,
    })
    .stmt(
        Stmt::new(INSERT_ITEM)
            .bind(id)
            .bind(client)
            .bind(SqlValue::EventSeq)
            .bind("受理")
            .expect_rows(1),
    )
    .stmt(Stmt::new(BUMP_COUNTER).bind(client).expect_rows(1))
}

/// Creates the scratch tables through the store (one job; DDL is transactional on both).
async fn scratch(store: &dyn Store) {
    let mut setup = GroupJob::new(NewEvent {
        at: Utc::now(),
        actor: None,
        unit: None,
        kind: "bench.setup".into(),
        subject: "bench".into(),
        payload: serde_json::json!({}),
        personal: None,
    })
    .stmt(Stmt::new(CREATE_ITEMS))
    .stmt(Stmt::new(CREATE_COUNTERS));
    for client in 0..CLIENTS {
        setup =
            setup.stmt(Stmt::new("INSERT INTO bench_counters (id, n) VALUES ($1, 0)").bind(client));
    }
    store.write_alone(setup).await.expect("scratch tables");
}

/// Jobs per second from `CLIENTS` concurrent clients, grouped or each alone.
async fn rate(store: &Arc<dyn Store>, grouped: bool, secs: u64) -> f64 {
    let start = Instant::now() + WARM_UP;
    let end = start + Duration::from_secs(secs);
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let store = Arc::clone(store);
        clients.spawn(async move {
            let mut counted = 0_u64;
            loop {
                let now = Instant::now();
                if now >= end {
                    return counted;
                }
                let job = job(NEXT_ID.fetch_add(1, Ordering::Relaxed), client);
                let receipt = if grouped {
                    store.group_write(job).await
                } else {
                    store.write_alone(job).await
                };
                receipt.expect("write");
                if now >= start {
                    counted += 1;
                }
            }
        });
    }
    let mut jobs = 0;
    while let Some(counted) = clients.join_next().await {
        jobs += counted.expect("client");
    }
    jobs as f64 / secs as f64
}

/// rusqlite alone, no ledger: insert + update pairs per second, `per_commit` pairs to each
/// FULL transaction.
fn raw_rate(path: &std::path::Path, per_commit: i64, secs: u64) -> f64 {
    let conn = rusqlite::Connection::open(path).expect("raw file");
    conn.execute_batch(
        "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
    )
    .expect("pragmas");
    conn.execute_batch(&format!("{CREATE_ITEMS}; {CREATE_COUNTERS};")).expect("tables");
    for client in 0..CLIENTS {
        conn.execute("INSERT INTO bench_counters (id, n) VALUES (?1, 0)", [client]).expect("row");
    }
    let mut id = 0_i64;
    let mut pairs = 0_u64;
    let start = Instant::now() + WARM_UP;
    let end = start + Duration::from_secs(secs);
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        let tx = conn.unchecked_transaction().expect("begin");
        for _ in 0..per_commit {
            let client = id % CLIENTS;
            tx.prepare_cached(
                "INSERT INTO bench_items (id, client, seq, state) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(rusqlite::params![id, client, id, "受理"]))
            .expect("insert");
            tx.prepare_cached("UPDATE bench_counters SET n = n + 1 WHERE id = ?1")
                .and_then(|mut s| s.execute([client]))
                .expect("update");
            id += 1;
        }
        tx.commit().expect("commit");
        if now >= start {
            pairs += per_commit as u64;
        }
    }
    pairs as f64 / secs as f64
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let secs: u64 =
        std::env::var("QUANZE_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    // `QUANZE_BENCH_DIR=/dev/shm` puts the SQLite files in memory: fsync costs nothing and
    // what is left is the writers' CPU time.
    let dir = match std::env::var_os("QUANZE_BENCH_DIR") {
        Some(parent) => tempfile::tempdir_in(parent),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    println!(
        "group commit, {CLIENTS} clients, {secs} s each; load {}",
        quanze_store::testing::load_average()
    );

    let group = rt.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("group.db").display());
        let store = quanze_store::connect(&url).await.expect("store");
        scratch(&*store).await;
        rate(&store, true, secs).await
    });
    // Durable as FULL: each caller answered after the log was synced (the writer's syncer).
    println!("sqlite  group (durable)         {group:>9.0} jobs/s");
    let alone = rt.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("alone.db").display());
        let options = ConnectOptions { durable: true, ..ConnectOptions::default() };
        let store = quanze_store::connect_with(&url, options).await.expect("store");
        scratch(&*store).await;
        rate(&store, false, secs).await
    });
    println!("sqlite  alone (sqlx, FULL)      {alone:>9.0} jobs/s");
    let raw_one = raw_rate(&dir.path().join("raw1.db"), 1, secs);
    println!("sqlite  raw 1/commit (FULL)     {raw_one:>9.0} pairs/s (no ledger)");
    let raw_batch = raw_rate(&dir.path().join("raw64.db"), CLIENTS, secs);
    println!("sqlite  raw {CLIENTS}/commit (FULL)    {raw_batch:>9.0} pairs/s (no ledger)");
    println!(
        "sqlite  group/alone {:.1}x, group/raw-1 {:.1}x, group/raw-{CLIENTS} {:.0} %",
        group / alone,
        group / raw_one,
        100.0 * group / raw_batch
    );

    let pg = rt.block_on(async {
        let pg = quanze_store::testing::fresh_postgres().await?;
        let store = quanze_store::connect(&pg.url).await.expect("store");
        scratch(&*store).await;
        let group = rate(&store, true, secs).await;
        let alone = rate(&store, false, secs).await;
        drop(store);
        pg.cleanup().await;
        Some((group, alone))
    });
    if let Some((group, alone)) = pg {
        println!("postgres group                  {group:>9.0} jobs/s");
        println!("postgres alone                  {alone:>9.0} jobs/s");
        println!("postgres group/alone {:.1}x", group / alone);
        if let Some(tps) = rt.block_on(quanze_store::testing::pgbench(CLIENTS as usize, secs)) {
            println!("postgres pgbench -N -c {CLIENTS}       {tps:>9.0} tps");
            println!("postgres group/pgbench {:.0} %", 100.0 * group / tps);
        }
    }
    println!("load {}", quanze_store::testing::load_average());
}
