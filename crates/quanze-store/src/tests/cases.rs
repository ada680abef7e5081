//! Cases: a new case and its steps, the optimistic step count, receipts, the scheduler's
//! index, supervision items opened once, ratings once per channel, complaints.

use chrono::{NaiveDateTime, NaiveTime};
use quanze_core::case::rating::{
    Complaint, ComplaintKind, ComplaintSubject, NewRating, RatingChannel, RatingLevel, rate,
};
use quanze_core::case::{
    Actor, Applicant, Case, CaseCommand, CaseItem, CaseRules, Channel, ClockKind, NewCase,
    ReceiptNo, StepTime, Supervision,
};
use quanze_core::{
    CaseId, ComplaintId, Exercise, IdNumber, LimitUnit, RatingId, SupervisionId, TimeLimit,
    WorkCalendar,
};

use super::*;
use crate::{CaseFilter, CaseWrite, SealedApplicant};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn time(on: NaiveDate) -> StepTime {
    let local: NaiveDateTime = on.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap());
    StepTime { at: Utc.from_utc_datetime(&(local - chrono::Duration::hours(8))), local }
}

pub(super) fn new_case(unit: UnitId, n: u32, on: NaiveDate) -> (Case, quanze_core::case::CaseStep) {
    let new = NewCase {
        id: CaseId::from_uuid(Uuid::now_v7()),
        receipt: ReceiptNo::new(on, n),
        item: CaseItem {
            id: ItemId::from_uuid(Uuid::now_v7()),
            version: 1,
            name: "个体工商户登记".into(),
            category: PowerCategory::Licensing,
            statutory_limit: Some(TimeLimit { amount: 20, unit: LimitUnit::WorkingDays }),
            committed_limit: None,
            session_days: None,
        },
        applicant: Applicant::Person {
            name: "张三".into(),
            id_number: IdNumber::parse("11010519491231002X").unwrap(),
        },
        channel: Channel::Online,
        unit,
        exercise: Exercise::OwnName,
    };
    Case::open(new, &Actor::Applicant, time(on), &WorkCalendar::official(), &CaseRules::default())
        .unwrap()
}

fn sealed() -> SealedApplicant<'static> {
    SealedApplicant { sealed: b"sealed bytes", key: "key-1", access_hash: "hash-1" }
}

pub(super) fn first(
    case: &Case,
    step: &quanze_core::case::CaseStep,
    next: Option<NaiveDate>,
) -> CaseWrite<'static> {
    // The tests leak the two values to get 'static borrows: a handful per test.
    let case: &'static Case = Box::leak(Box::new(case.clone()));
    let step: &'static quanze_core::case::CaseStep = Box::leak(Box::new(step.clone()));
    CaseWrite {
        case,
        step,
        previous_steps: None,
        moves: true,
        next_alert_on: next,
        applicant: Some(sealed()),
        supervisions: &[],
        close_supervisions: None,
    }
}

