//! Issue 14 "lawful by construction": no path around review, separated duties (三员分立),
//! warnings that stay warnings, and the ledger's commitment to a change set's changes.
//! Each refusal names its rule and leaves the stored state as it was.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use quanze_core::list_approval::ListApproval;
use quanze_core::schedule::Ratification;
use quanze_core::{
    DocNo, ListScope, ListVersion, ListVersionId, Override, OverrideChange, OverrideTarget,
    PowerList, Role, RoleAssignment, Username, VersionStatus,
};
use quanze_service::auth::NewUser;
use quanze_service::changesets::{ChangeAction, ChangeInput, ChangeSetCommand, NewChangeSet};
use quanze_service::{CurrentUser, Service};
use quanze_store::DraftWrite;

use crate::helpers::{TestClock, d, demo_at, login};

const PASSWORD: &str = "Lawful#2026x";

/// The demo county on Monday 2026-03-02, with a published department list of 3+ items.
async fn county() -> (tempfile::TempDir, Service, Arc<TestClock>, PowerList, ListVersion) {
    let start: DateTime<Utc> = "2026-03-02T02:00:00Z".parse().unwrap();
    let clock = TestClock::at(start);
    let (dir, service) = demo_at(clock.clone()).await;
    let catalog = service.catalog();
    let (list, version) = catalog
        .lists
        .iter()
        .filter(|l| matches!(l.scope, ListScope::Unit { .. }))
        .find_map(|l| {
            let v = catalog.latest_version(l.id)?;
            let revised = v.effective_from >= NaiveDate::from_ymd_opt(2026, 7, 1);
            (v.status == VersionStatus::Published && v.entries.len() >= 3 && !revised)
                .then(|| (l.clone(), v.clone()))
        })
        .expect("a published department list");
    (dir, service, clock, list, version)
}

fn removal(list: &PowerList, version: &ListVersion) -> NewChangeSet {
    NewChangeSet {
        title: "关于取消事项的方案".into(),
        effective_on: d(2026, 7, 1),
        changes: vec![ChangeInput {
            list: list.id,
            action: ChangeAction::Remove,
            item: Some(version.entries[1].item),
            base: None,
            duty: None,
            content: None,
            reason: "该事项已由省级统一办理".into(),
            basis: "县委编委2026年第1次会议纪要".into(),
        }],
        countersigners: vec![],
        ratification: None,
    }
}

async fn account(service: &Service, name: &str, roles: &[Role]) -> CurrentUser {
    let admin = login(service, "admin").await;
    let new = NewUser {
        username: Username::parse(name).unwrap(),
        display_name: name.into(),
        password: PASSWORD.into(),
        roles: roles.iter().map(|&role| RoleAssignment { role, unit: None }).collect(),
    };
    service.create_user(Some(&admin), new).await.unwrap();
    let login = service.login(name, PASSWORD).await.unwrap();
    service.authenticate(&login.token).await.unwrap()
}

