//! Jobs through the store's pool (sqlx): the group writer of PostgreSQL and of an in-memory
//! SQLite database, a tokio task; and [`write_alone`], one job in a transaction of its own.

use std::sync::Arc;

use quanze_ledger::{CompactRange, HashAlg};
use sqlx::error::ErrorKind;
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{Mutex, mpsc};

use super::{
    GroupJob, GroupWriter, MAX_BATCH, Pending, Queue, ReadyJob, SqlType, SqlValue, answer,
    check_rows,
};
use crate::batch::{RowValues, insert_rows};
use crate::ledger::{frontier_text, parse_frontier};
use crate::open::SqlStore;
use crate::tx::{ADVANCE_HEAD, SealedEvent, insert_sealed, lock_head, seal};
use crate::{Backend, Receipt, StoreError};

/// What the writer task needs of the store.
struct PooledWriter {
    pool: AnyPool,
    backend: Backend,
    alg: HashAlg,
    /// The store's writer slot (SQLite only).
    slot: Arc<Mutex<()>>,
}

/// Starts the writer task on the current tokio runtime.
pub(super) fn start(
    pool: AnyPool,
    backend: Backend,
    alg: HashAlg,
    slot: Arc<Mutex<()>>,
) -> GroupWriter {
    let (jobs, mut queue) = mpsc::unbounded_channel::<Pending>();
    let writer = Arc::new(PooledWriter { pool, backend, alg, slot });
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
    GroupWriter { jobs: Some(Queue::Task(jobs)), thread: None }
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
            None => self.commit_each(batch).await,
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
            let mut receipts = Vec::with_capacity(batch.len());
            for (event, pending) in sealed.iter().zip(batch) {
                match run_stmts(&mut tx, &pending.job, event.seq).await {
                    Ok(counted) => receipts.push(receipt(event.seq, counted)),
                    Err(_) => return Ok(None),
                }
            }
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
    let job = &ReadyJob::prepare(job.clone())?;
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
        let mut query = sqlx::query(sqlx::AssertSqlSafe(stmt.sql.clone()));
        for value in &stmt.params {
            query = match value {
                SqlValue::Null(SqlType::I64) => query.bind(None::<i64>),
                SqlValue::Null(SqlType::F64) => query.bind(None::<f64>),
                SqlValue::Null(SqlType::Text) => query.bind(None::<String>),
                SqlValue::Null(SqlType::Blob) => query.bind(None::<Vec<u8>>),
                SqlValue::I64(v) => query.bind(*v),
                SqlValue::F64(v) => query.bind(*v),
                SqlValue::Text(v) => query.bind(v.as_str()),
                SqlValue::Blob(v) => query.bind(v.as_slice()),
                SqlValue::EventSeq => query.bind(seq),
            };
        }
        let rows = query
            .execute(&mut *conn)
            .await
            .map_err(|e| failed(e, subject, &format!("statement {index}")))?
            .rows_affected();
        check_rows(stmt, index, rows, subject)?;
        if stmt.counted {
            counted += rows;
        }
    }
    Ok(counted)
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
