use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::*;
use crate::calendar::WorkCalendar;
use crate::fixtures::{HOLIDAYS, at, d, item, list, power, uid, unit, user};
use crate::ids::LawId;
use crate::item::PowerCategory;
use crate::law::{Law, LawLevel, LawRegistry};
use crate::list::{DocNo, VersionStatus};
use crate::opinion::Stance;
use crate::review::ReviewOutcome;
use crate::workflow::Approval;

fn who() -> Actor {
    Actor { by: user(1), at: at(2026, 3, 2) }
}

fn law(n: u128, title: &str) -> Law {
    Law {
        id: LawId::from_uuid(uid(900 + n)),
        title: title.into(),
        level: LawLevel::Law,
        issuer: "全国人民代表大会常务委员会".into(),
        in_force_from: d(2015, 10, 1),
        in_force_until: None,
        amended_by: None,
        repealed_by: None,
    }
}

fn base_version() -> ListVersion {
    ListVersion {
        id: ListVersionId::from_uuid(uid(70)),
        list: list(1),
        number: 1,
        status: VersionStatus::Published,
        effective_from: Some(d(2025, 1, 1)),
        effective_until: None,
        doc_no: None,
        entries: vec![
            ListEntry { item: item(1), item_version: 1, duty: DutyKind::Own },
            ListEntry { item: item(2), item_version: 2, duty: DutyKind::Own },
        ],
        overrides: vec![],
    }
}

fn change(change: Change) -> ProposedChange {
    ProposedChange {
        list: list(1),
        change,
        reason: "机构改革后职责调整".into(),
        basis: "县委编委2026年第1次会议纪要".into(),
    }
}

fn changes() -> Vec<ProposedChange> {
    let mut amended = power("食品经营许可", PowerCategory::Licensing, unit(1));
    amended.handling_office = Some("行政审批股".into());
    vec![
        change(Change::Amend { item: item(1), base: 1, content: amended }),
        change(Change::Remove { item: item(2), base: 2 }),
        change(Change::Add {
            item: item(3),
            duty: DutyKind::Own,
            content: power("小作坊登记", PowerCategory::Licensing, unit(1)),
        }),
    ]
}

fn draft() -> ChangeSet {
    ChangeSet::draft(
        ChangeSetId::from_uuid(uid(80)),
        "关于调整县市场监管局权责清单的方案".into(),
        d(2026, 7, 1),
        changes(),
        unit(9),
        3,
        BTreeSet::from([unit(5)]),
        who(),
    )
    .unwrap()
}

#[test]
fn applying_amends_removes_and_adds_with_new_item_versions() {
    let old = power("食品经营许可", PowerCategory::Licensing, unit(1));
    let cs = draft();
    let base = base_version();
    let applied = apply_to_list(
        Some(&base),
        cs.changes_to(list(1)),
        |i| if i == item(1) { Some(3) } else { None },
        |i, v| (i == item(1) && v == 1).then_some(&old),
    )
    .unwrap();
    let keys: Vec<(ItemId, u32)> =
        applied.entries.iter().map(|e| (e.item, e.item_version)).collect();
    // Item 1 has a stored version 3 (from another list's draft), so the amendment is 4.
    assert_eq!(keys, vec![(item(1), 4), (item(3), 1)]);
    assert_eq!(applied.new_items.len(), 2);
    let fields = cs.changes[0].fields(&old, DutyKind::Own);
    assert_eq!(fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["handling_office"]);
}

#[test]
fn stale_missing_present_and_empty_changes_are_refused_with_their_position() {
    let old = power("食品经营许可", PowerCategory::Licensing, unit(1));
    let base = base_version();
    let run = |c: Vec<ProposedChange>| {
        apply_to_list(Some(&base), c.iter().enumerate(), |_| None, |_, _| Some(&old))
    };
    let stale = change(Change::Remove { item: item(2), base: 1 });
    assert_eq!(
        run(vec![stale]),
        Err(RevisionError::Stale { index: 1, item: item(2), base: 1, current: 2 })
    );
    let ghost = change(Change::Remove { item: item(7), base: 1 });
    let ok = change(Change::Remove { item: item(1), base: 1 });
    assert_eq!(run(vec![ok, ghost]), Err(RevisionError::NotInList { index: 2, item: item(7) }));
    let present = change(Change::Add { item: item(1), duty: DutyKind::Own, content: old.clone() });
    assert_eq!(run(vec![present]), Err(RevisionError::AlreadyInList { index: 1, item: item(1) }));
    let same = change(Change::Amend { item: item(1), base: 1, content: old.clone() });
    assert_eq!(run(vec![same]), Err(RevisionError::NoDifference { index: 1 }));

    let mut twice = changes();
    twice.push(change(Change::Remove { item: item(1), base: 1 }));
    assert_eq!(
        check_changes(&twice),
        Err(RevisionError::Twice { index: 4, item: item(1), first: 1 })
    );
    let mut no_reason = changes();
    no_reason[1].reason = "  ".into();
    assert_eq!(check_changes(&no_reason), Err(RevisionError::MissingReason { index: 2 }));
    assert_eq!(RevisionError::MissingReason { index: 2 }.zh(), "第2项调整：调整理由不能为空");
}

