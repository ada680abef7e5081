//! Case actions end to end through the service, with the ledger (issue 15): `QUANZE_BENCH_CLIENTS`
//! (default 64) concurrent clients each take `QUANZE_BENCH_CASES` (default 50) three-step cases
//! on the demo county (apply online, accept, decide), every step one store transaction with its
//! ledger event; the figure is steps per second. In the same run, the machine's limit: raw
//! rusqlite inserting one row and updating one row per transaction with `synchronous=FULL`, and
//! the same batched 100 pairs per transaction (design.md's "batched-commit limit").
//!
//! Then, when python3 has SpiffWorkflow (`pip install SpiffWorkflow`), `bench/spiff_case.py` runs
//! the same three-step case with persistence, for the ratio; and when a PostgreSQL server answers
//! (`QUANZE_TEST_PG`, else the local default; `QUANZE_BENCH_NO_PG=1` skips it, as
//! `QUANZE_BENCH_NO_SPIFF=1` skips SpiffWorkflow), the same clients
//! on a fresh database there, and `pgbench -N` with as many clients beside it.
//!
//! Run with `cargo bench -p quanze-service --bench cases`; figures in docs/performance.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use quanze_core::case::{CaseCommand, Outcome};
use quanze_service::cases::{CaseCaller, CasesConfig, PersonalKey};
use quanze_service::views::cases::{ApplicantInput, ApplyRequest, ChannelInput};
use quanze_service::{Config, Service};

/// The binary's allocator (crates/quanze/src/main.rs): the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Raw rusqlite on a file of its own: one insert and one update per transaction, FULL; then
/// 100 such pairs per transaction. Pairs per second of each.
fn machine_limit(dir: &std::path::Path, seconds: f64) -> (f64, f64) {
    let conn = rusqlite::Connection::open(dir.join("limit.db")).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
         CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
         INSERT INTO c VALUES (1, 0);",
    )
    .expect("schema");
    let run = |per_tx: usize| {
        let start = Instant::now();
        let mut pairs = 0usize;
        while start.elapsed().as_secs_f64() < seconds {
            conn.execute_batch("BEGIN").expect("begin");
            for _ in 0..per_tx {
                conn.execute("INSERT INTO t (v) VALUES (?1)", ["x".repeat(200)]).expect("insert");
                conn.execute("UPDATE c SET n = n + 1 WHERE id = 1", []).expect("update");
                pairs += 1;
            }
            conn.execute_batch("COMMIT").expect("commit");
        }
        pairs as f64 / start.elapsed().as_secs_f64()
    };
    (run(1), run(100))
}

/// SpiffWorkflow running the same three-step case with persistence (`bench/spiff_case.py`),
/// when python3 has it: tasks per second.
fn spiff(secs: u64) -> Option<f64> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/spiff_case.py");
    let out = std::process::Command::new("python3")
        .args([script, &secs.to_string()])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    text.split(" = ").nth(1)?.split_whitespace().next()?.parse().ok()
}

