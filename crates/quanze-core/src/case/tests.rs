use chrono::{NaiveDate, NaiveTime, TimeZone};

use super::rating::{NewRating, RatingChannel, RatingLevel, rate};
use super::*;
use crate::RatingId;
use crate::fixtures::{HOLIDAYS, d, item, unit, user};

fn cal() -> WorkCalendar {
    WorkCalendar::parse(HOLIDAYS).unwrap()
}

fn time(day: NaiveDate) -> StepTime {
    time_at(day, 10)
}

fn time_at(day: NaiveDate, hour: u32) -> StepTime {
    let local = day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap());
    StepTime { at: Utc.from_utc_datetime(&(local - chrono::Duration::hours(8))), local }
}

fn person() -> Applicant {
    Applicant::Person {
        name: "张三".into(),
        id_number: IdNumber::parse("11010519491231002X").unwrap(),
    }
}

fn firm() -> Applicant {
    Applicant::Organisation {
        name: "示范县某商贸有限公司".into(),
        credit_code: CreditCode::parse("11321281014422781F").unwrap(),
    }
}

fn limit(amount: u32) -> TimeLimit {
    TimeLimit { amount, unit: LimitUnit::WorkingDays }
}

fn case_item(category: PowerCategory, statutory: Option<u32>, committed: Option<u32>) -> CaseItem {
    CaseItem {
        id: item(1),
        version: 1,
        name: "测试事项".into(),
        category,
        statutory_limit: statutory.map(limit),
        committed_limit: committed.map(limit),
        session_days: None,
    }
}

const TOWN: u128 = 10;
const DEPT: u128 = 20;

fn staff(unit_n: u128, roles: &[Role]) -> Actor {
    Actor::Staff {
        user: user(unit_n * 10 + roles.len() as u128),
        unit: unit(unit_n),
        roles: roles.to_vec(),
    }
}

fn clerk(unit_n: u128) -> Actor {
    staff(unit_n, &[Role::Clerk])
}

fn leader(unit_n: u128) -> Actor {
    staff(unit_n, &[Role::Leader])
}

fn open_with(
    category: PowerCategory,
    exercise: Exercise,
    applicant: Applicant,
    channel: Channel,
    on: NaiveDate,
    item: CaseItem,
) -> (Case, CaseStep) {
    let new = NewCase {
        id: CaseId::from_uuid(crate::fixtures::uid(99)),
        receipt: ReceiptNo::new(on, 1),
        item: CaseItem { category, ..item },
        applicant,
        channel: channel.clone(),
        unit: unit(TOWN),
        exercise,
    };
    let actor = if matches!(channel, Channel::ExOfficio) { clerk(TOWN) } else { Actor::Applicant };
    Case::open(new, &actor, time(on), &cal(), &CaseRules::default()).unwrap()
}

fn licence(on: NaiveDate) -> Case {
    open_with(
        PowerCategory::Licensing,
        Exercise::OwnName,
        person(),
        Channel::Window,
        on,
        case_item(PowerCategory::Licensing, Some(20), Some(10)),
    )
    .0
}

fn step(
    case: &Case,
    command: CaseCommand,
    actor: &Actor,
    on: NaiveDate,
) -> Result<Case, CaseError> {
    case.apply(&command, actor, time(on), &cal(), &CaseRules::default()).map(|(c, _)| c)
}

fn ok(case: &Case, command: CaseCommand, actor: &Actor, on: NaiveDate) -> Case {
    step(case, command, actor, on).unwrap_or_else(|e| panic!("{e}: {}", e.zh()))
}

fn rule_of(err: CaseError) -> &'static str {
    err.rule()
}

fn accept() -> CaseCommand {
    CaseCommand::Accept { missing: vec![], promised: None }
}

fn due(case: &Case, kind: ClockKind) -> NaiveDate {
    case.clocks.iter().rev().find(|c| c.kind == kind).unwrap().due.date
}

#[test]
fn every_procedure_has_an_opening_and_reaches_every_state_it_names() {
    for kind in ProcedureKind::ALL {
        let p = kind.procedure();
        assert_eq!(p.kind, kind);
        assert_eq!(p.opening().to, Some(p.start), "{kind:?}");
        // Every state a row leads to or starts from is reachable from the start.
        let mut reached = vec![p.start];
        let mut grew = true;
        while grew {
            grew = false;
            for t in p.transitions {
                if let Some(to) = t.to
                    && t.from.iter().any(|s| reached.contains(s))
                    && !reached.contains(&to)
                {
                    reached.push(to);
                    grew = true;
                }
            }
        }
        for t in p.transitions {
            for s in t.from {
                assert!(reached.contains(s), "{kind:?}: {:?} from unreachable {s:?}", t.action);
            }
            for effect in t.clocks {
                let (ClockEffect::Start(c)
                | ClockEffect::StartFromReceipt(c)
                | ClockEffect::Stop(c)) = effect;
                if matches!(effect, ClockEffect::Start(_) | ClockEffect::StartFromReceipt(_)) {
                    // Unknown clocks are skipped at run time only for the shared table's
                    // licensing-only clocks; the others must be defined.
                    if !matches!(c, ClockKind::Intake | ClockKind::PreReview | ClockKind::Delivery)
                    {
                        assert!(
                            p.limit(*c).is_some(),
                            "{kind:?}: {:?} starts undefined {c:?}",
                            t.action
                        );
                    }
                }
            }
        }
        assert!(reached.iter().any(|s| s.is_final()), "{kind:?} never ends");
    }
}

#[test]
fn states_and_actions_have_stable_names_and_labels() {
    for s in CaseState::ALL {
        assert_eq!(CaseState::parse(s.as_str()), Some(s));
        assert!(!s.zh().is_empty());
    }
    for k in ProcedureKind::ALL {
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
    }
    for a in ActionKind::ALL {
        assert!(!a.zh().is_empty());
    }
    let receipt = ReceiptNo::new(d(2026, 9, 28), 42);
    assert_eq!(receipt.as_str(), "QZ20260928000042");
    assert_eq!(ReceiptNo::parse(" qz20260928000042 ").unwrap(), receipt);
    assert!(ReceiptNo::parse("QZ20261328000042").is_err());
}

