//! Cases on the demo county: an application to a unit that does not hold the power is refused
//! naming the one that does; a licence goes through intake, decision, delivery and closing
//! with a ledger leaf per step; the applicant alone follows, rates and gets receipts; the
//! scheduler turns late cases red and opens one supervision item however often it runs, across
//! a restart; personal data never reaches a case document or a ledger leaf in clear; material
//! promised under 容缺受理 is recorded once on the timeline when the last of it is filed.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use quanze_core::case::rating::{RatingChannel, RatingLevel};
use quanze_core::case::{CaseCommand, CaseState, Outcome};
use quanze_core::{ItemId, UnitId};
use quanze_service::cases::{CaseCaller, CasesConfig, PersonalKey};
use quanze_service::views::cases::{ApplicantInput, ApplyRequest, ChannelInput, RatingRequest};
use quanze_service::{Config, ErrorCode, Service, ServiceError};

use crate::helpers::{TestClock, demo_at_with, login};

const ID_NUMBER: &str = "11010519491231002X";

fn config(key: &PersonalKey) -> Config {
    let signing =
        quanze_ledger::SigningKey::generate(quanze_ledger::note::SigAlg::Sm2, "quanze.test/cases")
            .expect("SM2 key");
    Config {
        cases: CasesConfig { personal_key: Some(key.clone()), ..CasesConfig::default() },
        ledger: quanze_service::ledger::LedgerConfig {
            origin: "quanze.test/cases".to_owned(),
            key: Some(Arc::new(signing)),
            witnesses: Vec::new(),
        },
        ..Config::default()
    }
}

/// A department's licensing power held today, and a town that does not hold it.
fn licence_and_town(service: &Service) -> (UnitId, ItemId, UnitId) {
    let catalog = service.catalog();
    let today = service.today();
    let (dept, item) = quanze_service::demo::department_licence(&catalog, today)
        .expect("a department licensing power");
    let town = catalog
        .units
        .iter()
        .find(|u| {
            u.kind.is_township_level() && catalog.authority.holds(u.id, item, today).is_none()
        })
        .expect("a town without it")
        .id;
    (dept, item, town)
}

/// A licence application accepted by a department's clerk, with the staff who act on it and a
/// county department to cooperate.
struct Accepted {
    dept: UnitId,
    coop: UnitId,
    clerk: quanze_service::CurrentUser,
    reviewer: quanze_service::CurrentUser,
    supervisor: quanze_service::CurrentUser,
    no: String,
}

async fn accepted_licence(service: &Service) -> Accepted {
    let (dept, item, _) = licence_and_town(service);
    let clerk = login(service, "clerk").await;
    let reviewer = login(service, "reviewer").await;
    let supervisor = login(service, "supervisor").await;
    let coop = another_department(service, dept);
    let no = service.apply_for_case(None, apply(item, dept, ID_NUMBER)).await.unwrap().receipt;
    let accept = CaseCommand::Accept { missing: vec![], promised: None };
    service.act_on_case(CaseCaller::Staff(&clerk, None), &no, accept).await.unwrap();
    Accepted { dept, coop, clerk, reviewer, supervisor, no }
}

/// A county department other than `dept`, to cooperate on its cases.
fn another_department(service: &Service, dept: UnitId) -> UnitId {
    service
        .catalog()
        .units
        .iter()
        .find(|u| u.kind == quanze_core::UnitKind::Department && u.id != dept)
        .expect("another department")
        .id
}

fn apply(item: ItemId, unit: UnitId, number: &str) -> ApplyRequest {
    ApplyRequest {
        item,
        unit,
        applicant: ApplicantInput {
            kind: "person".into(),
            name: "张三".into(),
            number: number.into(),
        },
        channel: ChannelInput::Online,
    }
}

fn code(err: ServiceError) -> ErrorCode {
    err.code()
}

async fn setup() -> (tempfile::TempDir, Service, Arc<TestClock>, PersonalKey) {
    // Monday 2026-09-28, 10:00 in Beijing.
    let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 9, 28, 2, 0, 0).unwrap());
    let key = PersonalKey::generate();
    let (dir, service) = demo_at_with(clock.clone(), config(&key)).await;
    (dir, service, clock, key)
}

