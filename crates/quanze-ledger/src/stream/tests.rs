use super::*;
use crate::tree::MemoryTree;

fn leaf(i: u64) -> Vec<u8> {
    format!("event {i}").into_bytes()
}

#[test]
fn compact_range_matches_memory_tree_at_every_size() {
    for alg in HashAlg::ALL {
        let mut tree = MemoryTree::new(alg);
        let mut range = CompactRange::new(alg);
        assert_eq!(range.root(), alg.empty_root());
        for i in 0..300 {
            tree.append(&leaf(i));
            range.push(&leaf(i));
            assert_eq!(range.size(), tree.size());
            assert_eq!(range.root(), tree.root(), "{alg} at size {}", i + 1);
            // The frontier holds one hash per set bit of the size: memory independent of count.
            assert_eq!(range.frontier().len(), range.size().count_ones() as usize);
        }
    }
}

#[test]
fn verifier_checks_roots_at_chosen_sizes() {
    let alg = HashAlg::Sm3;
    let mut tree = MemoryTree::new(alg);
    for i in 0..100 {
        tree.append(&leaf(i));
    }
    let sizes = [0, 1, 2, 63, 64, 65, 100];
    let expected: Vec<(u64, Hash)> =
        sizes.iter().map(|&size| (size, tree.root_at(size).expect("root"))).collect();
    let mut verifier = StreamVerifier::new(alg, expected.clone()).expect("ordered");
    assert_eq!(verifier.checked(), 1, "size 0 is checked at once");
    for i in 0..100 {
        verifier.push(&leaf(i)).expect("matching roots");
    }
    assert_eq!(verifier.checked(), sizes.len() as u64);
    assert_eq!(verifier.finish(), Ok(tree.root()));

    // A changed leaf is caught at the first checked size after it.
    let mut verifier = StreamVerifier::new(alg, expected.clone()).expect("ordered");
    let mut failure = None;
    for i in 0..100 {
        let data = if i == 40 { b"tampered".to_vec() } else { leaf(i) };
        if let Err(err) = verifier.push(&data) {
            failure = Some(err);
            break;
        }
    }
    assert!(matches!(failure, Some(StreamError::RootMismatch { size: 63, .. })));

    // Leaf hashes work the same as data.
    let mut verifier = StreamVerifier::new(alg, expected.clone()).expect("ordered");
    for i in 0..100 {
        verifier.push_leaf_hash(alg.hash_leaf(&leaf(i))).expect("matching roots");
    }
    assert_eq!(verifier.size(), 100);
    assert_eq!(verifier.root(), tree.root());

    // Too few leaves.
    let mut verifier = StreamVerifier::new(alg, expected).expect("ordered");
    for i in 0..70 {
        verifier.push(&leaf(i)).expect("matching roots");
    }
    assert_eq!(verifier.finish(), Err(StreamError::Truncated { size: 70, expected_size: 100 }));
}

#[test]
fn verifier_rejects_unordered_or_wrong_empty_root() {
    let alg = HashAlg::Sha256;
    let root = alg.empty_root();
    assert_eq!(
        StreamVerifier::new(alg, [(5, root), (3, root)]).err(),
        Some(StreamError::Unordered { size: 3, previous: 5 })
    );
    let wrong = alg.hash_leaf(b"x");
    assert!(matches!(
        StreamVerifier::new(alg, [(0, wrong)]),
        Err(StreamError::RootMismatch { size: 0, .. })
    ));
}

#[test]
fn append_reports_every_complete_node_and_resumes_from_parts() {
    for alg in [HashAlg::Sm3, HashAlg::Sha256] {
        let mut tree = MemoryTree::new(alg);
        let mut range = CompactRange::new(alg);
        for i in 0..70u64 {
            let leaf_hash = alg.hash_leaf(&i.to_be_bytes());
            tree.append_leaf_hash(leaf_hash);
            // Persist and reload the frontier between appends, as the store does.
            let stored = CompactRange::from_parts(alg, range.size(), range.frontier().to_vec())
                .expect("a frontier matches its own size");
            range = stored;
            let nodes = range.append(leaf_hash);
            assert_eq!(nodes.len(), 1 + i.trailing_ones() as usize);
            for (id, hash) in nodes {
                // A complete node at (level, index) is the root of its leaves.
                let first = id.index << id.level;
                let last = (id.index + 1) << id.level;
                let mut sub = MemoryTree::new(alg);
                for j in first..last {
                    sub.append_leaf_hash(tree.leaf_hash(j).expect("leaf exists"));
                }
                assert_eq!(sub.root(), hash, "node {id:?}");
            }
            assert_eq!(range.root(), tree.root());
        }
        assert!(CompactRange::from_parts(alg, 3, vec![]).is_none());
    }
}