#[test]
fn a_licence_decision_is_due_in_20_working_days_across_national_day() {
    let case = licence(d(2026, 9, 28));
    assert_eq!(case.trips, 1, "applying at the window is one trip");
    // 补正告知: 5 working days — 9-29, 9-30, 10-8, 10-9 and the 调休 Saturday 10-10.
    assert_eq!(due(&case, ClockKind::Intake), d(2026, 10, 10));
    let accepted = ok(&case, accept(), &clerk(TOWN), d(2026, 9, 28));
    assert_eq!(accepted.state, CaseState::UnderReview);
    assert_eq!(due(&accepted, ClockKind::Decision), d(2026, 10, 30));
    // The committed limit (10 WD) is what the applicant is shown.
    assert_eq!(due(&accepted, ClockKind::Committed), d(2026, 10, 16));
    // An own-name unit has no pre-review clock (许可法第四十三条 is the lower level's part).
    assert!(accepted.clocks.iter().all(|c| c.kind != ClockKind::PreReview));
}

#[test]
fn a_pause_for_expert_review_moves_the_deadline_by_its_working_days() {
    let case = ok(&licence(d(2026, 9, 28)), accept(), &clerk(TOWN), d(2026, 9, 28));
    let pause = CaseCommand::Pause {
        reason: PauseReason::ExpertReview,
        note: "组织专家评审".into(),
        notified_in_writing: true,
    };
    let paused = ok(&case, pause, &clerk(TOWN), d(2026, 10, 12));
    assert!(paused.clocks.iter().any(|c| c.is_paused()));
    // Paused clocks are never yellow or red, however long the pause.
    assert_eq!(paused.alert_on(d(2026, 12, 1), &cal(), &CaseRules::default()), Alert::Green);
    let resumed = ok(&paused, CaseCommand::Resume, &clerk(TOWN), d(2026, 10, 16));
    // 10-13 … 10-16 are four working days not counted: 10-30 → 11-05.
    assert_eq!(due(&resumed, ClockKind::Decision), d(2026, 11, 5));
}

#[test]
fn pauses_follow_the_closed_list_and_need_written_notice() {
    let case = ok(&licence(d(2026, 9, 28)), accept(), &clerk(TOWN), d(2026, 9, 28));
    let other = CaseCommand::Pause {
        reason: PauseReason::Other,
        note: "公示".into(),
        notified_in_writing: true,
    };
    assert_eq!(
        rule_of(step(&case, other, &clerk(TOWN), d(2026, 10, 12)).unwrap_err()),
        "pause_reason_not_allowed"
    );
    let unwritten = CaseCommand::Pause {
        reason: PauseReason::Testing,
        note: "检测".into(),
        notified_in_writing: false,
    };
    assert_eq!(
        rule_of(step(&case, unwritten, &clerk(TOWN), d(2026, 10, 12)).unwrap_err()),
        "pause_needs_written_notice"
    );
    assert_eq!(
        rule_of(step(&case, CaseCommand::Resume, &clerk(TOWN), d(2026, 10, 12)).unwrap_err()),
        "not_paused"
    );
}

#[test]
fn an_extension_takes_the_heads_approval_and_comes_once() {
    let case = ok(&licence(d(2026, 9, 28)), accept(), &clerk(TOWN), d(2026, 9, 28));
    let extend = || CaseCommand::Extend { reason: "需现场核查".into() };
    let err = step(&case, extend(), &clerk(TOWN), d(2026, 10, 20)).unwrap_err();
    assert!(matches!(err, CaseError::NotPermitted { .. }), "{err}");
    let extended = ok(&case, extend(), &leader(TOWN), d(2026, 10, 20));
    // +10 working days after 10-30.
    assert_eq!(due(&extended, ClockKind::Decision), d(2026, 11, 13));
    assert_eq!(
        rule_of(step(&extended, extend(), &leader(TOWN), d(2026, 10, 21)).unwrap_err()),
        "extended_once"
    );
}

#[test]
fn one_correction_notice_and_deemed_acceptance_from_receipt() {
    let case = licence(d(2026, 9, 28));
    let notice =
        || CaseCommand::RequestCorrection { missing: vec!["营业执照复印件".into()] };
    let told = ok(&case, notice(), &clerk(TOWN), d(2026, 9, 29));
    assert_eq!(told.state, CaseState::CorrectionRequested);
    let supplied = ok(
        &told,
        CaseCommand::SupplyMaterials { in_person: true },
        &Actor::Applicant,
        d(2026, 10, 9),
    );
    assert_eq!(supplied.trips, 2, "a second trip is counted");
    assert_eq!(supplied.state, CaseState::Submitted);
    assert_eq!(
        rule_of(step(&supplied, notice(), &clerk(TOWN), d(2026, 10, 9)).unwrap_err()),
        "one_correction_notice"
    );

    // Nobody told the applicant within 5 working days: the case counts as accepted on receipt.
    let late = licence(d(2026, 9, 28));
    assert_eq!(
        rule_of(step(&late, notice(), &clerk(TOWN), d(2026, 10, 12)).unwrap_err()),
        "correction_too_late"
    );
    assert_eq!(
        rule_of(
            step(&late, CaseCommand::DeemAccepted, &Actor::System, d(2026, 10, 9)).unwrap_err()
        ),
        "not_yet_deemed_accepted"
    );
    assert!(matches!(
        step(&late, CaseCommand::DeemAccepted, &clerk(TOWN), d(2026, 10, 12)).unwrap_err(),
        CaseError::NotPermitted { .. }
    ));
    let deemed = ok(&late, CaseCommand::DeemAccepted, &Actor::System, d(2026, 10, 12));
    assert_eq!(deemed.state, CaseState::UnderReview);
    assert_eq!(due(&deemed, ClockKind::Decision), d(2026, 10, 30), "counted from receipt on 9-28");
}

