//! The workflow of a change set (调整方案): drafting, opinion rounds (三上三下), the public
//! comment period (公示), legality review, approval and publication, with the approval verbs
//! — 退回, 撤回, 会签, 转办, 催办 — as recorded operations. Pure: the caller passes the clock,
//! the rounds and the review, and stores what comes back.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};

use crate::ids::{UnitId, UserId};
use crate::list::DocNo;
use crate::opinion::{CommentPeriod, OpinionRound};
use crate::review::{LegalReview, ReviewOutcome};

/// 方案状态 — where a change set stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Stage {
    /// 起草.
    Drafting,
    /// 征求意见 — round `round` is out.
    Opinions {
        /// 1, 2, 3 …
        round: u8,
    },
    /// 公示.
    PublicComment,
    /// 合法性审查.
    LegalReview,
    /// 审定 — awaiting the leading body's decision and the countersignatures.
    Approval,
    /// 已批准 — approved, not yet published.
    Approved,
    /// 已公布.
    Published,
    /// 已撤回.
    Withdrawn,
}

impl Stage {
    /// The Chinese label.
    pub fn zh(self) -> String {
        match self {
            Stage::Drafting => "起草".into(),
            Stage::Opinions { round } => format!("第{round}轮征求意见"),
            Stage::PublicComment => "公示".into(),
            Stage::LegalReview => "合法性审查".into(),
            Stage::Approval => "审定".into(),
            Stage::Approved => "已批准".into(),
            Stage::Published => "已公布".into(),
            Stage::Withdrawn => "已撤回".into(),
        }
    }

    /// Whether this is a step before the legality review (a return there discards the review).
    pub fn is_before_review(self) -> bool {
        self.rank() < 3
    }

    /// The order of the steps, for "return to an earlier step" (withdrawn is last, so it is
    /// never an earlier step).
    fn rank(self) -> u8 {
        match self {
            Stage::Drafting => 0,
            Stage::Opinions { .. } => 1,
            Stage::PublicComment => 2,
            Stage::LegalReview => 3,
            Stage::Approval => 4,
            Stage::Approved => 5,
            Stage::Published => 6,
            Stage::Withdrawn => 7,
        }
    }
}

/// 审定记录 — the leading body's approval.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Approval {
    /// The meeting (e.g. 县委编委第3次会议).
    pub meeting: String,
    /// The day it decided.
    pub decided_on: NaiveDate,
    /// The document number it was issued under.
    pub doc_no: DocNo,
}

/// 办理操作 — an [`Operation`] as recorded in a [`Step`], with the data it needs to be read
/// back (which unit countersigned, to whom it was transferred, who was urged).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "verb", rename_all = "snake_case")]
pub enum StepAction {
    /// A round of opinions sent down.
    SendRound,
    /// The open round closed.
    CloseRound,
    /// The public comment period opened.
    OpenComment,
    /// Sent to legality review.
    SubmitForReview,
    /// Sent to the leading body after the review passed.
    SubmitForApproval,
    /// 会签 — a unit signed.
    Countersign {
        /// The unit.
        unit: UnitId,
    },
    /// 审定.
    Approve,
    /// 公布.
    Publish,
    /// 退回 — back to an earlier step.
    Return,
    /// 撤回.
    Withdraw,
    /// 转办 — handled by another unit from now on.
    Transfer {
        /// The new handling unit.
        to: UnitId,
    },
    /// 催办 — units with pending tasks were urged.
    Urge {
        /// The units urged.
        units: BTreeSet<UnitId>,
    },
}

/// 办理记录 — who did what, when, from which step to which, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// The operation.
    pub verb: StepAction,
    /// Who.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// The stage before.
    pub from: Stage,
    /// The stage after.
    pub to: Stage,
    /// The reason (required to return or withdraw).
    pub reason: String,
}

