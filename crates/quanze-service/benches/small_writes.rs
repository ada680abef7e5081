//! Small registry writes and the law registry's pages (issue 13, item 8), through the service
//! on SQLite, timed one by one with `Instant`:
//!
//! - `demo`: a region renamed, a department created, a law registered on the demo county,
//!   `QUANZE_BENCH_WRITES` (default 50) of each, p50/p99/max;
//! - `concurrent`: 16 tasks creating departments at once (`QUANZE_BENCH_CONCURRENT` each,
//!   default `QUANZE_BENCH_WRITES`): writes/s;
//! - `large`: the same small writes after a draft list of `QUANZE_BENCH_ITEMS` (default
//!   100,000) new items is saved;
//! - `laws`: `QUANZE_BENCH_LAWS` (default 100,000) laws inserted in one SQL transaction, then
//!   200 random pages of 50 as `GET /api/v1/laws` reads them ([`page_of_laws`]).
//!
//! Figures, command and machine are in docs/performance/writes.md. Run with
//! `cargo bench -p quanze-service --bench small_writes`, or in the dev profile with
//! `cargo test -p quanze-service --bench small_writes -- --nocapture`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use quanze_core::{
    ItemContent, ItemId, LawLevel, ListEntry, ListScope, ListVersion, ListVersionId, PowerItem,
    UnitKind, VersionStatus,
};
use quanze_service::lists::NewUnit;
use quanze_service::{Config, Service};
use sqlx::{AnyConnection, Connection as _};

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "{what:<40} n={:<6} p50={:>10.3?} p99={:>10.3?} max={:>10.3?}",
        times.len(),
        at(0.50),
        at(0.99),
        times[times.len() - 1]
    );
}

/// One page of laws as the web handler of `GET /api/v1/laws` gets it.
async fn page_of_laws(service: &Service, offset: usize, limit: usize) -> usize {
    service.laws_page(offset, limit).await.expect("laws page").items.len()
}

async fn small_writes(service: &Service, label: &str, n: usize) {
    let catalog = service.catalog();
    let region = catalog.regions.last().expect("a region").clone();
    let dept = catalog.units.iter().find(|u| u.kind == UnitKind::Department).expect("a department");
    let mut times = Vec::new();
    for i in 0..n {
        let mut r = region.clone();
        r.name = format!("{}{i}", region.name);
        let at = Instant::now();
        service.put_regions(None, vec![r]).await.expect("region");
        times.push(at.elapsed());
    }
    report(&format!("{label}: region"), times);
    let mut times = Vec::new();
    for i in 0..n {
        let new = NewUnit {
            name: format!("{label}新设局{i}"),
            kind: UnitKind::Department,
            region: dept.region.clone(),
            credit_code: None,
            parent: None,
            tags: Default::default(),
        };
        let at = Instant::now();
        service.create_unit(None, new).await.expect("unit");
        times.push(at.elapsed());
    }
    report(&format!("{label}: unit"), times);
    let mut times = Vec::new();
    for i in 0..n {
        let new = quanze_service::laws::NewLaw {
            title: format!("{label}条例{i}"),
            level: LawLevel::LocalRegulation,
            issuer: "某某省人民代表大会常务委员会".into(),
            in_force_from: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
        };
        let at = Instant::now();
        service.register_law(None, new).await.expect("law");
        times.push(at.elapsed());
    }
    report(&format!("{label}: law"), times);
}

async fn concurrent(service: &Arc<Service>, n: usize) {
    let dept = service.catalog().units.iter().find(|u| u.kind == UnitKind::Department).cloned();
    let region = dept.expect("a department").region.clone();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..16 {
        let service = Arc::clone(service);
        let region = region.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for i in 0..n {
                let new = NewUnit {
                    name: format!("并发局{w}-{i}"),
                    kind: UnitKind::Department,
                    region: region.clone(),
                    credit_code: None,
                    parent: None,
                    tags: Default::default(),
                };
                let at = Instant::now();
                service.create_unit(None, new).await.expect("unit");
                times.push(at.elapsed());
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.expect("writer"));
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "concurrent: 16 writers, {} writes in {secs:.2} s = {:.0} writes/s",
        times.len(),
        times.len() as f64 / secs
    );
    report("concurrent: unit", times);
}