#[test]
fn missing_material_supplied_is_recorded_by_the_system_on_time_or_late() {
    let promised = d(2026, 10, 12);
    let names = || vec!["身份证复印件".to_owned(), "场地证明".to_owned()];
    let tolerated = ok(
        &licence(d(2026, 9, 28)),
        CaseCommand::Accept { missing: names(), promised: Some(promised) },
        &clerk(TOWN),
        d(2026, 9, 28),
    );
    let supplied = |supplied_on| CaseCommand::MissingSupplied { names: names(), supplied_on };
    let apply = |case: &Case, command: CaseCommand, actor: &Actor, on| {
        case.apply(&command, actor, time(on), &cal(), &CaseRules::default())
    };
    // Only the server records it: neither staff nor the applicant.
    for actor in [clerk(TOWN), Actor::Applicant] {
        assert!(matches!(
            apply(&tolerated, supplied(promised), &actor, promised).unwrap_err(),
            CaseError::NotPermitted { action: ActionKind::MissingSupplied, .. }
        ));
    }
    // Every promised material, no fewer; never dated after the step.
    let one =
        CaseCommand::MissingSupplied { names: vec!["场地证明".into()], supplied_on: promised };
    assert_eq!(
        rule_of(apply(&tolerated, one, &Actor::System, promised).unwrap_err()),
        "missing_supplied_mismatch"
    );
    assert_eq!(
        rule_of(
            apply(&tolerated, supplied(d(2026, 10, 13)), &Actor::System, promised).unwrap_err()
        ),
        "supplied_in_future"
    );
    // A case accepted without a promise has nothing to supply.
    let plain = ok(&licence(d(2026, 9, 28)), accept(), &clerk(TOWN), d(2026, 9, 28));
    assert_eq!(
        rule_of(apply(&plain, supplied(promised), &Actor::System, promised).unwrap_err()),
        "nothing_promised"
    );

    // The scheduler comes back the day after the promise (before any clock changes level),
    // and not for the promise once that day has come.
    let rules = CaseRules::default();
    assert_eq!(tolerated.next_alert_on(d(2026, 9, 28), &cal(), &rules), Some(d(2026, 10, 13)));
    let clocks_only = plain.next_alert_on(d(2026, 9, 28), &cal(), &rules);
    assert!(clocks_only > Some(d(2026, 10, 13)), "{clocks_only:?}");
    assert_eq!(tolerated.next_alert_on(d(2026, 10, 13), &cal(), &rules), clocks_only);

    // On the promised day: on time; the promise is cleared, nothing else moves.
    assert!(!tolerated.missing_overdue(promised));
    let (on_time, step) = apply(&tolerated, supplied(promised), &Actor::System, promised).unwrap();
    assert_eq!(on_time.missing_promised, None);
    assert_eq!(on_time.state, tolerated.state);
    assert_eq!(on_time.clocks, tolerated.clocks);
    assert_eq!(on_time.steps, tolerated.steps + 1);
    assert_eq!(step.action, ActionKind::MissingSupplied);
    assert_eq!(step.actor, ActorRef::System);
    assert_eq!(step.data["names"], serde_json::json!(names()));
    assert_eq!(step.data["promised"], "2026-10-12");
    assert_eq!(step.data["on_time"], true);
    assert!(!on_time.missing_overdue(d(2026, 10, 20)));
    // Once is all: the promise is gone.
    assert_eq!(
        rule_of(apply(&on_time, supplied(promised), &Actor::System, promised).unwrap_err()),
        "nothing_promised"
    );

    // The day after: overdue until supplied, then recorded as late (a step recorded later
    // than the filing, as after a crash, still dates it by the filing).
    let after = d(2026, 10, 13);
    assert!(tolerated.missing_overdue(after));
    let (_, late) = apply(&tolerated, supplied(after), &Actor::System, d(2026, 10, 20)).unwrap();
    assert_eq!(late.data["on_time"], false);
    let (_, recovered) =
        apply(&tolerated, supplied(promised), &Actor::System, d(2026, 10, 20)).unwrap();
    assert_eq!(recovered.data["on_time"], true);
    // A case that ended records nothing and is overdue no more.
    let withdrawn = ok(
        &tolerated,
        CaseCommand::Withdraw { reason: String::new() },
        &Actor::Applicant,
        d(2026, 10, 9),
    );
    assert!(matches!(
        apply(&withdrawn, supplied(promised), &Actor::System, after).unwrap_err(),
        CaseError::NotAllowed { .. }
    ));
    assert!(!withdrawn.missing_overdue(after));
}

#[test]
fn refusing_for_lack_of_competence_names_the_competent_unit() {
    let case = licence(d(2026, 9, 28));
    let bare = CaseCommand::Refuse {
        reason: "不属于本机关职权".into(),
        not_competent: true,
        competent_unit: None,
    };
    let err = step(&case, bare, &clerk(TOWN), d(2026, 9, 28)).unwrap_err();
    assert_eq!(rule_of(err.clone()), "competent_unit_required");
    assert!(err.zh().contains("行政许可法第三十二条"));
    let named = CaseCommand::Refuse {
        reason: "不属于本机关职权".into(),
        not_competent: true,
        competent_unit: Some(unit(DEPT)),
    };
    let refused = ok(&case, named, &clerk(TOWN), d(2026, 9, 28));
    assert_eq!(refused.state, CaseState::Refused);
    assert!(refused.clocks.iter().all(|c| c.stopped.is_some()));
}

