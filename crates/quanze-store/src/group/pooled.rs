//! Jobs through the store's pool (sqlx): the group writer of PostgreSQL and of an in-memory
//! SQLite database, a tokio task; and [`write_alone`], one job in a transaction of its own.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use quanze_ledger::{CompactRange, HashAlg};
use sqlx::error::ErrorKind;
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{Mutex, mpsc};

use super::plan::{Member, plan};
use super::{
    Bulk, GroupJob, GroupWriter, MAX_BATCH, Pending, Queue, ReadyJob, SqlType, SqlValue, Stmt,
    WriterCounts, answer, check_rows,
};
use crate::batch::{RowValues, insert_rows};
use crate::ledger::{frontier_text, parse_frontier};
use crate::open::SqlStore;
use crate::tx::{ADVANCE_HEAD, SealedEvent, insert_sealed, lock_head, seal};
use crate::{Backend, Receipt, StoreError};

/// What the writer task needs of the store.
struct PooledWriter {
    pool: AnyPool,
    counts: Arc<WriterCounts>,
    backend: Backend,
    alg: HashAlg,
    /// The store's writer slot (SQLite only).
    slot: Arc<Mutex<()>>,
    /// Each job's statements one by one ([`crate::ConnectOptions::one_by_one`]).
    one_by_one: bool,
}

/// Starts the writer task on the current tokio runtime.
pub(super) fn start(
    pool: AnyPool,
    backend: Backend,
    alg: HashAlg,
    slot: Arc<Mutex<()>>,
    one_by_one: bool,
) -> GroupWriter {
    let (jobs, mut queue) = mpsc::unbounded_channel::<Pending>();
    let counts = Arc::new(WriterCounts::default());
    let writer = Arc::new(PooledWriter {
        pool,
        counts: Arc::clone(&counts),
        backend,
        alg,
        slot,
        one_by_one,
    });
    tokio::spawn(async move {
        let mut waiting = Vec::with_capacity(MAX_BATCH);
        while queue.recv_many(&mut waiting, MAX_BATCH).await > 0 {
            let batch = std::mem::replace(&mut waiting, Vec::with_capacity(MAX_BATCH));
            // Each batch is a task of its own: if it panics, its jobs' answers are dropped
            // with it (the callers get an error) and the writer goes on.
            let writer = Arc::clone(&writer);
            let run = tokio::spawn(async move {
                let outcome = writer.commit(&batch).await;
                answer(batch, outcome);
            });
            if let Err(e) = run.await {
                tracing::error!(error = %e, "a group commit panicked; its callers got an error");
            }
        }
    });
    GroupWriter { jobs: Some(Queue::Task(jobs)), thread: None, counts }
}

impl PooledWriter {
    /// One transaction for the whole batch: each job's outcome, or the batch's error (then
    /// nothing of it was committed).
    ///
    /// Every statement here is a round trip to the server, so the batch is first tried in
    /// the fewest: all events in one multi-row insert, then each job's statements with no
    /// savepoint around them. If any job fails, that attempt is rolled back whole and the
    /// batch runs again the careful way, each job in a savepoint of its own.
    async fn commit(
        &self,
        batch: &[Pending],
    ) -> Result<Vec<Result<Receipt, StoreError>>, StoreError> {
        match self.commit_all(batch).await? {
            Some(receipts) => Ok(receipts),
            None => {
                self.counts.retried.fetch_add(1, Ordering::Relaxed);
                self.commit_each(batch).await
            }
        }
    }