/// 操作 — the operations on a change set: the one list of its workflow verbs, named in
/// refusals. [`StepAction`] records one in a step; the service's `ChangeSetCommand` requests
/// one with its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// 发起征求意见.
    SendRound,
    /// 结束本轮征求意见.
    CloseRound,
    /// 反馈意见.
    Reply,
    /// 办理意见.
    Resolve,
    /// 发起公示.
    OpenComment,
    /// 提交公众意见.
    Comment,
    /// 答复公众意见.
    Answer,
    /// 修改调整内容.
    Revise,
    /// 提交合法性审查.
    SubmitForReview,
    /// 审查结论.
    Verdict,
    /// 提请审定.
    SubmitForApproval,
    /// 会签.
    Countersign,
    /// 审定.
    Approve,
    /// 公布.
    Publish,
    /// 退回.
    Return,
    /// 撤回.
    Withdraw,
    /// 转办.
    Transfer,
    /// 催办.
    Urge,
}

impl StepAction {
    /// The operation this step recorded.
    pub fn operation(&self) -> Operation {
        match self {
            StepAction::SendRound => Operation::SendRound,
            StepAction::CloseRound => Operation::CloseRound,
            StepAction::OpenComment => Operation::OpenComment,
            StepAction::SubmitForReview => Operation::SubmitForReview,
            StepAction::SubmitForApproval => Operation::SubmitForApproval,
            StepAction::Countersign { .. } => Operation::Countersign,
            StepAction::Approve => Operation::Approve,
            StepAction::Publish => Operation::Publish,
            StepAction::Return => Operation::Return,
            StepAction::Withdraw => Operation::Withdraw,
            StepAction::Transfer { .. } => Operation::Transfer,
            StepAction::Urge { .. } => Operation::Urge,
        }
    }
}

impl Operation {
    /// The English name, for logs.
    pub fn en(self) -> &'static str {
        match self {
            Operation::SendRound => "send a round",
            Operation::CloseRound => "close a round",
            Operation::Reply => "reply",
            Operation::Resolve => "resolve an opinion",
            Operation::OpenComment => "open the comment period",
            Operation::Comment => "comment",
            Operation::Answer => "answer a comment",
            Operation::Revise => "revise the changes",
            Operation::SubmitForReview => "submit for review",
            Operation::Verdict => "record a verdict",
            Operation::SubmitForApproval => "submit for approval",
            Operation::Countersign => "countersign",
            Operation::Approve => "approve",
            Operation::Publish => "publish",
            Operation::Return => "return",
            Operation::Withdraw => "withdraw",
            Operation::Transfer => "transfer",
            Operation::Urge => "urge",
        }
    }

    /// The Chinese name, for end users.
    pub fn zh(self) -> &'static str {
        match self {
            Operation::SendRound => "发起征求意见",
            Operation::CloseRound => "结束本轮征求意见",
            Operation::Reply => "反馈意见",
            Operation::Resolve => "办理意见",
            Operation::OpenComment => "发起公示",
            Operation::Comment => "提交公众意见",
            Operation::Answer => "答复公众意见",
            Operation::Revise => "修改调整内容",
            Operation::SubmitForReview => "提交合法性审查",
            Operation::Verdict => "作出审查结论",
            Operation::SubmitForApproval => "提请审定",
            Operation::Countersign => "会签",
            Operation::Approve => "审定",
            Operation::Publish => "公布",
            Operation::Return => "退回",
            Operation::Withdraw => "撤回",
            Operation::Transfer => "转办",
            Operation::Urge => "催办",
        }
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.en())
    }
}