contract!(a_case_and_its_steps_are_written_with_their_events, |store| {
    let town = UnitId::from_uuid(Uuid::now_v7());
    let on = day(2026, 9, 28);
    let (case, step) = new_case(town, 1, on);
    let receipt = store
        .write_case(first(&case, &step, Some(day(2026, 10, 9))), ev("case.applied"))
        .await
        .unwrap();
    let stored = store.case(case.id).await.unwrap().unwrap();
    assert_eq!(stored.case, case);
    assert_eq!(stored.sealed, b"sealed bytes");
    assert_eq!(stored.applicant_key, "key-1");
    assert_eq!(store.case_by_receipt(&case.receipt).await.unwrap().unwrap().case.id, case.id);
    assert_eq!(store.last_receipt_on(on).await.unwrap(), 1);
    assert_eq!(store.last_receipt_on(day(2026, 9, 29)).await.unwrap(), 0);

    // A second case with the same receipt number is a conflict, and nothing of it stays.
    let (other, other_step) = new_case(town, 1, on);
    assert_conflict(store.write_case(first(&other, &other_step, None), ev("case.applied")).await);
    assert!(store.case(other.id).await.unwrap().is_none());

    let clerk = Actor::Staff {
        user: UserId::from_uuid(Uuid::now_v7()),
        unit: town,
        roles: vec![Role::Clerk],
    };
    let accept = CaseCommand::Accept { missing: vec![], promised: None };
    let (accepted, step2) = case
        .apply(&accept, &clerk, time(on), &WorkCalendar::official(), &CaseRules::default())
        .unwrap();
    let write = CaseWrite {
        case: &accepted,
        step: &step2,
        previous_steps: Some(case.steps),
        moves: true,
        next_alert_on: Some(day(2026, 10, 26)),
        applicant: None,
        supervisions: &[],
        close_supervisions: None,
    };
    let receipt2 = store.write_case(write, ev("case.accepted")).await.unwrap();
    assert_eq!(receipt2.seq, receipt.seq + 1);
    // The same step computed from the old count again: someone else moved the case first.
    assert_conflict(store.write_case(write, ev("case.accepted")).await);
    let head = store.ledger_head().await.unwrap();
    assert_eq!(head.size, receipt2.seq, "the refused write left no event");

    let steps = store.case_steps(case.id).await.unwrap();
    assert_eq!(
        steps.iter().map(|s| (s.step.n, s.seq)).collect::<Vec<_>>(),
        [(1, receipt.seq), (2, receipt2.seq)]
    );
    assert_eq!(steps[1].step, step2);

    let filter = CaseFilter { unit: Some(town), open_only: true, ..CaseFilter::default() };
    assert_eq!(store.count_cases(&filter).await.unwrap(), 1);
    let listed = store.cases(&filter, None, 10).await.unwrap();
    assert_eq!(listed[0].case.state, accepted.state);
    let by_state = CaseFilter { state: Some("closed".into()), ..CaseFilter::default() };
    assert_eq!(store.count_cases(&by_state).await.unwrap(), 0);
});

contract!(the_scheduler_moves_its_next_look_without_a_step_or_an_event, |store| {
    let town = UnitId::from_uuid(Uuid::now_v7());
    let mut cases = Vec::new();
    for n in 1..=3 {
        let (case, step) = new_case(town, n, day(2026, 9, 28));
        store
            .write_case(first(&case, &step, Some(day(2026, 10, 1))), ev("case.applied"))
            .await
            .unwrap();
        cases.push(case);
    }
    let due = store.cases_due(day(2026, 10, 5), 100, &[]).await.unwrap();
    assert_eq!(due.len(), 3);
    // Listed newest first, or oldest first (an inbox of overdue cases), paged either way.
    let ids = |l: Vec<crate::StoredCase>| l.iter().map(|s| s.case.id).collect::<Vec<_>>();
    let newest = CaseFilter { unit: Some(town), ..CaseFilter::default() };
    let oldest = CaseFilter { oldest_first: true, ..newest.clone() };
    let all = [cases[0].id, cases[1].id, cases[2].id];
    assert_eq!(ids(store.cases(&newest, None, 10).await.unwrap()), [all[2], all[1], all[0]]);
    assert_eq!(ids(store.cases(&oldest, None, 2).await.unwrap()), [all[0], all[1]]);
    assert_eq!(ids(store.cases(&oldest, Some(all[1]), 2).await.unwrap()), [all[2]]);
    let events = store.event_count().await.unwrap();
    let look = |case: &Case, steps, on| crate::NextLook { case: case.id, steps, on };
    let looks = [
        look(&cases[0], cases[0].steps, Some(day(2026, 10, 20))),
        // Computed from a step count the case no longer has: another step came first.
        look(&cases[1], cases[1].steps + 1, Some(day(2026, 10, 20))),
        look(&cases[2], cases[2].steps, None),
    ];
    assert_eq!(store.reschedule_cases(&looks).await.unwrap(), 2);
    assert_eq!(store.reschedule_cases(&[]).await.unwrap(), 0);
    assert_eq!(store.event_count().await.unwrap(), events, "a look is not an event");
    let still: Vec<_> = store.cases_due(day(2026, 10, 5), 100, &[]).await.unwrap();
    assert_eq!(still.iter().map(|c| c.case.id).collect::<Vec<_>>(), [cases[1].id]);
    let on_the_20th = store.cases_due(day(2026, 10, 20), 100, &[]).await.unwrap();
    let mut seen: Vec<_> = on_the_20th.iter().map(|c| c.case.id).collect();
    seen.sort();
    let mut want = vec![cases[0].id, cases[1].id];
    want.sort();
    assert_eq!(seen, want, "the first moved to the 20th, the third is never due again");
    let on_the_19th = store.cases_due(day(2026, 10, 19), 100, &[]).await.unwrap();
    assert_eq!(on_the_19th.iter().map(|c| c.case.id).collect::<Vec<_>>(), [cases[1].id]);
    for case in &cases {
        let stored = store.case(case.id).await.unwrap().unwrap();
        assert_eq!((stored.case.steps, stored.case.alert), (case.steps, case.alert));
        assert_eq!(store.case_steps(case.id).await.unwrap().len(), 1, "no step written");
    }
});