#[test]
fn a_denial_states_reasons_and_remedies_and_delivery_is_due_in_ten_working_days() {
    let case = ok(&licence(d(2026, 9, 28)), accept(), &clerk(TOWN), d(2026, 9, 28));
    let bare = CaseCommand::Decide {
        outcome: Outcome::Denied { reasons: "不符合条件".into(), remedies: " ".into() },
        major: false,
    };
    assert_eq!(
        rule_of(step(&case, bare, &leader(TOWN), d(2026, 10, 20)).unwrap_err()),
        "denial_needs_reasons"
    );
    let clerk_decides =
        CaseCommand::Decide { outcome: Outcome::Granted { document: None }, major: false };
    assert!(matches!(
        step(&case, clerk_decides, &clerk(TOWN), d(2026, 10, 20)).unwrap_err(),
        CaseError::NotPermitted { .. }
    ));
    let denial = CaseCommand::Decide {
        outcome: Outcome::Denied {
            reasons: "选址不符合规划".into(),
            remedies: "可于六十日内申请行政复议或六个月内提起行政诉讼".into(),
        },
        major: false,
    };
    let decided = ok(&case, denial, &leader(TOWN), d(2026, 10, 20));
    assert_eq!(decided.state, CaseState::Decided);
    assert_eq!(due(&decided, ClockKind::Delivery), d(2026, 11, 3));
    let clock = decided.clocks.iter().find(|c| c.kind == ClockKind::Decision).unwrap();
    assert_eq!(clock.stopped, Some(d(2026, 10, 20)));
    let delivered = ok(
        &decided,
        CaseCommand::Deliver { method: "电子送达".into(), in_person: false },
        &clerk(TOWN),
        d(2026, 10, 21),
    );
    let closed = ok(&delivered, CaseCommand::Close, &clerk(TOWN), d(2026, 10, 21));
    assert!(closed.state.is_final());
    assert_eq!(closed.trips, 1, "最多跑一次 held");
    assert_eq!(
        rule_of(step(&closed, CaseCommand::Close, &clerk(TOWN), d(2026, 10, 22)).unwrap_err()),
        "action_not_allowed"
    );
}

#[test]
fn a_town_with_review_power_reviews_and_the_county_decides() {
    let review = Exercise::ReviewOnly { department: unit(DEPT) };
    let (case, _) = open_with(
        PowerCategory::Licensing,
        review,
        firm(),
        Channel::Online,
        d(2026, 9, 28),
        case_item(PowerCategory::Licensing, None, None),
    );
    assert_eq!(case.trips, 0, "online is 零跑动");
    assert_eq!(case.deciding_unit, unit(DEPT));
    assert_eq!(case.handler, None, "nobody of the town has acted on an online application");
    let accepted = ok(&case, accept(), &clerk(TOWN), d(2026, 9, 28));
    assert_eq!(accepted.handler, Some(user(101)), "经办人: the town's clerk");
    assert_eq!(due(&accepted, ClockKind::PreReview), d(2026, 10, 30), "许可法第四十三条: 20 WD");
    // The town does not decide (法无授权不可为).
    let grant = || CaseCommand::Decide {
        outcome: Outcome::Granted { document: Some("许2026-1".into()) },
        major: false,
    };
    let err = step(&accepted, grant(), &leader(TOWN), d(2026, 10, 9)).unwrap_err();
    assert!(matches!(err, CaseError::NoPowerToDecide { .. }), "{err}");
    assert!(err.zh().contains("法无授权不可为"));
    let no_mode = CaseCommand::Forward { opinion: "经审查符合条件".into(), mode: None };
    assert!(matches!(
        step(&accepted, no_mode, &clerk(TOWN), d(2026, 10, 9)).unwrap_err(),
        CaseError::Missing { .. }
    ));
    let forward = CaseCommand::Forward {
        opinion: "经审查符合条件".into(),
        mode: Some(ReviewMode::OnTheReview),
    };
    let forwarded = ok(&accepted, forward, &clerk(TOWN), d(2026, 10, 9));
    assert_eq!(forwarded.handling_unit, unit(DEPT));
    assert_eq!(forwarded.review_mode, Some(ReviewMode::OnTheReview));
    assert_eq!(forwarded.handler, None, "nobody of the department has acted on it yet");
    // The town's staff no longer act on it; the department's do.
    assert!(matches!(
        step(&forwarded, grant(), &leader(TOWN), d(2026, 10, 12)).unwrap_err(),
        CaseError::NotPermitted { .. }
    ));
    let back = ok(
        &forwarded,
        CaseCommand::Return { reason: "材料需补充说明".into() },
        &leader(DEPT),
        d(2026, 10, 12),
    );
    assert_eq!(back.handling_unit, unit(TOWN));
    assert_eq!(back.state, CaseState::UnderReview);
    assert_eq!(back.handler, None, "returned: the department's leader is not the town's handler");
    let decided = ok(&forwarded, grant(), &leader(DEPT), d(2026, 10, 12));
    assert_eq!(decided.state, CaseState::Decided);
    assert_eq!(decided.handler, Some(user(201)));
}

#[test]
fn an_own_name_unit_does_not_forward() {
    let case = ok(&licence(d(2026, 9, 28)), accept(), &clerk(TOWN), d(2026, 9, 28));
    let forward = CaseCommand::Forward { opinion: "x".into(), mode: Some(ReviewMode::StampOnly) };
    assert_eq!(
        rule_of(step(&case, forward, &clerk(TOWN), d(2026, 9, 29)).unwrap_err()),
        "forward_not_needed"
    );
}

