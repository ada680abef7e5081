//! The ledger read from the stored tree at 10,000,000 leaves (issue 3): inclusion and
//! consistency proofs (goal ≤ 100 µs each) and full verification (goal ≤ 60 s on 2 cores,
//! memory independent of the leaf count).
//!
//! Setup, once per machine: a SQLite file with `QUANZE_BENCH_LEAVES` events (default
//! 10,000,000) is filled with multi-row inserts (the write path would need hours at a
//! thousand commits a second), each with its SM3 leaf hash and the head's frontier, then the
//! integrator builds the interior nodes. The file is kept in the system temp directory and
//! reused while its head has the same size, so later runs measure only the reads.
//!
//! Measured, each with its baseline in the same run:
//! - `store/inclusion` and `store/consistency`: one read of the proof's nodes from SQLite and
//!   the proof assembled from them (what the store contributes);
//! - `service/inclusion` and `service/consistency`: the service call an API request makes
//!   (head read, range checks, nodes, proof);
//! - baseline `memory/inclusion`: the same proofs from an in-memory tree of the same leaves.
//!
//! `QUANZE_BENCH_PROOFS=off` stops after verification; `QUANZE_BENCH_VERIFY=off` skips it. Verification is timed once (criterion would run it for minutes) and printed with the
//! process's peak resident memory before and after. Figures go to docs/performance.md.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use quanze_core::Event;
use quanze_ledger::note::SigAlg;
use quanze_ledger::tree::{
    consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes,
};
use quanze_ledger::{CompactRange, HashAlg, MemoryTree, SigningKey};
use quanze_service::ledger::LedgerConfig;
use quanze_service::{Config, Service};
use quanze_store::{SQLITE_CONNECTION_PRAGMAS, Store};
use sqlx::{AnyConnection, Connection as _};

const ORIGIN: &str = "bench.quanze/ledger";
/// Rows per INSERT: 9 values each, under SQLite's 32,766 binds.
const ROWS_PER_INSERT: usize = 3_000;
/// Rows per fill transaction.
const ROWS_PER_TX: u64 = 300_000;

fn leaves() -> u64 {
    std::env::var("QUANZE_BENCH_LEAVES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000_000)
}

fn db_path(n: u64) -> PathBuf {
    std::env::temp_dir().join(format!("quanze-bench-ledger-{n}.db"))
}

/// A field of /proc/self/status in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Samples the process's anonymous resident memory (heap and stacks: what the program holds)
/// every 20 ms until dropped and keeps the peak. The kernel keeps a peak only of the whole
/// resident set, which also counts the pages of the database file SQLite maps and reads
/// through (they belong to the OS page cache and grow with the file, not with what we hold).
struct AnonPeak {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<f64>>,
}

impl AnonPeak {
    fn start() -> AnonPeak {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut peak = 0f64;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(status_mib("RssAnon:"));
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            peak.max(status_mib("RssAnon:"))
        });
        AnonPeak { stop, thread: Some(thread) }
    }

    fn finish(mut self) -> f64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.take().and_then(|t| t.join().ok()).unwrap_or(f64::NAN)
    }
}

/// The event of leaf `seq - 1`: a login-failure-sized event, about 200 bytes as JSON.
fn event(seq: u64, start: DateTime<Utc>) -> Event {
    Event {
        seq,
        at: start + Duration::milliseconds(i64::try_from(seq).unwrap_or(0)),
        actor: None,
        unit: None,
        kind: "user.login_failed".into(),
        subject: format!("user:0193a5b2-7c4e-7d21-9f00-{seq:012x}"),
        payload: serde_json::json!({ "failures": seq % 5 + 1, "locked": false }),
        commitment: None,
    }
}

async fn raw(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await.expect("bench database");
    for pragma in SQLITE_CONNECTION_PRAGMAS {
        sqlx::query(pragma).execute(&mut conn).await.expect("pragma");
    }
    conn
}

