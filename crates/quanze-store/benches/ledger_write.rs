//! What the ledger adds to a write transaction on SQLite (issue 3: at most 30 %).
//!
//! - `with_ledger`: `Store::create_user` through the real store: `BEGIN IMMEDIATE`, the head
//!   row read under the lock, the user and role rows, the event with its leaf hash (SM3 over
//!   the event's RFC 8785 bytes), the head moved on with the new frontier, and `COMMIT`. The
//!   interior nodes are the integrator's, later and in batches; `integrate/per_leaf` measures
//!   that share, per leaf, so the two can be added up.
//! - `without_ledger`: the same write with no ledger at all — the event counter incremented
//!   (`UPDATE ... RETURNING`), the user, role and event rows — on a second database file with
//!   the same schema (migrated by `connect`) and the same connection settings
//!   (`SQLITE_CONNECTION_PRAGMAS`, WAL, a pool of four, no ping before acquire). It keeps
//!   SQLite's automatic checkpoint inside its commits, where the store checkpoints on a
//!   thread of its own: both pay for copying the log into the file.
//! - `with_ledger_4k_pages`: the store on a file created with 4 KiB pages (SQLite's default,
//!   and the page size of files created before the store chose 8 KiB), for the cost of the
//!   larger page on a small write.
//!
//! Both commit with `synchronous = NORMAL`, the store's setting. Figures are recorded in
//! docs/performance.md with the command that produced them.

use std::hint::black_box;
use std::sync::Arc;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use quanze_core::{Role, RoleAssignment, UserId, Username};
use quanze_store::{NewEvent, SQLITE_CONNECTION_PRAGMAS, Store, UserRecord};
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use uuid::Uuid;

const INSERT_USER: &str = "INSERT INTO users (id, username, display_name, password_hash, \
     failed_logins, locked_until) VALUES ($1, $2, $3, $4, $5, $6)";
const INSERT_ROLE: &str =
    "INSERT INTO user_roles (user_id, position, role, unit_id) VALUES ($1, $2, $3, $4)";
const NEXT_SEQ: &str = "UPDATE event_head SET last_seq = last_seq + 1 WHERE id = 1 \
     RETURNING last_seq, leaves, frontier";
const INSERT_EVENT: &str = "INSERT INTO events (seq, at, actor, unit, kind, subject, payload, \
     commitment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

fn record(n: u64) -> UserRecord {
    UserRecord {
        id: UserId::from_uuid(Uuid::now_v7()),
        username: Username::parse(&format!("clerk{n:08}")).expect("valid name"),
        display_name: "经办人".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        roles: vec![RoleAssignment { role: Role::Clerk, unit: None }],
        failed_logins: 0,
        locked_until: None,
    }
}

fn event(user: &UserRecord) -> NewEvent {
    NewEvent {
        at: Utc::now(),
        actor: None,
        unit: None,
        kind: "user.created".into(),
        subject: format!("user:{}", user.id),
        payload: serde_json::json!({ "username": user.username.as_str(), "roles": ["clerk"] }),
        personal: None,
    }
}

/// The store's write: `Store::create_user` of the `n`th account.
fn write_through(rt: &tokio::runtime::Runtime, store: &dyn Store, n: u64) {
    let user = record(n);
    let ev = event(&user);
    rt.block_on(store.create_user(black_box(&user), ev)).expect("write");
}

/// The store's write without the ledger's statements.
async fn write_without_ledger(pool: &AnyPool, user: &UserRecord) {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.expect("begin");
    let (seq, _, _): (i64, i64, String) =
        sqlx::query_as(NEXT_SEQ).fetch_one(&mut *tx).await.expect("head");
    let id = user.id.to_string();
    sqlx::query(INSERT_USER)
        .bind(id.as_str())
        .bind(user.username.as_str())
        .bind(user.display_name.as_str())
        .bind(user.password_hash.as_str())
        .bind(0_i64)
        .bind(None::<String>)
        .execute(&mut *tx)
        .await
        .expect("user");
    // As the store sends it: a multi-row insert (of one row), not kept as a prepared statement.
    sqlx::query(INSERT_ROLE)
        .persistent(false)
        .bind(id.as_str())
        .bind(0_i64)
        .bind("clerk")
        .bind(None::<String>)
        .execute(&mut *tx)
        .await
        .expect("role");
    let ev = event(user);
    sqlx::query(INSERT_EVENT)
        .bind(seq)
        .bind(ev.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
        .bind(None::<String>)
        .bind(None::<String>)
        .bind(ev.kind.as_str())
        .bind(ev.subject.as_str())
        .bind(ev.payload.to_string())
        .bind(None::<String>)
        .execute(&mut *tx)
        .await
        .expect("event");
    tx.commit().await.expect("commit");
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let with_url = format!("sqlite://{}", dir.path().join("with.db").display());
    let without_url = format!("sqlite://{}", dir.path().join("without.db").display());
    let small_path = dir.path().join("small-pages.db");
    {
        let conn = rusqlite::Connection::open(&small_path).expect("4 KiB file");
        conn.execute_batch("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; VACUUM;")
            .expect("4 KiB pages");
    }
    let small_url = format!("sqlite://{}", small_path.display());
    let (store, small, pool): (Arc<dyn Store>, Arc<dyn Store>, AnyPool) = rt.block_on(async {
        let store = quanze_store::connect(&with_url).await.expect("store");
        let small = quanze_store::connect(&small_url).await.expect("store on 4 KiB pages");
        // Same schema for the baseline: let the store migrate it, then open it ourselves.
        drop(quanze_store::connect(&without_url).await.expect("baseline schema"));
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    for pragma in SQLITE_CONNECTION_PRAGMAS {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(&without_url)
            .await
            .expect("baseline pool");
        (store, small, pool)
    });
    let page_size = |path: &std::path::Path| -> i64 {
        let conn = rusqlite::Connection::open(path).expect("open");
        conn.query_row("PRAGMA page_size", [], |r| r.get(0)).expect("page size")
    };
    assert_eq!(page_size(&dir.path().join("with.db")), 8192);
    assert_eq!(page_size(&small_path), 4096, "the existing file keeps its page size");
    let mut n = 0u64;
    let mut group = c.benchmark_group("write_sqlite");
    group.bench_function("without_ledger", |b| {
        b.iter(|| {
            n += 1;
            let user = record(n);
            rt.block_on(write_without_ledger(&pool, black_box(&user)));
        })
    });
    group.bench_function("with_ledger", |b| {
        b.iter(|| {
            n += 1;
            write_through(&rt, &*store, n);
        })
    });
    group.bench_function("with_ledger_4k_pages", |b| {
        b.iter(|| {
            n += 1;
            write_through(&rt, &*small, n);
        })
    });
    group.finish();

    // The integrator's share: the nodes of the leaves written above, in its batches.
    let mut group = c.benchmark_group("integrate");
    group.sample_size(10);
    group.bench_function("per_leaf_of_1000", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                rt.block_on(store.integrate_ledger()).expect("integrate");
                for _ in 0..1_000 {
                    n += 1;
                    write_through(&rt, &*store, n);
                }
                let t = std::time::Instant::now();
                rt.block_on(store.integrate_ledger()).expect("integrate");
                total += t.elapsed() / 1_000;
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
