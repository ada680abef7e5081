use std::collections::BTreeSet;

use super::*;
use crate::fixtures::{at, d, item, power, uid, unit, units, user};

fn gid(n: u128) -> GrantId {
    GrantId::from_uuid(uid(500 + n))
}

fn grant(n: u128, towns: &[u128], from: NaiveDate, until: Option<NaiveDate>) -> Grant {
    Grant {
        id: gid(n),
        item: item(1),
        from: unit(1),
        to: GrantTarget::Towns { towns: towns.iter().map(|t| unit(*t)).collect::<BTreeSet<_>>() },
        mode: GrantMode::Direct,
        effective_from: from,
        effective_until: until,
        batch: "第一批".into(),
        confirmation_doc: None,
        provincial_decision: None,
        entrustment: None,
        own_name_basis: Some(by_law()),
        legacy_decision: None,
    }
}

/// A law giving towns the power in their own name (行政许可法 第23条).
fn by_law() -> OwnNameBasis {
    OwnNameBasis {
        kind: OwnNameBasisKind::ByLaw,
        basis: crate::item::LegalRef::article("中华人民共和国土地管理法", 62),
        doc_no: None,
    }
}

fn decision(region: &str, published_on: NaiveDate) -> ProvincialDecision {
    ProvincialDecision {
        issuer: Issuer {
            name: "某省人民政府".into(),
            region: crate::codes::RegionCode::parse(region).unwrap(),
        },
        doc_no: DocNo::parse("某政发〔2024〕12号").unwrap(),
        published_on,
        next_evaluation: d(2027, 1, 1),
    }
}

fn letter(term_from: NaiveDate, term_until: NaiveDate) -> Entrustment {
    Entrustment {
        doc_no: DocNo::parse("某市监委〔2024〕3号").unwrap(),
        matters: "食品经营违法行为的行政处罚".into(),
        scope: "本镇行政区域内，以委托机关名义作出行政处罚决定".into(),
        term_from,
        term_until,
        published_on: term_from,
    }
}

fn ready(grant: GrantId, town: UnitId, on: NaiveDate) -> Readiness {
    Readiness {
        staff: vec![TrainedStaff {
            name: "张三".into(),
            trainings: vec![TrainingRecord {
                course: "食品经营许可业务培训".into(), date: on
            }],
        }],
        system_access: true,
        seal: true,
        funding: true,
        guidance_doc: Some("食品经营许可办事指南".into()),
        confirmed_on: Some(on),
        ..Readiness::new(grant, town)
    }
}

/// The department holds item 1 from 2024 on.
fn holds(u: UnitId, i: ItemId, date: NaiveDate) -> bool {
    u == unit(1) && i == item(1) && date >= d(2024, 1, 1)
}

fn check(
    g: &Grant,
    category: PowerCategory,
    existing: &[Grant],
    reclaims: &[GrantReclaim],
) -> Result<Vec<UnitId>, GrantError> {
    let units: Vec<std::sync::Arc<Unit>> = units().into_iter().map(std::sync::Arc::new).collect();
    let content = power("食品经营许可", category, unit(1));
    let ctx = GrantContext { units: &units, grants: existing, reclaims, readiness: &[] };
    validate_grant(g, &content, holds, ctx)
}

#[test]
fn grants_are_refused_with_a_reason() {
    let lic = PowerCategory::Licensing;
    let g = grant(1, &[11, 12], d(2025, 1, 1), None);
    assert_eq!(check(&g, lic, &[], &[]), Ok(vec![unit(11), unit(12)]));

    let backwards = grant(1, &[11], d(2025, 1, 1), Some(d(2025, 1, 1)));
    assert!(matches!(check(&backwards, lic, &[], &[]), Err(GrantError::EmptyWindow { .. })));
    assert_eq!(check(&grant(1, &[], d(2025, 1, 1), None), lic, &[], &[]), Err(GrantError::NoTowns));
    assert_eq!(
        check(&grant(1, &[1], d(2025, 1, 1), None), lic, &[], &[]),
        Err(GrantError::NotATown(unit(1)))
    );

    let early = grant(1, &[11], d(2023, 6, 1), None);
    let err = check(&early, lic, &[], &[]).unwrap_err();
    assert!(matches!(err, GrantError::DepartmentDoesNotHold { .. }));
    assert!(err.zh().contains("不享有"), "{}", err.zh());

    let entrusted = Grant {
        mode: GrantMode::Entrusted,
        entrustment: Some(letter(d(2025, 1, 1), d(2028, 1, 1))),
        ..g.clone()
    };
    assert_eq!(
        check(&entrusted, PowerCategory::CoerciveMeasure, &[], &[]),
        Err(GrantError::CoercionEntrusted)
    );
    assert!(
        check(&g, PowerCategory::CoerciveMeasure, &[], &[]).is_ok(),
        "直接下放 of a coercion power is not entrusting"
    );

    assert_eq!(
        check(&g, PowerCategory::Penalty, &[], &[]),
        Err(GrantError::PenaltyWithoutProvincialDecision)
    );
    let decided =
        Grant { provincial_decision: Some(decision("330000", d(2024, 12, 1))), ..g.clone() };
    assert!(check(&decided, PowerCategory::Penalty, &[], &[]).is_ok());
}

