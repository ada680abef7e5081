use std::collections::BTreeSet;

use super::*;
use crate::devolution::{GrantTarget, TrainedStaff, TrainingRecord};
use crate::fixtures::{d, item, list, uid, unit, units};
use crate::list::ListEntry;
use crate::unit::Tag;

fn grant(n: u128, mode: GrantMode, to: GrantTarget, from: NaiveDate) -> Grant {
    Grant {
        id: GrantId::from_uuid(uid(500 + n)),
        item: item(1),
        from: unit(1),
        to,
        mode,
        effective_from: from,
        effective_until: None,
        batch: "第一批".into(),
        confirmation_doc: None,
        provincial_decision: None,
        entrustment: None,
        own_name_basis: None,
        legacy_decision: None,
    }
}

fn ready(grant: &Grant, town: u128, on: NaiveDate) -> Readiness {
    Readiness {
        staff: vec![TrainedStaff {
            name: "李四".into(),
            trainings: vec![TrainingRecord { course: "业务培训".into(), date: on }],
        }],
        system_access: true,
        seal: true,
        funding: true,
        guidance_doc: Some("办事指南".into()),
        confirmed_on: Some(on),
        ..Readiness::new(grant.id, unit(town))
    }
}

/// The department holds items 1 and 2 from 2025 until 2027-01-01; town 12 holds item 3 of its
/// own (a cooperation duty) and item 4 reclaimed.
fn holdings() -> ListHoldings {
    let mut h = ListHoldings::new();
    let own = |i| ListEntry { item: item(i), item_version: 2, duty: DutyKind::Own };
    h.add(
        unit(1),
        list(1),
        d(2025, 1, 1),
        Some(d(2027, 1, 1)),
        ListHoldings::sorted(vec![own(1), own(2)]),
    );
    let town_entries = vec![
        ListEntry { item: item(3), item_version: 1, duty: DutyKind::Cooperate { lead: unit(1) } },
        ListEntry {
            item: item(4),
            item_version: 1,
            duty: DutyKind::Reclaimed { receiver: unit(1) },
        },
    ];
    h.add(unit(12), list(2), d(2025, 1, 1), None, ListHoldings::sorted(town_entries));
    h
}

#[test]
fn a_grant_moves_exercise_to_ready_towns_only_while_active() {
    let units = units();
    let tag = GrantTarget::Tag { tag: Tag::parse("经济发达镇").unwrap() };
    let g = grant(1, GrantMode::Direct, tag, d(2026, 1, 1));
    // Town 11 ready from 2026-03-01; town 13 never ready; reclaimed from town 11 on 2026-09-01.
    let readiness = [ready(&g, 11, d(2026, 3, 1))];
    let reclaim = GrantReclaim {
        id: crate::ids::ReclaimId::from_uuid(uid(900)),
        grant: g.id,
        town: unit(11),
        effective_on: d(2026, 9, 1),
        reason: "承接能力不足".into(),
        doc: None,
    };
    let idx =
        AuthorityIndex::build(holdings(), &units, std::slice::from_ref(&g), &readiness, &[reclaim]);

    // Before readiness: the department holds it everywhere; the town does not.
    assert_eq!(idx.holds(unit(11), item(1), d(2026, 2, 1)), None);
    let dept = idx.holds(unit(1), item(1), d(2026, 2, 1)).unwrap();
    assert_eq!((dept.exercise, dept.except_in.clone()), (Exercise::OwnName, vec![]));
    assert!(matches!(dept.source, Source::List { item_version: 2, .. }));

    // Active: the town exercises it in its own name; the department no longer does there.
    let t = idx.holds(unit(11), item(1), d(2026, 5, 1)).unwrap();
    assert_eq!(t.exercise, Exercise::OwnName);
    assert_eq!(t.source, Source::Grant { grant: g.id, from: unit(1), item_version: 2 });
    let dept = idx.holds(unit(1), item(1), d(2026, 5, 1)).unwrap();
    assert_eq!(dept.except_in, vec![unit(11)]);
    assert!(!idx.may_decide(unit(1), item(1), d(2026, 5, 1), Some(unit(11))));
    assert!(idx.may_decide(unit(1), item(1), d(2026, 5, 1), Some(unit(13))));
    assert_eq!(idx.holds(unit(13), item(1), d(2026, 5, 1)), None, "never ready");
    assert_eq!(idx.holds(unit(11), item(2), d(2026, 5, 1)), None, "not granted");

    // Reclaimed: back with the department.
    assert_eq!(idx.holds(unit(11), item(1), d(2026, 9, 1)), None);
    assert!(idx.holds(unit(1), item(1), d(2026, 9, 1)).unwrap().except_in.is_empty());
    // The department's list ends: nothing left to exercise, granted or not.
    assert_eq!(idx.holds(unit(1), item(1), d(2027, 1, 1)), None);
}

