use super::*;

#[test]
fn known_answers() {
    // GB/T 32905-2016 example A.1 and FIPS 180-2 example "abc".
    assert_eq!(
        HashAlg::Sm3.digest(b"abc").to_hex(),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
    assert_eq!(
        HashAlg::Sha256.digest(b"abc").to_hex(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        HashAlg::Sha256.empty_root().to_hex(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        HashAlg::Sm3.empty_root().to_hex(),
        "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
    );
    // RFC 6962 leaf hash of the empty leaf, as in the transparency-dev test data.
    assert_eq!(
        HashAlg::Sha256.hash_leaf(b"").to_base64(),
        "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="
    );
}

#[test]
fn domain_separation() {
    let alg = HashAlg::Sm3;
    let left = alg.hash_leaf(b"a");
    let right = alg.hash_leaf(b"b");
    let mut concatenated = vec![0x01];
    concatenated.extend_from_slice(left.as_bytes());
    concatenated.extend_from_slice(right.as_bytes());
    assert_eq!(alg.hash_children(&left, &right), alg.digest(&concatenated));
    assert_eq!(alg.hash_leaf(b"x"), alg.digest(b"\x00x"));
    assert_ne!(alg.hash_leaf(b"x"), alg.digest(b"x"));
}

#[test]
fn names_are_stable() {
    assert_eq!(HashAlg::default(), HashAlg::Sm3);
    for alg in HashAlg::ALL {
        assert_eq!(alg.name().parse::<HashAlg>(), Ok(alg));
        assert_eq!(alg.to_string(), alg.name());
        let json = serde_json::to_string(&alg).expect("serialize");
        assert_eq!(json, format!("\"{}\"", alg.name()));
        assert_eq!(serde_json::from_str::<HashAlg>(&json).expect("deserialize"), alg);
    }
    assert_eq!("SM3".parse::<HashAlg>(), Err(HashParseError::UnknownAlg("SM3".into())));
    assert!(serde_json::from_str::<HashAlg>("\"md5\"").is_err());
}

#[test]
fn encodings_round_trip_and_reject_bad_input() {
    let hash = HashAlg::Sm3.digest(b"quanze");
    assert_eq!(Hash::from_hex(&hash.to_hex()), Ok(hash));
    assert_eq!(Hash::from_hex(&hash.to_hex().to_uppercase()), Ok(hash));
    assert_eq!(Hash::from_base64(&hash.to_base64()), Ok(hash));
    assert_eq!(format!("{hash}"), hash.to_hex());
    assert!(format!("{hash:?}").contains(&hash.to_hex()));
    assert_eq!(Hash::from_slice(&[0; 31]), Err(HashParseError::Length(31)));
    assert_eq!(Hash::from_hex("00"), Err(HashParseError::Length(1)));
    assert!(matches!(Hash::from_hex("zz"), Err(HashParseError::Hex(_))));
    assert!(matches!(Hash::from_base64("not base64!"), Err(HashParseError::Base64(_))));
    assert_eq!(Hash::from_base64(""), Err(HashParseError::Length(0)));
}
