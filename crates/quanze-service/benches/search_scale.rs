//! Search at province scale (issue 16's figure): `QUANZE_BENCH_ITEMS` items (default 100,000;
//! the figure is 1,000,000) of the demo generator's province catalogue, each county's
//! department lists and township template turned into search documents exactly as the
//! service does (`quanze_service::search::item_document`), indexed on disk; then the queries
//! a villager types, with and without filters, each timed, p50/p99/max.
//!
//! The baseline, in the same run: the same documents in a PostgreSQL table and the same
//! questions asked with `LIKE` (every word the index cut the query into must be in the name,
//! the unit's name or the guide — what the index asks; PostgreSQL has no Chinese parser, so
//! its own full-text search cannot cut 营业执照 into words and finds nothing). `QUANZE_BENCH_PG`
//! names the server (default the local one); the table lives in a schema of its own, dropped
//! at the end.
//!
//! Also printed: the index's build time and size on disk.
//!
//! Run with `cargo bench -p quanze-service --bench search_scale`; figures in
//! docs/performance.md.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use quanze_core::{ItemId, ListScope};
use quanze_demo::province_catalogue;
use quanze_search::{ItemDoc, SearchIndex, SearchQuery};
use quanze_service::search::item_document;
use sqlx::Connection as _;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What villagers type (issue 16), and a few more of the same kind.
const QUERIES: [&str; 12] = [
    "营业执照",
    "临时占用绿地",
    "农村建房",
    "低保",
    "食品经营许可",
    "残疾人",
    "宅基地",
    "生育登记",
    "道路挖掘",
    "养犬",
    "特困人员",
    "排水许可",
];

/// Every document of the catalogue, county by county, as the service builds them.
fn documents(n_items: usize) -> Vec<ItemDoc> {
    let catalogue = province_catalogue(42, n_items);
    let mut docs = Vec::with_capacity(n_items);
    for county in catalogue.counties() {
        let names: HashMap<_, _> = county.units.iter().map(|u| (u.id, u.name.clone())).collect();
        let items: HashMap<ItemId, _> = county.items.iter().map(|i| (i.id, *i)).collect();
        let towns: Vec<String> = county
            .units
            .iter()
            .filter(|u| u.kind.is_township_level())
            .map(|u| u.region.to_string())
            .collect();
        for (list, version) in county.lists.iter().zip(&county.versions) {
            let towns = match list.scope {
                ListScope::TownshipTemplate { .. } => towns.clone(),
                ListScope::Unit { .. } => Vec::new(),
            };
            for entry in &version.entries {
                let Some(item) = items.get(&entry.item) else { continue };
                let content = catalogue.content(item);
                let unit_name = names.get(&content.holder).cloned().unwrap_or_default();
                docs.push(item_document(
                    &content,
                    item.id.to_string(),
                    list.id.to_string(),
                    unit_name,
                    towns.clone(),
                ));
            }
        }
    }
    docs
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum::<u64>()
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label}: {} searches, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0)),
        ms(times.last().copied().unwrap_or_default()),
    );
}