#[test]
fn entrusted_review_and_window_grants_keep_the_decision_where_it_belongs() {
    let units = units();
    let towns = |t: &[u128]| GrantTarget::Towns {
        towns: t.iter().map(|n| unit(*n)).collect::<BTreeSet<_>>(),
    };
    let mut review = grant(2, GrantMode::ReviewPower, towns(&[12]), d(2026, 1, 1));
    review.item = item(2);
    let entrusted = grant(3, GrantMode::Entrusted, towns(&[13]), d(2026, 1, 1));
    let readiness = [ready(&review, 12, d(2026, 1, 1)), ready(&entrusted, 13, d(2026, 1, 1))];
    let idx = AuthorityIndex::build(holdings(), &units, &[review, entrusted], &readiness, &[]);
    let on = d(2026, 6, 1);
    assert_eq!(
        idx.holds(unit(13), item(1), on).unwrap().exercise,
        Exercise::InNameOf { department: unit(1) }
    );
    assert!(idx.may_decide(unit(13), item(1), on, None));
    assert_eq!(
        idx.holds(unit(12), item(2), on).unwrap().exercise,
        Exercise::ReviewOnly { department: unit(1) }
    );
    assert!(!idx.may_decide(unit(12), item(2), on, None));
    // A review power does not take the decision from the department.
    assert!(idx.may_decide(unit(1), item(2), on, Some(unit(12))));
    // A town's cooperation duty is not a decision; a reclaimed duty is no authority.
    assert_eq!(
        idx.holds(unit(12), item(3), on).unwrap().exercise,
        Exercise::Cooperate { lead: unit(1) }
    );
    assert!(!idx.may_decide(unit(12), item(3), on, None));
    assert_eq!(idx.holds(unit(12), item(4), on), None);
}

#[test]
fn a_department_entry_handed_back_gives_nothing_to_grant() {
    // The department lists item 5 only as 收回 (it receives it back, duty kept elsewhere): a
    // grant of it gives the town nothing, and the department holds nothing either.
    let mut h = ListHoldings::new();
    let reclaimed = ListEntry {
        item: item(5),
        item_version: 1,
        duty: DutyKind::Reclaimed { receiver: unit(2) },
    };
    h.add(unit(1), list(1), d(2025, 1, 1), None, ListHoldings::sorted(vec![reclaimed]));
    let mut g = grant(
        1,
        GrantMode::Direct,
        GrantTarget::Towns { towns: BTreeSet::from([unit(11)]) },
        d(2026, 1, 1),
    );
    g.item = item(5);
    let readiness = [ready(&g, 11, d(2026, 1, 1))];
    let idx = AuthorityIndex::build(h, &units(), &[g], &readiness, &[]);
    assert_eq!(idx.holds(unit(11), item(5), d(2026, 6, 1)), None);
    assert_eq!(idx.holds(unit(1), item(5), d(2026, 6, 1)), None);
}

#[test]
fn a_list_item_entrusted_from_above_is_exercised_in_the_departments_name() {
    // Town 12's own list holds item 6, whose content says 上级委托 from department 1.
    let mut h = holdings();
    let own = ListEntry { item: item(6), item_version: 1, duty: DutyKind::Own };
    h.add(unit(12), list(3), d(2025, 1, 1), None, ListHoldings::sorted(vec![own]));
    let plain = AuthorityIndex::build(h.clone(), &units(), &[], &[], &[]);
    assert_eq!(plain.holds(unit(12), item(6), d(2026, 1, 1)).unwrap().exercise, Exercise::OwnName);
    let entrusted: HashMap<(ItemId, u32), UnitId> = HashMap::from([((item(6), 1), unit(1))]);
    let idx = AuthorityIndex::build(h, &units(), &[], &[], &[]).with_entrusted(&entrusted);
    let a = idx.holds(unit(12), item(6), d(2026, 1, 1)).unwrap();
    assert_eq!(a.exercise, Exercise::InNameOf { department: unit(1) });
    assert!(idx.may_decide(unit(12), item(6), d(2026, 1, 1), None));
    // The department's own items are untouched.
    assert_eq!(idx.holds(unit(1), item(1), d(2026, 1, 1)).unwrap().exercise, Exercise::OwnName);
}
