//! The lowest levels of the stored tree as tiles, the upper levels in memory, and the reads
//! of node hashes for proofs.
//!
//! For each complete run of [`TILE_LEAVES`] (256) leaves the integrator stores a tile
//! (`ledger_tiles`: the run's lowest [`TILE_HEIGHT`] levels, 510 hashes in one row), so a proof
//! reads its lowest levels as one or two rows instead of a B-tree search per node. The levels
//! above (2/256 of the nodes) are read once into memory and kept ([`UpperNodes`]): complete
//! nodes never change. The nodes of the last, partial tile are kept for the integrated size
//! they were read at. What none of these hold is read from the node rows, and leaves not yet
//! integrated from their event rows. On a SQLite file these reads run in place on the store's
//! rusqlite connections ([`crate::direct`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use quanze_ledger::{Hash, NodeId};

use super::LedgerStore;
use crate::StoreError;
use crate::batch::Statement;
use crate::open::SqlStore;

/// The nodes of the last, partial tile, shared with the proofs that read them.
pub(crate) type EdgeNodes = Arc<HashMap<NodeId, Hash>>;

/// Parses stored `(level, idx, hash)` rows.
pub(crate) fn node_rows(
    rows: Vec<(i64, i64, String)>,
) -> Result<HashMap<NodeId, Hash>, StoreError> {
    rows.into_iter()
        .map(|(level, idx, hash)| {
            let id = NodeId {
                level: u8::try_from(level)
                    .map_err(|_| StoreError::Corrupt(format!("ledger_nodes: level {level}")))?,
                index: u64::try_from(idx)
                    .map_err(|_| StoreError::Corrupt(format!("ledger_nodes: index {idx}")))?,
            };
            let hash = Hash::from_hex(&hash)
                .map_err(|e| StoreError::Corrupt(format!("ledger_nodes ({level}, {idx}): {e}")))?;
            Ok((id, hash))
        })
        .collect()
}

/// The complete nodes of the tree's upper levels ([`UpperNodes::FROM_LEVEL`] and above), in
/// memory: about 2/256 of the node count (80,000 hashes, 2.5 MiB, at ten million leaves), so
/// that a proof reads only the few nodes below from the database. A complete node never
/// changes, so what is held stays right while the log grows.
#[derive(Debug, Default)]
pub(crate) struct UpperNodes {
    /// `levels[k]` holds the nodes of level `FROM_LEVEL + k` from index 0, with no gaps.
    levels: Vec<Vec<Hash>>,
}

impl UpperNodes {
    /// The lowest level held: a proof reads at most this many nodes per path from the table.
    pub(crate) const FROM_LEVEL: u8 = 8;

    /// The node, when held.
    pub(crate) fn get(&self, id: NodeId) -> Option<Hash> {
        let k = usize::from(id.level.checked_sub(Self::FROM_LEVEL)?);
        self.levels.get(k)?.get(usize::try_from(id.index).ok()?).copied()
    }

    /// For each upper level with complete nodes in a tree of `size` leaves that are not held
    /// yet: the level and the first index missing.
    pub(crate) fn next_indexes(&self, size: u64) -> Vec<(u8, u64)> {
        (Self::FROM_LEVEL..64)
            .map_while(|level| {
                let complete = size >> level;
                let k = usize::from(level - Self::FROM_LEVEL);
                let held = self.levels.get(k).map_or(0, |l| l.len() as u64);
                (complete > 0).then_some((level, held, complete))
            })
            .filter(|(_, held, complete)| held < complete)
            .map(|(level, held, _)| (level, held))
            .collect()
    }

    /// Appends nodes of `level` read from index `start` on, in index order, as far as they
    /// follow on without a gap (a gap means the table is damaged; `ledger verify` says where).
    pub(crate) fn extend(
        &mut self,
        level: u8,
        start: u64,
        nodes: impl Iterator<Item = (u64, Hash)>,
    ) {
        let Some(k) = level.checked_sub(Self::FROM_LEVEL).map(usize::from) else { return };
        if self.levels.len() <= k {
            self.levels.resize_with(k + 1, Vec::new);
        }
        let held = &mut self.levels[k];
        if held.len() as u64 != start {
            return; // another reader got here first
        }
        for (index, hash) in nodes {
            if index != held.len() as u64 {
                break;
            }
            held.push(hash);
        }
    }
}

