//! Cases at scale (issue 15's figures): a store holding `QUANZE_BENCH_CASES` open cases
//! (default 20,000; the figure is 1,000,000), then the deadline scheduler's tick on successive
//! days and a case's page of data for random receipts.
//!
//! The store is filled through the use cases themselves, as a server would: the demo county,
//! then a year of days (`QUANZE_BENCH_DAYS`, default 365, ending today) on a clock of the
//! bench's, each day starting with the scheduler's tick (as the server's does) and then that
//! day's share of applications taken by `QUANZE_BENCH_CLIENTS` (default 128) concurrent
//! clients: apply online, then mostly 受理 by the clerk, some paused for 专家评审 with written
//! notice, some decided by the leader (their 送达 clock running), a few never touched (deemed
//! accepted by the scheduler). Every step is one store transaction with its ledger event; the
//! scheduler turns cases yellow and red and opens 督办, so a case has 2–5 steps and the due
//! dates spread over the year: a tick on a given day touches the few thousand cases whose
//! level changes that day.
//!
//! Then, in the same run:
//! - ticks on the `QUANZE_BENCH_TICKS` (default 5) days after the last one ticked, each timed,
//!   with what it did; the baseline is the tick's query (the first page of due cases) along
//!   the `cases_next_alert` index against the same query made to scan the table, and the plan
//!   of each is printed;
//! - `QUANZE_BENCH_LOOKUPS` (default 10,000) pages of random cases (`case_for_staff`: the
//!   case, its deadlines and its timeline) from a service just opened (nothing cached),
//!   p50/p99/max.
//!
//! `QUANZE_BENCH_DB=PATH` keeps the SQLite file (and `personal.key` beside it, which
//! `quanze serve` then finds) for a later run, which skips the fill, and for
//! `bench/case_scale.sh`, which measures the server's memory on it. `QUANZE_BENCH_PG=URL`
//! fills a fresh PostgreSQL database `quanze_case_scale` on that server instead (kept likewise).
//! `QUANZE_BENCH_ONE_BY_ONE=1` makes PostgreSQL's group writer send each job's statements one by
//! one (`ConnectOptions::one_by_one`), the baseline of its multi-row statements.
//!
//! Run with `cargo bench -p quanze-service --bench case_scale`; figures in docs/performance.md.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Days, NaiveDate, Utc};
use quanze_core::case::{CaseCommand, Outcome, PauseReason};
use quanze_core::{ItemId, ListScope, UnitId, UnitKind, VersionStatus};
use quanze_demo::parties::{Dice, person};
use quanze_service::cases::{CaseCaller, CasesConfig, PersonalKey};
use quanze_service::views::cases::{ApplicantInput, ApplyRequest, ChannelInput, TickReport};
use quanze_service::{Clock, Config, CurrentUser, Service};

/// The binary's allocator (crates/quanze/src/main.rs): the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The bench's clock: set to a Beijing local time, read by every step.
struct BenchClock(Mutex<DateTime<Utc>>);

impl Clock for BenchClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

impl BenchClock {
    fn at(day: NaiveDate, hour: u32) -> BenchClock {
        BenchClock(Mutex::new(Self::utc(day, hour)))
    }

    fn utc(day: NaiveDate, hour: u32) -> DateTime<Utc> {
        (day.and_hms_opt(hour, 5, 0).expect("a valid time") - chrono::Duration::hours(8)).and_utc()
    }

    fn set(&self, day: NaiveDate, hour: u32) {
        *self.0.lock().expect("clock lock") = Self::utc(day, hour);
    }
}

/// Where the cases are stored.
enum Db {
    Sqlite(PathBuf),
    Postgres { url: String },
}

impl Db {
    fn url(&self) -> String {
        match self {
            Db::Sqlite(path) => format!("sqlite://{}", path.display()),
            Db::Postgres { url } => url.clone(),
        }
    }

    /// The file recording the fill's last day and the last day ticked, beside the data.
    fn marker(&self, dir: &Path) -> PathBuf {
        match self {
            Db::Sqlite(path) => path.with_extension("days"),
            Db::Postgres { .. } => dir.join("quanze_case_scale.days"),
        }
    }
}