    /// The batch as if no job failed: its receipts, or `None` (and nothing written) when one
    /// did.
    async fn commit_all(
        &self,
        batch: &[Pending],
    ) -> Result<Option<Vec<Result<Receipt, StoreError>>>, StoreError> {
        let (_slot, mut tx, head) = lock_head(&self.pool, self.backend, &self.slot).await?;
        let outcome = async {
            let mut range = parse_frontier(self.alg, head.leaves, &head.frontier)?;
            let mut sealed = Vec::with_capacity(batch.len());
            for (seq, pending) in (head.last_seq + 1..).zip(batch) {
                sealed.push(seal(self.alg, &mut range, seq, &pending.job.event)?);
            }
            insert_events(&mut tx, self.backend, &sealed).await?;
            let seqs: Vec<i64> = sealed.iter().map(|e| e.seq).collect();
            let Some(counted) = run_waves(&mut tx, self, batch, &seqs).await else {
                return Ok(None);
            };
            let receipts = seqs.iter().zip(counted).map(|(&seq, n)| receipt(seq, n)).collect();
            let last = head.last_seq + i64::try_from(batch.len()).unwrap_or(i64::MAX);
            advance(&mut tx, last, &range).await?;
            Ok(Some(receipts))
        }
        .await;
        match outcome {
            Ok(Some(receipts)) => {
                tx.commit().await?;
                Ok(Some(receipts))
            }
            Ok(None) | Err(_) => {
                if let Err(rollback) = tx.rollback().await {
                    tracing::warn!(error = %rollback, "rollback after a failed batch failed");
                }
                outcome
            }
        }
    }

    /// The batch with each job in a savepoint, so that a failing job fails alone.
    async fn commit_each(
        &self,
        batch: &[Pending],
    ) -> Result<Vec<Result<Receipt, StoreError>>, StoreError> {
        let (_slot, mut tx, head) = lock_head(&self.pool, self.backend, &self.slot).await?;
        let mut range = parse_frontier(self.alg, head.leaves, &head.frontier)?;
        let mut seq = head.last_seq;
        let mut results = Vec::with_capacity(batch.len());
        let mut failed = None;
        for pending in batch {
            // A savepoint: a nested transaction on sqlx.
            let mut job = match sqlx::Connection::begin(&mut *tx).await {
                Ok(job) => job,
                Err(e) => {
                    failed = Some(e.into());
                    break;
                }
            };
            let before = range.clone();
            match run_job(&mut job, self.alg, &mut range, seq + 1, &pending.job).await {
                Ok(counted) => {
                    if let Err(e) = job.commit().await {
                        failed = Some(e.into());
                        break;
                    }
                    seq += 1;
                    results.push(receipt(seq, counted));
                }
                Err(e) => {
                    if let Err(rollback) = job.rollback().await {
                        failed = Some(rollback.into());
                        break;
                    }
                    range = before;
                    results.push(Err(e));
                }
            }
        }
        let advanced = match failed {
            Some(e) => Err(e),
            None if seq > head.last_seq => advance(&mut tx, seq, &range).await,
            None => Ok(()),
        };
        match advanced {
            Ok(()) => {
                tx.commit().await?;
                Ok(results)
            }
            Err(e) => {
                if let Err(rollback) = tx.rollback().await {
                    tracing::warn!(error = %rollback, "rollback after a failed batch failed");
                }
                Err(e)
            }
        }
    }
}

/// Inserts sealed events and their personal data, as few statements as the bind limit allows.
async fn insert_events(
    conn: &mut AnyConnection,
    backend: Backend,
    sealed: &[SealedEvent<'_>],
) -> Result<(), StoreError> {
    const EVENTS: &str = "INSERT INTO events (seq, at, actor, unit, kind, subject, payload, \
         commitment, leaf_hash) VALUES ";
    const PERSONAL: &str = "INSERT INTO event_personal (seq, salt, data) VALUES ";
    insert_rows(conn, backend, EVENTS, "", 9, sealed, bind_event).await?;
    let personal: Vec<(i64, &str, &str)> =
        sealed.iter().filter_map(|e| e.personal.map(|(salt, data)| (e.seq, salt, data))).collect();
    insert_rows(conn, backend, PERSONAL, "", 3, personal, |row, (seq, salt, data)| {
        row.bind(seq).bind(salt).bind(data);
    })
    .await?;
    Ok(())
}

fn bind_event(row: &mut RowValues<'_>, e: &SealedEvent<'_>) {
    row.bind(e.seq)
        .bind(e.at.to_owned())
        .bind(e.actor.map(str::to_owned))
        .bind(e.unit.map(str::to_owned))
        .bind(e.kind.to_owned())
        .bind(e.subject.to_owned())
        .bind(e.payload.to_owned())
        .bind(e.commitment.map(str::to_owned))
        .bind(e.leaf_hash.clone());
}

/// Writes `job` in a transaction of its own (see [`super::GroupStore::write_alone`]).
pub(super) async fn write_alone(store: &SqlStore, job: &GroupJob) -> Result<Receipt, StoreError> {
    let job = &ReadyJob::prepare(job.clone(), store.sealer().as_deref())?;
    let (_slot, mut tx, head) = lock_head(&store.pool, store.backend, &store.sqlite_writer).await?;
    let mut range = parse_frontier(store.alg, head.leaves, &head.frontier)?;
    let seq = head.last_seq + 1;
    let res = match run_job(&mut tx, store.alg, &mut range, seq, job).await {
        Ok(counted) => advance(&mut tx, seq, &range).await.map(|()| counted),
        Err(e) => Err(e),
    };
    match res {
        Ok(counted) => {
            tx.commit().await?;
            store.written();
            receipt(seq, counted)
        }
        Err(e) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rollback after a failed write failed");
            }
            Err(e)
        }
    }
}

