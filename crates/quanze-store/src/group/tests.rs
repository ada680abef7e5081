use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::Utc;

use super::*;

fn job(kind: &str) -> GroupJob {
    GroupJob::new(NewEvent {
        at: Utc::now(),
        actor: None,
        unit: None,
        kind: kind.to_owned(),
        subject: "test".to_owned(),
        payload: serde_json::json!({}),
        personal: None,
    })
}

/// A writer that panics on a batch holding a job of kind `panic` and answers every other
/// job with its position in the stream.
struct Flaky<'c> {
    answered: u64,
    recovered: &'c AtomicUsize,
}

impl Batches for Flaky<'_> {
    fn run(&mut self, batch: Vec<Pending>) {
        assert!(batch.iter().all(|p| p.job.event.kind != "panic"), "a job asked for a panic");
        let results = batch
            .iter()
            .map(|_| {
                self.answered += 1;
                Ok(Receipt::of(self.answered))
            })
            .collect();
        answer(batch, Ok(results));
    }

    fn recover(&mut self) {
        self.recovered.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_panicking_batch_fails_its_callers_and_the_writer_goes_on() {
    static RECOVERED: AtomicUsize = AtomicUsize::new(0);
    let (jobs, queue) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        serve(&queue, &mut Flaky { answered: 0, recovered: &RECOVERED });
    });
    let writer = GroupWriter {
        jobs: Some(Queue::Thread(jobs)),
        thread: Some(thread),
        counts: Default::default(),
    };
    assert_eq!(writer.submit(job("first"), None).await.unwrap(), Receipt::of(1));
    let res = writer.submit(job("panic"), None).await;
    assert!(matches!(res, Err(StoreError::Group(_))), "{res:?}");
    assert_eq!(writer.submit(job("after"), None).await.unwrap(), Receipt::of(2));
    // The writer recovered before it took the next batch.
    assert_eq!(RECOVERED.load(Ordering::SeqCst), 1);
    // Dropping the writer ends the thread's loop and joins it.
    drop(writer);
}

#[tokio::test]
async fn a_stopped_writer_answers_with_an_error() {
    let (jobs, queue) = std::sync::mpsc::channel();
    drop(queue);
    let writer =
        GroupWriter { jobs: Some(Queue::Thread(jobs)), thread: None, counts: Default::default() };
    let res = writer.submit(job("x"), None).await;
    assert!(matches!(res, Err(StoreError::Group(_))), "{res:?}");
}

#[test]
fn placeholders_are_numbered_by_their_digits() {
    assert_eq!(placeholder_index(Some("$3"), 1), Ok(3));
    assert_eq!(placeholder_index(Some("$12"), 2), Ok(12));
    assert_eq!(placeholder_index(None, 2), Ok(2));
    assert!(placeholder_index(Some("$0"), 1).is_err());
    assert!(placeholder_index(Some(":name"), 1).is_err());
    assert!(placeholder_index(Some("$x"), 1).is_err());
}

#[test]
fn expected_rows_are_checked() {
    let stmt = Stmt::new("UPDATE t SET v = 1").expect_rows(1);
    assert!(check_rows(&stmt, 0, 1, "s").is_ok());
    let res = check_rows(&stmt, 2, 0, "case:1");
    match res {
        Err(StoreError::Conflict(m)) => {
            assert_eq!(m, "case:1: statement 2 changed 0 rows, expected 1")
        }
        other => panic!("{other:?}"),
    }
    assert!(check_rows(&Stmt::new("DELETE FROM t"), 0, 7, "s").is_ok());
}

#[test]
fn values_convert_with_typed_nulls() {
    assert_eq!(SqlValue::from(Some(3_i64)), SqlValue::I64(3));
    assert_eq!(SqlValue::from(None::<i64>), SqlValue::Null(SqlType::I64));
    assert_eq!(SqlValue::from(None::<&str>), SqlValue::Null(SqlType::Text));
    assert_eq!(SqlValue::from(true), SqlValue::I64(1));
    assert_eq!(SqlValue::from("县"), SqlValue::Text("县".to_owned()));
    let stmt = Stmt::new("UPDATE t SET a = $1 WHERE b = $2").bind(1_i64).bind(None::<String>);
    assert_eq!(stmt.params, [SqlValue::I64(1), SqlValue::Null(SqlType::Text)]);
}

#[test]
fn the_sqlite_writer_commits_without_sync_and_its_syncer_syncs_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    drop(rusqlite::Connection::open(&path).unwrap());
    let conn = sqlite::open(&path).unwrap();
    // NORMAL: the commit writes the log; the syncer syncs it before anyone is answered.
    let level: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(level, 1, "synchronous = NORMAL");
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (a); INSERT INTO t VALUES (1)")
        .unwrap();
    // The file the syncer syncs is the log SQLite writes.
    let wal = sqlite::wal_path(&path);
    assert!(wal.metadata().unwrap().len() > 0, "{}", wal.display());
    let mut sync = sqlite::log_sync(wal);
    sync().unwrap();
    sync().unwrap();
    let foreign_keys: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(foreign_keys, 1);
}

/// The SQLite writer's syncer answers a committed batch only after a sync of the log that
/// began after the commit, and a batch that wrote nothing without one; a failed sync fails
/// the batches it was for.
#[test]
fn a_commit_is_answered_only_after_the_log_is_synced() {
    use std::sync::mpsc;
    let pending = |kind: &str| {
        let (reply, answer) = oneshot::channel();
        (Pending { job: ReadyJob::prepare(job(kind), None).unwrap(), reply }, answer)
    };
    // Each sync waits for the test's go, then succeeds or fails as told.
    let (started_tx, started) = mpsc::channel::<()>();
    let (go, go_rx) = mpsc::channel::<bool>();
    let syncer = sqlite::Syncer::start(move || {
        started_tx.send(()).unwrap();
        if go_rx.recv().unwrap() { Ok(()) } else { Err(std::io::Error::other("disk gone")) }
    })
    .unwrap();

    let (first, mut first_answer) = pending("a");
    syncer.hand(vec![first], Ok(vec![Ok(Receipt::of(1))]));
    started.recv_timeout(Duration::from_secs(5)).expect("a sync for the commit");
    // The sync has not returned: no answer yet.
    std::thread::sleep(Duration::from_millis(50));
    assert!(first_answer.try_recv().is_err(), "answered before the log was synced");
    go.send(true).unwrap();
    assert_eq!(first_answer.blocking_recv().unwrap().unwrap(), Receipt::of(1));

    // A batch that failed as a whole wrote nothing: answered without a sync.
    let (failed, failed_answer) = pending("b");
    syncer.hand(vec![failed], Err(StoreError::Direct("no".into())));
    assert!(matches!(failed_answer.blocking_recv().unwrap(), Err(StoreError::Group(_))));
    assert!(started.try_recv().is_err(), "synced for a batch that wrote nothing");

    // A failed sync: the caller is told, not answered with a receipt.
    let (lost, lost_answer) = pending("c");
    syncer.hand(vec![lost], Ok(vec![Ok(Receipt::of(2))]));
    started.recv_timeout(Duration::from_secs(5)).expect("a sync");
    go.send(false).unwrap();
    let e = lost_answer.blocking_recv().unwrap().unwrap_err().to_string();
    assert!(e.contains("disk gone"), "{e}");
    drop(syncer);
}