#[test]
fn staff_act_only_within_their_unit_and_the_applicant_only_on_their_own_steps() {
    let case = licence(d(2026, 9, 28));
    assert!(matches!(
        step(&case, accept(), &clerk(DEPT), d(2026, 9, 28)).unwrap_err(),
        CaseError::NotPermitted { .. }
    ));
    assert!(matches!(
        step(&case, accept(), &Actor::Applicant, d(2026, 9, 28)).unwrap_err(),
        CaseError::NotPermitted { .. }
    ));
    let withdraw = || CaseCommand::Withdraw { reason: "不再需要".into() };
    assert!(matches!(
        step(&case, withdraw(), &clerk(TOWN), d(2026, 9, 29)).unwrap_err(),
        CaseError::NotPermitted { .. }
    ));
    let withdrawn = ok(&case, withdraw(), &Actor::Applicant, d(2026, 9, 29));
    assert_eq!(withdrawn.state, CaseState::Withdrawn);
    // A supervisor of any unit may 督办; a clerk may not.
    let accepted = ok(&case, accept(), &clerk(TOWN), d(2026, 9, 28));
    let supervise = || CaseCommand::Supervise { note: "请加快办理".into() };
    ok(&accepted, supervise(), &staff(30, &[Role::Supervisor]), d(2026, 10, 9));
    assert!(step(&accepted, supervise(), &clerk(TOWN), d(2026, 10, 9)).is_err());
}

#[test]
fn cooperating_units_finish_their_tasks_before_the_decision() {
    let case = ok(&licence(d(2026, 9, 28)), accept(), &clerk(TOWN), d(2026, 9, 28));
    let task = TaskId::from_uuid(crate::fixtures::uid(7));
    let assign = CaseCommand::AssignTask {
        task,
        unit: unit(DEPT),
        description: "现场核查消防条件".into(),
        period: Period::WorkingDays(5),
    };
    let tasked = ok(&case, assign, &clerk(TOWN), d(2026, 9, 29));
    // 5 WD after 9-29: 9-30, 10-8, 10-9, the 调休 Saturday 10-10, 10-12.
    assert_eq!(tasked.tasks[0].due.date, d(2026, 10, 12));
    let grant = CaseCommand::Decide { outcome: Outcome::Granted { document: None }, major: false };
    assert_eq!(
        rule_of(step(&tasked, grant.clone(), &leader(TOWN), d(2026, 10, 12)).unwrap_err()),
        "cooperation_pending"
    );
    let complete = || CaseCommand::CompleteTask { task, result: "符合消防条件".into() };
    assert!(
        step(&tasked, complete(), &clerk(30), d(2026, 10, 9)).is_err(),
        "another unit cannot complete it"
    );
    let done = ok(&tasked, complete(), &clerk(DEPT), d(2026, 10, 9));
    ok(&done, grant, &leader(TOWN), d(2026, 10, 12));
}

/// A licence of `item` received at the town's window and accepted on Monday 2026-11-02.
fn accepted_licence(item: CaseItem) -> Case {
    let on = d(2026, 11, 2);
    let opened =
        open_with(PowerCategory::Licensing, Exercise::OwnName, person(), Channel::Window, on, item)
            .0;
    ok(&opened, accept(), &clerk(TOWN), on)
}

#[test]
fn a_late_task_turns_the_case_red_and_is_named_for_its_unit() {
    let rules = CaseRules::default();
    // A licence with long clocks, so that only the task can be late.
    let case = accepted_licence(case_item(PowerCategory::Licensing, Some(20), Some(20)));
    let task = TaskId::from_uuid(crate::fixtures::uid(7));
    let assign = CaseCommand::AssignTask {
        task,
        unit: unit(DEPT),
        description: "现场核查消防条件".into(),
        period: Period::WorkingDays(5),
    };
    // Assigned Monday 11-02: five working days, due Monday 11-09; a fifth of them (one
    // working day) is left from Friday 11-06.
    let tasked = ok(&case, assign, &clerk(TOWN), d(2026, 11, 2));
    let t = &tasked.tasks[0];
    assert_eq!((t.assigned_on, t.due.date), (Some(d(2026, 11, 2)), d(2026, 11, 9)));
    assert_eq!(t.yellow_from(200, &cal()), d(2026, 11, 6));
    assert_eq!(tasked.alert_on(d(2026, 11, 5), &cal(), &rules), Alert::Green);
    assert_eq!(tasked.alert_on(d(2026, 11, 6), &cal(), &rules), Alert::Yellow);
    assert_eq!(tasked.alert_on(d(2026, 11, 9), &cal(), &rules), Alert::Yellow);
    assert_eq!(tasked.alert_on(d(2026, 11, 10), &cal(), &rules), Alert::Red);
    // The scheduler looks again on the task's yellow and red days, before the case's own.
    assert_eq!(tasked.next_alert_on(d(2026, 11, 3), &cal(), &rules), Some(d(2026, 11, 6)));
    assert_eq!(tasked.next_alert_on(d(2026, 11, 6), &cal(), &rules), Some(d(2026, 11, 10)));
    assert!(tasked.most_late_clock(d(2026, 11, 10)).is_none(), "the case's clocks run on");
    // Red by its task, the case's next look is the day its first clock turns red (a 督办 for
    // the unit that has it): the clocks' yellow days before it would record nothing.
    let running =
        || tasked.clocks.iter().filter(|c| c.kind.binds_administration() && c.is_running());
    let first_red = running().map(Clock::red_from).min().unwrap();
    let first_yellow = running().map(|c| c.yellow_from(200, &cal())).min().unwrap();
    assert!(d(2026, 11, 10) < first_yellow && first_yellow < first_red);
    assert_eq!(tasked.next_alert_on(d(2026, 11, 10), &cal(), &rules), Some(first_red));
    assert!(tasked.has_late(d(2026, 11, 10)));
    assert!(!tasked.has_late(d(2026, 11, 9)));
    let late: Vec<_> = tasked.late_tasks(d(2026, 11, 10)).map(|t| t.unit).collect();
    assert_eq!(late, vec![unit(DEPT)]);
    // Done, it is late no more and the case is green again.
    let complete = CaseCommand::CompleteTask { task, result: "符合消防条件".into() };
    let done = ok(&tasked, complete, &clerk(DEPT), d(2026, 11, 11));
    assert_eq!(done.late_tasks(d(2026, 11, 11)).count(), 0);
    assert_eq!(done.alert_on(d(2026, 11, 11), &cal(), &rules), Alert::Green);
}

