//! 见证 — witness cosignatures (<https://c2sp.org/tlog-cosignature>, Ed25519, type `0x04`).
//!
//! A witness remembers the largest tree head it cosigned for a log and cosigns a new
//! checkpoint only if the log signed it and a consistency proof shows it extends that tree
//! head. [`Witness::cosign`] is pure: the remembered state and the time are arguments, and
//! the new state is returned for the caller to persist before publishing the cosignature.

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::hash::{Hash, HashAlg};
use crate::note::{self, KeyError, NoteError, NoteSignature, SignedNote, SigningKey, VerifierKey};
use crate::proof::{ProofError, verify_consistency};

/// A witness's Ed25519 cosigning key.
///
/// Its `Debug` output never shows the private key.
pub struct WitnessKey {
    name: String,
    key: ed25519_dalek::SigningKey,
}

/// 树头 — a tree size and its root: what a witness remembers about a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    /// Number of leaves.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
}

/// A witness for one log: its key, the log's origin, hash algorithm and signing keys.
#[derive(Debug)]
pub struct Witness {
    key: WitnessKey,
    origin: String,
    alg: HashAlg,
    log_keys: Vec<VerifierKey>,
}

/// The result of a successful cosigning.
#[derive(Debug, Clone)]
pub struct Cosigned {
    /// The checkpoint that was cosigned.
    pub checkpoint: Checkpoint,
    /// The signed note with the cosignature appended.
    pub note: SignedNote,
    /// The cosignature line alone.
    pub cosignature: NoteSignature,
    /// The state to persist: the cosigned tree head.
    pub state: TreeHead,
}

/// Why the witness refused to cosign.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// The checkpoint is not validly signed by the log (or not in signed note format).
    #[error("checkpoint is not validly signed by the log: {0}")]
    BadSignature(#[source] NoteError),
    /// The note text is not a checkpoint of this log.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The checkpoint is smaller than the tree head already cosigned.
    #[error("rollback: checkpoint size {new_size} is smaller than cosigned size {old_size}")]
    Rollback {
        /// Size already cosigned.
        old_size: u64,
        /// Size of the offered checkpoint.
        new_size: u64,
    },
    /// The consistency proof does not show that the checkpoint extends the cosigned tree head.
    #[error(
        "checkpoint of size {new_size} is inconsistent with cosigned size {old_size}: {reason}"
    )]
    Inconsistent {
        /// Size already cosigned.
        old_size: u64,
        /// Size of the offered checkpoint.
        new_size: u64,
        /// What the proof verification found.
        reason: ProofError,
    },
    /// The time is beyond what a cosignature can carry (2^63 - 1).
    #[error("time {0} is out of range for a cosignature")]
    Time(u64),
    /// The cosigning key failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl WitnessKey {
    /// Wraps an Ed25519 [`SigningKey`] as a cosigning key with the same name.
    pub fn new(key: &SigningKey) -> Result<WitnessKey, KeyError> {
        let ed25519 = key
            .ed25519()
            .ok_or_else(|| KeyError::UnsupportedType("witness keys must be Ed25519".into()))?;
        Ok(WitnessKey { name: key.name().to_owned(), key: ed25519.clone() })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public key, as a cosignature (`0x04`) verifier.
    pub fn verifier_key(&self) -> VerifierKey {
        VerifierKey::cosignature_v1(&self.name, self.key.verifying_key().as_bytes())
            .expect("the name was checked and the key comes from a signing key")
    }

    /// The cosignature of checkpoint `body` at POSIX time `time`.
    pub fn cosign(&self, body: &str, time: u64) -> Result<NoteSignature, WitnessError> {
        if time > i64::MAX as u64 {
            return Err(WitnessError::Time(time));
        }
        let message = note::cosigned_message(time, body.as_bytes());
        let signature = ed25519_dalek::Signer::sign(&self.key, &message);
        let mut bytes = time.to_be_bytes().to_vec();
        bytes.extend_from_slice(&signature.to_bytes());
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.verifier_key().key_id(),
            signature: bytes,
        })
    }
}