#[tokio::test]
async fn a_licence_from_application_to_rating_with_a_receipt_per_step() {
    let (_dir, service, _clock, key) = setup().await;
    let (dept, item, town) = licence_and_town(&service);
    let clerk = login(&service, "clerk").await;
    let leader = login(&service, "leader").await;
    let head = service.ledger_head().await.unwrap().size;

    // 法无授权不可为: the town does not hold it; the refusal names the department.
    let err = service.apply_for_case(None, apply(item, town, ID_NUMBER)).await.unwrap_err();
    let dept_name = service.catalog().unit(dept).unwrap().name.clone();
    assert_eq!(code(ServiceError::rejected(err.code(), "", "")), ErrorCode::CaseUnitNotCompetent);
    assert!(err.zh().contains(&dept_name), "{}", err.zh());
    // A bad ID number is refused before anything is written.
    let err =
        service.apply_for_case(None, apply(item, dept, "110105194912310021")).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(service.ledger_head().await.unwrap().size, head, "nothing written");

    let receipt = service.apply_for_case(None, apply(item, dept, ID_NUMBER)).await.unwrap();
    let access = receipt.access_code.clone().unwrap();
    assert_eq!(receipt.case.case.state, CaseState::Submitted);
    assert_eq!(receipt.case.case.party.number, "110105********002X");
    assert!(receipt.receipt.starts_with("QZ20260928"));

    let staff = |user| CaseCaller::Staff(user, None);
    let no = &receipt.receipt;
    service
        .act_on_case(staff(&clerk), no, CaseCommand::Accept { missing: vec![], promised: None })
        .await
        .unwrap();
    let bare = CaseCommand::Decide {
        outcome: Outcome::Denied { reasons: "不符合条件".into(), remedies: String::new() },
        major: false,
    };
    let err = service.act_on_case(staff(&leader), no, bare).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::CaseDenialNeedsReasons);
    assert!(err.zh().contains("行政许可法第三十八条"));
    // A clerk does not decide (the procedure's table).
    let grant = || CaseCommand::Decide {
        outcome: Outcome::Granted { document: Some("许字2026-1号".into()) },
        major: false,
    };
    assert_eq!(
        service.act_on_case(staff(&clerk), no, grant()).await.unwrap_err().code(),
        ErrorCode::CaseActorNotPermitted
    );
    service.act_on_case(staff(&leader), no, grant()).await.unwrap();
    service
        .act_on_case(
            staff(&clerk),
            no,
            CaseCommand::Deliver { method: "电子送达".into(), in_person: false },
        )
        .await
        .unwrap();
    let closed = service.act_on_case(staff(&clerk), no, CaseCommand::Close).await.unwrap();
    assert_eq!(closed.case.state, CaseState::Closed);
    // A step's answer carries that step; the case's own view carries them all.
    assert_eq!(closed.timeline.len(), 1);
    assert_eq!(closed.timeline[0].step.n, 5);
    assert!(closed.at_most_one_trip);

    // The applicant follows it with the access code; a wrong code is refused.
    let seen = service.case_for_applicant(no, &access).await.unwrap();
    assert_eq!(seen.timeline.len(), 5);
    let leaves: Vec<u64> = seen.timeline.iter().map(|s| s.leaf_index).collect();
    assert!(leaves.windows(2).all(|w| w[0] < w[1]), "{leaves:?}");
    assert_eq!(seen.timeline[4].leaf_index, closed.timeline[0].leaf_index);
    assert_eq!(
        service.case_for_applicant(no, "WRONGCODE2345678").await.unwrap_err().code(),
        ErrorCode::CaseAccessDenied
    );
    service.sign_checkpoint().await.unwrap().expect("a checkpoint");
    let step_receipt = service.case_step_receipt(no, &access, 3).await.unwrap();
    assert_eq!(step_receipt.entry.index, seen.timeline[2].leaf_index);

    // Only the applicant rates, once per channel; a 差评 gets its follow-up.
    let rating = |code: &str, level| RatingRequest {
        access_code: code.into(),
        level,
        channel: RatingChannel::Online,
        comment: Some("等候时间长".into()),
    };
    let err = service
        .rate_case(no, rating("WRONGCODE2345678", RatingLevel::VeryDissatisfied))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::RatingNotApplicant);
    let bad = service.rate_case(no, rating(&access, RatingLevel::Dissatisfied)).await.unwrap();
    assert!(bad.follow_up.is_some());
    let err = service.rate_case(no, rating(&access, RatingLevel::VerySatisfied)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::RatingDuplicate);
    assert_eq!(service.unit_ratings(dept).await.unwrap(), [0, 1, 0, 0, 0]);

    // No ID number in clear in any ledger leaf or case document; the sealed applicant opens.
    let size = service.ledger_head().await.unwrap().size;
    for entry in service.ledger_entries(head, size).await.unwrap() {
        assert!(!entry.leaf.contains(ID_NUMBER), "leaf {} holds the ID number", entry.index);
        assert!(!entry.leaf.contains("张三"), "leaf {} holds the name", entry.index);
    }
    let stored = service
        .store()
        .case_by_receipt(&quanze_core::case::ReceiptNo::parse(no).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!serde_json::to_string(&stored.case).unwrap().contains(ID_NUMBER));
    let opened = key.open(&stored.sealed).unwrap();
    assert!(String::from_utf8(opened).unwrap().contains(ID_NUMBER));
}

