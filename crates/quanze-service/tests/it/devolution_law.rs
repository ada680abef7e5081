//! Issue 14 §1, §2, §7 on the demo county: the grant is the one source of a town's devolved
//! powers (the township template's penalty items name their grant and the legality review
//! clears them through it), each mode's legal record, certified officers, and what the
//! consistency report says about provincial decisions.

use std::collections::{BTreeSet, HashSet};

use quanze_core::devolution::{
    Entrustment, GrantTarget, Issuer, OwnNameBasis, OwnNameBasisKind, ProvincialDecision,
};
use quanze_core::review::{ReviewContext, ReviewItem, check_items};
use quanze_core::{
    DocNo, DutyKind, ExerciseLevel, GrantMode, LawRegistry, ListScope, PowerCategory, PowerSource,
    ReadinessState, RegionCode, UnitId, UnitKind,
};
use quanze_service::devolution::{NewGrant, ReadinessInput};

use crate::helpers::{d, demo, login};

const DEVOLUTION_FINDINGS: [&str; 4] = [
    "penalty_without_provincial_decision",
    "devolved_without_grant",
    "grant_not_found",
    "grant_mode_mismatch",
];

/// Before issue 14, `draft_for_law` on a law the template's penalty items cite gave every
/// devolved township penalty item a finding no one could clear (the grant was on the
/// department's item, the check looked on the template's). Now each names its grant, and the
/// review — run as `SubmitForReview` runs it — finds nothing to say about devolution.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_for_law_on_a_township_penalty_law_leaves_no_devolution_finding() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let laws = service.laws().await.unwrap();
    // The 1996 行政处罚法, amended on 2021-07-15, cited by the township penalty items.
    let old = laws
        .iter()
        .find(|l| l.title.contains("行政处罚法") && l.in_force_until.is_some())
        .expect("the demo's amended edition");
    let (view, _) =
        service.draft_for_law(&editor, old.id, d(2027, 1, 1), Default::default()).await.unwrap();
    let catalog = service.catalog();
    let template = catalog
        .lists
        .iter()
        .find(|l| matches!(l.scope, ListScope::TownshipTemplate { .. }))
        .unwrap()
        .id;
    let township: Vec<_> = view
        .set
        .changes
        .iter()
        .filter(|c| c.list == template)
        .filter_map(|c| Some((c.item(), c.content()?.clone())))
        .filter(|(_, c)| {
            c.category == PowerCategory::Penalty
                && c.level == ExerciseLevel::Township
                && matches!(c.source, PowerSource::Devolved | PowerSource::Entrusted)
        })
        .collect();
    assert!(township.len() > 5, "devolved township penalties are drafted: {}", township.len());
    assert!(township.iter().all(|(_, c)| c.grant.is_some()), "each names its grant");

    let registry = LawRegistry::new(laws.clone());
    let known: HashSet<UnitId> = catalog.units.iter().map(|u| u.id).collect();
    let ctx = ReviewContext {
        laws: &registry,
        known_units: &known,
        effective_on: d(2027, 1, 1),
        grants: &catalog.grants,
    };
    let review = |items: &[(quanze_core::ItemId, quanze_core::ItemContent)]| {
        let items: Vec<ReviewItem<'_>> = items
            .iter()
            .map(|(item, content)| ReviewItem {
                item: *item,
                list: template,
                duty: DutyKind::Own,
                content,
            })
            .collect();
        check_items(&items, &ctx)
    };
    for f in review(&township) {
        let codes: Vec<_> = f.issues.iter().map(|i| i.code.as_str()).collect();
        assert!(codes.iter().all(|c| !DEVOLUTION_FINDINGS.contains(c)), "{}: {codes:?}", f.name);
    }
    // Without its link, the same item is refused: the check is real.
    let mut unlinked = township[0].clone();
    unlinked.1.grant = None;
    let f = review(&[unlinked]).remove(0);
    assert!(f.issues.iter().any(|i| i.code == "devolved_without_grant"), "{:?}", f.issues);
    assert!(f.issues.iter().any(|i| i.message_zh.contains("法无授权不可为")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_shows_the_township_entries_it_produced_and_its_legal_record() {
    let (_dir, service) = demo().await;
    let views = service.grants(d(2026, 4, 1));
    let linked: Vec<_> = views.iter().filter(|v| !v.entries.is_empty()).collect();
    assert!(linked.len() > 5, "the template's grants: {}", linked.len());
    for v in &linked {
        match v.grant.mode {
            GrantMode::Direct => {
                let decision = v.grant.provincial_decision.as_ref().expect("a decision");
                assert!(decision.issuer.is_provincial());
            }
            GrantMode::Entrusted => assert!(v.grant.entrustment.is_some()),
            other => panic!("unexpected mode {other:?}"),
        }
        assert!(v.entries.iter().all(|e| e.list_name.contains("通用目录")), "{:?}", v.entries);
    }
    // The vertically managed units are marked; seconded units sit under real departments.
    let catalog = service.catalog();
    let vertical: BTreeSet<_> = catalog
        .units
        .iter()
        .filter(|u| u.is_vertically_managed())
        .map(|u| u.name.clone())
        .collect();
    assert_eq!(vertical.len(), 3, "{vertical:?}");
    for u in catalog.units.iter().filter(|u| u.kind == UnitKind::Seconded) {
        let parent = catalog.unit(u.parent.unwrap()).unwrap();
        let wanted =
            if u.name.contains("市场监督") { "市场监督管理局" } else { "自然资源" };
        assert!(parent.name.contains(wanted), "{} under {}", u.name, parent.name);
    }
}

/// A licensing power a department holds and no grant covers, and two towns.
fn free_power(
    service: &quanze_service::Service,
    category: PowerCategory,
) -> (UnitId, quanze_core::ItemId, Vec<UnitId>) {
    let catalog = service.catalog();
    let today = service.today();
    let (dept, item) = catalog
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Department)
        .find_map(|u| {
            catalog.holdings.holdings(u.id, today).find_map(|e| {
                let c = catalog.content(e)?;
                (c.category == category
                    && e.duty == DutyKind::Own
                    && !catalog.grants.iter().any(|g| g.item == e.item))
                .then_some((u.id, e.item))
            })
        })
        .expect("a free department power");
    let towns = catalog
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Township)
        .take(2)
        .map(|u| u.id)
        .collect();
    (dept, item, towns)
}

