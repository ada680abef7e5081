//! 调整方案办理 — what the staff's pages show of list revisions: every change set with its
//! stage, and one change set as the people who move it need it — its changes, each opinion
//! round with the units asked, their replies and the resolutions, the 公示 comments and
//! answers, the legality review's findings and verdicts, the countersignatures, the approval
//! and the history — with names for every unit, and which operations the signed-in account
//! may take now (the service still checks each one when it is taken).

use chrono::NaiveDate;
use quanze_core::access::Act;
use quanze_core::review::{ReviewOutcome, Verdict};
use quanze_core::workflow::Stage;
use quanze_core::{
    ChangeSetId, ItemId, ListId, ListScope, OpinionId, Stance, UnitId, VersionStatus,
};

use crate::changesets::{ChangeAction, ChangeInput, ChangeView, NewChangeSet};
use crate::error::{ErrorCode, ServiceError};
use crate::views::ChangeSetReceipt;
use crate::{CurrentUser, Service, ServiceResult, beijing_time};

/// One change set in the list of them.
#[derive(Debug, Clone)]
pub struct ChangeSetLine {
    /// Id.
    pub id: ChangeSetId,
    /// 标题.
    pub title: String,
    /// 阶段.
    pub stage: String,
    /// 生效日期.
    pub effective_on: NaiveDate,
    /// How many changes.
    pub changes: usize,
    /// 承办单位.
    pub handler: String,
}

/// A unit asked in an opinion round.
#[derive(Debug, Clone)]
pub struct TaskLine {
    /// The unit's name.
    pub unit: String,
    /// The last day to reply.
    pub due: NaiveDate,
    /// When it replied (Beijing time), if it has.
    pub replied: Option<String>,
    /// Past its due date without a reply.
    pub overdue: bool,
}

/// 意见 — one unit's opinion as shown.
#[derive(Debug, Clone)]
pub struct OpinionLine {
    /// Id (for the resolution form).
    pub id: OpinionId,
    /// The unit's name.
    pub unit: String,
    /// The item's name, or 整个方案.
    pub item: String,
    /// 同意, 修改 or 反对.
    pub stance: &'static str,
    /// The proposed wording of an amendment.
    pub proposed: Option<String>,
    /// The reason.
    pub reason: String,
    /// How it was resolved, once it is.
    pub resolution: Option<String>,
    /// Whether it still needs a resolution.
    pub unresolved: bool,
}

/// 征求意见 — one round.
#[derive(Debug, Clone)]
pub struct RoundPage {
    /// 第几轮.
    pub number: u8,
    /// Sent on.
    pub sent_on: NaiveDate,
    /// Whether it is the round still open.
    pub open: bool,
    /// The units asked.
    pub tasks: Vec<TaskLine>,
    /// Their opinions.
    pub opinions: Vec<OpinionLine>,
}

/// 公众意见 — one comment of the 公示.
#[derive(Debug, Clone)]
pub struct CommentLine {
    /// Id (for the answer form).
    pub id: OpinionId,
    /// The item's name, or 整个方案.
    pub item: String,
    /// The text as the public wrote it.
    pub text: String,
    /// Received on.
    pub received_on: NaiveDate,
    /// The answer, once given.
    pub answer: Option<String>,
}

/// 公示.
#[derive(Debug, Clone)]
pub struct CommentsPage {
    /// Opened on.
    pub opens_on: NaiveDate,
    /// Last day.
    pub until: NaiveDate,
    /// The comments.
    pub comments: Vec<CommentLine>,
}

/// One item under legality review.
#[derive(Debug, Clone)]
pub struct FindingLine {
    /// The item.
    pub item: ItemId,
    /// Its name.
    pub name: String,
    /// The automatic findings: (blocks a pass, the message).
    pub issues: Vec<(bool, String)>,
    /// The justice bureau's verdict, once given.
    pub verdict: Option<String>,
}