#[tokio::test]
async fn the_scheduler_turns_late_cases_red_once_even_across_a_restart() {
    let (dir, service, clock, key) = setup().await;
    let (dept, item, _) = licence_and_town(&service);
    let clerk = login(&service, "clerk").await;
    let receipt = service.apply_for_case(None, apply(item, dept, ID_NUMBER)).await.unwrap();
    let no = receipt.receipt.clone();
    // An application nobody looked at within 5 working days counts as accepted (许可法第三十二条).
    let report = service.tick_deadlines(service.today() + Duration::days(20), 100).await.unwrap();
    assert_eq!(report.deemed_accepted, 1);
    let case = service.case_for_staff(&clerk, &no).await.unwrap();
    assert_eq!(case.case.state, CaseState::UnderReview);
    let decision =
        case.deadlines.iter().find(|d| d.clock == quanze_core::case::ClockKind::Decision).unwrap();
    let due = decision.due;

    // Long after the deadline: red, and one supervision item.
    clock.advance(Duration::days(90));
    let late = due + Duration::days(5);
    let first = service.tick_deadlines(late, 100).await.unwrap();
    assert!(first.red >= 1, "{first:?}");
    assert_eq!(first.supervisions_opened, 1);
    let supervisor = login(&service, "supervisor").await;
    assert_eq!(service.supervisions(&supervisor, None).await.unwrap().len(), 1);
    let again = service.tick_deadlines(late, 100).await.unwrap();
    assert_eq!(again.examined, 0, "a red case leaves the index: {again:?}");

    // A restart: a new service over the same file; the tick finds nothing to do twice.
    drop(service);
    let store =
        quanze_store::connect(&quanze_store::testing::sqlite_url(dir.path())).await.unwrap();
    let service = Service::new(store, clock.clone(), config(&key)).await.unwrap();
    let after = service.tick_deadlines(late + Duration::days(1), 100).await.unwrap();
    assert_eq!(after.supervisions_opened, 0);
    assert_eq!(service.supervisions(&supervisor, None).await.unwrap().len(), 1);
    let view = service.case_for_staff(&clerk, &no).await.unwrap();
    assert_eq!(view.alert, quanze_core::case::Alert::Red);
    // Deciding late closes the supervision item.
    let leader = login(&service, "leader").await;
    service
        .act_on_case(
            CaseCaller::Staff(&leader, None),
            &no,
            CaseCommand::Decide { outcome: Outcome::Granted { document: None }, major: false },
        )
        .await
        .unwrap();
    assert!(service.supervisions(&supervisor, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_tick_in_pages_reads_each_due_case_once() {
    let (_dir, service, _clock, _key) = setup().await;
    let (dept, item, _) = licence_and_town(&service);
    for _ in 0..5 {
        service.apply_for_case(None, apply(item, dept, ID_NUMBER)).await.unwrap();
    }
    // Pages of two: the next page is read while the one before is written, without it. A
    // case deemed accepted 20 days on has a clock run out already, so it is due again that
    // day for its 督办: read again by a later page of the tick or by the next tick, but each
    // thing recorded once.
    let on = service.today() + Duration::days(20);
    let mut total = quanze_service::views::cases::TickReport::default();
    for _ in 0..3 {
        let report = service.tick_deadlines(on, 2).await.unwrap();
        if report.examined == 0 {
            break;
        }
        total.examined += report.examined;
        total.deemed_accepted += report.deemed_accepted;
        total.supervisions_opened += report.supervisions_opened;
        total.skipped += report.skipped;
    }
    assert_eq!(
        (total.examined, total.deemed_accepted, total.supervisions_opened, total.skipped),
        (10, 5, 5, 0),
        "{total:?}"
    );
    assert_eq!(service.tick_deadlines(on, 2).await.unwrap().examined, 0);
}

#[tokio::test]
async fn without_a_personal_data_key_no_case_is_received() {
    let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 9, 28, 2, 0, 0).unwrap());
    let (_dir, service) = demo_at_with(clock, Config::default()).await;
    let (dept, item, _) = licence_and_town(&service);
    let err = service.apply_for_case(None, apply(item, dept, ID_NUMBER)).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PersonalKeyMissing);
}

