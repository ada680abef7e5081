//! Group commit ([`crate::group`]): jobs batched into one transaction on both backends.
//!
//! These tests hold the store itself (not a `dyn Store`) to read the scratch tables they
//! create through its pool, and to hold the writer back while a batch gathers.

use std::collections::{BTreeMap, BTreeSet};

use tokio::sync::oneshot;

use super::*;
use crate::group::{Pending, ReadyJob};
use crate::open::SqlStore;
use crate::prelude::*;
use crate::{Bulk, ConnectOptions, GroupJob, Receipt, SqlValue, Stmt};

/// Runs `body` on a fresh [`SqlStore`] for every available backend.
async fn each_sql_store<F, Fut>(body: F)
where
    F: Fn(Arc<SqlStore>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut urls: Vec<_> = test_databases(dir.path()).await;
    for db in urls.drain(..) {
        let store = crate::open::open(&db.url, ConnectOptions::default())
            .await
            .unwrap_or_else(|e| panic!("open {:?}: {e}", db.backend));
        let outcome = tokio::spawn(body(Arc::new(store))).await;
        db.cleanup().await;
        if let Err(e) = outcome {
            if e.is_panic() {
                std::panic::resume_unwind(e.into_panic());
            }
            panic!("{e}");
        }
    }
}

/// Declares a test whose body runs once per backend with `$store: Arc<SqlStore>`.
macro_rules! group_contract {
    ($(#[$meta:meta])* $name:ident, |$store:ident| $body:block) => {
        $(#[$meta])*
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            each_sql_store(|$store: Arc<SqlStore>| async move $body).await;
        }
    };
}

fn event(kind: &str, subject: &str) -> NewEvent {
    NewEvent { subject: subject.to_owned(), ..ev(kind) }
}

/// Creates the scratch tables (in a job: DDL runs in a transaction on both backends): items
/// naming the event that wrote them, and a versioned counter row.
async fn scratch(store: &SqlStore) {
    let job = GroupJob::new(event("test.scratch", "scratch"))
        .stmt(Stmt::new(
            "CREATE TABLE scratch_items (id TEXT PRIMARY KEY, client BIGINT NOT NULL, \
             n BIGINT NOT NULL, seq BIGINT NOT NULL REFERENCES events (seq))",
        ))
        .stmt(Stmt::new(
            "CREATE TABLE scratch_counter (id BIGINT PRIMARY KEY, version BIGINT NOT NULL)",
        ))
        .stmt(Stmt::new("INSERT INTO scratch_counter (id, version) VALUES (1, 0)"));
    assert_eq!(store.write_alone(job).await.unwrap().seq, 1);
}

/// A job adding item `id` and bumping the counter from `version` (`None`: whatever it is).
fn item_job(id: &str, client: i64, n: i64, version: Option<i64>) -> GroupJob {
    let bump = match version {
        Some(v) => Stmt::new(
            "UPDATE scratch_counter SET version = version + 1 WHERE id = 1 AND version = $1",
        )
        .bind(v),
        None => Stmt::new("UPDATE scratch_counter SET version = version + 1 WHERE id = $1").bind(1),
    };
    GroupJob::new(event("test.item", &format!("item:{id}")))
        .stmt(
            Stmt::new("INSERT INTO scratch_items (id, client, n, seq) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(client)
                .bind(n)
                .bind(SqlValue::EventSeq)
                .expect_rows(1),
        )
        .stmt(bump.expect_rows(1))
}

async fn items(store: &SqlStore) -> BTreeMap<String, (i64, i64, i64)> {
    let rows: Vec<(String, i64, i64, i64)> =
        sqlx::query_as("SELECT id, client, n, seq FROM scratch_items")
            .fetch_all(&store.pool)
            .await
            .unwrap();
    rows.into_iter().map(|(id, client, n, seq)| (id, (client, n, seq))).collect()
}

async fn counter(store: &SqlStore) -> i64 {
    sqlx::query_scalar("SELECT version FROM scratch_counter WHERE id = 1")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// Events are numbered 1..=n without gaps, their stored leaf hashes are their bytes' and the
/// head's root is the root of the events replayed in order; the integrator agrees.
async fn assert_ledger_whole(store: &SqlStore, n: u64) {
    assert_eq!(store.event_count().await.unwrap(), n);
    let events = store.events(0, 100_000).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=n).collect::<Vec<_>>());
    let head = store.ledger_head().await.unwrap();
    assert_eq!(head.size, n);
    let replayed = recomputed(head.alg, &events);
    assert_eq!(head.root, replayed.root());
    let stored = store.leaf_hashes(0, n).await.unwrap();
    assert_eq!(stored.len() as u64, n);
    for (index, hash) in stored {
        assert_eq!(Some(hash), replayed.leaf_hash(index), "leaf {index}");
    }
    assert_eq!(store.integrate_ledger().await.unwrap(), n);
    let stored_root = store.ledger_head().await.unwrap().root;
    assert_eq!(stored_root, replayed.root());
}

fn recomputed(
    alg: quanze_ledger::HashAlg,
    events: &[quanze_core::Event],
) -> quanze_ledger::MemoryTree {
    let mut tree = quanze_ledger::MemoryTree::new(alg);
    for e in events {
        tree.append(&e.leaf_bytes());
    }
    tree
}

/// Hands `job` to the group writer without waiting for its answer. When this returns, the
/// job is in the writer's queue.
async fn enqueue(
    store: &SqlStore,
    job: GroupJob,
) -> oneshot::Receiver<Result<Receipt, StoreError>> {
    let (reply, answer) = oneshot::channel();
    let writer = store.group_writer().await.unwrap();
    let job = ReadyJob::prepare(job, None).unwrap();
    if writer.jobs.as_ref().unwrap().send(Pending { job, reply }).is_err() {
        panic!("the group writer has stopped");
    }
    answer
}

group_contract!(concurrent_jobs_all_commit_with_gap_free_numbers, |store| {
    scratch(&store).await;
    const CLIENTS: i64 = 64;
    const JOBS: i64 = 50;
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let store = store.clone();
        tasks.spawn(async move {
            let mut receipts = Vec::new();
            for n in 0..JOBS {
                let id = format!("c{client}-{n}");
                let receipt = store.group_write(item_job(&id, client, n, None)).await.unwrap();
                receipts.push((id, receipt.seq));
            }
            receipts
        });
    }
    let mut receipts = BTreeMap::new();
    while let Some(res) = tasks.join_next().await {
        receipts.extend(res.unwrap());
    }
    let total = (CLIENTS * JOBS) as u64;
    assert_eq!(receipts.len() as u64, total);
    let seqs: BTreeSet<u64> = receipts.values().copied().collect();
    assert_eq!(seqs, (2..=total + 1).collect());
    // Every acknowledged job's row is there, naming its own event.
    let stored = items(&store).await;
    assert_eq!(stored.len() as u64, total);
    for (id, seq) in &receipts {
        assert_eq!(stored[id].2 as u64, *seq, "{id}");
    }
    assert_eq!(counter(&store).await, CLIENTS * JOBS);
    let events = store.events(1, 100_000).await.unwrap();
    for e in &events {
        let id = e.subject.strip_prefix("item:").unwrap();
        assert_eq!(receipts[id], e.seq);
    }
    assert_ledger_whole(&store, total + 1).await;
});