/// Department licensing powers, decided by the unit that holds them on any working day (not on
/// set session days, 定期审批): what the fill applies for.
fn licences(service: &Service, on: NaiveDate) -> Vec<(UnitId, ItemId)> {
    let catalog = service.catalog();
    let mut out = Vec::new();
    for list in catalog.lists.iter() {
        let ListScope::Unit { unit } = list.scope else { continue };
        let Some(version) = catalog.latest_version(list.id) else { continue };
        if version.status != VersionStatus::Published
            || catalog.unit(unit).is_none_or(|u| u.kind != UnitKind::Department)
        {
            continue;
        }
        for entry in &version.entries {
            if catalog.content(entry).is_some_and(|c| {
                quanze_service::demo::everyday_licence(&catalog, unit, entry.item, c, on)
            }) {
                out.push((unit, entry.item));
            }
        }
    }
    out
}

struct Staff {
    clerk: CurrentUser,
    reviewer: CurrentUser,
    leader: CurrentUser,
}

async fn login(service: &Service, name: &str) -> CurrentUser {
    let login = service.login(name, quanze_service::demo::DEMO_PASSWORD).await.expect("login");
    service.authenticate(&login.token).await.expect("token")
}

/// One case of the fill, its course drawn from `dice`; returns the steps taken.
async fn one_case(
    service: &Service,
    staff: &Staff,
    dice: &mut Dice,
    (unit, item): (UnitId, ItemId),
) -> u32 {
    let who = person(dice, "330782");
    let receipt = service
        .apply_for_case(
            None,
            ApplyRequest {
                item,
                unit,
                applicant: ApplicantInput {
                    kind: "person".into(),
                    name: who.name,
                    number: who.id_number.as_str().to_owned(),
                },
                channel: ChannelInput::Online,
            },
        )
        .await
        .expect("apply");
    let course = dice.below(100);
    if course < 4 {
        // Nobody looks at it: deemed accepted by the scheduler after 5 working days.
        return 1;
    }
    let act = |by: &'static str, command: CaseCommand| {
        let user = match by {
            "clerk" => &staff.clerk,
            "reviewer" => &staff.reviewer,
            _ => &staff.leader,
        };
        service.act_on_case(CaseCaller::Staff(user, None), &receipt.receipt, command)
    };
    act("clerk", CaseCommand::Accept { missing: vec![], promised: None }).await.expect("accept");
    if course < 14 {
        act(
            "reviewer",
            CaseCommand::Pause {
                reason: PauseReason::ExpertReview,
                note: "组织专家评审，评审所需时间不计入审查期限，已书面告知申请人".into(),
                notified_in_writing: true,
            },
        )
        .await
        .expect("pause");
        3
    } else if course < 34 {
        act(
            "leader",
            CaseCommand::Decide { outcome: Outcome::Granted { document: None }, major: false },
        )
        .await
        .expect("decide");
        3
    } else {
        2
    }
}

struct FillReport {
    cases: usize,
    steps: u64,
    ticks: TickReport,
    seconds: f64,
}

