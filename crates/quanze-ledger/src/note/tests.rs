use super::*;

// The example of golang.org/x/mod/sumdb/note, an independent implementation of the format.
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                          then you don't know what your problem is.\n";
const PETER_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
     then you don't know what your problem is.\n\
     \n\
     \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

#[test]
fn go_sumdb_note_example_interoperates() {
    let verifier = VerifierKey::parse(PETER_VKEY).expect("vkey");
    assert_eq!(verifier.name(), "PeterNeumann");
    assert_eq!(verifier.key_id().to_string(), "c74f20a3");
    assert_eq!(verifier.key_type(), KeyType::Ed25519);
    assert_eq!(verifier.to_string(), PETER_VKEY);

    let signer = SigningKey::from_private_text(PETER_SKEY, "PeterNeumann").expect("skey");
    assert_eq!(signer.verifier_key(), verifier);
    assert_eq!(signer.to_private_text().expect("text").trim(), PETER_SKEY);

    // Ed25519 is deterministic, so signing reproduces Go's note byte for byte.
    let note = SignedNote::sign(PETER_TEXT.to_owned(), &[&signer]).expect("sign");
    assert_eq!(note.to_string(), PETER_NOTE);

    let parsed = SignedNote::parse(PETER_NOTE).expect("parse");
    assert_eq!(parsed.text(), PETER_TEXT);
    let verified = parsed.verify(std::slice::from_ref(&verifier)).expect("verify");
    assert_eq!(verified, vec![&verifier]);
}

#[test]
fn sm2_notes_sign_and_verify() {
    let key = SigningKey::generate(SigAlg::Sm2, "county.example/ledger").expect("generate");
    assert_eq!(key.alg(), SigAlg::Sm2);
    let verifier = key.verifier_key();
    assert_eq!(verifier.key_type(), KeyType::Sm2);
    assert_eq!(verifier.public_key_bytes().len(), 65);
    let text = "county.example/ledger\n42\nhello\n".to_owned();
    let note = SignedNote::sign(text.clone(), &[&key]).expect("sign");
    assert_eq!(note.signatures()[0].signature.len(), 64, "fixed r || s");
    let reparsed = SignedNote::parse(&note.to_string()).expect("parse");
    assert_eq!(reparsed, note);
    assert!(reparsed.verify(std::slice::from_ref(&verifier)).is_ok());

    // The vkey text round-trips and starts its key material with 0xFF "quanze/sm2".
    let vkey = verifier.to_string();
    assert_eq!(VerifierKey::parse(&vkey).expect("parse vkey"), verifier);
    let material = BASE64.decode(vkey.splitn(3, '+').nth(2).expect("three parts")).expect("base64");
    assert!(material.starts_with(SM2_TYPE));

    // Any change to the text breaks the signature.
    let forged = note.to_string().replace("42", "43");
    let err = SignedNote::parse(&forged).expect("parse").verify(&[verifier]).unwrap_err();
    assert!(matches!(err, NoteError::BadSignature { reason: SignatureError::Invalid, .. }));
}

#[test]
fn verification_follows_c2sp_rules() {
    let log = SigningKey::generate(SigAlg::Sm2, "log.example").expect("generate");
    let other = SigningKey::generate(SigAlg::Ed25519, "other.example").expect("generate");
    let impostor = SigningKey::generate(SigAlg::Ed25519, "log.example").expect("generate");
    let text = "body\n".to_owned();
    let note = SignedNote::sign(text.clone(), &[&other, &log]).expect("sign");
    let known = [log.verifier_key()];

    // The unknown signature is ignored; the known one verifies.
    assert_eq!(note.verify(&known).expect("verify"), vec![&known[0]]);
    // A note signed only by unknown keys, even one sharing the name, is unverified.
    let unknown_only = SignedNote::sign(text.clone(), &[&other, &impostor]).expect("sign");
    assert!(matches!(unknown_only.verify(&known), Err(NoteError::Unverified)));
    // A known key whose signature fails rejects the whole note, even if another verifies.
    let mut bad = note.clone();
    let mut broken = log.sign_note(&text).expect("sign");
    broken.signature[10] ^= 1;
    bad.add_signature(broken).expect("room");
    assert!(matches!(bad.verify(&known), Err(NoteError::BadSignature { .. })));
    // A wrong-length signature from a known key also rejects.
    let mut short = SignedNote::new(text).expect("text");
    short
        .add_signature(NoteSignature {
            name: "log.example".into(),
            key_id: known[0].key_id(),
            signature: vec![1, 2, 3],
        })
        .expect("room");
    assert!(matches!(
        short.verify(&known),
        Err(NoteError::BadSignature {
            reason: SignatureError::Length { expected: 64, actual: 3 },
            ..
        })
    ));
}

