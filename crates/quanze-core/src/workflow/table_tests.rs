//! The workflow as one table: every stage (reached through legal steps) × every operation,
//! with the stage it leads to or the refusal.
//!
//! The operations take inputs that would let them pass where the stage allows: a round with
//! every opinion resolved (and two units yet to reply), no comment period on record, a passed
//! review, a countersignature by the one required unit, a reason.

use std::collections::{BTreeSet, HashSet};

use super::*;
use crate::calendar::WorkCalendar;
use crate::fixtures::{HOLIDAYS, at, d, unit, user};
use crate::law::LawRegistry;
use crate::review::ReviewContext;

/// (stage, operation, outcome): `ok <stage>` or the refusal.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("drafting", "send_round", "ok opinions 1"),
    ("drafting", "close_round", "WrongStage"),
    ("drafting", "open_comment", "NoRoundYet"),
    ("drafting", "submit_for_review", "NoRoundYet"),
    ("drafting", "submit_for_approval", "WrongStage"),
    ("drafting", "countersign", "WrongStage"),
    ("drafting", "approve", "WrongStage"),
    ("drafting", "publish", "WrongStage"),
    ("drafting", "return_to_drafting", "NotEarlier"),
    ("drafting", "return_to_opinions", "NotEarlier"),
    ("drafting", "return_without_reason", "MissingReason"),
    ("drafting", "withdraw", "ok withdrawn"),
    ("drafting", "withdraw_without_reason", "MissingReason"),
    ("drafting", "transfer", "ok drafting"),
    ("drafting", "urge", "WrongStage"),
    //
    ("drafting after a round", "send_round", "ok opinions 2"),
    ("drafting after a round", "close_round", "WrongStage"),
    ("drafting after a round", "open_comment", "ok public_comment"),
    ("drafting after a round", "submit_for_review", "ok legal_review"),
    ("drafting after a round", "submit_for_approval", "WrongStage"),
    ("drafting after a round", "countersign", "WrongStage"),
    ("drafting after a round", "approve", "WrongStage"),
    ("drafting after a round", "publish", "WrongStage"),
    ("drafting after a round", "return_to_drafting", "NotEarlier"),
    ("drafting after a round", "return_to_opinions", "NotEarlier"),
    ("drafting after a round", "return_without_reason", "MissingReason"),
    ("drafting after a round", "withdraw", "ok withdrawn"),
    ("drafting after a round", "withdraw_without_reason", "MissingReason"),
    ("drafting after a round", "transfer", "ok drafting"),
    ("drafting after a round", "urge", "WrongStage"),
    //
    ("drafting after the last round", "send_round", "TooManyRounds 4>3"),
    ("drafting after the last round", "close_round", "WrongStage"),
    ("drafting after the last round", "open_comment", "ok public_comment"),
    ("drafting after the last round", "submit_for_review", "ok legal_review"),
    ("drafting after the last round", "submit_for_approval", "WrongStage"),
    ("drafting after the last round", "countersign", "WrongStage"),
    ("drafting after the last round", "approve", "WrongStage"),
    ("drafting after the last round", "publish", "WrongStage"),
    ("drafting after the last round", "return_to_drafting", "NotEarlier"),
    ("drafting after the last round", "return_to_opinions", "NotEarlier"),
    ("drafting after the last round", "return_without_reason", "MissingReason"),
    ("drafting after the last round", "withdraw", "ok withdrawn"),
    ("drafting after the last round", "withdraw_without_reason", "MissingReason"),
    ("drafting after the last round", "transfer", "ok drafting"),
    ("drafting after the last round", "urge", "WrongStage"),
    //
    ("opinions", "send_round", "WrongStage"),
    ("opinions", "close_round", "ok drafting"),
    ("opinions", "open_comment", "WrongStage"),
    ("opinions", "submit_for_review", "WrongStage"),
    ("opinions", "submit_for_approval", "WrongStage"),
    ("opinions", "countersign", "WrongStage"),
    ("opinions", "approve", "WrongStage"),
    ("opinions", "publish", "WrongStage"),
    ("opinions", "return_to_drafting", "ok drafting"),
    ("opinions", "return_to_opinions", "NotEarlier"),
    ("opinions", "return_without_reason", "MissingReason"),
    ("opinions", "withdraw", "ok withdrawn"),
    ("opinions", "withdraw_without_reason", "MissingReason"),
    ("opinions", "transfer", "ok opinions 1"),
    ("opinions", "urge", "ok opinions 1"),
    //
    ("public comment", "send_round", "WrongStage"),
    ("public comment", "close_round", "WrongStage"),
    ("public comment", "open_comment", "WrongStage"),
    ("public comment", "submit_for_review", "ok legal_review"),
    ("public comment", "submit_for_approval", "WrongStage"),
    ("public comment", "countersign", "WrongStage"),
    ("public comment", "approve", "WrongStage"),
    ("public comment", "publish", "WrongStage"),
    ("public comment", "return_to_drafting", "ok drafting"),
    ("public comment", "return_to_opinions", "ok opinions 2"),
    ("public comment", "return_without_reason", "MissingReason"),
    ("public comment", "withdraw", "ok withdrawn"),
    ("public comment", "withdraw_without_reason", "MissingReason"),
    ("public comment", "transfer", "ok public_comment"),
    ("public comment", "urge", "WrongStage"),
    //
    ("legal review", "send_round", "WrongStage"),
    ("legal review", "close_round", "WrongStage"),
    ("legal review", "open_comment", "WrongStage"),
    ("legal review", "submit_for_review", "WrongStage"),
    ("legal review", "submit_for_approval", "ok approval"),
    ("legal review", "countersign", "WrongStage"),
    ("legal review", "approve", "WrongStage"),
    ("legal review", "publish", "WrongStage"),
    ("legal review", "return_to_drafting", "ok drafting"),
    ("legal review", "return_to_opinions", "ok opinions 2"),
    ("legal review", "return_without_reason", "MissingReason"),
    ("legal review", "withdraw", "ok withdrawn"),
    ("legal review", "withdraw_without_reason", "MissingReason"),
    ("legal review", "transfer", "ok legal_review"),
    ("legal review", "urge", "WrongStage"),
    //
    ("approval", "send_round", "WrongStage"),
    ("approval", "close_round", "WrongStage"),
    ("approval", "open_comment", "WrongStage"),
    ("approval", "submit_for_review", "WrongStage"),
    ("approval", "submit_for_approval", "WrongStage"),
    ("approval", "countersign", "ok approval"),
    ("approval", "approve", "MissingCountersignatures 1"),
    ("approval", "publish", "WrongStage"),
    ("approval", "return_to_drafting", "ok drafting"),
    ("approval", "return_to_opinions", "ok opinions 2"),
    ("approval", "return_without_reason", "MissingReason"),
    ("approval", "withdraw", "ok withdrawn"),
    ("approval", "withdraw_without_reason", "MissingReason"),
    ("approval", "transfer", "ok approval"),
    ("approval", "urge", "WrongStage"),
    //
    ("approval countersigned", "send_round", "WrongStage"),
    ("approval countersigned", "close_round", "WrongStage"),
    ("approval countersigned", "open_comment", "WrongStage"),
    ("approval countersigned", "submit_for_review", "WrongStage"),
    ("approval countersigned", "submit_for_approval", "WrongStage"),
    ("approval countersigned", "countersign", "NotACountersigner"),
    ("approval countersigned", "approve", "ok approved"),
    ("approval countersigned", "publish", "WrongStage"),
    ("approval countersigned", "return_to_drafting", "ok drafting"),
    ("approval countersigned", "return_to_opinions", "ok opinions 2"),
    ("approval countersigned", "return_without_reason", "MissingReason"),
    ("approval countersigned", "withdraw", "ok withdrawn"),
    ("approval countersigned", "withdraw_without_reason", "MissingReason"),
    ("approval countersigned", "transfer", "ok approval"),
    ("approval countersigned", "urge", "WrongStage"),
    //
    ("approved", "send_round", "WrongStage"),
    ("approved", "close_round", "WrongStage"),
    ("approved", "open_comment", "WrongStage"),
    ("approved", "submit_for_review", "WrongStage"),
    ("approved", "submit_for_approval", "WrongStage"),
    ("approved", "countersign", "WrongStage"),
    ("approved", "approve", "WrongStage"),
    ("approved", "publish", "ok published"),
    ("approved", "return_to_drafting", "ok drafting"),
    ("approved", "return_to_opinions", "ok opinions 2"),
    ("approved", "return_without_reason", "MissingReason"),
    ("approved", "withdraw", "ok withdrawn"),
    ("approved", "withdraw_without_reason", "MissingReason"),
    ("approved", "transfer", "ok approved"),
    ("approved", "urge", "WrongStage"),
    //
    ("published", "send_round", "WrongStage"),
    ("published", "close_round", "WrongStage"),
    ("published", "open_comment", "WrongStage"),
    ("published", "submit_for_review", "WrongStage"),
    ("published", "submit_for_approval", "WrongStage"),
    ("published", "countersign", "WrongStage"),
    ("published", "approve", "WrongStage"),
    ("published", "publish", "WrongStage"),
    ("published", "return_to_drafting", "WrongStage"),
    ("published", "return_to_opinions", "WrongStage"),
    ("published", "return_without_reason", "MissingReason"),
    ("published", "withdraw", "WrongStage"),
    ("published", "withdraw_without_reason", "MissingReason"),
    ("published", "transfer", "WrongStage"),
    ("published", "urge", "WrongStage"),
    //
    ("withdrawn", "send_round", "WrongStage"),
    ("withdrawn", "close_round", "WrongStage"),
    ("withdrawn", "open_comment", "WrongStage"),
    ("withdrawn", "submit_for_review", "WrongStage"),
    ("withdrawn", "submit_for_approval", "WrongStage"),
    ("withdrawn", "countersign", "WrongStage"),
    ("withdrawn", "approve", "WrongStage"),
    ("withdrawn", "publish", "WrongStage"),
    ("withdrawn", "return_to_drafting", "WrongStage"),
    ("withdrawn", "return_to_opinions", "WrongStage"),
    ("withdrawn", "return_without_reason", "MissingReason"),
    ("withdrawn", "withdraw", "WrongStage"),
    ("withdrawn", "withdraw_without_reason", "MissingReason"),
    ("withdrawn", "transfer", "WrongStage"),
    ("withdrawn", "urge", "WrongStage"),
];

