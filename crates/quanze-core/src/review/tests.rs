use super::*;
use crate::fixtures::{at, d, item, list, power, uid, unit, user};
use crate::ids::{GrantId, LawId};
use crate::item::{Cooperation, ExerciseLevel, LegalRef};
use crate::law::{Law, LawLevel};
use crate::list::DocNo;

fn law(n: u128, title: &str, until: Option<NaiveDate>) -> Law {
    Law {
        id: LawId::from_uuid(uid(n)),
        title: title.into(),
        level: LawLevel::Law,
        issuer: "全国人民代表大会常务委员会".into(),
        in_force_from: d(2004, 1, 1),
        in_force_until: until,
        amended_by: None,
        repealed_by: None,
    }
}

fn registry() -> LawRegistry {
    LawRegistry::new([
        law(1, "中华人民共和国食品安全法", None),
        law(2, "中华人民共和国行政许可法", None),
        law(3, "某省农药管理办法", Some(d(2025, 1, 1))),
        law(4, "中华人民共和国行政处罚法", None),
        law(5, "中华人民共和国行政强制法", None),
    ])
}

fn known() -> HashSet<UnitId> {
    [unit(1), unit(2), unit(11)].into_iter().collect()
}

fn run(items: &[(ItemId, &ItemContent)], grants: &[Grant]) -> Vec<ItemFindings> {
    let laws = registry();
    let known = known();
    let ctx =
        ReviewContext { laws: &laws, known_units: &known, effective_on: d(2025, 6, 1), grants };
    let items: Vec<ReviewItem<'_>> = items
        .iter()
        .map(|(item, content)| ReviewItem {
            item: *item,
            list: list(1),
            duty: DutyKind::Own,
            content,
        })
        .collect();
    check_items(&items, &ctx)
}

fn codes(f: &ItemFindings) -> Vec<&str> {
    f.issues.iter().map(|i| i.code.as_str()).collect()
}

#[test]
fn each_check_produces_its_own_code() {
    let clean = power("食品经营许可", PowerCategory::Licensing, unit(1));
    let mut repealed = power("农药经营许可", PowerCategory::Licensing, unit(1));
    repealed.legal_basis = vec![LegalRef::article("《某省农药管理办法》（2010年）", 8)];
    let mut unknown = power("道路占用许可", PowerCategory::Licensing, unit(1));
    unknown.legal_basis = vec![LegalRef::article("城市道路管理条例", 31)];
    let mut no_acc = power("食品抽样检查", PowerCategory::Inspection, unit(1));
    no_acc.accountability.clear();
    let mut bad_units = power("食品召回监督", PowerCategory::Other, unit(77));
    bad_units.cooperation = vec![Cooperation { unit: unit(78), duty: "配合".into() }];
    let dup = power("食品经营许可", PowerCategory::Licensing, unit(1));
    let found = run(
        &[
            (item(1), &clean),
            (item(2), &repealed),
            (item(3), &unknown),
            (item(4), &no_acc),
            (item(5), &bad_units),
            (item(6), &dup),
        ],
        &[],
    );
    assert_eq!(codes(&found[0]), Vec::<&str>::new());
    assert_eq!(codes(&found[1]), vec!["law_not_in_force"]);
    assert!(found[1].issues[0].message_zh.contains("不在施行期内"));
    assert_eq!(codes(&found[2]), vec!["law_unknown"]);
    assert_eq!(codes(&found[3]), vec!["no_accountability"]);
    assert_eq!(codes(&found[4]), vec!["unknown_holder", "unknown_cooperating_unit"]);
    assert_eq!(codes(&found[5]), vec!["duplicate_item"]);
}

fn grant(n: u128, item: ItemId, mode: GrantMode, decided: bool) -> Grant {
    let decision = crate::devolution::ProvincialDecision {
        issuer: crate::devolution::Issuer {
            name: "某省人民政府".into(),
            region: crate::codes::RegionCode::parse("330000").unwrap(),
        },
        doc_no: DocNo::parse("某政发〔2024〕12号").unwrap(),
        published_on: d(2024, 12, 1),
        next_evaluation: d(2027, 12, 1),
    };
    Grant {
        id: GrantId::from_uuid(uid(n)),
        item,
        from: unit(1),
        to: crate::devolution::GrantTarget::Towns { towns: [unit(11)].into_iter().collect() },
        mode,
        effective_from: d(2025, 6, 1),
        effective_until: None,
        batch: "第一批".into(),
        confirmation_doc: None,
        provincial_decision: decided.then_some(decision),
        entrustment: None,
        own_name_basis: None,
        legacy_decision: None,
    }
}

