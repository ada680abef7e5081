//! The ledger side of every write: the event becomes a leaf of the Merkle tree in the same
//! transaction, its complete nodes are stored, and the frontier in the head row moves on.
//! Also the ledger's reads (nodes, leaf hashes, checkpoints, cosignatures) and the erasable
//! personal data behind commitments.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use quanze_core::Event;
use quanze_ledger::{CompactRange, Hash, HashAlg, NodeId};
use sqlx::AnyConnection;

use crate::rows::instant_text;
use crate::{NewEvent, StoreError};

/// Reads the head at the start of a write. On SQLite `BEGIN IMMEDIATE` already holds the
/// write lock; on PostgreSQL the row lock queues concurrent writers until this one commits.
pub(crate) const LOCK_HEAD_SQLITE: &str =
    "SELECT last_seq, leaves, frontier FROM event_head WHERE id = 1";
pub(crate) const LOCK_HEAD_POSTGRES: &str =
    "SELECT last_seq, leaves, frontier FROM event_head WHERE id = 1 FOR UPDATE";
/// Moves the head on at the end of a write: the new event number and the new frontier in one
/// statement.
const ADVANCE_HEAD: &str =
    "UPDATE event_head SET last_seq = $1, leaves = $1, frontier = $2 WHERE id = 1";
const INSERT_EVENT: &str = "INSERT INTO events (seq, at, actor, unit, kind, subject, payload, \
     commitment, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const INSERT_PERSONAL: &str = "INSERT INTO event_personal (seq, salt, data) VALUES ($1, $2, $3)";
pub(crate) const SELECT_META: &str = "SELECT alg FROM ledger_meta WHERE id = 1";
pub(crate) const INSERT_META: &str =
    "INSERT INTO ledger_meta (id, alg, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING";
pub(crate) const SELECT_HEAD: &str =
    "SELECT last_seq, leaves, frontier FROM event_head WHERE id = 1";

/// The frontier as stored in the head row: hex hashes, largest subtree first, comma-separated.
pub(crate) fn parse_frontier(
    alg: HashAlg,
    leaves: i64,
    text: &str,
) -> Result<CompactRange, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt(format!("event_head: frontier {why}"));
    let size = u64::try_from(leaves).map_err(|_| corrupt(format!("has negative size {leaves}")))?;
    let hashes = text
        .split(',')
        .filter(|h| !h.is_empty())
        .map(Hash::from_hex)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| corrupt(e.to_string()))?;
    CompactRange::from_parts(alg, size, hashes)
        .ok_or_else(|| corrupt(format!("does not match {size} leaves")))
}

/// The frontier as the head rows store it (see [`parse_frontier`]).
pub(crate) fn frontier_text(range: &CompactRange) -> String {
    range.frontier().iter().map(Hash::to_hex).collect::<Vec<_>>().join(",")
}

/// Builds the event as it will be read back, with the commitment to its personal data.
pub(crate) fn event_of(seq: u64, ev: &NewEvent, commitment: Option<String>) -> Event {
    Event {
        seq,
        at: ev.at,
        actor: ev.actor,
        unit: ev.unit,
        kind: ev.kind.clone(),
        subject: ev.subject.clone(),
        payload: ev.payload.clone(),
        commitment,
    }
}

/// Salted SM3 commitment to personal data: `SM3(salt || canonical JSON)`, hex.
pub(crate) fn commit_personal(salt: &[u8], data: &serde_json::Value) -> String {
    let mut bytes = salt.to_vec();
    bytes.extend(quanze_core::canonical::to_vec(data).unwrap_or_default());
    HashAlg::Sm3.digest(&bytes).to_hex()
}