group_contract!(a_failing_job_fails_alone_in_its_batch, |store| {
    scratch(&store).await;
    store.group_write(item_job("first", 0, 0, Some(0))).await.unwrap();
    // Hold the writer back (the writer slot on SQLite, the head row on PostgreSQL) while all
    // the jobs below queue up: it takes one or more of them, waits, and takes the rest as
    // the next batch, so the failing jobs share batches with the others.
    let held = store.begin_write().await.unwrap();
    let taken = enqueue(&store, item_job("taken", 0, 1, Some(1))).await;
    let mut answers = Vec::new();
    let mut version = 2;
    for n in 0..20 {
        let job = match n {
            // A stale version: its insert, which ran, is rolled back with it.
            6 => item_job("stale", 1, n, Some(0)),
            // A duplicate key.
            9 => item_job("first", 1, n, None),
            // A missing referenced row.
            12 => GroupJob::new(event("test.item", "item:orphan")).stmt(
                Stmt::new("INSERT INTO scratch_items (id, client, n, seq) VALUES ($1, 1, 0, $2)")
                    .bind("orphan")
                    .bind(1_000_000_i64),
            ),
            // Values that do not fit the placeholders.
            15 => GroupJob::new(event("test.item", "item:unbound"))
                .stmt(Stmt::new("UPDATE scratch_counter SET version = $1 WHERE id = $2").bind(7)),
            _ => {
                version += 1;
                item_job(&format!("b{n}"), 1, n, Some(version - 1))
            }
        };
        answers.push((n, enqueue(&store, job).await));
    }
    drop(held);
    assert_eq!(taken.await.unwrap().unwrap().seq, 3);
    let mut seqs = Vec::new();
    for (n, answer) in answers {
        let res = answer.await.unwrap();
        match n {
            6 | 9 => assert_conflict(res),
            12 => {
                assert_not_found(res);
            }
            15 => assert!(res.is_err(), "{res:?}"),
            _ => seqs.push(res.unwrap().seq),
        }
    }
    // The others committed, in order, with the failed jobs' numbers reused.
    assert_eq!(seqs, (4..4 + 16).collect::<Vec<_>>());
    let stored = items(&store).await;
    assert!(!stored.contains_key("stale") && !stored.contains_key("orphan"));
    assert_eq!(stored["first"].1, 0);
    assert_eq!(stored.len(), 2 + 16);
    assert_eq!(counter(&store).await, version);
    let events = store.events(0, 100).await.unwrap();
    assert!(
        events
            .iter()
            .all(|e| !["item:stale", "item:orphan", "item:unbound"].contains(&e.subject.as_str()))
    );
    assert_ledger_whole(&store, 3 + 16).await;
});