/// 合法性审查.
#[derive(Debug, Clone)]
pub struct ReviewPage {
    /// Item by item: those still without a verdict first, at most `PAGE_CHANGES`.
    pub findings: Vec<FindingLine>,
    /// How many items are under review in all.
    pub total: usize,
    /// 审查结论 so far.
    pub outcome: String,
}

/// One step of the history.
#[derive(Debug, Clone)]
pub struct FlowStep {
    /// When (Beijing time).
    pub at: String,
    /// The operation.
    pub verb: &'static str,
    /// From stage → to stage.
    pub stages: String,
    /// The reason given.
    pub reason: String,
}

/// What the signed-in account may do with the change set now.
#[derive(Debug, Clone, Default)]
pub struct Allowed {
    /// Steer it (the staffing office: rounds, resolutions, 公示, submissions, return).
    pub steer: bool,
    /// Reply for these units (asked in the open round, not yet replied).
    pub reply_for: Vec<(UnitId, String)>,
    /// Give verdicts (the justice bureau).
    pub verdict: bool,
    /// Countersign for these units.
    pub countersign_for: Vec<(UnitId, String)>,
    /// Approve it.
    pub approve: bool,
    /// Publish it.
    pub publish: bool,
    /// Return it to an earlier stage.
    pub send_back: bool,
    /// Revise its changes (drafting only): add an item, edit or withdraw a change.
    pub revise: bool,
}

/// 调整方案 — one change set as the staff's page shows it.
#[derive(Debug, Clone)]
pub struct ChangeSetPage {
    /// Id.
    pub id: ChangeSetId,
    /// 标题.
    pub title: String,
    /// The stage in Chinese.
    pub stage: String,
    /// The stage's key: drafting, opinions, public_comment, legal_review, approval, approved,
    /// published, withdrawn.
    pub stage_key: &'static str,
    /// 生效日期.
    pub effective_on: NaiveDate,
    /// 承办单位.
    pub handler: String,
    /// The first `PAGE_CHANGES` changes, named and diffed.
    pub changes: Vec<ChangeView>,
    /// How many changes it proposes in all.
    pub total_changes: usize,
    /// The items it touches (for the opinion form).
    pub items: Vec<(ItemId, String)>,
    /// Rounds sent, of at most `max_rounds`.
    pub rounds: Vec<RoundPage>,
    /// The most rounds.
    pub max_rounds: u8,
    /// 公示, once opened.
    pub comments: Option<CommentsPage>,
    /// 合法性审查, once submitted.
    pub review: Option<ReviewPage>,
    /// 会签单位: (name, signed).
    pub countersigners: Vec<(String, bool)>,
    /// 审定: meeting, day, document number.
    pub approval: Option<String>,
    /// Published list versions.
    pub published: usize,
    /// The history, oldest first.
    pub history: Vec<FlowStep>,
    /// What the account may do now.
    pub may: Allowed,
    /// Today (the earliest last day of a 公示 is later).
    pub today: NaiveDate,
}

/// The most changes the page lists (a change set may hold 100,000; the API and the xlsx
/// export give them all).
pub const PAGE_CHANGES: usize = 500;

/// The key of a stage, as the API names it.
fn stage_key(stage: Stage) -> &'static str {
    match stage {
        Stage::Drafting => "drafting",
        Stage::Opinions { .. } => "opinions",
        Stage::PublicComment => "public_comment",
        Stage::LegalReview => "legal_review",
        Stage::Approval => "approval",
        Stage::Approved => "approved",
        Stage::Published => "published",
        Stage::Withdrawn => "withdrawn",
    }
}

impl Service {
    /// Every change set, newest first.
    pub async fn change_set_lines(&self) -> ServiceResult<Vec<ChangeSetLine>> {
        let catalog = self.catalog();
        let name = |u: UnitId| catalog.unit(u).map_or_else(|| u.to_string(), |u| u.name.clone());
        Ok(self
            .change_sets()
            .await?
            .into_iter()
            .map(|v| ChangeSetLine {
                id: v.set.id,
                title: v.set.title.clone(),
                stage: v.stage_zh,
                effective_on: v.set.effective_on,
                changes: v.set.changes.len(),
                handler: name(v.set.flow.handler),
            })
            .collect())
    }

