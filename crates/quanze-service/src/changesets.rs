//! Change sets (调整方案, issue 4 §1–4): drafting a revision of one or more lists, the opinion
//! rounds (三上三下), the public comment period (公示), the legality review, countersigned
//! approval and the publication of every affected list in one transaction.
//!
//! Every operation loads the change set, applies one pure operation of
//! [`quanze_core::ChangeSet`] and writes it back at the revision it was read at, with one
//! ledger event; a refusal writes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use quanze_core::changeset::{Actor, Approval, Stage};
use quanze_core::diff::FieldChange;
use quanze_core::opinion::NewOpinion;
use quanze_core::review::{ReviewContext, Verdict};
use quanze_core::revision::{Change, apply_to_list};
use quanze_core::{
    ChangeSet, ChangeSetId, DocNo, DutyKind, ItemContent, ItemId, LawRegistry, ListId, ListScope,
    ListVersion, OpinionId, ProposedChange, ResolutionKind, Role, Stance, UnitId, VersionStatus,
};
use quanze_store::{ChangeSetWrite, DraftWrite, StoredChangeSet};
use rayon::prelude::*;

use crate::Service;
use crate::auth::CurrentUser;
use crate::catalog::Catalog;
use crate::error::{ErrorCode, ServiceError, ServiceResult};

/// Who drafts and steers change sets: the staffing office.
const DRAFTERS: [Role; 2] = [Role::StaffingEditor, Role::SysAdmin];

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
    /// The item (amend, remove).
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

/// One operation on a change set.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
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

