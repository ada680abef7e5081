//! Devolution on the demo county: a department's power granted to towns, taken only where a
//! town is ready (or an override is recorded), reclaimed, and `holds()` answering throughout;
//! every bad grant refused with its reason and nothing written.
//!
//! Each stage is its own test on its own database; [`Scenario`] takes a fresh grant through
//! the stages before it.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use quanze_core::devolution::{GrantTarget, TrainedStaff, TrainingRecord};
use quanze_core::{
    Exercise, GrantId, GrantMode, ItemId, PowerCategory, ReadinessState, UnitId, UnitKind,
};
use quanze_service::devolution::{NewGrant, ReadinessInput};
use quanze_service::{CurrentUser, Service};

use crate::helpers::{d, demo, login};

/// The demo county, a licensing power a department holds today and no grant covers, two
/// towns, and a grant of it to both from 2026-01-01.
struct Scenario {
    _dir: tempfile::TempDir,
    service: Service,
    editor: CurrentUser,
    clerk: CurrentUser,
    today: NaiveDate,
    dept: UnitId,
    item: ItemId,
    t1: UnitId,
    t2: UnitId,
    from: NaiveDate,
    new: NewGrant,
}

impl Scenario {
    async fn new() -> Self {
        let (dir, service) = demo().await;
        let editor = login(&service, "editor").await;
        let clerk = login(&service, "clerk").await;
        let catalog = service.catalog();
        let today = service.today();
        // A licensing power a department holds today, and two towns.
        let (dept, item) = quanze_service::demo::department_power(&catalog, |unit, item, c| {
            c.category == PowerCategory::Licensing
                && catalog.holdings.holds(unit, item, today).is_some()
                && !catalog.grants.iter().any(|g| g.item == item)
        })
        .expect("a department licensing power");
        let towns: Vec<_> =
            catalog.units.iter().filter(|u| u.kind.is_township_level()).take(2).collect();
        let (t1, t2) = (towns[0].id, towns[1].id);
        let from = d(2026, 1, 1);
        let new = NewGrant {
            item,
            from: dept,
            to: GrantTarget::Towns { towns: BTreeSet::from([t1, t2]) },
            mode: GrantMode::Direct,
            effective_from: from,
            effective_until: None,
            batch: "第一批".into(),
            confirmation_doc: Some("某政发〔2025〕30号".into()),
            provincial_decision: None,
            entrustment: None,
            own_name_basis: Some(quanze_core::devolution::OwnNameBasis {
                kind: quanze_core::devolution::OwnNameBasisKind::ConcentratedLicensing,
                basis: quanze_core::LegalRef::article("中华人民共和国行政许可法", 25),
                doc_no: None,
            }),
        };
        Self { _dir: dir, service, editor, clerk, today, dept, item, t1, t2, from, new }
    }

    /// The grant, made by the editor.
    async fn granted(&self) -> GrantId {
        self.service.create_grant(&self.editor, self.new.clone()).await.unwrap().0.grant.id
    }

    /// The grant, with town 1 ready since 2026-02-01.
    async fn ready_in_town_1(&self) -> GrantId {
        let grant = self.granted().await;
        self.service.record_readiness(&self.editor, grant, self.t1, full()).await.unwrap();
        grant
    }
}

fn staff() -> Vec<TrainedStaff> {
    vec![TrainedStaff {
        name: "王五".into(),
        trainings: vec![TrainingRecord {
            course: "食品经营许可业务培训".into(),
            date: d(2026, 1, 10),
        }],
    }]
}

