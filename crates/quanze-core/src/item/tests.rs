use super::*;
use crate::ids::UnitId;

#[test]
fn category_variants_seen_in_published_lists() {
    let cases = [
        ("行政许可", PowerCategory::Licensing),
        ("行政许可(国办)", PowerCategory::Licensing),
        ("行政许可（国办）", PowerCategory::Licensing),
        ("许可", PowerCategory::Licensing),
        ("行政监督", PowerCategory::Inspection),
        ("行政检查", PowerCategory::Inspection),
        ("其他类", PowerCategory::Other),
        ("其他行政权力", PowerCategory::Other),
        ("其他职权", PowerCategory::Other),
        ("行政调解", PowerCategory::Other),
        ("公共服务", PowerCategory::PublicService),
        ("02", PowerCategory::Penalty),
        (" 行政 处罚 ", PowerCategory::Penalty),
    ];
    for (label, want) in cases {
        assert_eq!(PowerCategory::parse(label).unwrap(), want, "{label}");
    }
    let err = PowerCategory::parse("行政指导意见").unwrap_err();
    assert!(err.zh().contains("事项类型"), "{}", err.zh());
}

#[test]
fn every_category_parses_from_its_own_name_and_code() {
    for c in PowerCategory::ALL {
        assert_eq!(PowerCategory::parse(c.zh()).unwrap(), c);
        // 03 is both kinds of 行政强制 and reads as the first, 行政强制措施, until the item's
        // name decides (issue 14 split them; the national code stays one).
        let by_code = if c.is_coercion() { PowerCategory::CoerciveMeasure } else { c };
        assert_eq!(PowerCategory::parse(c.code()).unwrap(), by_code);
    }
}

#[test]
fn coercion_is_two_kinds_under_one_national_code() {
    use PowerCategory as C;
    assert_eq!(C::CoerciveMeasure.code(), "03");
    assert_eq!(C::CoerciveEnforcement.code(), "03");
    assert_eq!(C::CoerciveEnforcement.national_zh(), "行政强制");
    assert_eq!(C::parse("行政强制措施").unwrap(), C::CoerciveMeasure);
    assert_eq!(C::parse("行政强制执行").unwrap(), C::CoerciveEnforcement);
    assert_eq!(C::parse("行政强制").unwrap(), C::CoerciveMeasure);
    // The kind of a bare 行政强制, by name and stages.
    assert_eq!(C::coercion_kind("税收强制执行措施", []), C::CoerciveEnforcement);
    assert_eq!(C::coercion_kind("对违法建筑的强制拆除", []), C::CoerciveEnforcement);
    assert_eq!(C::coercion_kind("代履行", []), C::CoerciveEnforcement);
    assert_eq!(C::coercion_kind("某强制", ["催告", "执行"]), C::CoerciveEnforcement);
    assert_eq!(C::coercion_kind("查封、扣押违法生产经营的农产品", ["实施"]), C::CoerciveMeasure);
    // What was stored as the single kind reads as a measure.
    let old: C = serde_json::from_str("\"coercion\"").unwrap();
    assert_eq!(old, C::CoerciveMeasure);
    assert_eq!(serde_json::to_string(&C::CoerciveEnforcement).unwrap(), "\"coercive_enforcement\"");
}

#[test]
fn legal_refs_parse_published_text() {
    let text = "1.《中华人民共和国行政许可法》（2019年修正）第三十二条第一款第（三）项：申请材料不齐全的，应当当场告知。\n2、《中华人民共和国食品安全法》第三十五条";
    let refs = LegalRef::parse_many(text);
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[0].law, "中华人民共和国行政许可法");
    assert_eq!(refs[0].edition.as_deref(), Some("2019年修正"));
    assert_eq!((refs[0].article, refs[0].paragraph, refs[0].point), (Some(32), Some(1), Some(3)));
    assert_eq!(refs[0].quote.as_deref(), Some("申请材料不齐全的，应当当场告知。"));
    assert_eq!(refs[1], LegalRef::article("中华人民共和国食品安全法", 35));
}

#[test]
fn legal_refs_round_trip_through_text() {
    let refs = vec![
        LegalRef {
            quote: Some("第一行\n第二行".into()), ..LegalRef::article("行政许可法", 42)
        },
        LegalRef { paragraph: Some(2), ..LegalRef::article("行政处罚法", 24) },
        LegalRef {
            law: "某省乡镇综合行政执法事项目录".into(),
            edition: None,
            article: None,
            paragraph: None,
            point: None,
            quote: None,
        },
    ];
    let text = LegalRef::format_many(&refs);
    assert_eq!(LegalRef::parse_many(&text), refs, "{text}");
}

#[test]
fn several_refs_on_one_line() {
    let refs = LegalRef::parse_many("《行政许可法》第三十条；《行政许可法》第三十二条");
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[1].article, Some(32));
}

#[test]
fn time_limits() {
    let wd = |n| TimeLimit { amount: n, unit: LimitUnit::WorkingDays };
    assert_eq!(TimeLimit::parse("20个工作日").unwrap(), wd(20));
    assert_eq!(TimeLimit::parse("20 工作日").unwrap(), wd(20));
    assert_eq!(TimeLimit::parse("二十个工作日").unwrap(), wd(20));
    assert_eq!(TimeLimit::parse("即办").unwrap(), wd(0));
    assert_eq!(
        TimeLimit::parse("90日").unwrap(),
        TimeLimit { amount: 90, unit: LimitUnit::CalendarDays }
    );
    assert_eq!(
        TimeLimit::parse("3个月").unwrap(),
        TimeLimit { amount: 3, unit: LimitUnit::Months }
    );
    assert!(TimeLimit::parse("尽快").is_err());
    for t in [wd(5), wd(0), TimeLimit { amount: 3, unit: LimitUnit::Months }] {
        assert_eq!(TimeLimit::parse(&t.to_string()).unwrap(), t);
    }
}

