//! "Which items does unit U hold on date D" with 1,000,000 items stored (issue 2, figure 1).
//! Figures, command and machine are recorded in docs/performance/registry.md.
//!
//! - `index/*`: `quanze_core::ListHoldings` built from `quanze_demo::province_catalogue`.
//! - `sqlite/*`, `postgres/*`: the same question answered by one SQL statement over the
//!   schema's `units`, `lists`, `list_versions`, `list_entries` and `list_overrides`, in
//!   databases filled through the real store (`quanze_store::connect`, then `put_regions`,
//!   `create_unit`, `create_list`, `save_draft` and `publish` per list). For towns the
//!   statement resolves the township template with its overrides, as `resolve_for` does.
//! - `*+scope_idx`: the same statement after adding indexes on `lists (scope_unit)` and
//!   `lists (scope_county)`, which the schema lacks (dropped again afterwards).
//!
//! Besides criterion's estimates, each variant answers random (unit, date) queries timed one
//! by one with `Instant` and prints p50/p99/max: 100,000 for the index, 10,000 per SQL backend.
//!
//! Run as a benchmark (`cargo bench`) it uses 1,000,000 items (`QUANZE_BENCH_ITEMS` changes
//! that; `QUANZE_BENCH_SQL_QUERIES` the number of timed SQL queries per kind). The databases are kept under `CARGO_TARGET_TMPDIR` (SQLite) and in the PostgreSQL
//! database `quanze_bench_s<seed>_n<items>` and reused when complete, since loading them takes
//! minutes; `QUANZE_BENCH_FRESH=1` reloads. PostgreSQL is reached at `QUANZE_BENCH_PG`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`, the admin database; `off` skips it).
//! Run as a test (`cargo test --benches`) it uses 20,000 items, 1,000 queries and no PostgreSQL.

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use criterion::Criterion;
use quanze_core::{
    ItemId, ListEntry, ListHoldings, OverrideChange, UnitId, UnitKind, VersionStatus,
};
use quanze_demo::{CatalogueItem, ProvinceCatalogue, province_catalogue};
use quanze_store::{DraftWrite, NewEvent, Store};
use sqlx::{AnyConnection, Connection as _};

const SEED: u64 = 2026;
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Every unit the unit holds on a date: its own lists' versions in force, and for a town or
/// subdistrict the township template of its county, resolved with the overrides that apply to
/// it (tag overrides, then town overrides, each in declaration order: the last one touching
/// an item decides). `$1` unit id, `$2` date as `YYYY-MM-DD`.
const HOLDINGS_SQL: &str = "\
WITH u AS (
    SELECT id, kind, tags, substr(region, 1, 6) || '000000' AS county FROM units WHERE id = $1
),
v AS (
    SELECT v.id
    FROM u
    JOIN lists l
      ON (l.scope_kind = 'unit' AND l.scope_unit = u.id)
      OR (l.scope_kind = 'township_template' AND u.kind IN ('township', 'subdistrict')
          AND l.scope_county = u.county)
    JOIN list_versions v ON v.list_id = l.id
    WHERE v.status <> 'draft' AND v.effective_from <= $2
      AND (v.effective_until IS NULL OR $2 < v.effective_until)
),
o AS (
    SELECT o.version_id, o.item_id, o.item_version, o.change_kind, o.duty_kind, o.counterpart,
           CASE o.target_kind WHEN 'town' THEN 1000000 ELSE 0 END + o.position AS ord
    FROM v
    JOIN list_overrides o ON o.version_id = v.id
    CROSS JOIN u
    WHERE (o.target_kind = 'tag' AND u.tags LIKE ('%\"' || o.target_tag || '\"%'))
       OR (o.target_kind = 'town' AND o.target_unit = u.id)
),
last AS (SELECT version_id, item_id, MAX(ord) AS ord FROM o GROUP BY version_id, item_id)
SELECT e.item_id, e.item_version, e.duty_kind, e.counterpart
FROM v
JOIN list_entries e ON e.version_id = v.id
WHERE NOT EXISTS (
    SELECT 1 FROM last WHERE last.version_id = e.version_id AND last.item_id = e.item_id
)
UNION ALL
SELECT o.item_id, o.item_version, o.duty_kind, o.counterpart
FROM o
JOIN last ON last.version_id = o.version_id AND last.item_id = o.item_id AND last.ord = o.ord
WHERE o.change_kind = 'add'";