/// Tiles: the lowest [`TILE_HEIGHT`] levels of each complete run of [`TILE_LEAVES`] leaves,
/// stored as one row (`ledger_tiles`) beside the node rows, so that a proof reads its lowest
/// levels as one row per path instead of a B-tree search per node (in the manner of C2SP
/// tlog-tiles, which store only a tile's base row; we store all its levels so that no hashing
/// is needed to read a proof). The integrator writes a tile once its last leaf is integrated.
const TILE_HEIGHT: u8 = UpperNodes::FROM_LEVEL;
/// Leaves per tile.
pub(crate) const TILE_LEAVES: u64 = 1 << TILE_HEIGHT;
/// Hashes in a tile: its levels 0 to `TILE_HEIGHT - 1` (256 + 128 + … + 2).
const TILE_NODES: usize = 2 * (TILE_LEAVES as usize) - 2;
const HASH_BYTES: usize = quanze_ledger::HASH_LEN;

/// The tile holding a node of the lowest levels, and the node's position in it (level by
/// level from the bottom, left to right).
fn tile_slot(id: NodeId) -> Option<(u64, usize)> {
    if id.level >= TILE_HEIGHT {
        return None;
    }
    let per_tile = TILE_LEAVES >> id.level;
    let tile = id.index / per_tile;
    let below: u64 = (0..id.level).map(|l| TILE_LEAVES >> l).sum();
    usize::try_from(below + id.index % per_tile).ok().map(|slot| (tile, slot))
}

/// Whether a node lies in the last, partial tile of a tree of `integrated` leaves and is
/// complete there (its subtree ends at or before `integrated`).
fn is_edge_node(id: NodeId, integrated: u64) -> bool {
    let Some((tile, _)) = tile_slot(id) else { return false };
    let end = id.index.checked_add(1).and_then(|i| i.checked_shl(u32::from(id.level)));
    tile == integrated / TILE_LEAVES && end.is_some_and(|end| end <= integrated)
}

/// The hash at `slot` of a stored tile.
fn tile_hash(tile: &[u8], slot: usize) -> Option<Hash> {
    let bytes = tile.get(slot * HASH_BYTES..(slot + 1) * HASH_BYTES)?;
    Hash::from_slice(bytes).ok()
}

/// Tiles being filled by the integrator.
#[derive(Debug, Default)]
pub(crate) struct TileBuilder {
    tiles: BTreeMap<u64, (Vec<u8>, usize)>,
}

impl TileBuilder {
    /// Places a node of the lowest levels in its tile (other nodes are ignored).
    pub(crate) fn add(&mut self, id: NodeId, hash: &Hash) {
        let Some((tile, slot)) = tile_slot(id) else { return };
        let (bytes, filled) =
            self.tiles.entry(tile).or_insert_with(|| (vec![0; TILE_NODES * HASH_BYTES], 0));
        bytes[slot * HASH_BYTES..(slot + 1) * HASH_BYTES].copy_from_slice(hash.as_bytes());
        *filled += 1;
    }

    /// The tiles with every node in place; partial ones are dropped (the integrator completes
    /// a tile from the stored node rows when its first leaves were integrated earlier).
    pub(crate) fn complete(self) -> impl Iterator<Item = (u64, Vec<u8>)> {
        self.tiles.into_iter().filter(|(_, (_, n))| *n == TILE_NODES).map(|(k, (b, _))| (k, b))
    }
}

/// The node rows of tile `tile` that lie before leaf `before` (its part integrated by an
/// earlier batch): one index range per level, bound as level, first and end index.
pub(crate) fn tile_prefix_query(tile: u64, before: u64) -> (String, Vec<i64>) {
    let mut sql = String::from("SELECT level, idx, hash FROM ledger_nodes WHERE ");
    let mut binds = Vec::new();
    for level in 0..TILE_HEIGHT {
        let first = (tile * TILE_LEAVES) >> level;
        let end = before >> level; // nodes whose subtree ends at or before `before`
        if end <= first {
            break;
        }
        if level > 0 {
            sql.push_str(" OR ");
        }
        let n = binds.len();
        sql.push_str(&format!("(level = ${} AND idx >= ${} AND idx < ${})", n + 1, n + 2, n + 3));
        let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        binds.extend([i64::from(level), i(first), i(end)]);
    }
    (sql, binds)
}