group_contract!(group_and_ordinary_writes_interleave_without_gaps, |store| {
    scratch(&store).await;
    store.put_regions(&[county()], ev("regions.put")).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut seqs = Vec::new();
            for n in 0..25 {
                let receipt = if n % 3 == 0 {
                    store.put_regions(&[county()], ev("regions.put")).await
                } else {
                    store.group_write(item_job(&format!("c{client}-{n}"), client, n, None)).await
                };
                seqs.push(receipt.unwrap().seq);
            }
            seqs
        });
    }
    let mut seqs = BTreeSet::new();
    while let Some(res) = tasks.join_next().await {
        seqs.extend(res.unwrap());
    }
    assert_eq!(seqs, (3..=2 + 8 * 25).collect());
    assert_eq!(items(&store).await.len(), 8 * 16);
    assert_ledger_whole(&store, 2 + 8 * 25).await;
});

group_contract!(alone_and_grouped_jobs_have_the_same_outcomes, |store| {
    scratch(&store).await;
    for grouped in [false, true] {
        let write = |job: GroupJob| {
            let store = store.clone();
            async move {
                if grouped { store.group_write(job).await } else { store.write_alone(job).await }
            }
        };
        let id = format!("x{grouped}");
        let first = write(item_job(&id, 0, 0, None)).await.unwrap();
        assert_conflict(write(item_job(&id, 0, 1, None)).await);
        assert_conflict(write(item_job(&format!("{id}-stale"), 0, 1, Some(-1))).await);
        // Placeholders bound by their digits, one of them twice.
        let next = write(
            GroupJob::new(event("test.item", "item:swapped")).stmt(
                Stmt::new("INSERT INTO scratch_items (id, client, n, seq) VALUES ($2, $1, $1, $3)")
                    .bind(7)
                    .bind(format!("{id}-swapped"))
                    .bind(SqlValue::EventSeq),
            ),
        )
        .await
        .unwrap();
        assert_eq!(next.seq, first.seq + 1);
        assert_eq!(items(&store).await[&format!("{id}-swapped")], (7, 7, next.seq as i64));
        // Personal data: only its commitment enters the event; the data is kept aside.
        let personal = json!({ "name": "张三", "id_number": "11010519491231002X" });
        let job = GroupJob::new(NewEvent { personal: Some(personal.clone()), ..ev("test.person") });
        let seq = write(job).await.unwrap().seq;
        let stored = store.events(seq - 1, 1).await.unwrap().remove(0);
        assert_eq!(stored.commitment.as_ref().map(String::len), Some(64));
        let (_, data) = store.personal_data(seq).await.unwrap().unwrap();
        assert_eq!(data, personal);
    }
    let n = store.event_count().await.unwrap();
    assert_ledger_whole(&store, n).await;
});