#[test]
fn a_change_set_goes_through_rounds_comment_review_and_approval() {
    let cal = WorkCalendar::parse(HOLIDAYS).unwrap();
    let mut cs = draft();
    let today = d(2026, 3, 2);
    // Nothing but a round can follow the draft.
    assert_eq!(
        cs.open_comment(today, d(2026, 3, 20), who()),
        Err(ChangeSetError::Flow(FlowError::NoRoundYet))
    );
    assert_eq!(
        cs.send_round(BTreeSet::new(), today, 5, &cal, who()),
        Err(ChangeSetError::NobodyToAsk)
    );
    assert_eq!(cs.send_round(BTreeSet::from([unit(2), unit(3)]), today, 5, &cal, who()), Ok(1));
    assert_eq!(cs.rounds[0].tasks[0].due, d(2026, 3, 9));
    let objection = NewOpinion {
        id: OpinionId::from_uuid(uid(501)),
        item: Some(item(3)),
        stance: Stance::Object,
        reason: "乡镇无登记人员".into(),
    };
    cs.reply(unit(2), vec![objection], who()).unwrap();
    assert_eq!(cs.urge(who()), Ok(BTreeSet::from([unit(3)])));
    assert_eq!(cs.close_round(who()), Err(ChangeSetError::Flow(FlowError::UnresolvedOpinions(1))));
    let before = cs.clone();
    assert!(cs.reply(unit(4), vec![], who()).is_err());
    assert_eq!(cs, before, "a refused reply changes nothing");
    cs.resolve(OpinionId::from_uuid(uid(501)), ResolutionKind::NotAdopted, "县级保留登记", who())
        .unwrap();
    cs.close_round(who()).unwrap();
    assert_eq!(cs.flow.stage, Stage::Drafting);

    // 公示: comments must be answered and the period over before review.
    cs.open_comment(today, d(2026, 3, 16), who()).unwrap();
    let cid = OpinionId::from_uuid(uid(601));
    cs.comment(cid, Some(item(3)), "建议明确办理时限", d(2026, 3, 10)).unwrap();
    assert!(matches!(
        cs.comment(OpinionId::from_uuid(uid(602)), Some(item(8)), "无关", d(2026, 3, 10)),
        Err(ChangeSetError::Opinion(OpinionError::UnknownItem(_)))
    ));
    let laws =
        LawRegistry::new([law(1, "中华人民共和国食品安全法"), law(2, "中华人民共和国行政许可法")]);
    let known: HashSet<UnitId> = [unit(1), unit(9)].into();
    let ctx = ReviewContext {
        laws: &laws,
        known_units: &known,
        effective_on: cs.effective_on,
        grants: &[],
    };
    let duties = BTreeMap::new();
    assert_eq!(
        cs.submit_for_review(&ctx, &duties, &HashMap::new(), d(2026, 3, 20), who()),
        Err(ChangeSetError::Flow(FlowError::UnansweredComments(1)))
    );
    cs.answer(cid, ResolutionKind::Adopted, "已补充承诺时限", who()).unwrap();
    assert_eq!(
        cs.submit_for_review(&ctx, &duties, &HashMap::new(), d(2026, 3, 16), who()),
        Err(ChangeSetError::Flow(FlowError::CommentPeriodOpen(d(2026, 3, 16))))
    );
    cs.submit_for_review(&ctx, &duties, &HashMap::new(), d(2026, 3, 17), who()).unwrap();
    let review = cs.review.as_ref().unwrap();
    // Every change is reviewed, the removal too (issue 14: no path around review); all clean.
    assert_eq!(review.findings.len(), 3);
    assert_eq!(review.open_findings(), 0, "{:?}", review.findings);
    cs.verdict(item(1), Verdict::Pass, who()).unwrap();
    assert!(matches!(
        cs.submit_for_approval(who()),
        Err(ChangeSetError::Flow(FlowError::ReviewNotPassed(_)))
    ));
    cs.verdict(item(3), Verdict::Pass, who()).unwrap();
    assert!(matches!(
        cs.submit_for_approval(who()),
        Err(ChangeSetError::Flow(FlowError::ReviewNotPassed(ReviewOutcome::Incomplete {
            missing: 1
        })))
    ));
    cs.verdict(item(2), Verdict::Pass, who()).unwrap();
    cs.submit_for_approval(who()).unwrap();
    let approval = Approval {
        meeting: "县委编委2026年第2次会议".into(),
        decided_on: d(2026, 5, 20),
        doc_no: DocNo::parse("某编〔2026〕12号").unwrap(),
    };
    assert!(matches!(
        cs.approve(approval.clone(), who()),
        Err(ChangeSetError::Flow(FlowError::MissingCountersignatures(_)))
    ));
    cs.countersign(unit(5), who()).unwrap();

    // 退回 to opinions: the next round goes to the same units, the review is discarded.
    cs.return_to(Stage::Opinions { round: 0 }, "司法局建议再征求乡镇意见", today, 5, &cal, who())
        .unwrap();
    assert_eq!(cs.flow.stage, Stage::Opinions { round: 2 });
    assert_eq!(cs.rounds.len(), 2);
    assert_eq!(cs.rounds[1].tasks.len(), 2);
    assert!(cs.review.is_none());
    assert!(cs.flow.countersigned.is_empty());
}

