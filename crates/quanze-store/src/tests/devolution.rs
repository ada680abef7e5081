//! Devolution: grants, readiness, reclaims and the establishment.

use super::*;

contract!(grants_readiness_and_reclaims_round_trip_through_the_snapshot, |store| {
    use quanze_core::devolution::GrantTarget;
    use quanze_core::{Grant, GrantId, GrantMode, GrantReclaim, Readiness, ReclaimId};

    let (dept, town) = setup(&store).await;
    let grant = Grant {
        id: GrantId::from_uuid(Uuid::now_v7()),
        item: ItemId::from_uuid(Uuid::now_v7()),
        from: dept.id,
        to: GrantTarget::Towns { towns: BTreeSet::from([town.id]) },
        mode: GrantMode::Entrusted,
        effective_from: day(2026, 1, 1),
        effective_until: None,
        batch: "第一批".into(),
        confirmation_doc: Some(doc(3)),
        provincial_decision: None,
        entrustment: Some(quanze_core::devolution::Entrustment {
            doc_no: doc(4),
            matters: "食品经营违法行为的行政处罚".into(),
            scope: "本镇行政区域内，以委托机关名义".into(),
            term_from: day(2026, 1, 1),
            term_until: day(2029, 1, 1),
            published_on: day(2025, 12, 20),
        }),
        own_name_basis: None,
        legacy_decision: None,
    };
    store.put_grant(&grant, ev("grant.created")).await.unwrap();
    assert_conflict(store.put_grant(&grant, ev("grant.created")).await);
    let orphan = Grant {
        id: GrantId::from_uuid(Uuid::now_v7()),
        from: UnitId::from_uuid(Uuid::now_v7()),
        ..grant.clone()
    };
    assert_not_found(store.put_grant(&orphan, ev("grant.created")).await);

    let mut readiness = Readiness::new(grant.id, town.id);
    readiness.seal = true;
    readiness.officers = vec![quanze_core::devolution::EnforcementOfficer {
        name: "执法队员甲".into(),
        certificate: quanze_core::devolution::CertificateNo::parse("ZJ06010001").unwrap(),
    }];
    store.put_readiness(&readiness, ev("readiness")).await.unwrap();
    readiness.funding = true;
    store.put_readiness(&readiness, ev("readiness")).await.unwrap();
    let stray = Readiness::new(orphan.id, town.id);
    assert_not_found(store.put_readiness(&stray, ev("readiness")).await);
    let reclaim = GrantReclaim {
        id: ReclaimId::from_uuid(Uuid::now_v7()),
        grant: grant.id,
        town: town.id,
        effective_on: day(2026, 9, 1),
        reason: "承接能力不足".into(),
        doc: None,
    };
    store.put_reclaim(&reclaim, ev("reclaim")).await.unwrap();

    let snap = store.snapshot().await.unwrap();
    assert_eq!(snap.grants, vec![grant]);
    assert_eq!(snap.readiness, vec![readiness], "replaced, not added");
    assert_eq!(snap.reclaims, vec![reclaim]);
});

contract!(the_establishment_is_one_document_replaced_whole, |store| {
    use quanze_core::establishment::{FunctionalBody, Quota};
    use quanze_core::{Establishment, QuotaKind};

    let (dept, town) = setup(&store).await;
    assert_eq!(store.snapshot().await.unwrap().establishment, Establishment::default());
    let mut e = Establishment::default();
    e.bodies.insert(
        town.id,
        vec![FunctionalBody {
            name: "党政综合办公室".into(), functions: "综合协调".into()
        }],
    );
    e.quotas.entry(dept.id).or_default().insert(QuotaKind::Administrative, 12);
    store.put_establishment(&e, ev("establishment.bodies_set")).await.unwrap();
    assert_eq!(store.snapshot().await.unwrap().establishment, e);
    e.adjustments.push(quanze_core::establishment::QuotaAdjustment {
        on: day(2026, 5, 1),
        quotas: vec![Quota { unit: dept.id, kind: QuotaKind::Administrative, amount: 11 }],
        reason: "精简".into(),
        approval: None,
    });
    store.put_establishment(&e, ev("establishment.quotas_adjusted")).await.unwrap();
    assert_eq!(store.snapshot().await.unwrap().establishment, e, "replaced, not added");
});