impl Action {
    fn name(&self) -> &'static str {
        match self {
            Action::Revise { .. } => "revised",
            Action::SendRound { .. } => "round_sent",
            Action::Reply { .. } => "replied",
            Action::Resolve { .. } => "opinion_resolved",
            Action::CloseRound => "round_closed",
            Action::Urge => "urged",
            Action::OpenComment { .. } => "comment_opened",
            Action::Answer { .. } => "comment_answered",
            Action::SubmitForReview => "submitted_for_review",
            Action::Verdict { .. } => "verdict",
            Action::Verdicts { .. } => "verdicts",
            Action::SubmitForApproval => "submitted_for_approval",
            Action::Countersign { .. } => "countersigned",
            Action::Approve { .. } => "approved",
            Action::Publish => "published",
            Action::Return { .. } => "returned",
            Action::Withdraw { .. } => "withdrawn",
            Action::Transfer { .. } => "transferred",
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
    pub flow: quanze_core::changeset::Flow,
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

impl Service {
    /// Every change set, newest first.
    pub async fn change_sets(&self) -> ServiceResult<Vec<ChangeSetView>> {
        let catalog = self.catalog();
        Ok(self.store.change_sets().await?.into_iter().map(|s| view(&catalog, s)).collect())
    }

    /// One change set.
    pub async fn change_set(&self, id: ChangeSetId) -> ServiceResult<ChangeSetView> {
        Ok(view(&self.catalog(), self.store.change_set(id).await?))
    }

    /// Drafts a change set. Refused: a change without reason or basis, an item changed
    /// twice, a list that does not exist, an amendment or removal of an item not in the list,
    /// an addition of an item already there, an amendment that changes nothing.
    pub async fn create_change_set(
        &self,
        by: &CurrentUser,
        new: NewChangeSet,
    ) -> ServiceResult<(ChangeSetView, u64)> {
        by.require(&DRAFTERS, None, "起草调整方案")?;
        let title = new.title.trim().to_owned();
        if title.is_empty() {
            return Err(quanze_core::ValidationError::Empty { field: "title" }.into());
        }
        let catalog = self.catalog();
        let changes = self.proposed(&catalog, new.changes)?;
        for unit in &new.countersigners {
            if catalog.unit(*unit).is_none() {
                return Err(ServiceError::NotFound(format!("会签单位 {unit}")));
            }
        }
        let handler = self.handler_of(by, &catalog, &changes);
        let set = ChangeSet::draft(
            self.ids.change_set(),
            title,
            new.effective_on,
            changes,
            handler,
            self.config.governance.max_rounds,
            new.countersigners.into_iter().collect(),
            self.actor(by),
        )?;
        check_against_lists(&catalog, &set)?;
        let ev = self.event(
            Some(by),
            None,
            "change_set.drafted",
            format!("change_set:{}", set.id),
            serde_json::json!({ "title": set.title, "effective_on": set.effective_on, "changes": set.changes }),
        );
        let receipt = self.store.put_change_set(&set, ChangeSetWrite::Create, ev).await?;
        let stored = StoredChangeSet { set, rev: 1 };
        Ok((view(&catalog, stored), receipt.leaf_index()))
    }

    /// Applies one operation to a change set, as `by` (none: a member of the public, who may
    /// only comment during 公示).
    pub async fn act_on_change_set(
        &self,
        by: Option<&CurrentUser>,
        id: ChangeSetId,
        action: Action,
    ) -> ServiceResult<ActionOutcome> {
        let StoredChangeSet { mut set, rev } = self.store.change_set(id).await?;
        let catalog = self.catalog();
        let today = self.today();
        let kind = action.name();
        let Some(user) = by else {
            return Err(ServiceError::Unauthenticated);
        };
        let who = self.actor(user);
        let cal = &self.calendar;
        let days = self.config.governance.round_working_days;
        let mut payload = serde_json::json!({});
        // Only a revision rewrites the changes; every other step writes the workflow state.
        let mut write = ChangeSetWrite::State { prev_rev: rev };
        match action {
            Action::Revise { changes } => {
                user.require(&DRAFTERS, None, "修改调整方案")?;
                let changes = self.proposed(&catalog, changes)?;
                set.revise(changes)?;
                check_against_lists(&catalog, &set)?;
                payload = serde_json::json!({ "changes": set.changes });
                write = ChangeSetWrite::StateAndChanges { prev_rev: rev };
            }
            Action::SendRound { units, working_days } => {
                user.require(&DRAFTERS, None, "发起征求意见")?;
                let units: BTreeSet<UnitId> = match units {
                    Some(units) => units.into_iter().collect(),
                    None => affected_units(&catalog, &set),
                };
                if let Some(u) = units.iter().find(|u| catalog.unit(**u).is_none()) {
                    return Err(ServiceError::NotFound(format!("单位 {u}")));
                }
                let n =
                    set.send_round(units.clone(), today, working_days.unwrap_or(days), cal, who)?;
                payload = serde_json::json!({ "round": n, "units": units });
            }
            Action::Reply { unit, opinions } => {
                user.require(&[Role::Clerk, Role::Reviewer, Role::Leader], Some(unit), "反馈意见")
                    .or_else(|_| user.require(&DRAFTERS, None, "代为录入反馈意见"))?;
                let opinions: Vec<NewOpinion> = opinions
                    .into_iter()
                    .map(|o| NewOpinion {
                        id: self.ids.opinion(),
                        item: o.item,
                        stance: match o.stance {
                            StanceKind::Agree => Stance::Agree,
                            StanceKind::Amend => {
                                Stance::Amend { proposed: o.proposed.unwrap_or_default() }
                            }
                            StanceKind::Object => Stance::Object,
                        },
                        reason: o.reason,
                    })
                    .collect();
                payload = serde_json::json!({ "unit": unit, "opinions": opinions });
                set.reply(unit, opinions, who)?;
            }
            Action::Resolve { opinion, kind, reason } => {
                user.require(&DRAFTERS, None, "办理意见")?;
                set.resolve(opinion, kind, &reason, who)?;
                payload = serde_json::json!({ "opinion": opinion, "kind": kind, "reason": reason });
            }
            Action::CloseRound => {
                user.require(&DRAFTERS, None, "结束本轮征求意见")?;
                set.close_round(who)?;
            }
            Action::Urge => {
                user.require(&DRAFTERS, None, "催办")?;
                let units = set.urge(who)?;
                payload = serde_json::json!({ "units": units });
            }
            Action::OpenComment { until } => {
                user.require(&DRAFTERS, None, "发起公示")?;
                set.open_comment(today, until, who)?;
                payload = serde_json::json!({ "until": until });
            }
            Action::Answer { comment, kind, text } => {
                user.require(&DRAFTERS, None, "答复公众意见")?;
                set.answer(comment, kind, &text, who)?;
                payload = serde_json::json!({ "comment": comment, "kind": kind, "text": text });
            }
            Action::SubmitForReview => {
                user.require(&DRAFTERS, None, "提交合法性审查")?;
                let laws = LawRegistry::new(self.store.laws().await?);
                let known: HashSet<UnitId> = catalog.units.iter().map(|u| u.id).collect();
                let ctx = ReviewContext {
                    laws: &laws,
                    known_units: &known,
                    effective_on: set.effective_on,
                    // 行政处罚法 24 and 行政强制法 17 are checked against the recorded grants.
                    grants: &catalog.grants,
                };
                let duties = current_duties(&catalog, &set);
                set.submit_for_review(&ctx, &duties, today, who)?;
                let open = set.review.as_ref().map_or(0, |r| r.open_findings());
                payload = serde_json::json!({ "open_findings": open });
            }
            Action::Verdict { item, pass, reason } => {
                user.require(&[Role::JusticeReviewer, Role::SysAdmin], None, "作出合法性审查结论")?;
                let verdict = if pass { Verdict::Pass } else { Verdict::Reject { reason } };
                payload = serde_json::json!({ "item": item, "verdict": verdict });
                set.verdict(item, verdict, who)?;
            }
            Action::Verdicts { verdicts } => {
                user.require(&[Role::JusticeReviewer, Role::SysAdmin], None, "作出合法性审查结论")?;
                let verdicts: Vec<(ItemId, Verdict)> = verdicts
                    .into_iter()
                    .map(|v| {
                        let verdict = if v.pass {
                            Verdict::Pass
                        } else {
                            Verdict::Reject { reason: v.reason }
                        };
                        (v.item, verdict)
                    })
                    .collect();
                if verdicts.is_empty() {
                    return Err(ServiceError::rejected(
                        ErrorCode::EmptyVerdicts,
                        "审查结论表为空",
                        "the table of verdicts is empty",
                    ));
                }
                // Every item and verdict goes into the ledger, as the single verdict does.
                let table: Vec<_> = verdicts
                    .iter()
                    .map(|(item, verdict)| serde_json::json!({ "item": item, "verdict": verdict }))
                    .collect();
                payload = serde_json::json!({ "verdicts": table });
                set.verdicts(verdicts, who)?;
            }
            Action::SubmitForApproval => {
                user.require(&DRAFTERS, None, "提请审定")?;
                set.submit_for_approval(who)?;
            }
            Action::Countersign { unit } => {
                user.require(&[Role::Leader, Role::Reviewer], Some(unit), "会签")
                    .or_else(|_| user.require(&DRAFTERS, None, "代为录入会签"))?;
                set.countersign(unit, who)?;
                payload = serde_json::json!({ "unit": unit });
            }
            Action::Approve { meeting, decided_on, doc_no } => {
                user.require(&[Role::Leader, Role::SysAdmin], None, "审定调整方案")?;
                let meeting = meeting.trim().to_owned();
                if meeting.is_empty() {
                    return Err(quanze_core::ValidationError::Empty { field: "meeting" }.into());
                }
                let approval = Approval { meeting, decided_on, doc_no: DocNo::parse(&doc_no)? };
                payload = serde_json::to_value(&approval).unwrap_or_default();
                set.approve(approval, who)?;
            }
            Action::Publish => {
                user.require(&[Role::StaffingEditor, Role::Leader, Role::SysAdmin], None, "公布")?;
                return self.publish_change_set(user, &catalog, set, rev).await;
            }
            Action::Return { to, reason } => {
                user.require(&DRAFTERS, None, "退回").or_else(|_| {
                    user.require(&[Role::JusticeReviewer, Role::Leader], None, "退回")
                })?;
                let to = parse_stage(&to)?;
                set.return_to(to, &reason, today, days, cal, who)?;
                payload = serde_json::json!({ "to": set.flow.stage, "reason": reason });
            }
            Action::Withdraw { reason } => {
                user.require(&DRAFTERS, None, "撤回调整方案")?;
                set.withdraw(&reason, who)?;
                payload = serde_json::json!({ "reason": reason });
            }
            Action::Transfer { to, reason } => {
                user.require(&DRAFTERS, None, "转办")?;
                if catalog.unit(to).is_none() {
                    return Err(ServiceError::NotFound(format!("单位 {to}")));
                }
                set.transfer(to, &reason, who)?;
                payload = serde_json::json!({ "to": to, "reason": reason });
            }
        }
        if let serde_json::Value::Object(map) = &mut payload {
            map.insert("stage".into(), serde_json::to_value(set.flow.stage).unwrap_or_default());
        }
        let ev = self.event(
            Some(user),
            None,
            &format!("change_set.{kind}"),
            format!("change_set:{id}"),
            payload,
        );
        let receipt = self.store.put_change_set(&set, write, ev).await?;
        Ok(ActionOutcome {
            change_set: ChangeSetState::of(set, rev + 1),
            leaf_index: receipt.leaf_index(),
        })
    }

    /// A comment from the public during 公示 (no account needed; `name` is not stored).
    pub async fn comment_on_change_set(
        &self,
        id: ChangeSetId,
        item: Option<ItemId>,
        text: &str,
    ) -> ServiceResult<u64> {
        let StoredChangeSet { mut set, rev } = self.store.change_set(id).await?;
        let comment = self.ids.opinion();
        set.comment(comment, item, text, self.today())?;
        let ev = self.event(
            None,
            None,
            "change_set.commented",
            format!("change_set:{id}"),
            serde_json::json!({ "comment": comment, "item": item, "text": text.trim() }),
        );
        let write = ChangeSetWrite::State { prev_rev: rev };
        Ok(self.store.put_change_set(&set, write, ev).await?.leaf_index())
    }

    /// 公布: builds the next version of every affected list from its current one and
    /// publishes them all with the change set in one transaction.
    async fn publish_change_set(
        &self,
        by: &CurrentUser,
        catalog: &Catalog,
        mut set: ChangeSet,
        rev: u64,
    ) -> ServiceResult<ActionOutcome> {
        let approval = set.flow.approval.clone().ok_or_else(|| {
            ServiceError::rejected(
                ErrorCode::WrongStage,
                "调整方案尚未审定，不能公布",
                "not approved",
            )
        })?;
        // The changes are not stored again (publication writes the workflow state only) nor
        // answered, so their contents move into the new item versions.
        let changes = std::mem::take(&mut set.changes);
        let count = changes.len();
        let drafts = next_versions(self, catalog, changes)?;
        let versions = drafts.iter().map(|d| d.version.id).collect();
        set.publish(versions, self.actor(by))?;
        let ev = self.event(
            Some(by),
            None,
            "change_set.published",
            format!("change_set:{}", set.id),
            serde_json::json!({
                "versions": set.published,
                "effective_on": set.effective_on,
                "doc_no": approval.doc_no.as_str(),
                "items": drafts.iter().map(|d| d.new_items.len()).sum::<usize>(),
            }),
        );
        let writer = self.catalog_writer().await;
        let receipt = self
            .store
            .publish_change_set(&set, rev, &drafts, set.effective_on, &approval.doc_no, ev)
            .await?;
        let (versions, new_items): (Vec<_>, Vec<_>) =
            drafts.into_iter().map(|d| (d.version, d.new_items)).unzip();
        let new_items = new_items.into_iter().flatten().collect();
        writer.apply(|c| c.with_published(versions, new_items, set.effective_on, &approval.doc_no));
        Ok(ActionOutcome {
            change_set: ChangeSetState { changes: count, ..ChangeSetState::of(set, rev + 1) },
            leaf_index: receipt.leaf_index(),
        })
    }

    fn actor(&self, by: &CurrentUser) -> Actor {
        Actor { by: by.id, at: self.clock.now() }
    }

    /// The unit handling a new change set: the staffing office the drafter works in, else
    /// the holder of the first changed item.
    fn handler_of(
        &self,
        by: &CurrentUser,
        catalog: &Catalog,
        changes: &[ProposedChange],
    ) -> UnitId {
        by.roles
            .iter()
            .find_map(|g| g.unit)
            .or_else(|| changes.iter().find_map(|c| current_holder(catalog, c)))
            .unwrap_or_else(|| UnitId::from_uuid(uuid::Uuid::nil()))
    }

    /// Turns client changes into proposed changes: ids for added items, the current version
    /// as the base when none is given.
    fn proposed(
        &self,
        catalog: &Catalog,
        inputs: Vec<ChangeInput>,
    ) -> ServiceResult<Vec<ProposedChange>> {
        let mut latest = EntryIndex::new(|catalog: &Catalog, list| catalog.latest_version(list));
        inputs
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let index = i + 1;
                let missing = |what: &str| {
                    ServiceError::rejected(
                        ErrorCode::InvalidChange,
                        format!("第{index}项调整：缺少{what}"),
                        format!("change {index}: {what} is missing"),
                    )
                };
                if catalog.list(c.list).is_none() {
                    return Err(ServiceError::from(quanze_core::ChangeSetError::from(
                        quanze_core::RevisionError::UnknownList { index, list: c.list },
                    )));
                }
                let mut current =
                    |item: ItemId| latest.entry(catalog, c.list, item).map(|e| e.item_version);
                let change = match c.action {
                    ChangeAction::Add => Change::Add {
                        item: self.ids.item(),
                        duty: c.duty.unwrap_or(DutyKind::Own),
                        content: c.content.ok_or_else(|| missing("事项内容"))?,
                    },
                    ChangeAction::Amend => {
                        let item = c.item.ok_or_else(|| missing("事项"))?;
                        Change::Amend {
                            item,
                            base: c.base.or_else(|| current(item)).unwrap_or(0),
                            content: c.content.ok_or_else(|| missing("事项内容"))?,
                        }
                    }
                    ChangeAction::Remove => {
                        let item = c.item.ok_or_else(|| missing("事项"))?;
                        Change::Remove { item, base: c.base.or_else(|| current(item)).unwrap_or(0) }
                    }
                };
                Ok(ProposedChange {
                    list: c.list,
                    change,
                    reason: c.reason.trim().to_owned(),
                    basis: c.basis.trim().to_owned(),
                })
            })
            .collect()
    }
}

