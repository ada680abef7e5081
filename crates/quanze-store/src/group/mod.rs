//! Group commit: one writer commits many waiting writes in one transaction, and answers each
//! caller only after that commit.
//!
//! A write here is a [`GroupJob`]: data, not code — statements in the store's portable SQL
//! (`$1`, `$2`, … placeholders) with their values, and the one event the write records — so
//! that the same job runs on either backend and on a thread that owns no caller's state. The
//! caller prepares its job's event on its own task ([`PreparedEvent`]: the column texts, the
//! payload's canonical JSON, the salted commitment to its personal data). The writer takes
//! every job waiting (up to `MAX_BATCH`), begins one transaction, reads the event head once,
//! and runs each job: its event first (sealed as [`crate::tx`] seals every event: the leaf
//! hash and the new frontier), then its statements. A batch is first run as if no job
//! failed, without savepoints; when one fails — a statement errs or changes another number of
//! rows than its [`Stmt::expect_rows`] — that attempt is rolled back and the batch run again
//! with each job in a savepoint, the failed one rolled back to it and the in-memory frontier
//! restored, so the next job takes its event number and numbers stay gap-free. The head is
//! moved once, at the end; then the transaction commits, and only then is every caller
//! answered with its [`Receipt`] or its error. When the batch cannot
//! commit (or begin), every caller in it gets [`StoreError::Group`].
//!
//! Why: each commit of a durable write waits for the disk (`fdatasync`), and on SQLite sqlx
//! adds a hop to its worker thread for every statement; one commit for many writes pays both
//! once (docs/performance.md). Nothing waits for a batch to fill: a job that finds the writer
//! idle is committed alone, at once; jobs that arrive while it commits form the next batch.
//!
//! Two writers, chosen when the first group write starts one:
//! - a SQLite file gets a thread of its own (`sqlite`) with its own rusqlite connection in
//!   `synchronous = NORMAL` and a syncer thread that syncs the log before any caller of a
//!   batch is answered, so every acknowledged job survives a power cut. It bypasses sqlx
//!   entirely and takes the store's in-process writer slot for each batch, so that it and
//!   the pool's writers queue for SQLite's lock instead of retrying on `SQLITE_BUSY`;
//! - PostgreSQL, and an in-memory SQLite database (which no second connection can reach), get
//!   a tokio task (`pooled`) that runs the same batches through the pool, one transaction with
//!   the head row locked. There every statement is a round trip to the server, so a batch is
//!   first tried as if no job failed — all its events in one multi-row insert, no savepoints —
//!   and only when one does is that attempt rolled back and the batch run again as above,
//!   each job in its savepoint. The outcome is the same; the common case costs two round
//!   trips less per job.
//!
//! The invariant of the store holds per job: one job, one event. A panic in a writer fails
//! the callers of its batch (their answers are dropped, which they see as
//! [`StoreError::Group`]) and the writer goes on with the next batch; when the store is
//! dropped, the writer finishes the jobs already queued and stops.

mod plan;
mod pooled;
mod sqlite;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::sync::mpsc::{Receiver, TryRecvError};

use async_trait::async_trait;
use tokio::sync::oneshot;

use crate::open::SqlStore;
use crate::tx::PreparedEvent;
use crate::{NewEvent, Receipt, StoreError};

/// The most jobs one transaction commits.
const MAX_BATCH: usize = 1000;

/// A value bound to a statement's placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// SQL `NULL` of a column of this type (PostgreSQL wants to know which).
    Null(SqlType),
    /// A 64-bit integer.
    I64(i64),
    /// A double.
    F64(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
    /// The sequence number of the job's own event, known only when the writer takes the job:
    /// for rows that record which event wrote them (a case's timeline, a receipt).
    EventSeq,
}

/// The type of a [`SqlValue::Null`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// `INTEGER` / `BIGINT`.
    I64,
    /// `REAL` / `DOUBLE PRECISION`.
    F64,
    /// `TEXT`.
    Text,
    /// `BLOB` / `BYTEA`.
    Blob,
}

macro_rules! sql_value_from {
    ($($t:ty => $variant:ident($conv:expr), $null:ident;)*) => {$(
        impl From<$t> for SqlValue {
            fn from(v: $t) -> SqlValue {
                SqlValue::$variant($conv(v))
            }
        }
        impl From<Option<$t>> for SqlValue {
            fn from(v: Option<$t>) -> SqlValue {
                v.map_or(SqlValue::Null(SqlType::$null), SqlValue::from)
            }
        }
    )*};
}