fn decision(region: &str, published_on: chrono::NaiveDate) -> ProvincialDecision {
    ProvincialDecision {
        issuer: Issuer { name: "某机关".into(), region: RegionCode::parse(region).unwrap() },
        doc_no: DocNo::parse("皖政〔2026〕3号").unwrap(),
        published_on,
        next_evaluation: published_on + chrono::Days::new(730),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_mode_is_refused_without_its_legal_record_and_nothing_is_written() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let (dept, penalty, towns) = free_power(&service, PowerCategory::Penalty);
    let from = service.today() + chrono::Days::new(30);
    let published = service.today();
    let new = NewGrant {
        item: penalty,
        from: dept,
        to: GrantTarget::Towns { towns: towns.iter().copied().collect() },
        mode: GrantMode::Direct,
        effective_from: from,
        effective_until: None,
        batch: "第三批".into(),
        confirmation_doc: None,
        provincial_decision: None,
        entrustment: None,
        own_name_basis: None,
    };
    let events = service.store().event_count().await.unwrap();
    let grants = service.catalog().grants.len();
    let refused = |new: NewGrant| {
        let (service, editor) = (&service, &editor);
        async move { service.create_grant(editor, new).await.unwrap_err() }
    };
    let err = refused(new.clone()).await;
    assert_eq!(err.code(), "penalty_without_provincial_decision");
    assert!(err.zh().starts_with("行政处罚法第二十四条"), "{}", err.zh());
    let city = NewGrant { provincial_decision: Some(decision("341100", published)), ..new.clone() };
    let err = refused(city).await;
    assert_eq!(err.code(), "decision_not_provincial");
    assert!(err.zh().contains("不是省级机关"), "{}", err.zh());
    let entrusted = NewGrant { mode: GrantMode::Entrusted, ..new.clone() };
    let err = refused(entrusted.clone()).await;
    assert_eq!(err.code(), "entrustment_without_letter");
    assert!(err.zh().contains("行政处罚法第二十条"), "{}", err.zh());
    let letter = Entrustment {
        doc_no: DocNo::parse("清委托〔2026〕9号").unwrap(),
        matters: "行政处罚".into(),
        scope: "本镇行政区域内".into(),
        term_from: from + chrono::Days::new(30),
        term_until: from + chrono::Days::new(1000),
        published_on: published,
    };
    let early = NewGrant { entrustment: Some(letter.clone()), ..entrusted.clone() };
    assert_eq!(refused(early).await.code(), "outside_entrustment_term");

    let (ldept, licence, _) = free_power(&service, PowerCategory::Licensing);
    let bare = NewGrant { item: licence, from: ldept, ..new.clone() };
    let err = refused(bare.clone()).await;
    assert_eq!(err.code(), "licence_without_own_name_basis");
    assert!(err.zh().contains("行政许可法第二十三条"), "{}", err.zh());
    assert_eq!(service.store().event_count().await.unwrap(), events, "nothing written");
    assert_eq!(service.catalog().grants.len(), grants);

    // With their records they go through, and an entrustment ends with its term.
    let ok = NewGrant { provincial_decision: Some(decision("340000", published)), ..new.clone() };
    service.create_grant(&editor, ok).await.unwrap();
    let basis = OwnNameBasis {
        kind: OwnNameBasisKind::ConcentratedLicensing,
        basis: quanze_core::LegalRef::article("中华人民共和国行政许可法", 25),
        doc_no: None,
    };
    let licensed = NewGrant { own_name_basis: Some(basis), ..bare };
    service.create_grant(&editor, licensed).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_penalty_power_needs_two_certified_officers_and_no_leader_waives_them() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let leader = login(&service, "leader").await;
    let catalog = service.catalog();
    // The demo's entrusted penalty power: one town trained, with a seal, no certified officers.
    let (grant, town) = catalog
        .grants
        .iter()
        .filter(|g| g.mode == GrantMode::Entrusted && g.batch == "第一批")
        .find_map(|g| {
            let r = catalog
                .readiness
                .iter()
                .find(|r| r.grant == g.id && r.seal && r.officers.is_empty())?;
            Some((g.id, r.town))
        })
        .expect("the pending town of the penalty grant");
    let state = catalog.readiness.iter().find(|r| r.grant == grant && r.town == town).unwrap();
    assert!(state.certificates_required);
    drop(catalog);
    let events = service.store().event_count().await.unwrap();
    let err = service
        .override_readiness(&leader, grant, town, "县政府同意先行承接", d(2026, 4, 1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "readiness_not_waivable");
    assert!(err.zh().contains("行政处罚法第四十二条"), "{}", err.zh());
    assert_eq!(service.store().event_count().await.unwrap(), events, "nothing written");

    // A training record alone does not do; two certified officers and the confirmation do,
    // and their names and numbers stay out of the leaf.
    let trained = ReadinessInput {
        staff: vec![quanze_core::devolution::TrainedStaff {
            name: "王五".into(),
            trainings: vec![quanze_core::devolution::TrainingRecord {
                course: "综合行政执法业务培训".into(),
                date: d(2026, 3, 1),
            }],
        }],
        system_access: true,
        seal: true,
        funding: true,
        guidance_doc: Some("办事指南".into()),
        confirmed_on: Some(d(2026, 4, 1)),
        officers: Vec::new(),
    };
    let (state, _) = service.record_readiness(&editor, grant, town, trained.clone()).await.unwrap();
    assert!(matches!(state, ReadinessState::Pending { .. }), "{state:?}");
    let officers = |n: &str| quanze_core::devolution::EnforcementOfficer {
        name: format!("执法员{n}"),
        certificate: quanze_core::devolution::CertificateNo::parse(&format!("AH99{n}")).unwrap(),
    };
    let certified =
        ReadinessInput { officers: vec![officers("0101"), officers("0102")], ..trained };
    let (state, _) = service.record_readiness(&editor, grant, town, certified).await.unwrap();
    assert_eq!(state, ReadinessState::Ready);
    let last = service.store().events(0, 1_000_000).await.unwrap().pop().unwrap();
    let leaf = last.payload.to_string();
    assert!(!leaf.contains("AH990101") && !leaf.contains("执法员"), "{leaf}");
    assert_eq!(last.payload["officers"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consistency_report_names_decisions_due_for_evaluation() {
    let (_dir, service) = demo().await;
    assert!(service.consistency_report(d(2026, 4, 1)).overdue_evaluations.is_empty());
    // The province's decision is to be evaluated by 2027-06-30.
    let later = service.consistency_report(d(2027, 7, 1));
    assert!(!later.overdue_evaluations.is_empty());
    assert!(later.overdue_evaluations.iter().all(|o| o.problem_zh.contains("第二十四条")));
    assert!(later.overdue_evaluations.iter().all(|o| o.next_evaluation == Some(d(2027, 6, 30))));
    // A town's template item and the grant it names are one holding, not two.
    assert!(
        later.held_twice.iter().all(|h| !h.through.iter().any(|t| t.contains("第一批"))),
        "{:?}",
        later.held_twice
    );
}