/// The version each list's changes apply to: the newest that is not a draft.
fn base_version(catalog: &Catalog, list: ListId) -> Option<&ListVersion> {
    catalog.versions(list).iter().rev().find(|v| v.status != VersionStatus::Draft)
}

/// Checks every change against its list as it stands (the same check publication repeats).
fn check_against_lists(catalog: &Catalog, set: &ChangeSet) -> ServiceResult<()> {
    for list in set.lists() {
        apply(catalog, set, list)?;
    }
    Ok(())
}

fn apply(
    catalog: &Catalog,
    set: &ChangeSet,
    list: ListId,
) -> Result<quanze_core::revision::Applied, quanze_core::ChangeSetError> {
    let latest = |item: ItemId| catalog.latest_item_version(item);
    let content = |item: ItemId, v: u32| catalog.item(item, v).map(|p| &p.content);
    Ok(apply_to_list(base_version(catalog, list), set.changes_to(list), latest, content)?)
}

/// The drafts publication writes: one per affected list, numbered after its last version.
/// Consumes the changes: their contents become the new item versions without a copy.
fn next_versions(
    service: &Service,
    catalog: &Catalog,
    changes: Vec<ProposedChange>,
) -> ServiceResult<Vec<DraftWrite>> {
    let mut by_list: BTreeMap<ListId, Vec<(usize, ProposedChange)>> = BTreeMap::new();
    for (i, c) in changes.into_iter().enumerate() {
        by_list.entry(c.list).or_default().push((i, c));
    }
    let latest = |item: ItemId| catalog.latest_item_version(item);
    let content = |item: ItemId, v: u32| catalog.item(item, v).map(|p| &p.content);
    let mut drafts = Vec::new();
    for (list, changes) in by_list {
        let applied = quanze_core::revision::apply_owned_to_list(
            base_version(catalog, list),
            changes,
            latest,
            content,
        )
        .map_err(quanze_core::ChangeSetError::from)?;
        let number = catalog.versions(list).iter().map(|v| v.number).max().unwrap_or(0) + 1;
        drafts.push(DraftWrite {
            version: ListVersion {
                id: service.ids.version(),
                list,
                number,
                status: VersionStatus::Draft,
                effective_from: None,
                effective_until: None,
                doc_no: None,
                entries: applied.entries,
                overrides: applied.overrides,
            },
            new_items: applied.new_items,
        });
    }
    Ok(drafts)
}