sql_value_from! {
    i64 => I64(|v| v), I64;
    i32 => I64(i64::from), I64;
    u32 => I64(i64::from), I64;
    bool => I64(i64::from), I64;
    f64 => F64(|v| v), F64;
    String => Text(|v| v), Text;
    &str => Text(str::to_owned), Text;
    Vec<u8> => Blob(|v| v), Blob;
    &[u8] => Blob(<[u8]>::to_vec), Blob;
}

/// One statement of a job: portable SQL with `$1`, `$2`, … placeholders (each value in
/// `params` used at least once, as PostgreSQL requires), returning no rows (no `SELECT`, no
/// `RETURNING`).
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// The SQL text. A `&'static str` is the usual case; each distinct text is prepared once
    /// per connection and kept.
    pub sql: Cow<'static, str>,
    /// The values of `$1`, `$2`, …, in order.
    pub params: Vec<SqlValue>,
    /// The number of rows the statement must change; any other number fails the job with
    /// [`StoreError::Conflict`]. For optimistic checks:
    /// `UPDATE t SET …, version = version + 1 WHERE id = $1 AND version = $2` expecting 1.
    pub expect_rows: Option<u64>,
    /// Whether the rows it changes are added up in the job's [`Receipt::counted`].
    pub counted: bool,
    /// How the same statement of many jobs is sent as one (the pooled writer's; see
    /// [`GroupJob::key`]). `None`: one by one.
    pub bulk: Option<Bulk>,
}

/// How the same statement of many jobs becomes one statement with a row of values per job.
/// The pooled writer (PostgreSQL) uses it for jobs with a [`GroupJob::key`]; each row binds
/// the statement's values in their order, `$1` first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    /// An `INSERT INTO t (c1, …) VALUES ($1, …, $n)`, maybe with an `ON CONFLICT` clause
    /// after the row: more rows are more `VALUES`. When the statement is
    /// [`Stmt::counted`], each job's count is read from `RETURNING c1`, so `$1` must be text
    /// that tells the rows apart (an id).
    Insert,
    /// Any statement written as `head` + `(…), (…)` + `tail`: for an `UPDATE`,
    /// `UPDATE t SET c = v.column2 … FROM (VALUES ` and `) AS v WHERE t.id = v.column1 …`
    /// (a `VALUES` list's columns are `column1`, `column2`, … on both backends). It must
    /// change the rows the single statement would, one job's rows apart from another's.
    Rows {
        /// The text before the rows.
        head: &'static str,
        /// The text after them.
        tail: &'static str,
    },
}

impl Stmt {
    /// A statement with no values yet.
    pub fn new(sql: impl Into<Cow<'static, str>>) -> Stmt {
        Stmt { sql: sql.into(), params: Vec::new(), expect_rows: None, counted: false, bulk: None }
    }

    /// Lets the pooled writer send this statement of many jobs as one ([`Bulk`]).
    #[must_use]
    pub fn bulk(mut self, bulk: Bulk) -> Stmt {
        self.bulk = Some(bulk);
        self
    }

    /// Binds the next placeholder.
    #[must_use]
    pub fn bind(mut self, value: impl Into<SqlValue>) -> Stmt {
        self.params.push(value.into());
        self
    }

    /// Requires the statement to change exactly `rows` rows.
    #[must_use]
    pub fn expect_rows(mut self, rows: u64) -> Stmt {
        self.expect_rows = Some(rows);
        self
    }

    /// Adds the rows the statement changes to the job's [`Receipt::counted`].
    #[must_use]
    pub fn counted(mut self) -> Stmt {
        self.counted = true;
        self
    }
}

/// One write: its statements and the one event it records, committed together or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupJob {
    /// Run in order, after the event's row is written (so a statement may refer to the
    /// event's row through [`SqlValue::EventSeq`], foreign keys included).
    pub stmts: Vec<Stmt>,
    /// The event; its `subject` also names the job in error messages.
    pub event: NewEvent,
    /// The one thing this job changes that another job could change too (for a case write,
    /// the case's id), or `None`. Jobs of different keys change different rows, which lets
    /// the pooled writer run them statement by statement together, in multi-row statements
    /// ([`Bulk`]); the outcome is the same as job after job. A job without a key runs alone.
    pub key: Option<String>,
}

impl GroupJob {
    /// A job recording `event`, with no statements yet.
    pub fn new(event: NewEvent) -> GroupJob {
        GroupJob { stmts: Vec::new(), event, key: None }
    }

    /// Names the job's key ([`GroupJob::key`]).
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> GroupJob {
        self.key = Some(key.into());
        self
    }

