//! Change sets (调整方案, issue 4 §1–4): drafting a revision of one or more lists, the opinion
//! rounds (三上三下), the public comment period (公示), the legality review, countersigned
//! approval and the publication of every affected list in one transaction.
//!
//! Every operation loads the change set, applies one pure operation of
//! [`quanze_core::ChangeSet`] and writes it back at the revision it was read at, with one
//! ledger event; a refusal writes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use quanze_core::access::Act;
use quanze_core::access::may_approve_own;
use quanze_core::changeset::{Change, apply_to_list};
use quanze_core::diff::FieldChange;
use quanze_core::opinion::NewOpinion;
use quanze_core::review::{ReviewContext, Verdict};
use quanze_core::schedule::{Ratification, check_comment_period, check_effective_date};
use quanze_core::workflow::{Actor, Approval, Operation, Stage};
use quanze_core::{
    ChangeSet, ChangeSetId, DocNo, DutyKind, ItemContent, ItemId, LawRegistry, ListId, ListScope,
    ListVersion, OpinionId, ProposedChange, ResolutionKind, Stance, UnitId, VersionStatus,
};
use quanze_store::{ChangeSetWrite, DraftWrite, StoredChangeSet};
use rayon::prelude::*;

use crate::Service;
use crate::auth::CurrentUser;
use crate::catalog::Catalog;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::lists::schedule_error;

mod apply;
mod digest;
mod use_cases;

use apply::*;
use digest::changes_commitment;
pub use digest::{ChangesCheck, changes_digest};

/// A proposed change as a client sends it: an added item gets its id here; an amendment or a
/// removal may leave out the version it was written on (the current one is assumed).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeInput {
    /// The list changed.
    #[schema(value_type = String)]
    pub list: ListId,
    /// `add`, `amend` or `remove`.
    pub action: ChangeAction,
    /// The item (amend, remove); for an addition in a revision, the id the draft already gave
    /// it, which it keeps (any other id is replaced by a new one).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub item: Option<ItemId>,
    /// The item version the change was written on (amend, remove; default: the current one).
    #[serde(default)]
    pub base: Option<u32>,
    /// How the list's unit holds an added item (default 自行实施).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub duty: Option<DutyKind>,
    /// The new content (add, amend).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub content: Option<ItemContent>,
    /// 调整理由.
    pub reason: String,
    /// 调整依据.
    pub basis: String,
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    /// 新增.
    Add,
    /// 调整.
    Amend,
    /// 取消.
    Remove,
}

/// A new change set.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChangeSet {
    /// Title.
    pub title: String,
    /// The day the new versions take effect.
    pub effective_on: NaiveDate,
    /// The changes.
    pub changes: Vec<ChangeInput>,
    /// Units that must countersign before approval (会签).
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub countersigners: Vec<UnitId>,
    /// 追认理由 — required when `effective_on` is before today.
    #[serde(default)]
    pub ratification: Option<String>,
}

/// One opinion in a unit's reply.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionInput {
    /// The item; none for the change set as a whole.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub item: Option<ItemId>,
    /// `agree`, `amend` (with `proposed`) or `object`.
    pub stance: StanceKind,
    /// The proposed wording of an amendment.
    #[serde(default)]
    pub proposed: Option<String>,
    /// Why (required to amend or object).
    #[serde(default)]
    pub reason: String,
}

/// One verdict of a reviewer's table.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictInput {
    /// The item.
    #[schema(value_type = String)]
    pub item: ItemId,
    /// Pass, or reject with a reason.
    pub pass: bool,
    /// Why it is rejected.
    #[serde(default)]
    pub reason: String,
}

/// 意见类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StanceKind {
    /// 同意.
    Agree,
    /// 修改.
    Amend,
    /// 反对.
    Object,
}