fn current_holder(catalog: &Catalog, c: &ProposedChange) -> Option<UnitId> {
    match &c.change {
        Change::Add { content, .. } => Some(content.holder),
        Change::Amend { item, base, .. } | Change::Remove { item, base } => {
            catalog.item(*item, *base).map(|p| p.content.holder)
        }
    }
}

/// Every unit a change set affects: the holders and cooperating units of the items before
/// and after, the unit of each unit list, and every town of a township template's county.
fn affected_units(catalog: &Catalog, set: &ChangeSet) -> BTreeSet<UnitId> {
    let mut units = BTreeSet::new();
    for c in &set.changes {
        let before = match &c.change {
            Change::Amend { item, base, .. } | Change::Remove { item, base } => {
                catalog.item(*item, *base).map(|p| &p.content)
            }
            Change::Add { .. } => None,
        };
        for content in before.into_iter().chain(c.content()) {
            units.insert(content.holder);
            units.extend(content.cooperation.iter().map(|co| co.unit));
        }
        match catalog.list(c.list).map(|l| &l.scope) {
            Some(ListScope::Unit { unit }) => {
                units.insert(*unit);
            }
            Some(ListScope::TownshipTemplate { county }) => {
                units.extend(catalog.towns_of(county).map(|t| t.id));
            }
            None => {}
        }
    }
    units.retain(|u| catalog.unit(*u).is_some());
    units
}