/// Fills the events table with `n` events and their leaf hashes and sets the head.
async fn fill(url: &str, n: u64, start: DateTime<Utc>) {
    let mut conn = raw(url).await;
    let mut range = CompactRange::new(HashAlg::Sm3);
    let t = Instant::now();
    let mut seq = 1u64;
    while seq <= n {
        let tx_end = (seq + ROWS_PER_TX - 1).min(n);
        let mut tx = conn.begin().await.expect("begin");
        while seq <= tx_end {
            let end = (seq + ROWS_PER_INSERT as u64 - 1).min(tx_end);
            let mut sql = String::from(
                "INSERT INTO events (seq, at, actor, unit, kind, subject, payload, commitment, \
                 leaf_hash) VALUES ",
            );
            let mut rows = Vec::with_capacity(ROWS_PER_INSERT);
            for s in seq..=end {
                let ev = event(s, start);
                let leaf = HashAlg::Sm3.hash_leaf(&ev.leaf_bytes());
                range.push_leaf_hash(leaf);
                if s > seq {
                    sql.push(',');
                }
                sql.push_str("(?, ?, NULL, NULL, ?, ?, ?, NULL, ?)");
                rows.push((ev, leaf.to_hex()));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for (ev, leaf) in rows {
                q = q
                    .bind(i64::try_from(ev.seq).expect("seq"))
                    .bind(ev.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
                    .bind(ev.kind)
                    .bind(ev.subject)
                    .bind(ev.payload.to_string())
                    .bind(leaf);
            }
            q.execute(&mut *tx).await.expect("insert events");
            seq = end + 1;
        }
        tx.commit().await.expect("commit");
    }
    let frontier = range.frontier().iter().map(|h| h.to_hex()).collect::<Vec<_>>().join(",");
    sqlx::query("UPDATE event_head SET last_seq = $1, leaves = $1, frontier = $2 WHERE id = 1")
        .bind(i64::try_from(n).expect("n"))
        .bind(frontier)
        .execute(&mut conn)
        .await
        .expect("head");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "fill: {n} events with SM3 leaf hashes in {secs:.1} s ({:.0} rows/s)",
        n as f64 / secs
    );
}

/// The in-memory baseline, built from the stored leaf hashes.
async fn memory_tree(store: &dyn Store, n: u64) -> MemoryTree {
    let mut tree = MemoryTree::with_capacity(HashAlg::Sm3, usize::try_from(n).unwrap_or(0));
    let mut start = 0;
    while start < n {
        let end = (start + 100_000).min(n);
        for (_, h) in store.leaf_hashes(start, end).await.expect("leaf hashes") {
            tree.append_leaf_hash(h);
        }
        start = end;
    }
    tree
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let n = leaves();
    let path = db_path(n);
    let url = format!("sqlite://{}", path.display());
    let start = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z").expect("date").to_utc();
    let key = Arc::new(SigningKey::generate(SigAlg::Sm2, ORIGIN).expect("SM2 key"));
    let config = Config {
        ledger: LedgerConfig {
            origin: ORIGIN.into(),
            key: Some(Arc::clone(&key)),
            witnesses: Vec::new(),
        },
        ..Config::default()
    };
    let service = rt.block_on(async {
        let reuse = if path.exists() {
            let store = quanze_store::connect(&url).await.expect("store");
            let size = store.ledger_head().await.expect("head").size;
            size == n && store.integrated_size().await.expect("integrated") == n
        } else {
            false
        };
        if reuse {
            println!("reusing {} ({n} leaves)", path.display());
            // Each run signs with a new key: the checkpoints of earlier runs are not ours.
            let mut conn = raw(&url).await;
            sqlx::query("DELETE FROM checkpoints").execute(&mut conn).await.expect("checkpoints");
        } else {
            let _ = std::fs::remove_file(&path);
            drop(quanze_store::connect(&url).await.expect("schema"));
            fill(&url, n, start).await;
            let store = quanze_store::connect(&url).await.expect("store");
            let t = Instant::now();
            let size = store.integrate_ledger().await.expect("integrate");
            let secs = t.elapsed().as_secs_f64();
            println!(
                "integrate: {size} leaves in {secs:.1} s ({:.0} leaves/s)",
                size as f64 / secs
            );
        }
        let service = Service::open(&url, config).await.expect("service");
        service.sign_checkpoint().await.expect("sign");
        service
    });

    // Verification first, while the process is small, so that its peak memory shows.
    if std::env::var("QUANZE_BENCH_VERIFY").is_ok_and(|v| v == "off") {
        println!("verify: skipped (QUANZE_BENCH_VERIFY=off)");
    } else {
        let before = status_mib("RssAnon:");
        let peak = AnonPeak::start();
        let t = Instant::now();
        let report = rt.block_on(service.verify_ledger(&[key.verifier_key()])).expect("verify");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "verify: {} leaves and {} checkpoint(s) in {secs:.1} s ({:.0} leaves/s); anonymous RSS {before:.0} MiB before, peak {:.0} MiB during; whole RSS peak (with the mapped database file) {:.0} MiB",
            report.leaves,
            report.checkpoints,
            report.leaves as f64 / secs,
            peak.finish(),
            status_mib("VmHWM:"),
        );
        assert!(report.is_intact(), "{:?}", report.damage);
    }

    if std::env::var("QUANZE_BENCH_PROOFS").is_ok_and(|v| v == "off") {
        return;
    }
    let store = service.store();
    let tree = rt.block_on(memory_tree(store.as_ref(), n));
    let head = rt.block_on(store.ledger_head()).expect("head");
    assert_eq!(head.root, tree.root(), "stored root equals the in-memory root");

    // Deterministic spread of indexes over the whole tree.
    let mut i = 0u64;
    let mut next = move || {
        i = (i + 7_919_873) % n;
        i
    };
    let mut group = c.benchmark_group(format!("proof_{n}"));
    group.bench_function("memory/inclusion", |b| {
        b.iter(|| black_box(tree.inclusion_proof(next(), n).expect("proof")))
    });
    group.bench_function("store/inclusion", |b| {
        b.iter(|| {
            let index = next();
            rt.block_on(async {
                let ids = inclusion_proof_nodes(index, n).expect("ids");
                let nodes = store.ledger_nodes(&ids).await.expect("nodes");
                black_box(inclusion_proof(&nodes, HashAlg::Sm3, index, n).expect("proof"))
            })
        })
    });
    group.bench_function("store/consistency", |b| {
        b.iter(|| {
            let first = next().max(1);
            rt.block_on(async {
                let ids = consistency_proof_nodes(first, n).expect("ids");
                let nodes = store.ledger_nodes(&ids).await.expect("nodes");
                black_box(consistency_proof(&nodes, HashAlg::Sm3, first, n).expect("proof"))
            })
        })
    });
    group.bench_function("service/inclusion", |b| {
        b.iter(|| black_box(rt.block_on(service.inclusion_proof(next(), n)).expect("proof")))
    });
    group.bench_function("service/consistency", |b| {
        b.iter(|| {
            black_box(rt.block_on(service.consistency_proof(next().max(1), n)).expect("proof"))
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