/// The year of cases, day by day, ending on `end`.
async fn fill(
    service: Arc<Service>,
    clock: &BenchClock,
    staff: Arc<Staff>,
    total: usize,
    days: usize,
    clients: usize,
    end: NaiveDate,
) -> FillReport {
    let start = end - Days::new(days as u64 - 1);
    let began = Instant::now();
    let mut report = FillReport { cases: 0, steps: 0, ticks: TickReport::default(), seconds: 0.0 };
    for d in 0..days {
        let day = start + Days::new(d as u64);
        clock.set(day, 0);
        let tick = service.tick_deadlines(day, 1_000).await.expect("tick");
        report.steps += u64::from(tick.yellow + tick.red + tick.deemed_accepted);
        report.ticks.examined += tick.examined;
        report.ticks.yellow += tick.yellow;
        report.ticks.red += tick.red;
        report.ticks.deemed_accepted += tick.deemed_accepted;
        report.ticks.supervisions_opened += tick.supervisions_opened;
        report.ticks.unchanged += tick.unchanged;
        report.ticks.skipped += tick.skipped;
        clock.set(day, 9);
        let pairs = Arc::new(licences(&service, day));
        assert!(!pairs.is_empty(), "no department licensing power on {day}");
        let today = total / days + usize::from(d < total % days);
        let mut tasks = Vec::new();
        for k in 0..clients.min(today) {
            let (service, staff, pairs) = (service.clone(), staff.clone(), pairs.clone());
            tasks.push(tokio::spawn(async move {
                let mut dice = Dice::new((d * clients + k) as u64, 1_500);
                let mut steps = 0u64;
                for _ in (k..today).step_by(clients) {
                    let pair = pairs[dice.below(pairs.len())];
                    steps += u64::from(one_case(&service, &staff, &mut dice, pair).await);
                }
                steps
            }));
        }
        for task in tasks {
            report.steps += task.await.expect("client");
        }
        report.cases += today;
        if d % 30 == 29 || d + 1 == days {
            let secs = began.elapsed().as_secs_f64();
            eprintln!(
                "fill: day {day}: {} cases, {} steps, {secs:.0} s ({:.0} steps/s); ticks so far {:?}",
                report.cases,
                report.steps,
                report.steps as f64 / secs,
                report.ticks
            );
        }
    }
    report.seconds = began.elapsed().as_secs_f64();
    report
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// The tick's query (its first page) along the index and made to scan the table, on SQLite:
/// plans and times.
fn sqlite_baseline(path: &Path, on: NaiveDate) -> (Duration, Duration, Duration, usize) {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open read-only");
    let indexed = "SELECT doc, sealed, applicant_key, access_hash FROM cases c \
         JOIN case_applicants a ON a.case_id = c.id \
         WHERE c.next_alert_on IS NOT NULL AND c.next_alert_on <= ?1 \
         ORDER BY c.next_alert_on LIMIT 1000";
    let scan = indexed.replace("FROM cases c", "FROM cases c NOT INDEXED");
    let day = on.format("%Y-%m-%d").to_string();
    for (name, sql) in [("indexed", indexed), ("table scan", scan.as_str())] {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("plan");
        let plan: Vec<String> = stmt
            .query_map([&day], |r| r.get::<_, String>(3))
            .expect("plan")
            .map(|r| r.expect("plan row"))
            .collect();
        println!("plan ({name}): {}", plan.join(" | "));
    }
    let time = |sql: &str| {
        let mut best = Duration::MAX;
        let mut rows = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let mut stmt = conn.prepare(sql).expect("prepare");
            rows = stmt
                .query_map([&day], |r| r.get::<_, String>(0).map(|d| d.len()))
                .expect("query")
                .count();
            best = best.min(t.elapsed());
        }
        (best, rows)
    };
    let (with_index, rows) = time(indexed);
    let (without, _) = time(&scan);
    let t = Instant::now();
    let _: i64 = conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0)).expect("count");
    (with_index, without, t.elapsed(), rows)
}

async fn pg_query(
    conn: &mut sqlx::PgConnection,
    sql: &'static str,
    day: &str,
    label: &str,
    scan: bool,
) -> (Duration, usize) {
    let off = if scan { "off" } else { "on" };
    for setting in ["enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("SET {setting} = {off}")))
            .execute(&mut *conn)
            .await
            .expect("set");
    }
    let plan: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
        .bind(day)
        .fetch_all(&mut *conn)
        .await
        .expect("explain");
    let plan: Vec<String> = plan.into_iter().map(|(l,)| l.trim().to_owned()).collect();
    println!("plan ({label}): {}", plan.join(" | "));
    let mut best = Duration::MAX;
    let mut rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        // The case document is packed (bytes), as is the sealed applicant.
        let got: Vec<(Vec<u8>, Vec<u8>, String, String)> =
            sqlx::query_as(sql).bind(day).fetch_all(&mut *conn).await.expect("query");
        rows = got.len();
        best = best.min(t.elapsed());
    }
    (best, rows)
}

/// The same on PostgreSQL, the scan forced by turning index scans off.
async fn pg_baseline(url: &str, on: NaiveDate) -> (Duration, Duration, Duration, usize) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    // On PostgreSQL the next look is a row of `case_looks` (the store's migration 0019).
    const SQL: &str = "SELECT doc, sealed, applicant_key, access_hash FROM case_looks l \
         JOIN cases c ON c.id = l.case_id JOIN case_applicants a ON a.case_id = c.id \
         WHERE l.next_alert_on IS NOT NULL AND l.next_alert_on <= $1 \
         ORDER BY l.next_alert_on LIMIT 1000";
    let day = on.format("%Y-%m-%d").to_string();
    let (with_index, rows) = pg_query(&mut conn, SQL, &day, "indexed", false).await;
    let (without, _) = pg_query(&mut conn, SQL, &day, "table scan", true).await;
    let t = Instant::now();
    let _: (i64,) =
        sqlx::query_as("SELECT count(*) FROM cases").fetch_one(&mut conn).await.expect("count");
    let count = t.elapsed();
    (with_index, without, count, rows)
}