/// Why an operation was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    /// The operation does not apply at this stage.
    #[error("cannot {op} while the change set is at {stage:?}")]
    WrongStage {
        /// What was asked.
        op: Operation,
        /// Where the change set is.
        stage: Stage,
    },
    /// The draft has not been sent for opinions yet (公示 and review come after a round).
    #[error("no round of opinions has been sent yet")]
    NoRoundYet,
    /// One more round would pass the maximum.
    #[error("round {next} is beyond the maximum of {max} rounds")]
    TooManyRounds {
        /// The round asked for.
        next: u8,
        /// The maximum.
        max: u8,
    },
    /// Opinions of the round are unresolved.
    #[error("{0} opinion(s) of the round are unresolved")]
    UnresolvedOpinions(usize),
    /// Comments of the public comment period are unanswered.
    #[error("{0} public comment(s) are unanswered")]
    UnansweredComments(usize),
    /// The comment period has not ended.
    #[error("the comment period runs until {0}")]
    CommentPeriodOpen(NaiveDate),
    /// The legality review has not passed.
    #[error("the legality review has not passed: {0:?}")]
    ReviewNotPassed(ReviewOutcome),
    /// Units required to countersign have not.
    #[error("{} unit(s) have not countersigned", .0.len())]
    MissingCountersignatures(BTreeSet<UnitId>),
    /// The unit is not asked to countersign, or signed already.
    #[error("unit {0} is not due to countersign")]
    NotACountersigner(UnitId),
    /// Returning or withdrawing needs a reason.
    #[error("a reason is required")]
    MissingReason,
    /// A return must go to an earlier step.
    #[error("{to:?} is not an earlier step than {from:?}")]
    NotEarlier {
        /// Where the change set is.
        from: Stage,
        /// Where it was asked to go.
        to: Stage,
    },
    /// Nobody to urge: no task is pending.
    #[error("no unit has a pending task to urge")]
    NothingToUrge,
}

impl FlowError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            FlowError::WrongStage { op, stage } => {
                format!("调整方案处于“{}”阶段，不能{}", stage.zh(), op.zh())
            }
            FlowError::NoRoundYet => "尚未征求意见：请先发起第一轮征求意见".into(),
            FlowError::TooManyRounds { next, max } => {
                format!("征求意见最多{max}轮，不能开启第{next}轮")
            }
            FlowError::UnresolvedOpinions(n) => format!("本轮尚有{n}条意见未办理，不能结束本轮"),
            FlowError::UnansweredComments(n) => format!("公示期尚有{n}条公众意见未答复"),
            FlowError::CommentPeriodOpen(until) => format!("公示期至{until}，尚未结束"),
            FlowError::ReviewNotPassed(outcome) => match outcome {
                ReviewOutcome::Rejected { rejected } => {
                    format!("合法性审查未通过：{rejected}个事项被驳回")
                }
                ReviewOutcome::Incomplete { missing } => {
                    format!("合法性审查未完成：{missing}个事项尚无审查结论")
                }
                ReviewOutcome::Passed => "合法性审查已通过".into(),
            },
            FlowError::MissingCountersignatures(units) => {
                format!("尚有{}个单位未会签", units.len())
            }
            FlowError::NotACountersigner(unit) => format!("单位{unit}不在会签范围内或已会签"),
            FlowError::MissingReason => "退回或撤回须说明理由".into(),
            FlowError::NotEarlier { from, to } => {
                format!("只能退回到“{}”之前的环节，“{}”不是", from.zh(), to.zh())
            }
            FlowError::NothingToUrge => "没有待反馈的单位，无需催办".into(),
        }
    }
}

/// 调整方案流程 — the workflow state of one change set and every operation on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flow {
    /// Where it stands.
    pub stage: Stage,
    /// The most opinion rounds allowed (3 by default: 三上三下).
    pub max_rounds: u8,
    /// Rounds sent so far.
    pub rounds_sent: u8,
    /// The unit handling it (the staffing office, until transferred).
    pub handler: UnitId,
    /// Units that must countersign before approval (会签).
    pub countersigners: BTreeSet<UnitId>,
    /// Units that have.
    pub countersigned: BTreeSet<UnitId>,
    /// The approval, once given.
    pub approval: Option<Approval>,
    /// Every operation, oldest first.
    pub history: Vec<Step>,
}

/// Who acts and when.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    /// Who.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

impl Flow {
    /// A new change set in drafting, handled by `handler`.
    pub fn new(handler: UnitId, max_rounds: u8, countersigners: BTreeSet<UnitId>) -> Flow {
        Flow {
            stage: Stage::Drafting,
            max_rounds,
            rounds_sent: 0,
            handler,
            countersigners,
            countersigned: BTreeSet::new(),
            approval: None,
            history: Vec::new(),
        }
    }

