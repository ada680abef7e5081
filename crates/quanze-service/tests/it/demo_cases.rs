//! The demo county's year of cases: with a personal-data key the demo loads a few hundred cases
//! dated over the year up to today, in every state and alert level the case pages show, each
//! received by a unit that held the power that day; supervision items, ratings (good and 差评)
//! and complaints (answered and not) exist; a second load reuses them.

use chrono::{Days, TimeZone, Utc};
use quanze_core::case::rating::RatingLevel;
use quanze_core::case::{ActionKind, CaseState, ClockKind, ProcedureKind};
use quanze_core::{Exercise, UnitKind};
use quanze_service::cases::{CasesConfig, PersonalKey};
use quanze_service::demo::DemoLoad;
use quanze_service::{Config, Service};
use quanze_store::{CaseFilter, StoredCase, StoredStep};

use crate::helpers::{TestClock, login};

#[tokio::test]
async fn the_demo_has_a_year_of_cases_in_every_state_and_reuses_them() {
    // Friday 2026-11-20, 10:00 in Beijing: the year runs from November 2025.
    let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let url = quanze_store::testing::sqlite_url(dir.path());
    let config = Config {
        cases: CasesConfig {
            personal_key: Some(PersonalKey::generate()),
            ..CasesConfig::default()
        },
        ..Config::default()
    };
    let store = quanze_store::connect(&url).await.unwrap();
    let service = Service::new(store, clock.clone(), config).await.unwrap();
    let DemoLoad::Loaded { cases: n, .. } = service.load_demo(7).await.unwrap() else {
        panic!("a fresh database loads");
    };
    assert!((250..=400).contains(&n), "{n} cases");
    let today = service.today();

    let mut cases: Vec<StoredCase> = Vec::new();
    loop {
        let before = cases.last().map(|c| c.case.id);
        let page = service.store().cases(&CaseFilter::default(), before, 200).await.unwrap();
        if page.is_empty() {
            break;
        }
        cases.extend(page);
    }
    assert_eq!(cases.len(), n);
    let mut steps: Vec<Vec<StoredStep>> = Vec::new();
    for c in &cases {
        steps.push(service.store().case_steps(c.case.id).await.unwrap());
    }
    let has_step = |i: usize, action: ActionKind| steps[i].iter().any(|s| s.step.action == action);
    let find = |what: &str, ok: &dyn Fn(usize) -> bool| {
        assert!((0..cases.len()).any(ok), "no demo case {what}");
    };

    // Dated over the year up to today, never after it.
    let first = cases.iter().map(|c| c.case.received_on).min().unwrap();
    let last = cases.iter().map(|c| c.case.received_on).max().unwrap();
    assert!(first <= today - Days::new(300), "first case on {first}");
    assert!(last >= today - Days::new(4), "last case on {last}");
    assert!(steps.iter().flatten().all(|s| s.step.on <= today));
    // 法无授权不可为: each was received by a unit that held the power that day (a transfer
    // moves it to one that held it on the day of the transfer).
    let catalog = service.catalog();
    for (i, c) in cases.iter().enumerate() {
        if !has_step(i, ActionKind::Transfer) {
            let held =
                catalog.authority.holds(c.case.receiving_unit, c.case.item.id, c.case.received_on);
            assert!(held.is_some(), "{} received without the power", c.case.receipt);
        }
    }

    // 定期审批: an item decided on set days only was decided on one of them.
    let calendar = service.calendar();
    let decided_on =
        |i: usize| steps[i].iter().find(|s| s.step.action == ActionKind::Decide).map(|s| s.step.on);
    for (i, c) in cases.iter().enumerate() {
        if let (Some(sessions), Some(on)) = (&c.case.item.session_days, decided_on(i)) {
            assert!(sessions.is_session(on, &calendar), "{} decided on {on}", c.case.receipt);
        }
    }
    find("of an item with session days, decided", &|i| {
        cases[i].case.item.session_days.is_some() && decided_on(i).is_some()
    });

    // Every state the pages list, and every alert level today.
    let states = [
        CaseState::Submitted,
        CaseState::CorrectionRequested,
        CaseState::UnderReview,
        CaseState::Forwarded,
        CaseState::Filed,
        CaseState::Investigating,
        CaseState::Notified,
        CaseState::Hearing,
        CaseState::Closed,
        CaseState::Refused,
        CaseState::Withdrawn,
    ];
    let supervisor = login(&service, "supervisor").await;
    for state in states {
        let page = service
            .list_cases(&supervisor, None, Some(state.as_str().into()), None, None, 1)
            .await
            .unwrap();
        assert!(page.total > 0, "no demo case {}", state.zh());
    }
    for alert in ["green", "yellow", "red"] {
        let page = service
            .list_cases(&supervisor, None, None, Some(alert.into()), None, 200)
            .await
            .unwrap();
        assert!(page.total > 0, "no {alert} case");
        assert!(
            page.cases.iter().all(|c| c.alert.as_str() == alert),
            "stored and live alerts agree"
        );
    }
    // Red cases are under supervision; supervision of cases closed late was closed with them.
    let open = service.supervisions(&supervisor, None).await.unwrap();
    assert!(!open.is_empty());
    let all = service.store().supervisions(None, false).await.unwrap();
    assert!(all.len() > open.len(), "closed supervision items of cases decided late");

    let on_application = |i: usize| cases[i].case.procedure.on_application();
    let committed =
        |i: usize| cases[i].case.clocks.iter().find(|c| c.kind == ClockKind::Committed).cloned();
    find("closed on time", &|i| {
        on_application(i)
            && cases[i].case.state == CaseState::Closed
            && committed(i).is_some_and(|c| c.stopped.is_some_and(|s| s <= c.due.date))
    });
    find("closed late", &|i| {
        on_application(i)
            && cases[i].case.state == CaseState::Closed
            && committed(i).is_some_and(|c| c.stopped.is_some_and(|s| s > c.due.date))
    });
    find("paused now (专家评审 or 检测, told in writing)", &|i| {
        !cases[i].case.state.is_final()
            && cases[i].case.clocks.iter().any(|c| c.is_paused())
            && steps[i].iter().any(|s| {
                s.step.action == ActionKind::Pause && s.step.data["notified_in_writing"] == true
            })
    });
    find("paused and resumed", &|i| {
        cases[i].case.state == CaseState::Closed && has_step(i, ActionKind::Resume)
    });
    let leader = login(&service, "leader").await;
    find("extended by a leader with a reason", &|i| {
        cases[i].case.clocks.iter().any(|c| c.extension.as_ref().is_some_and(|e| !e.reason.is_empty()))
            && steps[i].iter().any(|s| {
                s.step.action == ActionKind::Extend
                    && matches!(s.step.actor, quanze_core::case::ActorRef::Staff { user, .. } if user == leader.id)
            })
    });
    find("refused naming the competent unit", &|i| {
        cases[i].case.state == CaseState::Refused
            && steps[i].iter().any(|s| {
                s.step.action == ActionKind::Refuse && s.step.data["competent_unit"].is_string()
            })
    });
    find("corrected once, then decided", &|i| {
        cases[i].case.correction_requested
            && cases[i].case.state == CaseState::Closed
            && has_step(i, ActionKind::SupplyMaterials)
    });
    find("deemed accepted", &|i| has_step(i, ActionKind::DeemAccepted));
    // 容缺受理: the material promised filed by the applicant, recorded by the server.
    find("with its 容缺 material filed", &|i| has_step(i, ActionKind::MissingSupplied));
    let broken = |i: usize| {
        steps[i].iter().any(|s| {
            s.step.action == ActionKind::Alert
                && s.step.data["note"].as_str().is_some_and(|n| n.contains("逾期未补齐"))
        })
    };
    // One whose material came late or never: the scheduler flagged it the day after.
    find("flagged for a broken 容缺 promise", &broken);
    find("accepted at a town's window and decided by the county department", &|i| {
        let c = &cases[i].case;
        let kind = |u| catalog.unit(u).map(|u| u.kind);
        matches!(c.exercise, Exercise::AcceptOnly { .. })
            && c.state == CaseState::Closed
            && kind(c.receiving_unit).is_some_and(|k| k.is_township_level())
            && kind(c.handling_unit) == Some(UnitKind::Department)
            && has_step(i, ActionKind::Forward)
    });
    let penalty = |i: usize| cases[i].case.procedure == ProcedureKind::Penalty;
    find("penalty closed after two officers investigated and the hearing was waived", &|i| {
        penalty(i)
            && cases[i].case.state == CaseState::Closed
            && cases[i].case.officers.len() >= 2
            && cases[i].case.hearing_waived
            && has_step(i, ActionKind::Notify)
            && has_step(i, ActionKind::Deliver)
    });
    find("penalty decided after a hearing and the legal check", &|i| {
        penalty(i)
            && cases[i].case.state == CaseState::Closed
            && has_step(i, ActionKind::HoldHearing)
            && has_step(i, ActionKind::LegalCheck)
    });
    find("penalty on the spot (简易程序)", &|i| {
        penalty(i) && has_step(i, ActionKind::DecideOnTheSpot)
    });

    // Ratings: good ones and 差评 with their follow-up; complaints answered and not.
    let (mut good, mut bad) = (0, 0);
    for c in cases.iter().filter(|c| c.case.state.is_final()) {
        for r in service.store().ratings_of_case(c.case.id).await.unwrap() {
            good += u32::from(r.level.is_good());
            if r.level <= RatingLevel::Dissatisfied {
                assert!(r.follow_up.is_some(), "a 差评 gets its follow-up");
                bad += 1;
            }
        }
    }
    assert!(good > 50 && bad > 0, "{good} good, {bad} bad ratings");
    let complaints = service.store().complaints(None, false).await.unwrap();
    assert!(complaints.iter().any(|c| c.reply.is_some()));
    assert!(complaints.iter().any(|c| c.reply.is_none()));
    // They go to the unit the registry tags as the county's supervising unit, not to the unit
    // complained about.
    let catalog = service.catalog();
    let supervising: Vec<_> = catalog.units.iter().filter(|u| u.is_supervising()).collect();
    assert_eq!(supervising.len(), 1, "the demo tags one supervising unit");
    assert!(complaints.iter().all(|c| c.supervisor == supervising[0].id && c.unit != c.supervisor));

    // A second start reuses the data: nothing is loaded twice.
    let head = service.ledger_head().await.unwrap().size;
    assert!(matches!(service.load_demo(7).await.unwrap(), DemoLoad::Reused));
    assert_eq!(service.store().count_cases(&CaseFilter::default()).await.unwrap(), n as u64);
    assert_eq!(service.ledger_head().await.unwrap().size, head);
}
