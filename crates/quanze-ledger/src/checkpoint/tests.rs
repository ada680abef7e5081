use super::*;
use crate::hash::HashAlg;
use crate::note::SigAlg;

fn checkpoint() -> Checkpoint {
    Checkpoint {
        origin: "ledger.example.gov.cn/110101".into(),
        size: 20852163,
        root: Hash::from_base64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=").expect("root"),
        extensions: vec![],
    }
}

#[test]
fn body_format_round_trips() {
    let body = checkpoint().to_body().expect("body");
    assert_eq!(
        body,
        "ledger.example.gov.cn/110101\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    );
    assert_eq!(Checkpoint::parse(&body).expect("parse"), checkpoint());

    let mut with_extensions = checkpoint();
    with_extensions.extensions = vec!["timestamp 1700000000".into(), "区县 110101".into()];
    let body = with_extensions.to_body().expect("body");
    assert!(body.ends_with(
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntimestamp 1700000000\n区县 110101\n"
    ));
    assert_eq!(Checkpoint::parse(&body).expect("parse"), with_extensions);

    let empty = Checkpoint { size: 0, root: HashAlg::Sm3.empty_root(), ..checkpoint() };
    assert_eq!(Checkpoint::parse(&empty.to_body().expect("body")).expect("parse"), empty);
}

#[test]
fn malformed_bodies_are_rejected() {
    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let cases = [
        format!("o\n1\n{root}"),
        format!("\n1\n{root}\n"),
        "o\n1\n".to_owned(),
        "o\n".to_owned(),
        format!("o\n01\n{root}\n"),
        format!("o\n+1\n{root}\n"),
        format!("o\n-1\n{root}\n"),
        format!("o\n1 \n{root}\n"),
        format!("o\n\n{root}\n"),
        format!("o\n18446744073709551616\n{root}\n"),
        "o\n1\nAAAA\n".to_owned(),
        format!("o\n1\n{root}\n\n"),
        format!("o\n1\n{root}\next\n\n"),
    ];
    for body in cases {
        assert!(matches!(Checkpoint::parse(&body), Err(CheckpointError::Malformed(_))), "{body:?}");
    }
    assert_eq!(
        Checkpoint::parse(&format!("o\n18446744073709551615\n{root}\n")).expect("max").size,
        u64::MAX
    );
    let mut bad = checkpoint();
    bad.extensions = vec![String::new()];
    assert!(bad.to_body().is_err());
    bad.extensions = vec!["a\nb".into()];
    assert!(bad.to_body().is_err());
}

#[test]
fn signed_checkpoints_open_only_with_the_right_key_and_origin() {
    for alg in [SigAlg::Sm2, SigAlg::Ed25519] {
        let key = SigningKey::generate(alg, "ledger.example.gov.cn/110101").expect("key");
        let note = checkpoint().sign(&[&key]).expect("sign").to_string();
        let known = [key.verifier_key()];
        let (opened, signed) =
            Checkpoint::open(&note, "ledger.example.gov.cn/110101", &known).expect("open");
        assert_eq!(opened, checkpoint());
        assert_eq!(signed.signatures().len(), 1);

        assert!(matches!(
            Checkpoint::open(&note, "other.example", &known),
            Err(CheckpointError::WrongOrigin { .. })
        ));
        let stranger = SigningKey::generate(alg, "stranger").expect("key");
        assert!(matches!(
            Checkpoint::open(&note, "ledger.example.gov.cn/110101", &[stranger.verifier_key()]),
            Err(CheckpointError::Note(NoteError::Unverified))
        ));
        let forged = note.replace("20852163", "20852164");
        assert!(matches!(
            Checkpoint::open(&forged, "ledger.example.gov.cn/110101", &known),
            Err(CheckpointError::Note(NoteError::BadSignature { .. }))
        ));
    }
}