/// Every stage of the table, with the legal steps that reach it.
const STAGES: &[&str] = &[
    "drafting",
    "drafting after a round",
    "drafting after the last round",
    "opinions",
    "public comment",
    "legal review",
    "approval",
    "approval countersigned",
    "approved",
    "published",
    "withdrawn",
];

/// Every operation of the table, with the `Operation` a wrong-stage refusal names.
const ACTIONS: &[(&str, Operation)] = &[
    ("send_round", Operation::SendRound),
    ("close_round", Operation::CloseRound),
    ("open_comment", Operation::OpenComment),
    ("submit_for_review", Operation::SubmitForReview),
    ("submit_for_approval", Operation::SubmitForApproval),
    ("countersign", Operation::Countersign),
    ("approve", Operation::Approve),
    ("publish", Operation::Publish),
    ("return_to_drafting", Operation::Return),
    ("return_to_opinions", Operation::Return),
    ("return_without_reason", Operation::Return),
    ("withdraw", Operation::Withdraw),
    ("withdraw_without_reason", Operation::Withdraw),
    ("transfer", Operation::Transfer),
    ("urge", Operation::Urge),
];

const MAX_ROUNDS: u8 = 3;
const REASON: &str = "理由";

fn who() -> Actor {
    Actor { by: user(1), at: at(2026, 3, 2) }
}