#[test]
fn a_cited_law_out_of_force_is_a_finding_and_blocks_a_pass() {
    let cal = WorkCalendar::parse(HOLIDAYS).unwrap();
    let mut cs = draft();
    cs.send_round(BTreeSet::from([unit(2)]), d(2026, 3, 2), 5, &cal, who()).unwrap();
    cs.reply(unit(2), vec![], who()).unwrap();
    cs.close_round(who()).unwrap();
    let mut repealed = law(1, "中华人民共和国食品安全法");
    repealed.in_force_until = Some(d(2026, 6, 1));
    let laws = LawRegistry::new([repealed, law(2, "中华人民共和国行政许可法")]);
    let known: HashSet<UnitId> = [unit(1), unit(9)].into();
    let ctx = ReviewContext {
        laws: &laws,
        known_units: &known,
        effective_on: cs.effective_on,
        grants: &[],
    };
    cs.submit_for_review(&ctx, &BTreeMap::new(), &HashMap::new(), d(2026, 3, 10), who()).unwrap();
    assert!(cs.review.as_ref().unwrap().open_findings() >= 2);
    assert!(matches!(
        cs.verdict(item(3), Verdict::Pass, who()),
        Err(ChangeSetError::Review(ReviewError::OpenFindings { .. }))
    ));
    // A table of verdicts is recorded whole or not at all.
    let reject = |r: &str| Verdict::Reject { reason: r.into() };
    let mut batch = cs.clone();
    assert!(matches!(
        batch.verdicts(vec![(item(1), reject("重复")), (item(3), Verdict::Pass)], who()),
        Err(ChangeSetError::Review(ReviewError::OpenFindings { .. }))
    ));
    assert_eq!(batch, cs, "nothing recorded");
    assert!(matches!(
        batch.verdicts(vec![(item(99), reject("无此事项"))], who()),
        Err(ChangeSetError::Review(ReviewError::UnknownItem(_)))
    ));
    batch.verdicts(vec![(item(3), reject("依据已失效"))], who()).unwrap();
    cs.verdict(item(3), Verdict::Reject { reason: "依据已失效".into() }, who()).unwrap();
    assert_eq!(batch.review, cs.review, "one by one or as a table, the same review");
}

/// Issue 14: a change set made only of removals reached approval with no verdict, since the
/// review had nothing to look at. Every removal is an entry of the review now, and one whose
/// legal basis is still in force is flagged for the reviewer (法定职责必须为) without blocking
/// a pass.
#[test]
fn a_change_set_of_removals_only_needs_the_reviewers_verdict() {
    let cal = WorkCalendar::parse(HOLIDAYS).unwrap();
    let mut cs = ChangeSet::draft(
        ChangeSetId::from_uuid(uid(81)),
        "关于取消事项的方案".into(),
        d(2026, 7, 1),
        vec![change(Change::Remove { item: item(2), base: 2 })],
        unit(1),
        3,
        BTreeSet::new(),
        who(),
    )
    .unwrap();
    cs.send_round(BTreeSet::from([unit(2)]), d(2026, 3, 2), 5, &cal, who()).unwrap();
    cs.reply(unit(2), vec![], who()).unwrap();
    cs.close_round(who()).unwrap();
    let laws = LawRegistry::new([law(1, "中华人民共和国食品安全法")]);
    let known: HashSet<UnitId> = [unit(1)].into();
    let ctx = ReviewContext {
        laws: &laws,
        known_units: &known,
        effective_on: cs.effective_on,
        grants: &[],
    };
    let mut current = power("食品生产许可", PowerCategory::Licensing, unit(1));
    current.legal_basis = vec![crate::item::LegalRef::article("中华人民共和国食品安全法", 35)];
    let removed = HashMap::from([(item(2), &current)]);
    cs.submit_for_review(&ctx, &BTreeMap::new(), &removed, d(2026, 3, 10), who()).unwrap();
    let review = cs.review.as_ref().unwrap();
    assert_eq!(review.findings.len(), 1);
    let codes: Vec<&str> = review.findings[0].issues.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["removal_basis_in_force"]);
    assert!(review.findings[0].issues[0].message_zh.contains("法定职责必须为"));
    assert_eq!(review.open_findings(), 0, "advisory: it does not block a pass");
    let before = cs.clone();
    assert_eq!(
        cs.submit_for_approval(who()),
        Err(ChangeSetError::Flow(FlowError::ReviewNotPassed(ReviewOutcome::Incomplete {
            missing: 1
        })))
    );
    assert_eq!(cs, before, "nothing changed");
    cs.verdict(item(2), Verdict::Pass, who()).unwrap();
    cs.submit_for_approval(who()).unwrap();
}
