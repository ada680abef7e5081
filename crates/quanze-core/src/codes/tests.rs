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

/// Statistical codes of real towns of the cities without counties (统计用区划代码): the
/// township segment follows the city's 6-digit code directly.
#[test]
fn towns_of_cities_without_counties() {
    let table = [
        ("441900003000", "东莞市东城街道", TownshipSegment::Subdistrict),
        ("441900101", "东莞市石碣镇", TownshipSegment::Town),
        ("442000001000", "中山市石岐街道", TownshipSegment::Subdistrict),
        ("442000100", "中山市小榄镇", TownshipSegment::Town),
        ("620200100", "嘉峪关市新城镇", TownshipSegment::Town),
        ("460400100000", "儋州市那大镇", TownshipSegment::Town),
        ("460400400000", "儋州市国营西联农场", TownshipSegment::TownshipLevelUnit),
    ];
    for (raw, name, class) in table {
        let code = RegionCode::parse(raw).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(code.level(), RegionLevel::Township, "{name}");
        assert_eq!(code.township_class(), Some(class), "{name}");
        assert!(code.is_under_city_without_counties(), "{name}");
        let city = code.parent().expect("a town has a parent");
        assert_eq!(city.level(), RegionLevel::City, "{name}");
        assert_eq!(code.county(), Some(city.clone()), "{name}: the city stands at county level");
        assert!(code.is_within(&city), "{name}");
    }
    // A village of 东莞市东城街道.
    let village = RegionCode::parse("441900003001").unwrap();
    assert_eq!(village.level(), RegionLevel::Village);
    assert_eq!(village.parent().unwrap().as_str(), "441900003000");
}

#[test]
fn only_cities_without_counties_skip_the_county_segment() {
    for raw in [
        "330600107000", // 绍兴市 has counties: a town needs its county segment
        "441800003000", // 清远市 has counties
        "441900000001", // a village under no town
        "460300100000", // 三沙市 has districts
    ] {
        let err = RegionCode::parse(raw).unwrap_err();
        assert!(matches!(err, ValidationError::Invalid { field: "region_code", .. }), "{raw}");
        assert!(err.zh().contains("不设区的地级市"), "{raw}: {}", err.zh());
    }
    // The cities themselves and ordinary county towns are unaffected.
    assert_eq!(RegionCode::parse("441900").unwrap().level(), RegionLevel::City);
    assert!(!RegionCode::parse("330603107").unwrap().is_under_city_without_counties());
}

#[test]
fn township_segments_by_range() {
    let table = [
        (1, TownshipSegment::Subdistrict),
        (99, TownshipSegment::Subdistrict),
        (100, TownshipSegment::Town),
        (199, TownshipSegment::Town),
        (200, TownshipSegment::Township),
        (399, TownshipSegment::Township),
        (400, TownshipSegment::TownshipLevelUnit),
        (599, TownshipSegment::TownshipLevelUnit),
        (600, TownshipSegment::Unassigned),
        (999, TownshipSegment::Unassigned),
    ];
    for (segment, class) in table {
        assert_eq!(TownshipSegment::of(segment), class, "{segment}");
    }
    assert_eq!(RegionCode::parse("330603107").unwrap().township_segment(), Some(107));
    assert_eq!(RegionCode::parse("330603").unwrap().township_class(), None);
}

#[test]
fn the_township_segment_is_checked_against_the_units_kind() {
    use crate::ids::UnitId;
    use crate::unit::{Unit, UnitKind};

    let unit = |kind, region: &str| Unit {
        id: UnitId::from_uuid(uuid::Uuid::from_u128(1)),
        name: "王坛镇人民政府".to_owned(),
        kind,
        region: RegionCode::parse(region).unwrap(),
        credit_code: None,
        parent: None,
        tags: Default::default(),
    };
    // (kind, region, expected warning code or none)
    let table = [
        (UnitKind::Township, "330603107", None),
        (UnitKind::Township, "330603201", None),
        (UnitKind::Township, "330603401", None),
        (UnitKind::Subdistrict, "330603001", None),
        (UnitKind::Subdistrict, "330603450", None),
        (UnitKind::Subdistrict, "441900003", None),
        (UnitKind::Township, "330603001", Some("region_segment_kind")),
        (UnitKind::Subdistrict, "330603107", Some("region_segment_kind")),
        (UnitKind::Subdistrict, "330603250", Some("region_segment_kind")),
        (UnitKind::Township, "330603601", Some("region_segment_kind")),
        (UnitKind::Township, "330603", Some("region_not_township")),
        (UnitKind::Department, "330603107", None),
        (UnitKind::Department, "330603", None),
    ];
    for (kind, region, expected) in table {
        let issues = unit(kind, region).issues();
        let got: Vec<_> = issues.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(got, expected.into_iter().collect::<Vec<_>>(), "{kind:?} {region}");
        // Never a refusal.
        assert!(issues.iter().all(|i| i.severity == crate::error::Severity::Warning));
    }
    let issue = unit(UnitKind::Township, "330603001").region_issue().unwrap();
    assert!(issue.message_zh.contains("街道（001–099）"), "{}", issue.message_zh);
}