/// 办理请求 — a request to perform one [`Operation`] on a change set, with its input (the
/// body of `POST /api/v1/change-sets/{id}/actions`).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChangeSetCommand {
    /// Replace the changes (drafting only).
    Revise {
        /// The new changes.
        changes: Vec<ChangeInput>,
    },
    /// 征求意见 — send the next round (to `units`, or to every affected unit).
    SendRound {
        /// Units asked; default: every unit the changes affect.
        #[serde(default)]
        #[schema(value_type = Option<Vec<String>>)]
        units: Option<Vec<UnitId>>,
        /// Working days to reply (default from the settings).
        #[serde(default)]
        working_days: Option<u32>,
    },
    /// A unit's reply to the open round.
    Reply {
        /// The replying unit.
        #[schema(value_type = String)]
        unit: UnitId,
        /// Its opinions (none: 无意见).
        opinions: Vec<OpinionInput>,
    },
    /// The staffing office resolves an opinion.
    Resolve {
        /// The opinion.
        #[schema(value_type = String)]
        opinion: OpinionId,
        /// adopted, partly_adopted, not_adopted.
        #[schema(value_type = String)]
        kind: ResolutionKind,
        /// Why (required unless adopted).
        #[serde(default)]
        reason: String,
    },
    /// Close the open round.
    CloseRound,
    /// 催办 the units that have not replied.
    Urge,
    /// 公示 — open the public comment period until the given day.
    OpenComment {
        /// The last day comments are received.
        until: NaiveDate,
    },
    /// Answer a public comment.
    Answer {
        /// The comment.
        #[schema(value_type = String)]
        comment: OpinionId,
        /// adopted, partly_adopted, not_adopted.
        #[schema(value_type = String)]
        kind: ResolutionKind,
        /// The answer.
        text: String,
    },
    /// Send to legality review (runs the automatic checks).
    SubmitForReview,
    /// The reviewer's verdict on one item.
    Verdict {
        /// The item.
        #[schema(value_type = String)]
        item: ItemId,
        /// Pass, or reject with a reason.
        pass: bool,
        /// Why it is rejected.
        #[serde(default)]
        reason: String,
    },
    /// The reviewer's verdicts on many items at once (all or none).
    Verdicts {
        /// One verdict per item.
        verdicts: Vec<VerdictInput>,
    },
    /// 提请审定.
    SubmitForApproval,
    /// 会签 for a unit.
    Countersign {
        /// The unit signing.
        #[schema(value_type = String)]
        unit: UnitId,
    },
    /// 审定.
    Approve {
        /// The meeting.
        meeting: String,
        /// The day it decided.
        decided_on: NaiveDate,
        /// The document number.
        doc_no: String,
    },
    /// 公布 every affected list.
    Publish,
    /// 退回 to an earlier step.
    Return {
        /// drafting, opinions, public_comment, legal_review, approval.
        to: String,
        /// Why.
        reason: String,
    },
    /// 撤回.
    Withdraw {
        /// Why.
        reason: String,
    },
    /// 转办 to another unit.
    Transfer {
        /// The new handling unit.
        #[schema(value_type = String)]
        to: UnitId,
        /// Why.
        #[serde(default)]
        reason: String,
    },
}

impl ChangeSetCommand {
    /// The operation this command requests.
    pub fn operation(&self) -> Operation {
        match self {
            ChangeSetCommand::Revise { .. } => Operation::Revise,
            ChangeSetCommand::SendRound { .. } => Operation::SendRound,
            ChangeSetCommand::Reply { .. } => Operation::Reply,
            ChangeSetCommand::Resolve { .. } => Operation::Resolve,
            ChangeSetCommand::CloseRound => Operation::CloseRound,
            ChangeSetCommand::Urge => Operation::Urge,
            ChangeSetCommand::OpenComment { .. } => Operation::OpenComment,
            ChangeSetCommand::Answer { .. } => Operation::Answer,
            ChangeSetCommand::SubmitForReview => Operation::SubmitForReview,
            ChangeSetCommand::Verdict { .. } | ChangeSetCommand::Verdicts { .. } => {
                Operation::Verdict
            }
            ChangeSetCommand::SubmitForApproval => Operation::SubmitForApproval,
            ChangeSetCommand::Countersign { .. } => Operation::Countersign,
            ChangeSetCommand::Approve { .. } => Operation::Approve,
            ChangeSetCommand::Publish => Operation::Publish,
            ChangeSetCommand::Return { .. } => Operation::Return,
            ChangeSetCommand::Withdraw { .. } => Operation::Withdraw,
            ChangeSetCommand::Transfer { .. } => Operation::Transfer,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            ChangeSetCommand::Revise { .. } => "revised",
            ChangeSetCommand::SendRound { .. } => "round_sent",
            ChangeSetCommand::Reply { .. } => "replied",
            ChangeSetCommand::Resolve { .. } => "opinion_resolved",
            ChangeSetCommand::CloseRound => "round_closed",
            ChangeSetCommand::Urge => "urged",
            ChangeSetCommand::OpenComment { .. } => "comment_opened",
            ChangeSetCommand::Answer { .. } => "comment_answered",
            ChangeSetCommand::SubmitForReview => "submitted_for_review",
            ChangeSetCommand::Verdict { .. } => "verdict",
            ChangeSetCommand::Verdicts { .. } => "verdicts",
            ChangeSetCommand::SubmitForApproval => "submitted_for_approval",
            ChangeSetCommand::Countersign { .. } => "countersigned",
            ChangeSetCommand::Approve { .. } => "approved",
            ChangeSetCommand::Publish => "published",
            ChangeSetCommand::Return { .. } => "returned",
            ChangeSetCommand::Withdraw { .. } => "withdrawn",
            ChangeSetCommand::Transfer { .. } => "transferred",
        }
    }
}

