use super::*;
use crate::fixtures::{d, power, uid, unit};
use crate::ids::LawId;
use crate::item::LegalRef;

fn law(n: u128, title: &str, level: LawLevel, issuer: &str) -> Law {
    Law {
        id: LawId::from_uuid(uid(n)),
        title: title.into(),
        level,
        issuer: issuer.into(),
        in_force_from: d(2010, 1, 1),
        in_force_until: None,
        amended_by: None,
        repealed_by: None,
    }
}

fn of(level: LawLevel) -> Law {
    law(1, "某法", level, "某机关")
}

fn allowed(c: &Creation) -> bool {
    *c == Creation::Allowed
}
fn forbidden_by(c: &Creation) -> Option<&'static str> {
    match c {
        Creation::Forbidden { article, .. } => Some(article),
        _ => None,
    }
}
fn confirm_by(c: &Creation) -> Option<&'static str> {
    match c {
        Creation::Confirm { article, .. } => Some(article),
        _ => None,
    }
}

use LawLevel as L;
use PowerCategory as C;

#[test]
fn licences_follow_licensing_law_14_to_17() {
    let lic = |l: &Law| may_create(l, C::Licensing, "某许可");
    for level in [L::Law, L::AdministrativeRegulation, L::StateCouncilDecision] {
        assert!(allowed(&lic(&of(level))), "{level:?}");
    }
    for level in [L::LocalRegulation, L::AutonomousRegulation] {
        assert_eq!(confirm_by(&lic(&of(level))), Some("行政许可法第十五条"), "{level:?}");
    }
    let provincial = law(2, "安徽省某办法", L::LocalGovernmentRule, "安徽省人民政府");
    assert_eq!(confirm_by(&lic(&provincial)), Some("行政许可法第十五条"));
    let municipal = law(3, "上海市某办法", L::LocalGovernmentRule, "上海市人民政府");
    assert!(confirm_by(&lic(&municipal)).is_some());
    let city = law(4, "滁州市某办法", L::LocalGovernmentRule, "滁州市人民政府");
    assert_eq!(forbidden_by(&lic(&city)), Some("行政许可法第十五条、第十七条"));
    assert_eq!(forbidden_by(&lic(&of(L::DepartmentalRule))), Some("行政许可法第十六条、第十七条"));
    assert_eq!(forbidden_by(&lic(&of(L::NormativeDocument))), Some("行政许可法第十七条"));
}

#[test]
fn penalties_follow_penalty_law_10_to_16() {
    let pen = |level, name: &str| may_create(&of(level), C::Penalty, name);
    assert!(allowed(&pen(L::Law, "行政拘留")));
    assert_eq!(
        forbidden_by(&pen(L::AdministrativeRegulation, "行政拘留")),
        Some("行政处罚法第十条第二款")
    );
    assert!(allowed(&pen(L::AdministrativeRegulation, "吊销营业执照")));
    assert_eq!(forbidden_by(&pen(L::LocalRegulation, "吊销营业执照")), Some("行政处罚法第十二条"));
    assert!(allowed(&pen(L::LocalRegulation, "没收违法所得")));
    assert!(allowed(&pen(L::AutonomousRegulation, "对某行为的处罚")));
    assert_eq!(forbidden_by(&pen(L::DepartmentalRule, "没收违法所得")), Some("行政处罚法第十三条"));
    assert_eq!(confirm_by(&pen(L::DepartmentalRule, "对某行为的处罚")), Some("行政处罚法第十三条"));
    assert_eq!(
        forbidden_by(&pen(L::LocalGovernmentRule, "暂扣许可证件")),
        Some("行政处罚法第十四条")
    );
    assert_eq!(confirm_by(&pen(L::LocalGovernmentRule, "罚款")), Some("行政处罚法第十四条"));
    assert_eq!(forbidden_by(&pen(L::StateCouncilDecision, "罚款")), Some("行政处罚法第十六条"));
    assert_eq!(forbidden_by(&pen(L::NormativeDocument, "警告")), Some("行政处罚法第十六条"));
}

