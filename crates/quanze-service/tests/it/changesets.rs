//! A change set through the whole of 三上三下 on the demo county: drafted against a published
//! department list, sent for opinions, objected to and resolved, put out for public comment,
//! checked for legality, countersigned, approved and published — and every refusal on the way
//! leaves the stored change set as it was.
//!
//! Each stage is its own test on its own database: [`Scenario`] drives a fresh change set
//! through the stages before it (the same steps, without their checks).

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use quanze_core::workflow::Stage;
use quanze_core::{ChangeSetId, ItemContent, ListScope, ListVersion, PowerList, VersionStatus};
use quanze_service::changesets::{
    ActionOutcome, ChangeAction, ChangeInput, ChangeSetCommand, NewChangeSet, OpinionInput,
    StanceKind,
};
use quanze_service::{CurrentUser, Service, ServiceResult};

use crate::helpers::{TestClock, demo_at, login};

/// The demo county on a clock at Monday 2026-03-02, 10:00 in China, and a change set that
/// amends, removes and adds one item of a published department list from 2026-07-01.
struct Scenario {
    _dir: tempfile::TempDir,
    service: Service,
    clock: Arc<TestClock>,
    editor: CurrentUser,
    clerk: CurrentUser,
    justice: CurrentUser,
    leader: CurrentUser,
    list: PowerList,
    version: ListVersion,
    /// The first entry's content, before the amendment.
    a: ItemContent,
    /// The second entry's content, the one removed.
    b: ItemContent,
    new: NewChangeSet,
    effective: NaiveDate,
}