/// Saves a draft department list of `n` new items (copies of the demo's contents): the
/// catalogue holds every item version a draft pins, as a rebuild reads them all.
async fn grow(service: &Service, n: usize) {
    let catalog = service.catalog();
    let dept =
        catalog.units.iter().find(|u| u.kind == UnitKind::Department).expect("a department").id;
    let contents: Vec<ItemContent> = catalog
        .lists
        .iter()
        .filter_map(|l| catalog.latest_version(l.id))
        .flat_map(|v| v.entries.iter().filter_map(|e| catalog.content(e).cloned()))
        .take(500)
        .collect();
    let (list, _) =
        service.create_list(None, "大清单", ListScope::Unit { unit: dept }).await.expect("list");
    let items: Vec<PowerItem> = (0..n)
        .map(|i| {
            let base = &contents[i % contents.len()];
            let content = ItemContent {
                holder: dept,
                name: format!("{}（{i}）", base.name),
                cooperation: Vec::new(),
                ..base.clone()
            };
            PowerItem { id: ItemId::from_uuid(uuid::Uuid::now_v7()), version: 1, content }
        })
        .collect();
    let entries = items
        .iter()
        .map(|it| ListEntry { item: it.id, item_version: 1, duty: quanze_core::DutyKind::Own })
        .collect();
    let version = ListVersion {
        id: ListVersionId::from_uuid(uuid::Uuid::now_v7()),
        list,
        number: 1,
        status: VersionStatus::Draft,
        effective_from: None,
        effective_until: None,
        doc_no: None,
        entries,
        overrides: Vec::new(),
    };
    let id = version.id;
    let at = Instant::now();
    service
        .save_draft(None, quanze_store::DraftWrite { version, new_items: items })
        .await
        .expect("draft");
    assert!(service.catalog().version(id).is_some());
    println!("large: a draft of {n} new items saved in {:.1?}", at.elapsed());
}

async fn laws(service: &Service, url: &str, n: usize) {
    let mut conn = AnyConnection::connect(url).await.expect("connect");
    let mut tx = conn.begin().await.expect("begin");
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut sql =
            String::from("INSERT INTO laws (id, title, level, issuer, in_force_from) VALUES ");
        for (k, i) in chunk.iter().enumerate() {
            if k > 0 {
                sql.push(',');
            }
            let day = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).expect("date")
                + chrono::Duration::days((*i % 16_000) as i64);
            sql.push_str(&format!(
                "('{}', '规章{i}', 'departmental_rule', '某部', '{day}')",
                uuid::Uuid::now_v7()
            ));
        }
        // Built from numbers, dates and UUIDs only.
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.expect("insert laws");
    }
    tx.commit().await.expect("commit");
    let total = service.laws().await.expect("laws").len();
    let mut times = Vec::new();
    for k in 0..200 {
        let offset = (k * 7919) % total;
        let at = Instant::now();
        let got = page_of_laws(service, offset, 50).await;
        times.push(at.elapsed());
        assert!(got > 0);
    }
    report(&format!("laws: a page of 50 at {total} laws"), times);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let writes = knob("QUANZE_BENCH_WRITES", 50);
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = quanze_store::testing::sqlite_url(dir.path());
        let service = Arc::new(Service::open(&url, Config::default()).await.expect("open"));
        let at = Instant::now();
        service.load_demo(7).await.expect("demo");
        println!("demo loaded in {:.1?}", at.elapsed());
        small_writes(&service, "demo", writes).await;
        concurrent(&service, knob("QUANZE_BENCH_CONCURRENT", writes)).await;
        laws(&service, &url, knob("QUANZE_BENCH_LAWS", 100_000)).await;
        grow(&service, knob("QUANZE_BENCH_ITEMS", 100_000)).await;
        small_writes(&service, "large", writes).await;
    });
}