/// A round just sent: nothing to resolve, units 2 and 3 yet to reply.
fn round(number: u8) -> OpinionRound {
    let cal = WorkCalendar::parse(HOLIDAYS).expect("the fixture calendar parses");
    OpinionRound::open(number, [unit(2), unit(3)], d(2026, 3, 2), 5, &cal)
}

fn passed_review() -> LegalReview {
    let laws = LawRegistry::new([]);
    let known = HashSet::new();
    let ctx = ReviewContext {
        laws: &laws,
        known_units: &known,
        effective_on: d(2026, 6, 1),
        grants: &[],
    };
    LegalReview::start(&[], &ctx)
}

fn approval() -> Approval {
    Approval {
        meeting: "县委编委2026年第2次会议".into(),
        decided_on: d(2026, 5, 20),
        doc_no: DocNo::parse("某编〔2026〕12号").expect("valid document number"),
    }
}

/// A change set (unit 5 must countersign) driven to `stage` through legal steps.
fn flow_at(stage: &str) -> Flow {
    let mut flow = Flow::new(unit(9), MAX_ROUNDS, BTreeSet::from([unit(5)]));
    drive(&mut flow, stage).unwrap_or_else(|e| panic!("cannot reach {stage:?}: {e}"));
    flow
}

fn one_round(flow: &mut Flow) -> Result<(), FlowError> {
    let n = flow.send_round(who())?;
    flow.close_round(&round(n), who())
}

fn drive(flow: &mut Flow, stage: &str) -> Result<(), FlowError> {
    match stage {
        "drafting" => return Ok(()),
        "drafting after a round" => return one_round(flow),
        "drafting after the last round" => {
            return (0..MAX_ROUNDS).try_for_each(|_| one_round(flow));
        }
        "opinions" => return flow.send_round(who()).map(|_| ()),
        "public comment" => {
            one_round(flow)?;
            return flow.open_comment(who());
        }
        "withdrawn" => return flow.withdraw(REASON, who()),
        _ => {}
    }
    one_round(flow)?;
    flow.submit_for_review(None, d(2026, 3, 10), who())?;
    if stage == "legal review" {
        return Ok(());
    }
    flow.submit_for_approval(&passed_review(), who())?;
    if stage == "approval" {
        return Ok(());
    }
    flow.countersign(unit(5), who())?;
    if stage == "approval countersigned" {
        return Ok(());
    }
    flow.approve(approval(), who())?;
    if stage == "approved" {
        return Ok(());
    }
    assert_eq!(stage, "published", "unknown stage {stage:?}");
    flow.publish(who())
}

