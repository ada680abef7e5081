//! The integrator: completes the stored tree behind the writes.
//!
//! A write stores only its leaf hash and the new frontier ([`crate::tx`]). The integrator (run
//! by the service's signer every 500 ms, and on demand by a proof that needs a node past it)
//! adds the interior nodes to `ledger_nodes`, with a hash-indexed copy of each leaf, in batches
//! of [`INTEGRATE_BATCH`] leaves per transaction, stores a tile for each run of leaves it
//! completes, and records how far it got in `ledger_integrated`. On reaching the head it checks
//! that the stored leaf hashes give the head's root and otherwise stores nothing, so a leaf
//! changed before integration stops it and `quanze ledger verify` names the index. This split
//! (a sequencer and an integrator, as Trillian has) keeps node rows off every commit.
//!
//! Integrator transactions take the same writer queue as writes on SQLite; on PostgreSQL they
//! lock the `ledger_integrated` row instead, so writers are not held up.

use quanze_core::Event;
use quanze_ledger::Hash;

use super::tiles::{TILE_LEAVES, TileBuilder, node_rows, tile_prefix_query};
use super::{SELECT_EVENTS, SELECT_HEAD, frontier_text, parse_frontier};
use crate::batch::insert_rows;
use crate::open::SqlStore;
use crate::rows::EventRow;
use crate::{Backend, StoreError};

/// Leaves the integrator adds per transaction: about 2 rows each, so one transaction stays
/// near a second of work and a few MiB of WAL.
const INTEGRATE_BATCH: i64 = 20_000;