#[test]
fn an_item_with_session_days_is_decided_on_them_only() {
    let mut item = case_item(PowerCategory::Licensing, Some(20), Some(10));
    item.session_days = Some(crate::item::SessionDays::parse("每周二、周五").unwrap());
    let case = accepted_licence(item);
    assert_eq!(case.next_session(d(2026, 11, 4), &cal()), Some(d(2026, 11, 6)));
    let grant = CaseCommand::Decide { outcome: Outcome::Granted { document: None }, major: false };
    // Wednesday the 4th is not a session day: refused, naming the next one.
    let err = step(&case, grant.clone(), &leader(TOWN), d(2026, 11, 4)).unwrap_err();
    assert!(err.zh().contains("2026-11-06"), "{}", err.zh());
    assert_eq!(rule_of(err), "not_a_session_day");
    // Friday the 6th is.
    let decided = ok(&case, grant, &leader(TOWN), d(2026, 11, 6));
    assert_eq!(decided.next_session(d(2026, 11, 9), &cal()), None, "decided already");
    // The clocks kept running meanwhile: no pause was recorded.
    assert!(decided.clocks.iter().all(|c| !c.is_paused()));
}

#[test]
fn alerts_turn_yellow_in_the_last_fifth_and_red_after_the_deadline() {
    let case = ok(&licence(d(2026, 9, 28)), accept(), &clerk(TOWN), d(2026, 9, 28));
    let rules = CaseRules::default();
    let decision = case.clocks.iter().find(|c| c.kind == ClockKind::Decision).unwrap();
    // 20 WD, 20 % → yellow once 4 working days are left: from Monday 10-26 (due 10-30).
    assert_eq!(decision.yellow_from(200, &cal()), d(2026, 10, 26));
    assert_eq!(decision.alert(d(2026, 10, 25), 200, &cal()), Alert::Green);
    assert_eq!(decision.alert(d(2026, 10, 26), 200, &cal()), Alert::Yellow);
    assert_eq!(decision.alert(d(2026, 10, 30), 200, &cal()), Alert::Yellow);
    assert_eq!(decision.alert(d(2026, 10, 31), 200, &cal()), Alert::Red);
    // The committed clock (10 WD, due 10-16) is earlier: the case turns yellow on it first.
    assert_eq!(case.alert_on(d(2026, 10, 15), &cal(), &rules), Alert::Yellow);
    assert_eq!(case.alert_on(d(2026, 10, 17), &cal(), &rules), Alert::Red);
    // The scheduler's next look: the committed clock's yellow day, then its red day.
    let first = case.next_alert_on(d(2026, 9, 28), &cal(), &rules).unwrap();
    assert_eq!(first, decision_yellow_of(&case, ClockKind::Committed));
    assert_eq!(case.next_alert_on(d(2026, 10, 16), &cal(), &rules), Some(d(2026, 10, 17)));
    let late = case.most_late_clock(d(2026, 10, 20)).unwrap();
    assert_eq!(late.kind, ClockKind::Committed);
    // Red, with its committed clock late: the decision clock's yellow (10-26) and red (10-31)
    // days would record nothing (its 督办 names the clock furthest behind), so no look.
    assert_eq!(case.next_alert_on(d(2026, 10, 17), &cal(), &rules), None);
    // Yellow by the committed clock: the decision clock turning yellow changes nothing either.
    let committed_yellow = decision_yellow_of(&case, ClockKind::Committed);
    assert!(committed_yellow < d(2026, 10, 16));
    assert_eq!(case.next_alert_on(committed_yellow, &cal(), &rules), Some(d(2026, 10, 17)));
}

fn decision_yellow_of(case: &Case, kind: ClockKind) -> NaiveDate {
    case.clocks.iter().find(|c| c.kind == kind).unwrap().yellow_from(200, &cal())
}

#[test]
fn a_deadline_into_a_year_without_data_is_provisional_until_the_year_is_loaded() {
    let case = ok(&licence(d(2026, 12, 18)), accept(), &clerk(TOWN), d(2026, 12, 18));
    assert!(case.has_provisional_deadline());
    let decision = case.clocks.iter().find(|c| c.kind == ClockKind::Decision).unwrap();
    assert!(decision.due.provisional);
    // Weekdays only in 2027: 12-21..12-31 is 9 WD, then 11 weekdays of January → 2027-01-15.
    assert_eq!(decision.due.date, d(2027, 1, 15));
    let with_2027 = format!(
        "{HOLIDAYS}\n[[year]]\nyear = 2027\nholidays = [\n  {{ name = \"元旦\", off = [\"2027-01-01\", \"2027-01-03\"], work = [] }},\n  {{ name = \"测试\", off = [\"2027-01-11\", \"2027-01-12\"], work = [] }},\n]\n"
    );
    let calendar = WorkCalendar::parse(&with_2027).unwrap();
    let (recomputed, step) =
        case.recompute(time(d(2026, 12, 20)), &calendar, &CaseRules::default()).unwrap();
    assert!(!recomputed.has_provisional_deadline());
    assert_eq!(
        due(&recomputed, ClockKind::Decision),
        d(2027, 1, 20),
        "three more days off in January"
    );
    assert!(
        step.clocks
            .iter()
            .any(|c| matches!(c, ClockChange::Recomputed { clock: ClockKind::Decision, .. }))
    );
    assert_eq!(step.action, ActionKind::Recompute);
    assert!(
        recomputed.recompute(time(d(2026, 12, 21)), &calendar, &CaseRules::default()).is_none()
    );
}