/// Steps per second, p50 and p99 of `clients` tasks each taking `cases` three-step cases on
/// the demo county in the store at `url`.
async fn service_rate(url: &str, clients: usize, cases: usize) -> (f64, Duration, Duration) {
    let config = Config {
        cases: CasesConfig {
            personal_key: Some(PersonalKey::generate()),
            ..CasesConfig::default()
        },
        ..Config::default()
    };
    let service = Arc::new(Service::open(url, config).await.expect("service"));
    service.load_demo(7).await.expect("demo");
    let (unit, item) =
        quanze_service::demo::department_licence(&service.catalog(), service.today())
            .expect("a department licensing power");
    let user = |name: &'static str| {
        let service = service.clone();
        async move {
            let login = service.login(name, quanze_service::demo::DEMO_PASSWORD).await.unwrap();
            Arc::new(service.authenticate(&login.token).await.unwrap())
        }
    };
    let clerk = user("clerk").await;
    let leader = user("leader").await;
    // For a profiler to attach to this phase only.
    eprintln!("clients start (pid {})", std::process::id());
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (service, clerk, leader) = (service.clone(), clerk.clone(), leader.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(cases * 3);
            for _ in 0..cases {
                let t = Instant::now();
                let receipt = service
                    .apply_for_case(
                        None,
                        ApplyRequest {
                            item,
                            unit,
                            applicant: ApplicantInput {
                                kind: "person".into(),
                                name: "张三".into(),
                                number: "11010519491231002X".into(),
                            },
                            channel: ChannelInput::Online,
                        },
                    )
                    .await
                    .expect("apply");
                times.push(t.elapsed());
                let t = Instant::now();
                service
                    .act_on_case(
                        CaseCaller::Staff(&clerk, None),
                        &receipt.receipt,
                        CaseCommand::Accept { missing: vec![], promised: None },
                    )
                    .await
                    .expect("accept");
                times.push(t.elapsed());
                let t = Instant::now();
                service
                    .act_on_case(
                        CaseCaller::Staff(&leader, None),
                        &receipt.receipt,
                        CaseCommand::Decide {
                            outcome: Outcome::Granted { document: None },
                            major: false,
                        },
                    )
                    .await
                    .expect("decide");
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut times: Vec<Duration> = Vec::new();
    for task in tasks {
        times.extend(task.await.expect("client"));
    }
    let elapsed = start.elapsed().as_secs_f64();
    times.sort();
    let steps = times.len();
    (steps as f64 / elapsed, times[steps / 2], times[(steps * 99 / 100).min(steps - 1)])
}

fn main() {
    let clients = knob("QUANZE_BENCH_CLIENTS", 64);
    let cases = knob("QUANZE_BENCH_CASES", 50);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    // `QUANZE_BENCH_DIR=/dev/shm` puts the files in memory: what is left is the CPU's share.
    let dir = match std::env::var_os("QUANZE_BENCH_DIR") {
        Some(parent) => tempfile::tempdir_in(parent),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    // `QUANZE_BENCH_KEEP=1` keeps the files for a look at them afterwards (`bench/wal_frames.py`).
    let dir_path = dir.path().to_path_buf();
    let _dir = if std::env::var_os("QUANZE_BENCH_KEEP").is_some() {
        println!("files kept in {}", dir.keep().display());
        None
    } else {
        Some(dir)
    };
    println!("load {}", quanze_store::testing::load_average());
    let (one, batched) = machine_limit(&dir_path, 3.0);
    println!("machine: rusqlite FULL, one pair per transaction   {one:>10.0} pairs/s");
    println!("machine: rusqlite FULL, 100 pairs per transaction  {batched:>10.0} pairs/s");
    let spiff = if std::env::var_os("QUANZE_BENCH_NO_SPIFF").is_none() { spiff(5) } else { None };
    let url = format!("sqlite://{}", dir_path.join("quanze.db").display());
    let (rate, p50, p99) = rt.block_on(service_rate(&url, clients, cases));
    println!(
        "sqlite: {clients} clients × {cases} three-step cases: {rate:.0} steps/s (p50 {p50:?}, p99 {p99:?})"
    );
    println!("ratio to the batched-commit limit measured above: {:.3}", rate / batched);
    println!("ratio to one-commit-per-pair rusqlite: {:.3}", rate / one);
    if let Some(spiff) = spiff {
        println!("ratio to SpiffWorkflow measured above: {:.1}", rate / spiff);
    }
    if std::env::var_os("QUANZE_BENCH_NO_PG").is_none()
        && let Some(pg) = rt.block_on(quanze_store::testing::fresh_postgres())
    {
        let (rate, p50, p99) = rt.block_on(service_rate(&pg.url, clients, cases));
        rt.block_on(pg.cleanup());
        println!(
            "postgres: {clients} clients × {cases} three-step cases: {rate:.0} steps/s (p50 {p50:?}, p99 {p99:?})"
        );
        if let Some(tps) = rt.block_on(quanze_store::testing::pgbench(clients, 10)) {
            println!("postgres: pgbench -N -c {clients}, same run: {tps:.0} tps");
            println!("postgres: ratio to pgbench -N: {:.0} %", 100.0 * rate / tps);
        }
    }
    println!("load {}", quanze_store::testing::load_average());
}