contract!(the_scheduler_reads_only_cases_due_and_opens_a_supervision_once, |store| {
    let town = UnitId::from_uuid(Uuid::now_v7());
    let mut ids = Vec::new();
    for (n, next) in [(1, Some(day(2026, 10, 1))), (2, Some(day(2026, 10, 20))), (3, None)] {
        let (case, step) = new_case(town, n, day(2026, 9, 28));
        store.write_case(first(&case, &step, next), ev("case.applied")).await.unwrap();
        ids.push(case);
    }
    let due = store.cases_due(day(2026, 10, 5), 100, &[]).await.unwrap();
    assert_eq!(due.iter().map(|c| c.case.id).collect::<Vec<_>>(), [ids[0].id]);
    assert_eq!(store.cases_due(day(2026, 10, 20), 100, &[]).await.unwrap().len(), 2);
    assert_eq!(store.cases_due(day(2026, 10, 20), 1, &[]).await.unwrap().len(), 1);
    // The next page, read while the first is still being written, leaves the first out.
    let next = store.cases_due(day(2026, 10, 20), 100, &[ids[0].id]).await.unwrap();
    assert_eq!(next.iter().map(|c| c.case.id).collect::<Vec<_>>(), [ids[1].id]);

    let case = &ids[0];
    let supervision = Supervision {
        id: SupervisionId::from_uuid(Uuid::now_v7()),
        case: case.id,
        receipt: case.receipt.clone(),
        clock: Some(ClockKind::Decision),
        task: None,
        due: day(2026, 10, 30),
        unit: town,
        person: None,
        opened_on: day(2026, 11, 2),
        closed_on: None,
    };
    let mut current = case.clone();
    for opened in [1, 0] {
        // The same red clock seen twice (a restart in between): one supervision item.
        let (next, step) = current
            .apply(
                &CaseCommand::Urge { note: "超期".into() },
                &Actor::Staff {
                    user: UserId::from_uuid(Uuid::now_v7()),
                    unit: town,
                    roles: vec![Role::Clerk],
                },
                time(day(2026, 11, 2)),
                &WorkCalendar::official(),
                &CaseRules::default(),
            )
            .unwrap();
        let write = CaseWrite {
            case: &next,
            step: &step,
            previous_steps: Some(current.steps),
            // Its alert only: the row is updated in place, the units' index left alone.
            moves: false,
            next_alert_on: None,
            applicant: None,
            supervisions: std::slice::from_ref(&supervision),
            close_supervisions: None,
        };
        let receipt = store.write_case(write, ev("case.supervised")).await.unwrap();
        assert_eq!(receipt.counted, opened, "the item is opened once");
        current = next;
        let stored = store.case(case.id).await.unwrap().unwrap();
        assert_eq!(stored.case.steps, current.steps, "updated in place");
    }
    // A page of cases' items in one read: this case's one, none for the others.
    let of = store.supervisions_of_cases(&[ids[1].id, case.id, ids[2].id]).await.unwrap();
    assert_eq!(of.len(), 1);
    assert_eq!((of[0].case, of[0].clock, of[0].due), (case.id, supervision.clock, supervision.due));
    assert!(store.supervisions_of_cases(&[ids[1].id]).await.unwrap().is_empty());
    let open = store.supervisions(Some(town), true).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].clock, Some(ClockKind::Decision));
    let (closed, step) = current
        .apply(
            &CaseCommand::Withdraw { reason: String::new() },
            &Actor::Applicant,
            time(day(2026, 11, 3)),
            &WorkCalendar::official(),
            &CaseRules::default(),
        )
        .unwrap();
    let write = CaseWrite {
        case: &closed,
        step: &step,
        previous_steps: Some(current.steps),
        moves: true,
        next_alert_on: None,
        applicant: None,
        supervisions: &[],
        close_supervisions: Some(day(2026, 11, 3)),
    };
    store.write_case(write, ev("case.withdrawn")).await.unwrap();
    assert!(store.supervisions(Some(town), true).await.unwrap().is_empty());
    let all = store.supervisions(None, false).await.unwrap();
    assert_eq!(all[0].closed_on, Some(day(2026, 11, 3)));
});