fn penalty(applicant: Applicant) -> Case {
    open_with(
        PowerCategory::Penalty,
        Exercise::OwnName,
        applicant,
        Channel::ExOfficio,
        d(2026, 3, 2),
        case_item(PowerCategory::Penalty, None, None),
    )
    .0
}

fn cert(s: &str) -> CertificateNo {
    CertificateNo::parse(s).unwrap()
}

#[test]
fn a_penalty_needs_two_officers_the_partys_rights_and_a_legal_check_when_major() {
    let case = penalty(firm());
    // 处罚法第六十条: 90 calendar days from filing (3-02 → 5-31, a Sunday → 6-01).
    assert_eq!(due(&case, ClockKind::Decision), d(2026, 6, 1));
    let one = CaseCommand::Investigate { officers: vec![cert("ZF-001"), cert("ZF-001")] };
    assert_eq!(
        rule_of(step(&case, one, &clerk(TOWN), d(2026, 3, 3)).unwrap_err()),
        "two_certified_officers"
    );
    let two = CaseCommand::Investigate { officers: vec![cert("ZF-001"), cert("ZF-002")] };
    let investigated = ok(&case, two, &clerk(TOWN), d(2026, 3, 3));
    let notified = ok(
        &investigated,
        CaseCommand::Notify { content: "拟罚款五千元".into() },
        &clerk(TOWN),
        d(2026, 3, 10),
    );
    assert_eq!(due(&notified, ClockKind::HearingRequest), d(2026, 3, 17));
    let decide = |major| CaseCommand::Decide {
        outcome: Outcome::Penalty { content: "罚款五千元".into(), fine_yuan: Some(5_000) },
        major,
    };
    assert_eq!(
        rule_of(step(&notified, decide(false), &leader(TOWN), d(2026, 3, 12)).unwrap_err()),
        "party_rights_pending"
    );
    // After the period the party did not use, or once they waive it, the decision may come.
    ok(&notified, decide(false), &leader(TOWN), d(2026, 3, 18));
    let waived = ok(&notified, CaseCommand::WaiveHearing, &Actor::Applicant, d(2026, 3, 11));
    ok(&waived, decide(false), &leader(TOWN), d(2026, 3, 12));
    assert_eq!(
        rule_of(step(&waived, decide(true), &leader(TOWN), d(2026, 3, 12)).unwrap_err()),
        "legal_check_required"
    );
    let checked = ok(
        &waived,
        CaseCommand::LegalCheck { opinion: "事实清楚".into() },
        &staff(TOWN, &[Role::Reviewer]),
        d(2026, 3, 12),
    );
    let decided = ok(&checked, decide(true), &leader(TOWN), d(2026, 3, 13));
    assert_eq!(due(&decided, ClockKind::Delivery), d(2026, 3, 24), "处罚法第六十一条: 7 WD");
    // A hearing asked for after the 5 days is too late.
    assert_eq!(
        rule_of(
            step(&notified, CaseCommand::RequestHearing, &Actor::Applicant, d(2026, 3, 18))
                .unwrap_err()
        ),
        "hearing_request_late"
    );
}

#[test]
fn the_summary_procedure_keeps_to_its_fine_limits() {
    let spot = |fine| CaseCommand::DecideOnTheSpot {
        outcome: Outcome::Penalty { content: "罚款".into(), fine_yuan: Some(fine) },
    };
    let person_case = penalty(person());
    assert_eq!(
        rule_of(step(&person_case, spot(201), &clerk(TOWN), d(2026, 3, 2)).unwrap_err()),
        "summary_fine_too_high"
    );
    let done = ok(&person_case, spot(200), &clerk(TOWN), d(2026, 3, 2));
    assert_eq!(done.state, CaseState::Delivered);
    let firm_case = penalty(firm());
    ok(&firm_case, spot(3_000), &clerk(TOWN), d(2026, 3, 2));
    assert!(step(&firm_case, spot(3_001), &clerk(TOWN), d(2026, 3, 2)).is_err());
}

#[test]
fn coercive_measures_are_never_entrusted_and_enforcement_keeps_off_nights_and_holidays() {
    let entrusted = NewCase {
        id: CaseId::from_uuid(crate::fixtures::uid(5)),
        receipt: ReceiptNo::new(d(2026, 3, 2), 5),
        item: case_item(PowerCategory::CoerciveMeasure, None, None),
        applicant: firm(),
        channel: Channel::ExOfficio,
        unit: unit(TOWN),
        exercise: Exercise::InNameOf { department: unit(DEPT) },
    };
    let err =
        Case::open(entrusted, &clerk(TOWN), time(d(2026, 3, 2)), &cal(), &CaseRules::default())
            .unwrap_err();
    assert_eq!(err.rule(), "measure_not_entrusted");
    assert!(err.zh().contains("行政强制法第十七条"));

    let (case, _) = open_with(
        PowerCategory::CoerciveEnforcement,
        Exercise::OwnName,
        firm(),
        Channel::ExOfficio,
        d(2026, 9, 21),
        case_item(PowerCategory::CoerciveEnforcement, None, None),
    );
    let demand =
        CaseCommand::Demand { period: Period::WorkingDays(10), content: "限期拆除".into() };
    let demanded = ok(&case, demand, &clerk(TOWN), d(2026, 9, 21));
    let decide = CaseCommand::Decide {
        outcome: Outcome::Done { summary: "强制拆除".into() },
        major: false,
    };
    assert_eq!(
        rule_of(step(&demanded, decide.clone(), &leader(TOWN), d(2026, 10, 8)).unwrap_err()),
        "demand_period_running"
    );
    let decided = ok(&demanded, decide, &leader(TOWN), d(2026, 10, 13));
    let delivered = ok(
        &decided,
        CaseCommand::Deliver { method: "直接送达".into(), in_person: false },
        &clerk(TOWN),
        d(2026, 10, 13),
    );
    let execute = |day: NaiveDate, hour: u32, emergency| CaseCommand::Execute {
        at_local: day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap()),
        emergency,
    };
    let night =
        step(&delivered, execute(d(2026, 10, 14), 23, false), &clerk(TOWN), d(2026, 10, 14))
            .unwrap_err();
    assert_eq!(night.rule(), "no_enforcement_at_night_or_holiday");
    let holiday =
        step(&delivered, execute(d(2026, 10, 1), 10, false), &clerk(TOWN), d(2026, 10, 14))
            .unwrap_err();
    assert_eq!(holiday.rule(), "no_enforcement_at_night_or_holiday");
    ok(&delivered, execute(d(2026, 10, 14), 23, true), &clerk(TOWN), d(2026, 10, 14));
    ok(&delivered, execute(d(2026, 10, 10), 10, false), &clerk(TOWN), d(2026, 10, 10));
}