/// Reproduces the issue: a change set made only of removals reached approval with no
/// verdict. Now its removal is an entry of the review and approval waits for its verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_set_of_removals_only_waits_for_the_justice_bureau() {
    let (_dir, service, _clock, list, version) = county().await;
    let (editor, clerk, justice) = (
        login(&service, "editor").await,
        login(&service, "clerk").await,
        login(&service, "justice").await,
    );
    let id = service.create_change_set(&editor, removal(&list, &version)).await.unwrap().0.set.id;
    let act = |who: &CurrentUser, action| {
        let who = who.clone();
        let service = &service;
        async move { service.act_on_change_set(Some(&who), id, action).await }
    };
    let out = act(&editor, ChangeSetCommand::SendRound { units: None, working_days: None })
        .await
        .unwrap();
    let unit = out.change_set.rounds[0].tasks[0].unit;
    act(&clerk, ChangeSetCommand::Reply { unit, opinions: vec![] }).await.unwrap();
    act(&editor, ChangeSetCommand::CloseRound).await.unwrap();
    let out = act(&editor, ChangeSetCommand::SubmitForReview).await.unwrap();
    let review = out.change_set.review.unwrap();
    assert_eq!(review.findings.len(), 1, "the removal is reviewed");
    assert_eq!(review.findings[0].item, version.entries[1].item);

    let before = service.change_set(id).await.unwrap();
    let err = act(&editor, ChangeSetCommand::SubmitForApproval).await.unwrap_err();
    assert_eq!(err.code(), "review_not_passed");
    assert!(err.zh().contains("尚无审查结论"), "{}", err.zh());
    assert_eq!(service.change_set(id).await.unwrap().rev, before.rev, "nothing written");

    // The system administrator gives no verdict (三员分立); the justice bureau does.
    let admin = login(&service, "admin").await;
    let item = version.entries[1].item;
    let verdict = || ChangeSetCommand::Verdict { item, pass: true, reason: String::new() };
    let err = act(&admin, verdict()).await.unwrap_err();
    assert_eq!(err.code(), "forbidden");
    assert!(err.zh().contains("司法局审查人"), "{}", err.zh());
    assert_eq!(service.change_set(id).await.unwrap().rev, before.rev, "nothing written");
    act(&justice, verdict()).await.unwrap();
    act(&editor, ChangeSetCommand::SubmitForApproval).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_past_effective_date_needs_a_ratification() {
    let (_dir, service, _clock, list, version) = county().await;
    let editor = login(&service, "editor").await;
    let before = service.change_sets().await.unwrap().len();
    let mut past = removal(&list, &version);
    past.effective_on = d(2026, 1, 1);
    let err = service.create_change_set(&editor, past.clone()).await.unwrap_err();
    assert_eq!(err.code(), "past_effective_date");
    assert!(err.zh().contains("追认"), "{}", err.zh());
    assert_eq!(service.change_sets().await.unwrap().len(), before, "nothing stored");
    past.ratification = Some("  ".into());
    let err = service.create_change_set(&editor, past.clone()).await.unwrap_err();
    assert_eq!(err.code(), "past_effective_date", "a blank reason is no ratification");
    past.ratification = Some("县委编委2025年第9次会议已决定自2026年1月1日起执行，补录追认".into());
    let (view, _) = service.create_change_set(&editor, past).await.unwrap();
    assert!(view.set.ratification.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_comment_period_lasts_at_least_seven_working_days() {
    let (_dir, service, _clock, list, version) = county().await;
    let (editor, clerk) = (login(&service, "editor").await, login(&service, "clerk").await);
    let id = service.create_change_set(&editor, removal(&list, &version)).await.unwrap().0.set.id;
    let act = |who: &CurrentUser, action| {
        let who = who.clone();
        let service = &service;
        async move { service.act_on_change_set(Some(&who), id, action).await }
    };
    let out = act(&editor, ChangeSetCommand::SendRound { units: None, working_days: None })
        .await
        .unwrap();
    let unit = out.change_set.rounds[0].tasks[0].unit;
    act(&clerk, ChangeSetCommand::Reply { unit, opinions: vec![] }).await.unwrap();
    act(&editor, ChangeSetCommand::CloseRound).await.unwrap();
    let rev = service.change_set(id).await.unwrap().rev;
    // Monday 2026-03-02 to Tuesday 03-10: six working days.
    let err =
        act(&editor, ChangeSetCommand::OpenComment { until: d(2026, 3, 10) }).await.unwrap_err();
    assert_eq!(err.code(), "short_comment_period");
    assert!(err.zh().contains("不得少于7个工作日"), "{}", err.zh());
    assert_eq!(service.change_set(id).await.unwrap().rev, rev, "nothing written");
    act(&editor, ChangeSetCommand::OpenComment { until: d(2026, 3, 11) }).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drafter_does_not_approve_and_administrators_stand_alone() {
    let (_dir, service, clock, list, version) = county().await;
    let admin = login(&service, "admin").await;

    // 三员分立: an administrator role with any other role on one account is refused.
    for roles in [
        [Role::SysAdmin, Role::StaffingEditor],
        [Role::SecurityAdmin, Role::Auditor],
        [Role::Auditor, Role::Leader],
    ] {
        let new = NewUser {
            username: Username::parse("mixed.roles").unwrap(),
            display_name: "兼任".into(),
            password: PASSWORD.into(),
            roles: roles.iter().map(|&role| RoleAssignment { role, unit: None }).collect(),
        };
        let err = service.create_user(Some(&admin), new).await.unwrap_err();
        assert_eq!(err.code(), "role_conflict");
        assert!(err.zh().contains("三员分立"), "{}", err.zh());
        assert!(service.login("mixed.roles", PASSWORD).await.is_err(), "no account made");
    }
    // The system administrator drafts nothing.
    let err = service.create_change_set(&admin, removal(&list, &version)).await.unwrap_err();
    assert_eq!(err.code(), "forbidden");

    // One person both editor and leader drafts a change set, and may not approve it.
    let both = account(&service, "editor.leader", &[Role::StaffingEditor, Role::Leader]).await;
    let (clerk, justice, leader) = (
        login(&service, "clerk").await,
        login(&service, "justice").await,
        login(&service, "leader").await,
    );
    let id = service.create_change_set(&both, removal(&list, &version)).await.unwrap().0.set.id;
    let act = |who: &CurrentUser, action| {
        let who = who.clone();
        let service = &service;
        async move { service.act_on_change_set(Some(&who), id, action).await }
    };
    let out =
        act(&both, ChangeSetCommand::SendRound { units: None, working_days: None }).await.unwrap();
    let unit = out.change_set.rounds[0].tasks[0].unit;
    act(&clerk, ChangeSetCommand::Reply { unit, opinions: vec![] }).await.unwrap();
    act(&both, ChangeSetCommand::CloseRound).await.unwrap();
    act(&both, ChangeSetCommand::SubmitForReview).await.unwrap();
    let item = version.entries[1].item;
    act(&justice, ChangeSetCommand::Verdict { item, pass: true, reason: String::new() })
        .await
        .unwrap();
    act(&both, ChangeSetCommand::SubmitForApproval).await.unwrap();
    clock.advance(Duration::days(1));
    let approve = || ChangeSetCommand::Approve {
        meeting: "县委编委2026年第2次会议".into(),
        decided_on: d(2026, 3, 3),
        doc_no: "某编〔2026〕12号".into(),
    };
    let rev = service.change_set(id).await.unwrap().rev;
    let err = act(&both, approve()).await.unwrap_err();
    assert_eq!(err.code(), "drafter_cannot_approve");
    assert!(err.zh().contains("起草"), "{}", err.zh());
    assert_eq!(service.change_set(id).await.unwrap().rev, rev, "nothing written");
    let err = act(&admin, approve()).await.unwrap_err();
    assert_eq!(err.code(), "forbidden", "the system administrator approves nothing");
    act(&leader, approve()).await.unwrap();
    let err = act(&admin, ChangeSetCommand::Publish).await.unwrap_err();
    assert_eq!(err.code(), "forbidden", "nor publishes");
}

/// The ledger commits to the changes by digest; the stored changes recompute it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drafting_event_commits_to_the_changes_by_digest() {
    let (_dir, service, _clock, list, version) = county().await;
    let editor = login(&service, "editor").await;
    let (view, leaf) = service.create_change_set(&editor, removal(&list, &version)).await.unwrap();
    let event = service.store().events(leaf, 1).await.unwrap().remove(0);
    assert_eq!(event.kind, "change_set.drafted");
    let digest = event.payload["changes"]["sm3"].as_str().unwrap();
    assert_eq!(digest.len(), 64);
    assert_eq!(event.payload["changes"]["count"], 1);
    assert_eq!(digest, quanze_service::changesets::changes_digest(&view.set.changes));
    let check = service.verify_change_set_changes(view.set.id, leaf).await.unwrap();
    assert!(check.matches, "{check:?}");
    assert!(!event.payload.to_string().contains("该事项已由省级统一办理"), "no changes in clear");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_published_outside_a_change_set_needs_a_leaders_recorded_approval() {
    let (_dir, service, _clock, _list, version) = county().await;
    let (editor, leader, admin) = (
        login(&service, "editor").await,
        login(&service, "leader").await,
        login(&service, "admin").await,
    );
    // A new draft of the list: the published entries, one item with a credit code failing
    // its check digit in its implementation code (a warning, never a block: domain.md §4).
    let catalog = service.catalog();
    let mut items = Vec::new();
    let mut entries = version.entries.clone();
    let first = catalog.content(&entries[0]).unwrap().clone();
    let mut content = first.clone();
    content.base_code = Some(quanze_core::BaseCode::parse("000117025000").unwrap());
    content.impl_code =
        Some(quanze_core::ImplCode::parse("11321281014422781G5000117025000").unwrap());
    let next = catalog.item(entries[0].item, entries[0].item_version).unwrap().version + 1;
    items.push(quanze_core::PowerItem { id: entries[0].item, version: next, content });
    entries[0].item_version = next;
    let draft = ListVersion {
        id: ListVersionId::from_uuid(uuid::Uuid::now_v7()),
        number: version.number + 1,
        status: VersionStatus::Draft,
        effective_from: None,
        effective_until: None,
        doc_no: None,
        entries,
        ..version.clone()
    };
    service
        .save_draft(Some(&editor), DraftWrite { version: draft.clone(), new_items: items })
        .await
        .unwrap();
    let issues = service.publication_blockers(service.catalog().version(draft.id).unwrap());
    assert!(issues.iter().any(|i| i.code == "impl_code_credit_check"), "{issues:?}");
    let approval = |ratification: Option<&str>| {
        ListApproval::parse(
            "县委机构编制委员会",
            "县委编委2026年第3次会议",
            d(2026, 3, 2),
            DocNo::parse("某编〔2026〕20号").unwrap(),
            false,
            Ratification::parse(ratification),
        )
        .unwrap()
    };
    let published = |service: &Service| {
        service.catalog().version(draft.id).map(|v| v.status) == Some(VersionStatus::Published)
    };
    // Only a leader records the 审定 and publishes; the editor and the administrator do not.
    for who in [&editor, &admin] {
        let err = service.publish(Some(who), draft.id, d(2026, 7, 1), approval(None)).await;
        assert_eq!(err.unwrap_err().code(), "forbidden");
    }
    // A past effective date only as 追认.
    let err = service.publish(Some(&leader), draft.id, d(2026, 1, 1), approval(None)).await;
    let err = err.unwrap_err();
    assert_eq!(err.code(), "past_effective_date");
    assert!(!published(&service), "nothing published");
    // The web's request without a body or meeting is refused with the rule.
    let missing = ListApproval::parse(
        "",
        "",
        d(2026, 3, 2),
        DocNo::parse("某编〔2026〕20号").unwrap(),
        false,
        None,
    );
    assert!(missing.unwrap_err().zh().contains("审定机关"));
    let leaf = service.publish(Some(&leader), draft.id, d(2026, 7, 1), approval(None)).await;
    let leaf = leaf.unwrap();
    assert!(published(&service));
    let event = service.store().events(leaf, 1).await.unwrap().remove(0);
    assert_eq!(event.payload["approval"]["body"], "县委机构编制委员会");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_town_drops_a_template_item_only_with_a_reason() {
    let (_dir, service, _clock, _list, _version) = county().await;
    let editor = login(&service, "editor").await;
    let catalog = service.catalog();
    let template = catalog
        .lists
        .iter()
        .find(|l| matches!(l.scope, ListScope::TownshipTemplate { .. }))
        .unwrap();
    let published = catalog.latest_version(template.id).unwrap().clone();
    let town = catalog.units.iter().find(|u| u.kind.is_township_level()).unwrap().id;
    let draft = ListVersion {
        id: ListVersionId::from_uuid(uuid::Uuid::now_v7()),
        number: published.number + 1,
        status: VersionStatus::Draft,
        effective_from: None,
        effective_until: None,
        doc_no: None,
        ..published.clone()
    };
    service
        .save_draft(Some(&editor), DraftWrite { version: draft.clone(), new_items: vec![] })
        .await
        .unwrap();
    let drop = |reason: &str| Override {
        target: OverrideTarget::Town { unit: town },
        change: OverrideChange::Remove { item: published.entries[0].item },
        reason: reason.into(),
    };
    let before = service.catalog().version(draft.id).unwrap().overrides.clone();
    let err = service.set_overrides(&editor, draft.id, vec![drop(" ")]).await.unwrap_err();
    assert_eq!(err.code(), "invalid_override");
    assert!(err.zh().contains("法定职责必须为"), "{}", err.zh());
    assert_eq!(service.catalog().version(draft.id).unwrap().overrides, before, "nothing written");
    service.set_overrides(&editor, draft.id, vec![drop("该镇无此类场所")]).await.unwrap();
}
