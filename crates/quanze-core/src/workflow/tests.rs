use std::collections::{BTreeSet, HashSet};

use super::*;
use crate::calendar::WorkCalendar;
use crate::fixtures::{HOLIDAYS, at, d, item, list, power, unit, user};
use crate::item::PowerCategory;
use crate::law::LawRegistry;
use crate::list::DutyKind;
use crate::opinion::{NewOpinion, ResolutionKind, Stance};
use crate::review::{ReviewContext, ReviewItem};

fn who() -> Actor {
    Actor { by: user(1), at: at(2026, 3, 2) }
}

fn round(number: u8) -> OpinionRound {
    let cal = WorkCalendar::parse(HOLIDAYS).unwrap();
    OpinionRound::open(number, [unit(2), unit(3)], d(2026, 3, 2), 5, &cal)
}

/// A review over no items (passed) or over one item without a verdict (incomplete).
fn review(with_item: bool) -> LegalReview {
    let laws = LawRegistry::new([]);
    let known = HashSet::new();
    let ctx = ReviewContext {
        laws: &laws,
        known_units: &known,
        effective_on: d(2026, 6, 1),
        grants: &[],
    };
    let content = power("食品经营许可", PowerCategory::Licensing, unit(1));
    let items =
        [ReviewItem { item: item(1), list: list(1), duty: DutyKind::Own, content: &content }];
    LegalReview::start(if with_item { &items[..] } else { &[] }, &ctx)
}

fn approval() -> Approval {
    Approval {
        meeting: "县委编委2026年第2次会议".into(),
        decided_on: d(2026, 5, 20),
        doc_no: DocNo::parse("某编〔2026〕12号").unwrap(),
    }
}

#[test]
fn three_rounds_comment_review_approval_publication() {
    let mut flow = Flow::new(unit(9), 3, BTreeSet::from([unit(5), unit(6)]));
    for n in 1..=3 {
        assert_eq!(flow.send_round(who()), Ok(n));
        let mut r = round(n);
        let objection = NewOpinion {
            id: crate::ids::OpinionId::from_uuid(crate::fixtures::uid(500 + u128::from(n))),
            item: Some(item(1)),
            stance: Stance::Object,
            reason: "乡镇无执法人员".into(),
        };
        r.reply(
            unit(2),
            vec![objection.clone()],
            &BTreeSet::from([item(1)]),
            user(2),
            at(2026, 3, 3),
        )
        .unwrap();
        assert_eq!(flow.close_round(&r, who()), Err(FlowError::UnresolvedOpinions(1)));
        assert_eq!(flow.stage, Stage::Opinions { round: n }, "refused: nothing changed");
        // 催办: unit 3 has not replied.
        assert_eq!(flow.urge(&r, who()), Ok(BTreeSet::from([unit(3)])));
        r.resolve(
            objection.id,
            ResolutionKind::NotAdopted,
            "已配备执法人员",
            user(1),
            at(2026, 3, 4),
        )
        .unwrap();
        flow.close_round(&r, who()).unwrap();
    }
    assert_eq!(flow.send_round(who()), Err(FlowError::TooManyRounds { next: 4, max: 3 }));

    flow.open_comment(who()).unwrap();
    let period = CommentPeriod::new(d(2026, 4, 1), d(2026, 4, 30));
    assert_eq!(
        flow.submit_for_review(Some(&period), d(2026, 4, 30), who()),
        Err(FlowError::CommentPeriodOpen(d(2026, 4, 30)))
    );
    flow.submit_for_review(Some(&period), d(2026, 5, 6), who()).unwrap();

    assert_eq!(
        flow.submit_for_approval(&review(true), who()),
        Err(FlowError::ReviewNotPassed(ReviewOutcome::Incomplete { missing: 1 }))
    );
    flow.submit_for_approval(&review(false), who()).unwrap();

    flow.countersign(unit(5), who()).unwrap();
    assert_eq!(flow.countersign(unit(5), who()), Err(FlowError::NotACountersigner(unit(5))));
    assert_eq!(flow.countersign(unit(7), who()), Err(FlowError::NotACountersigner(unit(7))));
    assert_eq!(
        flow.approve(approval(), who()),
        Err(FlowError::MissingCountersignatures(BTreeSet::from([unit(6)])))
    );
    assert_eq!(flow.publish(who()).unwrap_err().zh(), "调整方案处于“审定”阶段，不能公布");
    flow.countersign(unit(6), who()).unwrap();
    flow.approve(approval(), who()).unwrap();
    flow.publish(who()).unwrap();
    assert_eq!(flow.stage, Stage::Published);
    assert_eq!(flow.approval, Some(approval()));
    // Every operation is recorded, in order: 3 × (send, urge, close), comment, review,
    // approval, 2 countersignatures, approve, publish.
    assert_eq!(flow.history.len(), 3 * 3 + 7);
    assert_eq!(
        flow.history.last().map(|s| (s.from, s.to)),
        Some((Stage::Approved, Stage::Published))
    );
    assert!(flow.withdraw("不再需要", who()).is_err(), "a published change set stays published");
}