    /// Appends a statement.
    #[must_use]
    pub fn stmt(mut self, stmt: Stmt) -> GroupJob {
        self.stmts.push(stmt);
        self
    }
}

/// Writes [`GroupJob`]s: batched with other callers' jobs ([`GroupStore::group_write`]), or
/// each in a transaction of its own ([`GroupStore::write_alone`]). Both give the same
/// outcome for the same job; they differ in speed only.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Hands `job` to the group writer and waits until the transaction it was committed in
    /// has committed. `Conflict` for a unique violation or a statement that changed another
    /// number of rows than it expected, `NotFound` for a foreign-key violation (the messages
    /// name the event's subject), [`StoreError::Group`] when the batch failed as a whole. A
    /// job handed over is committed even if the caller stops waiting.
    async fn group_write(&self, job: GroupJob) -> Result<Receipt, StoreError>;
    /// Writes `job` in a transaction of its own, through the store's pool, like every other
    /// write method: the reference the group writer is measured against.
    async fn write_alone(&self, job: GroupJob) -> Result<Receipt, StoreError>;
}

/// A job as the writer takes it: its event prepared on the caller's task
/// ([`PreparedEvent`]: canonical payload, commitment), so that the writer's thread neither
/// serialises nor frees the caller's JSON.
#[derive(Debug)]
pub(crate) struct ReadyJob {
    pub(crate) stmts: Vec<Stmt>,
    pub(crate) event: PreparedEvent,
    pub(crate) key: Option<String>,
}

impl ReadyJob {
    /// Prepares `job`'s event.
    pub(crate) fn prepare(
        job: GroupJob,
        sealer: Option<&dyn crate::Sealer>,
    ) -> Result<ReadyJob, StoreError> {
        let event = PreparedEvent::new(&job.event, sealer)?;
        Ok(ReadyJob { stmts: job.stmts, event, key: job.key })
    }
}

/// A job waiting for the writer, with the way to answer its caller.
pub(crate) struct Pending {
    pub(crate) job: ReadyJob,
    pub(crate) reply: oneshot::Sender<Result<Receipt, StoreError>>,
}

/// Where a group writer takes its jobs from: a thread's channel, or a task's. Neither is
/// bounded: each job waiting is a caller waiting for its answer, so the callers bound them.
pub(crate) enum Queue {
    /// The SQLite writer's thread.
    Thread(std::sync::mpsc::Sender<Pending>),
    /// The pooled writer's task.
    Task(tokio::sync::mpsc::UnboundedSender<Pending>),
}

impl Queue {
    /// Hands `pending` over; an error when the writer has stopped.
    pub(crate) fn send(&self, pending: Pending) -> Result<(), StoreError> {
        let sent = match self {
            Queue::Thread(jobs) => jobs.send(pending).is_ok(),
            Queue::Task(jobs) => jobs.send(pending).is_ok(),
        };
        if sent { Ok(()) } else { Err(stopped()) }
    }
}

/// The caller's side of a group writer. Dropping it lets the writer finish what is queued,
/// then stop; the SQLite writer's thread is joined.
pub(crate) struct GroupWriter {
    pub(crate) jobs: Option<Queue>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// What the pooled writer has sent (the SQLite writer's stay zero).
    pub(crate) counts: std::sync::Arc<WriterCounts>,
}

/// What a pooled writer has sent: for tests, and for benches to show how many round trips a
/// batch cost.
#[derive(Debug, Default)]
pub(crate) struct WriterCounts {
    /// Statements of jobs sent (a multi-row statement counts once; events not counted).
    pub(crate) statements: std::sync::atomic::AtomicU64,
    /// Batches run again job by job because one job failed.
    pub(crate) retried: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for GroupWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupWriter").field("thread", &self.thread.is_some()).finish()
    }
}

impl GroupWriter {
    /// Hands `job` over and waits for its answer.
    async fn submit(
        &self,
        job: GroupJob,
        sealer: Option<&dyn crate::Sealer>,
    ) -> Result<Receipt, StoreError> {
        let (reply, answer) = oneshot::channel();
        let jobs = self.jobs.as_ref().ok_or_else(stopped)?;
        let job = ReadyJob::prepare(job, sealer)?;
        jobs.send(Pending { job, reply })?;
        answer.await.map_err(|_| stopped())?
    }
}

impl Drop for GroupWriter {
    fn drop(&mut self) {
        use std::sync::atomic::Ordering::Relaxed;
        tracing::debug!(
            statements = self.counts.statements.load(Relaxed),
            retried = self.counts.retried.load(Relaxed),
            "group writer stopping"
        );
        self.jobs = None;
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the group writer's thread panicked");
        }
    }
}