#[tokio::test]
async fn loading_next_years_calendar_makes_provisional_deadlines_final() {
    // Friday 2026-12-18: a 20-working-day decision runs into 2027, which has no data yet.
    let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 12, 18, 2, 0, 0).unwrap());
    let key = PersonalKey::generate();
    let (_dir, service) = demo_at_with(clock, config(&key)).await;
    let (dept, item, _) = licence_and_town(&service);
    let clerk = login(&service, "clerk").await;
    let receipt = service.apply_for_case(None, apply(item, dept, ID_NUMBER)).await.unwrap();
    let accepted = service
        .act_on_case(
            CaseCaller::Staff(&clerk, None),
            &receipt.receipt,
            CaseCommand::Accept { missing: vec![], promised: None },
        )
        .await
        .unwrap();
    assert!(accepted.provisional, "a deadline into 2027 is provisional");
    let before = service.case_for_staff(&clerk, &receipt.receipt).await.unwrap();
    let admin = login(&service, "admin").await;
    service.load_calendar(&admin, crate::calendar::Y2027).await.unwrap();
    let after = service.case_for_staff(&clerk, &receipt.receipt).await.unwrap();
    assert!(!after.provisional);
    let last = after.timeline.last().unwrap();
    assert_eq!(last.step.action, quanze_core::case::ActionKind::Recompute);
    assert_eq!(after.timeline.len(), before.timeline.len() + 1);
}

/// Two servers on one database: each caches the cases it wrote, and a step computed from a
/// stale entry is refused by the store (the step count moved) and computed again from the
/// stored case, so neither server loses the other's step.
#[tokio::test]
async fn a_stale_cached_case_is_read_again_and_no_step_is_lost() {
    let (dir, first, clock, key) = setup().await;
    let (dept, item, _) = licence_and_town(&first);
    let clerk = login(&first, "clerk").await;
    let receipt = first.apply_for_case(None, apply(item, dept, ID_NUMBER)).await.unwrap();
    let no = receipt.receipt.clone();
    let store =
        quanze_store::connect(&quanze_store::testing::sqlite_url(dir.path())).await.unwrap();
    let second = Service::new(store, clock.clone(), config(&key)).await.unwrap();
    let clerk2 = login(&second, "clerk").await;
    second
        .act_on_case(
            CaseCaller::Staff(&clerk2, None),
            &no,
            CaseCommand::Accept { missing: vec![], promised: None },
        )
        .await
        .unwrap();
    // The first server still holds the case as submitted; an urge is computed from it, refused
    // by the store, and computed again from the accepted case.
    let urged = first
        .act_on_case(
            CaseCaller::Staff(&clerk, None),
            &no,
            CaseCommand::Urge { note: "请尽快审查".into() },
        )
        .await
        .unwrap();
    assert_eq!(urged.case.state, CaseState::UnderReview);
    assert_eq!(urged.timeline[0].step.n, 3);
    let all = first.case_for_staff(&clerk, &no).await.unwrap();
    let actions: Vec<_> = all.timeline.iter().map(|s| s.step.action).collect();
    use quanze_core::case::ActionKind as A;
    assert_eq!(actions, [A::Apply, A::Accept, A::Urge]);
}