#[test]
fn return_withdraw_and_transfer() {
    let mut flow = Flow::new(unit(9), 2, BTreeSet::from([unit(5)]));
    flow.send_round(who()).unwrap();
    flow.close_round(&round(1), who()).unwrap();
    flow.submit_for_review(None, d(2026, 3, 10), who()).unwrap();
    flow.submit_for_approval(&review(false), who()).unwrap();
    flow.countersign(unit(5), who()).unwrap();

    assert_eq!(flow.return_to(Stage::Drafting, " ", who()), Err(FlowError::MissingReason));
    assert_eq!(
        flow.return_to(Stage::Approved, "x", who()),
        Err(FlowError::NotEarlier { from: Stage::Approval, to: Stage::Approved })
    );
    // 退回 to the opinion stage opens round 2 and clears the countersignatures.
    flow.return_to(Stage::Opinions { round: 1 }, "审定会议要求再征求乡镇意见", who()).unwrap();
    assert_eq!(flow.stage, Stage::Opinions { round: 2 });
    assert!(flow.countersigned.is_empty());
    assert_eq!(flow.history.last().map(|s| s.reason.as_str()), Some("审定会议要求再征求乡镇意见"));
    flow.close_round(&round(2), who()).unwrap();
    flow.submit_for_review(None, d(2026, 3, 20), who()).unwrap();
    assert_eq!(
        flow.return_to(Stage::Opinions { round: 2 }, "再议", who()),
        Err(FlowError::TooManyRounds { next: 3, max: 2 })
    );

    flow.transfer(unit(8), "机构改革后由县司法局牵头", who()).unwrap();
    assert_eq!((flow.handler, flow.stage), (unit(8), Stage::LegalReview));
    assert_eq!(flow.withdraw("", who()), Err(FlowError::MissingReason));
    flow.withdraw("上级文件调整，方案作废", who()).unwrap();
    assert_eq!(flow.stage, Stage::Withdrawn);
    assert!(flow.send_round(who()).is_err());
    assert!(flow.return_to(Stage::Drafting, "重新起草", who()).is_err());
}

#[test]
fn a_draft_goes_nowhere_before_its_first_round() {
    let mut flow = Flow::new(unit(9), 3, BTreeSet::new());
    assert_eq!(flow.open_comment(who()), Err(FlowError::NoRoundYet));
    assert_eq!(flow.submit_for_review(None, d(2026, 3, 2), who()), Err(FlowError::NoRoundYet));
    assert_eq!(FlowError::NoRoundYet.zh(), "尚未征求意见：请先发起第一轮征求意见");
    assert_eq!(
        flow.urge(&round(1), who()).unwrap_err(),
        FlowError::WrongStage { op: Operation::Urge, stage: Stage::Drafting }
    );
    assert!(flow.history.is_empty());
}

/// Issue 14 (item 13): every refusal of the workflow speaks Chinese — no English word, no
/// `Debug` spelling of a stage or an operation leaks into the message users read.
#[test]
fn every_flow_error_speaks_chinese() {
    let errors = [
        FlowError::WrongStage { op: Operation::Approve, stage: Stage::Opinions { round: 2 } },
        FlowError::NoRoundYet,
        FlowError::TooManyRounds { next: 4, max: 3 },
        FlowError::UnresolvedOpinions(2),
        FlowError::UnansweredComments(1),
        FlowError::CommentPeriodOpen(d(2026, 3, 9)),
        FlowError::ReviewNotPassed(ReviewOutcome::Rejected { rejected: 1 }),
        FlowError::ReviewNotPassed(ReviewOutcome::Incomplete { missing: 3 }),
        FlowError::ReviewNotPassed(ReviewOutcome::Passed),
        FlowError::MissingCountersignatures(BTreeSet::from([unit(2)])),
        FlowError::NotACountersigner(unit(2)),
        FlowError::MissingReason,
        FlowError::NotEarlier { from: Stage::Drafting, to: Stage::Approval },
        FlowError::NothingToUrge,
    ];
    for err in errors {
        let zh = err.zh();
        assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{zh}");
        // Ids (hex with dashes) and dates may appear; English words may not.
        let words = zh
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() > 1 && !w.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(words.collect::<Vec<_>>(), Vec::<&str>::new(), "{zh}");
    }
}