/// Generates an Ed25519 witness key and writes its private key file (mode 0600, never
/// overwriting) and its public cosignature vkey file (type `0x04`, what a log trusts).
pub fn generate_witness_key_files(
    name: &str,
    private_path: &std::path::Path,
    public_path: &std::path::Path,
) -> Result<VerifierKey, KeyError> {
    let key = SigningKey::generate(note::SigAlg::Ed25519, name)?;
    let verifier = WitnessKey::new(&key)?.verifier_key();
    note::write_new_file(
        private_path,
        key.to_private_text()?.as_bytes(),
        0o600,
        "writing private key",
    )?;
    note::write_new_file(
        public_path,
        format!("{verifier}\n").as_bytes(),
        0o644,
        "writing public key",
    )?;
    Ok(verifier)
}

/// Reads a witness key pair written by [`generate_witness_key_files`], checking that the two
/// files match.
pub fn read_witness_key(
    private_path: &std::path::Path,
    public_path: &std::path::Path,
) -> Result<WitnessKey, KeyError> {
    let verifier = note::read_verifier_key(public_path)?;
    let text =
        zeroize::Zeroizing::new(std::fs::read_to_string(private_path).map_err(|source| {
            KeyError::Io { action: "reading private key", path: private_path.to_owned(), source }
        })?);
    let key = WitnessKey::new(&SigningKey::from_private_text(&text, verifier.name())?)?;
    if key.verifier_key() != verifier {
        return Err(KeyError::Mismatch(verifier.to_string()));
    }
    Ok(key)
}

impl std::fmt::Debug for WitnessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WitnessKey")
            .field("name", &self.name)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl TreeHead {
    /// The empty tree: the state of a witness that has cosigned nothing yet.
    pub fn empty(alg: HashAlg) -> TreeHead {
        TreeHead { size: 0, root: alg.empty_root() }
    }
}

impl Witness {
    /// A witness for the log `origin`, whose checkpoints are signed by any of `log_keys`.
    pub fn new(
        key: WitnessKey,
        origin: impl Into<String>,
        alg: HashAlg,
        log_keys: Vec<VerifierKey>,
    ) -> Witness {
        Witness { key, origin: origin.into(), alg, log_keys }
    }

    /// The witness's cosigning key.
    pub fn key(&self) -> &WitnessKey {
        &self.key
    }

    /// Verifies `signed_checkpoint` and its `proof` of consistency with `last` (the tree
    /// head cosigned before, or [`TreeHead::empty`]) and cosigns it at POSIX time `now`.
    pub fn cosign(
        &self,
        last: &TreeHead,
        signed_checkpoint: &str,
        proof: &[Hash],
        now: u64,
    ) -> Result<Cosigned, WitnessError> {
        let mut note = SignedNote::parse(signed_checkpoint).map_err(WitnessError::BadSignature)?;
        note.verify(&self.log_keys).map_err(WitnessError::BadSignature)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        if checkpoint.origin != self.origin {
            return Err(WitnessError::Checkpoint(CheckpointError::WrongOrigin {
                expected: self.origin.clone(),
                found: checkpoint.origin,
            }));
        }
        let (old_size, new_size) = (last.size, checkpoint.size);
        if new_size < old_size {
            return Err(WitnessError::Rollback { old_size, new_size });
        }
        verify_consistency(self.alg, old_size, new_size, &last.root, &checkpoint.root, proof)
            .map_err(|reason| WitnessError::Inconsistent { old_size, new_size, reason })?;
        let cosignature = self.key.cosign(note.text(), now)?;
        note.add_signature(cosignature.clone()).map_err(WitnessError::BadSignature)?;
        let state = TreeHead { size: checkpoint.size, root: checkpoint.root };
        Ok(Cosigned { checkpoint, note, cosignature, state })
    }
}

#[cfg(test)]
mod tests;
