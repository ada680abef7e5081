//! Reads of the stored tree through rusqlite, on the calling thread (SQLite files only).
//!
//! sqlx runs each SQLite connection on a worker thread of its own, so every statement is a
//! round trip between threads: on this project's two-core machines a wake-up costs more than
//! the B-tree searches of a whole proof (a stored-tree proof took 200 µs through sqlx, almost
//! all of it in the kernel's task switching). The ledger's read path — the head, tiles, node
//! rows — is a handful of indexed reads of a few microseconds each, so here it runs in place
//! on a connection of its own, which no crate built on sqlx can do. Writes stay on sqlx.
//! Both link the same SQLite library (`libsqlite3-sys`, bundled by sqlx).

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::{Connection, OpenFlags, OptionalExtension as _};

use crate::StoreError;
use crate::governance::{SELECT_CHANGE_SET, SELECT_CHANGES_OF};
use crate::ledger::SELECT_EVENTS;
use crate::open::{SQLITE_CONNECTION_PRAGMAS, SQLITE_READER_MMAP};
use crate::rows::{ChangeRow, EventRow};

/// A change set's `(document, revision)` and its change rows.
pub(crate) type StoredRows = ((String, i64), Vec<ChangeRow>);

/// Read connections: two, so that two proofs (one per core) need not wait for each other.
const CONNECTIONS: usize = 2;

/// Read-only connections to one SQLite file.
pub(crate) struct DirectReader {
    conns: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl std::fmt::Debug for DirectReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReader").field("connections", &self.conns.len()).finish()
    }
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Direct(e.to_string())
}

impl DirectReader {
    /// Opens read-only connections to the database file at `path` (which exists: the store
    /// has created and migrated it).
    pub(crate) fn open(path: &Path) -> Result<DirectReader, StoreError> {
        let mut conns = Vec::with_capacity(CONNECTIONS);
        for _ in 0..CONNECTIONS {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(db_err)?;
            // The same settings as the store's own connections (busy timeout), and the memory
            // map the ledger's reads are fast with.
            for pragma in SQLITE_CONNECTION_PRAGMAS.iter().chain([&SQLITE_READER_MMAP]) {
                conn.execute_batch(pragma).map_err(db_err)?;
            }
            conns.push(Mutex::new(conn));
        }
        Ok(DirectReader { conns, next: AtomicUsize::new(0) })
    }

    /// Runs `f` on a free connection (or waits for one: reads here take microseconds).
    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.conns.len() {
            if let Ok(conn) = self.conns[(start + i) % self.conns.len()].try_lock() {
                return f(&conn).map_err(db_err);
            }
        }
        let conn = self.conns[start % self.conns.len()]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&conn).map_err(db_err)
    }

    /// The rows of a query over integer binds, each mapped by `row`.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        binds: &[i64],
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(binds), row)?;
            rows.collect()
        })
    }

    /// Rows `(a, b, c)` of a query over integer binds.
    pub(crate) fn rows3<A, B, C>(
        &self,
        sql: &str,
        binds: &[i64],
    ) -> Result<Vec<(A, B, C)>, StoreError>
    where
        A: rusqlite::types::FromSql,
        B: rusqlite::types::FromSql,
        C: rusqlite::types::FromSql,
    {
        self.rows(sql, binds, |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
    }

    /// Rows `(a, b)` of a query over integer binds.
    pub(crate) fn rows2<A, B>(&self, sql: &str, binds: &[i64]) -> Result<Vec<(A, B)>, StoreError>
    where
        A: rusqlite::types::FromSql,
        B: rusqlite::types::FromSql,
    {
        self.rows(sql, binds, |row| Ok((row.get(0)?, row.get(1)?)))
    }
}

impl DirectReader {
    /// A change set's document and revision, and its change rows in order, from one read
    /// snapshot; `None` when there is no such change set. sqlx hands every row of a large
    /// change set (434 MB of contents at 100,000 changes) through its worker thread and its
    /// `Any` row type, which took 4.6 s; reading in place takes a fraction of that.
    pub(crate) fn change_set(&self, id: &str) -> Result<Option<StoredRows>, StoreError> {
        self.with(|conn| {
            let tx = conn.unchecked_transaction()?;
            let head = tx
                .prepare_cached(SELECT_CHANGE_SET)?
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let Some(head) = head else { return Ok(None) };
            let mut stmt = tx.prepare_cached(SELECT_CHANGES_OF)?;
            let rows = stmt
                .query_map([id], |row| {
                    Ok(ChangeRow {
                        position: row.get(0)?,
                        list_id: row.get(1)?,
                        item_id: row.get(2)?,
                        action: row.get(3)?,
                        base: row.get(4)?,
                        duty_kind: row.get(5)?,
                        counterpart: row.get(6)?,
                        reason: row.get(7)?,
                        basis: row.get(8)?,
                        content: row.get(9)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            drop(stmt);
            tx.commit()?;
            Ok(Some((head, rows)))
        })
    }

    /// Event rows after `after`, at most `limit`, in order.
    pub(crate) fn events(&self, after: i64, limit: i64) -> Result<Vec<EventRow>, StoreError> {
        self.rows(SELECT_EVENTS, &[after, limit], |row| {
            Ok(EventRow {
                seq: row.get(0)?,
                at: row.get(1)?,
                actor: row.get(2)?,
                unit: row.get(3)?,
                kind: row.get(4)?,
                subject: row.get(5)?,
                payload: row.get(6)?,
                commitment: row.get(7)?,
            })
        })
    }
}