const SCOPE_INDEXES: [&str; 2] = [
    "CREATE INDEX bench_lists_scope_unit ON lists (scope_unit)",
    "CREATE INDEX bench_lists_scope_county ON lists (scope_county)",
];
const DROP_SCOPE_INDEXES: [&str; 2] = [
    "DROP INDEX IF EXISTS bench_lists_scope_unit",
    "DROP INDEX IF EXISTS bench_lists_scope_county",
];

type Row = (String, i64, String, Option<String>);

/// How big a run is.
struct Size {
    items: usize,
    index_queries: usize,
    sql_queries: usize,
    postgres: Option<String>,
}

impl Size {
    fn from_env() -> Size {
        let full = std::env::args().any(|a| a == "--bench");
        let items = std::env::var("QUANZE_BENCH_ITEMS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if full { 1_000_000 } else { 20_000 });
        let pg = std::env::var("QUANZE_BENCH_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
        Size {
            items,
            index_queries: if full { 100_000 } else { 1_000 },
            sql_queries: std::env::var("QUANZE_BENCH_SQL_QUERIES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(if full { 10_000 } else { 1_000 }),
            postgres: (full && pg != "off").then_some(pg),
        }
    }
}

/// SplitMix64: a fixed query sequence without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Clone, Copy)]
struct Query {
    unit: UnitId,
    date: NaiveDate,
}

/// Random queries on units of one kind, dates in 2025–2026 (every catalogue list is in force
/// from 2025-01-01, so every query has an answer).
fn queries(units: &[UnitId], n: usize, seed: u64) -> Vec<Query> {
    let mut rng = Rng(seed);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date");
    (0..n)
        .map(|_| Query {
            unit: units[rng.below(units.len())],
            date: start + chrono::Days::new(rng.below(730) as u64),
        })
        .collect()
}

fn proc_status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Latencies of individually timed queries.
struct Stats {
    n: usize,
    mean: Duration,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    p999: Duration,
    max: Duration,
    rows: usize,
}

impl Stats {
    fn of(mut lat: Vec<Duration>, rows: usize) -> Stats {
        lat.sort_unstable();
        let at = |q: f64| lat[((lat.len() as f64 * q).ceil() as usize).clamp(1, lat.len()) - 1];
        Stats {
            n: lat.len(),
            mean: lat.iter().sum::<Duration>() / lat.len() as u32,
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: lat[lat.len() - 1],
            rows,
        }
    }

    fn print(&self, name: &str) {
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "latency {name:<32} n={:>6} mean={:>9.1}µs p50={:>9.1}µs p90={:>9.1}µs \
             p99={:>9.1}µs p99.9={:>9.1}µs max={:>9.1}µs rows/query={:.0}",
            self.n,
            us(self.mean),
            us(self.p50),
            us(self.p90),
            us(self.p99),
            us(self.p999),
            us(self.max),
            self.rows as f64 / self.n as f64,
        );
    }
}

fn index_answer(index: &ListHoldings, q: Query) -> Vec<ListEntry> {
    index.holdings(q.unit, q.date).copied().collect()
}

async fn sql_answer(conn: &mut AnyConnection, q: Query) -> Vec<Row> {
    sqlx::query_as(HOLDINGS_SQL)
        .bind(q.unit.to_string())
        .bind(q.date.format("%Y-%m-%d").to_string())
        .fetch_all(conn)
        .await
        .expect("holdings query")
}

fn index_latencies(index: &ListHoldings, qs: &[Query]) -> Stats {
    let mut lat = Vec::with_capacity(qs.len());
    let mut rows = 0;
    for &q in qs {
        let t = Instant::now();
        let answer = black_box(index_answer(index, black_box(q)));
        lat.push(t.elapsed());
        rows += answer.len();
    }
    Stats::of(lat, rows)
}

async fn sql_latencies(conn: &mut AnyConnection, qs: &[Query]) -> Stats {
    let mut lat = Vec::with_capacity(qs.len());
    let mut rows = 0;
    for &q in qs {
        let t = Instant::now();
        let answer = black_box(sql_answer(conn, black_box(q)).await);
        lat.push(t.elapsed());
        rows += answer.len();
    }
    Stats::of(lat, rows)
}

/// The SQL answer must be the index's answer (as a set of entries).
async fn check_same(conn: &mut AnyConnection, index: &ListHoldings, qs: &[Query], name: &str) {
    for &q in qs {
        let mut want: Vec<(String, i64, String, Option<String>)> = index_answer(index, q)
            .iter()
            .map(|e| {
                let counterpart = e.duty.counterpart().map(|u| u.to_string());
                (
                    e.item.to_string(),
                    i64::from(e.item_version),
                    e.duty.code().to_owned(),
                    counterpart,
                )
            })
            .collect();
        let mut got = sql_answer(conn, q).await;
        want.sort();
        got.sort();
        assert!(
            want == got,
            "{name}: unit {} on {}: SQL gives {} entries, the index {}",
            q.unit,
            q.date,
            got.len(),
            want.len()
        );
    }
}

fn event(kind: &str, subject: String) -> NewEvent {
    NewEvent {
        at: DateTime::<Utc>::from_timestamp(1_767_225_600, 0).expect("2026-01-01 is an instant"),
        actor: None,
        unit: None,
        kind: kind.to_owned(),
        subject,
        payload: serde_json::Value::Null,
        personal: None,
    }
}

/// Writes the catalogue through the store, list by list, as the service does.
async fn load(store: &dyn Store, cat: &ProvinceCatalogue) {
    store.put_regions(&[cat.province()], event("region.put", "province".into())).await.unwrap();
    for batch in cat.counties() {
        store
            .put_regions(&batch.regions, event("region.put", format!("county:{}", batch.index)))
            .await
            .expect("regions");
        for u in &batch.units {
            store.create_unit(u, event("unit.created", format!("unit:{}", u.id))).await.unwrap();
        }
        for l in &batch.lists {
            store.create_list(l, event("list.created", format!("list:{}", l.id))).await.unwrap();
        }
        let items: HashMap<ItemId, &CatalogueItem> =
            batch.items.iter().map(|i| (i.id, i)).collect();
        for v in &batch.versions {
            let added = v.overrides.iter().filter_map(|o| match &o.change {
                OverrideChange::Add { entry } => Some(*entry),
                OverrideChange::Remove { .. } => None,
            });
            let new_items =
                v.entries.iter().copied().chain(added).map(|e| cat.power_item(items[&e.item]));
            let mut draft = v.clone();
            draft.status = VersionStatus::Draft;
            draft.effective_from = None;
            draft.effective_until = None;
            draft.doc_no = None;
            let write = DraftWrite { version: draft, new_items: new_items.collect() };
            let subject = format!("list_version:{}", v.id);
            store
                .save_draft(&write, event("list.version.draft_saved", subject.clone()))
                .await
                .unwrap();
            let (from, doc_no) = (v.effective_from.unwrap(), v.doc_no.as_ref().unwrap());
            store
                .publish(v.id, from, doc_no, event("list.version.published", subject))
                .await
                .unwrap();
        }
    }
}

async fn count_items(url: &str) -> i64 {
    let mut conn = AnyConnection::connect(url).await.expect("connect");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM item_versions")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    conn.close().await.ok();
    n
}

/// Opens the database at `url` through the store, loading the catalogue unless it is there.
/// `reset` empties the database.
async fn filled(url: &str, cat: &ProvinceCatalogue, name: &str, reset: impl AsyncFn()) {
    let fresh = std::env::var("QUANZE_BENCH_FRESH").is_ok_and(|v| v == "1");
    if fresh {
        reset().await;
    }
    let store = quanze_store::connect(url).await.expect("store");
    let n = count_items(url).await;
    if n == cat.n_items() as i64 {
        println!("{name}: reusing {n} stored items at {}", redact(url));
        return;
    }
    let store = if n != 0 {
        drop(store);
        reset().await;
        quanze_store::connect(url).await.expect("store")
    } else {
        store
    };
    let t = Instant::now();
    load(store.as_ref(), cat).await;
    let took = t.elapsed();
    let n = count_items(url).await;
    println!(
        "{name}: loaded {n} items through the store in {:.1} s ({:.0} items/s)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
}

fn redact(url: &str) -> &str {
    url.split_once('?').map_or(url, |(u, _)| u)
}

async fn exec(conn: &mut AnyConnection, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(conn).await.expect(sql);
}

/// One SQL backend, measured as migrated and with the scope indexes.
struct SqlTarget {
    name: &'static str,
    url: String,
}

struct Sample {
    name: String,
    stats: Stats,
}

fn main() {
    let size = Size::from_env();
    println!("holdings bench: {} items, seed {SEED}", size.items);
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    sqlx::any::install_default_drivers();

    // The index: built from the catalogue, memory measured around the build.
    let cat = province_catalogue(SEED, size.items);
    let rss_before = proc_status("VmRSS:");
    let t = Instant::now();
    let index = cat.build_index();
    let build = t.elapsed();
    let rss_after = proc_status("VmRSS:");
    let mut towns = Vec::new();
    let mut departments = Vec::new();
    for batch in cat.counties() {
        for u in &batch.units {
            match u.kind {
                UnitKind::Department => departments.push(u.id),
                k if k.is_township_level() => towns.push(u.id),
                _ => {}
            }
        }
    }
    // The same build, holdings generated first, to separate the index from the generator.
    let holdings: Vec<_> = cat.counties().flat_map(|b| b.holdings).collect();
    let t = Instant::now();
    let mut only = ListHoldings::new();
    for h in holdings {
        only.add(h.unit, h.list, h.from, h.until, h.entries);
    }
    let add_only = t.elapsed();
    drop(only);
    println!(
        "index: {} units, {} (unit, entry) pairs; build_index {:.0} ms (generation included), \
         ListHoldings::add alone {:.0} ms; VmRSS {} kB -> {} kB (+{:.1} MiB), VmHWM {} kB",
        index.n_units(),
        index.n_entries(),
        build.as_secs_f64() * 1e3,
        add_only.as_secs_f64() * 1e3,
        rss_before,
        rss_after,
        (rss_after.saturating_sub(rss_before)) as f64 / 1024.0,
        proc_status("VmHWM:"),
    );
    println!("units: {} towns and subdistricts, {} departments", towns.len(), departments.len());

    let kinds = [("town", &towns, 1_u64), ("department", &departments, 2_u64)];
    let mut samples: Vec<Sample> = Vec::new();
    for (kind, units, seed) in kinds {
        let qs = queries(units, size.index_queries, seed);
        samples.push(Sample { name: format!("index/{kind}"), stats: index_latencies(&index, &qs) });
    }

    // The SQL side.
    let mut targets = Vec::new();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("holdings-bench/s{SEED}-n{}", size.items));
    let sqlite_url = format!("sqlite://{}", dir.join("quanze.db").display());
    rt.block_on(filled(&sqlite_url, &cat, "sqlite", async || {
        std::fs::remove_dir_all(&dir).ok();
    }));
    targets.push(SqlTarget { name: "sqlite", url: sqlite_url });
    if let Some(admin) = &size.postgres {
        let db = format!("quanze_bench_s{SEED}_n{}", size.items);
        let url = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{db}"),
            None => format!("{admin}/{db}"),
        };
        let ready = rt.block_on(async {
            let mut conn = AnyConnection::connect(admin).await.ok()?;
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT 1::bigint FROM pg_database WHERE datname = $1")
                    .bind(db.as_str())
                    .fetch_optional(&mut conn)
                    .await
                    .ok()?;
            if exists.is_none() {
                exec(&mut conn, &format!("CREATE DATABASE {db}")).await;
            }
            conn.close().await.ok()
        });
        match ready {
            Some(()) => {
                rt.block_on(filled(&url, &cat, "postgres", async || {
                    let mut conn = AnyConnection::connect(admin).await.expect("admin");
                    exec(&mut conn, &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).await;
                    exec(&mut conn, &format!("CREATE DATABASE {db}")).await;
                }));
                targets.push(SqlTarget { name: "postgres", url });
            }
            None => println!("postgres: no server at {}, skipped", redact(admin)),
        }
    }

    let mut conns = Vec::new();
    for target in &targets {
        let mut conn = rt.block_on(AnyConnection::connect(&target.url)).expect("connect");
        for with_indexes in [false, true] {
            let name = format!("{}{}", target.name, if with_indexes { "+scope_idx" } else { "" });
            rt.block_on(async {
                for sql in DROP_SCOPE_INDEXES {
                    exec(&mut conn, sql).await;
                }
                if with_indexes {
                    for sql in SCOPE_INDEXES {
                        exec(&mut conn, sql).await;
                    }
                    exec(&mut conn, "ANALYZE").await;
                }
            });
            for (kind, units, seed) in kinds {
                let qs = queries(units, size.sql_queries, seed);
                let stats = rt.block_on(async {
                    check_same(&mut conn, &index, &qs[..200.min(qs.len())], &name).await;
                    sql_latencies(&mut conn, &qs).await
                });
                samples.push(Sample { name: format!("{name}/{kind}"), stats });
            }
            // Criterion on the same connection, in the same index state (at least ~200
            // queries per function: `QUANZE_BENCH_SQL_CRITERION=off` skips it when a query
            // takes long).
            if std::env::var("QUANZE_BENCH_SQL_CRITERION").is_ok_and(|v| v == "off") {
                continue;
            }
            let mut group = criterion.benchmark_group("holdings");
            group.sample_size(20);
            for (kind, units, seed) in kinds {
                let qs = queries(units, 4_096, seed + 10);
                group.bench_function(format!("{name}/{kind}"), |b| {
                    b.iter_custom(|iters| {
                        rt.block_on(async {
                            let t = Instant::now();
                            for i in 0..iters as usize {
                                black_box(sql_answer(&mut conn, qs[i % qs.len()]).await);
                            }
                            t.elapsed()
                        })
                    })
                });
            }
            group.finish();
        }
        rt.block_on(async {
            for sql in DROP_SCOPE_INDEXES {
                exec(&mut conn, sql).await;
            }
        });
        conns.push(conn);
    }

    let mut group = criterion.benchmark_group("holdings");
    for (kind, units, seed) in kinds {
        let qs = queries(units, 4_096, seed + 10);
        let mut i = 0;
        group.bench_function(format!("index/{kind}"), |b| {
            b.iter(|| {
                i = (i + 1) % qs.len();
                index_answer(&index, black_box(qs[i]))
            })
        });
    }
    group.finish();

    println!();
    for s in &samples {
        s.stats.print(&s.name);
    }
    for (kind, _, _) in kinds {
        let index_p99 = samples.iter().find(|s| s.name == format!("index/{kind}"));
        for s in samples.iter().filter(|s| s.name.ends_with(&format!("/{kind}"))) {
            if let Some(base) = index_p99 {
                println!(
                    "ratio {:<32} p99 {:>8.1}x  p50 {:>8.1}x  of index/{kind}",
                    s.name,
                    s.stats.p99.as_secs_f64() / base.stats.p99.as_secs_f64(),
                    s.stats.p50.as_secs_f64() / base.stats.p50.as_secs_f64(),
                );
            }
        }
    }
    for conn in conns {
        rt.block_on(conn.close()).ok();
    }
    criterion.final_summary();
}
