use proptest::prelude::*;

use super::*;
use crate::proof::{verify_consistency, verify_inclusion};
use crate::stream::CompactRange;

// A naive reference written straight from RFC 9162 §2.1, recursing over leaf hashes.

fn reference_root(alg: HashAlg, leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => alg.empty_root(),
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n);
            alg.hash_children(
                &reference_root(alg, &leaves[..k]),
                &reference_root(alg, &leaves[k..]),
            )
        }
    }
}

fn reference_path(alg: HashAlg, m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = largest_power_of_two_below(n);
    if m < k {
        let mut path = reference_path(alg, m, &leaves[..k]);
        path.push(reference_root(alg, &leaves[k..]));
        path
    } else {
        let mut path = reference_path(alg, m - k, &leaves[k..]);
        path.push(reference_root(alg, &leaves[..k]));
        path
    }
}

fn reference_consistency(alg: HashAlg, m: usize, leaves: &[Hash]) -> Vec<Hash> {
    if m == 0 || m == leaves.len() {
        return Vec::new();
    }
    reference_subproof(alg, m, leaves, true)
}

fn reference_subproof(
    alg: HashAlg,
    m: usize,
    leaves: &[Hash],
    is_whole_old_tree: bool,
) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if is_whole_old_tree { Vec::new() } else { vec![reference_root(alg, leaves)] };
    }
    let k = largest_power_of_two_below(n);
    if m <= k {
        let mut proof = reference_subproof(alg, m, &leaves[..k], is_whole_old_tree);
        proof.push(reference_root(alg, &leaves[k..]));
        proof
    } else {
        let mut proof = reference_subproof(alg, m - k, &leaves[k..], false);
        proof.push(reference_root(alg, &leaves[..k]));
        proof
    }
}