/// Creates the bench's PostgreSQL database when it does not exist; answers its URL.
async fn pg_database(server: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(server).await.expect("connect to PostgreSQL");
    let exists: Option<(i32,)> =
        sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = 'quanze_case_scale'")
            .fetch_optional(&mut conn)
            .await
            .expect("pg_database");
    if exists.is_none() {
        sqlx::query("CREATE DATABASE quanze_case_scale").execute(&mut conn).await.expect("create");
    }
    let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
    format!("{base}/quanze_case_scale")
}

fn vm_status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(|l| l.to_owned()))
        .unwrap_or_default()
}

fn main() {
    let total = knob("QUANZE_BENCH_CASES", 20_000);
    let days = knob("QUANZE_BENCH_DAYS", 365);
    let clients = knob("QUANZE_BENCH_CLIENTS", 128);
    let ticks = knob("QUANZE_BENCH_TICKS", 5);
    let lookups = knob("QUANZE_BENCH_LOOKUPS", 10_000);
    // The tick's page of due cases (the server's is 1,000).
    let page = u32::try_from(knob("QUANZE_BENCH_PAGE", 1_000)).expect("a page size");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let temp = tempfile::tempdir().expect("temp dir");
    let (db, dir) = match (std::env::var("QUANZE_BENCH_PG"), std::env::var("QUANZE_BENCH_DB")) {
        (Ok(server), keep) => {
            let url = rt.block_on(pg_database(&server));
            let dir = keep.map_or_else(|_| temp.path().to_owned(), PathBuf::from);
            std::fs::create_dir_all(&dir).expect("data directory");
            (Db::Postgres { url }, dir)
        }
        (Err(_), Ok(path)) => {
            let path = PathBuf::from(path);
            let dir = path.parent().expect("a directory").to_owned();
            std::fs::create_dir_all(&dir).expect("data directory");
            (Db::Sqlite(path), dir)
        }
        (Err(_), Err(_)) => (Db::Sqlite(temp.path().join("quanze.db")), temp.path().to_owned()),
    };
    let key = PersonalKey::load_or_create(&dir.join("personal.key")).expect("personal key");
    let marker = db.marker(&dir);
    rt.block_on(async {
        let url = db.url();
        // `QUANZE_BENCH_ONE_BY_ONE=1`: PostgreSQL's group writer sends each job's statements
        // one by one, as before it sent a statement of many jobs as one (the baseline).
        let options = quanze_store::ConnectOptions {
            one_by_one: knob("QUANZE_BENCH_ONE_BY_ONE", 0) == 1,
            ..Default::default()
        };
        let store = quanze_store::connect_with(&url, options).await.expect("store");
        let config = Config {
            cases: CasesConfig { personal_key: Some(key), ..CasesConfig::default() },
            ..Config::default()
        };
        let stored = store
            .count_cases(&quanze_store::CaseFilter::default())
            .await
            .expect("count cases");
        let (end, mut last_tick) = if stored == 0 {
            let base = Service::new(
                store.clone(),
                Arc::new(quanze_service::SystemClock),
                Config::default(),
            )
            .await
            .expect("service");
            let t = Instant::now();
            base.load_demo(7).await.expect("demo county");
            println!("demo county loaded in {:.1} s", t.elapsed().as_secs_f64());
            let end = base.today();
            let start = end - Days::new(days as u64 - 1);
            let clock = Arc::new(BenchClock::at(start, 0));
            let service =
                Arc::new(Service::new(store.clone(), clock.clone(), config.clone()).await.expect("service"));
            let staff = Arc::new(Staff {
                clerk: login(&service, "clerk").await,
                reviewer: login(&service, "reviewer").await,
                leader: login(&service, "leader").await,
            });
            let report = fill(service, &clock, staff, total, days, clients, end).await;
            println!(
                "fill: {} cases over {days} days ending {end}, {} steps in {:.0} s = {:.0} steps/s, {clients} clients; the fill's ticks: {:?}",
                report.cases,
                report.steps,
                report.seconds,
                report.steps as f64 / report.seconds,
                report.ticks
            );
            std::fs::write(&marker, format!("{end} {end}\n")).expect("marker");
            (end, end)
        } else {
            let text = std::fs::read_to_string(&marker).expect("the marker of a kept store");
            let mut parts = text.split_whitespace().map(|d| d.parse::<NaiveDate>().expect("a date"));
            let end = parts.next().expect("end");
            let last = parts.next().expect("last tick");
            println!("reusing {stored} stored cases (filled up to {end}, ticked up to {last})");
            (end, last)
        };
        let open = store
            .count_cases(&quanze_store::CaseFilter { open_only: true, ..Default::default() })
            .await
            .expect("count");
        let all = store.count_cases(&quanze_store::CaseFilter::default()).await.expect("count");
        println!("cases stored: {all}, open: {open}");
        if let Db::Sqlite(path) = &db {
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            println!("database file: {:.2} GiB", size as f64 / (1u64 << 30) as f64);
        }

        // Ticks on successive days.
        let clock = Arc::new(BenchClock::at(last_tick, 0));
        let service = Service::new(store.clone(), clock.clone(), config.clone()).await.expect("service");
        let mut times = Vec::new();
        for _ in 0..ticks {
            let day = last_tick + Days::new(1);
            clock.set(day, 0);
            let t = Instant::now();
            let report = service.tick_deadlines(day, page).await.expect("tick");
            let took = t.elapsed();
            times.push(took);
            println!(
                "tick {day} ({}): {:>7.1} ms, examined {}, yellow {}, red {}, deemed accepted {}, 督办 opened {}, unchanged {}, skipped {}",
                day.format("%a"),
                took.as_secs_f64() * 1e3,
                report.examined,
                report.yellow,
                report.red,
                report.deemed_accepted,
                report.supervisions_opened,
                report.unchanged,
                report.skipped
            );
            last_tick = day;
            std::fs::write(&marker, format!("{end} {last_tick}\n")).expect("marker");
        }
        if !times.is_empty() {
            let mut sorted = times.clone();
            sorted.sort();
            println!(
                "ticks: p50 {:.1} ms, max {:.1} ms over {} days",
                percentile(&sorted, 50).as_secs_f64() * 1e3,
                sorted[sorted.len() - 1].as_secs_f64() * 1e3,
                sorted.len()
            );
        }
        // The baseline: the next day's tick query (one page) along the index and by a scan.
        let next = last_tick + Days::new(1);
        let (indexed, scanned, count, rows) = match &db {
            Db::Sqlite(path) => sqlite_baseline(path, next),
            Db::Postgres { url } => pg_baseline(url, next).await,
        };
        println!(
            "tick query for {next} (first page, {rows} rows): indexed {:.2} ms, table scan {:.1} ms (ratio {:.0}×); SELECT count(*) FROM cases {:.1} ms",
            indexed.as_secs_f64() * 1e3,
            scanned.as_secs_f64() * 1e3,
            scanned.as_secs_f64() / indexed.as_secs_f64(),
            count.as_secs_f64() * 1e3
        );

        // A case's page for random receipts, from a service just opened.
        let service = Service::new(store.clone(), clock.clone(), config).await.expect("service");
        let clerk = login(&service, "clerk").await;
        let start = end - Days::new(days as u64 - 1);
        let per_day = (total / days).max(1) as u32;
        let mut dice = Dice::new(42, 1_501);
        let mut times = Vec::with_capacity(lookups);
        let mut steps = 0usize;
        let began = Instant::now();
        for _ in 0..lookups {
            let day = start + Days::new(u64::from(dice.range(0, days as u32 - 1)));
            let receipt = quanze_core::case::ReceiptNo::new(day, dice.range(1, per_day));
            let t = Instant::now();
            let view = service.case_for_staff(&clerk, receipt.as_str()).await.expect("case page");
            times.push(t.elapsed());
            steps += view.timeline.len();
        }
        let secs = began.elapsed().as_secs_f64();
        times.sort();
        // `QUANZE_BENCH_LOOKUPS=0` (a fill or ticks only) reads no page.
        if lookups > 0 {
            println!(
            "case page (case_for_staff, {lookups} random receipts, one client): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; {:.1} steps per page; {:.0} pages/s",
            percentile(&times, 50).as_secs_f64() * 1e3,
            percentile(&times, 99).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            steps as f64 / lookups as f64,
            lookups as f64 / secs
        );
        }
        println!("bench process: {} {}", vm_status("VmHWM"), vm_status("VmRSS"));
    });
}