impl Scenario {
    async fn new() -> Self {
        // Monday 2026-03-02, 10:00 in China.
        let start: DateTime<Utc> = "2026-03-02T02:00:00Z".parse().unwrap();
        let clock = TestClock::at(start);
        let (dir, service) = demo_at(clock.clone()).await;
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
            ratification: None,
        };
        Self {
            _dir: dir,
            service,
            clock,
            editor,
            clerk,
            justice,
            leader,
            list,
            version,
            a,
            b,
            new,
            effective,
        }
    }

    async fn act(
        &self,
        who: &CurrentUser,
        id: ChangeSetId,
        action: ChangeSetCommand,
    ) -> ServiceResult<ActionOutcome> {
        self.service.act_on_change_set(Some(who), id, action).await
    }

    /// The change set, drafted by the editor.
    async fn drafted(&self) -> ChangeSetId {
        self.service.create_change_set(&self.editor, self.new.clone()).await.unwrap().0.set.id
    }

    /// Round 1 sent, the clerk's objection not adopted, the round closed.
    async fn round_closed(&self) -> ChangeSetId {
        let id = self.drafted().await;
        let out = self
            .act(&self.editor, id, ChangeSetCommand::SendRound { units: None, working_days: None })
            .await
            .unwrap();
        let unit = out.change_set.rounds[0].tasks[0].unit;
        self.act(
            &self.clerk,
            id,
            ChangeSetCommand::Reply { unit, opinions: vec![self.objection()] },
        )
        .await
        .unwrap();
        let opinion = self.service.change_set(id).await.unwrap().set.rounds[0].opinions[0].id;
        self.act(&self.editor, id, self.not_adopted(opinion)).await.unwrap();
        self.act(&self.editor, id, ChangeSetCommand::CloseRound).await.unwrap();
        id
    }

    /// A week of 公示 with one comment, answered; then submitted for review.
    async fn submitted_for_review(&self) -> ChangeSetId {
        let id = self.round_closed().await;
        self.act(&self.editor, id, Self::open_comment()).await.unwrap();
        self.service.comment_on_change_set(id, None, "建议同步公布办事指南").await.unwrap();
        self.clock.advance(Duration::days(10));
        let comment =
            self.service.change_set(id).await.unwrap().set.comments.unwrap().comments[0].id;
        self.act(&self.editor, id, Self::answer(comment)).await.unwrap();
        self.act(&self.editor, id, ChangeSetCommand::SubmitForReview).await.unwrap();
        id
    }

    /// Every finding passed by the justice bureau, submitted and approved by the leader.
    async fn approved(&self) -> ChangeSetId {
        let id = self.submitted_for_review().await;
        let review = self.service.change_set(id).await.unwrap().set.review.unwrap();
        for finding in &review.findings {
            self.act(&self.justice, id, Self::verdict(finding.item)).await.unwrap();
        }
        self.act(&self.editor, id, ChangeSetCommand::SubmitForApproval).await.unwrap();
        self.act(&self.leader, id, Self::approve()).await.unwrap();
        id
    }

    fn objection(&self) -> OpinionInput {
        OpinionInput {
            item: Some(self.version.entries[1].item),
            stance: StanceKind::Object,
            proposed: None,
            reason: "该事项仍有办理量".into(),
        }
    }

    fn not_adopted(&self, opinion: quanze_core::OpinionId) -> ChangeSetCommand {
        ChangeSetCommand::Resolve {
            opinion,
            kind: quanze_core::ResolutionKind::NotAdopted,
            reason: "已由县级统一办理".into(),
        }
    }

    fn open_comment() -> ChangeSetCommand {
        // Seven working days after Monday 2026-03-02: the minimum (国办发〔2018〕37号).
        ChangeSetCommand::OpenComment { until: NaiveDate::from_ymd_opt(2026, 3, 11).unwrap() }
    }

    fn answer(comment: quanze_core::OpinionId) -> ChangeSetCommand {
        ChangeSetCommand::Answer {
            comment,
            kind: quanze_core::ResolutionKind::Adopted,
            text: "将随清单一并公布".into(),
        }
    }

    fn verdict(item: quanze_core::ItemId) -> ChangeSetCommand {
        ChangeSetCommand::Verdict { item, pass: true, reason: String::new() }
    }

    fn approve() -> ChangeSetCommand {
        ChangeSetCommand::Approve {
            meeting: "县委编委2026年第2次会议".into(),
            decided_on: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            doc_no: "某编〔2026〕12号".into(),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_refused_to_a_clerk_and_when_an_amendment_changes_nothing() {
    let s = Scenario::new().await;
    let service = &s.service;
    // Refused drafts: the clerk may not draft; an amendment that changes nothing is named.
    assert_eq!(
        service.create_change_set(&s.clerk, s.new.clone()).await.unwrap_err().code(),
        "forbidden"
    );
    let mut same = s.new.clone();
    same.changes[0].content = Some(s.a.clone());
    let err = service.create_change_set(&s.editor, same).await.unwrap_err();
    assert_eq!(err.code(), "invalid_change");
    assert_eq!(err.zh(), "第1项调整：调整后的内容与现行内容相同");

    let (view, _) = service.create_change_set(&s.editor, s.new.clone()).await.unwrap();
    assert_eq!(
        view.changes[0].fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
        ["handling_office"]
    );
    assert_eq!(view.changes[1].name, s.b.display_name());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_goes_to_every_affected_unit_and_closes_once_opinions_are_resolved() {
    let s = Scenario::new().await;
    let (service, editor) = (&s.service, &s.editor);
    let id = s.drafted().await;

    // Round 1 goes to every affected unit, due in 10 working days.
    let out = s
        .act(editor, id, ChangeSetCommand::SendRound { units: None, working_days: None })
        .await
        .unwrap();
    let round = &out.change_set.rounds[0];
    assert!(round.tasks.iter().any(|t| t.unit == s.a.holder), "{:?}", round.tasks);
    assert_eq!(round.tasks[0].due, NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
    let unit = round.tasks[0].unit;
    s.act(&s.clerk, id, ChangeSetCommand::Reply { unit, opinions: vec![s.objection()] })
        .await
        .unwrap();
    let err = s.act(editor, id, ChangeSetCommand::CloseRound).await.unwrap_err();
    assert_eq!(err.code(), "unresolved_opinions");
    let rev = service.change_set(id).await.unwrap().rev;
    let opinion = service.change_set(id).await.unwrap().set.rounds[0].opinions[0].id;
    s.act(editor, id, s.not_adopted(opinion)).await.unwrap();
    assert_eq!(service.change_set(id).await.unwrap().rev, rev + 1);
    s.act(editor, id, ChangeSetCommand::CloseRound).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_waits_for_the_comment_period_and_its_answers() {
    let s = Scenario::new().await;
    let (service, editor) = (&s.service, &s.editor);
    let id = s.round_closed().await;

    // 公示 for a week; a comment must be answered and the week over before review.
    s.act(editor, id, Scenario::open_comment()).await.unwrap();
    service.comment_on_change_set(id, None, "建议同步公布办事指南").await.unwrap();
    assert_eq!(
        s.act(editor, id, ChangeSetCommand::SubmitForReview).await.unwrap_err().code(),
        "comment_period_open"
    );
    s.clock.advance(Duration::days(10));
    assert!(service.comment_on_change_set(id, None, "过期意见").await.is_err());
    assert_eq!(
        s.act(editor, id, ChangeSetCommand::SubmitForReview).await.unwrap_err().code(),
        "unanswered_comments"
    );
    let comment = service.change_set(id).await.unwrap().set.comments.unwrap().comments[0].id;
    s.act(editor, id, Scenario::answer(comment)).await.unwrap();
    let out = s.act(editor, id, ChangeSetCommand::SubmitForReview).await.unwrap();
    let review = out.change_set.review.clone().unwrap();
    // Issue 14: the removal is reviewed too (no path around review).
    assert_eq!(review.findings.len(), 3);
    assert_eq!(review.open_findings(), 0, "{:#?}", review.findings);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn public_comments_are_bounded_never_conflict_and_keep_their_text_out_of_the_leaf() {
    let s = Scenario::new().await;
    let (service, editor) = (&s.service, &s.editor);
    let id = s.round_closed().await;
    s.act(editor, id, Scenario::open_comment()).await.unwrap();
    let request =
        |text: &str| quanze_service::views::CommentRequest { item: None, text: text.into() };

    // Too long, or with a bidi control: refused, nothing written.
    let before = service.store().event_count().await.unwrap();
    for text in ["意".repeat(2001), "建议\u{202E}改为".to_owned(), "a\u{7}b".to_owned()] {
        let err = service.receive_comment(id, request(&text), None).await.unwrap_err();
        assert_eq!(err.code().as_str(), "opinion_refused", "{text:?}");
    }
    assert_eq!(service.store().event_count().await.unwrap(), before);

    // Twelve commenters at once: every comment is received (none refused with 409).
    let sends = (0..12).map(|i| {
        let text = format!("第{i}条意见：联系电话 13800000000");
        async move { service.receive_comment(id, request(&text), None).await }
    });
    for outcome in futures_util::future::join_all(sends).await {
        outcome.expect("a comment is never refused for another's");
    }
    let set = service.change_set(id).await.unwrap().set;
    assert_eq!(set.comments.unwrap().comments.len(), 12);
    // The phone number is in no leaf: the text sits behind a commitment.
    let size = service.store().event_count().await.unwrap();
    for entry in service.ledger_entries(before, size).await.unwrap() {
        assert!(!entry.leaf.contains("13800000000"), "{}", entry.leaf);
    }

    // Ten from one address in ten minutes; the eleventh waits.
    let source = Some(std::net::IpAddr::from([198, 51, 100, 7]));
    for _ in 0..10 {
        service.receive_comment(id, request("支持"), source).await.unwrap();
    }
    let err = service.receive_comment(id, request("支持"), source).await.unwrap_err();
    assert_eq!(err.code().as_str(), "rate_limited");
    service.receive_comment(id, request("支持"), Some([198, 51, 100, 8].into())).await.unwrap();
    s.clock.advance(Duration::minutes(11));
    service.receive_comment(id, request("支持"), source).await.expect("a new window");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_justice_bureau_gives_verdicts_and_approval_waits_for_all() {
    let s = Scenario::new().await;
    let (service, editor) = (&s.service, &s.editor);
    let id = s.submitted_for_review().await;
    let review = service.change_set(id).await.unwrap().set.review.unwrap();

    // Only the justice bureau gives verdicts; approval waits for all of them.
    let items: Vec<_> = review.findings.iter().map(|f| f.item).collect();
    assert_eq!(
        s.act(editor, id, Scenario::verdict(items[0])).await.unwrap_err().code(),
        "forbidden"
    );
    s.act(&s.justice, id, Scenario::verdict(items[0])).await.unwrap();
    assert_eq!(
        s.act(editor, id, ChangeSetCommand::SubmitForApproval).await.unwrap_err().code(),
        "review_not_passed"
    );
    s.act(&s.justice, id, Scenario::verdict(items[1])).await.unwrap();
    // Issue 14: the removal awaits its verdict too.
    assert_eq!(
        s.act(editor, id, ChangeSetCommand::SubmitForApproval).await.unwrap_err().code(),
        "review_not_passed"
    );
    s.act(&s.justice, id, Scenario::verdict(items[2])).await.unwrap();
    s.act(editor, id, ChangeSetCommand::SubmitForApproval).await.unwrap();
    assert_eq!(
        s.act(editor, id, ChangeSetCommand::Publish).await.unwrap_err().code(),
        "wrong_stage"
    );
    s.act(&s.leader, id, Scenario::approve()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publication_puts_the_new_version_in_force_from_the_effective_date() {
    let s = Scenario::new().await;
    let (service, editor, list, version, effective) =
        (&s.service, &s.editor, &s.list, &s.version, s.effective);
    let id = s.approved().await;

    // A stale writer is refused: the store's revision moved on.
    let stale = service.change_set(id).await.unwrap();
    let out = s.act(editor, id, ChangeSetCommand::Publish).await.unwrap();
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
    for l in reloaded.lists.iter() {
        assert_eq!(catalog.versions(l.id), reloaded.versions(l.id), "versions of {}", l.name);
        for v in reloaded.versions(l.id) {
            for e in &v.entries {
                assert_eq!(catalog.content(e), reloaded.content(e));
                assert_eq!(
                    catalog.latest_item_version(e.item),
                    reloaded.latest_item_version(e.item)
                );
                for unit in reloaded.units.iter() {
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
    let err =
        s.act(editor, id, ChangeSetCommand::Withdraw { reason: "x".into() }).await.unwrap_err();
    assert_eq!(err.zh(), "调整方案处于“已公布”阶段，不能撤回");
}
