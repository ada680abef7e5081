//! The group writer of a SQLite file: a thread of its own with a rusqlite connection of its
//! own, and a second thread that makes its commits durable before anyone is answered.
//!
//! `synchronous = FULL` would make each commit wait for the log's fsync on the writer's
//! thread, so the next batch could not start until the disk answered: on a disk where a
//! commit's fsync takes as long as running its batch, half the writer's time was waiting
//! (docs/performance.md, issue 15). The connection therefore commits in `synchronous = NORMAL`
//! (the log is written, not synced) and hands the batch to the [`Syncer`], which syncs the
//! log file and only then answers the batch's callers; meanwhile the writer runs the next
//! batch. Durability is FULL's: a caller is answered only after an fsync of the log that
//! began after its commit, and the log is a sequence, so what survives a crash is a prefix of
//! the commits that holds every answered one (SQLite itself syncs the log's header when it
//! starts the log over, and the database file at each checkpoint, in `NORMAL`). What differs:
//! another connection may read a commit a moment before it is durable — and before its
//! caller is answered.
//!
//! Through sqlx every statement is a round trip to the connection's worker thread (about
//! 50 µs between our two cores); here a job's three or four statements run in place, from
//! prepared statements kept on the connection, in a few microseconds each. The thread takes
//! the store's writer slot (the tokio mutex the pool's writers queue on) for each batch, so
//! SQLite's own lock is never fought over within the process.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};
use std::thread::JoinHandle;

use quanze_ledger::{CompactRange, HashAlg};
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, Statement, ffi};
use tokio::sync::Mutex;

use super::{
    Batches, GroupWriter, Pending, Queue, ReadyJob, SqlValue, answer, check_rows,
    placeholder_index, serve,
};
use crate::ledger::{frontier_text, parse_frontier};
use crate::open::{SQLITE_CONNECTION_PRAGMAS, SQLITE_WRITER_PRAGMAS};
use crate::tx::{ADVANCE_HEAD, INSERT_EVENT, INSERT_PERSONAL, LOCK_HEAD_SQLITE, SealedEvent, seal};
use crate::wal::CheckpointWaker;
use crate::{Receipt, StoreError};

/// Prepared statements kept on the connection: the writer's own and each distinct statement
/// of the jobs (rusqlite keeps 16 by default).
const PREPARED: usize = 256;

/// Starts the writer of the SQLite file at `path` (which exists and is migrated).
pub(super) fn start(
    path: &Path,
    alg: HashAlg,
    slot: Arc<Mutex<()>>,
    checkpoint: Option<CheckpointWaker>,
) -> Result<GroupWriter, StoreError> {
    let conn = open(path)?;
    let (jobs, queue) = std::sync::mpsc::channel();
    let syncer = Syncer::start(log_sync(wal_path(path)))?;
    let mut writer = SqliteWriter { conn, alg, slot, checkpoint, syncer };
    let thread = std::thread::Builder::new()
        .name("quanze-group".into())
        .spawn(move || serve(&queue, &mut writer))
        .map_err(|e| StoreError::Direct(format!("starting the group writer: {e}")))?;
    Ok(GroupWriter {
        jobs: Some(Queue::Thread(jobs)),
        thread: Some(thread),
        counts: Arc::default(),
    })
}

/// The writer's connection, with the store's settings (`synchronous = NORMAL`: the
/// [`Syncer`] syncs the log).
pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::Direct(format!("opening the group writer's connection: {e}")))?;
    let pragmas = SQLITE_CONNECTION_PRAGMAS.iter().chain(&SQLITE_WRITER_PRAGMAS);
    for pragma in pragmas {
        conn.execute_batch(pragma).map_err(|e| StoreError::Direct(format!("{pragma}: {e}")))?;
    }
    conn.set_prepared_statement_cache_capacity(PREPARED);
    Ok(conn)
}

struct SqliteWriter {
    conn: Connection,
    alg: HashAlg,
    /// The store's writer slot.
    slot: Arc<Mutex<()>>,
    checkpoint: Option<CheckpointWaker>,
    /// Makes the commits durable and answers their callers.
    syncer: Syncer,
}

impl Batches for SqliteWriter {
    fn run(&mut self, batch: Vec<Pending>) {
        let outcome = {
            // A plain thread, outside any runtime: blocking here is what it is for.
            let _slot = self.slot.blocking_lock();
            self.commit(&batch)
        };
        if outcome.as_ref().is_ok_and(|results| results.iter().any(Result::is_ok))
            && let Some(checkpoint) = &self.checkpoint
        {
            checkpoint.wake();
        }
        self.syncer.hand(batch, outcome);
    }

