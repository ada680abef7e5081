//! 证明验证 — verifiers for inclusion and consistency proofs (RFC 9162 §2.1.3.2 and §2.1.4.2).
//!
//! The verifiers need nothing but hashes: a client holding a trusted root checks a proof
//! without any access to the log's storage.

use crate::hash::{Hash, HashAlg};

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// Claimed leaf index.
        index: u64,
        /// Claimed tree size.
        size: u64,
    },
    /// The new tree is smaller than the old one.
    #[error("old size {old_size} is larger than new size {new_size}")]
    SizeOrder {
        /// Claimed old size.
        old_size: u64,
        /// Claimed new size.
        new_size: u64,
    },
    /// The proof has the wrong number of hashes for the claimed sizes.
    #[error("proof has {actual} hashes, expected {expected}")]
    WrongLength {
        /// Length the sizes imply.
        expected: usize,
        /// Length received.
        actual: usize,
    },
    /// The proof leads to a different root than the trusted one.
    #[error("proof leads to root {computed}, expected {expected}")]
    RootMismatch {
        /// The trusted root.
        expected: Hash,
        /// The root the proof leads to.
        computed: Hash,
    },
    /// The consistency proof does not lead to the old root.
    #[error("proof leads to old root {computed}, expected {expected}")]
    OldRootMismatch {
        /// The trusted old root.
        expected: Hash,
        /// The old root the proof leads to.
        computed: Hash,
    },
    /// The consistency proof does not lead to the new root.
    #[error("proof leads to new root {computed}, expected {expected}")]
    NewRootMismatch {
        /// The claimed new root.
        expected: Hash,
        /// The new root the proof leads to.
        computed: Hash,
    },
}

/// Checks that `leaf_hash` is leaf `index` of the tree of size `size` with root `root`.
pub fn verify_inclusion(
    alg: HashAlg,
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof(alg, leaf_hash, index, size, proof)?;
    if computed != *root {
        return Err(ProofError::RootMismatch { expected: *root, computed });
    }
    Ok(())
}

/// The root that an inclusion proof leads to; compare it with a trusted root.
pub fn root_from_inclusion_proof(
    alg: HashAlg,
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (inner, border) = inclusion_proof_shape(index, size);
    if proof.len() != inner + border {
        return Err(ProofError::WrongLength { expected: inner + border, actual: proof.len() });
    }
    let (inner_proof, border_proof) = proof.split_at(inner);
    let hash = chain_inner(alg, *leaf_hash, inner_proof, index);
    Ok(chain_border_right(alg, hash, border_proof))
}

/// Checks that the tree of size `new_size` and root `new_root` extends the tree of size
/// `old_size` and root `old_root`.
pub fn verify_consistency(
    alg: HashAlg,
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::SizeOrder { old_size, new_size });
    }
    if old_size == new_size || old_size == 0 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength { expected: 0, actual: proof.len() });
        }
        if old_size == 0 {
            // Every tree extends the empty one, but only if the claimed old root is the empty root.
            return expect_old_root(alg.empty_root(), old_root);
        }
        return expect_new_root(*old_root, new_root);
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength { expected: 1, actual: 0 });
    }

    // The proof is a suffix of the audit path of leaf old_size - 1 in the new tree, starting
    // at the level of the largest perfect subtree that ends at old_size.
    let (inner, border) = inclusion_proof_shape(old_size - 1, new_size);
    let shift = old_size.trailing_zeros() as usize;
    let inner = inner - shift;
    // That subtree's hash is the old root itself when the old tree is perfect; otherwise it
    // comes first in the proof.
    let (seed, rest) =
        if old_size == 1 << shift { (*old_root, proof) } else { (proof[0], &proof[1..]) };
    let expected_len = proof.len() - rest.len() + inner + border;
    if proof.len() != expected_len {
        return Err(ProofError::WrongLength { expected: expected_len, actual: proof.len() });
    }
    let (inner_proof, border_proof) = rest.split_at(inner);
    let mask = (old_size - 1) >> shift;

    let old_computed = chain_inner_right(alg, seed, inner_proof, mask);
    let old_computed = chain_border_right(alg, old_computed, border_proof);
    expect_old_root(old_computed, old_root)?;

    let new_computed = chain_inner(alg, seed, inner_proof, mask);
    let new_computed = chain_border_right(alg, new_computed, border_proof);
    expect_new_root(new_computed, new_root)
}

fn expect_old_root(computed: Hash, expected: &Hash) -> Result<(), ProofError> {
    if computed != *expected {
        return Err(ProofError::OldRootMismatch { expected: *expected, computed });
    }
    Ok(())
}

fn expect_new_root(computed: Hash, expected: &Hash) -> Result<(), ProofError> {
    if computed != *expected {
        return Err(ProofError::NewRootMismatch { expected: *expected, computed });
    }
    Ok(())
}

/// Splits an audit path into its inner part (below the point where the leaf's path leaves
/// the right border of the tree) and its border part (left siblings along the border).
fn inclusion_proof_shape(index: u64, size: u64) -> (usize, usize) {
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    (inner, border)
}

fn chain_inner(alg: HashAlg, seed: Hash, proof: &[Hash], index: u64) -> Hash {
    proof.iter().enumerate().fold(seed, |hash, (level, sibling)| {
        if (index >> level) & 1 == 0 {
            alg.hash_children(&hash, sibling)
        } else {
            alg.hash_children(sibling, &hash)
        }
    })
}

fn chain_inner_right(alg: HashAlg, seed: Hash, proof: &[Hash], index: u64) -> Hash {
    proof.iter().enumerate().fold(seed, |hash, (level, sibling)| {
        if (index >> level) & 1 == 1 { alg.hash_children(sibling, &hash) } else { hash }
    })
}

fn chain_border_right(alg: HashAlg, seed: Hash, proof: &[Hash]) -> Hash {
    proof.iter().fold(seed, |hash, sibling| alg.hash_children(sibling, &hash))
}

#[cfg(test)]
mod tests;
