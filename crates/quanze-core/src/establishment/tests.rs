use super::*;
use crate::fixtures::{d, unit};

fn u(n: u128, kind: UnitKind, region: &str) -> Unit {
    Unit {
        id: unit(n),
        name: format!("单位{n}"),
        kind,
        region: RegionCode::parse(region).unwrap(),
        credit_code: None,
        parent: None,
        tags: Default::default(),
    }
}

fn units() -> Vec<Unit> {
    vec![
        u(1, UnitKind::Department, "330603"),
        u(2, UnitKind::Department, "330603"),
        u(3, UnitKind::Township, "330603107"),
        u(4, UnitKind::Seconded, "330603107"),
        // Another county.
        u(5, UnitKind::Department, "330604"),
    ]
}

fn bodies(n: usize) -> Vec<FunctionalBody> {
    (0..n).map(|i| FunctionalBody { name: format!("机构{i}"), functions: String::new() }).collect()
}

fn quota(n: u128, kind: QuotaKind, amount: u32) -> Quota {
    Quota { unit: unit(n), kind, amount }
}

fn adjust(quotas: Vec<Quota>, approval: Option<QuotaApproval>) -> EstablishmentChange {
    EstablishmentChange::AdjustQuotas { quotas, reason: "机构改革".into(), approval }
}

fn apply(e: &Establishment, c: &EstablishmentChange) -> Result<Establishment, EstablishmentError> {
    e.apply(c, d(2026, 5, 1), &units(), EstablishmentRules::default())
}

#[test]
fn a_town_has_at_most_the_limit_of_bodies_with_distinct_names() {
    let e = Establishment::default();
    let set = |n| EstablishmentChange::SetBodies { town: unit(3), bodies: bodies(n) };
    let ten = apply(&e, &set(10)).unwrap();
    assert_eq!(ten.bodies[&unit(3)].len(), 10);
    let err = apply(&ten, &set(11)).unwrap_err();
    assert_eq!(err, EstablishmentError::TooManyBodies { town: "单位3".into(), count: 11, max: 10 });
    assert_eq!(err.zh(), "“单位3”内设机构将达11个，超过限额10个");
    // The limit is the province's to set.
    let strict = EstablishmentRules { max_bodies_per_town: 7 };
    assert!(matches!(
        e.apply(&set(8), d(2026, 5, 1), &units(), strict).unwrap_err(),
        EstablishmentError::TooManyBodies { .. }
    ));

    let mut twice = bodies(2);
    twice[1].name = " 机构0 ".into();
    let err =
        apply(&e, &EstablishmentChange::SetBodies { town: unit(3), bodies: twice }).unwrap_err();
    assert!(matches!(err, EstablishmentError::DuplicateBody { .. }));
    let err = apply(&e, &EstablishmentChange::SetBodies { town: unit(1), bodies: bodies(1) })
        .unwrap_err();
    assert!(matches!(err, EstablishmentError::NotATown(_)));
    // Emptying a town's bodies removes its entry.
    let none = apply(&ten, &set(0)).unwrap();
    assert!(none.bodies.is_empty());
}

#[test]
fn totals_only_decrease_without_an_approval() {
    let e = Establishment::default();
    // The first numbers are the baseline.
    let base = apply(
        &e,
        &adjust(
            vec![
                quota(1, QuotaKind::Administrative, 20),
                quota(2, QuotaKind::Administrative, 10),
                quota(3, QuotaKind::Institutional, 30),
            ],
            None,
        ),
    )
    .unwrap();
    let county = RegionCode::parse("330603").unwrap().county().unwrap();
    assert_eq!(base.totals(&units())[&(county.clone(), QuotaKind::Administrative)], 30);

    // Moving two posts from one department to another keeps the total: allowed.
    let moved = apply(
        &base,
        &adjust(
            vec![quota(1, QuotaKind::Administrative, 18), quota(2, QuotaKind::Administrative, 12)],
            None,
        ),
    )
    .unwrap();
    assert_eq!(moved.quota(unit(2), QuotaKind::Administrative), 12);
    // A cut is allowed.
    let cut = apply(&moved, &adjust(vec![quota(3, QuotaKind::Institutional, 28)], None)).unwrap();
    assert_eq!(cut.adjustments.len(), 3);

    // A rise is refused without an approval, and nothing changed.
    let rise = adjust(vec![quota(1, QuotaKind::Administrative, 19)], None);
    let err = apply(&cut, &rise).unwrap_err();
    assert_eq!(
        err,
        EstablishmentError::IncreaseWithoutApproval {
            county: county.clone(),
            kind: QuotaKind::Administrative,
            before: 30,
            after: 31
        }
    );
    assert!(err.zh().contains("只减不增"), "{}", err.zh());
    // A new kind in a county that already has quotas is a rise too.
    let err = apply(&cut, &adjust(vec![quota(1, QuotaKind::LeaderPosts, 2)], None)).unwrap_err();
    assert!(matches!(err, EstablishmentError::IncreaseWithoutApproval { .. }));
    // Another county's first numbers are its own baseline.
    apply(&cut, &adjust(vec![quota(5, QuotaKind::Administrative, 9)], None)).unwrap();
    // A cut to zero does not make the next numbers a new baseline.
    let zero = apply(
        &cut,
        &adjust(
            vec![
                quota(1, QuotaKind::Administrative, 0),
                quota(2, QuotaKind::Administrative, 0),
                quota(3, QuotaKind::Institutional, 0),
            ],
            None,
        ),
    )
    .unwrap();
    assert!(zero.totals(&units()).is_empty());
    let err = apply(&zero, &adjust(vec![quota(1, QuotaKind::Administrative, 50)], None));
    assert!(matches!(err.unwrap_err(), EstablishmentError::IncreaseWithoutApproval { .. }));
    // Amounts near the top of u32 add up without wrapping.
    let huge = adjust(
        vec![
            quota(1, QuotaKind::Administrative, u32::MAX),
            quota(2, QuotaKind::Administrative, u32::MAX),
        ],
        None,
    );
    let err = apply(&cut, &huge).unwrap_err();
    assert!(
        matches!(err, EstablishmentError::IncreaseWithoutApproval { after, .. } if after == 2 * u64::from(u32::MAX))
    );

    let approval = QuotaApproval {
        approver: "市机构编制委员会".into(),
        doc_no: DocNo::parse("某编〔2026〕3号").unwrap(),
        approved_on: d(2026, 4, 20),
    };
    let approved =
        apply(&cut, &adjust(vec![quota(1, QuotaKind::Administrative, 19)], Some(approval.clone())))
            .unwrap();
    assert_eq!(approved.adjustments.last().unwrap().approval, Some(approval));
}