/// A 差评's follow-up: the unit's staff call back and put it right, its leader (not a clerk)
/// appeals a malicious rating, a supervisor (not the unit) decides, and an upheld appeal takes
/// the rating out of the unit's results.
#[tokio::test]
async fn a_bad_rating_is_called_back_rectified_and_appealed() {
    use quanze_service::cases::RatingFollowUp as F;
    let (_dir, service, _clock, _key) = setup().await;
    let (dept, item, _) = licence_and_town(&service);
    let clerk = login(&service, "clerk").await;
    let leader = login(&service, "leader").await;
    let supervisor = login(&service, "supervisor").await;
    let receipt = service.apply_for_case(None, apply(item, dept, ID_NUMBER)).await.unwrap();
    let no = receipt.receipt.clone();
    let refuse = CaseCommand::Refuse {
        reason: "申请材料不真实".into(),
        not_competent: false,
        competent_unit: None,
    };
    service.act_on_case(CaseCaller::Staff(&clerk, None), &no, refuse).await.unwrap();
    let request = RatingRequest {
        access_code: receipt.access_code.clone().unwrap(),
        level: RatingLevel::VeryDissatisfied,
        channel: RatingChannel::Online,
        comment: Some("态度恶劣".into()),
    };
    let rating = service.rate_case(&no, request).await.unwrap();
    assert_eq!(service.unit_ratings(dept).await.unwrap(), [1, 0, 0, 0, 0]);
    let called = service
        .follow_up_rating(
            &clerk,
            rating.id,
            F::CallBack { note: "已电话回访，申请人仍不满意".into() },
        )
        .await
        .unwrap();
    assert!(called.follow_up.as_ref().unwrap().call_back.is_some());
    service
        .follow_up_rating(
            &clerk,
            rating.id,
            F::Rectified { text: "已向申请人说明不予受理理由".into() },
        )
        .await
        .unwrap();
    let err = service
        .follow_up_rating(&clerk, rating.id, F::Appeal { grounds: "恶意评价".into() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
    service
        .follow_up_rating(
            &leader,
            rating.id,
            F::Appeal { grounds: "申请人提交虚假材料后恶意差评".into() },
        )
        .await
        .unwrap();
    // The unit's own leader does not decide its appeal.
    let err = service
        .follow_up_rating(&leader, rating.id, F::DecideAppeal { upheld: true })
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
    let decided = service
        .follow_up_rating(&supervisor, rating.id, F::DecideAppeal { upheld: true })
        .await
        .unwrap();
    assert!(!decided.counts());
    assert_eq!(service.unit_ratings(dept).await.unwrap(), [0, 0, 0, 0, 0]);
    let again = service
        .follow_up_rating(&supervisor, rating.id, F::DecideAppeal { upheld: false })
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::Conflict);
}

#[tokio::test]
async fn a_late_task_of_a_cooperating_unit_is_supervised_at_that_unit() {
    let (_dir, service, clock, _key) = setup().await;
    let Accepted { coop, clerk, reviewer, supervisor, no, .. } = accepted_licence(&service).await;
    let act = |user, unit, cmd| service.act_on_case(CaseCaller::Staff(user, unit), &no, cmd);
    let task = quanze_core::TaskId::from_uuid(uuid::Uuid::now_v7());
    let assign = CaseCommand::AssignTask {
        task,
        unit: coop,
        description: "请协助核查经营场所".into(),
        period: quanze_core::Period::WorkingDays(3),
    };
    act(&reviewer, None, assign).await.unwrap();
    let view = service.case_for_staff(&clerk, &no).await.unwrap();
    let due = view.case.tasks[0].due.date;
    assert!(view.case.clocks.iter().all(|c| c.due.date > due + Duration::days(1)));

    // The day after the task's deadline: the case is red for it, and the 督办 names the
    // cooperating unit and the task, not the unit that has the case.
    let late = due + Duration::days(1);
    clock.advance(Duration::days((late - service.today()).num_days()));
    let report = service.tick_deadlines(late, 100).await.unwrap();
    assert_eq!((report.red, report.supervisions_opened), (1, 1), "{report:?}");
    let open = service.supervisions(&supervisor, None).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].unit, open[0].task, open[0].clock), (coop, Some(task), None));
    assert_eq!(open[0].due, due);
    let view = service.case_for_staff(&clerk, &no).await.unwrap();
    assert_eq!(view.alert, quanze_core::case::Alert::Red);
    let alert = view.timeline.last().unwrap();
    assert!(alert.step.data.to_string().contains("配合任务"), "{:?}", alert.step.data);
    // Ticking again opens nothing twice.
    let again = service.tick_deadlines(late, 100).await.unwrap();
    assert_eq!(again.supervisions_opened, 0, "{again:?}");
    assert_eq!(service.supervisions(&supervisor, None).await.unwrap().len(), 1);

    // The task done, nothing is late: the item closes and the case is green again.
    let complete = CaseCommand::CompleteTask { task, result: "符合要求".into() };
    act(&clerk, Some(coop), complete).await.unwrap();
    assert!(service.supervisions(&supervisor, None).await.unwrap().is_empty());
    let view = service.case_for_staff(&clerk, &no).await.unwrap();
    assert_eq!(view.alert, quanze_core::case::Alert::Green);
}

