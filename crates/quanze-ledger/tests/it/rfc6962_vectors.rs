//! The transparency-dev/merkle RFC 6962 test vectors (SHA-256), vendored in tests/data/rfc6962
//! (Apache-2.0; see its README for the source commit) so a clean clone runs them.
//!
//! Every `wantErr: false` case must verify and every `wantErr: true` case must be rejected.
//! A hash or proof element that is not 32 bytes of base64 cannot even be built as a [`Hash`],
//! so such a case counts as rejected at decoding; the counts below make sure most rejections
//! come from the verifiers themselves.

use std::fs;
use std::path::{Path, PathBuf};

use quanze_ledger::{Hash, HashAlg, verify_consistency, verify_inclusion};
use serde_json::Value;

fn testdata() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rfc6962");
    assert!(
        dir.join("inclusion").is_dir() && dir.join("consistency").is_dir(),
        "RFC 6962 test vectors missing at {}",
        dir.display()
    );
    dir
}

fn case_files(kind: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for group in fs::read_dir(testdata().join(kind)).expect("read vector directory") {
        let group = group.expect("directory entry").path();
        for file in fs::read_dir(&group).expect("read vector group") {
            let file = file.expect("directory entry").path();
            if file.extension().is_some_and(|ext| ext == "json") {
                files.push(file);
            }
        }
    }
    files.sort();
    files
}

fn hash(value: &Value) -> Option<Hash> {
    let text = value.as_str().expect("hash is a string");
    Hash::from_base64(text).ok()
}

/// `None` when some element is not a 32-byte hash.
fn proof(value: &Value) -> Option<Vec<Hash>> {
    match value {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items.iter().map(hash).collect(),
        other => panic!("proof is {other}"),
    }
}

struct Tally {
    accepted: usize,
    rejected_by_verifier: usize,
    rejected_at_decoding: usize,
}

fn run(kind: &str, check: impl Fn(&Value) -> Option<Result<(), String>>) -> Tally {
    let mut tally = Tally { accepted: 0, rejected_by_verifier: 0, rejected_at_decoding: 0 };
    for file in case_files(kind) {
        let case: Value =
            serde_json::from_str(&fs::read_to_string(&file).expect("read vector")).expect("json");
        let want_err = case["wantErr"].as_bool().expect("wantErr");
        match check(&case) {
            None => {
                assert!(want_err, "{}: valid case has undecodable hashes", file.display());
                tally.rejected_at_decoding += 1;
            }
            Some(Ok(())) => {
                assert!(!want_err, "{}: tampered case was accepted", file.display());
                tally.accepted += 1;
            }
            Some(Err(err)) => {
                assert!(want_err, "{}: valid case rejected: {err}", file.display());
                tally.rejected_by_verifier += 1;
            }
        }
    }
    eprintln!(
        "{kind}: {} accepted, {} rejected by the verifier, {} rejected at decoding",
        tally.accepted, tally.rejected_by_verifier, tally.rejected_at_decoding
    );
    tally
}

#[test]
fn inclusion_vectors() {
    let tally = run("inclusion", |case| {
        let index = case["leafIdx"].as_u64().expect("leafIdx");
        let size = case["treeSize"].as_u64().expect("treeSize");
        let root = hash(&case["root"])?;
        let leaf = hash(&case["leafHash"])?;
        let proof = proof(&case["proof"])?;
        Some(
            verify_inclusion(HashAlg::Sha256, &leaf, index, size, &proof, &root)
                .map_err(|err| err.to_string()),
        )
    });
    assert_eq!(tally.accepted, 4, "one happy path per group");
    // The 12 decoding rejections are roots or leaf hashes with a byte prepended or appended
    // and proofs with an empty "garbage" element.
    assert_eq!((tally.rejected_by_verifier, tally.rejected_at_decoding), (48, 12));
}

#[test]
fn consistency_vectors() {
    let tally = run("consistency", |case| {
        let old_size = case["size1"].as_u64().expect("size1");
        let new_size = case["size2"].as_u64().expect("size2");
        let old_root = hash(&case["root1"])?;
        let new_root = hash(&case["root2"])?;
        let proof = proof(&case["proof"])?;
        Some(
            verify_consistency(HashAlg::Sha256, old_size, new_size, &old_root, &new_root, &proof)
                .map_err(|err| err.to_string()),
        )
    });
    assert_eq!(tally.accepted, 4, "one happy path per group");
    assert_eq!((tally.rejected_by_verifier, tally.rejected_at_decoding), (47, 12));
}