fn largest_power_of_two_below(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn leaf_data(i: u64) -> Vec<u8> {
    format!("leaf {i}").into_bytes()
}

fn build(alg: HashAlg, n: u64) -> (MemoryTree, Vec<Hash>) {
    let mut tree = MemoryTree::new(alg);
    let mut leaves = Vec::new();
    for i in 0..n {
        assert_eq!(tree.append(&leaf_data(i)), i);
        leaves.push(alg.hash_leaf(&leaf_data(i)));
    }
    (tree, leaves)
}

fn flip_bit(hash: &Hash, bit: usize) -> Hash {
    let mut bytes = *hash.as_bytes();
    bytes[bit / 8 % 32] ^= 1 << (bit % 8);
    Hash::from_bytes(bytes)
}

#[test]
fn exhaustive_sizes_1_to_64_match_reference() {
    for alg in HashAlg::ALL {
        let (tree, leaves) = build(alg, 64);
        for size in 1..=64u64 {
            let prefix = &leaves[..size as usize];
            let root = reference_root(alg, prefix);
            assert_eq!(tree.root_at(size).expect("root"), root, "{alg} root at {size}");

            for index in 0..size {
                let proof = tree.inclusion_proof(index, size).expect("inclusion proof");
                assert_eq!(
                    proof,
                    reference_path(alg, index as usize, prefix),
                    "{alg} {index}/{size}"
                );
                let leaf = leaves[index as usize];
                verify_inclusion(alg, &leaf, index, size, &proof, &root).expect("valid inclusion");
                // Every wrong index, and every flipped element, must be rejected.
                for other in (0..size).filter(|&other| other != index) {
                    assert!(verify_inclusion(alg, &leaf, other, size, &proof, &root).is_err());
                }
                for position in 0..proof.len() {
                    let mut tampered = proof.clone();
                    tampered[position] = flip_bit(&tampered[position], position * 7);
                    assert!(verify_inclusion(alg, &leaf, index, size, &tampered, &root).is_err());
                }
            }

            for old_size in 0..=size {
                let proof = tree.consistency_proof(old_size, size).expect("consistency proof");
                assert_eq!(
                    proof,
                    reference_consistency(alg, old_size as usize, prefix),
                    "{alg} {old_size}->{size}"
                );
                let old_root = reference_root(alg, &leaves[..old_size as usize]);
                verify_consistency(alg, old_size, size, &old_root, &root, &proof)
                    .expect("valid consistency");
                let wrong_old_root = flip_bit(&old_root, 3);
                assert!(
                    verify_consistency(alg, old_size, size, &wrong_old_root, &root, &proof)
                        .is_err()
                );
                if old_size > 0 {
                    let wrong_root = flip_bit(&root, 5);
                    assert!(
                        verify_consistency(alg, old_size, size, &old_root, &wrong_root, &proof)
                            .is_err()
                    );
                }
                for position in 0..proof.len() {
                    let mut tampered = proof.clone();
                    tampered[position] = flip_bit(&tampered[position], 100 + position);
                    assert!(
                        verify_consistency(alg, old_size, size, &old_root, &root, &tampered)
                            .is_err(),
                        "{alg} tampered {position} of {old_size}->{size}"
                    );
                }
            }
        }
    }
}

#[test]
fn rfc6962_known_roots() {
    // Roots of the first 1..=8 leaves of the RFC 6962 reference test tree (certificate-transparency).
    let leaves: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let mut tree = MemoryTree::new(HashAlg::Sha256);
    for (leaf, root) in leaves.iter().zip(roots) {
        tree.append(leaf);
        assert_eq!(tree.root().to_hex(), root);
    }
}

#[test]
fn golden_roots_are_pinned() {
    // Pinned so the leaf/node encoding cannot drift unnoticed. The leaves are "leaf 0", "leaf 1", ...
    // The values were computed independently, with a recursive RFC 9162 MTH in Python over
    // hashlib's OpenSSL SM3 and SHA-256.
    let (sha256, _) = build(HashAlg::Sha256, 1000);
    let (sm3, _) = build(HashAlg::Sm3, 1000);
    assert_eq!(sha256.root_at(7).expect("root").to_hex(), GOLDEN_SHA256_7);
    assert_eq!(sha256.root().to_hex(), GOLDEN_SHA256_1000);
    assert_eq!(sm3.root_at(7).expect("root").to_hex(), GOLDEN_SM3_7);
    assert_eq!(sm3.root().to_hex(), GOLDEN_SM3_1000);
    assert_eq!(HashAlg::Sm3.hash_leaf(b"").to_hex(), GOLDEN_SM3_EMPTY_LEAF);
}

const GOLDEN_SHA256_7: &str = "5a61fc2b54f9cfa71774f2432143dd40c6cb2b11947faf65a7d3da5cb65199c8";
const GOLDEN_SHA256_1000: &str = "2ff33fb9d8f14f89ca306289633336a168ff3f4532e8f741a0019dcb4c1d60a1";
const GOLDEN_SM3_7: &str = "3c5f82a412484065b04e04b396fcdd521733baa7e2901b9b7d4487873eab1380";
const GOLDEN_SM3_1000: &str = "5525b529383c923634de5f9ff65b012c371585903f51c887018c313be1ac84fc";
const GOLDEN_SM3_EMPTY_LEAF: &str =
    "2daef60e7a0b8f5e024c81cd2ab3109f2b4f155cf83adeb2ae5532f74a157fdf";

#[test]
fn empty_tree() {
    let tree = MemoryTree::new(HashAlg::Sm3);
    assert_eq!(tree.size(), 0);
    assert_eq!(tree.root(), HashAlg::Sm3.empty_root());
    assert_eq!(tree.consistency_proof(0, 0).expect("empty proof"), Vec::<Hash>::new());
    assert!(matches!(
        tree.inclusion_proof(0, 0),
        Err(TreeError::IndexOutOfRange { index: 0, size: 0 })
    ));
}

#[test]
fn errors_are_typed() {
    let (tree, _) = build(HashAlg::Sha256, 10);
    assert!(matches!(tree.root_at(11), Err(TreeError::SizeOutOfRange { size: 11, available: 10 })));
    assert!(matches!(
        tree.inclusion_proof(10, 10),
        Err(TreeError::IndexOutOfRange { index: 10, size: 10 })
    ));
    assert!(matches!(
        tree.inclusion_proof(0, 11),
        Err(TreeError::SizeOutOfRange { size: 11, available: 10 })
    ));
    assert!(matches!(
        tree.consistency_proof(5, 4),
        Err(TreeError::SizeOrder { old_size: 5, new_size: 4 })
    ));
    assert!(matches!(
        tree.consistency_proof(5, 11),
        Err(TreeError::SizeOutOfRange { size: 11, available: 10 })
    ));
    // A store that lacks a node says which.
    let empty: HashMap<NodeId, Hash> = HashMap::new();
    assert!(matches!(
        root_at(&empty, HashAlg::Sha256, 3),
        Err(TreeError::MissingNode(NodeId { level: 1, index: 0 }))
    ));
}

#[test]
fn appending_never_changes_older_nodes() {
    let (mut tree, _) = build(HashAlg::Sm3, 37);
    let before: Vec<Hash> = (1..=37).map(|size| tree.root_at(size).expect("root")).collect();
    for i in 37..300 {
        tree.append(&leaf_data(i));
    }
    let after: Vec<Hash> = (1..=37).map(|size| tree.root_at(size).expect("root")).collect();
    assert_eq!(before, after);
}

#[test]
fn prefetched_nodes_give_the_same_proofs() {
    let (tree, _) = build(HashAlg::Sm3, 1000);
    let prefetch = |ids: Vec<NodeId>| -> HashMap<NodeId, Hash> {
        ids.into_iter().map(|id| (id, tree.node(id).expect("memory").expect("stored"))).collect()
    };
    for (index, size) in [(0, 1), (0, 1000), (999, 1000), (517, 777), (512, 513)] {
        let nodes = inclusion_proof_nodes(index, size).expect("plan");
        assert!(nodes.len() <= 2 * 64);
        let map = prefetch(nodes);
        assert_eq!(
            inclusion_proof(&map, HashAlg::Sm3, index, size).expect("proof"),
            tree.inclusion_proof(index, size).expect("proof")
        );
    }
    for (old_size, new_size) in [(1, 1000), (999, 1000), (512, 1000), (333, 777), (7, 7)] {
        let map = prefetch(consistency_proof_nodes(old_size, new_size).expect("plan"));
        assert_eq!(
            consistency_proof(&map, HashAlg::Sm3, old_size, new_size).expect("proof"),
            tree.consistency_proof(old_size, new_size).expect("proof")
        );
    }
    let map = prefetch(root_nodes(777));
    assert_eq!(root_at(&map, HashAlg::Sm3, 777).expect("root"), tree.root_at(777).expect("root"));
}

#[test]
fn with_capacity_builds_the_same_tree() {
    let mut tree = MemoryTree::with_capacity(HashAlg::Sha256, 100);
    let (reference, _) = build(HashAlg::Sha256, 130);
    for i in 0..130 {
        tree.append(&leaf_data(i));
    }
    assert_eq!(tree.root(), reference.root());
    assert_eq!(tree.leaf_hash(129), reference.leaf_hash(129));
    assert_eq!(tree.leaf_hash(130), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_logs_match_reference(
        data in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..300),
        picks in proptest::collection::vec((any::<u64>(), any::<u64>()), 1..8),
        use_sm3 in any::<bool>(),
    ) {
        let alg = if use_sm3 { HashAlg::Sm3 } else { HashAlg::Sha256 };
        let mut tree = MemoryTree::new(alg);
        let mut range = CompactRange::new(alg);
        let leaves: Vec<Hash> = data.iter().map(|leaf| alg.hash_leaf(leaf)).collect();
        for leaf in &data {
            tree.append(leaf);
            range.push(leaf);
        }
        let n = data.len() as u64;
        prop_assert_eq!(tree.root(), reference_root(alg, &leaves));
        prop_assert_eq!(range.root(), tree.root());
        for (a, b) in picks {
            let size = 1 + a % n;
            let index = b % size;
            let root = tree.root_at(size).expect("root");
            prop_assert_eq!(root, reference_root(alg, &leaves[..size as usize]));
            let proof = tree.inclusion_proof(index, size).expect("inclusion");
            prop_assert!(verify_inclusion(alg, &leaves[index as usize], index, size, &proof, &root).is_ok());
            let old_size = b % (size + 1);
            let old_root = tree.root_at(old_size).expect("old root");
            let proof = tree.consistency_proof(old_size, size).expect("consistency");
            prop_assert_eq!(&proof, &reference_consistency(alg, old_size as usize, &leaves[..size as usize]));
            prop_assert!(verify_consistency(alg, old_size, size, &old_root, &root, &proof).is_ok());
            // Claiming the proof for a different old size must fail.
            if old_size + 1 < size {
                let next_root = tree.root_at(old_size + 1).expect("root");
                prop_assert!(verify_consistency(alg, old_size + 1, size, &next_root, &root, &proof).is_err());
            }
        }
    }
}
