//! quanze-ledger: the tamper-evident log under Quanze (全责), as a library that knows bytes only.
//!
//! It provides an RFC 9162 (RFC 6962) Merkle tree over a pluggable hash (SM3 by default,
//! SHA-256), inclusion and consistency proofs and their verifiers, a streaming root
//! verifier with memory independent of the log length, signed checkpoints in the C2SP
//! signed-note and tlog-checkpoint formats (SM2 by default, Ed25519), and a pure witness
//! that cosigns checkpoints (C2SP tlog-cosignature).
//!
//! It knows nothing about cases, lists or any other domain content, nor about SQL, HTTP or
//! async: leaves are opaque bytes, node storage is behind [`tree::NodeReader`], and time
//! and state come in as arguments.
#![deny(missing_docs)]

// In reading order (separate groups, so that rustfmt keeps the order).
pub mod hash;

pub mod tree;

pub mod proof;

pub mod stream;

pub mod note;

pub mod checkpoint;

pub mod witness;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use hash::{HASH_LEN, Hash, HashAlg, HashParseError};
pub use note::{
    KeyError, KeyId, KeyType, NoteError, NoteSignature, SigAlg, SignatureError, SignedNote,
    SigningKey, VerifierKey, generate_key_files, read_signing_key, read_verifier_key,
};
pub use proof::{ProofError, root_from_inclusion_proof, verify_consistency, verify_inclusion};
pub use stream::{CompactRange, StreamError, StreamVerifier};
pub use tree::{MemoryTree, NodeId, NodeReader, NodeStoreError, TreeError};
pub use witness::{
    Cosigned, TreeHead, Witness, WitnessError, WitnessKey, generate_witness_key_files,
    read_witness_key,
};
