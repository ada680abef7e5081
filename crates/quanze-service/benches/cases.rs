//! Case actions end to end through the service, with the ledger (issue 15): `QUANZE_BENCH_CLIENTS`
//! (default 64) concurrent clients each take `QUANZE_BENCH_CASES` (default 50) three-step cases
//! on the demo county (apply online, accept, decide), every step one store transaction with its
//! ledger event; the figure is steps per second. In the same run, the machine's limit: raw
//! rusqlite inserting one row and updating one row per transaction with `synchronous=FULL`, and
//! the same batched 100 pairs per transaction (design.md's "batched-commit limit").
//!
//! Run with `cargo bench -p quanze-service --bench cases`; figures in docs/performance.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use quanze_core::case::{CaseCommand, Outcome};
use quanze_core::{ItemId, ListScope, PowerCategory, UnitId, UnitKind, VersionStatus};
use quanze_service::cases::{CaseCaller, CasesConfig, PersonalKey};
use quanze_service::views::cases::{ApplicantInput, ApplyRequest, ChannelInput};
use quanze_service::{Config, Service};

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn licence(service: &Service) -> (UnitId, ItemId) {
    let catalog = service.catalog();
    let today = service.today();
    catalog
        .lists
        .iter()
        .filter_map(|l| match l.scope {
            ListScope::Unit { unit } => Some((unit, catalog.latest_version(l.id)?)),
            ListScope::TownshipTemplate { .. } => None,
        })
        .filter(|(u, v)| {
            v.status == VersionStatus::Published
                && catalog.unit(*u).is_some_and(|u| u.kind == UnitKind::Department)
        })
        .find_map(|(u, v)| {
            v.entries
                .iter()
                .find(|e| {
                    catalog.content(e).is_some_and(|c| c.category == PowerCategory::Licensing)
                        && catalog
                            .authority
                            .holds(u, e.item, today)
                            .is_some_and(|a| a.exercise.decides())
                })
                .map(|e| (u, e.item))
        })
        .expect("a department licensing power")
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

fn main() {
    let clients = knob("QUANZE_BENCH_CLIENTS", 64);
    let cases = knob("QUANZE_BENCH_CASES", 50);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let (one, batched) = machine_limit(dir.path(), 3.0);
    println!("machine: rusqlite FULL, one pair per transaction   {one:>10.0} pairs/s");
    println!("machine: rusqlite FULL, 100 pairs per transaction  {batched:>10.0} pairs/s");
    rt.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("quanze.db").display());
        let config = Config {
            cases: CasesConfig {
                personal_key: Some(PersonalKey::generate()),
                ..CasesConfig::default()
            },
            ..Config::default()
        };
        let service = Arc::new(Service::open(&url, config).await.expect("service"));
        service.load_demo(7).await.expect("demo");
        let (unit, item) = licence(&service);
        let clerk = {
            let login = service.login("clerk", quanze_service::demo::DEMO_PASSWORD).await.unwrap();
            service.authenticate(&login.token).await.unwrap()
        };
        let leader = {
            let login = service.login("leader", quanze_service::demo::DEMO_PASSWORD).await.unwrap();
            service.authenticate(&login.token).await.unwrap()
        };
        let clerk = Arc::new(clerk);
        let leader = Arc::new(leader);
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
        let rate = steps as f64 / elapsed;
        println!(
            "service: {clients} clients × {cases} three-step cases: {steps} steps in {elapsed:.2} s = {rate:.0} steps/s (p50 {:?}, p99 {:?})",
            times[steps / 2],
            times[(steps * 99 / 100).min(steps - 1)]
        );
        println!("ratio to the batched-commit limit measured above: {:.3}", rate / batched);
        println!("ratio to one-commit-per-pair rusqlite: {:.3}", rate / one);
    });
}
