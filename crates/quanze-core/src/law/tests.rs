use super::*;
use crate::fixtures::{d, item, power, uid, unit};
use crate::item::PowerCategory;

fn law(n: u128, title: &str, from: NaiveDate, until: Option<NaiveDate>) -> Law {
    Law {
        id: LawId::from_uuid(uid(n)),
        title: title.to_owned(),
        level: LawLevel::Law,
        issuer: "全国人民代表大会常务委员会".into(),
        in_force_from: from,
        in_force_until: until,
        amended_by: None,
        repealed_by: None,
    }
}

#[test]
fn titles_match_with_or_without_the_state_prefix_and_edition() {
    assert_eq!(normalize_title("《中华人民共和国行政处罚法》（2021年修订）"), "行政处罚法");
    assert_eq!(normalize_title("行政处罚法(2017修正)"), "行政处罚法");
    assert_eq!(normalize_title(" 中华人民共和国 食品安全法 "), "食品安全法");
    assert_eq!(normalize_title("中华人民共和国"), "中华人民共和国");
    let l = law(1, "中华人民共和国行政许可法", d(2004, 7, 1), None);
    assert!(l.is_cited_as("行政许可法"));
    assert!(l.is_cited_as("《中华人民共和国行政许可法》（2019年修正）"));
    assert!(!l.is_cited_as("浙江省行政许可法实施办法"));
}

#[test]
fn standing_follows_the_window_of_force() {
    let old = Law {
        repealed_by: Some(LawId::from_uuid(uid(2))),
        ..law(1, "农药管理条例", d(1997, 5, 8), Some(d(2017, 6, 1)))
    };
    let new = law(2, "农药管理条例（2017年修订）", d(2017, 6, 1), None);
    let registry = LawRegistry::new([old.clone(), new.clone()]);
    assert_eq!(
        registry.standing("农药管理条例", d(2010, 1, 1)),
        Standing::InForce(&registry.laws()[0])
    );
    assert_eq!(
        registry.standing("《农药管理条例》", d(2024, 1, 1)),
        Standing::InForce(&registry.laws()[1])
    );
    assert_eq!(
        registry.standing("农药管理条例", d(1990, 1, 1)),
        Standing::NotInForce(&registry.laws()[0])
    );
    assert_eq!(registry.standing("城市道路管理条例", d(2024, 1, 1)), Standing::Unknown);
    let repealed = LawRegistry::new([old]);
    assert!(matches!(repealed.standing("农药管理条例", d(2024, 1, 1)), Standing::NotInForce(_)));
}

#[test]
fn impact_lists_every_item_and_place_citing_the_law() {
    let licensing = law(3, "中华人民共和国行政许可法", d(2004, 7, 1), None);
    let food = law(4, "中华人民共和国食品安全法", d(2009, 6, 1), None);
    let holder = unit(1);
    let a = power("食品经营许可", PowerCategory::Licensing, holder);
    let mut b = power("对未取得许可从事食品经营的处罚", PowerCategory::Penalty, holder);
    b.legal_basis = vec![LegalRef::article("《中华人民共和国食品安全法》（2021年修正）", 122)];
    b.responsibilities.clear();
    b.accountability.clear();
    let mut c = power("道路占用许可", PowerCategory::Licensing, holder);
    c.legal_basis = vec![LegalRef::article("城市道路管理条例", 31)];
    c.responsibilities.clear();
    c.accountability.clear();
    let items = [(item(1), &a), (item(2), &b), (item(3), &c)];

    let report = impact(&licensing, items);
    assert_eq!(report.item_ids(), vec![item(1)]);
    // Cited in a responsibility and in an accountability case, not in the legal basis.
    assert_eq!(report.items[0].citations.len(), 2);
    assert!(
        matches!(&report.items[0].citations[0], Citation::Responsibility { stage, .. } if stage == "受理")
    );
    assert!(matches!(&report.items[0].citations[1], Citation::Accountability { .. }));

    let report = impact(&food, items);
    assert_eq!(report.item_ids(), vec![item(1), item(2)]);
    assert!(
        matches!(&report.items[1].citations[0], Citation::LegalBasis { cite } if cite.article == Some(122))
    );
}

#[test]
fn every_rank_parses_from_its_label_and_name() {
    for level in LawLevel::ALL {
        assert_eq!(LawLevel::parse(level.zh()).unwrap(), level);
        let name = serde_json::to_value(level).unwrap();
        assert_eq!(LawLevel::parse(name.as_str().unwrap()).unwrap(), level);
        let back: LawLevel = serde_json::from_value(name).unwrap();
        assert_eq!(back, level);
    }
    assert_eq!(LawLevel::parse("单行条例").unwrap(), LawLevel::AutonomousRegulation);
    assert_eq!(LawLevel::parse("其他规范性文件").unwrap(), LawLevel::NormativeDocument);
    let by_label: LawLevel = serde_json::from_str("\"国务院决定\"").unwrap();
    assert_eq!(by_label, LawLevel::StateCouncilDecision);
    let err = LawLevel::parse("红头文件").unwrap_err();
    assert!(err.zh().contains("效力层级"), "{}", err.zh());
}