const PDF: &[u8] = include_bytes!("../../../quanze-core/tests/data/materials/letter.pdf");
const PNG: &[u8] = include_bytes!("../../../quanze-core/tests/data/materials/stamp.png");

/// 容缺受理 with two materials promised: the first filed records nothing, the second records
/// the server's 补齐容缺材料 step once (on time) and clears the promise; a promise that ran out
/// shows as overdue until its material is in, then is recorded as late; a case accepted
/// without a promise never gets the step.
#[tokio::test]
async fn material_promised_at_acceptance_is_recorded_once_when_all_of_it_is_filed() {
    use quanze_core::case::ActionKind;
    use quanze_service::views::materials::MaterialUpload;

    let (_dir, service, clock, _key) = setup().await;
    let (dept, item, _) = licence_and_town(&service);
    let clerk = login(&service, "clerk").await;
    let promised = service.today() + Duration::days(7);
    let missing = || vec!["身份证复印件".to_owned(), "场地证明".to_owned()];
    let open = |accept: CaseCommand| {
        let (service, clerk) = (&service, &clerk);
        async move {
            let receipt = service.apply_for_case(None, apply(item, dept, ID_NUMBER)).await.unwrap();
            let no = receipt.receipt;
            service.act_on_case(CaseCaller::Staff(clerk, None), &no, accept).await.unwrap();
            (no, receipt.access_code.unwrap())
        }
    };
    let tolerated = || CaseCommand::Accept { missing: missing(), promised: Some(promised) };
    let upload = |no: String, code: String, name: &str, bytes: &[u8]| {
        let req = MaterialUpload { name: name.to_owned(), valid_until: None };
        let (service, bytes) = (&service, bytes.to_vec());
        async move {
            service.upload_material(CaseCaller::Applicant(&code), &no, req, bytes).await.unwrap()
        }
    };
    let supplied_steps = |no: String| {
        let (service, clerk) = (&service, &clerk);
        async move {
            let view = service.case_for_staff(clerk, &no).await.unwrap();
            let steps: Vec<_> = view
                .timeline
                .iter()
                .filter(|s| s.step.action == ActionKind::MissingSupplied)
                .map(|s| s.step.clone())
                .collect();
            (view, steps)
        }
    };

    let (no, code) = open(tolerated()).await;
    upload(no.clone(), code.clone(), "身份证复印件", PDF).await;
    let (view, steps) = supplied_steps(no.clone()).await;
    assert!(steps.is_empty(), "one of two filed: no step");
    assert_eq!(view.case.missing_promised, Some((missing(), promised)));
    assert!(!view.missing_overdue);
    upload(no.clone(), code.clone(), "场地证明", PNG).await;
    let (view, steps) = supplied_steps(no.clone()).await;
    assert_eq!(steps.len(), 1, "{:?}", view.timeline);
    assert_eq!(steps[0].actor, quanze_core::case::ActorRef::System);
    assert_eq!(steps[0].data["on_time"], true);
    assert_eq!(steps[0].data["names"], serde_json::json!(missing()));
    assert_eq!(view.case.missing_promised, None);
    assert_eq!(view.timeline.last().unwrap().step.action, ActionKind::MissingSupplied);
    // Filed again (deduplicated): checked again, recorded no second time.
    assert!(upload(no.clone(), code.clone(), "场地证明", PNG).await.deduplicated);
    assert_eq!(supplied_steps(no.clone()).await.1.len(), 1);
    // The server's step is not the staff's or the applicant's to take.
    let by_staff = CaseCommand::MissingSupplied { names: missing(), supplied_on: promised };
    let err = service.act_on_case(CaseCaller::Staff(&clerk, None), &no, by_staff).await;
    assert_eq!(err.unwrap_err().code(), ErrorCode::CaseActorNotPermitted);

    // Accepted without a promise: filing (one of the guide's materials) records nothing.
    let (plain, plain_code) = open(CaseCommand::Accept { missing: vec![], promised: None }).await;
    let version = view.case.item.version;
    let guide_name = service
        .catalog()
        .item(item, version)
        .and_then(|i| i.content.service.as_ref()?.materials.first().map(|m| m.name.clone()))
        .unwrap_or_else(|| "申请书".to_owned());
    upload(plain.clone(), plain_code.clone(), &guide_name, PDF).await;
    let (view, steps) = supplied_steps(plain).await;
    assert!(steps.is_empty());
    assert!(!view.missing_overdue);

    // A promise that runs out: overdue while material is missing, flagged by the scheduler
    // the day after (once, naming what is still missing), then recorded as late.
    let (late, late_code) = open(tolerated()).await;
    upload(late.clone(), late_code.clone(), "场地证明", PNG).await;
    let flags = |view: &quanze_service::views::cases::CaseView| {
        view.timeline
            .iter()
            .filter(|s| s.step.action == ActionKind::Alert)
            .filter_map(|s| s.step.data["note"].as_str().map(str::to_owned))
            .filter(|note| note.contains("逾期未补齐"))
            .collect::<Vec<_>>()
    };
    let on_the_day = service.tick_deadlines(promised, 1_000).await.unwrap();
    assert_eq!(on_the_day.promises_broken, 0, "{on_the_day:?}");
    clock.advance(Duration::days(8));
    let report = service.tick_deadlines(promised + Duration::days(1), 1_000).await.unwrap();
    assert!(report.promises_broken >= 1, "{report:?}");
    let (view, _) = supplied_steps(late.clone()).await;
    assert!(view.missing_overdue, "the promised day has passed with material missing");
    assert_eq!(
        flags(&view),
        [format!("容缺材料（身份证复印件）承诺于{promised}前补齐，逾期未补齐")]
    );
    service.tick_deadlines(promised + Duration::days(1), 1_000).await.unwrap();
    assert_eq!(flags(&supplied_steps(late.clone()).await.0).len(), 1, "flagged once");
    upload(late.clone(), late_code, "身份证复印件", PDF).await;
    let (view, steps) = supplied_steps(late).await;
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].data["on_time"], false);
    assert_eq!(steps[0].data["promised"], serde_json::json!(promised));
    assert!(!view.missing_overdue);
}

