//! SM2 interoperability with the system OpenSSL (3.x, which takes an SM2 distinguishing ID).
//!
//! These tests fail, not skip, when `openssl` is missing: CI installs it.
//! Notes carry SM2 signatures as 64-byte `r || s`; OpenSSL reads and writes DER, so the
//! tests convert with `sm2_signature_to_der` / `sm2_signature_from_der`.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use quanze_ledger::note::{SM2_DISTID, sm2_signature_from_der, sm2_signature_to_der};
use quanze_ledger::{
    Checkpoint, HashAlg, NoteSignature, SigAlg, SignedNote, SigningKey, VerifierKey,
    generate_key_files,
};

const ORIGIN: &str = "ledger.example.gov.cn/110101";

fn openssl(args: &[&str]) -> Output {
    match Command::new("openssl").args(args).output() {
        Ok(output) => output,
        Err(err) => panic!(
            "cannot run `openssl` ({err}): these interoperability tests need OpenSSL 3 \
             on PATH (apt-get install openssl)"
        ),
    }
}

fn openssl_ok(args: &[&str]) -> Output {
    let output = openssl(args);
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn require_openssl_3() {
    let version = String::from_utf8(openssl_ok(&["version"]).stdout).expect("utf-8");
    assert!(
        version.starts_with("OpenSSL 3."),
        "SM2 with a distinguishing ID needs OpenSSL 3, found {version:?}"
    );
}

fn distid_opt() -> String {
    format!("distid:{SM2_DISTID}")
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().expect("utf-8 path").to_owned()
}

/// OpenSSL signs a checkpoint body with an SM2 key file we generated; the note opens with our key.
#[test]
fn openssl_signs_with_our_key_and_we_verify() {
    require_openssl_3();
    let dir = tempfile::tempdir().expect("tempdir");
    let (private, public) = (path(dir.path(), "log.key"), path(dir.path(), "log.vkey"));
    let verifier = generate_key_files(SigAlg::Sm2, ORIGIN, private.as_ref(), public.as_ref())
        .expect("generate");
    let checkpoint = Checkpoint {
        origin: ORIGIN.into(),
        size: 3,
        root: HashAlg::Sm3.digest(b"three leaves"),
        extensions: vec![],
    };
    let body = checkpoint.to_body().expect("body");
    fs::write(dir.path().join("body"), &body).expect("write body");

    openssl_ok(&[
        "pkeyutl",
        "-sign",
        "-inkey",
        &private,
        "-rawin",
        "-digest",
        "sm3",
        "-pkeyopt",
        &distid_opt(),
        "-in",
        &path(dir.path(), "body"),
        "-out",
        &path(dir.path(), "sig.der"),
    ]);
    let der = fs::read(dir.path().join("sig.der")).expect("signature");
    let mut note = SignedNote::new(body).expect("note");
    note.add_signature(NoteSignature {
        name: ORIGIN.into(),
        key_id: verifier.key_id(),
        signature: sm2_signature_from_der(&der).expect("DER signature").to_vec(),
    })
    .expect("room");
    let (opened, _) =
        Checkpoint::open(&note.to_string(), ORIGIN, std::slice::from_ref(&verifier)).expect("open");
    assert_eq!(opened, checkpoint);

    // A signature made with another distinguishing ID must not verify.
    openssl_ok(&[
        "pkeyutl",
        "-sign",
        "-inkey",
        &private,
        "-rawin",
        "-digest",
        "sm3",
        "-pkeyopt",
        "distid:someone-else",
        "-in",
        &path(dir.path(), "body"),
        "-out",
        &path(dir.path(), "other.der"),
    ]);
    let other = fs::read(dir.path().join("other.der")).expect("signature");
    let other = sm2_signature_from_der(&other).expect("DER signature");
    assert!(verifier.verify(note.text().as_bytes(), &other).is_err());
}

/// A key OpenSSL generated itself: we import its private and public PEM, and verify its
/// `openssl dgst -sm3 -sign` signatures.
#[test]
fn openssl_generated_key_interoperates() {
    require_openssl_3();
    let dir = tempfile::tempdir().expect("tempdir");
    let (private, public) = (path(dir.path(), "k.pem"), path(dir.path(), "p.pem"));
    openssl_ok(&["genpkey", "-algorithm", "SM2", "-out", &private]);
    openssl_ok(&["pkey", "-in", &private, "-pubout", "-out", &public]);
    let message = "county.example\n7\nmessage\n";
    fs::write(dir.path().join("msg"), message).expect("write");
    openssl_ok(&[
        "dgst",
        "-sm3",
        "-sign",
        &private,
        "-sigopt",
        &distid_opt(),
        "-out",
        &path(dir.path(), "sig.der"),
        &path(dir.path(), "msg"),
    ]);

    let verifier = VerifierKey::from_sm2_public_key_pem(
        "openssl.example",
        &fs::read_to_string(&public).expect("read"),
    )
    .expect("public PEM");
    let der = fs::read(dir.path().join("sig.der")).expect("read");
    let signature = sm2_signature_from_der(&der).expect("DER");
    verifier.verify(message.as_bytes(), &signature).expect("OpenSSL signature verifies");
    assert!(verifier.verify(b"another message\n", &signature).is_err());

    // The private key PEM imports too, and gives the same public key.
    let key = SigningKey::from_private_text(
        &fs::read_to_string(&private).expect("read"),
        "openssl.example",
    )
    .expect("PKCS#8 from OpenSSL");
    assert_eq!(key.verifier_key(), verifier);
}

/// We sign; OpenSSL verifies with the public key from our PEM file, via `pkeyutl` and `dgst`.
#[test]
fn we_sign_and_openssl_verifies() {
    require_openssl_3();
    let dir = tempfile::tempdir().expect("tempdir");
    let (private, public) = (path(dir.path(), "log.key"), path(dir.path(), "log.vkey"));
    let verifier = generate_key_files(SigAlg::Sm2, ORIGIN, private.as_ref(), public.as_ref())
        .expect("generate");
    let key = quanze_ledger::read_signing_key(private.as_ref(), public.as_ref()).expect("read");
    let body = format!("{ORIGIN}\n9\n{}\n", HashAlg::Sm3.digest(b"x").to_base64());
    let note = SignedNote::sign(body.clone(), &[&key]).expect("sign");
    let der = sm2_signature_to_der(&note.signatures()[0].signature).expect("to DER");
    fs::write(dir.path().join("body"), &body).expect("write");
    fs::write(dir.path().join("sig.der"), der).expect("write");

    // Our exported public PEM and the one OpenSSL derives from our private key agree.
    let pem = verifier.sm2_public_key_pem().expect("SM2 key");
    fs::write(dir.path().join("ours.pub"), &pem).expect("write");
    let derived = openssl_ok(&["pkey", "-in", &private, "-pubout"]).stdout;
    assert_eq!(String::from_utf8(derived).expect("utf-8"), pem);

    let output = openssl_ok(&[
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        &path(dir.path(), "ours.pub"),
        "-rawin",
        "-digest",
        "sm3",
        "-pkeyopt",
        &distid_opt(),
        "-in",
        &path(dir.path(), "body"),
        "-sigfile",
        &path(dir.path(), "sig.der"),
    ]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("Signature Verified Successfully"));
    let output = openssl_ok(&[
        "dgst",
        "-sm3",
        "-verify",
        &path(dir.path(), "ours.pub"),
        "-sigopt",
        &distid_opt(),
        "-signature",
        &path(dir.path(), "sig.der"),
        &path(dir.path(), "body"),
    ]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("Verified OK"));

    // And OpenSSL rejects it for a changed body.
    fs::write(dir.path().join("body"), body.replace("\n9\n", "\n8\n")).expect("write");
    let output = openssl(&[
        "dgst",
        "-sm3",
        "-verify",
        &path(dir.path(), "ours.pub"),
        "-sigopt",
        &distid_opt(),
        "-signature",
        &path(dir.path(), "sig.der"),
        &path(dir.path(), "body"),
    ]);
    assert!(!output.status.success(), "OpenSSL accepted a signature over a changed body");
}