/// Readiness in full, confirmed on 2026-02-01.
fn full() -> ReadinessInput {
    ReadinessInput {
        staff: staff(),
        system_access: true,
        seal: true,
        funding: true,
        guidance_doc: Some("办事指南".into()),
        confirmed_on: Some(d(2026, 2, 1)),
        officers: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_grants_are_refused_with_their_reason_and_nothing_written() {
    let s = Scenario::new().await;
    let (service, editor, clerk, new, dept, from) =
        (&s.service, &s.editor, &s.clerk, &s.new, s.dept, s.from);
    let catalog = service.catalog();

    // Bad grants: not a town, a department that does not hold it, an empty window.
    let events = service.store().event_count().await.unwrap();
    let mut bad = new.clone();
    bad.to = GrantTarget::Towns { towns: BTreeSet::from([dept]) };
    assert_eq!(service.create_grant(editor, bad).await.unwrap_err().code(), "not_a_town");
    let mut bad = new.clone();
    bad.from =
        catalog.units.iter().find(|u| u.kind == UnitKind::Department && u.id != dept).unwrap().id;
    let err = service.create_grant(editor, bad).await.unwrap_err();
    assert_eq!(err.code(), "department_does_not_hold");
    assert!(err.zh().contains("法无授权不可为"), "{}", err.zh());
    let mut bad = new.clone();
    bad.effective_until = Some(from);
    assert_eq!(service.create_grant(editor, bad).await.unwrap_err().code(), "empty_window");
    assert_eq!(service.create_grant(clerk, new.clone()).await.unwrap_err().code(), "forbidden");
    assert_eq!(service.store().event_count().await.unwrap(), events, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_waits_for_a_ready_town_and_is_not_made_twice() {
    let s = Scenario::new().await;
    let (service, editor, new, dept, item, t1, today) =
        (&s.service, &s.editor, &s.new, s.dept, s.item, s.t1, s.today);

    let (view, _) = service.create_grant(editor, new.clone()).await.unwrap();
    let grant = view.grant.id;
    assert!(
        view.towns.iter().all(|t| !t.active && matches!(t.state, ReadinessState::Pending { .. }))
    );
    // The same power to the same town again is refused.
    let mut again = new.clone();
    again.to = GrantTarget::Towns { towns: BTreeSet::from([t1]) };
    again.effective_from = d(2026, 6, 1);
    assert_eq!(service.create_grant(editor, again).await.unwrap_err().code(), "granted_twice");

    // Nothing is active until a town is ready: the department holds it everywhere.
    assert!(service.holds(t1, item, today).is_none());
    assert!(service.holds(dept, item, today).unwrap().except_in.is_empty());
    let partial = ReadinessInput { staff: staff(), seal: true, ..ReadinessInput::default() };
    let (state, _) = service.record_readiness(editor, grant, t1, partial).await.unwrap();
    assert!(
        matches!(&state, ReadinessState::Pending { missing } if missing.len() == 3),
        "{state:?}"
    );
    let (state, _) = service.record_readiness(editor, grant, t1, full()).await.unwrap();
    assert_eq!(state, ReadinessState::Ready);
    // The leaf carries no staff name.
    let events = service.store().events(0, 100_000).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, "grant.readiness_recorded");
    assert!(!last.payload.to_string().contains("王五"), "{}", last.payload);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ready_town_exercises_the_power_in_its_own_name() {
    let s = Scenario::new().await;
    let (service, dept, item, t1, t2) = (&s.service, s.dept, s.item, s.t1, s.t2);
    s.ready_in_town_1().await;

    let on = d(2026, 3, 1);
    let a = service.holds(t1, item, on).expect("active in the ready town");
    assert_eq!(a.exercise, Exercise::OwnName);
    assert_eq!(service.holds(dept, item, on).unwrap().except_in, vec![t1]);
    assert!(service.holds(t2, item, on).is_none(), "town 2 is not ready");
    assert!(service.holds(t1, item, d(2026, 1, 15)).is_none(), "before the confirmation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_override_and_a_reclaim_need_a_reason_and_an_active_grant() {
    let s = Scenario::new().await;
    let (service, editor, dept, item, t1, t2) = (&s.service, &s.editor, s.dept, s.item, s.t1, s.t2);
    let grant = s.ready_in_town_1().await;
    let on = d(2026, 3, 1);

    // Town 2 takes it by override, a leader's only (三员分立, issue 14); a reclaim needs a
    // reason and an active grant.
    let leader = login(service, "leader").await;
    let err = service.override_readiness(editor, grant, t2, "县政府同意", on).await.unwrap_err();
    assert_eq!(err.code(), "forbidden");
    assert!(service.holds(t2, item, on).is_none(), "nothing changed");
    let err = service.override_readiness(&leader, grant, t2, " ", on).await.unwrap_err();
    assert_eq!(err.code(), "missing_reason");
    service.override_readiness(&leader, grant, t2, "县政府常务会议同意先行承接", on).await.unwrap();
    assert!(service.holds(t2, item, on).is_some());
    let err =
        service.reclaim(editor, grant, t2, d(2026, 2, 1), "承接不力", None).await.unwrap_err();
    assert_eq!(err.code(), "no_active_grant");
    service.reclaim(editor, grant, t1, d(2026, 9, 1), "承接能力不足", None).await.unwrap();
    assert!(service.holds(t1, item, d(2026, 9, 1)).is_none());
    assert_eq!(service.holds(dept, item, d(2026, 9, 1)).unwrap().except_in, vec![t2]);
    let views = service.grants(d(2026, 9, 1));
    let view = views.iter().find(|v| v.grant.id == grant).unwrap();
    let state = |t| view.towns.iter().find(|s| s.town == t).unwrap().state.clone();
    assert_eq!(state(t1), ReadinessState::Reclaimed);
    assert!(matches!(state(t2), ReadinessState::Overridden { .. }));
}