#[tokio::test]
async fn a_supervision_names_the_handler_and_a_red_case_ticked_again_opens_none_twice() {
    let (_dir, service, clock, _key) = setup().await;
    let Accepted { dept, coop, clerk, reviewer, supervisor, no } = accepted_licence(&service).await;
    let act = |user, cmd| service.act_on_case(CaseCaller::Staff(user, None), &no, cmd);
    let view = service.case_for_staff(&clerk, &no).await.unwrap();
    assert_eq!(view.case.handler, Some(clerk.id), "the clerk who accepted handles it");
    let decision =
        view.deadlines.iter().find(|d| d.clock == quanze_core::case::ClockKind::Decision).unwrap();

    // Late: the 督办 names the unit and the member of staff who handled the case last.
    let late = decision.due + Duration::days(1);
    clock.advance(Duration::days((late - service.today()).num_days()));
    let report = service.tick_deadlines(late, 100).await.unwrap();
    assert_eq!((report.red, report.supervisions_opened), (1, 1), "{report:?}");
    let open = service.supervisions(&supervisor, None).await.unwrap();
    assert_eq!((open[0].unit, open[0].person), (dept, Some(clerk.id)));

    // A member of staff acting on a red case leaves it due that day (something is late, and
    // a step opens no 督办): the scheduler finds every 督办 on record, writes no step, and
    // moves its next look to the day the new task turns red. The task's yellow day, on a
    // case red already, brings it back to nobody.
    let task = quanze_core::TaskId::from_uuid(uuid::Uuid::now_v7());
    let assign = CaseCommand::AssignTask {
        task,
        unit: coop,
        description: "请协助核查经营场所".into(),
        period: quanze_core::Period::WorkingDays(5),
    };
    act(&reviewer, assign).await.unwrap();
    let view = service.case_for_staff(&clerk, &no).await.unwrap();
    assert_eq!(view.case.handler, Some(reviewer.id), "the reviewer acted last");
    let task_due = view.case.tasks[0].due.date;
    let steps = view.timeline.len();
    let again = service.tick_deadlines(late, 100).await.unwrap();
    assert_eq!(
        (again.examined, again.unchanged, again.red, again.supervisions_opened),
        (1, 1, 0, 0),
        "{again:?}"
    );
    assert_eq!(service.supervisions(&supervisor, None).await.unwrap().len(), 1);
    let view = service.case_for_staff(&clerk, &no).await.unwrap();
    assert_eq!(view.timeline.len(), steps, "no step for a look that found nothing new");
    assert_eq!(view.case.alert, quanze_core::case::Alert::Red);
    let before_due = task_due - Duration::days(1);
    clock.advance(Duration::days((before_due - service.today()).num_days()));
    let retick = service.tick_deadlines(before_due, 100).await.unwrap();
    assert_eq!(retick.examined, 0, "a task turning yellow on a red case: {retick:?}");
    // Once the task is late too, its own 督办 opens at the cooperating unit, with no person
    // (nobody there has acted on it).
    let task_late = task_due + Duration::days(1);
    clock.advance(Duration::days((task_late - service.today()).num_days()));
    let third = service.tick_deadlines(task_late, 100).await.unwrap();
    assert_eq!((third.red, third.supervisions_opened), (1, 1), "{third:?}");
    let timeline = service.case_for_staff(&clerk, &no).await.unwrap().timeline;
    assert_eq!(timeline.len(), steps + 1, "the newly late task is recorded");
    let open = service.supervisions(&supervisor, None).await.unwrap();
    assert_eq!(open.len(), 2);
    assert!(open.iter().any(|s| s.task == Some(task) && s.unit == coop && s.person.is_none()));
}