impl SqlStore {
    /// Stored complete node hashes (see [`LedgerStore::ledger_nodes`]): from memory, tiles,
    /// node rows and, for leaves not yet integrated, event rows.
    pub(super) async fn read_nodes(
        &self,
        ids: &[NodeId],
    ) -> Result<HashMap<NodeId, Hash>, StoreError> {
        // Up to two tiles.
        const SELECT_TILES: &str =
            "SELECT idx, nodes FROM ledger_tiles WHERE idx IN ($1, $2) ORDER BY idx";
        // Interior nodes exist once the integrator has passed the end of their subtree.
        let needed = ids
            .iter()
            .filter(|id| id.level > 0)
            .map(|id| {
                id.index.saturating_add(1).checked_shl(u32::from(id.level)).unwrap_or(u64::MAX)
            })
            .max()
            .unwrap_or(0);
        if needed > self.integrated.load(Ordering::Acquire) {
            self.integrate_ledger().await?;
        }
        // Nodes of the upper levels come from memory, read from the table the first time
        // they are asked for; a proof then reads only its few lowest levels from the table.
        let mut found = HashMap::new();
        let mut wanted = Vec::with_capacity(ids.len());
        let missing_upper = {
            let upper = self.upper.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut missing = false;
            for id in ids {
                match upper.get(*id) {
                    Some(hash) => {
                        found.insert(*id, hash);
                    }
                    None if id.level >= UpperNodes::FROM_LEVEL => {
                        missing = true;
                        wanted.push(*id);
                    }
                    None => wanted.push(*id),
                }
            }
            missing
        };
        if missing_upper {
            self.load_upper_nodes().await?;
            let upper = self.upper.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            wanted.retain(|id| match upper.get(*id) {
                Some(hash) => {
                    found.insert(*id, hash);
                    false
                }
                None => true,
            });
        }
        // The lowest levels come from tiles where their tile is complete and stored.
        let integrated = self.integrated.load(Ordering::Acquire);
        let complete_tiles = integrated / TILE_LEAVES;
        let mut tiles: BTreeMap<u64, Vec<NodeId>> = BTreeMap::new();
        wanted.retain(|id| match tile_slot(*id) {
            Some((tile, _)) if tile < complete_tiles => {
                tiles.entry(tile).or_default().push(*id);
                false
            }
            _ => true,
        });
        if !tiles.is_empty() {
            // A proof touches at most two tiles (its paths and the right edges of its sizes):
            // one prepared statement reads two.
            let keys: Vec<i64> =
                tiles.keys().map(|k| i64::try_from(*k).unwrap_or(i64::MAX)).collect();
            let mut rows: Vec<(i64, Vec<u8>)> = Vec::with_capacity(keys.len());
            for pair in keys.chunks(2) {
                let binds = [pair[0], pair[pair.len() - 1]];
                rows.extend(match &self.direct {
                    Some(direct) => direct.rows2(SELECT_TILES, &binds)?,
                    None => {
                        sqlx::query_as(SELECT_TILES)
                            .bind(binds[0])
                            .bind(binds[1])
                            .fetch_all(&self.pool)
                            .await?
                    }
                });
            }
            rows.dedup_by_key(|(tile, _)| *tile);
            for (tile, bytes) in rows {
                let Some(ids) = u64::try_from(tile).ok().and_then(|t| tiles.remove(&t)) else {
                    continue;
                };
                for id in ids {
                    let hash = tile_slot(id)
                        .and_then(|(_, slot)| tile_hash(&bytes, slot))
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "ledger_tiles {tile}: {} bytes, too short",
                                bytes.len()
                            ))
                        })?;
                    found.insert(id, hash);
                }
            }
            // Tiles not stored (a ledger integrated before tiles existed): read node rows.
            wanted.extend(tiles.into_values().flatten());
        }
        // The nodes of the last, partial tile are held for the integrated size they belong to.
        if wanted.iter().any(|id| is_edge_node(*id, integrated)) {
            let edge = self.edge_nodes(integrated).await?;
            wanted.retain(|id| match edge.get(id) {
                Some(hash) => {
                    found.insert(*id, *hash);
                    false
                }
                None => true,
            });
        }
        let ids = wanted.as_slice();
        // A proof reads at most about 2·log2(n) nodes; chunk anyway to stay under bind limits.
        for chunk in ids.chunks(400) {
            let mut sql = String::from("SELECT level, idx, hash FROM ledger_nodes WHERE ");
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(" OR ");
                }
                sql.push_str(&format!("(level = ${} AND idx = ${})", 2 * i + 1, 2 * i + 2));
            }
            // Only placeholders are formatted into the text; values are bound.
            let binds: Vec<i64> = chunk
                .iter()
                .flat_map(|id| [i64::from(id.level), i64::try_from(id.index).unwrap_or(i64::MAX)])
                .collect();
            found.extend(node_rows(self.node_query(sql, &binds).await?)?);
        }
        // Leaves not yet integrated are read from their event rows.
        let tail: Vec<i64> = ids
            .iter()
            .filter(|id| id.level == 0 && !found.contains_key(id))
            .filter_map(|id| i64::try_from(id.index).ok()?.checked_add(1))
            .collect();
        for chunk in tail.chunks(self.backend.max_binds()) {
            let mut stmt = Statement::new(
                self.backend,
                "SELECT CAST(0 AS BIGINT), seq - 1, leaf_hash FROM events WHERE leaf_hash IS NOT NULL AND seq IN ",
            );
            stmt.push_in_list(chunk.iter().copied());
            found.extend(node_rows(stmt.build_as().fetch_all(&self.pool).await?)?);
        }
        Ok(found)
    }

    /// Node rows `(level, idx, hash)` of a query over integer binds: in place on a SQLite
    /// file, through the pool otherwise.
    async fn node_query(
        &self,
        sql: String,
        binds: &[i64],
    ) -> Result<Vec<(i64, i64, String)>, StoreError> {
        if let Some(direct) = &self.direct {
            return direct.rows3(&sql, binds);
        }
        let mut query = sqlx::query_as::<_, (i64, i64, String)>(sqlx::AssertSqlSafe(sql));
        for bind in binds {
            query = query.bind(*bind);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// The stored nodes of the last, partial tile of a tree of `integrated` leaves, from memory
    /// when they were read for this size already.
    async fn edge_nodes(&self, integrated: u64) -> Result<EdgeNodes, StoreError> {
        {
            let edge = self.edge.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((size, nodes)) = edge.as_ref()
                && *size == integrated
            {
                return Ok(Arc::clone(nodes));
            }
        }
        let (sql, binds) = tile_prefix_query(integrated / TILE_LEAVES, integrated);
        let nodes = Arc::new(node_rows(self.node_query(sql, &binds).await?)?);
        *self.edge.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((integrated, Arc::clone(&nodes)));
        Ok(nodes)
    }

    /// Reads the integrated nodes of the upper levels that memory does not hold yet (each
    /// level from the index after the last one held) and keeps them.
    async fn load_upper_nodes(&self) -> Result<(), StoreError> {
        // One level of stored nodes from an index on, in index order.
        const SELECT_LEVEL_FROM: &str =
            "SELECT level, idx, hash FROM ledger_nodes WHERE level = $1 AND idx >= $2 ORDER BY idx";
        let integrated = self.integrated.load(Ordering::Acquire);
        let starts = {
            let upper = self.upper.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            upper.next_indexes(integrated)
        };
        for (level, start) in starts {
            let binds = [i64::from(level), i64::try_from(start).unwrap_or(i64::MAX)];
            let rows = self.node_query(SELECT_LEVEL_FROM.to_owned(), &binds).await?;
            let mut nodes: Vec<(NodeId, Hash)> = node_rows(rows)?.into_iter().collect();
            nodes.sort_unstable_by_key(|(id, _)| id.index);
            let mut upper = self.upper.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            upper.extend(level, start, nodes.into_iter().map(|(id, h)| (id.index, h)));
        }
        Ok(())
    }
}