#[test]
fn bad_adjustments_are_refused() {
    let base = apply(
        &Establishment::default(),
        &adjust(vec![quota(1, QuotaKind::Administrative, 5)], None),
    )
    .unwrap();
    let same = adjust(vec![quota(1, QuotaKind::Administrative, 5)], None);
    assert_eq!(apply(&base, &same).unwrap_err(), EstablishmentError::EmptyAdjustment);
    let twice = adjust(
        vec![quota(1, QuotaKind::Administrative, 4), quota(1, QuotaKind::Administrative, 3)],
        None,
    );
    assert!(matches!(apply(&base, &twice).unwrap_err(), EstablishmentError::DuplicateQuota { .. }));
    let unknown = adjust(vec![quota(99, QuotaKind::Administrative, 1)], None);
    assert_eq!(apply(&base, &unknown).unwrap_err(), EstablishmentError::UnknownUnit(unit(99)));
    let no_reason = EstablishmentChange::AdjustQuotas {
        quotas: vec![quota(1, QuotaKind::Administrative, 4)],
        reason: " ".into(),
        approval: None,
    };
    assert!(matches!(apply(&base, &no_reason).unwrap_err(), EstablishmentError::EmptyAdjustment));
}

#[test]
fn secondments_name_who_appraises_and_are_checked() {
    let s = Secondment {
        unit: unit(4),
        department: unit(1),
        town: unit(3),
        town_appraisal_percent: 60,
        town_consulted_on_appointments: true,
        since: d(2025, 1, 1),
    };
    let e = apply(
        &Establishment::default(),
        &EstablishmentChange::SetSecondment { secondment: s.clone() },
    )
    .unwrap();
    assert_eq!(e.secondments[&unit(4)].appraised_mainly_by(), unit(3));
    let department_led = Secondment { town_appraisal_percent: 40, ..s.clone() };
    assert_eq!(department_led.appraised_mainly_by(), unit(1));

    let set = |s: Secondment| EstablishmentChange::SetSecondment { secondment: s };
    let err = apply(&e, &set(Secondment { unit: unit(2), ..s.clone() })).unwrap_err();
    assert!(matches!(err, EstablishmentError::NotSeconded(_)));
    let err = apply(&e, &set(Secondment { department: unit(3), ..s.clone() })).unwrap_err();
    assert!(matches!(err, EstablishmentError::NotADepartment(_)));
    let err = apply(&e, &set(Secondment { town: unit(2), ..s.clone() })).unwrap_err();
    assert!(matches!(err, EstablishmentError::NotATown(_)));
    let err = apply(&e, &set(Secondment { town_appraisal_percent: 101, ..s })).unwrap_err();
    assert_eq!(err, EstablishmentError::BadAppraisalShare(101));

    let ended = apply(&e, &EstablishmentChange::EndSecondment { unit: unit(4) }).unwrap();
    assert!(ended.secondments.is_empty());
    let err = apply(&ended, &EstablishmentChange::EndSecondment { unit: unit(4) }).unwrap_err();
    assert!(matches!(err, EstablishmentError::NoSecondment(_)));
}