contract!(a_case_is_rated_once_per_channel_and_complaints_are_kept, |store| {
    let town = UnitId::from_uuid(Uuid::now_v7());
    let (case, step) = new_case(town, 1, day(2026, 9, 28));
    store.write_case(first(&case, &step, None), ev("case.applied")).await.unwrap();
    let (ended, _) = case
        .apply(
            &CaseCommand::Withdraw { reason: String::new() },
            &Actor::Applicant,
            time(day(2026, 9, 29)),
            &WorkCalendar::official(),
            &CaseRules::default(),
        )
        .unwrap();
    let new = |channel| NewRating {
        id: RatingId::from_uuid(Uuid::now_v7()),
        level: RatingLevel::Dissatisfied,
        channel,
        comment: "等候时间长".into(),
    };
    let cal = WorkCalendar::official();
    let t = time(day(2026, 9, 30));
    let rating =
        rate(&ended, true, &[], new(RatingChannel::Online), t, &CaseRules::default(), &cal)
            .unwrap();
    store.put_rating(&rating, ev("case.rated")).await.unwrap();
    let again = rate(&ended, true, &[], new(RatingChannel::Online), t, &CaseRules::default(), &cal)
        .unwrap();
    assert_conflict(store.put_rating(&again, ev("case.rated")).await);
    let window =
        rate(&ended, true, &[], new(RatingChannel::Window), t, &CaseRules::default(), &cal)
            .unwrap();
    store.put_rating(&window, ev("case.rated")).await.unwrap();
    let mut followed = rating.clone();
    followed.follow_up.as_mut().unwrap().call_back = Some((day(2026, 10, 8), "已回访".into()));
    store.update_rating(&followed, ev("rating.called_back")).await.unwrap();
    assert_eq!(store.rating(followed.id).await.unwrap(), Some(followed.clone()));
    assert_eq!(store.rating(RatingId::from_uuid(Uuid::now_v7())).await.unwrap(), None);
    let of_case = store.ratings_of_case(case.id).await.unwrap();
    assert_eq!(of_case.len(), 2);
    assert!(of_case.contains(&followed));
    assert_eq!(store.ratings_of_unit(town).await.unwrap().len(), 2);
    // The dashboard's tallies: two ratings of score 2 (不满意); the one case as stored
    // (submitted: its withdrawal above was computed, not written), open and green.
    let tallies = store.case_tallies().await.unwrap();
    assert_eq!(tallies.ratings_by_score, [(2, 2)]);
    assert_eq!(tallies.by_state, [("submitted".to_owned(), 1)]);
    assert_eq!(tallies.open_by_alert, [("green".to_owned(), 1)]);

    let supervisor = UnitId::from_uuid(Uuid::now_v7());
    let complaint = Complaint {
        id: ComplaintId::from_uuid(Uuid::now_v7()),
        kind: ComplaintKind::Complaint,
        subject: ComplaintSubject::Case { case: case.id },
        unit: town,
        supervisor,
        text: "窗口推诿".into(),
        named: false,
        at: t.at,
        reply_by: cal.deadline(day(2026, 9, 30), quanze_core::Period::WorkingDays(15)),
        reply: None,
        publishable: true,
    };
    store.put_complaint(&complaint, ev("complaint.received")).await.unwrap();
    assert_eq!(
        store.complaints(Some(supervisor), true).await.unwrap(),
        std::slice::from_ref(&complaint)
    );
    let mut replied = complaint.clone();
    replied.reply = Some(quanze_core::case::rating::Reply {
        text: "已核实整改".into(),
        on: day(2026, 10, 9),
        by: UserId::from_uuid(Uuid::now_v7()),
        published: true,
    });
    store.put_complaint(&replied, ev("complaint.replied")).await.unwrap();
    assert!(store.complaints(Some(supervisor), true).await.unwrap().is_empty());
    assert_eq!(store.complaint(complaint.id).await.unwrap(), Some(replied));
});