/// Writes the event with its leaf hash and its personal data, and moves the head (event
/// number and frontier) on. Called last in every write transaction.
///
/// The interior nodes of the tree are not written here: [`integrate`] adds them later, in
/// batches, from the leaf hashes stored in the event rows. The transaction still fixes the
/// leaf and the root (the frontier), so a checkpoint can be signed at any size at once; what
/// it saves is one row per level and two B-trees per write (docs/performance.md).
pub(crate) async fn append(
    conn: &mut AnyConnection,
    alg: HashAlg,
    seq: i64,
    leaves: i64,
    frontier: &str,
    ev: &NewEvent,
) -> Result<(), StoreError> {
    let useq =
        u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))?;
    let mut range = parse_frontier(alg, leaves, frontier)?;
    if range.size() + 1 != useq {
        return Err(StoreError::Corrupt(format!(
            "ledger has {} leaves but the next event is {seq}; run `quanze ledger verify`",
            range.size()
        )));
    }
    let personal = ev.personal.as_ref().map(|data| {
        let salt: [u8; 16] = rand::random();
        (hex::encode(salt), commit_personal(&salt, data), data)
    });
    let event = event_of(useq, ev, personal.as_ref().map(|p| p.1.clone()));
    let leaf = alg.hash_leaf(&event.leaf_bytes());
    sqlx::query(INSERT_EVENT)
        .bind(seq)
        .bind(instant_text(event.at))
        .bind(event.actor.map(|u| u.to_string()))
        .bind(event.unit.map(|u| u.to_string()))
        .bind(event.kind.as_str())
        .bind(event.subject.as_str())
        .bind(event.payload.to_string())
        .bind(event.commitment.clone())
        .bind(leaf.to_hex())
        .execute(&mut *conn)
        .await?;
    if let Some((salt, _, data)) = &personal {
        sqlx::query(INSERT_PERSONAL)
            .bind(seq)
            .bind(salt.as_str())
            .bind(data.to_string())
            .execute(&mut *conn)
            .await?;
    }
    range.push_leaf_hash(leaf);
    sqlx::query(ADVANCE_HEAD).bind(seq).bind(frontier_text(&range)).execute(&mut *conn).await?;
    Ok(())
}

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

/// Stores one complete tile.
pub(crate) const INSERT_TILE: &str = "INSERT INTO ledger_tiles (idx, nodes) VALUES ($1, $2)";

/// Reads up to two tiles.
pub(crate) const SELECT_TILES: &str =
    "SELECT idx, nodes FROM ledger_tiles WHERE idx IN ($1, $2) ORDER BY idx";

/// One level of stored nodes from an index on, in index order.
pub(crate) const SELECT_LEVEL_FROM: &str =
    "SELECT level, idx, hash FROM ledger_nodes WHERE level = $1 AND idx >= $2 ORDER BY idx";

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
pub(crate) const TILE_HEIGHT: u8 = UpperNodes::FROM_LEVEL;
/// Leaves per tile.
pub(crate) const TILE_LEAVES: u64 = 1 << TILE_HEIGHT;
/// Hashes in a tile: its levels 0 to `TILE_HEIGHT - 1` (256 + 128 + … + 2).
pub(crate) const TILE_NODES: usize = 2 * (TILE_LEAVES as usize) - 2;
const HASH_BYTES: usize = quanze_ledger::HASH_LEN;

/// The tile holding a node of the lowest levels, and the node's position in it (level by
/// level from the bottom, left to right).
pub(crate) fn tile_slot(id: NodeId) -> Option<(u64, usize)> {
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
pub(crate) fn is_edge_node(id: NodeId, integrated: u64) -> bool {
    let Some((tile, _)) = tile_slot(id) else { return false };
    let end = id.index.checked_add(1).and_then(|i| i.checked_shl(u32::from(id.level)));
    tile == integrated / TILE_LEAVES && end.is_some_and(|end| end <= integrated)
}

/// The hash at `slot` of a stored tile.
pub(crate) fn tile_hash(tile: &[u8], slot: usize) -> Option<Hash> {
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

/// Parses a stored instant.
pub(crate) fn parse_at(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| StoreError::Corrupt(format!("bad instant {text:?}: {e}")))
}