fn main() {
    let n_items = knob("QUANZE_BENCH_ITEMS", 100_000);
    let rounds = knob("QUANZE_BENCH_ROUNDS", 50);
    let pg_rounds = knob("QUANZE_BENCH_PG_ROUNDS", 3);
    let started = Instant::now();
    let docs = documents(n_items);
    let town = docs.iter().find_map(|d| d.towns.first().cloned()).unwrap_or_default();
    let text_bytes: usize =
        docs.iter().map(|d| d.name.len() + d.unit_name.len() + d.guide.len()).sum();
    println!(
        "{} documents ({} MB of text) generated in {:.1} s",
        docs.len(),
        text_bytes / 1_000_000,
        started.elapsed().as_secs_f64()
    );

    // The index, built on disk in lists of a county department's size, as a server's start does.
    let dir = tempfile::tempdir().expect("a temp dir");
    let index = SearchIndex::in_dir(dir.path()).expect("an index");
    let started = Instant::now();
    let mut by_list: HashMap<&str, Vec<ItemDoc>> = HashMap::new();
    for d in &docs {
        by_list.entry(d.list.as_str()).or_default().push(d.clone());
    }
    let lists: Vec<&str> = by_list.keys().copied().collect();
    let all: Vec<ItemDoc> = by_list.into_values().flatten().collect();
    index.replace_lists(&lists, &all).expect("the index builds");
    drop(all);
    let build = started.elapsed();
    println!(
        "index: {} items in {:.1} s ({:.0} items/s), {} MB on disk",
        index.len(),
        build.as_secs_f64(),
        docs.len() as f64 / build.as_secs_f64(),
        dir_size(dir.path()) / 1_000_000,
    );

    // Warm once, then the timed rounds: each query alone, by town, by category.
    let queries: Vec<SearchQuery<'_>> = QUERIES
        .iter()
        .flat_map(|q| {
            [
                SearchQuery { text: q, ..SearchQuery::default() },
                SearchQuery { text: q, town: Some(&town), ..SearchQuery::default() },
                SearchQuery { text: q, category: Some("licensing"), ..SearchQuery::default() },
            ]
        })
        .collect();
    for q in &queries {
        let found = index.search(q).expect("a search");
        if q.town.is_none() && q.category.is_none() {
            println!(
                "  {}: {} items{}",
                q.text,
                found.total,
                if found.partial { " (partial)" } else { "" }
            );
        }
    }
    let mut times = Vec::with_capacity(rounds * queries.len());
    for _ in 0..rounds {
        for q in &queries {
            let t = Instant::now();
            let found = index.search(q).expect("a search");
            times.push(t.elapsed());
            std::hint::black_box(found);
        }
    }
    report("quanze-search (tantivy + jieba)", times);

    // The baseline: PostgreSQL, LIKE on every word.
    let url = std::env::var("QUANZE_BENCH_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let words: Vec<Vec<String>> = QUERIES.iter().map(|q| index.words(q)).collect();
    let outcome = rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&url).await?;
        sqlx::raw_sql("DROP SCHEMA IF EXISTS bench_search CASCADE; CREATE SCHEMA bench_search; \
             CREATE TABLE bench_search.items (item TEXT PRIMARY KEY, name TEXT NOT NULL, \
             unit_name TEXT NOT NULL, category TEXT NOT NULL, towns TEXT NOT NULL, guide TEXT NOT NULL)")
            .execute(&mut conn)
            .await?;
        let started = Instant::now();
        for chunk in docs.chunks(1_000) {
            let mut sql = String::from(
                "INSERT INTO bench_search.items (item, name, unit_name, category, towns, guide) VALUES ",
            );
            for (i, _) in chunk.iter().enumerate() {
                let b = i * 6;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6));
            }
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for d in chunk {
                query = query
                    .bind(d.item.clone())
                    .bind(d.name.clone())
                    .bind(d.unit_name.clone())
                    .bind(d.category.clone())
                    .bind(d.towns.join(" "))
                    .bind(d.guide.clone());
            }
            query.execute(&mut conn).await?;
        }
        sqlx::raw_sql("ANALYZE bench_search.items").execute(&mut conn).await?;
        println!("PostgreSQL: {} rows loaded in {:.1} s", docs.len(), started.elapsed().as_secs_f64());
        let mut times = Vec::new();
        for round in 0..=pg_rounds {
            for (q, words) in QUERIES.iter().zip(&words) {
                for filter in ["", "town", "category"] {
                    let mut sql = String::from("SELECT item, name FROM bench_search.items WHERE ");
                    let mut binds: Vec<String> = Vec::new();
                    let mut clauses: Vec<String> = Vec::new();
                    for w in words {
                        binds.push(format!("%{w}%"));
                        let n = binds.len();
                        clauses.push(format!("(name LIKE ${n} OR unit_name LIKE ${n} OR guide LIKE ${n})"));
                    }
                    if filter == "town" {
                        binds.push(format!("%{town}%"));
                        clauses.push(format!("towns LIKE ${}", binds.len()));
                    }
                    if filter == "category" {
                        binds.push("licensing".to_owned());
                        clauses.push(format!("category = ${}", binds.len()));
                    }
                    sql.push_str(&clauses.join(" AND "));
                    // A page of 20 and the total, as the index answers.
                    let count_sql = format!("SELECT count(*) FROM ({sql}) AS found");
                    sql.push_str(" LIMIT 20");
                    let t = Instant::now();
                    let mut page = sqlx::query(sqlx::AssertSqlSafe(sql));
                    let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
                    for b in &binds {
                        page = page.bind(b.clone());
                        count = count.bind(b.clone());
                    }
                    let rows = page.fetch_all(&mut conn).await?;
                    let total = count.fetch_one(&mut conn).await?;
                    let elapsed = t.elapsed();
                    if round == 0 {
                        if filter.is_empty() {
                            println!("  LIKE {q} ({}): {total} items, first page {}", words.join(" "), rows.len());
                        }
                    } else {
                        times.push(elapsed);
                    }
                }
            }
        }
        sqlx::raw_sql("DROP SCHEMA bench_search CASCADE").execute(&mut conn).await?;
        Ok::<_, sqlx::Error>(times)
    });
    match outcome {
        Ok(times) => report("PostgreSQL LIKE (same words, same filters)", times),
        Err(e) => println!("PostgreSQL baseline not measured: {e}"),
    }
}
