use super::*;

#[test]
fn real_credit_codes_pass_the_check() {
    for code in ["11321281014422781F", "11110000660504319Y", "11511301008778183N"] {
        let parsed = CreditCode::parse(code).unwrap();
        assert!(parsed.check_digit_ok(), "{code}");
    }
}

#[test]
fn a_wrong_check_digit_parses_but_is_flagged() {
    let parsed = CreditCode::parse("11321281014422781G").unwrap();
    assert!(!parsed.check_digit_ok());
}

#[test]
fn credit_code_rejects_letters_outside_the_alphabet() {
    let err = CreditCode::parse("11321281014422781I").unwrap_err();
    assert!(matches!(err, ValidationError::Charset { ch: 'I', pos: 18, .. }), "{err:?}");
    assert!(err.zh().contains("统一社会信用代码"));
    assert!(matches!(CreditCode::parse("1132128"), Err(ValidationError::Length { got: 7, .. })));
}

#[test]
fn with_check_round_trips() {
    let code = CreditCode::with_check("11321281014422781").unwrap();
    assert_eq!(code.as_str(), "11321281014422781F");
}

#[test]
fn region_levels_and_parents() {
    let town = RegionCode::parse("330603107").unwrap();
    assert_eq!(town.as_str(), "330603107000");
    assert_eq!(town.level(), RegionLevel::Township);
    let county = town.parent().unwrap();
    assert_eq!(county.as_str(), "330603000000");
    assert_eq!(county.level(), RegionLevel::County);
    assert_eq!(town.county().unwrap(), county);
    assert_eq!(county.parent().unwrap().as_str(), "330600000000");
    assert_eq!(RegionCode::parse("330000").unwrap().parent(), None);
    assert!(town.is_within(&county));
    assert!(!county.is_within(&town));
}

#[test]
fn region_code_rejects_holes_and_bad_lengths() {
    assert!(RegionCode::parse("330003107000").is_err());
    assert!(RegionCode::parse("003300000000").is_err());
    assert!(RegionCode::parse("33060310700").is_err());
    assert!(RegionCode::parse("33060310700a").is_err());
}

#[test]
fn impl_code_splits_into_its_parts() {
    let code = ImplCode::parse("11321281014422781F5000117025000").unwrap();
    assert_eq!(code.credit_code().as_str(), "11321281014422781F");
    assert_eq!(code.level_digit(), 5);
    assert_eq!(code.base_code().as_str(), "000117025000");
    assert!(!code.base_code().is_sub_item());
    assert!(ImplCode::parse("11321281014422781FX000117025000").is_err());
    assert!(ImplCode::parse("000117025000").is_err());
    let again = ImplCode::compose(&code.credit_code(), 5, &code.base_code());
    assert_eq!(again, code);
}

#[test]
fn base_code_charset() {
    assert!(BaseCode::parse("000117025000").is_ok());
    assert!(BaseCode::parse("00011702500a").is_err());
    assert!(BaseCode::parse("000117025001").unwrap().is_sub_item());
}