impl SqlStore {
    /// Gives leaf hashes to events written before the ledger existed (a database migrated
    /// from schema 0001) and moves the head over them, in one transaction. Their interior
    /// nodes are the integrator's.
    pub(crate) async fn backfill_ledger(&self) -> Result<(), StoreError> {
        let (last_seq, leaves, frontier): (i64, i64, String) =
            sqlx::query_as(SELECT_HEAD).fetch_one(&self.pool).await?;
        if leaves >= last_seq {
            return Ok(());
        }
        let _writer = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().await),
            Backend::Postgres => None,
        };
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let mut range = parse_frontier(self.alg, leaves, &frontier)?;
        let rows: Vec<EventRow> = sqlx::query_as(SELECT_EVENTS)
            .bind(leaves)
            .bind(last_seq - leaves)
            .fetch_all(&mut *tx)
            .await?;
        for row in rows {
            let event = Event::try_from(row)?;
            let leaf = self.alg.hash_leaf(&event.leaf_bytes());
            sqlx::query("UPDATE events SET leaf_hash = $1 WHERE seq = $2")
                .bind(leaf.to_hex())
                .bind(i64::try_from(event.seq).unwrap_or(i64::MAX))
                .execute(&mut *tx)
                .await?;
            range.push_leaf_hash(leaf);
        }
        let text = frontier_text(&range);
        sqlx::query("UPDATE event_head SET leaves = $1, frontier = $2 WHERE id = 1")
            .bind(i64::try_from(range.size()).unwrap_or(i64::MAX))
            .bind(text)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One integrator transaction: reads the leaf hashes of up to [`INTEGRATE_BATCH`] events
    /// past the integrated size, stores the copies of the leaves and every interior node they
    /// complete, and records the new size and frontier. On reaching the head it checks that
    /// the stored leaves give the head's root; if not, nothing is stored and the damage is for
    /// `quanze ledger verify` to name. Returns the integrated size and whether it is the
    /// head's.
    pub(super) async fn integrate_batch(&self) -> Result<(u64, bool), StoreError> {
        // Stores one complete tile.
        const INSERT_TILE: &str = "INSERT INTO ledger_tiles (idx, nodes) VALUES ($1, $2)";
        const SELECT_INTEGRATED: &str = "SELECT size, frontier FROM ledger_integrated WHERE id = 1";
        const SELECT_LEAVES_TO_INTEGRATE: &str =
            "SELECT seq, leaf_hash FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq";
        let _writer = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().await),
            Backend::Postgres => None,
        };
        let (mut tx, lock) = match self.backend {
            Backend::Sqlite => (self.pool.begin_with("BEGIN IMMEDIATE").await?, SELECT_INTEGRATED),
            // Two integrators queue on this row; writers are not held up (they lock the head).
            Backend::Postgres => (
                self.pool.begin().await?,
                "SELECT size, frontier FROM ledger_integrated WHERE id = 1 FOR UPDATE",
            ),
        };
        let (size, frontier): (i64, String) = sqlx::query_as(lock).fetch_one(&mut *tx).await?;
        let (_, head_leaves, head_frontier): (i64, i64, String) =
            sqlx::query_as(SELECT_HEAD).fetch_one(&mut *tx).await?;
        let mut range = parse_frontier(self.alg, size, &frontier)?;
        if size >= head_leaves {
            tx.commit().await?;
            return Ok((range.size(), true));
        }
        let end = head_leaves.min(size + INTEGRATE_BATCH);
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as(SELECT_LEAVES_TO_INTEGRATE)
            .bind(size)
            .bind(end)
            .fetch_all(&mut *tx)
            .await?;
        let mut nodes = Vec::with_capacity(2 * rows.len());
        let mut tiles = TileBuilder::default();
        let start = range.size();
        if start % TILE_LEAVES != 0 {
            // The first tile was begun by an earlier batch: its nodes so far are in node rows.
            let (sql, binds) = tile_prefix_query(start / TILE_LEAVES, start);
            let mut query = sqlx::query_as::<_, (i64, i64, String)>(sqlx::AssertSqlSafe(sql));
            for bind in binds {
                query = query.bind(bind);
            }
            for (id, hash) in node_rows(query.fetch_all(&mut *tx).await?)? {
                tiles.add(id, &hash);
            }
        }
        for (seq, hash) in rows {
            let expected = range.size() + 1;
            if u64::try_from(seq).ok() != Some(expected) {
                return Err(StoreError::Corrupt(format!(
                    "ledger integration: event {expected} is missing (found {seq} next); run `quanze ledger verify`"
                )));
            }
            let hash = hash.ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "ledger integration: event {seq} has no leaf hash; run `quanze ledger verify`"
                ))
            })?;
            let leaf = Hash::from_hex(&hash).map_err(|e| {
                StoreError::Corrupt(format!("ledger integration: event {seq}: leaf_hash {e}"))
            })?;
            for (id, hash) in range.append(leaf) {
                tiles.add(id, &hash);
                nodes.push((id, hash));
            }
        }
        if i64::try_from(range.size()).ok() != Some(end) {
            return Err(StoreError::Corrupt(format!(
                "ledger integration: events end at {} but the ledger holds {head_leaves}; run `quanze ledger verify`",
                range.size()
            )));
        }
        let caught_up = end == head_leaves;
        if caught_up {
            let head = parse_frontier(self.alg, head_leaves, &head_frontier)?;
            if head.root() != range.root() {
                return Err(StoreError::Corrupt(format!(
                    "ledger integration: the stored leaves 1..={end} do not give the head's root; run `quanze ledger verify`"
                )));
            }
        }
        insert_rows(
            &mut tx,
            self.backend,
            "INSERT INTO ledger_nodes (level, idx, hash) VALUES ",
            "",
            3,
            nodes,
            |row, (id, hash)| {
                row.bind(i64::from(id.level))
                    .bind(i64::try_from(id.index).unwrap_or(i64::MAX))
                    .bind(hash.to_hex());
            },
        )
        .await?;
        for (tile, bytes) in tiles.complete() {
            sqlx::query(INSERT_TILE)
                .bind(i64::try_from(tile).unwrap_or(i64::MAX))
                .bind(bytes)
                .execute(&mut *tx)
                .await?;
        }
        let text = frontier_text(&range);
        sqlx::query("UPDATE ledger_integrated SET size = $1, frontier = $2 WHERE id = 1")
            .bind(end)
            .bind(text)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.written();
        Ok((range.size(), caught_up))
    }
}
