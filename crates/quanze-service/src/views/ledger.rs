//! The ledger (全程留痕): its head, entries by range, proofs and cosignatures, as the API
//! answers them. The proofs and receipts are the types of [`crate::ledger`].

use serde::Serialize;
use utoipa::ToSchema;

use crate::Service;
use crate::error::ServiceResult;
use crate::ledger::{Entry, InclusionProof};

/// 账本 — the ledger's head: hash algorithm, size, root, origin, the log's public key and the
/// size of the latest signed checkpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "alg": "sm3", "size": 1024, "root": "5d0b…", "origin": "quanze.example/341128", "public_key": "quanze.example/341128+5f1c0a2b+AQ…", "checkpoint_size": 1024 }))]
pub struct LedgerHeadView {
    /// The hash algorithm (`sm3` or `sha256`).
    pub alg: String,
    /// Number of leaves.
    pub size: u64,
    /// Hex root of the tree of `size` leaves.
    pub root: String,
    /// The log's origin line.
    pub origin: String,
    /// The log's verifier key (C2SP note format), when the service signs checkpoints.
    pub public_key: Option<String>,
    /// Size of the latest signed checkpoint, if any.
    pub checkpoint_size: Option<u64>,
}

/// Ledger entries of a range of leaf indexes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryRange {
    /// The entries, by index.
    pub entries: Vec<Entry>,
}

/// Which leaf an inclusion proof is for.
#[derive(Debug, Clone)]
pub enum LeafRef {
    /// By index.
    Index(u64),
    /// By hex leaf hash.
    Hash(String),
}

/// The witnesses whose cosignatures were accepted.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "accepted": ["witness.example"] }))]
pub struct CosignView {
    /// Names of the witnesses accepted.
    pub accepted: Vec<String>,
}

impl Service {
    /// The ledger's head.
    pub async fn ledger_head_view(&self) -> ServiceResult<LedgerHeadView> {
        let head = self.ledger_head().await?;
        let latest = self.checkpoint_note().await?;
        Ok(LedgerHeadView {
            alg: head.alg.name().to_owned(),
            size: head.size,
            root: head.root.to_hex(),
            origin: self.ledger_origin().to_owned(),
            public_key: self.ledger_public_key().map(|k| k.to_string()),
            checkpoint_size: latest.map(|(c, _)| c.size),
        })
    }

    /// The latest signed checkpoint as a note with its cosignatures, if one was signed.
    pub async fn latest_checkpoint(&self) -> ServiceResult<Option<String>> {
        Ok(self.checkpoint_note().await?.map(|(_, note)| note))
    }

    /// Entries `[start, end)` (at most 1,000).
    pub async fn entry_range(
        &self,
        reader: Option<&crate::CurrentUser>,
        start: u64,
        end: u64,
    ) -> ServiceResult<EntryRange> {
        Ok(EntryRange { entries: self.ledger_entries_for(reader, start, end).await? })
    }

    /// The inclusion proof of a leaf in the tree of `size` leaves.
    pub async fn inclusion_of(&self, leaf: LeafRef, size: u64) -> ServiceResult<InclusionProof> {
        match leaf {
            LeafRef::Index(index) => self.inclusion_proof(index, size).await,
            LeafRef::Hash(hash) => self.inclusion_proof_by_hash(&hash, size).await,
        }
    }

    /// Accepts a witness's cosigned checkpoint note.
    pub async fn witness_cosignature(&self, note: &str) -> ServiceResult<CosignView> {
        Ok(CosignView { accepted: self.accept_cosignature(note).await? })
    }
}