/// The scheduler's read goes along the partial index `cases_next_alert` and stops at its page
/// (issue 15: a tick never scans the cases table): SQLite's plan searches the index and sorts
/// nothing; PostgreSQL's, with sequential scans priced out as for a large table, uses the index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_reads_along_the_due_index_never_the_table() {
    use sqlx::Row as _;

    let dir = tempfile::tempdir().expect("temporary directory");
    for db in test_databases(dir.path()).await {
        let store = connect(&db.url).await.expect("connect and migrate");
        drop(store);
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
        let mut conn = pool.acquire().await.expect("a connection");
        // The first page, and a next one read while the page before is written.
        for excluding in [0, 2] {
            let sql = crate::cases::cases_due_sql(crate::cases::Looks::of(db.backend), excluding);
            let bound = |q: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>| {
                (0..excluding)
                    .fold(q.bind("2026-10-05").bind(1_000_i64), |q, i| q.bind(format!("case-{i}")))
            };
            let plan: Vec<String> = match db.backend {
                crate::Backend::Sqlite => {
                    bound(sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}"))))
                        .fetch_all(&mut *conn)
                        .await
                        .expect("plan")
                        .iter()
                        .map(|row| row.get::<String, _>(3))
                        .collect()
                }
                crate::Backend::Postgres => {
                    sqlx::query("SET enable_seqscan = off").execute(&mut *conn).await.expect("set");
                    bound(sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}"))))
                        .fetch_all(&mut *conn)
                        .await
                        .expect("plan")
                        .iter()
                        .map(|row| row.get::<String, _>(0))
                        .collect()
                }
            };
            let plan = plan.join("\n");
            assert!(
                plan.contains("cases_next_alert"),
                "{:?}: not along the index:\n{plan}",
                db.backend
            );
            assert!(
                !plan.contains("SCAN c")
                    && !plan.contains("Seq Scan on cases")
                    && !plan.contains("Seq Scan on case_looks"),
                "{:?}: scans the cases table:\n{plan}",
                db.backend
            );
            if db.backend == crate::Backend::Sqlite {
                assert!(!plan.contains("TEMP B-TREE"), "sorts the due set:\n{plan}");
            }
        }
        drop(conn);
        pool.close().await;
        db.cleanup().await;
    }
}

/// A case's timeline is one range of the clustered `case_steps` table on SQLite (issue 15: a
/// case page reads its steps from one or two pages, not one random page per step): the plan
/// searches the table's own primary key, with no separate index and no sort.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeline_is_read_from_the_clustered_steps_table() {
    use sqlx::Row as _;

    let dir = tempfile::tempdir().expect("temporary directory");
    let url = crate::testing::sqlite_url(dir.path());
    drop(connect(&url).await.expect("connect and migrate"));
    let pool = sqlx::AnyPool::connect(&url).await.expect("connect");
    let plan: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "EXPLAIN QUERY PLAN {}",
        crate::cases::SELECT_STEPS
    )))
    .bind("some-case")
    .fetch_all(&pool)
    .await
    .expect("plan")
    .iter()
    .map(|row| row.get::<String, _>(3))
    .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("USING PRIMARY KEY"), "not along the table's key:\n{plan}");
    assert!(!plan.contains("autoindex") && !plan.contains("TEMP B-TREE"), "{plan}");
    pool.close().await;
}

