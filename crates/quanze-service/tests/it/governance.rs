//! The demo county's governance history and what is built on it: the change set published
//! after three rounds, the two devolution batches with readiness in every state, the
//! establishment and its refusals, and the consistency and devolution reports.

use quanze_core::establishment::{FunctionalBody, Quota};
use quanze_core::workflow::Stage;
use quanze_core::{EstablishmentChange, QuotaKind, UnitKind};

use crate::helpers::{d, demo, login};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_a_change_set_history() {
    let (_dir, service) = demo().await;
    // One change set, through three rounds, a comment period and review, published.
    let sets = service.change_sets().await.unwrap();
    assert_eq!(sets.len(), 1);
    let set = &sets[0].set;
    assert_eq!(set.flow.stage, Stage::Published);
    assert_eq!(set.rounds.len(), 3, "三上三下");
    assert!(set.rounds.iter().all(|r| r.opinions.iter().all(|o| o.resolution.is_some())));
    assert_eq!(set.comments.as_ref().unwrap().comments.len(), 1);
    assert!(set.review.is_some());
    // The list it changed has a version from 2026-07-01 under the approval's number.
    let catalog = service.catalog();
    let published = set.published.first().expect("a published version");
    let list = catalog.version(*published).unwrap().list;
    let v = catalog.version_on(list, d(2026, 7, 1)).unwrap();
    assert_eq!(v.effective_from, Some(d(2026, 7, 1)));
    assert_eq!(v.doc_no.as_ref().unwrap().as_str(), "清编〔2026〕12号");
    assert_ne!(catalog.version_on(list, d(2026, 6, 30)).unwrap().id, v.id, "the old one is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_devolution_batches_in_every_state_and_reports_them() {
    let (_dir, service) = demo().await;
    // Devolution: two batches, readiness in every state on 2026-04-01.
    let report = service.devolution_report(d(2026, 4, 1));
    let sum = |f: fn(&quanze_service::reports::TownDevolution) -> usize| {
        report.towns.iter().map(f).sum::<usize>()
    };
    assert_eq!(sum(|t| t.granted), report.details.len());
    assert!(sum(|t| t.active) >= 3, "{report:#?}");
    assert!(sum(|t| t.pending) >= 2);
    assert_eq!(sum(|t| t.overridden), 1);
    assert_eq!(sum(|t| t.reclaimed), 1);
    let batches: std::collections::BTreeSet<_> =
        report.details.iter().map(|d| d.batch.as_str()).collect();
    assert_eq!(batches.into_iter().collect::<Vec<_>>(), ["第一批", "第二批"]);
    // Before the first batch nothing is active.
    let before = service.devolution_report(d(2025, 8, 31));
    assert_eq!(before.towns.iter().map(|t| t.active).sum::<usize>(), 0);

    // The consistency report names the pending town of the penalty grant.
    let consistency = service.consistency_report(d(2026, 4, 1));
    assert!(!consistency.unready_grants.is_empty());
    assert!(consistency.unready_grants.iter().all(|g| !g.missing_zh.is_empty()));
    // Both reports as xlsx.
    for sheets in [consistency.sheets(), report.sheets()] {
        let bytes = quanze_service::reports::xlsx(&sheets).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}

/// The template's penalty powers (the grants that produced township entries) are taken by
/// every town with two certified officers and a signed 承接确认书 (行政处罚法 第42条), but for
/// two towns that cannot take them yet: one has a single certified officer, one has not signed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_template_batch_is_ready_in_all_but_two_towns() {
    use quanze_core::devolution::{ReadinessItem, ReadinessState};
    use std::collections::{BTreeMap, BTreeSet};
    let (_dir, service) = demo().await;
    let on = d(2026, 4, 1);
    let catalog = service.catalog();
    let template: Vec<_> =
        service.grants(on).into_iter().filter(|g| !g.entries.is_empty()).collect();
    assert!(template.len() >= 50, "{}", template.len());
    let mut pending: BTreeMap<String, BTreeSet<Vec<ReadinessItem>>> = BTreeMap::new();
    let mut ready = 0;
    for g in &template {
        for t in &g.towns {
            match &t.state {
                ReadinessState::Ready => {
                    ready += 1;
                    assert!(t.active, "{} {}", g.item_name, t.name);
                    let r = catalog
                        .readiness
                        .iter()
                        .find(|r| r.grant == g.grant.id && r.town == t.town)
                        .expect("recorded");
                    assert!(r.certificates_required && r.officers.len() >= 2, "{r:?}");
                    assert!(r.confirmed_on.is_some_and(|c| c >= g.grant.effective_from));
                }
                ReadinessState::Pending { missing } => {
                    assert!(!t.active);
                    pending.entry(t.name.clone()).or_default().insert(missing.clone());
                }
                other => panic!("{} in {}: {other:?}", g.item_name, t.name),
            }
        }
    }
    let expected: BTreeMap<String, BTreeSet<Vec<ReadinessItem>>> = [
        (
            "黄泥岗镇人民政府",
            vec![ReadinessItem::EnforcementCertificates, ReadinessItem::Confirmation],
        ),
        ("城西街道办事处", vec![ReadinessItem::Confirmation]),
    ]
    .into_iter()
    .map(|(town, missing)| (town.to_owned(), BTreeSet::from([missing])))
    .collect();
    assert_eq!(pending, expected);
    let towns = catalog.units.iter().filter(|u| u.kind.is_township_level()).count();
    assert!(ready >= template.len() * (towns - 3), "{ready} of {} grants", template.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_an_establishment() {
    let (_dir, service) = demo().await;
    // Establishment: every town has its bodies, every department a quota, two seconded units.
    let e = service.establishment();
    assert!(e.towns.iter().all(|t| (6..=7).contains(&t.bodies.len())));
    assert_eq!(e.secondments.len(), 2);
    assert!(e.adjustments.iter().any(|a| a.approval.is_some()));
    assert!(e.totals.iter().any(|t| t.kind == QuotaKind::Administrative && t.total > 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn establishment_refusals_change_nothing() {
    let (_dir, service) = demo().await;
    let editor = login(&service, "editor").await;
    let clerk = login(&service, "clerk").await;
    let catalog = service.catalog();
    let town = catalog.units.iter().find(|u| u.kind == UnitKind::Township).unwrap().id;
    let dept = catalog.units.iter().find(|u| u.kind == UnitKind::Department).unwrap().id;
    let before = service.establishment();
    let events = service.store().event_count().await.unwrap();

    let eleven = (0..11)
        .map(|i| FunctionalBody { name: format!("办公室{i}"), functions: String::new() })
        .collect();
    let err = service
        .change_establishment(&editor, EstablishmentChange::SetBodies { town, bodies: eleven })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "too_many_bodies");
    assert!(err.zh().contains("超过限额10个"), "{}", err.zh());

    let now = catalog.establishment.quota(dept, QuotaKind::Administrative);
    let rise = EstablishmentChange::AdjustQuotas {
        quotas: vec![Quota { unit: dept, kind: QuotaKind::Administrative, amount: now + 1 }],
        reason: "业务量增加".into(),
        approval: None,
    };
    let err = service.change_establishment(&editor, rise.clone()).await.unwrap_err();
    assert_eq!(err.code(), "quota_increase_without_approval");
    assert!(err.zh().contains("只减不增"), "{}", err.zh());
    assert_eq!(service.change_establishment(&clerk, rise).await.unwrap_err().code(), "forbidden");
    assert_eq!(service.store().event_count().await.unwrap(), events, "nothing written");
    assert_eq!(service.establishment().totals.len(), before.totals.len());

    // A cut goes through with its event, and the county total falls by one.
    let total = |v: &quanze_service::establishment::EstablishmentView| {
        v.totals.iter().find(|t| t.kind == QuotaKind::Administrative).unwrap().total
    };
    let cut = EstablishmentChange::AdjustQuotas {
        quotas: vec![Quota { unit: dept, kind: QuotaKind::Administrative, amount: now - 1 }],
        reason: "精简".into(),
        approval: None,
    };
    let (after, _) = service.change_establishment(&editor, cut).await.unwrap();
    assert_eq!(total(&after), total(&before) - 1);
    let last = service.store().events(0, 1_000_000).await.unwrap().pop().unwrap();
    assert_eq!(last.kind, "establishment.quotas_adjusted");
}
