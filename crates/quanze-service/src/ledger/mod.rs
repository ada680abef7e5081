//! 全程留痕: the ledger's use cases — signing checkpoints, serving entries, proofs and
//! receipts, accepting witness cosignatures, and verifying the whole ledger (from the database
//! or from a plain-file export) with the first index where anything differs.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, Utc};
use quanze_core::Event;
use quanze_ledger::tree::{
    consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes,
};
use quanze_ledger::{Checkpoint, CompactRange, Hash, HashAlg, SignedNote, SigningKey, VerifierKey};
use quanze_store::{LedgerHead, Store, StoredCheckpoint};

use crate::Service;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

mod verify;

pub use verify::{Damage, DamageKind, VerifyReport, verify_export};

/// How the ledger signs and whom it trusts.
#[derive(Debug, Clone)]
pub struct LedgerConfig {
    /// The log's origin line, e.g. `quanze.example/341128`.
    pub origin: String,
    /// The checkpoint signing key; without one no checkpoints are signed.
    pub key: Option<Arc<SigningKey>>,
    /// Witnesses whose cosignatures are accepted.
    pub witnesses: Vec<VerifierKey>,
}

impl Default for LedgerConfig {
    fn default() -> LedgerConfig {
        LedgerConfig { origin: "quanze.local/ledger".to_owned(), key: None, witnesses: Vec::new() }
    }
}

/// One ledger entry as served: its leaf bytes (the event's canonical JSON) and leaf hash.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Entry {
    /// Leaf index.
    pub index: u64,
    /// Hex leaf hash.
    pub leaf_hash: String,
    /// The leaf: RFC 8785 canonical JSON of the event; empty when withheld.
    pub leaf: String,
    /// The leaf is an account's event (its creation, sign-ins, failures, tokens, locks),
    /// withheld from readers without the audit role; its hash still proves its place.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withheld: bool,
}

/// Whether an event is an account's (sign-ins and their failures, tokens, locks) or another
/// record of the audit trail (the trail's own reads, staff exports, key rotations), which only
/// the audit role reads.
pub fn is_account_event(kind: &str) -> bool {
    kind.starts_with("user.")
        || kind.starts_with("token.")
        || kind.starts_with("audit.")
        || kind == "list.exported"
        || kind.starts_with("personal_key.")
}

/// An inclusion proof.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct InclusionProof {
    /// Leaf index.
    pub index: u64,
    /// Tree size the proof is for.
    pub size: u64,
    /// Hex leaf hash.
    pub leaf_hash: String,
    /// Hex root at `size`.
    pub root: String,
    /// Hex proof hashes, bottom up.
    pub proof: Vec<String>,
}

/// A consistency proof.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ConsistencyProof {
    /// Older size.
    pub first: u64,
    /// Newer size.
    pub second: u64,
    /// Hex root at `first`.
    pub first_root: String,
    /// Hex root at `second`.
    pub second_root: String,
    /// Hex proof hashes.
    pub proof: Vec<String>,
}

/// 回执 — everything needed to check one write offline: the leaf, its inclusion proof and the
/// signed checkpoint it is proven against.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LedgerReceipt {
    /// The entry.
    pub entry: Entry,
    /// The proof against the checkpoint's size.
    pub proof: InclusionProof,
    /// The signed checkpoint (with any cosignatures).
    pub checkpoint: String,
    /// The hash algorithm.
    pub alg: String,
}

fn hexes(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(Hash::to_hex).collect()
}

fn tree_err(e: quanze_ledger::TreeError) -> ServiceError {
    ServiceError::rejected(
        ErrorCode::InvalidProofRequest,
        format!("无法生成证明：{e}"),
        e.to_string(),
    )
}

impl Service {
    /// The log's origin line.
    pub fn ledger_origin(&self) -> &str {
        &self.config.ledger.origin
    }

    /// The log's public key, when the service signs checkpoints.
    pub fn ledger_public_key(&self) -> Option<VerifierKey> {
        self.config.ledger.key.as_ref().map(|k| k.verifier_key())
    }

    /// The ledger's algorithm, size and root.
    pub async fn ledger_head(&self) -> ServiceResult<LedgerHead> {
        Ok(self.store.ledger_head().await?)
    }

    /// Signs a checkpoint if leaves were appended since the last one (and a key is set).
    /// Returns the new checkpoint.
    pub async fn sign_checkpoint(&self) -> ServiceResult<Option<StoredCheckpoint>> {
        let Some(key) = &self.config.ledger.key else { return Ok(None) };
        let _guard = self.signing.lock().await;
        let head = self.store.ledger_head().await?;
        let latest = self.store.latest_checkpoint().await?;
        if head.size == 0 || latest.as_ref().is_some_and(|c| c.size >= head.size) {
            return Ok(None);
        }
        let checkpoint = Checkpoint {
            origin: self.config.ledger.origin.clone(),
            size: head.size,
            root: head.root,
            extensions: Vec::new(),
        };
        let note = checkpoint
            .sign(&[key.as_ref()])
            .map_err(|e| ServiceError::Internal(format!("signing checkpoint: {e}")))?;
        let stored = StoredCheckpoint {
            size: head.size,
            root: head.root,
            note: note.to_string(),
            created_at: self.clock.now(),
        };
        self.store.add_checkpoint(&stored).await?;
        Ok(Some(stored))
    }

