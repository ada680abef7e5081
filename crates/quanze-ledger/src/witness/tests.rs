use super::*;
use crate::note::{SigAlg, SignatureError};
use crate::tree::MemoryTree;

const ORIGIN: &str = "ledger.example.gov.cn/110101";

struct Fixture {
    tree: MemoryTree,
    log_key: SigningKey,
    witness: Witness,
}

fn fixture() -> Fixture {
    let alg = HashAlg::Sm3;
    let mut tree = MemoryTree::new(alg);
    for i in 0..100u32 {
        tree.append(&i.to_be_bytes());
    }
    let log_key = SigningKey::generate(SigAlg::Sm2, ORIGIN).expect("log key");
    let witness_key = SigningKey::generate(SigAlg::Ed25519, "witness.example/w1").expect("key");
    let witness = Witness::new(
        WitnessKey::new(&witness_key).expect("ed25519"),
        ORIGIN,
        alg,
        vec![log_key.verifier_key()],
    );
    Fixture { tree, log_key, witness }
}

impl Fixture {
    fn signed(&self, size: u64) -> String {
        let checkpoint = Checkpoint {
            origin: ORIGIN.into(),
            size,
            root: self.tree.root_at(size).expect("root"),
            extensions: vec![],
        };
        checkpoint.sign(&[&self.log_key]).expect("sign").to_string()
    }

    fn head(&self, size: u64) -> TreeHead {
        TreeHead { size, root: self.tree.root_at(size).expect("root") }
    }
}

#[test]
fn cosigns_consistent_growth_and_the_cosignature_verifies() {
    let f = fixture();
    let alg = HashAlg::Sm3;
    let first =
        f.witness.cosign(&TreeHead::empty(alg), &f.signed(10), &[], 1_700_000_000).expect("first");
    assert_eq!(first.state, f.head(10));

    let proof = f.tree.consistency_proof(10, 60).expect("proof");
    let second =
        f.witness.cosign(&first.state, &f.signed(60), &proof, 1_700_000_060).expect("grow");
    assert_eq!(second.state, f.head(60));
    assert_eq!(second.checkpoint.size, 60);
    // The same checkpoint again is fine (no growth, empty proof).
    let again = f.witness.cosign(&second.state, &f.signed(60), &[], 1_700_000_120).expect("same");
    assert_eq!(again.state, second.state);

    // The returned note carries both signatures, and clients verify the cosignature.
    let note = SignedNote::parse(&second.note.to_string()).expect("parse");
    assert_eq!(note.signatures().len(), 2);
    let witness_vkey = f.witness.key().verifier_key();
    assert_eq!(
        note.verify(std::slice::from_ref(&witness_vkey)).expect("cosignature"),
        vec![&witness_vkey]
    );
    let both = [f.log_key.verifier_key(), witness_vkey.clone()];
    assert_eq!(note.verify(&both).expect("both").len(), 2);

    // Format per c2sp.org/tlog-cosignature: 8-byte big-endian time, then Ed25519 over the message.
    let signature = &second.cosignature.signature;
    assert_eq!(signature.len(), 72);
    assert_eq!(signature[..8], 1_700_000_060u64.to_be_bytes());
    let message = format!("cosignature/v1\ntime 1700000060\n{}", note.text());
    let ed25519_key = ed25519_dalek::VerifyingKey::from_bytes(
        &witness_vkey.public_key_bytes().try_into().expect("32 bytes"),
    )
    .expect("key");
    let ed25519_signature =
        ed25519_dalek::Signature::from_bytes(&signature[8..].try_into().expect("64 bytes"));
    ed25519_key.verify_strict(message.as_bytes(), &ed25519_signature).expect("raw Ed25519 check");
    // Key ID uses type byte 0x04.
    assert_eq!(
        witness_vkey.key_id(),
        note::KeyId::compute("witness.example/w1", &[0x04], &witness_vkey.public_key_bytes())
    );
    // Changing the timestamp breaks the cosignature.
    let mut tampered = signature.clone();
    tampered[7] ^= 1;
    assert_eq!(
        witness_vkey.verify(note.text().as_bytes(), &tampered),
        Err(SignatureError::Invalid)
    );
    // The vkey text round-trips with type 0x04.
    assert_eq!(VerifierKey::parse(&witness_vkey.to_string()).expect("vkey"), witness_vkey);
}