#[test]
fn coercive_measures_follow_coercion_law_10_and_enforcement_13() {
    let m = |level, name: &str| may_create(&of(level), C::CoerciveMeasure, name);
    assert!(allowed(&m(L::Law, "冻结存款、汇款")));
    assert_eq!(
        forbidden_by(&m(L::AdministrativeRegulation, "冻结存款")),
        Some("行政强制法第十条第二款")
    );
    assert!(allowed(&m(L::AdministrativeRegulation, "扣押财物")));
    assert!(allowed(&m(L::LocalRegulation, "查封场所、设施")));
    assert_eq!(forbidden_by(&m(L::LocalRegulation, "约束至酒醒")), Some("行政强制法第十条第三款"));
    assert_eq!(confirm_by(&m(L::LocalRegulation, "临时控制措施")), Some("行政强制法第十条第三款"));
    for level in
        [L::StateCouncilDecision, L::DepartmentalRule, L::LocalGovernmentRule, L::NormativeDocument]
    {
        assert_eq!(
            forbidden_by(&m(level, "扣押财物")),
            Some("行政强制法第十条第四款"),
            "{level:?}"
        );
    }
    let e = |level| may_create(&of(level), C::CoerciveEnforcement, "强制拆除");
    assert!(allowed(&e(L::Law)));
    for level in &L::ALL[1..] {
        assert_eq!(forbidden_by(&e(*level)), Some("行政强制法第十三条"), "{level:?}");
    }
}

#[test]
fn other_categories_have_no_rank_rule() {
    for c in [C::Benefit, C::Confirmation, C::Inspection, C::Other, C::PublicService] {
        assert!(allowed(&may_create(&of(L::NormativeDocument), c, "某事项")));
    }
}

#[test]
fn the_whole_basis_decides_and_a_normative_document_alone_creates_nothing() {
    let laws = LawRegistry::new([
        law(1, "某县规范性文件", L::NormativeDocument, "某县人民政府"),
        law(2, "中华人民共和国食品安全法", L::Law, "全国人民代表大会常务委员会"),
        law(3, "某部规章", L::DepartmentalRule, "某部"),
    ]);
    let on = d(2025, 1, 1);
    let mut item = power("对某行为的处罚", C::Penalty, unit(1));
    item.legal_basis = vec![LegalRef::article("某县规范性文件", 3)];
    let (c, by) = basis_creates(&item, &laws, on);
    assert_eq!(forbidden_by(&c), Some("行政处罚法第十六条"));
    assert_eq!(by.map(|l| l.level), Some(L::NormativeDocument));
    // A law beside it creates the power.
    item.legal_basis.push(LegalRef::article("食品安全法", 124));
    assert!(allowed(&basis_creates(&item, &laws, on).0));
    // A rule beside the document: the reviewer confirms the kind of penalty.
    item.legal_basis =
        vec![LegalRef::article("某县规范性文件", 3), LegalRef::article("某部规章", 9)];
    assert_eq!(confirm_by(&basis_creates(&item, &laws, on).0), Some("行政处罚法第十三条"));
    // An unregistered title leaves it open (law_unknown warns of it).
    item.legal_basis =
        vec![LegalRef::article("某县规范性文件", 3), LegalRef::article("未登记条例", 1)];
    assert_eq!(basis_creates(&item, &laws, on), (Creation::Allowed, None));
}

#[test]
fn provincial_issuers() {
    assert!(provincial_issuer("安徽省人民政府"));
    assert!(provincial_issuer("广西壮族自治区人民政府"));
    assert!(provincial_issuer("重庆市人民政府"));
    assert!(!provincial_issuer("滁州市人民政府"));
    assert!(!provincial_issuer("清源县人民政府"));
}