    /// Signs a checkpoint whenever leaves were appended, checking every `period` (so a leaf is
    /// covered by a signed checkpoint within `period` plus one signing), until `stop`
    /// completes; then signs once more so nothing written before shutdown is left unsigned.
    /// A failure is logged and retried at the next tick: a busy database must not stop the
    /// signer for good.
    pub async fn sign_checkpoints_until(
        &self,
        period: std::time::Duration,
        stop: impl Future<Output = ()>,
    ) {
        if self.config.ledger.key.is_none() {
            stop.await;
            return;
        }
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                _ = ticks.tick() => {
                    if let Err(err) = self.sign_checkpoint().await {
                        tracing::warn!(error = %err, "signing a checkpoint failed; retrying");
                    }
                    // The interior nodes for proofs follow the leaves within a tick.
                    if let Err(err) = self.store.integrate_ledger().await {
                        tracing::warn!(error = %err, "integrating the ledger failed; retrying");
                    }
                }
            }
        }
        if let Err(err) = self.sign_checkpoint().await {
            tracing::error!(error = %err, "signing the checkpoint at shutdown failed");
        }
    }

    /// The latest signed checkpoint with its cosignature lines appended (a C2SP note).
    pub async fn checkpoint_note(&self) -> ServiceResult<Option<(StoredCheckpoint, String)>> {
        let Some(cp) = self.store.latest_checkpoint().await? else { return Ok(None) };
        let mut text = cp.note.clone();
        for line in self.store.cosignatures(cp.size).await? {
            text.push_str(&line);
        }
        Ok(Some((cp, text)))
    }

    /// Entries `start..end` (at most 1,000).
    pub async fn ledger_entries(&self, start: u64, end: u64) -> ServiceResult<Vec<Entry>> {
        let head = self.store.ledger_head().await?;
        let end = end.min(head.size).min(start.saturating_add(1000));
        if start >= end {
            return Ok(Vec::new());
        }
        let events = self.store.events(start, u32::try_from(end - start).unwrap_or(1000)).await?;
        let alg = head.alg;
        Ok(events.iter().map(|e| entry_of(alg, e)).collect())
    }

    /// Entries `start..end` as `reader` may read them: an account's events are withheld
    /// (their hash only) from anyone without the audit role (等保 三员分立: the audit
    /// administrator reads the account trail).
    pub async fn ledger_entries_for(
        &self,
        reader: Option<&crate::CurrentUser>,
        start: u64,
        end: u64,
    ) -> ServiceResult<Vec<Entry>> {
        let mut entries = self.ledger_entries(start, end).await?;
        for entry in &mut entries {
            withhold_for(reader, entry);
        }
        Ok(entries)
    }

    /// The receipt of one write as `reader` may read it: an account's event is withheld (its
    /// hash and proof only) from anyone without the audit role.
    pub async fn receipt_for(
        &self,
        reader: Option<&crate::CurrentUser>,
        index: u64,
    ) -> ServiceResult<LedgerReceipt> {
        let mut receipt = self.receipt(index).await?;
        withhold_for(reader, &mut receipt.entry);
        Ok(receipt)
    }

    /// Proof that leaf `index` is in the tree of `size` leaves.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> ServiceResult<InclusionProof> {
        let head = self.store.ledger_head().await?;
        if size > head.size || index >= size {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidProofRequest,
                format!("需要 index < size ≤ {}（当前账本规模）", head.size),
                format!("need index < size <= {}", head.size),
            ));
        }
        let mut ids = inclusion_proof_nodes(index, size).map_err(tree_err)?;
        ids.extend(quanze_ledger::tree::root_nodes(size));
        ids.push(quanze_ledger::NodeId { level: 0, index });
        let nodes = self.store.ledger_nodes(&ids).await?;
        let proof = inclusion_proof(&nodes, head.alg, index, size).map_err(tree_err)?;
        let root = quanze_ledger::tree::root_at(&nodes, head.alg, size).map_err(tree_err)?;
        let leaf =
            nodes.get(&quanze_ledger::NodeId { level: 0, index }).copied().ok_or_else(|| {
                ServiceError::Internal(format!("leaf {index} missing from the stored tree"))
            })?;
        Ok(InclusionProof {
            index,
            size,
            leaf_hash: leaf.to_hex(),
            root: root.to_hex(),
            proof: hexes(&proof),
        })
    }

    /// Proof for the leaf with this hash.
    pub async fn inclusion_proof_by_hash(
        &self,
        leaf_hash: &str,
        size: u64,
    ) -> ServiceResult<InclusionProof> {
        let hash = Hash::from_hex(leaf_hash).map_err(|e| {
            ServiceError::rejected(
                ErrorCode::InvalidHash,
                format!("哈希格式不正确：{e}"),
                e.to_string(),
            )
        })?;
        let index = self
            .store
            .leaf_index_of(&hash)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("哈希为 {leaf_hash} 的记录")))?;
        self.inclusion_proof(index, size).await
    }

    /// Proof that the tree of `first` leaves is a prefix of the tree of `second`.
    pub async fn consistency_proof(
        &self,
        first: u64,
        second: u64,
    ) -> ServiceResult<ConsistencyProof> {
        let head = self.store.ledger_head().await?;
        if first > second || second > head.size {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidProofRequest,
                format!("需要 first ≤ second ≤ {}（当前账本规模）", head.size),
                format!("need first <= second <= {}", head.size),
            ));
        }
        let mut ids = consistency_proof_nodes(first, second).map_err(tree_err)?;
        ids.extend(quanze_ledger::tree::root_nodes(first));
        ids.extend(quanze_ledger::tree::root_nodes(second));
        let nodes = self.store.ledger_nodes(&ids).await?;
        let proof = consistency_proof(&nodes, head.alg, first, second).map_err(tree_err)?;
        let root = |n| quanze_ledger::tree::root_at(&nodes, head.alg, n).map_err(tree_err);
        Ok(ConsistencyProof {
            first,
            second,
            first_root: root(first)?.to_hex(),
            second_root: root(second)?.to_hex(),
            proof: hexes(&proof),
        })
    }

    /// The receipt of one write: its leaf, a proof and the checkpoint it is proven against.
    /// Signs a checkpoint first if none covers the leaf yet.
    pub async fn receipt(&self, index: u64) -> ServiceResult<LedgerReceipt> {
        let mut cp = self.checkpoint_note().await?;
        if cp.as_ref().is_none_or(|(c, _)| c.size <= index) {
            self.sign_checkpoint().await?;
            cp = self.checkpoint_note().await?;
        }
        let Some((cp, note)) = cp.filter(|(c, _)| c.size > index) else {
            return Err(ServiceError::NotFound(format!(
                "第{index}号记录（或尚无覆盖它的签名检查点）"
            )));
        };
        let head = self.store.ledger_head().await?;
        let event = self.store.events(index, 1).await?.into_iter().next();
        let event = event.ok_or_else(|| ServiceError::NotFound(format!("第{index}号记录")))?;
        let proof = self.inclusion_proof(index, cp.size).await?;
        Ok(LedgerReceipt {
            entry: entry_of(head.alg, &event),
            proof,
            checkpoint: note,
            alg: head.alg.name().to_owned(),
        })
    }

    /// Accepts a cosigned checkpoint from a witness: the note must carry a valid cosignature by
    /// a trusted witness over a checkpoint this ledger signed. Returns the witnesses accepted.
    pub async fn accept_cosignature(&self, cosigned: &str) -> ServiceResult<Vec<String>> {
        let refuse =
            |zh: String, en: String| ServiceError::rejected(ErrorCode::BadCosignature, zh, en);
        let note = SignedNote::parse(cosigned)
            .map_err(|e| refuse(format!("不是有效的签名检查点：{e}"), e.to_string()))?;
        let checkpoint = Checkpoint::parse(note.text())
            .map_err(|e| refuse(format!("检查点格式错误：{e}"), e.to_string()))?;
        let ours = self
            .store
            .checkpoints()
            .await?
            .into_iter()
            .find(|c| c.size == checkpoint.size && c.root == checkpoint.root)
            .ok_or_else(|| {
                refuse(
                    "本账本没有签发过这个检查点".into(),
                    "no such checkpoint was signed here".into(),
                )
            })?;
        let verified = note.verify(&self.config.ledger.witnesses).map_err(|e| {
            refuse(format!("见证签名无法用受信任的见证方公钥验证：{e}"), e.to_string())
        })?;
        let mut accepted = Vec::new();
        for key in verified {
            if let Some(sig) = note.signatures().iter().find(|s| key.matches(s)) {
                self.store
                    .add_cosignature(ours.size, key.name(), &sig.line(), self.clock.now())
                    .await?;
                accepted.push(key.name().to_owned());
            }
        }
        Ok(accepted)
    }
}

fn entry_of(alg: HashAlg, event: &Event) -> Entry {
    let leaf = event.leaf_bytes();
    Entry {
        index: event.leaf_index(),
        leaf_hash: alg.hash_leaf(&leaf).to_hex(),
        leaf: String::from_utf8(leaf).unwrap_or_default(),
        withheld: false,
    }
}

/// Empties an account event's leaf unless `reader` has the audit role (等保 三员分立).
fn withhold_for(reader: Option<&crate::CurrentUser>, entry: &mut Entry) {
    let audit =
        reader.is_some_and(|r| r.require_act(quanze_core::access::Act::ReadAudit, None).is_ok());
    if audit {
        return;
    }
    let kind = serde_json::from_str::<serde_json::Value>(&entry.leaf)
        .ok()
        .and_then(|v| v["kind"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if is_account_event(&kind) {
        entry.leaf.clear();
        entry.withheld = true;
    }
}

/// Decodes base64 (standard) — used by the web layer for binary parameters.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// Unix seconds of an instant (witness cosignature times).
pub fn unix_seconds(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}
