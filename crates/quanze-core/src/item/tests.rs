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
        assert_eq!(PowerCategory::parse(c.code()).unwrap(), c);
    }
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