#[test]
fn refuses_rollback() {
    let f = fixture();
    let err = f.witness.cosign(&f.head(60), &f.signed(10), &[], 1).unwrap_err();
    assert!(matches!(err, WitnessError::Rollback { old_size: 60, new_size: 10 }), "{err}");
}

#[test]
fn refuses_inconsistent_history() {
    let f = fixture();
    // A fork: the witness cosigned a different tree at size 10.
    let mut fork = MemoryTree::new(HashAlg::Sm3);
    for i in 0..10u32 {
        fork.append(&(i + 1000).to_be_bytes());
    }
    let forked_head = TreeHead { size: 10, root: fork.root() };
    let proof = f.tree.consistency_proof(10, 60).expect("proof");
    let err = f.witness.cosign(&forked_head, &f.signed(60), &proof, 1).unwrap_err();
    assert!(
        matches!(
            err,
            WitnessError::Inconsistent {
                old_size: 10,
                new_size: 60,
                reason: ProofError::OldRootMismatch { .. }
            }
        ),
        "{err}"
    );
    // Same size, different root.
    let err = f.witness.cosign(&forked_head, &f.signed(10), &[], 1).unwrap_err();
    assert!(matches!(err, WitnessError::Inconsistent { old_size: 10, new_size: 10, .. }), "{err}");
    // A proof for other sizes.
    let wrong_proof = f.tree.consistency_proof(11, 60).expect("proof");
    let err = f.witness.cosign(&f.head(10), &f.signed(60), &wrong_proof, 1).unwrap_err();
    assert!(matches!(err, WitnessError::Inconsistent { .. }), "{err}");
    // A missing proof.
    let err = f.witness.cosign(&f.head(10), &f.signed(60), &[], 1).unwrap_err();
    assert!(matches!(err, WitnessError::Inconsistent { .. }), "{err}");
}

#[test]
fn refuses_bad_signatures_and_foreign_logs() {
    let f = fixture();
    let head = f.head(10);
    let proof = f.tree.consistency_proof(10, 60).expect("proof");
    let forged = f.signed(60).replace(&f.head(60).root.to_base64(), &f.head(59).root.to_base64());
    let err = f.witness.cosign(&head, &forged, &proof, 1).unwrap_err();
    assert!(matches!(err, WitnessError::BadSignature(NoteError::BadSignature { .. })), "{err}");

    let stranger = SigningKey::generate(SigAlg::Sm2, ORIGIN).expect("key");
    let checkpoint =
        Checkpoint::parse(SignedNote::parse(&f.signed(60)).expect("note").text()).expect("cp");
    let by_stranger = checkpoint.sign(&[&stranger]).expect("sign").to_string();
    let err = f.witness.cosign(&head, &by_stranger, &proof, 1).unwrap_err();
    assert!(matches!(err, WitnessError::BadSignature(NoteError::Unverified)), "{err}");

    let foreign = Checkpoint { origin: "other.example".into(), ..checkpoint };
    let foreign = foreign.sign(&[&f.log_key]).expect("sign").to_string();
    let err = f.witness.cosign(&head, &foreign, &proof, 1).unwrap_err();
    assert!(matches!(err, WitnessError::Checkpoint(CheckpointError::WrongOrigin { .. })), "{err}");

    let err = f.witness.cosign(&head, &f.signed(60), &proof, u64::MAX).unwrap_err();
    assert!(matches!(err, WitnessError::Time(u64::MAX)), "{err}");
}

#[test]
fn witness_keys_must_be_ed25519_and_redact() {
    let sm2 = SigningKey::generate(SigAlg::Sm2, "w").expect("key");
    assert!(matches!(WitnessKey::new(&sm2), Err(KeyError::UnsupportedType(_))));
    let f = fixture();
    let debug = format!("{:?}", f.witness);
    assert!(debug.contains("<redacted>"));
}