/// The duty kind amended items keep.
fn current_duties(catalog: &Catalog, set: &ChangeSet) -> BTreeMap<ItemId, DutyKind> {
    let mut base = EntryIndex::new(base_version);
    set.changes
        .iter()
        .filter_map(|c| base.entry(catalog, c.list, c.item()).map(|e| (e.item, e.duty)))
        .collect()
}

/// The entries of one version of each list by item, built once per list on first use: a
/// change set may hold 100,000 changes, and a scan of the list per change would be quadratic.
struct EntryIndex<F> {
    pick: F,
    lists: HashMap<ListId, HashMap<ItemId, quanze_core::ListEntry>>,
}

impl<F: for<'a> Fn(&'a Catalog, ListId) -> Option<&'a ListVersion>> EntryIndex<F> {
    fn new(pick: F) -> EntryIndex<F> {
        EntryIndex { pick, lists: HashMap::new() }
    }

    fn entry(
        &mut self,
        catalog: &Catalog,
        list: ListId,
        item: ItemId,
    ) -> Option<quanze_core::ListEntry> {
        self.prepare(catalog, list);
        self.built(list, item)
    }

    /// Builds the entries of one list, unless they are built already.
    fn prepare(&mut self, catalog: &Catalog, list: ListId) {
        let pick = &self.pick;
        self.lists.entry(list).or_insert_with(|| {
            pick(catalog, list)
                .map(|v| v.entries.iter().map(|e| (e.item, *e)).collect())
                .unwrap_or_default()
        });
    }

    /// The entry of an item in a list whose entries were already built (none otherwise).
    fn built(&self, list: ListId, item: ItemId) -> Option<quanze_core::ListEntry> {
        self.lists.get(&list)?.get(&item).copied()
    }
}