    /// One change set for `by`'s page.
    pub async fn change_set_page(
        &self,
        by: &CurrentUser,
        id: ChangeSetId,
    ) -> ServiceResult<ChangeSetPage> {
        let mut view = self.change_set(id).await?;
        let total_changes = view.changes.len();
        view.changes.truncate(PAGE_CHANGES);
        let catalog = self.catalog();
        let today = self.today();
        let name = |u: UnitId| catalog.unit(u).map_or_else(|| u.to_string(), |u| u.name.clone());
        let set = &view.set;
        let items: Vec<(ItemId, String)> =
            view.changes.iter().map(|c| (c.item, c.name.clone())).collect();
        let item_name = |item: Option<ItemId>| match item {
            None => "整个方案".to_owned(),
            Some(i) => items
                .iter()
                .find(|(id, _)| *id == i)
                .map_or_else(|| i.to_string(), |(_, n)| n.clone()),
        };
        let open_round = set.open_round().map(|r| r.number);
        let rounds = set
            .rounds
            .iter()
            .map(|r| RoundPage {
                number: r.number,
                sent_on: r.sent_on,
                open: open_round == Some(r.number),
                tasks: r
                    .tasks
                    .iter()
                    .map(|t| TaskLine {
                        unit: name(t.unit),
                        due: t.due,
                        replied: t
                            .replied_at
                            .map(|at| beijing_time(at).format("%Y-%m-%d %H:%M").to_string()),
                        overdue: t.replied_at.is_none() && t.due < today,
                    })
                    .collect(),
                opinions: r
                    .opinions
                    .iter()
                    .map(|o| OpinionLine {
                        id: o.id,
                        unit: name(o.unit),
                        item: item_name(o.item),
                        stance: match o.stance {
                            Stance::Agree => "同意",
                            Stance::Amend { .. } => "修改",
                            Stance::Object => "反对",
                        },
                        proposed: match &o.stance {
                            Stance::Amend { proposed } => Some(proposed.clone()),
                            _ => None,
                        },
                        reason: o.reason.clone(),
                        resolution: o.resolution.as_ref().map(|r| {
                            if r.reason.is_empty() {
                                r.kind.zh().to_owned()
                            } else {
                                format!("{}：{}", r.kind.zh(), r.reason)
                            }
                        }),
                        unresolved: o.is_unresolved(),
                    })
                    .collect(),
            })
            .collect();
        let comments = set.comments.as_ref().map(|c| CommentsPage {
            opens_on: c.opens_on,
            until: c.until,
            comments: c
                .comments
                .iter()
                .map(|p| CommentLine {
                    id: p.id,
                    item: item_name(p.item),
                    text: p.text.clone(),
                    received_on: p.received_on,
                    answer: p.answer.as_ref().map(|a| format!("{}：{}", a.kind.zh(), a.text)),
                })
                .collect(),
        });
        let review = set.review.as_ref().map(|r| ReviewPage {
            total: r.findings.len(),
            findings: r
                .findings
                .iter()
                .filter(|f| !r.verdicts.contains_key(&f.item))
                .chain(r.findings.iter().filter(|f| r.verdicts.contains_key(&f.item)))
                .take(PAGE_CHANGES)
                .map(|f| FindingLine {
                    item: f.item,
                    name: f.name.clone(),
                    issues: f.issues.iter().map(|i| (i.blocks(), i.message_zh.clone())).collect(),
                    verdict: r.verdicts.get(&f.item).map(|v| match &v.verdict {
                        Verdict::Pass => "通过".to_owned(),
                        Verdict::Reject { reason } => format!("不通过：{reason}"),
                    }),
                })
                .collect(),
            outcome: match r.outcome() {
                ReviewOutcome::Passed => "审查通过".to_owned(),
                ReviewOutcome::Rejected { rejected } => format!("{rejected}项审查不通过"),
                ReviewOutcome::Incomplete { missing } => format!("尚有{missing}项未出具审查意见"),
            },
        });
        let flow = &set.flow;
        let stage = flow.stage;
        let may_act = |act: Act, unit: Option<UnitId>| by.require_act(act, unit).is_ok();
        let steer = may_act(Act::DraftChangeSet, None);
        let reply_for = set
            .open_round()
            .map(|r| {
                r.tasks
                    .iter()
                    .filter(|t| t.replied_at.is_none())
                    .filter(|t| steer || may_act(Act::ReplyOpinion, Some(t.unit)))
                    .map(|t| (t.unit, name(t.unit)))
                    .collect()
            })
            .unwrap_or_default();
        let countersign_for = if stage == Stage::Approval {
            flow.countersigners
                .iter()
                .filter(|u| !flow.countersigned.contains(u))
                .filter(|u| steer || may_act(Act::Countersign, Some(**u)))
                .map(|u| (*u, name(*u)))
                .collect()
        } else {
            Vec::new()
        };
        let active = !matches!(stage, Stage::Published | Stage::Withdrawn);
        let may = Allowed {
            steer: steer && active,
            revise: stage == Stage::Drafting && may_act(Act::DraftChangeSet, None),
            reply_for,
            verdict: stage == Stage::LegalReview && may_act(Act::Verdict, None),
            countersign_for,
            approve: stage == Stage::Approval && may_act(Act::Approve, None),
            publish: stage == Stage::Approved && may_act(Act::PublishChangeSet, None),
            send_back: active && stage != Stage::Drafting && may_act(Act::ReturnChangeSet, None),
        };
        let history = flow
            .history
            .iter()
            .map(|s| FlowStep {
                at: beijing_time(s.at).format("%Y-%m-%d %H:%M").to_string(),
                verb: s.verb.operation().zh(),
                stages: if s.from == s.to {
                    s.to.zh()
                } else {
                    format!("{} → {}", s.from.zh(), s.to.zh())
                },
                reason: s.reason.clone(),
            })
            .collect();
        Ok(ChangeSetPage {
            id: set.id,
            title: set.title.clone(),
            stage: view.stage_zh.clone(),
            stage_key: stage_key(stage),
            effective_on: set.effective_on,
            handler: name(flow.handler),
            items: items.clone(),
            rounds,
            max_rounds: flow.max_rounds,
            comments,
            review,
            countersigners: flow
                .countersigners
                .iter()
                .map(|u| (name(*u), flow.countersigned.contains(u)))
                .collect(),
            approval: flow.approval.as_ref().map(|a| {
                format!("{}，{}审定，{}", a.meeting, a.decided_on.format("%Y年%m月%d日"), a.doc_no)
            }),
            published: set.published.len(),
            history,
            may,
            today,
            total_changes,
            changes: view.changes,
        })
    }
}

