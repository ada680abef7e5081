use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
                Ok(Receipt { seq: self.answered })
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
    let writer = GroupWriter { jobs: Some(Queue::Thread(jobs)), thread: Some(thread) };
    assert_eq!(writer.submit(job("first")).await.unwrap(), Receipt { seq: 1 });
    let res = writer.submit(job("panic")).await;
    assert!(matches!(res, Err(StoreError::Group(_))), "{res:?}");
    assert_eq!(writer.submit(job("after")).await.unwrap(), Receipt { seq: 2 });
    // The writer recovered before it took the next batch.
    assert_eq!(RECOVERED.load(Ordering::SeqCst), 1);
    // Dropping the writer ends the thread's loop and joins it.
    drop(writer);
}

#[tokio::test]
async fn a_stopped_writer_answers_with_an_error() {
    let (jobs, queue) = std::sync::mpsc::channel();
    drop(queue);
    let writer = GroupWriter { jobs: Some(Queue::Thread(jobs)), thread: None };
    let res = writer.submit(job("x")).await;
    assert!(matches!(res, Err(StoreError::Group(_))), "{res:?}");
}

#[test]
fn a_busy_writer_waits_briefly_for_the_callers_it_answered() {
    let now = Instant::now();
    // Idle last time (nothing was waiting): no wait, whatever the batch.
    assert_eq!(Gather { busy: None }.wait(1, now), None);
    // Busy: wait for the 30 just answered to join the 34 waiting, half the last batch's time.
    let busy = Gather { busy: Some((30, Duration::from_micros(600))) };
    assert_eq!(busy.wait(34, now), Some((64, now + Duration::from_micros(300))));
    // Never longer than `MAX_GATHER`, never past `MAX_BATCH`.
    let slow = Gather { busy: Some((MAX_BATCH, Duration::from_millis(40))) };
    assert_eq!(slow.wait(10, now), Some((MAX_BATCH, now + MAX_GATHER)));
    assert_eq!(slow.wait(MAX_BATCH, now), None);
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
fn the_sqlite_writer_syncs_every_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    drop(rusqlite::Connection::open(&path).unwrap());
    let conn = sqlite::open(&path).unwrap();
    let level: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(level, 2, "synchronous = FULL");
    let foreign_keys: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(foreign_keys, 1);
}