/// The write that ends a case records how it ended (`case_ends`: on time or late, the
/// trips), which the dashboard counts (issue 16); cases that ended before the table existed
/// get their rows when the store next opens, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ended_cases_are_tallied_by_their_last_step_and_those_before_once_on_opening() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for db in test_databases(dir.path()).await {
        let store = connect(&db.url).await.expect("connect and migrate");
        let town = UnitId::from_uuid(Uuid::now_v7());
        let on = day(2026, 9, 28);
        let clerk = Actor::Staff {
            user: UserId::from_uuid(Uuid::now_v7()),
            unit: town,
            roles: vec![Role::Clerk],
        };
        let refuse = CaseCommand::Refuse {
            reason: "材料虚假".into(),
            not_competent: false,
            competent_unit: None,
        };
        let withdraw = CaseCommand::Withdraw { reason: String::new() };
        let (cal, rules) = (WorkCalendar::official(), CaseRules::default());
        let mut expected_on_time = Vec::new();
        for (n, (command, actor)) in
            [(&refuse, &clerk), (&refuse, &clerk), (&withdraw, &Actor::Applicant)]
                .into_iter()
                .enumerate()
        {
            let (case, step) = new_case(town, n as u32 + 1, on);
            store.write_case(first(&case, &step, None), ev("case.applied")).await.unwrap();
            let (mut ended, end) = case.apply(command, actor, time(on), &cal, &rules).unwrap();
            if n == 1 {
                // Refused after its deadline (the document says so; the store only records).
                for clock in &mut ended.clocks {
                    clock.due.date = on.pred_opt().unwrap();
                }
            }
            expected_on_time.push(ended.ended_on_time().expect("ended"));
            let write = CaseWrite {
                case: &ended,
                step: &end,
                previous_steps: Some(case.steps),
                moves: true,
                next_alert_on: None,
                applicant: None,
                supervisions: &[],
                close_supervisions: None,
            };
            store.write_case(write, ev("case.ended")).await.unwrap();
        }
        assert_eq!(expected_on_time, [true, false, true]);
        let tallies = store.case_tallies().await.unwrap();
        // Decided: the two refused (one on time, one late); ended: all three, none of them
        // with a trip (applied online).
        assert_eq!(tallies.decided_by_unit, [(town, 1, 1)], "{:?}", db.backend);
        assert_eq!(tallies.ended_by_trips, [(0, 3)]);
        drop(store);

        // As if the cases had ended before migration 0020: no rows, the task pending.
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
        sqlx::query("DELETE FROM case_ends").execute(&pool).await.unwrap();
        sqlx::query("UPDATE store_tasks SET done_at = NULL").execute(&pool).await.unwrap();
        let store = connect(&db.url).await.expect("reopen");
        assert_eq!(store.case_tallies().await.unwrap(), tallies, "filled on opening");
        drop(store);
        // Once: a store opened again does not redo it.
        sqlx::query("DELETE FROM case_ends").execute(&pool).await.unwrap();
        let store = connect(&db.url).await.expect("reopen");
        assert!(store.case_tallies().await.unwrap().ended_by_trips.is_empty());
        drop(store);
        pool.close().await;
        db.cleanup().await;
    }
}