#[test]
fn devolution_rules_of_the_coercion_and_penalty_laws() {
    let mut coercion = power("查封经营场所", PowerCategory::CoerciveMeasure, unit(11));
    coercion.legal_basis = vec![LegalRef::article("行政强制法", 17)];
    coercion.source = PowerSource::Entrusted;
    // A department's penalty power (item 3) and the township template's entry for it (item 2).
    let mut penalty = power("对无证经营的处罚", PowerCategory::Penalty, unit(11));
    penalty.legal_basis = vec![LegalRef::article("行政处罚法", 24)];
    penalty.level = ExerciseLevel::Township;
    penalty.source = PowerSource::Devolved;
    let found = run(&[(item(1), &coercion), (item(2), &penalty)], &[]);
    assert_eq!(codes(&found[0]), vec!["coercion_entrusted"]);
    assert_eq!(codes(&found[1]), vec!["devolved_without_grant"], "no grant gives it");

    coercion.source = PowerSource::Statutory;
    let decided = grant(2, item(3), GrantMode::Direct, true);
    penalty.grant = Some(crate::devolution::GrantLink::to(&decided));
    let found = run(
        &[(item(1), &coercion), (item(2), &penalty)],
        &[grant(1, item(1), GrantMode::Entrusted, false), decided.clone()],
    );
    assert_eq!(codes(&found[0]), vec!["coercion_entrusted"], "entrusted by a grant");
    assert!(found[1].issues.is_empty(), "linked to a grant with the provincial decision");
}

#[test]
fn a_township_item_from_above_is_linked_to_its_grant() {
    let mut penalty = power("对无证经营的处罚", PowerCategory::Penalty, unit(11));
    penalty.legal_basis = vec![LegalRef::article("行政处罚法", 24)];
    penalty.level = ExerciseLevel::Township;
    penalty.source = PowerSource::Devolved;
    let undecided = grant(2, item(3), GrantMode::Direct, false);
    penalty.grant = Some(crate::devolution::GrantLink::to(&undecided));
    // The grant is not recorded.
    assert_eq!(codes(&run(&[(item(2), &penalty)], &[])[0]), vec!["grant_not_found"]);
    // Recorded without the province's decision.
    let found = run(&[(item(2), &penalty)], std::slice::from_ref(&undecided));
    assert_eq!(codes(&found[0]), vec!["penalty_without_provincial_decision"]);
    // 上级委托 needs an entrustment, and an entrustment needs its 委托书.
    penalty.source = PowerSource::Entrusted;
    let found = run(&[(item(2), &penalty)], std::slice::from_ref(&undecided));
    assert_eq!(
        codes(&found[0]),
        vec!["grant_mode_mismatch", "penalty_without_provincial_decision"]
    );
    let entrusted = grant(4, item(3), GrantMode::Entrusted, false);
    penalty.grant = Some(crate::devolution::GrantLink::to(&entrusted));
    let found = run(&[(item(2), &penalty)], std::slice::from_ref(&entrusted));
    assert_eq!(codes(&found[0]), vec!["entrustment_without_letter"]);
    // An entrustment whose term ended before the effective date gives nothing.
    let ended = Grant { effective_until: Some(d(2025, 6, 1) - chrono::Days::new(1)), ..entrusted };
    penalty.grant = Some(crate::devolution::GrantLink::to(&ended));
    let found = run(&[(item(2), &penalty)], std::slice::from_ref(&ended));
    assert_eq!(codes(&found[0]), vec!["grant_ended", "entrustment_without_letter"]);
    // A statutory township item needs no grant.
    penalty.source = PowerSource::Statutory;
    penalty.grant = None;
    assert!(run(&[(item(2), &penalty)], &[])[0].issues.is_empty());
}

#[test]
fn verdicts_and_outcome() {
    let clean = power("食品经营许可", PowerCategory::Licensing, unit(1));
    let mut bad = power("食品抽样检查", PowerCategory::Inspection, unit(1));
    bad.responsibilities.clear();
    let laws = registry();
    let known = known();
    let ctx = ReviewContext {
        laws: &laws,
        known_units: &known,
        effective_on: d(2025, 6, 1),
        grants: &[],
    };
    let items = [
        ReviewItem { item: item(1), list: list(1), duty: DutyKind::Own, content: &clean },
        ReviewItem { item: item(2), list: list(1), duty: DutyKind::Own, content: &bad },
    ];
    let mut review = LegalReview::start(&items, &ctx);
    assert_eq!(review.open_findings(), 1);
    assert_eq!(review.outcome(), ReviewOutcome::Incomplete { missing: 2 });
    assert_eq!(
        review.record(item(2), Verdict::Pass, user(5), at(2025, 5, 20)),
        Err(ReviewError::OpenFindings { item: item(2), n: 1 })
    );
    assert_eq!(
        review.record(item(2), Verdict::Reject { reason: " ".into() }, user(5), at(2025, 5, 20)),
        Err(ReviewError::RejectWithoutReason)
    );
    assert_eq!(
        review.record(item(9), Verdict::Pass, user(5), at(2025, 5, 20)),
        Err(ReviewError::UnknownItem(item(9)))
    );
    review.record(item(1), Verdict::Pass, user(5), at(2025, 5, 20)).unwrap();
    assert_eq!(review.outcome(), ReviewOutcome::Incomplete { missing: 1 });
    review
        .record(
            item(2),
            Verdict::Reject { reason: "缺少责任事项".into() },
            user(5),
            at(2025, 5, 20),
        )
        .unwrap();
    assert_eq!(review.outcome(), ReviewOutcome::Rejected { rejected: 1 });
}