    fn step(&mut self, verb: StepAction, to: Stage, who: Actor, reason: &str) {
        self.history.push(Step {
            verb,
            by: who.by,
            at: who.at,
            from: self.stage,
            to,
            reason: reason.to_owned(),
        });
        self.stage = to;
    }

    fn expect(&self, op: Operation, ok: bool) -> Result<(), FlowError> {
        if ok { Ok(()) } else { Err(FlowError::WrongStage { op, stage: self.stage }) }
    }

    /// Refuses `op` unless the change set is at one of the given stages (for the operations
    /// on rounds, comments and the review kept beside the flow).
    pub fn require(&self, op: Operation, ok: impl FnOnce(Stage) -> bool) -> Result<(), FlowError> {
        self.expect(op, ok(self.stage))
    }

    /// Sends the next round of opinions down (from drafting, or straight after a round).
    pub fn send_round(&mut self, who: Actor) -> Result<u8, FlowError> {
        self.expect(Operation::SendRound, self.stage == Stage::Drafting)?;
        let next = self.rounds_sent + 1;
        if next > self.max_rounds {
            return Err(FlowError::TooManyRounds { next, max: self.max_rounds });
        }
        self.rounds_sent = next;
        self.step(StepAction::SendRound, Stage::Opinions { round: next }, who, "");
        Ok(next)
    }

    /// Closes the open round once every opinion in it is resolved; the draft is revised next.
    pub fn close_round(&mut self, round: &OpinionRound, who: Actor) -> Result<(), FlowError> {
        self.expect(Operation::CloseRound, matches!(self.stage, Stage::Opinions { .. }))?;
        let open = round.unresolved().count();
        if open > 0 {
            return Err(FlowError::UnresolvedOpinions(open));
        }
        self.step(StepAction::CloseRound, Stage::Drafting, who, "");
        Ok(())
    }

    /// Opens the public comment period on the draft (after at least one round).
    pub fn open_comment(&mut self, who: Actor) -> Result<(), FlowError> {
        self.expect(Operation::OpenComment, self.stage == Stage::Drafting)?;
        if self.rounds_sent == 0 {
            return Err(FlowError::NoRoundYet);
        }
        self.step(StepAction::OpenComment, Stage::PublicComment, who, "");
        Ok(())
    }

    /// Sends the draft to legality review: from drafting after at least one round, or from
    /// the comment period once it has ended and every comment is answered.
    pub fn submit_for_review(
        &mut self,
        comments: Option<&CommentPeriod>,
        today: NaiveDate,
        who: Actor,
    ) -> Result<(), FlowError> {
        match self.stage {
            Stage::Drafting if self.rounds_sent > 0 => {}
            Stage::Drafting => return Err(FlowError::NoRoundYet),
            Stage::PublicComment => {
                if let Some(period) = comments {
                    if today <= period.until {
                        return Err(FlowError::CommentPeriodOpen(period.until));
                    }
                    let open = period.unanswered().count();
                    if open > 0 {
                        return Err(FlowError::UnansweredComments(open));
                    }
                }
            }
            _ => {
                return Err(FlowError::WrongStage {
                    op: Operation::SubmitForReview,
                    stage: self.stage,
                });
            }
        }
        self.step(StepAction::SubmitForReview, Stage::LegalReview, who, "");
        Ok(())
    }

    /// Sends the change set to the leading body once the review has passed.
    pub fn submit_for_approval(
        &mut self,
        review: &LegalReview,
        who: Actor,
    ) -> Result<(), FlowError> {
        self.expect(Operation::SubmitForApproval, self.stage == Stage::LegalReview)?;
        match review.outcome() {
            ReviewOutcome::Passed => {}
            other => return Err(FlowError::ReviewNotPassed(other)),
        }
        self.step(StepAction::SubmitForApproval, Stage::Approval, who, "");
        Ok(())
    }