    fn recover(&mut self) {
        if !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::error!(error = %e, "the group writer could not roll back after a panic");
        }
    }
}

/// A batch the writer has committed (or failed), with its outcome, waiting to be answered.
type Committed = (Vec<Pending>, Result<Vec<Result<Receipt, StoreError>>, StoreError>);

/// The write-ahead log of the SQLite file at `path`.
pub(super) fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Syncs the log at `wal`: its data, as `synchronous = FULL` would at each commit. The file
/// is opened at the first sync (it exists once a commit was written to it); it stays the
/// same file while the writer's connection is open, since SQLite deletes a log only when the
/// last connection to the database closes.
pub(super) fn log_sync(wal: PathBuf) -> impl FnMut() -> std::io::Result<()> + Send + 'static {
    let mut file: Option<File> = None;
    move || match &file {
        Some(f) => f.sync_data(),
        None => {
            let f = File::open(&wal)?;
            f.sync_data()?;
            file = Some(f);
            Ok(())
        }
    }
}

/// The thread that makes the group writer's commits durable, then answers their callers.
///
/// It takes every batch committed since its last sync, syncs the log once for all of them,
/// and answers them in the order they were committed. A batch that wrote nothing (it failed
/// as a whole, or every job in it failed) needs no sync. When the sync fails, the callers
/// of the batches it was for get an error, though their rows may be in the file: the same
/// outcome as a commit whose fsync fails under `synchronous = FULL`.
pub(super) struct Syncer {
    batches: Option<SyncSender<Committed>>,
    thread: Option<JoinHandle<()>>,
}

impl Syncer {
    pub(super) fn start(
        sync: impl FnMut() -> std::io::Result<()> + Send + 'static,
    ) -> Result<Self, StoreError> {
        // One committed batch may wait while the syncer syncs the ones before it; the writer
        // waits to hand over another. Without that bound the writer committed many small
        // batches during each sync, and each commit writes the pages every batch touches
        // (the tails of the events and of each index, the head) again.
        let (batches, committed) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("quanze-sync".into())
            .spawn(move || sync_and_answer(&committed, sync))
            .map_err(|e| StoreError::Direct(format!("starting the group writer's syncer: {e}")))?;
        Ok(Syncer { batches: Some(batches), thread: Some(thread) })
    }

    /// Hands over a batch the writer has committed (or failed).
    pub(super) fn hand(
        &self,
        batch: Vec<Pending>,
        outcome: Result<Vec<Result<Receipt, StoreError>>, StoreError>,
    ) {
        let Some(batches) = &self.batches else { return };
        if let Err(std::sync::mpsc::SendError((batch, _))) = batches.send((batch, outcome)) {
            // The syncer's thread is gone (it panicked): nothing can be known durable.
            answer(batch, Err(StoreError::Group("the group writer's syncer stopped".into())));
        }
    }
}

impl Drop for Syncer {
    /// Answers what is still waiting, then joins the thread.
    fn drop(&mut self) {
        drop(self.batches.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the group writer's syncer panicked");
        }
    }
}

/// The syncer's loop, until the writer is gone and every batch answered.
fn sync_and_answer(committed: &Receiver<Committed>, mut sync: impl FnMut() -> std::io::Result<()>) {
    while let Ok(first) = committed.recv() {
        let mut ready = vec![first];
        ready.extend(committed.try_iter());
        let wrote = ready
            .iter()
            .any(|(_, outcome)| outcome.as_ref().is_ok_and(|r| r.iter().any(Result::is_ok)));
        let synced = if wrote { sync() } else { Ok(()) };
        if let Err(e) = &synced {
            tracing::error!(error = %e, "syncing the write-ahead log failed");
        }
        for (batch, outcome) in ready {
            let outcome = match &synced {
                Ok(()) => outcome,
                Err(e) => outcome.and_then(|_| {
                    Err(StoreError::Direct(format!("syncing the write-ahead log: {e}")))
                }),
            };
            answer(batch, outcome);
        }
    }
}

/// A failure of the writer's own statements (not a job's).
fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Direct(format!("group writer: {e}"))
}

impl SqliteWriter {
    /// Runs one statement of the writer's own, kept prepared.
    fn exec(&self, sql: &str) -> Result<(), StoreError> {
        self.conn.prepare_cached(sql).and_then(|mut stmt| stmt.execute([])).map(drop).map_err(db)
    }