/// One change as shown: the item's name, the list's and the fields an amendment changes.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    /// 1-based position.
    pub index: usize,
    /// The list.
    #[schema(value_type = String)]
    pub list: ListId,
    /// The list's name.
    pub list_name: String,
    /// The item.
    #[schema(value_type = String)]
    pub item: ItemId,
    /// The item's name (new or current).
    pub name: String,
    /// add, amend, remove.
    pub action: &'static str,
    /// 新增, 调整, 取消.
    pub action_zh: &'static str,
    /// Fields an amendment changes.
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldChange>,
    /// 调整理由.
    pub reason: String,
    /// 调整依据.
    pub basis: String,
}

/// A change set with what a reader needs beside it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ChangeSetView {
    /// The whole change set (flow, rounds, comments, review).
    #[schema(value_type = Object)]
    pub set: ChangeSet,
    /// Its revision.
    pub rev: u64,
    /// The stage in Chinese.
    pub stage_zh: String,
    /// The changes, named.
    pub changes: Vec<ChangeView>,
}

/// A change set's workflow after an operation: everything but the changes themselves, which
/// only drafting and revision change (`change_set` lists them, named and diffed). A change set
/// may hold 100,000 changes: answering every step with all of them described cost more than
/// the step.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ChangeSetState {
    /// Id.
    #[schema(value_type = String)]
    pub id: ChangeSetId,
    /// Title.
    pub title: String,
    /// The day the new versions take effect once published.
    pub effective_on: NaiveDate,
    /// Its revision.
    pub rev: u64,
    /// The stage in Chinese.
    pub stage_zh: String,
    /// How many changes it proposes.
    pub changes: usize,
    /// The workflow.
    #[schema(value_type = Object)]
    pub flow: quanze_core::workflow::Flow,
    /// Opinion rounds sent, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub rounds: Vec<quanze_core::OpinionRound>,
    /// The public comment period, once opened.
    #[schema(value_type = Option<Object>)]
    pub comments: Option<quanze_core::CommentPeriod>,
    /// The legality review, once started.
    #[schema(value_type = Option<Object>)]
    pub review: Option<quanze_core::review::LegalReview>,
    /// The list versions it published.
    #[schema(value_type = Vec<String>)]
    pub published: Vec<quanze_core::ListVersionId>,
}

impl ChangeSetState {
    fn of(set: ChangeSet, rev: u64) -> ChangeSetState {
        ChangeSetState {
            stage_zh: set.flow.stage.zh(),
            changes: set.changes.len(),
            id: set.id,
            title: set.title,
            effective_on: set.effective_on,
            rev,
            flow: set.flow,
            rounds: set.rounds,
            comments: set.comments,
            review: set.review,
            published: set.published,
        }
    }
}

/// The outcome of an operation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ActionOutcome {
    /// The change set after it.
    pub change_set: ChangeSetState,
    /// The ledger leaf of the write.
    pub leaf_index: u64,
}