group_contract!(a_receipt_comes_only_after_its_commit, |store| {
    scratch(&store).await;
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..16 {
        let store = store.clone();
        tasks.spawn(async move {
            for n in 0..20 {
                let id = format!("c{client}-{n}");
                let seq = store.group_write(item_job(&id, client, n, None)).await.unwrap().seq;
                // Another connection sees the job's row and event as soon as it is answered:
                // the transaction had committed.
                let (row_seq,): (i64,) =
                    sqlx::query_as("SELECT seq FROM scratch_items WHERE id = $1")
                        .bind(id.as_str())
                        .fetch_one(&store.pool)
                        .await
                        .unwrap();
                assert_eq!(row_seq as u64, seq);
                let (subject,): (String,) =
                    sqlx::query_as("SELECT subject FROM events WHERE seq = $1")
                        .bind(row_seq)
                        .fetch_one(&store.pool)
                        .await
                        .unwrap();
                assert_eq!(subject, format!("item:{id}"));
            }
        });
    }
    while let Some(res) = tasks.join_next().await {
        res.unwrap();
    }
    // And a connection opened afterwards, outside the store, sees every acknowledged row.
    if let Some(path) = store.sqlite_file.clone() {
        let conn = rusqlite::Connection::open(path).unwrap();
        let rows: i64 =
            conn.query_row("SELECT count(*) FROM scratch_items", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 16 * 20);
    }
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_that_cannot_begin_fails_each_caller_and_the_writer_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::testing::sqlite_url(dir.path());
    let store = Arc::new(crate::open::open(&url, ConnectOptions::default()).await.unwrap());
    scratch(&store).await;
    // Another process's writer holds SQLite's write lock past the busy timeout.
    let other = rusqlite::Connection::open(store.sqlite_file.clone().unwrap()).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let res = store.group_write(item_job("a", 0, 0, None)).await;
    assert!(matches!(res, Err(StoreError::Group(_))), "{res:?}");
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(store.group_write(item_job("b", 0, 1, None)).await.unwrap().seq, 2);
    assert_eq!(items(&store).await.keys().collect::<Vec<_>>(), ["b"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_memory_database_groups_through_the_pool() {
    let store =
        Arc::new(crate::open::open("sqlite::memory:", ConnectOptions::default()).await.unwrap());
    assert!(store.sqlite_file.is_none());
    scratch(&store).await;
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut personal = Vec::new();
            for n in 0..10 {
                let mut job = item_job(&format!("c{client}-{n}"), client, n, None);
                if n % 3 == 0 {
                    job.event.personal = Some(json!({ "name": format!("申请人{client}-{n}") }));
                }
                let seq = store.group_write(job).await.unwrap().seq;
                if n % 3 == 0 {
                    personal.push((seq, format!("申请人{client}-{n}")));
                }
            }
            personal
        });
    }
    let mut personal = Vec::new();
    while let Some(res) = tasks.join_next().await {
        personal.extend(res.unwrap());
    }
    assert_eq!(counter(&store).await, 80);
    assert_eq!(personal.len(), 8 * 4);
    for (seq, name) in personal {
        let (_, data) = store.personal_data(seq).await.unwrap().unwrap();
        assert_eq!(data, json!({ "name": name }));
    }
    assert_ledger_whole(&store, 81).await;
}

/// A job inserting item `id` unless it is there, its changed rows counted.
fn once_job(id: &str, n: i64) -> GroupJob {
    GroupJob::new(event("test.once", &format!("once:{id}:{n}"))).stmt(
        Stmt::new(
            "INSERT INTO scratch_items (id, client, n, seq) VALUES ($1, 0, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(n)
        .bind(SqlValue::EventSeq)
        .counted(),
    )
}

group_contract!(counted_statements_report_the_rows_they_changed, |store| {
    scratch(&store).await;
    // Grouped and alone: an insert that finds its row counts none.
    assert_eq!(store.group_write(once_job("a", 1)).await.unwrap().counted, 1);
    assert_eq!(store.group_write(once_job("a", 2)).await.unwrap().counted, 0);
    assert_eq!(store.write_alone(once_job("b", 1)).await.unwrap().counted, 1);
    assert_eq!(store.write_alone(once_job("b", 2)).await.unwrap().counted, 0);
    // Statements not marked count nothing.
    assert_eq!(store.group_write(item_job("plain", 0, 0, None)).await.unwrap().counted, 0);
    // Queued together with a job that fails, so that the batch runs again job by job: the
    // counts are the rerun's.
    let jobs =
        [once_job("c", 1), item_job("bad", 0, 0, Some(-1)), once_job("a", 3), once_job("d", 1)];
    let mut answers = Vec::new();
    for job in jobs {
        answers.push(enqueue(&store, job).await);
    }
    let mut outcomes = Vec::new();
    for answer in answers {
        outcomes.push(answer.await.unwrap());
    }
    assert!(matches!(outcomes[1], Err(StoreError::Conflict(_))), "{:?}", outcomes[1]);
    let counted: Vec<_> = outcomes.iter().map(|o| o.as_ref().map_or(9, |r| r.counted)).collect();
    assert_eq!(counted, [1, 9, 0, 1]);
    assert_eq!(items(&store).await.len(), 5, "a, b, plain, c, d");
});

/// Creates keyed rows `r0`… at version 0, their timeline and their marks (a row literal
/// `NULL` in the marks' insert, to check the row is copied as written).
async fn keyed_scratch(store: &SqlStore, rows: usize) {
    let mut job = GroupJob::new(event("test.scratch", "keyed"))
        .stmt(Stmt::new("CREATE TABLE scratch_rows (id TEXT PRIMARY KEY, version BIGINT NOT NULL)"))
        .stmt(Stmt::new(
            "CREATE TABLE scratch_steps (row_id TEXT NOT NULL, version BIGINT NOT NULL, \
             seq BIGINT NOT NULL REFERENCES events (seq), PRIMARY KEY (row_id, version))",
        ))
        .stmt(Stmt::new(
            "CREATE TABLE scratch_marks (id TEXT PRIMARY KEY, row_id TEXT NOT NULL, note TEXT)",
        ));
    for r in 0..rows {
        job = job.stmt(
            Stmt::new("INSERT INTO scratch_rows (id, version) VALUES ($1, 0)")
                .bind(format!("r{r}")),
        );
    }
    store.write_alone(job).await.unwrap();
}

/// A write of row `key` as a case write is shaped: its row moved on from `version` (guarded),
/// a timeline row naming its event, and counted marks inserted unless there.
fn keyed_job(key: &str, version: i64, marks: &[&str]) -> GroupJob {
    let mut job = GroupJob::new(event("test.keyed", &format!("row:{key}")))
        .key(key)
        .stmt(
            Stmt::new("UPDATE scratch_rows SET version = $2 WHERE id = $1 AND version = $3")
                .bulk(Bulk::Rows {
                    head: "UPDATE scratch_rows SET version = v.column2 FROM (VALUES ",
                    tail: ") AS v WHERE scratch_rows.id = v.column1 \
                           AND scratch_rows.version = v.column3",
                })
                .bind(key)
                .bind(version + 1)
                .bind(version)
                .expect_rows(1),
        )
        .stmt(
            Stmt::new("INSERT INTO scratch_steps (row_id, version, seq) VALUES ($1, $2, $3)")
                .bulk(Bulk::Insert)
                .bind(key)
                .bind(version + 1)
                .bind(SqlValue::EventSeq),
        );
    for mark in marks {
        job = job.stmt(
            Stmt::new(
                "INSERT INTO scratch_marks (id, row_id, note) VALUES ($1, $2, NULL) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bulk(Bulk::Insert)
            .bind(*mark)
            .bind(key)
            .counted(),
        );
    }
    job
}

group_contract!(keyed_jobs_go_together_in_multi_row_statements_with_the_same_outcome, |store| {
    keyed_scratch(&store, 12).await;
    let pooled = store.sqlite_file.is_none();
    let counts = Arc::clone(&store.group_writer().await.unwrap().counts);
    let sent = |c: &crate::group::WriterCounts| {
        use std::sync::atomic::Ordering::Relaxed;
        (c.statements.load(Relaxed), c.retried.load(Relaxed))
    };
    // The writer takes the first job and waits behind the held lock; the rest queue up and
    // form one batch.
    let held = store.begin_write().await.unwrap();
    let mut answers = vec![enqueue(&store, keyed_job("r0", 0, &[])).await];
    for r in 1..10 {
        let key = format!("r{r}");
        let own = format!("m{r}");
        answers.push(enqueue(&store, keyed_job(&key, 0, &[&own, "shared"])).await);
    }
    drop(held);
    let mut receipts = Vec::new();
    for answer in answers {
        receipts.push(answer.await.unwrap().unwrap());
    }
    let seqs: Vec<u64> = receipts.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (2..12).collect::<Vec<_>>());
    // As job after job: the first job to insert the shared mark counts it, the others not.
    let counted: Vec<u64> = receipts.iter().map(|r| r.counted).collect();
    assert_eq!(counted, [0, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
    let marks: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, row_id, note FROM scratch_marks ORDER BY id")
            .fetch_all(&store.pool)
            .await
            .unwrap();
    assert_eq!(marks.len(), 10);
    assert!(marks.contains(&("shared".into(), "r1".into(), None)), "{marks:?}");
    let steps: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT row_id, version, seq FROM scratch_steps ORDER BY seq")
            .fetch_all(&store.pool)
            .await
            .unwrap();
    let expected: Vec<(String, i64, i64)> = (0..10).map(|r| (format!("r{r}"), 1, r + 2)).collect();
    assert_eq!(steps, expected);
    if pooled {
        // 10 jobs of 2 to 4 statements: 28 one by one; together, the first job alone (2),
        // then a statement per shape (3).
        let (statements, retried) = sent(&counts);
        assert!(statements <= 8, "{statements} statements");
        assert_eq!(retried, 0);
    }

    // A batch with a stale write and a key twice: the stale one fails alone, the second
    // write of a row sees the first's version, and the rest go on.
    let before = sent(&counts);
    let held = store.begin_write().await.unwrap();
    let mut answers = vec![enqueue(&store, keyed_job("r10", 0, &[])).await];
    answers.push(enqueue(&store, keyed_job("r1", 1, &["n1"])).await);
    answers.push(enqueue(&store, keyed_job("r2", 0, &["n2"])).await); // stale
    answers.push(enqueue(&store, keyed_job("r1", 2, &["n1b"])).await); // after the r1 above
    answers.push(enqueue(&store, keyed_job("r11", 0, &["shared"])).await);
    drop(held);
    let mut outcomes = Vec::new();
    for answer in answers {
        outcomes.push(answer.await.unwrap());
    }
    assert_conflict(outcomes.remove(2));
    let seqs: Vec<u64> = outcomes.iter().map(|o| o.as_ref().unwrap().seq).collect();
    assert_eq!(seqs, [12, 13, 14, 15]);
    let counted: Vec<u64> = outcomes.iter().map(|o| o.as_ref().unwrap().counted).collect();
    assert_eq!(counted, [0, 1, 1, 0]);
    let version: i64 = sqlx::query_scalar("SELECT version FROM scratch_rows WHERE id = 'r1'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(version, 3);
    let r2: i64 = sqlx::query_scalar("SELECT count(*) FROM scratch_steps WHERE row_id = 'r2'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(r2, 1, "the stale write left no step");
    if pooled {
        assert!(sent(&counts).1 > before.1, "the batch with the stale write ran again");
    }
    assert_ledger_whole(&store, 15).await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_memory_database_sends_keyed_jobs_together() {
    let store =
        Arc::new(crate::open::open("sqlite::memory:", ConnectOptions::default()).await.unwrap());
    keyed_scratch(&store, 40).await;
    let counts = Arc::clone(&store.group_writer().await.unwrap().counts);
    let held = store.begin_write().await.unwrap();
    let mut answers = Vec::new();
    for r in 0..40 {
        let mark = format!("m{r}");
        answers.push(enqueue(&store, keyed_job(&format!("r{r}"), 0, &[&mark])).await);
    }
    drop(held);
    for answer in answers {
        assert_eq!(answer.await.unwrap().unwrap().counted, 1);
    }
    let statements = counts.statements.load(std::sync::atomic::Ordering::Relaxed);
    assert!(statements <= 6, "{statements} statements for 40 jobs of 3");
    assert_ledger_whole(&store, 41).await;
}

group_contract!(case_writes_of_different_cases_go_together_without_a_retry, |store| {
    use quanze_core::case::{Actor, CaseCommand, CaseRules, ClockKind, StepTime, Supervision};
    use quanze_core::{SupervisionId, WorkCalendar};

    use crate::{CaseStore, CaseWrite};
    let town = UnitId::from_uuid(Uuid::now_v7());
    let on = NaiveDate::from_ymd_opt(2026, 9, 28).unwrap();
    let counts = Arc::clone(&store.group_writer().await.unwrap().counts);
    let load = |c: &crate::group::WriterCounts| {
        use std::sync::atomic::Ordering::Relaxed;
        (c.statements.load(Relaxed), c.retried.load(Relaxed))
    };
    // Every statement shape of a case write, each in a batch of 30 cases: new cases, then a
    // step on each that keeps its units (in place) and opens a 督办, then one that moves the
    // case and closes them.
    let cases: Vec<_> = (1..=30).map(|n| cases::new_case(town, n, on)).collect();
    let held = store.begin_write().await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for (case, step) in &cases {
        let store = store.clone();
        let write = cases::first(case, step, Some(on));
        tasks.spawn(async move { store.write_case(write, ev("case.applied")).await });
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    drop(held);
    while let Some(res) = tasks.join_next().await {
        res.unwrap().unwrap();
    }
    // Each case's next look went with it (on PostgreSQL a row of `case_looks` of its own).
    assert_eq!(store.cases_due(on, 100, &[]).await.unwrap().len(), 30);
    let clerk = Actor::Staff {
        user: UserId::from_uuid(Uuid::now_v7()),
        unit: town,
        roles: vec![Role::Clerk],
    };
    let later = on + chrono::Days::new(40);
    let at = |d: NaiveDate| {
        let local = d.and_hms_opt(10, 0, 0).unwrap();
        StepTime { at: Utc.from_utc_datetime(&(local - chrono::Duration::hours(8))), local }
    };
    let calendar = WorkCalendar::official();
    let rules = CaseRules::default();
    let mut urged = Vec::new();
    for (case, _) in &cases {
        let (next, step) = case
            .apply(&CaseCommand::Urge { note: "超期".into() }, &clerk, at(later), &calendar, &rules)
            .unwrap();
        let supervision = Supervision {
            id: SupervisionId::from_uuid(Uuid::now_v7()),
            case: case.id,
            receipt: case.receipt.clone(),
            clock: Some(ClockKind::Decision),
            task: None,
            due: later,
            unit: town,
            person: None,
            opened_on: later,
            closed_on: None,
        };
        urged.push((case.steps, next, step, supervision));
    }
    let held = store.begin_write().await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for (previous, next, step, supervision) in urged.clone() {
        let store = store.clone();
        tasks.spawn(async move {
            let write = CaseWrite {
                case: &next,
                step: &step,
                previous_steps: Some(previous),
                moves: false,
                next_alert_on: None,
                applicant: None,
                supervisions: std::slice::from_ref(&supervision),
                close_supervisions: None,
            };
            store.write_case(write, ev("case.supervised")).await.map(|r| r.counted)
        });
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    drop(held);
    while let Some(res) = tasks.join_next().await {
        assert_eq!(res.unwrap().unwrap(), 1, "each write opened its 督办");
    }
    assert!(store.cases_due(later, 100, &[]).await.unwrap().is_empty(), "no next look");
    let held = store.begin_write().await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for (_, current, _, _) in urged {
        let store = store.clone();
        let (closed, step) = current
            .apply(
                &CaseCommand::Withdraw { reason: String::new() },
                &Actor::Applicant,
                at(later),
                &calendar,
                &rules,
            )
            .unwrap();
        tasks.spawn(async move {
            let write = CaseWrite {
                case: &closed,
                step: &step,
                previous_steps: Some(current.steps),
                moves: true,
                next_alert_on: None,
                applicant: None,
                supervisions: &[],
                close_supervisions: Some(later),
            };
            store.write_case(write, ev("case.withdrawn")).await.map(|_| ())
        });
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    drop(held);
    while let Some(res) = tasks.join_next().await {
        res.unwrap().unwrap();
    }
    for (case, _) in &cases {
        let stored = store.case(case.id).await.unwrap().unwrap();
        assert_eq!(stored.case.steps, 3);
        assert_eq!(store.case_steps(case.id).await.unwrap().len(), 3);
    }
    assert!(store.supervisions(Some(town), true).await.unwrap().is_empty(), "all closed");
    assert_eq!(store.supervisions(Some(town), false).await.unwrap().len(), 30);
    if store.sqlite_file.is_none() {
        // One by one: 30 × (3 + 3 + 3) = 270 statements (360 with PostgreSQL's next looks).
        let (statements, retried) = load(&counts);
        assert_eq!(retried, 0, "no batch fell back to job by job");
        assert!(statements <= 60, "{statements} statements");
    }
    assert_ledger_whole(&store, 90).await;
});