/// An item of the list being revised, as the drafting form shows it.
#[derive(Debug, Clone)]
pub struct DraftItem {
    /// The item.
    pub item: ItemId,
    /// Its name.
    pub name: String,
    /// Its 承办机构 now (empty when the list names none).
    pub office: String,
}

/// 起草调整方案 — the lists a change set may revise and, once one is chosen, its items.
#[derive(Debug, Clone)]
pub struct DraftingForm {
    /// Department and town lists with a published version: (id, name).
    pub lists: Vec<(ListId, String)>,
    /// The list chosen, if any.
    pub list: Option<(ListId, String)>,
    /// Its items in its published version.
    pub items: Vec<DraftItem>,
}

/// 对一个事项的调整 — what the drafting form may change of an item. A new item needs its whole
/// service guide, which the API's drafting takes (`POST /api/v1/change-sets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemEdit {
    /// 调整承办机构.
    Office(String),
    /// 调整事项名称.
    Rename(String),
    /// 取消.
    Remove,
}

/// A change set drafted on the page: one list, some of its items edited, one reason and one
/// basis for all.
#[derive(Debug, Clone)]
pub struct DraftRequest {
    /// 标题.
    pub title: String,
    /// 生效日期.
    pub effective_on: NaiveDate,
    /// The list.
    pub list: ListId,
    /// 调整理由.
    pub reason: String,
    /// 调整依据.
    pub basis: String,
    /// The items' edits, in the list's order.
    pub edits: Vec<(ItemId, ItemEdit)>,
}