fn apply(flow: &mut Flow, action: &str) -> Result<(), FlowError> {
    let n = flow.rounds_sent;
    match action {
        "send_round" => flow.send_round(who()).map(|_| ()),
        "close_round" => flow.close_round(&round(n), who()),
        "open_comment" => flow.open_comment(who()),
        "submit_for_review" => flow.submit_for_review(None, d(2026, 3, 10), who()),
        "submit_for_approval" => flow.submit_for_approval(&passed_review(), who()),
        "countersign" => flow.countersign(unit(5), who()),
        "approve" => flow.approve(approval(), who()),
        "publish" => flow.publish(who()),
        "return_to_drafting" => flow.return_to(Stage::Drafting, REASON, who()),
        "return_to_opinions" => flow.return_to(Stage::Opinions { round: 1 }, REASON, who()),
        "return_without_reason" => flow.return_to(Stage::Drafting, " ", who()),
        "withdraw" => flow.withdraw(REASON, who()),
        "withdraw_without_reason" => flow.withdraw("", who()),
        "transfer" => flow.transfer(unit(8), REASON, who()),
        "urge" => flow.urge(&round(n), who()).map(|_| ()),
        other => panic!("unknown action {other:?}"),
    }
}

fn stage_text(stage: Stage) -> String {
    match stage {
        Stage::Drafting => "drafting".into(),
        Stage::Opinions { round } => format!("opinions {round}"),
        Stage::PublicComment => "public_comment".into(),
        Stage::LegalReview => "legal_review".into(),
        Stage::Approval => "approval".into(),
        Stage::Approved => "approved".into(),
        Stage::Published => "published".into(),
        Stage::Withdrawn => "withdrawn".into(),
    }
}

/// The outcome as the table writes it; anything off (a refusal that changed the flow, a step
/// not recorded, a wrong-stage refusal naming another operation or stage) is spelled out so
/// it cannot match.
fn outcome(stage: &str, action: &str, op: Operation) -> String {
    let before = flow_at(stage);
    let mut flow = before.clone();
    match apply(&mut flow, action) {
        Ok(()) => {
            let recorded = flow.history.len() == before.history.len() + 1
                && flow.history.last().is_some_and(|s| {
                    s.from == before.stage && s.to == flow.stage && s.verb.operation() == op
                });
            if recorded {
                format!("ok {}", stage_text(flow.stage))
            } else {
                format!("ok {} but the step is not recorded", stage_text(flow.stage))
            }
        }
        Err(_) if flow != before => "refused but changed".into(),
        Err(FlowError::WrongStage { op: named, stage: at })
            if named == op && at == before.stage =>
        {
            "WrongStage".into()
        }
        Err(FlowError::TooManyRounds { next, max }) => format!("TooManyRounds {next}>{max}"),
        Err(FlowError::MissingCountersignatures(units)) => {
            format!("MissingCountersignatures {}", units.len())
        }
        Err(FlowError::NoRoundYet) => "NoRoundYet".into(),
        Err(FlowError::NotACountersigner(_)) => "NotACountersigner".into(),
        Err(FlowError::MissingReason) => "MissingReason".into(),
        Err(FlowError::NotEarlier { from, .. }) if from == before.stage => "NotEarlier".into(),
        Err(other) => format!("{other:?}"),
    }
}

#[test]
fn every_stage_and_operation() {
    let mut failures = Vec::new();
    for &stage in STAGES {
        for &(action, op) in ACTIONS {
            let expected: Vec<&str> = EXPECTED
                .iter()
                .filter(|(s, a, _)| *s == stage && *a == action)
                .map(|(_, _, outcome)| *outcome)
                .collect();
            let got = outcome(stage, action, op);
            if expected != [got.as_str()] {
                failures.push(format!("{stage} × {action}: expected {expected:?}, got {got:?}"));
            }
        }
    }
    // No row of the table names a stage or an operation the walk above does not cover.
    for (stage, action, _) in EXPECTED {
        if !STAGES.contains(stage) || !ACTIONS.iter().any(|(a, _)| a == action) {
            failures.push(format!("{stage} × {action}: not a stage and operation of the table"));
        }
    }
    assert!(failures.is_empty(), "{} cell(s) differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_stages_reached_are_the_ones_named() {
    let reached: Vec<String> = STAGES.iter().map(|s| stage_text(flow_at(s).stage)).collect();
    assert_eq!(
        reached,
        [
            "drafting",
            "drafting",
            "drafting",
            "opinions 1",
            "public_comment",
            "legal_review",
            "approval",
            "approval",
            "approved",
            "published",
            "withdrawn",
        ]
    );
}