#[test]
fn each_mode_has_its_legal_conditions() {
    let pen = PowerCategory::Penalty;
    let g = grant(1, &[11], d(2025, 1, 1), None);
    // 处罚法 24: the decision is a provincial body's, published before the grant, evaluated.
    let city = Grant { provincial_decision: Some(decision("330600", d(2024, 12, 1))), ..g.clone() };
    let err = check(&city, pen, &[], &[]).unwrap_err();
    assert!(matches!(err, GrantError::DecisionNotProvincial { .. }));
    assert!(err.zh().starts_with("行政处罚法第二十四条"), "{}", err.zh());
    let late = Grant { provincial_decision: Some(decision("330000", d(2025, 2, 1))), ..g.clone() };
    assert!(matches!(check(&late, pen, &[], &[]), Err(GrantError::DecisionNotPublished { .. })));
    let mut never = decision("330000", d(2024, 12, 1));
    never.next_evaluation = never.published_on;
    let never = Grant { provincial_decision: Some(never), ..g.clone() };
    assert!(matches!(check(&never, pen, &[], &[]), Err(GrantError::EvaluationNotScheduled { .. })));

    // 委托: a published 委托书 whose term covers the start; no decision is needed.
    let entrusted = Grant { mode: GrantMode::Entrusted, ..g.clone() };
    assert_eq!(check(&entrusted, pen, &[], &[]), Err(GrantError::EntrustmentWithoutLetter));
    let with = |e: Entrustment| Grant { entrustment: Some(e), ..entrusted.clone() };
    assert!(check(&with(letter(d(2025, 1, 1), d(2028, 1, 1))), pen, &[], &[]).is_ok());
    let vague = Entrustment { scope: " ".into(), ..letter(d(2025, 1, 1), d(2028, 1, 1)) };
    assert_eq!(check(&with(vague), pen, &[], &[]), Err(GrantError::EntrustmentIncomplete));
    let later = letter(d(2025, 3, 1), d(2028, 1, 1));
    assert!(matches!(
        check(&with(later), pen, &[], &[]),
        Err(GrantError::OutsideEntrustmentTerm { .. })
    ));
    let unpublished =
        Entrustment { published_on: d(2025, 2, 1), ..letter(d(2024, 1, 1), d(2028, 1, 1)) };
    assert!(matches!(
        check(&with(unpublished), pen, &[], &[]),
        Err(GrantError::EntrustmentNotPublished { .. })
    ));
    // The grant ends with the term: no window after it.
    let ending = with(letter(d(2025, 1, 1), d(2026, 1, 1)));
    assert_eq!(ending.ends(), Some(d(2026, 1, 1)));
    let r = ready(ending.id, unit(11), d(2025, 1, 1));
    assert_eq!(
        active_window(&ending, unit(11), Some(&r), &[]),
        Some((d(2025, 1, 1), Some(d(2026, 1, 1))))
    );

    // No re-entrustment: a power the department holds by entrustment is not passed on.
    let units: Vec<std::sync::Arc<Unit>> = units().into_iter().map(std::sync::Arc::new).collect();
    let mut held_by_entrustment = power("食品经营许可", pen, unit(1));
    held_by_entrustment.source = crate::item::PowerSource::Entrusted;
    let ctx = GrantContext { units: &units, grants: &[], reclaims: &[], readiness: &[] };
    let onward = with(letter(d(2025, 1, 1), d(2028, 1, 1)));
    assert_eq!(
        validate_grant(&onward, &held_by_entrustment, holds, ctx),
        Err(GrantError::ReEntrustment)
    );

    // Licences and coercive measures in the town's own name need their basis.
    let bare = Grant { own_name_basis: None, ..g.clone() };
    assert_eq!(
        check(&bare, PowerCategory::Licensing, &[], &[]),
        Err(GrantError::LicenceWithoutOwnNameBasis)
    );
    assert_eq!(
        check(&bare, PowerCategory::CoerciveMeasure, &[], &[]),
        Err(GrantError::CoercionWithoutOwnNameBasis)
    );
    let concentrated = Grant {
        own_name_basis: Some(OwnNameBasis {
            kind: OwnNameBasisKind::ConcentratedLicensing,
            ..by_law()
        }),
        ..g.clone()
    };
    assert!(check(&concentrated, PowerCategory::Licensing, &[], &[]).is_ok());
    assert_eq!(
        check(&concentrated, PowerCategory::CoerciveMeasure, &[], &[]),
        Err(GrantError::CoercionWithoutOwnNameBasis),
        "相对集中许可 does not give coercive measures"
    );
    // Only the town's own name needs it: a window moved forward does not.
    let window = Grant { mode: GrantMode::WindowForward, ..bare };
    assert!(check(&window, PowerCategory::Licensing, &[], &[]).is_ok());
}