impl Service {
    /// The drafting form, for `list` when one is chosen.
    pub fn drafting_form(&self, list: Option<ListId>) -> ServiceResult<DraftingForm> {
        let catalog = self.catalog();
        let published = |id: ListId| {
            catalog.latest_version(id).filter(|v| v.status == VersionStatus::Published)
        };
        let lists: Vec<(ListId, String)> = catalog
            .lists
            .iter()
            .filter(|l| matches!(l.scope, ListScope::Unit { .. }) && published(l.id).is_some())
            .map(|l| (l.id, l.name.clone()))
            .collect();
        let Some(list) = list else {
            return Ok(DraftingForm { lists, list: None, items: Vec::new() });
        };
        let chosen = lists
            .iter()
            .find(|(id, _)| *id == list)
            .cloned()
            .ok_or_else(|| ServiceError::NotFound(format!("没有已公布的清单{list}")))?;
        let items = published(list)
            .map(|v| {
                v.entries
                    .iter()
                    .filter_map(|e| {
                        let content = catalog.content(e)?;
                        Some(DraftItem {
                            item: e.item,
                            name: content.name.clone(),
                            office: content.handling_office.clone().unwrap_or_default(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(DraftingForm { lists, list: Some(chosen), items })
    }

    /// Drafts the change set the page's form describes, through the same use case as the
    /// API's drafting (every rule of a new change set applies).
    pub async fn draft_edits(
        &self,
        by: &CurrentUser,
        request: DraftRequest,
    ) -> ServiceResult<ChangeSetReceipt> {
        if request.edits.is_empty() {
            return Err(ServiceError::rejected(
                ErrorCode::InvalidChange,
                "请至少选择一个事项并说明如何调整",
                "no item was edited",
            ));
        }
        let catalog = self.catalog();
        let version = catalog
            .latest_version(request.list)
            .filter(|v| v.status == VersionStatus::Published)
            .ok_or_else(|| ServiceError::NotFound(format!("没有已公布的清单{}", request.list)))?;
        let mut changes = Vec::with_capacity(request.edits.len());
        for (item, edit) in request.edits {
            let entry = version
                .entries
                .iter()
                .find(|e| e.item == item)
                .ok_or_else(|| ServiceError::NotFound(format!("清单中没有事项{item}")))?;
            let (action, content) = match edit {
                ItemEdit::Remove => (ChangeAction::Remove, None),
                ItemEdit::Office(office) | ItemEdit::Rename(office) if office.trim().is_empty() => {
                    return Err(ServiceError::rejected(
                        ErrorCode::InvalidChange,
                        "调整后的承办机构或事项名称不能为空",
                        "an edit's new text is empty",
                    ));
                }
                edit => {
                    let mut content = catalog.content(entry).cloned().ok_or_else(|| {
                        ServiceError::Internal(format!("item {item}: no content"))
                    })?;
                    match edit {
                        ItemEdit::Office(office) => content.handling_office = Some(office),
                        ItemEdit::Rename(name) => content.name = name,
                        ItemEdit::Remove => {}
                    }
                    (ChangeAction::Amend, Some(content))
                }
            };
            changes.push(ChangeInput {
                list: request.list,
                action,
                item: Some(item),
                base: Some(entry.item_version),
                duty: None,
                content,
                reason: request.reason.clone(),
                basis: request.basis.clone(),
            });
        }
        let new = NewChangeSet {
            title: request.title,
            effective_on: request.effective_on,
            changes,
            countersigners: Vec::new(),
            ratification: None,
        };
        self.draft_change_set(by, new).await
    }
}
