//! A change set through the whole of 三上三下 on the demo county: drafted against a published
//! department list, sent for opinions, objected to and resolved, put out for public comment,
//! checked for legality, countersigned, approved and published — and every refusal on the way
//! leaves the stored change set as it was.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use quanze_core::changeset::Stage;
use quanze_core::{ListScope, VersionStatus};
use quanze_service::changesets::{
    Action, ChangeAction, ChangeInput, NewChangeSet, OpinionInput, StanceKind,
};
use quanze_service::{Clock, Config, CurrentUser, Service};

/// A clock the test moves forward.
struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    fn advance(&self, days: i64) {
        *self.0.lock().unwrap() += Duration::days(days);
    }
}

async fn login(service: &Service, name: &str) -> CurrentUser {
    let login = service.login(name, quanze_service::demo::DEMO_PASSWORD).await.unwrap();
    service.authenticate(&login.token).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_set_goes_from_draft_to_published_lists() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        quanze_store::connect(&quanze_store::testing::sqlite_url(dir.path())).await.unwrap();
    // Monday 2026-03-02, 10:00 in China.
    let start: DateTime<Utc> = "2026-03-02T02:00:00Z".parse().unwrap();
    let clock = Arc::new(TestClock(Mutex::new(start)));
    let service = Service::new(store, clock.clone(), Config::default()).await.unwrap();
    service.load_demo(7).await.unwrap();
    let (editor, clerk, justice, leader) = (
        login(&service, "editor").await,
        login(&service, "clerk").await,
        login(&service, "justice").await,
        login(&service, "leader").await,
    );

    let catalog = service.catalog();
    let (list, version) = catalog
        .lists
        .iter()
        .filter(|l| matches!(l.scope, ListScope::Unit { .. }))
        .find_map(|l| {
            let v = catalog.latest_version(l.id)?;
            // Not the list the demo's own change set revised from 2026-07-01.
            let revised = v.effective_from >= NaiveDate::from_ymd_opt(2026, 7, 1);
            (v.status == VersionStatus::Published && v.entries.len() >= 3 && !revised)
                .then(|| (l.clone(), v.clone()))
        })
        .expect("a published department list");
    let [a, b, c] = [0, 1, 2].map(|i| catalog.content(&version.entries[i]).unwrap().clone());
    let mut amended = a.clone();
    amended.handling_office = Some("综合行政执法队（调整后）".into());
    let mut added = c.clone();
    added.name = format!("{}（新增）", c.name);
    added.local_code = None;
    let input = |action, item, content| ChangeInput {
        list: list.id,
        action,
        item,
        base: None,
        duty: None,
        content,
        reason: "机构改革后职责调整".into(),
        basis: "县委编委2026年第1次会议纪要".into(),
    };
    let effective = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
    let new = NewChangeSet {
        title: format!("关于调整{}的方案", list.name),
        effective_on: effective,
        changes: vec![
            input(ChangeAction::Amend, Some(version.entries[0].item), Some(amended)),
            input(ChangeAction::Remove, Some(version.entries[1].item), None),
            input(ChangeAction::Add, None, Some(added.clone())),
        ],
        countersigners: vec![],
    };

    // Refused drafts: the clerk may not draft; an amendment that changes nothing is named.
    assert_eq!(
        service.create_change_set(&clerk, new.clone()).await.unwrap_err().code(),
        "forbidden"
    );
    let mut same = new.clone();
    same.changes[0].content = Some(a.clone());
    let err = service.create_change_set(&editor, same).await.unwrap_err();
    assert_eq!(err.code(), "invalid_change");
    assert_eq!(err.zh(), "第1项调整：调整后的内容与现行内容相同");

    let (view, _) = service.create_change_set(&editor, new).await.unwrap();
    let id = view.set.id;
    assert_eq!(
        view.changes[0].fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
        ["handling_office"]
    );
    assert_eq!(view.changes[1].name, b.display_name());
    let act = |who: &CurrentUser, action: Action| {
        let service = &service;
        let who = who.clone();
        async move { service.act_on_change_set(Some(&who), id, action).await }
    };

    // Round 1 goes to every affected unit, due in 10 working days.
    let out = act(&editor, Action::SendRound { units: None, working_days: None }).await.unwrap();
    let round = &out.change_set.rounds[0];
    assert!(round.tasks.iter().any(|t| t.unit == a.holder), "{:?}", round.tasks);
    assert_eq!(round.tasks[0].due, NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
    let unit = round.tasks[0].unit;
    let objection = OpinionInput {
        item: Some(version.entries[1].item),
        stance: StanceKind::Object,
        proposed: None,
        reason: "该事项仍有办理量".into(),
    };
    act(&clerk, Action::Reply { unit, opinions: vec![objection] }).await.unwrap();
    let err = act(&editor, Action::CloseRound).await.unwrap_err();
    assert_eq!(err.code(), "unresolved_opinions");
    let rev = service.change_set(id).await.unwrap().rev;
    let opinion = service.change_set(id).await.unwrap().set.rounds[0].opinions[0].id;
    act(
        &editor,
        Action::Resolve {
            opinion,
            kind: quanze_core::ResolutionKind::NotAdopted,
            reason: "已由县级统一办理".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(service.change_set(id).await.unwrap().rev, rev + 1);
    act(&editor, Action::CloseRound).await.unwrap();

    // 公示 for a week; a comment must be answered and the week over before review.
    act(&editor, Action::OpenComment { until: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap() })
        .await
        .unwrap();
    service.comment_on_change_set(id, None, "建议同步公布办事指南").await.unwrap();
    assert_eq!(
        act(&editor, Action::SubmitForReview).await.unwrap_err().code(),
        "comment_period_open"
    );
    clock.advance(8);
    assert!(service.comment_on_change_set(id, None, "过期意见").await.is_err());
    assert_eq!(
        act(&editor, Action::SubmitForReview).await.unwrap_err().code(),
        "unanswered_comments"
    );
    let comment = service.change_set(id).await.unwrap().set.comments.unwrap().comments[0].id;
    act(
        &editor,
        Action::Answer {
            comment,
            kind: quanze_core::ResolutionKind::Adopted,
            text: "将随清单一并公布".into(),
        },
    )
    .await
    .unwrap();
    let out = act(&editor, Action::SubmitForReview).await.unwrap();
    let review = out.change_set.review.clone().unwrap();
    assert_eq!(review.findings.len(), 2, "the removal is not reviewed");
    assert_eq!(review.open_findings(), 0, "{:#?}", review.findings);

    // Only the justice bureau gives verdicts; approval waits for all of them.
    let items: Vec<_> = review.findings.iter().map(|f| f.item).collect();
    let verdict = |item| Action::Verdict { item, pass: true, reason: String::new() };
    assert_eq!(act(&editor, verdict(items[0])).await.unwrap_err().code(), "forbidden");
    act(&justice, verdict(items[0])).await.unwrap();
    assert_eq!(
        act(&editor, Action::SubmitForApproval).await.unwrap_err().code(),
        "review_not_passed"
    );
    act(&justice, verdict(items[1])).await.unwrap();
    act(&editor, Action::SubmitForApproval).await.unwrap();
    let approve = Action::Approve {
        meeting: "县委编委2026年第2次会议".into(),
        decided_on: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
        doc_no: "某编〔2026〕12号".into(),
    };
    assert_eq!(act(&editor, Action::Publish).await.unwrap_err().code(), "wrong_stage");
    act(&leader, approve).await.unwrap();

    // A stale writer is refused: the store's revision moved on.
    let stale = service.change_set(id).await.unwrap();
    let out = act(&editor, Action::Publish).await.unwrap();
    assert_eq!(out.change_set.flow.stage, Stage::Published);
    assert!(
        service
            .store()
            .put_change_set(
                &stale.set,
                quanze_store::ChangeSetWrite::State { prev_rev: stale.rev },
                quanze_store::NewEvent {
                    at: Utc::now(),
                    actor: None,
                    unit: None,
                    kind: "x".into(),
                    subject: "x".into(),
                    payload: serde_json::json!({}),
                    personal: None,
                }
            )
            .await
            .is_err()
    );

    // The new version is in force from the effective date; the old one until then.
    let catalog = service.catalog();
    let versions = catalog.versions(list.id);
    let new_version = versions.last().unwrap();
    assert_eq!(out.change_set.published, vec![new_version.id]);
    assert_eq!(new_version.status, VersionStatus::Published);
    assert_eq!(new_version.effective_from, Some(effective));
    assert_eq!(new_version.doc_no.as_ref().map(|d| d.as_str()), Some("某编〔2026〕12号"));
    let holder = match list.scope {
        ListScope::Unit { unit } => unit,
        _ => unreachable!(),
    };
    let held = |date, item| catalog.holdings.holds(holder, item, date).is_some();
    let before = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    assert!(held(before, version.entries[1].item));
    assert!(!held(effective, version.entries[1].item));
    let added_item = service.change_set(id).await.unwrap().changes[2].item;
    assert_eq!(out.change_set.changes, 3);
    assert!(!held(before, added_item) && held(effective, added_item));
    let amended_entry = catalog.holdings.holds(holder, version.entries[0].item, effective).unwrap();
    assert_eq!(
        catalog.content(amended_entry).unwrap().handling_office.as_deref(),
        Some("综合行政执法队（调整后）")
    );
    // Publication updated the catalogue in place; a full reload from the store gives the same:
    // every list's versions, every listed content, the newest item versions, holdings and
    // authority on both sides of the effective date.
    service.reload().await.unwrap();
    let reloaded = service.catalog();
    let dates = [before, effective];
    for l in &reloaded.lists {
        assert_eq!(catalog.versions(l.id), reloaded.versions(l.id), "versions of {}", l.name);
        for v in reloaded.versions(l.id) {
            for e in &v.entries {
                assert_eq!(catalog.content(e), reloaded.content(e));
                assert_eq!(
                    catalog.latest_item_version(e.item),
                    reloaded.latest_item_version(e.item)
                );
                for unit in &reloaded.units {
                    for date in dates {
                        assert_eq!(
                            catalog.authority.holds(unit.id, e.item, date),
                            reloaded.authority.holds(unit.id, e.item, date),
                        );
                    }
                }
            }
        }
    }
    for date in dates {
        assert_eq!(catalog.holding_counts(date), reloaded.holding_counts(date));
    }

    // Published change sets take no more operations.
    let err = act(&editor, Action::Withdraw { reason: "x".into() }).await.unwrap_err();
    assert_eq!(err.zh(), "调整方案处于“已公布”阶段，不能撤回");
}
