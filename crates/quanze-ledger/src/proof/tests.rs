use super::*;
use crate::tree::MemoryTree;

fn tree(alg: HashAlg, n: u64) -> MemoryTree {
    let mut tree = MemoryTree::new(alg);
    for i in 0..n {
        tree.append(&i.to_be_bytes());
    }
    tree
}

#[test]
fn inclusion_errors_say_what_is_wrong() {
    let alg = HashAlg::Sm3;
    let tree = tree(alg, 13);
    let root = tree.root();
    let leaf = tree.leaf_hash(5).expect("leaf");
    let proof = tree.inclusion_proof(5, 13).expect("proof");
    assert_eq!(verify_inclusion(alg, &leaf, 5, 13, &proof, &root), Ok(()));
    assert_eq!(root_from_inclusion_proof(alg, &leaf, 5, 13, &proof), Ok(root));
    assert_eq!(
        verify_inclusion(alg, &leaf, 13, 13, &proof, &root),
        Err(ProofError::IndexOutOfRange { index: 13, size: 13 })
    );
    assert_eq!(
        verify_inclusion(alg, &leaf, 5, 13, &proof[1..], &root),
        Err(ProofError::WrongLength { expected: proof.len(), actual: proof.len() - 1 })
    );
    let other_leaf = tree.leaf_hash(6).expect("leaf");
    assert!(matches!(
        verify_inclusion(alg, &other_leaf, 5, 13, &proof, &root),
        Err(ProofError::RootMismatch { expected, .. }) if expected == root
    ));
    // The same proof under the other hash algorithm fails.
    assert!(verify_inclusion(HashAlg::Sha256, &leaf, 5, 13, &proof, &root).is_err());
}

#[test]
fn consistency_errors_say_what_is_wrong() {
    let alg = HashAlg::Sha256;
    let tree = tree(alg, 20);
    let (old_root, new_root) = (tree.root_at(6).expect("root"), tree.root());
    let proof = tree.consistency_proof(6, 20).expect("proof");
    assert_eq!(verify_consistency(alg, 6, 20, &old_root, &new_root, &proof), Ok(()));
    assert_eq!(
        verify_consistency(alg, 20, 6, &new_root, &old_root, &proof),
        Err(ProofError::SizeOrder { old_size: 20, new_size: 6 })
    );
    assert_eq!(
        verify_consistency(alg, 6, 20, &old_root, &new_root, &[]),
        Err(ProofError::WrongLength { expected: 1, actual: 0 })
    );
    assert!(matches!(
        verify_consistency(alg, 6, 20, &new_root, &new_root, &proof),
        Err(ProofError::OldRootMismatch { .. })
    ));
    assert!(matches!(
        verify_consistency(alg, 6, 20, &old_root, &old_root, &proof),
        Err(ProofError::NewRootMismatch { .. })
    ));
    // Equal sizes need equal roots and an empty proof.
    assert_eq!(verify_consistency(alg, 20, 20, &new_root, &new_root, &[]), Ok(()));
    assert!(matches!(
        verify_consistency(alg, 20, 20, &old_root, &new_root, &[]),
        Err(ProofError::NewRootMismatch { .. })
    ));
    assert_eq!(
        verify_consistency(alg, 20, 20, &new_root, &new_root, &proof),
        Err(ProofError::WrongLength { expected: 0, actual: proof.len() })
    );
    // From the empty tree: only the empty root, and an empty proof.
    assert_eq!(verify_consistency(alg, 0, 20, &alg.empty_root(), &new_root, &[]), Ok(()));
    assert!(matches!(
        verify_consistency(alg, 0, 20, &old_root, &new_root, &[]),
        Err(ProofError::OldRootMismatch { .. })
    ));
}

#[test]
fn errors_display_as_sentences() {
    let err = ProofError::WrongLength { expected: 3, actual: 2 };
    assert_eq!(err.to_string(), "proof has 2 hashes, expected 3");
}