fn content() -> ItemContent {
    ItemContent {
        name: "食品经营许可".into(),
        sub_item: None,
        category: PowerCategory::Licensing,
        category_label: None,
        base_code: None,
        impl_code: None,
        local_code: None,
        legal_basis: vec![],
        holder: UnitId::from_uuid(uuid::Uuid::nil()),
        handling_office: None,
        cooperation: vec![],
        source: PowerSource::Statutory,
        grant: None,
        level: ExerciseLevel::County,
        responsibilities: vec![],
        accountability: vec![],
        service: None,
        remarks: None,
    }
}

#[test]
fn a_power_without_basis_responsibility_or_accountability_is_flagged() {
    let codes: Vec<String> = content().issues().into_iter().map(|i| i.code).collect();
    assert_eq!(codes, ["no_legal_basis", "no_responsibility", "no_accountability"]);
    let mut service = content();
    service.category = PowerCategory::PublicService;
    service.legal_basis.push(LegalRef::article("某条例", 3));
    assert!(service.issues().is_empty());
}

#[test]
fn mismatched_codes_are_an_error() {
    let mut c = content();
    c.base_code = Some(BaseCode::parse("000117025000").unwrap());
    c.impl_code = Some(ImplCode::parse("11321281014422781F5000117026000").unwrap());
    let issue = c.issues().into_iter().find(|i| i.code == "impl_code_mismatch").unwrap();
    assert_eq!(issue.severity, Severity::Error);
}

/// A citation naming several provisions is several references: an enumeration with 、 (the
/// second 第 may be left out), a range with 至, paragraphs under one article, and a quote that
/// goes with the last provision. Text after a separator that is not a provision stays quoted.
#[test]
fn citations_of_several_articles() {
    let pos = |refs: &[LegalRef]| {
        refs.iter().map(|r| (r.article, r.paragraph, r.point)).collect::<Vec<_>>()
    };
    type Provision = (Option<u32>, Option<u32>, Option<u32>);
    let table: [(&str, Vec<Provision>); 9] = [
        (
            "《行政许可法》第三十条、第三十二条",
            vec![(Some(30), None, None), (Some(32), None, None)],
        ),
        ("《行政许可法》第三十条、三十二条", vec![(Some(30), None, None), (Some(32), None, None)]),
        (
            "《行政许可法》第十条至第十二条",
            vec![(Some(10), None, None), (Some(11), None, None), (Some(12), None, None)],
        ),
        ("《行政许可法》第十条至十一条", vec![(Some(10), None, None), (Some(11), None, None)]),
        (
            "《行政处罚法》第二十四条第一款、第二款",
            vec![(Some(24), Some(1), None), (Some(24), Some(2), None)],
        ),
        (
            "《行政许可法》第三十条第一款、第三十二条、第三十七条至第三十九条",
            vec![
                (Some(30), Some(1), None),
                (Some(32), None, None),
                (Some(37), None, None),
                (Some(38), None, None),
                (Some(39), None, None),
            ],
        ),
        (
            "《行政强制法》第二十五条第一款第（一）项至第（三）项",
            vec![
                (Some(25), Some(1), Some(1)),
                (Some(25), Some(1), Some(2)),
                (Some(25), Some(1), Some(3)),
            ],
        ),
        (
            "《行政许可法》第三十条和第三十二条",
            vec![(Some(30), None, None), (Some(32), None, None)],
        ),
        // A range that falls is not expanded: its end is kept.
        ("《行政许可法》第十二条至第十条", vec![(Some(12), None, None), (Some(10), None, None)]),
    ];
    for (text, expected) in table {
        let refs = LegalRef::parse_many(text);
        assert_eq!(pos(&refs), expected, "{text}");
        assert!(refs.iter().all(|r| r.law == "行政许可法" || r.law.starts_with("行政")), "{text}");
        assert!(refs.iter().all(|r| r.quote.is_none()), "{text}: {refs:?}");
        // Written back one per line, they read the same.
        assert_eq!(LegalRef::parse_many(&LegalRef::format_many(&refs)), refs, "{text}");
    }

    let refs = LegalRef::parse_many(
        "《中华人民共和国行政许可法》（2019年修正）第三十条、第三十二条：行政机关应当将法律、法规规定的有关事项公示。",
    );
    assert_eq!(refs.len(), 2);
    assert!(refs.iter().all(|r| r.edition.as_deref() == Some("2019年修正")));
    assert_eq!(refs[0].quote, None);
    assert_eq!(refs[1].quote.as_deref(), Some("行政机关应当将法律、法规规定的有关事项公示。"));

    // After the separator comes text, not a provision: one reference with its quote.
    let refs = LegalRef::parse_many("《行政许可法》第三十条，行政机关应当将有关事项公示");
    assert_eq!(pos(&refs), [(Some(30), None, None)]);
    assert_eq!(refs[0].quote.as_deref(), Some("行政机关应当将有关事项公示"));
}