    /// One transaction for the whole batch: each job's outcome, or the batch's error (then
    /// nothing of it was committed).
    ///
    /// The batch is first run as if no job failed, without savepoints: a savepoint makes
    /// SQLite copy every page a job touches into its statement journal first (with one per
    /// job, a third of the writer's time went there). When a job does fail, that attempt is
    /// rolled back and the batch run again with each job in its savepoint, so that the
    /// failed one alone is undone; the outcome is the same either way.
    fn commit(&self, batch: &[Pending]) -> Result<Vec<Result<Receipt, StoreError>>, StoreError> {
        self.exec("BEGIN IMMEDIATE")?;
        let outcome = self
            .jobs(batch, false)
            .and_then(|results| match results {
                Some(results) => Ok(results),
                None => {
                    self.exec("ROLLBACK")?;
                    self.exec("BEGIN IMMEDIATE")?;
                    self.jobs(batch, true)?.ok_or_else(|| {
                        StoreError::Direct("a job failed outside its savepoint".into())
                    })
                }
            })
            .and_then(|results| {
                self.exec("COMMIT")?;
                Ok(results)
            });
        if outcome.is_err()
            && !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::error!(error = %e, "the group writer could not roll back a failed batch");
        }
        outcome
    }

    /// Runs every job, each in its savepoint when `savepoints`, and moves the head on; leaves
    /// the commit to the caller. Without savepoints, the first job that fails ends the
    /// attempt: `None`, and the caller rolls it back.
    fn jobs(
        &self,
        batch: &[Pending],
        savepoints: bool,
    ) -> Result<Option<Vec<Result<Receipt, StoreError>>>, StoreError> {
        let (last, leaves, frontier): (i64, i64, String) = self
            .conn
            .prepare_cached(LOCK_HEAD_SQLITE)
            .and_then(|mut stmt| stmt.query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))))
            .map_err(db)?;
        let mut range = parse_frontier(self.alg, leaves, &frontier)?;
        let mut seq = last;
        let mut results = Vec::with_capacity(batch.len());
        for pending in batch {
            let before = if savepoints {
                self.exec("SAVEPOINT job")?;
                Some(range.clone())
            } else {
                None
            };
            match self.job(&pending.job, seq + 1, &mut range) {
                Ok(counted) => {
                    if savepoints {
                        self.exec("RELEASE job")?;
                    }
                    seq += 1;
                    let seq = u64::try_from(seq)
                        .map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))?;
                    results.push(Ok(Receipt { seq, counted }));
                }
                Err(e) => {
                    // Some errors (a full disk, an I/O error) make SQLite roll back the whole
                    // transaction; the other jobs' work went with it.
                    if self.conn.is_autocommit() {
                        return Err(StoreError::Direct(format!(
                            "SQLite rolled the batch back after: {e}"
                        )));
                    }
                    let Some(before) = before else { return Ok(None) };
                    self.exec("ROLLBACK TO job")?;
                    self.exec("RELEASE job")?;
                    range = before;
                    results.push(Err(e));
                }
            }
        }
        if seq > last {
            let mut stmt = self.conn.prepare_cached(ADVANCE_HEAD).map_err(db)?;
            let values = [SqlValue::I64(seq), SqlValue::Text(frontier_text(&range))];
            bind(&mut stmt, &values, seq).map_err(|e| StoreError::Direct(e.to_string()))?;
            stmt.raw_execute().map_err(db)?;
        }
        Ok(Some(results))
    }

    /// One job as event number `seq`: its event, then its statements. Returns the rows its
    /// counted statements changed.
    fn job(&self, job: &ReadyJob, seq: i64, range: &mut CompactRange) -> Result<u64, StoreError> {
        let subject = job.event.subject.as_str();
        let sealed = seal(self.alg, range, seq, &job.event)?;
        self.insert_event(&sealed).map_err(|e| failed(e, subject, "its event"))?;
        if let Some((salt, data)) = sealed.personal {
            self.insert_personal(seq, salt, data)
                .map_err(|e| failed(e, subject, "its personal data"))?;
        }
        let mut counted = 0;
        for (index, stmt) in job.stmts.iter().enumerate() {
            let rows = self
                .run(&stmt.sql, &stmt.params, seq)
                .map_err(|e| failed(e, subject, &format!("statement {index}")))?;
            check_rows(stmt, index, rows, subject)?;
            if stmt.counted {
                counted += rows;
            }
        }
        Ok(counted)
    }

    /// The event's row, its values bound where they lie (`INSERT_EVENT` takes `$1` … `$9` in
    /// order, so SQLite's positions are the placeholders' numbers).
    fn insert_event(&self, e: &SealedEvent<'_>) -> Result<(), Failure> {
        fn text(v: Option<&str>) -> ValueRef<'_> {
            v.map_or(ValueRef::Null, |v| ValueRef::Text(v.as_bytes()))
        }
        let mut stmt = self.conn.prepare_cached(INSERT_EVENT).map_err(Failure::Sqlite)?;
        let values = [
            ValueRef::Integer(e.seq),
            ValueRef::Text(e.at.as_bytes()),
            text(e.actor),
            text(e.unit),
            ValueRef::Text(e.kind.as_bytes()),
            ValueRef::Text(e.subject.as_bytes()),
            ValueRef::Text(e.payload.as_bytes()),
            text(e.commitment),
            ValueRef::Text(e.leaf_hash.as_bytes()),
        ];
        for (position, value) in values.into_iter().enumerate() {
            stmt.raw_bind_parameter(position + 1, ToSqlOutput::Borrowed(value))
                .map_err(Failure::Sqlite)?;
        }
        stmt.raw_execute().map_err(Failure::Sqlite)?;
        Ok(())
    }

    /// The event's personal data (`INSERT_PERSONAL`: `$1` … `$3` in order).
    fn insert_personal(&self, seq: i64, salt: &str, data: &str) -> Result<(), Failure> {
        let mut stmt = self.conn.prepare_cached(INSERT_PERSONAL).map_err(Failure::Sqlite)?;
        stmt.raw_bind_parameter(1, seq).map_err(Failure::Sqlite)?;
        stmt.raw_bind_parameter(2, salt).map_err(Failure::Sqlite)?;
        stmt.raw_bind_parameter(3, data).map_err(Failure::Sqlite)?;
        stmt.raw_execute().map_err(Failure::Sqlite)?;
        Ok(())
    }

    /// Runs `sql` with `values` for `$1`, `$2`, …; the number of rows changed.
    fn run(&self, sql: &str, values: &[SqlValue], seq: i64) -> Result<u64, Failure> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(Failure::Sqlite)?;
        bind(&mut stmt, values, seq)?;
        let rows = stmt.raw_execute().map_err(Failure::Sqlite)?;
        Ok(u64::try_from(rows).unwrap_or(u64::MAX))
    }
}