fn receipt(seq: i64, counted: u64) -> Result<Receipt, StoreError> {
    let seq = u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))?;
    Ok(Receipt { seq, counted })
}

/// Moves the head on to event `seq` and the frontier `range`.
async fn advance(
    conn: &mut AnyConnection,
    seq: i64,
    range: &CompactRange,
) -> Result<(), StoreError> {
    sqlx::query(ADVANCE_HEAD).bind(seq).bind(frontier_text(range)).execute(&mut *conn).await?;
    Ok(())
}

/// One job as event number `seq`: its event, then its statements.
async fn run_job(
    conn: &mut AnyConnection,
    alg: HashAlg,
    range: &mut CompactRange,
    seq: i64,
    job: &ReadyJob,
) -> Result<u64, StoreError> {
    let sealed = seal(alg, range, seq, &job.event)?;
    insert_sealed(conn, &sealed).await.map_err(|e| match e {
        StoreError::Sqlx(e) => failed(e, &job.event.subject, "its event"),
        other => other,
    })?;
    run_stmts(conn, job, seq).await
}

/// A job's statements, `seq` standing for [`SqlValue::EventSeq`]; the rows its counted
/// statements changed.
async fn run_stmts(conn: &mut AnyConnection, job: &ReadyJob, seq: i64) -> Result<u64, StoreError> {
    let subject = job.event.subject.as_str();
    let mut counted = 0;
    for (index, stmt) in job.stmts.iter().enumerate() {
        let rows = run_stmt(conn, stmt, seq)
            .await
            .map_err(|e| failed(e, subject, &format!("statement {index}")))?;
        check_rows(stmt, index, rows, subject)?;
        if stmt.counted {
            counted += rows;
        }
    }
    Ok(counted)
}

/// One statement, `seq` standing for [`SqlValue::EventSeq`]: the rows it changed.
async fn run_stmt(conn: &mut AnyConnection, stmt: &Stmt, seq: i64) -> Result<u64, sqlx::Error> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(stmt.sql.clone()));
    for value in &stmt.params {
        query = bind(query, value, seq);
    }
    Ok(query.execute(&mut *conn).await?.rows_affected())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn bind<'q>(query: AnyQuery<'q>, value: &'q SqlValue, seq: i64) -> AnyQuery<'q> {
    match value {
        SqlValue::Null(SqlType::I64) => query.bind(None::<i64>),
        SqlValue::Null(SqlType::F64) => query.bind(None::<f64>),
        SqlValue::Null(SqlType::Text) => query.bind(None::<String>),
        SqlValue::Null(SqlType::Blob) => query.bind(None::<Vec<u8>>),
        SqlValue::I64(v) => query.bind(*v),
        SqlValue::F64(v) => query.bind(*v),
        SqlValue::Text(v) => query.bind(v.as_str()),
        SqlValue::Blob(v) => query.bind(v.as_slice()),
        SqlValue::EventSeq => query.bind(seq),
    }
}