#[test]
fn malformed_notes_are_rejected() {
    let key = SigningKey::generate(SigAlg::Ed25519, "k").expect("generate");
    let good = SignedNote::sign("a\n\nb\n".to_owned(), &[&key]).expect("sign").to_string();
    // A text may itself contain blank lines.
    assert_eq!(SignedNote::parse(&good).expect("parse").text(), "a\n\nb\n");

    let cases = [
        ("no blank line", good.replacen("\n\n\u{2014}", "\n\u{2014}", 1)),
        ("no final newline", good.trim_end().to_owned()),
        ("hyphen instead of em dash", good.replace('\u{2014}', "-")),
        ("control character", good.replacen('a', "a\r", 1)),
        ("tab", good.replacen('a', "\ta", 1)),
        ("no signatures", "a\n\n".to_owned()),
        ("bad base64", good.replace("\u{2014} k ", "\u{2014} k !")),
        ("short signature", "a\n\n\u{2014} k AAAA\n".to_owned()),
    ];
    for (why, message) in cases {
        assert!(SignedNote::parse(&message).is_err(), "{why}: {message:?}");
    }
    assert!(SignedNote::new("no newline".into()).is_err());

    let line = key.sign_note("x\n").expect("sign");
    let mut many = SignedNote::new("x\n".into()).expect("text");
    for _ in 0..MAX_SIGNATURES {
        many.add_signature(line.clone()).expect("room");
    }
    assert!(matches!(many.add_signature(line), Err(NoteError::TooManySignatures)));
    let text = many.to_string() + &key.sign_note("x\n").expect("sign").line();
    assert!(matches!(SignedNote::parse(&text), Err(NoteError::TooManySignatures)));
}

#[test]
fn bad_keys_are_rejected() {
    for name in ["", "has space", "has+plus", "tab\tname"] {
        assert!(matches!(
            SigningKey::generate(SigAlg::Ed25519, name),
            Err(KeyError::InvalidName(_))
        ));
    }
    let wrong_id = PETER_VKEY.replace("c74f20a3", "c74f20a4");
    assert!(matches!(VerifierKey::parse(&wrong_id), Err(KeyError::KeyIdMismatch { .. })));
    let renamed = PETER_VKEY.replace("PeterNeumann", "PaulNeumann");
    assert!(matches!(VerifierKey::parse(&renamed), Err(KeyError::KeyIdMismatch { .. })));
    assert!(matches!(VerifierKey::parse("a+00000000+Bw=="), Err(KeyError::UnsupportedType(_))));
    assert!(matches!(VerifierKey::parse("a+b"), Err(KeyError::Malformed(_))));
    assert!(matches!(
        SigningKey::from_private_text(PETER_SKEY, "SomeoneElse"),
        Err(KeyError::Mismatch(_))
    ));
    assert!(matches!(SigningKey::from_private_text("junk", "k"), Err(KeyError::Malformed(_))));
    assert_eq!("sm2".parse::<SigAlg>().expect("sm2"), SigAlg::Sm2);
    assert_eq!(SigAlg::default(), SigAlg::Sm2);
    assert_eq!(serde_json::to_string(&SigAlg::Ed25519).expect("json"), "\"ed25519\"");
}

#[test]
fn debug_output_redacts_private_keys() {
    let ed25519 = SigningKey::from_private_text(PETER_SKEY, "PeterNeumann").expect("skey");
    let sm2 = SigningKey::generate(SigAlg::Sm2, "sm2.example").expect("generate");
    let SigningInner::Sm2(sm2_inner) = &sm2.inner else { panic!("SM2 key") };
    let secrets = [
        hex::encode(ed25519.ed25519().expect("ed25519").as_bytes()),
        "AYEKFALVFGyNhPJEMzD1QIDr".to_owned(),
        hex::encode(sm2_inner.to_bytes()),
        hex::encode_upper(sm2_inner.to_bytes()),
    ];
    for debug in [format!("{ed25519:?}"), format!("{sm2:?}"), format!("{ed25519:#?}")] {
        assert!(debug.contains("<redacted>"), "{debug}");
        for secret in &secrets {
            assert!(!debug.contains(secret.as_str()), "{debug} leaks {secret}");
        }
    }
}

#[test]
fn key_files_are_private_and_read_back() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = tempfile::tempdir().expect("tempdir");
    for alg in [SigAlg::Sm2, SigAlg::Ed25519] {
        let private_path = dir.path().join(format!("{alg}.key"));
        let public_path = dir.path().join(format!("{alg}.vkey"));
        let verifier =
            generate_key_files(alg, "ledger.example/110101", &private_path, &public_path)
                .expect("generate");
        let mode = fs::metadata(&private_path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{alg} private key mode {mode:o}");
        assert_eq!(read_verifier_key(&public_path).expect("public"), verifier);
        let key = read_signing_key(&private_path, &public_path).expect("read back");
        assert_eq!(key.verifier_key(), verifier);
        let note = SignedNote::sign("x\n".into(), &[&key]).expect("sign");
        assert!(note.verify(std::slice::from_ref(&verifier)).is_ok());

        // Never overwrite an existing key.
        assert!(matches!(
            generate_key_files(alg, "ledger.example/110101", &private_path, &public_path),
            Err(KeyError::Io { .. })
        ));
    }
    let private = fs::read_to_string(dir.path().join("sm2.key")).expect("read");
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));

    // A private key paired with someone else's public key file is refused.
    let err = read_signing_key(&dir.path().join("sm2.key"), &dir.path().join("ed25519.vkey"));
    assert!(err.is_err());
}

#[test]
fn sm2_der_conversion_round_trips() {
    let key = SigningKey::generate(SigAlg::Sm2, "k").expect("generate");
    let signature = key.sign(b"message").expect("sign");
    let der = sm2_signature_to_der(&signature).expect("der");
    assert_eq!(der[0], 0x30, "DER SEQUENCE");
    assert_eq!(sm2_signature_from_der(&der).expect("from der").to_vec(), signature);
    assert!(sm2_signature_from_der(&signature).is_err());
}