#[test]
fn a_penalty_power_needs_two_certified_officers_and_the_confirmation() {
    let g = grant(1, &[11], d(2025, 1, 1), None);
    let mut r = ready(g.id, unit(11), d(2025, 2, 1));
    r.certificates_required = true;
    // Training alone does not do.
    assert_eq!(r.missing(), vec![ReadinessItem::EnforcementCertificates]);
    assert_eq!(active_window(&g, unit(11), Some(&r), &[]), None);
    // A leader cannot waive it.
    let err = r.override_with("先行承接", user(1), at(2025, 2, 1), d(2025, 2, 1)).unwrap_err();
    assert_eq!(err, GrantError::NotWaivable(vec![ReadinessItem::EnforcementCertificates]));
    assert!(err.zh().contains("行政处罚法第四十二条"), "{}", err.zh());
    assert!(r.overridden.is_none(), "nothing recorded");
    let officer = |name: &str, no: &str| EnforcementOfficer {
        name: name.into(),
        certificate: CertificateNo::parse(no).unwrap(),
    };
    r.officers = vec![officer("甲", "ZJ0601001"), officer("乙", "ZJ0601001")];
    assert!(r.missing().contains(&ReadinessItem::EnforcementCertificates), "one certificate twice");
    r.officers.push(officer("丙", "ZJ0601002"));
    assert!(r.missing().is_empty());
    assert_eq!(active_window(&g, unit(11), Some(&r), &[]), Some((d(2025, 2, 1), None)));
    // Without the confirmation's date it is not taken, and no waiver helps.
    r.confirmed_on = None;
    r.seal = false;
    assert_eq!(r.missing(), vec![ReadinessItem::Seal, ReadinessItem::Confirmation]);
    assert!(matches!(
        r.override_with("先行承接", user(1), at(2025, 2, 1), d(2025, 2, 1)),
        Err(GrantError::NotWaivable(_))
    ));
    // Other powers: a waiver of the seal still works.
    r.certificates_required = false;
    r.override_with("先行承接", user(1), at(2025, 2, 1), d(2025, 2, 3)).unwrap();
    assert_eq!(active_window(&g, unit(11), Some(&r), &[]), Some((d(2025, 2, 3), None)));
}

#[test]
fn a_town_gets_a_power_once_per_window() {
    let lic = PowerCategory::Licensing;
    let first = grant(1, &[11], d(2025, 1, 1), Some(d(2026, 1, 1)));
    let by_tag = Grant {
        to: GrantTarget::Tag { tag: Tag::parse("经济发达镇").unwrap() },
        ..grant(2, &[], d(2025, 6, 1), None)
    };
    assert_eq!(
        check(&by_tag, lic, std::slice::from_ref(&first), &[]),
        Err(GrantError::GrantedTwice { town: unit(11), other: gid(1) })
    );
    let earlier = grant(3, &[11], d(2024, 6, 1), Some(d(2025, 2, 1)));
    assert_eq!(
        check(&earlier, lic, std::slice::from_ref(&first), &[]),
        Err(GrantError::OverlappingWindow { town: unit(11), other: gid(1) })
    );
    let after = grant(4, &[11], d(2026, 1, 1), None);
    assert!(
        check(&after, lic, std::slice::from_ref(&first), &[]).is_ok(),
        "adjacent windows do not overlap"
    );
    // Reclaimed on 2025-07-01: a new grant from then on is fine.
    let reclaim = GrantReclaim {
        id: ReclaimId::from_uuid(uid(1)),
        grant: gid(1),
        town: unit(11),
        effective_on: d(2025, 7, 1),
        reason: "无力承接".into(),
        doc: None,
    };
    let regrant = grant(5, &[11], d(2025, 7, 1), None);
    assert!(
        check(&regrant, lic, std::slice::from_ref(&first), std::slice::from_ref(&reclaim)).is_ok()
    );
    assert!(check(&by_tag, lic, &[first], &[reclaim]).is_err(), "2025-06-01 is before the reclaim");
}