#[test]
fn ex_officio_and_application_channels_do_not_mix() {
    let new = NewCase {
        id: CaseId::from_uuid(crate::fixtures::uid(6)),
        receipt: ReceiptNo::new(d(2026, 3, 2), 6),
        item: case_item(PowerCategory::Penalty, None, None),
        applicant: firm(),
        channel: Channel::Online,
        unit: unit(TOWN),
        exercise: Exercise::OwnName,
    };
    let err =
        Case::open(new, &Actor::Applicant, time(d(2026, 3, 2)), &cal(), &CaseRules::default())
            .unwrap_err();
    assert_eq!(err.rule(), "wrong_channel");
}

#[test]
fn an_immediate_item_is_decided_on_the_spot_and_others_are_not() {
    let immediate = case_item(PowerCategory::Confirmation, Some(0), None);
    let (case, _) = open_with(
        PowerCategory::Confirmation,
        Exercise::OwnName,
        person(),
        Channel::Window,
        d(2026, 3, 2),
        immediate,
    );
    let spot = || CaseCommand::DecideOnTheSpot {
        outcome: Outcome::Granted { document: Some("证明".into()) },
    };
    let done = ok(&case, spot(), &clerk(TOWN), d(2026, 3, 2));
    assert_eq!(done.state, CaseState::Delivered);
    assert_eq!(
        rule_of(step(&licence(d(2026, 3, 2)), spot(), &clerk(TOWN), d(2026, 3, 2)).unwrap_err()),
        "not_immediate"
    );
}

#[test]
fn timeline_steps_carry_no_personal_data() {
    let case = penalty(person());
    let two = CaseCommand::Investigate { officers: vec![cert("ZF-001"), cert("ZF-002")] };
    let (_, step) =
        case.apply(&two, &clerk(TOWN), time(d(2026, 3, 3)), &cal(), &CaseRules::default()).unwrap();
    let text = step.data.to_string();
    assert!(!text.contains("ZF-001"), "{text}");
    assert_eq!(step.data["officers"], 2);
    assert_eq!(step.n, 2);
    assert_eq!(step.from, Some(CaseState::Filed));
    assert_eq!(step.to, CaseState::Investigating);
}

#[test]
fn only_the_applicant_rates_an_ended_case_once_per_channel() {
    let rules = CaseRules::default();
    let case = ok(&licence(d(2026, 9, 28)), accept(), &clerk(TOWN), d(2026, 9, 28));
    let new = |channel, level| NewRating {
        id: RatingId::from_uuid(crate::fixtures::uid(8)),
        level,
        channel,
        comment: "窗口人员态度差".into(),
    };
    let t = time(d(2026, 10, 9));
    let early = rate(
        &case,
        true,
        &[],
        new(RatingChannel::Online, RatingLevel::Satisfied),
        t,
        &rules,
        &cal(),
    )
    .unwrap_err();
    assert_eq!(early.rule(), "case_not_ended");
    let refused = ok(
        &licence(d(2026, 9, 28)),
        CaseCommand::Refuse {
            reason: "材料虚假".into(),
            not_competent: false,
            competent_unit: None,
        },
        &clerk(TOWN),
        d(2026, 9, 28),
    );
    let other = rate(
        &refused,
        false,
        &[],
        new(RatingChannel::Online, RatingLevel::Satisfied),
        t,
        &rules,
        &cal(),
    )
    .unwrap_err();
    assert_eq!(other.rule(), "only_applicant_rates");
    let bad = rate(
        &refused,
        true,
        &[],
        new(RatingChannel::Online, RatingLevel::Dissatisfied),
        t,
        &rules,
        &cal(),
    )
    .unwrap();
    // 差评: rectification within 15 working days (10-9 → 10-29, the 调休 Saturday counts).
    assert_eq!(bad.follow_up.as_ref().unwrap().rectify_by.date, d(2026, 10, 29));
    assert!(bad.counts());
    let again = rate(
        &refused,
        true,
        &[RatingChannel::Online],
        new(RatingChannel::Online, RatingLevel::VerySatisfied),
        t,
        &rules,
        &cal(),
    );
    assert_eq!(again.unwrap_err().rule(), "already_rated");
    let window = rate(
        &refused,
        true,
        &[RatingChannel::Online],
        new(RatingChannel::Window, RatingLevel::VerySatisfied),
        t,
        &rules,
        &cal(),
    )
    .unwrap();
    assert!(window.follow_up.is_none());
    let ex_officio = ok(
        &penalty(firm()),
        CaseCommand::DecideOnTheSpot {
            outcome: Outcome::Penalty { content: "警告".into(), fine_yuan: None },
        },
        &clerk(TOWN),
        d(2026, 3, 2),
    );
    let closed = ok(&ex_officio, CaseCommand::Close, &clerk(TOWN), d(2026, 3, 2));
    assert_eq!(
        rate(&closed, true, &[], new(RatingChannel::Online, RatingLevel::Basic), t, &rules, &cal())
            .unwrap_err()
            .rule(),
        "not_rateable"
    );
}