    /// 会签 — one required unit signs.
    pub fn countersign(&mut self, unit: UnitId, who: Actor) -> Result<(), FlowError> {
        self.expect(Operation::Countersign, self.stage == Stage::Approval)?;
        if !self.countersigners.contains(&unit) || self.countersigned.contains(&unit) {
            return Err(FlowError::NotACountersigner(unit));
        }
        self.countersigned.insert(unit);
        self.step(StepAction::Countersign { unit }, Stage::Approval, who, "");
        Ok(())
    }

    /// 审定 — records the approval once every required unit has countersigned.
    pub fn approve(&mut self, approval: Approval, who: Actor) -> Result<(), FlowError> {
        self.expect(Operation::Approve, self.stage == Stage::Approval)?;
        let missing: BTreeSet<UnitId> =
            self.countersigners.difference(&self.countersigned).copied().collect();
        if !missing.is_empty() {
            return Err(FlowError::MissingCountersignatures(missing));
        }
        self.approval = Some(approval);
        self.step(StepAction::Approve, Stage::Approved, who, "");
        Ok(())
    }

    /// 公布 — marks the approved change set published (the caller publishes the versions in
    /// the same transaction).
    pub fn publish(&mut self, who: Actor) -> Result<(), FlowError> {
        self.expect(Operation::Publish, self.stage == Stage::Approved)?;
        self.step(StepAction::Publish, Stage::Published, who, "");
        Ok(())
    }

    /// 退回 — back to an earlier step, with the reason. Returning to an opinion round sends a
    /// new round (within the maximum); countersignatures are cleared, as the text may change.
    pub fn return_to(&mut self, to: Stage, reason: &str, who: Actor) -> Result<(), FlowError> {
        if reason.trim().is_empty() {
            return Err(FlowError::MissingReason);
        }
        self.expect(Operation::Return, !matches!(self.stage, Stage::Published | Stage::Withdrawn))?;
        if to.rank() >= self.stage.rank() {
            return Err(FlowError::NotEarlier { from: self.stage, to });
        }
        let to = match to {
            Stage::Opinions { .. } => {
                let next = self.rounds_sent + 1;
                if next > self.max_rounds {
                    return Err(FlowError::TooManyRounds { next, max: self.max_rounds });
                }
                self.rounds_sent = next;
                Stage::Opinions { round: next }
            }
            other => other,
        };
        self.countersigned.clear();
        self.approval = None;
        self.step(StepAction::Return, to, who, reason);
        Ok(())
    }

    /// 撤回 — withdraws the change set for good, with the reason.
    pub fn withdraw(&mut self, reason: &str, who: Actor) -> Result<(), FlowError> {
        if reason.trim().is_empty() {
            return Err(FlowError::MissingReason);
        }
        self.expect(
            Operation::Withdraw,
            !matches!(self.stage, Stage::Published | Stage::Withdrawn),
        )?;
        self.step(StepAction::Withdraw, Stage::Withdrawn, who, reason);
        Ok(())
    }

    /// 转办 — another unit handles the change set from now on.
    pub fn transfer(&mut self, to: UnitId, reason: &str, who: Actor) -> Result<(), FlowError> {
        self.expect(
            Operation::Transfer,
            !matches!(self.stage, Stage::Published | Stage::Withdrawn),
        )?;
        self.handler = to;
        let stage = self.stage;
        self.step(StepAction::Transfer { to }, stage, who, reason);
        Ok(())
    }

    /// 催办 — urges the units of the open round that have not replied (due or overdue).
    pub fn urge(
        &mut self,
        round: &OpinionRound,
        who: Actor,
    ) -> Result<BTreeSet<UnitId>, FlowError> {
        self.expect(Operation::Urge, matches!(self.stage, Stage::Opinions { .. }))?;
        let units: BTreeSet<UnitId> =
            round.tasks.iter().filter(|t| t.replied_at.is_none()).map(|t| t.unit).collect();
        if units.is_empty() {
            return Err(FlowError::NothingToUrge);
        }
        let stage = self.stage;
        self.step(StepAction::Urge { units: units.clone() }, stage, who, "");
        Ok(units)
    }
}

#[cfg(test)]
mod table_tests;
#[cfg(test)]
mod tests;
