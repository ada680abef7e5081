//! The ledger side of every write: the event becomes a leaf of the Merkle tree in the same
//! transaction, its complete nodes are stored, and the frontier in the head row moves on.
//! Also the ledger's reads (nodes, leaf hashes, checkpoints, cosignatures) and the erasable
//! personal data behind commitments.

use std::collections::HashMap;

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
    bytes.extend(serde_jcs::to_vec(data).unwrap_or_default());
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

/// Parses a stored instant.
pub(crate) fn parse_at(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| StoreError::Corrupt(format!("bad instant {text:?}: {e}")))
}