/// Every job's statements in waves ([`plan`]), each wave one statement where its statement
/// has a [`Bulk`] form: each job's counted rows, or `None` (the caller rolls back) when a
/// statement failed or changed another number of rows than its jobs expect together. Which
/// job that was is the careful path's to find.
async fn run_waves(
    conn: &mut AnyConnection,
    writer: &PooledWriter,
    batch: &[Pending],
    seqs: &[i64],
) -> Option<Vec<u64>> {
    let (backend, counts) = (writer.backend, &writer.counts);
    let jobs: Vec<&[Stmt]> = batch.iter().map(|p| p.job.stmts.as_slice()).collect();
    let keys: Vec<Option<&str>> =
        batch.iter().map(|p| if writer.one_by_one { None } else { p.job.key.as_deref() }).collect();
    let mut counted = vec![0; batch.len()];
    for wave in plan(&jobs, &keys) {
        let stmts: Vec<&Stmt> = wave.members.iter().map(|m| &jobs[m.job][m.stmt]).collect();
        match BulkForm::of(&stmts) {
            Some(form) => {
                for chunk in wave.members.chunks(form.rows_per_statement(backend)) {
                    counts.statements.fetch_add(1, Ordering::Relaxed);
                    form.run(conn, backend, &jobs, seqs, chunk, &mut counted).await?;
                }
            }
            None => {
                for (m, stmt) in wave.members.iter().zip(stmts) {
                    counts.statements.fetch_add(1, Ordering::Relaxed);
                    let rows = run_stmt(conn, stmt, seqs[m.job]).await.ok()?;
                    if stmt.expect_rows.is_some_and(|expected| expected != rows) {
                        return None;
                    }
                    if stmt.counted {
                        counted[m.job] += rows;
                    }
                }
            }
        }
    }
    Some(counted)
}

/// A part of a row's text: literal SQL, or the statement's value `$n`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(usize),
}

/// The multi-row form of the same statement of several jobs.
#[derive(Debug, PartialEq, Eq)]
struct BulkForm {
    head: String,
    /// One row's text, `$n` standing for the row's `n`th value.
    row: Vec<Piece>,
    tail: String,
    /// The column whose `RETURNING` tells which job's row was inserted, for a counted
    /// statement.
    returning: Option<String>,
    /// The values of one row.
    arity: usize,
}

impl BulkForm {
    /// The form for `stmts` (the same statement of different jobs), or `None` when they go
    /// one by one: a single statement, no bulk form, or statements that differ in their
    /// number of values, in whether they expect a row count, or (counted) in whether their
    /// first value is text to tell their rows apart by.
    fn of(stmts: &[&Stmt]) -> Option<BulkForm> {
        let first = stmts.first()?;
        let arity = first.params.len();
        if stmts.len() < 2
            || arity == 0
            || stmts.iter().any(|s| {
                s.params.len() != arity || s.expect_rows.is_some() != first.expect_rows.is_some()
            })
        {
            return None;
        }
        let form = match first.bulk? {
            Bulk::Insert => {
                let (head, row, tail, column) = split_insert(&first.sql)?;
                let returning = first.counted.then(|| column.to_owned());
                BulkForm { head: head.to_owned(), row, tail: tail.to_owned(), returning, arity }
            }
            Bulk::Rows { head, tail } => {
                if first.counted {
                    return None;
                }
                let row = (1..=arity)
                    .flat_map(|n| {
                        let sep = (n > 1).then(|| Piece::Text(", ".to_owned()));
                        sep.into_iter().chain([Piece::Value(n)])
                    })
                    .collect();
                BulkForm {
                    head: head.to_owned(),
                    row,
                    tail: tail.to_owned(),
                    returning: None,
                    arity,
                }
            }
        };
        if form.returning.is_some()
            && !stmts.iter().all(|s| matches!(s.params.first(), Some(SqlValue::Text(_))))
        {
            return None;
        }
        Some(form)
    }

    /// The most rows one statement takes: under the backend's bind limit, and at most 1,000.
    fn rows_per_statement(&self, backend: Backend) -> usize {
        (backend.max_binds() / self.arity).clamp(1, 1_000)
    }