fn parse_stage(raw: &str) -> ServiceResult<Stage> {
    Ok(match raw.trim() {
        "drafting" | "起草" => Stage::Drafting,
        "opinions" | "征求意见" => Stage::Opinions { round: 0 },
        "public_comment" | "公示" => Stage::PublicComment,
        "legal_review" | "合法性审查" => Stage::LegalReview,
        "approval" | "审定" => Stage::Approval,
        other => {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidStage,
                format!("无法退回到“{other}”：可退回到 起草、征求意见、公示、合法性审查、审定"),
                format!("cannot return to {other:?}"),
            ));
        }
    })
}

fn view(catalog: &Catalog, stored: StoredChangeSet) -> ChangeSetView {
    let StoredChangeSet { set, rev } = stored;
    // The base version's entries of every list first, so the changes (100,000 of them in a
    // large set, each diffed field by field) can be described on every core.
    let mut base = EntryIndex::new(base_version);
    for list in set.lists() {
        base.prepare(catalog, list);
    }
    let base = &base;
    let changes = set
        .changes
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let before = match &c.change {
                Change::Amend { item, base, .. } | Change::Remove { item, base } => {
                    catalog.item(*item, *base).map(|p| &p.content)
                }
                Change::Add { .. } => None,
            };
            let duty = base.built(c.list, c.item()).map_or(DutyKind::Own, |e| e.duty);
            let (action, action_zh) = match &c.change {
                Change::Add { .. } => ("add", "新增"),
                Change::Amend { .. } => ("amend", "调整"),
                Change::Remove { .. } => ("remove", "取消"),
            };
            ChangeView {
                index: i + 1,
                list: c.list,
                list_name: catalog.list(c.list).map(|l| l.name.clone()).unwrap_or_default(),
                item: c.item(),
                name: c.content().or(before).map(|x| x.display_name()).unwrap_or_default(),
                action,
                action_zh,
                fields: before.map(|b| c.fields(b, duty)).unwrap_or_default(),
                reason: c.reason.clone(),
                basis: c.basis.clone(),
            }
        })
        .collect();
    ChangeSetView { stage_zh: set.flow.stage.zh(), set, rev, changes }
}