#[tokio::test]
async fn a_step_on_the_day_a_clock_runs_out_leaves_its_supervision_to_that_days_tick() {
    let (_dir, service, clock, _key) = setup().await;
    let Accepted { coop, clerk, reviewer, supervisor, no, .. } = accepted_licence(&service).await;
    let view = service.case_for_staff(&clerk, &no).await.unwrap();
    let running =
        view.case.clocks.iter().filter(|c| c.kind.binds_administration() && c.is_running());
    let first_due = running.map(|c| c.due.date).min().unwrap();
    // The day after the first deadline, before the scheduler's tick of that day, the
    // reviewer asks a cooperating unit for help: the case is red under a staff step, which
    // opens no 督办.
    let late = first_due + Duration::days(1);
    clock.advance(Duration::days((late - service.today()).num_days()));
    let assign = CaseCommand::AssignTask {
        task: quanze_core::TaskId::from_uuid(uuid::Uuid::now_v7()),
        unit: coop,
        description: "请协助核查经营场所".into(),
        period: quanze_core::Period::WorkingDays(5),
    };
    service.act_on_case(CaseCaller::Staff(&reviewer, None), &no, assign).await.unwrap();
    assert_eq!(
        service.case_for_staff(&clerk, &no).await.unwrap().case.alert,
        quanze_core::case::Alert::Red
    );
    assert!(service.supervisions(&supervisor, None).await.unwrap().is_empty());
    // That day's tick still finds the case, and opens its 督办 once.
    let report = service.tick_deadlines(late, 100).await.unwrap();
    assert_eq!((report.examined, report.supervisions_opened), (1, 1), "{report:?}");
    assert_eq!(service.supervisions(&supervisor, None).await.unwrap().len(), 1);
    let again = service.tick_deadlines(late, 100).await.unwrap();
    assert_eq!(again.examined, 0, "{again:?}");
}

#[tokio::test]
async fn nobody_answers_a_complaint_about_itself() {
    let (_dir, service, _clock, _key) = setup().await;
    let (dept, _, _) = licence_and_town(&service);
    let catalog = service.catalog();
    let supervising = catalog.units.iter().find(|u| u.is_supervising()).unwrap().id;
    let oversight = catalog.units.iter().find(|u| u.is_oversight()).unwrap().id;
    assert_ne!(supervising, oversight);
    let file = |unit| {
        service.file_complaint(quanze_service::views::cases::ComplaintRequest {
            kind: None,
            case: None,
            item: None,
            unit: Some(unit),
            text: "窗口人员态度差".into(),
            contact: None,
            publishable: false,
        })
    };
    assert_eq!(file(dept).await.unwrap().supervisor, supervising);
    // 回避: the supervising unit's own conduct goes to the oversight unit, and the oversight
    // unit's to the supervising unit.
    assert_eq!(file(supervising).await.unwrap().supervisor, oversight);
    assert_eq!(file(oversight).await.unwrap().supervisor, supervising);
    // So does an office inside the supervising unit.
    if let Some(office) = catalog.units.iter().find(|u| u.parent == Some(supervising)) {
        assert_eq!(file(office.id).await.unwrap().supervisor, oversight);
    }
}