/// Why a job's statement failed.
#[derive(Debug)]
enum Failure {
    /// SQLite refused it.
    Sqlite(rusqlite::Error),
    /// Its values do not fit its placeholders.
    Binding(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Sqlite(e) => e.fmt(f),
            Failure::Binding(why) => f.write_str(why),
        }
    }
}

/// A job's failure as the store reports it, as `tx::violation` maps sqlx's: a unique or
/// primary-key violation is `Conflict`, a foreign-key violation `NotFound`.
fn failed(e: Failure, subject: &str, what: &str) -> StoreError {
    if let Failure::Sqlite(rusqlite::Error::SqliteFailure(code, _)) = &e {
        match code.extended_code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                return StoreError::Conflict(format!("{subject}: {what}: {e}"));
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
                return StoreError::NotFound(format!("{subject}: {what}: a referenced row ({e})"));
            }
            _ => {}
        }
    }
    StoreError::Direct(format!("{subject}: {what}: {e}"))
}

/// Binds `values` to the statement's `$N` placeholders (SQLite numbers named placeholders
/// in the order they first appear, not by their digits). Every value must be used, as on
/// PostgreSQL.
fn bind(stmt: &mut Statement<'_>, values: &[SqlValue], seq: i64) -> Result<(), Failure> {
    let count = stmt.parameter_count();
    if count != values.len() {
        return Err(Failure::Binding(format!(
            "the statement has {count} placeholders but {} values",
            values.len()
        )));
    }
    for position in 1..=count {
        let index =
            placeholder_index(stmt.parameter_name(position), position).map_err(Failure::Binding)?;
        let value = values.get(index - 1).ok_or_else(|| {
            Failure::Binding(format!("${index} but only {} values", values.len()))
        })?;
        stmt.raw_bind_parameter(position, Bound(value, seq)).map_err(Failure::Sqlite)?;
    }
    Ok(())
}

/// A value as SQLite takes it, with the job's event number for [`SqlValue::EventSeq`].
struct Bound<'v>(&'v SqlValue, i64);

impl ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            SqlValue::Null(_) => ValueRef::Null,
            SqlValue::I64(v) => ValueRef::Integer(*v),
            SqlValue::F64(v) => ValueRef::Real(*v),
            SqlValue::Text(v) => ValueRef::Text(v.as_bytes()),
            SqlValue::Blob(v) => ValueRef::Blob(v),
            SqlValue::EventSeq => ValueRef::Integer(self.1),
        }))
    }
}