/// GB 11643-1999: the standard's own examples pass; a wrong check character, an impossible
/// date of birth, a letter in the body and a first-generation 15-digit number do not.
#[test]
fn citizen_identity_numbers() {
    for (raw, male, born) in [
        ("11010519491231002X", false, (1949, 12, 31)),
        ("11010519491231002x", false, (1949, 12, 31)),
        ("440524188001010014", true, (1880, 1, 1)),
    ] {
        let id = IdNumber::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!(id.is_male(), male, "{raw}");
        let (y, m, d) = born;
        assert_eq!(id.birth_date(), chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(id.as_str(), raw.to_ascii_uppercase());
    }
    let id = IdNumber::parse("11010519491231002X").unwrap();
    assert_eq!(id.address_code(), "110105");
    assert_eq!(id.masked(), "110105********002X");
    assert_eq!(format!("{id} {id:?}"), "110105********002X IdNumber(110105********002X)");
    assert_eq!(IdNumber::expected_check("11010519491231002"), Some(b'X'));

    let invalid = [
        ("110105194912310021", "校验码不符（GB 11643）"),
        ("11010519490231002X", "出生日期不是有效日期"),
        ("110105194913310028", "出生日期不是有效日期"),
        ("1101051949123100AX", "第17位含有非法字符"),
        ("110105491231002", "应为18位"),
        ("", "不能为空"),
    ];
    for (raw, why) in invalid {
        let err = IdNumber::parse(raw).unwrap_err();
        let zh = err.zh();
        assert!(zh.starts_with("公民身份号码") && zh.contains(why), "{raw}: {zh}");
        // The number itself never reaches a message: it is personal data.
        assert!(raw.len() < 10 || !zh.contains(&raw[6..14]), "{raw}: {zh}");
    }
}

/// GB 11714-1997: the standard's example, the organisation codes inside the real credit codes,
/// and codes whose check character is wrong.
#[test]
fn organisation_codes() {
    for raw in ["D2143569X", "D2143569-X", "d2143569-x", "014422781", "660504319", "008778183"] {
        assert!(OrgCode::parse(raw).is_ok(), "{raw}");
    }
    assert_eq!(OrgCode::parse("D2143569-X").unwrap().as_str(), "D2143569X");
    assert_eq!(OrgCode::expected_check("D2143569"), Some('X'));
    assert_eq!(OrgCode::expected_check("01442278"), Some('1'));
    // Σ mod 11 = 0 gives 11, written 0.
    assert_eq!(OrgCode::expected_check("00000000"), Some('0'));
    assert!(OrgCode::parse("000000000").is_ok());
    for code in ["11321281014422781F", "11110000660504319Y", "11511301008778183N"] {
        let credit = CreditCode::parse(code).unwrap();
        let org = credit.org_code().unwrap_or_else(|| panic!("{code} embeds a valid org code"));
        assert_eq!(org.as_str(), &code[8..17]);
    }
    for (raw, why) in [
        ("D21435691", "校验码不符（GB 11714）"),
        ("014422782", "校验码不符（GB 11714）"),
        ("D2143569Y", "校验码不符（GB 11714）"),
        ("D214356-X", "第8位含有非法字符"),
        ("D2143569", "应为9位"),
    ] {
        let err = OrgCode::parse(raw).unwrap_err();
        assert!(
            err.zh().starts_with("组织机构代码") && err.zh().contains(why),
            "{raw}: {}",
            err.zh()
        );
    }
    // A credit code whose embedded organisation code fails GB 11714 still parses.
    let pilot = CreditCode::parse("11321281014422782F").unwrap();
    assert_eq!(pilot.org_code(), None);
}