/// The scheduler's look is moved only if the case has not stepped since it was read, even when
/// the step commits while the scheduler's statement waits for it (PostgreSQL checks the step
/// count again on the row it updates: `case_looks` carries its own copy). A step that pauses a
/// case (no next look) is not undone by a look computed before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_look_computed_before_a_step_does_not_overwrite_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for db in test_databases(dir.path()).await {
        if db.backend != crate::Backend::Postgres {
            db.cleanup().await;
            continue;
        }
        let store = connect(&db.url).await.expect("connect and migrate");
        let on = day(2026, 9, 28);
        let (case, step) = new_case(UnitId::from_uuid(Uuid::now_v7()), 1, on);
        store.write_case(first(&case, &step, Some(on)), ev("case.applied")).await.unwrap();
        // A step, by another connection, not yet committed: the case moves to 2 steps and no
        // next look.
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
        let mut step_tx = pool.begin().await.unwrap();
        let id = case.id.to_string();
        sqlx::query("UPDATE cases SET steps = 2 WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *step_tx)
            .await
            .unwrap();
        sqlx::query("UPDATE case_looks SET steps = 2, next_alert_on = NULL WHERE case_id = $1")
            .bind(id.as_str())
            .execute(&mut *step_tx)
            .await
            .unwrap();
        // The scheduler, from the case as it read it (1 step), moves its look meanwhile.
        let look = crate::NextLook { case: case.id, steps: case.steps, on: Some(day(2026, 10, 9)) };
        let scheduler = {
            let store = store.clone();
            tokio::spawn(async move { store.reschedule_cases(&[look]).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(!scheduler.is_finished(), "the scheduler waits for the step's row");
        step_tx.commit().await.unwrap();
        assert_eq!(scheduler.await.unwrap().unwrap(), 0, "nothing moved");
        assert!(store.cases_due(day(2026, 12, 31), 10, &[]).await.unwrap().is_empty());
        drop(store);
        pool.close().await;
        db.cleanup().await;
    }
}

/// A stand-in for the service's SM4 key ring: reversible, and never the text it was given.
pub(super) struct TestSealer;

impl crate::Sealer for TestSealer {
    fn seal_text(&self, plain: &str) -> String {
        format!(
            "sm4:{}",
            plain.bytes().rev().map(|b| format!("{:02x}", b ^ 0x5a)).collect::<String>()
        )
    }

    fn open_text(&self, stored: &str) -> Option<String> {
        let Some(hex) = stored.strip_prefix("sm4:") else { return Some(stored.to_owned()) };
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).map(|b| b ^ 0x5a)
            })
            .rev()
            .collect();
        String::from_utf8(bytes?).ok()
    }

    fn seal_bytes(&self, plain: &[u8]) -> Vec<u8> {
        let mut sealed = b"test-seal:".to_vec();
        sealed.extend(plain.iter().rev().map(|b| b ^ 0x5a));
        sealed
    }

    fn open_bytes(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let body = sealed.strip_prefix(b"test-seal:")?;
        Some(body.iter().rev().map(|b| b ^ 0x5a).collect())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_certificate_numbers_are_sealed_outside_the_case_document() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for db in test_databases(dir.path()).await {
        let store = connect(&db.url).await.expect("connect and migrate");
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("connect");
        let on = day(2026, 9, 28);
        let (mut case, step) = new_case(UnitId::from_uuid(Uuid::now_v7()), 1, on);
        let numbers = ["ZF-330621-0017", "ZF-330621-0042"];
        case.officers = numbers
            .iter()
            .map(|n| quanze_core::devolution::CertificateNo::parse(n).unwrap())
            .collect();
        let raw = async |id: CaseId| {
            let (doc, officers): (Vec<u8>, Option<String>) =
                sqlx::query_as("SELECT doc, officers FROM cases WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            let doc: Case = crate::packed::unpack("case", &doc).unwrap();
            (doc, officers)
        };
        // Without a key the document keeps them, as before.
        store.write_case(first(&case, &step, None), ev("case.filed")).await.unwrap();
        // A penalty case written so and never again: the next rotation moves them.
        let (mut closed, closed_step) = new_case(UnitId::from_uuid(Uuid::now_v7()), 2, on);
        closed.procedure = quanze_core::case::procedure::ProcedureKind::Penalty;
        closed.officers = case.officers.clone();
        store.write_case(first(&closed, &closed_step, None), ev("case.filed")).await.unwrap();
        let (doc, column) = raw(case.id).await;
        assert_eq!(doc.officers, case.officers);
        assert_eq!(column, None);
        // With one, a write moves them out of the document into their own sealed column.
        store.install_sealer(Arc::new(TestSealer));
        let previous = case.steps;
        case.steps += 1;
        let step = quanze_core::case::CaseStep { n: case.steps, ..step };
        let mut write = first(&case, &step, None);
        write.previous_steps = Some(previous);
        write.applicant = None;
        store.write_case(write, ev("case.investigated")).await.unwrap();
        let (doc, column) = raw(case.id).await;
        assert!(doc.officers.is_empty(), "{:?}", doc.officers);
        let column = column.expect("sealed officers");
        assert!(column.starts_with("sm4:"), "{column}");
        assert!(numbers.iter().all(|n| !column.contains(n)), "{column}");
        // Every read opens them.
        let read = store.case(case.id).await.unwrap().unwrap();
        assert_eq!(read.case.officers, case.officers);
        let read = store.case_by_receipt(&case.receipt).await.unwrap().unwrap();
        assert_eq!(read.case.officers, case.officers);
        let listed = store.cases(&CaseFilter::default(), None, 10).await.unwrap();
        assert_eq!(listed[0].case.officers, case.officers);
        // A rotation reseals them; a seal that does not open is an error, never an empty list.
        let rows = store.sealed_rows().await.unwrap();
        let (_, counts) = store.reseal(&rows, &rows, ev("personal_key.rotated")).await.unwrap();
        assert_eq!(counts.officers, 2);
        let (doc, column) = raw(closed.id).await;
        assert!(doc.officers.is_empty(), "moved out of the document: {:?}", doc.officers);
        assert!(column.is_some_and(|c| c.starts_with("sm4:") && !c.contains(numbers[0])));
        let read = store.case(closed.id).await.unwrap().unwrap();
        assert_eq!(read.case.officers, case.officers);
        sqlx::query("UPDATE cases SET officers = 'sm4:zz' WHERE id = $1")
            .bind(case.id.to_string())
            .execute(&pool)
            .await
            .unwrap();
        let err = store.case(case.id).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
        // A process without the key reads the cases without their officers (and lists them).
        let keyless = connect(&db.url).await.unwrap();
        let read = keyless.case(closed.id).await.unwrap().unwrap();
        assert!(read.case.officers.is_empty());
        assert_eq!(keyless.cases(&CaseFilter::default(), None, 10).await.unwrap().len(), 2);
        drop(keyless);
        drop(store);
        pool.close().await;
        db.cleanup().await;
    }
}
