//! Checkpoints of a SQLite file's write-ahead log, on a thread of their own.
//!
//! SQLite's automatic checkpoint runs inside the commit that fills the log past 1,000 pages,
//! on the committing connection: the writer copies the whole log into the database file
//! before its commit returns. After a large transaction (a published list of 100,000 items
//! writes about 500 MB) that copy is seconds of the user's wait, and every write queued
//! behind it waits too. The store's writers therefore switch the automatic checkpoint off
//! (`SQLITE_WRITER_PRAGMAS`) and wake this thread after each commit instead; it runs a
//! PASSIVE checkpoint, which never blocks readers or the writer, on a connection of its own.
//! Neither sqlx nor rusqlite offers a background checkpointer, hence this small one.
//!
//! The log starts over only when a write begins after all of it was copied. Under a steady
//! stream of writes a passive checkpoint never catches up, so once the log holds more than
//! `LARGE_LOG_FRAMES` the thread runs a RESTART checkpoint instead: it holds new writers
//! back (they wait in their busy timeout) while it copies the rest, and the next write
//! starts the log over. That is the automatic checkpoint's wait, paid only by a log grown
//! past 128 MiB and outside any commit.

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::StoreError;

/// The shortest time between two checkpoints: each ends with an fsync of the database file,
/// so a stream of small commits is checkpointed about once a second, not once per commit.
const PAUSE: Duration = Duration::from_secs(1);

/// Log frames past which a checkpoint makes sure the log starts over: 128 MiB of 8 KiB pages.
const LARGE_LOG_FRAMES: i64 = 16_384;

/// The checkpoint thread of one SQLite file. Dropping it runs a last checkpoint of what
/// was woken for, and joins the thread.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    wake: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens a connection to the (existing) database at `path` and starts the thread.
    pub(crate) fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Direct(format!("opening the checkpoint connection: {e}")))?;
        // A checkpoint waits for a writer's brief locks rather than failing.
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(|e| StoreError::Direct(format!("setting the busy timeout: {e}")))?;
        // One pending wake is enough: wakes that arrive while one is pending coalesce.
        let (wake, woken) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("quanze-checkpoint".into())
            .spawn(move || run(&conn, &woken))
            .map_err(|e| StoreError::Direct(format!("starting the checkpoint thread: {e}")))?;
        Ok(Checkpointer { wake: Some(wake), thread: Some(thread) })
    }

    /// Asks for a checkpoint after a commit; returns at once.
    pub(crate) fn wake(&self) {
        if let Some(wake) = &self.wake {
            wake_up(wake);
        }
    }

    /// A handle that wakes this thread from another thread (the group writer's). The thread
    /// ends when the checkpointer and every waker are dropped.
    pub(crate) fn waker(&self) -> Option<CheckpointWaker> {
        self.wake.clone().map(CheckpointWaker)
    }
}

/// Wakes a checkpoint thread from elsewhere; see [`Checkpointer::waker`].
#[derive(Debug, Clone)]
pub(crate) struct CheckpointWaker(SyncSender<()>);

impl CheckpointWaker {
    /// Asks for a checkpoint after a commit; returns at once.
    pub(crate) fn wake(&self) {
        wake_up(&self.0);
    }
}

fn wake_up(wake: &SyncSender<()>) {
    match wake.try_send(()) {
        Ok(()) | Err(TrySendError::Full(())) => {}
        Err(TrySendError::Disconnected(())) => {
            tracing::warn!("the checkpoint thread has stopped; the WAL is not checkpointed");
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop once it has served the last wake.
        self.wake = None;
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::warn!("the checkpoint thread panicked");
        }
    }
}

/// Checkpoints once per wake, at most once per `PAUSE`, until the sender is dropped.
fn run(conn: &Connection, woken: &Receiver<()>) {
    while woken.recv().is_ok() {
        let mut pending = true;
        while pending {
            checkpoint(conn);
            pending = false;
            let until = Instant::now() + PAUSE;
            loop {
                match woken.recv_timeout(until.saturating_duration_since(Instant::now())) {
                    Ok(()) => pending = true,
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => {
                        if pending {
                            checkpoint(conn);
                        }
                        return;
                    }
                }
            }
        }
    }
}

/// One PASSIVE checkpoint, which copies what it can of the log without waiting for anyone;
/// then, if the log is large, a RESTART checkpoint so that it starts over (see the module).
fn checkpoint(conn: &Connection) {
    // A passive checkpoint that copied all it saw still leaves the log to grow if a write
    // began meanwhile, so the size alone decides.
    if let Some((_, log, _)) = run_checkpoint(conn, "PASSIVE")
        && log > LARGE_LOG_FRAMES
    {
        run_checkpoint(conn, "RESTART");
    }
}

/// `(busy, log frames, checkpointed frames)` of one checkpoint in `mode`; `None` (logged)
/// when it failed.
fn run_checkpoint(conn: &Connection, mode: &str) -> Option<(i64, i64, i64)> {
    let sql = format!("PRAGMA wal_checkpoint({mode})");
    let res = conn.query_row(&sql, [], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)));
    match res {
        Ok((busy, log, done)) => {
            tracing::debug!(mode, busy, log_frames = log, checkpointed = done, "WAL checkpoint");
            Some((busy, log, done))
        }
        Err(e) => {
            tracing::warn!(mode, error = %e, "WAL checkpoint failed");
            None
        }
    }
}
