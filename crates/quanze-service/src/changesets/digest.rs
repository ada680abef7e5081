//! A change set's ledger event commits to its changes by digest instead of carrying them: the
//! SM3 (GB/T 32905) of the RFC 8785 canonical bytes of the changes as one JSON array. The
//! changes themselves are stored (`change_set_changes`), so anyone holding them recomputes
//! the digest and matches it with the event's, which the ledger proves. A change set of
//! 100,000 items made a 434 MB event; its digest is 64 hex characters.

use quanze_core::ProposedChange;
use rayon::prelude::*;
use sm3::{Digest, Sm3};

use super::*;

/// Changes canonicalised per chunk in parallel, then hashed in order: the bytes hashed are
/// exactly those of the canonical array, without holding all of them at once.
const CHUNK: usize = 2_048;

/// The SM3 digest (hex) of the canonical bytes of `changes` as a JSON array.
pub fn changes_digest(changes: &[ProposedChange]) -> String {
    let mut hasher = Sm3::new();
    hasher.update(b"[");
    let mut first = true;
    for chunk in changes.chunks(CHUNK) {
        let parts: Vec<Vec<u8>> = chunk
            .par_iter()
            .map(|c| {
                let value = serde_json::to_value(c).expect("a change serialises to JSON");
                quanze_core::canonical::to_vec(&value).expect("a change holds no float")
            })
            .collect();
        for part in parts {
            if !first {
                hasher.update(b",");
            }
            first = false;
            hasher.update(&part);
        }
    }
    hasher.update(b"]");
    hex::encode(hasher.finalize())
}

/// The ledger payload of a write of the changes: their number and their digest.
pub(super) fn changes_commitment(changes: &[ProposedChange]) -> serde_json::Value {
    serde_json::json!({ "count": changes.len(), "sm3": changes_digest(changes) })
}

/// What [`Service::verify_change_set_changes`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChangesCheck {
    /// The digest the ledger event recorded.
    pub recorded: String,
    /// The digest of the stored changes, recomputed.
    pub recomputed: String,
    /// Whether they match.
    pub matches: bool,
}

impl Service {
    /// Recomputes the digest of a change set's stored changes and compares it with the one
    /// its ledger event at `leaf_index` recorded (the event of its drafting or of its last
    /// revision: a revision replaces the changes).
    pub async fn verify_change_set_changes(
        &self,
        id: ChangeSetId,
        leaf_index: u64,
    ) -> ServiceResult<ChangesCheck> {
        let event = self
            .store
            .events(leaf_index, 1)
            .await?
            .into_iter()
            .next()
            .filter(|e| e.subject == format!("change_set:{id}"))
            .ok_or_else(|| {
                ServiceError::NotFound(format!("调整方案 {id} 的账本事件 {leaf_index}"))
            })?;
        let recorded = event.payload["changes"]["sm3"].as_str().unwrap_or_default().to_owned();
        if recorded.is_empty() {
            return Err(ServiceError::NotFound(format!(
                "账本事件 {leaf_index} 未记录调整内容摘要"
            )));
        }
        let stored = self.store.change_set(id).await?;
        let recomputed = changes_digest(&stored.set.changes);
        Ok(ChangesCheck { matches: recorded == recomputed, recorded, recomputed })
    }
}