/// What a caller gets whose writer dropped its job unanswered.
fn stopped() -> StoreError {
    StoreError::Group("the group writer stopped before answering (see the log)".to_owned())
}

/// Answers a batch: each caller its own outcome, or all the batch's error.
fn answer(batch: Vec<Pending>, outcome: Result<Vec<Result<Receipt, StoreError>>, StoreError>) {
    match outcome {
        Ok(results) => {
            debug_assert_eq!(results.len(), batch.len());
            for (pending, result) in batch.into_iter().zip(results) {
                // A caller that stopped waiting has nobody to tell.
                let _ = pending.reply.send(result);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, jobs = batch.len(), "a group commit failed");
            let message = e.to_string();
            for pending in batch {
                let _ = pending.reply.send(Err(StoreError::Group(message.clone())));
            }
        }
    }
}

/// The part of a writer that runs one batch, so that the loop around it ([`serve`]) can be
/// tested with a runner that fails.
trait Batches {
    /// Commits `batch` and answers every job in it.
    fn run(&mut self, batch: Vec<Pending>);
    /// Puts the connection back in order after `run` panicked.
    fn recover(&mut self);
}

/// The SQLite writer thread's loop: takes every job waiting (at most `MAX_BATCH`), runs them
/// as one batch, until every sender is gone and the queue is empty. A panicking batch drops
/// its jobs' answers (their callers get [`StoreError::Group`]) and the loop goes on.
///
/// Nothing waits for a batch to fill. The writer once gave the callers it had just answered
/// a moment to come back, so that one fsync served them all; since the syncer answers them
/// (after the next sync of the log, [`sqlite::Syncer`]), they cannot come back within that
/// moment, and the wait only delayed every batch (steps/s ×1.10 without it,
/// docs/performance.md). Batches now grow while the syncer syncs: the writer waits to hand
/// over a second committed batch, and the jobs that arrive meanwhile form the next one.
fn serve(jobs: &Receiver<Pending>, writer: &mut impl Batches) {
    while let Ok(first) = jobs.recv() {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        batch.push(first);
        take_waiting(jobs, &mut batch);
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| writer.run(batch)));
        if run.is_err() {
            tracing::error!("the group writer panicked; its batch's callers got an error");
            writer.recover();
        }
    }
}

/// Moves the jobs waiting in `jobs` into `batch`, up to `MAX_BATCH`.
fn take_waiting(jobs: &Receiver<Pending>, batch: &mut Vec<Pending>) {
    while batch.len() < MAX_BATCH {
        match jobs.try_recv() {
            Ok(pending) => batch.push(pending),
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
        }
    }
}

/// The values of `$1`, `$2`, … of a statement, or why they do not fit: the SQLite writer's
/// check, standing in for the one PostgreSQL makes, so that a job fails alike on both.
fn placeholder_index(name: Option<&str>, position: usize) -> Result<usize, String> {
    match name {
        None => Ok(position),
        Some(name) => name
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("placeholder {name}: use $1, $2, …")),
    }
}

/// The outcome of a statement that changed `rows` rows.
fn check_rows(stmt: &Stmt, index: usize, rows: u64, subject: &str) -> Result<(), StoreError> {
    match stmt.expect_rows {
        Some(expected) if expected != rows => Err(StoreError::Conflict(format!(
            "{subject}: statement {index} changed {rows} rows, expected {expected}"
        ))),
        _ => Ok(()),
    }
}

impl SqlStore {
    /// The group writer, started by the first call.
    pub(crate) async fn group_writer(&self) -> Result<&GroupWriter, StoreError> {
        self.group
            .get_or_try_init(|| async {
                match &self.sqlite_file {
                    Some(path) => sqlite::start(
                        path,
                        self.alg,
                        std::sync::Arc::clone(&self.sqlite_writer),
                        self.checkpointer.as_ref().and_then(crate::wal::Checkpointer::waker),
                    ),
                    None => Ok(pooled::start(
                        self.pool.clone(),
                        self.backend,
                        self.alg,
                        std::sync::Arc::clone(&self.sqlite_writer),
                        self.one_by_one,
                    )),
                }
            })
            .await
    }
}

#[async_trait]
impl GroupStore for SqlStore {
    async fn group_write(&self, job: GroupJob) -> Result<Receipt, StoreError> {
        let sealer = self.sealer();
        self.group_writer().await?.submit(job, sealer.as_deref()).await
    }

    async fn write_alone(&self, job: GroupJob) -> Result<Receipt, StoreError> {
        pooled::write_alone(self, &job).await
    }
}