    /// The text for `rows` rows: `$N` placeholders on PostgreSQL, numbered `?N` on SQLite
    /// (SQLite looks a `$N` up by name, a linear search per placeholder).
    fn text(&self, backend: Backend, rows: usize) -> String {
        let mut text = String::with_capacity(self.head.len() + rows * self.arity * 8 + 64);
        text.push_str(&self.head);
        for r in 0..rows {
            text.push_str(if r == 0 { "(" } else { ", (" });
            for piece in &self.row {
                match piece {
                    Piece::Text(t) => text.push_str(t),
                    Piece::Value(n) => {
                        let mark = if backend == Backend::Postgres { '$' } else { '?' };
                        text.push(mark);
                        text.push_str(&(r * self.arity + n).to_string());
                    }
                }
            }
            text.push(')');
        }
        text.push_str(&self.tail);
        if let Some(column) = &self.returning {
            text.push_str(" RETURNING ");
            text.push_str(column);
        }
        text
    }

    /// Sends `chunk`'s rows as one statement and adds each job's counted rows; `None` when it
    /// failed or changed another number of rows than its statements expect together.
    async fn run(
        &self,
        conn: &mut AnyConnection,
        backend: Backend,
        jobs: &[&[Stmt]],
        seqs: &[i64],
        chunk: &[Member],
        counted: &mut [u64],
    ) -> Option<()> {
        let stmts: Vec<&Stmt> = chunk.iter().map(|m| &jobs[m.job][m.stmt]).collect();
        let text = self.text(backend, chunk.len());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(text)).persistent(false);
        for (m, stmt) in chunk.iter().zip(&stmts) {
            for value in &stmt.params {
                query = bind(query, value, seqs[m.job]);
            }
        }
        let rows = if self.returning.is_some() {
            let inserted: Vec<String> = query
                .fetch_all(&mut *conn)
                .await
                .ok()?
                .iter()
                .map(|row| sqlx::Row::try_get::<String, _>(row, 0))
                .collect::<Result<_, _>>()
                .ok()?;
            // A value two rows share is inserted by the first (as job after job would).
            let mut jobs_by_key = std::collections::HashMap::new();
            for (m, stmt) in chunk.iter().zip(&stmts) {
                if let Some(SqlValue::Text(key)) = stmt.params.first() {
                    jobs_by_key.entry(key.as_str()).or_insert(m.job);
                }
            }
            for key in &inserted {
                counted[*jobs_by_key.get(key.as_str())?] += 1;
            }
            inserted.len() as u64
        } else {
            // Not counted: `of` gives a counted statement its `RETURNING` or no bulk form.
            query.execute(&mut *conn).await.ok()?.rows_affected()
        };
        let expected: Option<u64> = stmts.iter().map(|s| s.expect_rows).sum();
        match expected {
            Some(expected) if expected != rows => None,
            _ => Some(()),
        }
    }
}

/// An `INSERT INTO t (c1, …) VALUES (row) tail` split into its text before the row, the row's
/// pieces, the text after it, and its first column; `None` for any other shape.
fn split_insert(sql: &str) -> Option<(&str, Vec<Piece>, &str, &str)> {
    let columns = sql.strip_prefix("INSERT INTO ")?;
    let first_column = columns[columns.find('(')? + 1..].split([',', ')']).next()?.trim();
    let open = sql.find(" VALUES (")? + " VALUES ".len();
    let close = open + sql[open..].find(')')?;
    let mut row = Vec::new();
    let mut rest = &sql[open + 1..close];
    while !rest.is_empty() {
        match rest.find('$') {
            Some(at) => {
                if at > 0 {
                    row.push(Piece::Text(rest[..at].to_owned()));
                }
                let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
                row.push(Piece::Value(rest[at + 1..at + 1 + digits].parse().ok()?));
                rest = &rest[at + 1 + digits..];
            }
            None => {
                row.push(Piece::Text(rest.to_owned()));
                rest = "";
            }
        }
    }
    Some((&sql[..open], row, &sql[close + 1..], first_column))
}

/// A job's failure as the store reports it (as `tx::violation` maps it, naming the subject).
fn failed(e: sqlx::Error, subject: &str, what: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        match db.kind() {
            ErrorKind::UniqueViolation => {
                return StoreError::Conflict(format!("{subject}: {what}: {}", db.message()));
            }
            ErrorKind::ForeignKeyViolation => {
                return StoreError::NotFound(format!(
                    "{subject}: {what}: a referenced row ({})",
                    db.message()
                ));
            }
            _ => {}
        }
    }
    StoreError::Sqlx(e)
}