#[test]
fn readiness_states_and_active_windows() {
    let g = grant(1, &[11, 12, 13], d(2025, 1, 1), None);
    let mut pending = Readiness::new(g.id, unit(12));
    pending.seal = true;
    assert_eq!(
        pending.state(false),
        ReadinessState::Pending {
            missing: vec![
                ReadinessItem::TrainedStaff,
                ReadinessItem::SystemAccess,
                ReadinessItem::Funding,
                ReadinessItem::GuidanceDocument
            ]
        }
    );
    assert_eq!(active_window(&g, unit(12), Some(&pending), &[]), None);
    // Named staff without a training record do not count.
    pending.staff.push(TrainedStaff { name: "李四".into(), trainings: vec![] });
    assert!(pending.missing().contains(&ReadinessItem::TrainedStaff));

    assert_eq!(
        pending.override_with(" ", user(1), at(2025, 3, 1), d(2025, 3, 1)),
        Err(GrantError::MissingReason)
    );
    pending
        .override_with("县政府常务会议同意先行承接", user(1), at(2025, 3, 1), d(2025, 3, 2))
        .unwrap();
    assert!(matches!(pending.state(false), ReadinessState::Overridden { .. }));
    assert_eq!(active_window(&g, unit(12), Some(&pending), &[]), Some((d(2025, 3, 2), None)));

    let r11 = ready(g.id, unit(11), d(2025, 2, 10));
    assert_eq!(r11.state(false), ReadinessState::Ready);
    assert_eq!(r11.state(true), ReadinessState::Reclaimed);
    assert_eq!(active_window(&g, unit(11), Some(&r11), &[]), Some((d(2025, 2, 10), None)));
    // A confirmation before the grant starts counts from the grant's start.
    let r13 = ready(g.id, unit(13), d(2024, 12, 1));
    assert_eq!(active_window(&g, unit(13), Some(&r13), &[]), Some((d(2025, 1, 1), None)));
    // Someone else's readiness record does not count.
    assert_eq!(active_window(&g, unit(12), Some(&r11), &[]), None);
}

#[test]
fn reclaims_need_an_active_grant() {
    let g = grant(1, &[11, 12], d(2025, 1, 1), None);
    let units: Vec<std::sync::Arc<Unit>> = units().into_iter().map(std::sync::Arc::new).collect();
    let readiness = [ready(g.id, unit(11), d(2025, 2, 10)), Readiness::new(g.id, unit(12))];
    let reclaim = |town: u128, on| GrantReclaim {
        id: ReclaimId::from_uuid(uid(town)),
        grant: g.id,
        town: unit(town),
        effective_on: on,
        reason: "人员不足，无力承接".into(),
        doc: None,
    };
    let grants = [g.clone()];
    let ctx =
        |reclaims| GrantContext { units: &units, grants: &grants, reclaims, readiness: &readiness };
    assert!(validate_reclaim(&reclaim(11, d(2025, 6, 1)), ctx(&[])).is_ok());
    assert!(
        matches!(
            validate_reclaim(&reclaim(11, d(2025, 2, 1)), ctx(&[])),
            Err(GrantError::NoActiveGrant { .. })
        ),
        "not yet taken"
    );
    assert!(
        matches!(
            validate_reclaim(&reclaim(12, d(2025, 6, 1)), ctx(&[])),
            Err(GrantError::NoActiveGrant { .. })
        ),
        "pending"
    );
    assert!(
        matches!(
            validate_reclaim(&reclaim(13, d(2025, 6, 1)), ctx(&[])),
            Err(GrantError::NoActiveGrant { .. })
        ),
        "not a target"
    );
    let done = [reclaim(11, d(2025, 6, 1))];
    assert!(
        matches!(
            validate_reclaim(&reclaim(11, d(2025, 7, 1)), ctx(&done)),
            Err(GrantError::NoActiveGrant { .. })
        ),
        "reclaimed twice"
    );
    let other = GrantReclaim { grant: gid(9), ..reclaim(11, d(2025, 6, 1)) };
    assert_eq!(validate_reclaim(&other, ctx(&[])), Err(GrantError::UnknownGrant(gid(9))));
    let no_reason = GrantReclaim { reason: String::new(), ..reclaim(11, d(2025, 6, 1)) };
    assert_eq!(validate_reclaim(&no_reason, ctx(&[])), Err(GrantError::MissingReason));

    assert_eq!(readiness_state(&g, unit(11), d(2025, 6, 1), ctx(&done)), ReadinessState::Reclaimed);
    assert_eq!(readiness_state(&g, unit(11), d(2025, 5, 31), ctx(&done)), ReadinessState::Ready);
    assert!(matches!(
        readiness_state(&g, unit(12), d(2025, 5, 31), ctx(&done)),
        ReadinessState::Pending { .. }
    ));
    // The index answers as the scan does, for every town and day around the reclaim.
    let c = ctx(&done);
    let index = ReadinessIndex::new(c.readiness, c.reclaims);
    for town in [11, 12, 13] {
        for day in [d(2025, 5, 31), d(2025, 6, 1), d(2025, 7, 1)] {
            assert_eq!(index.state(g.id, unit(town), day), readiness_state(&g, unit(town), day, c));
        }
    }
}
