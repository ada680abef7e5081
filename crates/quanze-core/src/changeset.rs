//! 调整方案 — a change set as a whole: the proposed item changes (added, amended field by
//! field, removed; each with its reason and legal basis), the workflow ([`Flow`]), its opinion
//! rounds (三上三下), the public comment period (公示) and the legality review. Every operation
//! either applies completely or returns an error and leaves the change set as it was.
//!
//! [`apply_to_list`] turns a list's changes into the entries and item versions of its next
//! version; the caller stores them.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::WorkCalendar;
use crate::diff::{DiffSide, FieldChange, diff_fields};
use crate::ids::{ChangeSetId, ItemId, ListId, ListVersionId, OpinionId, UnitId, UserId};
use crate::item::{ItemContent, PowerItem};
use crate::list::{DutyKind, ListEntry, ListVersion, OverrideChange};
use crate::opinion::{CommentPeriod, NewOpinion, OpinionError, OpinionRound, ResolutionKind};
use crate::review::{LegalReview, ReviewContext, ReviewError, ReviewItem, Verdict};
use crate::workflow::{Actor, Approval, Flow, FlowError, Operation, Stage};

/// 变更 — what happens to one item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    /// 新增 — a new item in the list.
    Add {
        /// The new item's id.
        item: ItemId,
        /// How the list's unit holds it.
        duty: DutyKind,
        /// Its content.
        content: ItemContent,
    },
    /// 调整 — new content for an item of the list; the fields that differ from `base` are the
    /// change.
    Amend {
        /// The item.
        item: ItemId,
        /// The item version the change was written against (a newer one makes it stale).
        base: u32,
        /// The new content.
        content: ItemContent,
    },
    /// 取消 — the item leaves the list.
    Remove {
        /// The item.
        item: ItemId,
        /// The item version the change was written against.
        base: u32,
    },
}

/// 调整事项 — one proposed change with its reason and basis.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProposedChange {
    /// The list it changes.
    pub list: ListId,
    /// What changes.
    #[serde(flatten)]
    pub change: Change,
    /// 调整理由.
    pub reason: String,
    /// 调整依据 — the law or decision that requires it.
    pub basis: String,
}

impl ProposedChange {
    /// The item changed.
    pub fn item(&self) -> ItemId {
        match &self.change {
            Change::Add { item, .. } | Change::Amend { item, .. } | Change::Remove { item, .. } => {
                *item
            }
        }
    }

    /// The new content, unless the item is removed.
    pub fn content(&self) -> Option<&ItemContent> {
        match &self.change {
            Change::Add { content, .. } | Change::Amend { content, .. } => Some(content),
            Change::Remove { .. } => None,
        }
    }

    /// The fields an amendment changes, against the content it was written on.
    pub fn fields(&self, base: &ItemContent, duty: DutyKind) -> Vec<FieldChange> {
        match &self.change {
            Change::Amend { item, content, .. } => diff_fields(
                &DiffSide { item: *item, duty, content: base },
                &DiffSide { item: *item, duty, content },
            ),
            Change::Add { .. } | Change::Remove { .. } => Vec::new(),
        }
    }
}

/// Why a set of changes was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    /// A change set with nothing in it.
    #[error("the change set has no changes")]
    Empty,
    /// A change without its reason.
    #[error("change {index}: the reason is empty")]
    MissingReason {
        /// 1-based position.
        index: usize,
    },
    /// A change without its basis.
    #[error("change {index}: the basis is empty")]
    MissingBasis {
        /// 1-based position.
        index: usize,
    },
    /// One item changed twice in the set.
    #[error("change {index}: item {item} is already changed by change {first}")]
    Twice {
        /// 1-based position.
        index: usize,
        /// The item.
        item: ItemId,
        /// The earlier change.
        first: usize,
    },
    /// The list does not exist.
    #[error("change {index}: list {list} does not exist")]
    UnknownList {
        /// 1-based position.
        index: usize,
        /// The list.
        list: ListId,
    },
    /// An amendment or removal of an item the list does not have.
    #[error("change {index}: item {item} is not in the list")]
    NotInList {
        /// 1-based position.
        index: usize,
        /// The item.
        item: ItemId,
    },
    /// An addition of an item the list has already.
    #[error("change {index}: item {item} is already in the list")]
    AlreadyInList {
        /// 1-based position.
        index: usize,
        /// The item.
        item: ItemId,
    },
    /// The item changed since the change was written.
    #[error(
        "change {index}: item {item} is at version {current}, the change was written on {base}"
    )]
    Stale {
        /// 1-based position.
        index: usize,
        /// The item.
        item: ItemId,
        /// The version it was written on.
        base: u32,
        /// The version now.
        current: u32,
    },
    /// An amendment that changes nothing.
    #[error("change {index}: the amendment changes no field")]
    NoDifference {
        /// 1-based position.
        index: usize,
    },
}

impl RevisionError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            RevisionError::Empty => "调整方案没有任何调整事项".into(),
            RevisionError::MissingReason { index } => format!("第{index}项调整：调整理由不能为空"),
            RevisionError::MissingBasis { index } => format!("第{index}项调整：调整依据不能为空"),
            RevisionError::Twice { index, first, .. } => {
                format!("第{index}项调整：该事项已在第{first}项调整，同一事项只能调整一次")
            }
            RevisionError::UnknownList { index, list } => {
                format!("第{index}项调整：清单{list}不存在")
            }
            RevisionError::NotInList { index, item } => {
                format!("第{index}项调整：清单中没有事项{item}")
            }
            RevisionError::AlreadyInList { index, item } => {
                format!("第{index}项调整：事项{item}已在清单中，应使用“调整”而非“新增”")
            }
            RevisionError::Stale { index, base, current, .. } => format!(
                "第{index}项调整：事项已更新为第{current}版，本调整依据的是第{base}版，请基于最新版本重新填写"
            ),
            RevisionError::NoDifference { index } => {
                format!("第{index}项调整：调整后的内容与现行内容相同")
            }
        }
    }
}

/// Checks what needs no list: a reason and a basis on every change, each item once.
pub fn check_changes(changes: &[ProposedChange]) -> Result<(), RevisionError> {
    if changes.is_empty() {
        return Err(RevisionError::Empty);
    }
    let mut first: BTreeMap<ItemId, usize> = BTreeMap::new();
    for (i, c) in changes.iter().enumerate() {
        let index = i + 1;
        if c.reason.trim().is_empty() {
            return Err(RevisionError::MissingReason { index });
        }
        if c.basis.trim().is_empty() {
            return Err(RevisionError::MissingBasis { index });
        }
        if let Some(&first) = first.get(&c.item()) {
            return Err(RevisionError::Twice { index, item: c.item(), first });
        }
        first.insert(c.item(), index);
    }
    Ok(())
}

/// The next version of one list: its entries and the item versions it introduces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Every entry of the new version, in the order of the base version, additions last.
    pub entries: Vec<ListEntry>,
    /// New item versions (added items at version 1, amended ones at their next version).
    pub new_items: Vec<PowerItem>,
    /// Declared differences kept from the base version (those of removed items dropped).
    pub overrides: Vec<crate::list::Override>,
}

/// Applies the changes to one list (the `(index, change)` pairs all name `base`'s list) on top
/// of its current version `base` (none for a list never published). `latest` gives the latest
/// stored version number of an item, so an amendment gets the next number.
pub fn apply_to_list<'a>(
    base: Option<&ListVersion>,
    changes: impl IntoIterator<Item = (usize, &'a ProposedChange)>,
    latest: impl Fn(ItemId) -> Option<u32>,
    base_content: impl Fn(ItemId, u32) -> Option<&'a ItemContent>,
) -> Result<Applied, RevisionError> {
    let changes = changes.into_iter().map(|(i, c)| (i, Cow::Borrowed(c)));
    apply(base, changes, latest, base_content)
}

/// [`apply_to_list`] consuming the changes: the new item versions take their contents instead
/// of copying them (publication, where the changes are not needed after: 100,000 contents
/// copied and then dropped cost most of a second).
pub fn apply_owned_to_list<'a>(
    base: Option<&ListVersion>,
    changes: impl IntoIterator<Item = (usize, ProposedChange)>,
    latest: impl Fn(ItemId) -> Option<u32>,
    base_content: impl Fn(ItemId, u32) -> Option<&'a ItemContent>,
) -> Result<Applied, RevisionError> {
    let changes = changes.into_iter().map(|(i, c)| (i, Cow::Owned(c)));
    apply(base, changes, latest, base_content)
}

/// The new content a change carries, taken when owned.
fn content_of(c: Cow<'_, ProposedChange>) -> Option<ItemContent> {
    match c {
        Cow::Borrowed(c) => c.content().cloned(),
        Cow::Owned(c) => match c.change {
            Change::Add { content, .. } | Change::Amend { content, .. } => Some(content),
            Change::Remove { .. } => None,
        },
    }
}

fn apply<'a, 'c>(
    base: Option<&ListVersion>,
    changes: impl Iterator<Item = (usize, Cow<'c, ProposedChange>)>,
    latest: impl Fn(ItemId) -> Option<u32>,
    base_content: impl Fn(ItemId, u32) -> Option<&'a ItemContent>,
) -> Result<Applied, RevisionError> {
    let mut entries: Vec<ListEntry> = base.map(|b| b.entries.clone()).unwrap_or_default();
    let mut overrides = base.map(|b| b.overrides.clone()).unwrap_or_default();
    let mut new_items = Vec::new();
    let mut removed = HashSet::new();
    // Positions of the live entries, and tombstones for removed ones (dropped at the end), so
    // a change set of 100,000 items is applied in linear time.
    let mut position: HashMap<ItemId, usize> =
        entries.iter().enumerate().map(|(i, e)| (e.item, i)).collect();
    let mut alive = vec![true; entries.len()];
    for (i, c) in changes {
        let index = i + 1;
        let at = position.get(&c.item()).copied();
        match (&c.change, at) {
            (Change::Add { item, duty, .. }, None) => {
                let (item, duty) = (*item, *duty);
                let version = latest(item).map_or(1, |v| v + 1);
                position.insert(item, entries.len());
                entries.push(ListEntry { item, item_version: version, duty });
                alive.push(true);
                if let Some(content) = content_of(c) {
                    new_items.push(PowerItem { id: item, version, content });
                }
            }
            (Change::Add { item, .. }, Some(_)) => {
                return Err(RevisionError::AlreadyInList { index, item: *item });
            }
            (Change::Amend { item, .. } | Change::Remove { item, .. }, None) => {
                return Err(RevisionError::NotInList { index, item: *item });
            }
            (Change::Amend { item, base, content }, Some(at)) => {
                let current = entries[at].item_version;
                if current != *base {
                    return Err(RevisionError::Stale { index, item: *item, base: *base, current });
                }
                if base_content(*item, current) == Some(content) {
                    return Err(RevisionError::NoDifference { index });
                }
                let item = *item;
                let version = latest(item).unwrap_or(current).max(current) + 1;
                entries[at].item_version = version;
                if let Some(content) = content_of(c) {
                    new_items.push(PowerItem { id: item, version, content });
                }
            }
            (Change::Remove { item, base }, Some(at)) => {
                let current = entries[at].item_version;
                if current != *base {
                    return Err(RevisionError::Stale { index, item: *item, base: *base, current });
                }
                alive[at] = false;
                position.remove(item);
                removed.insert(*item);
            }
        }
    }
    let mut alive = alive.into_iter();
    entries.retain(|_| alive.next().unwrap_or(false));
    overrides.retain(|o| match &o.change {
        OverrideChange::Remove { item } => !removed.contains(item),
        OverrideChange::Add { .. } => true,
    });
    Ok(Applied { entries, new_items, overrides })
}

/// Any refusal of an operation on a change set. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeSetError {
    /// The workflow refused.
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// The opinion or comment was refused.
    #[error(transparent)]
    Opinion(#[from] OpinionError),
    /// The verdict was refused.
    #[error(transparent)]
    Review(#[from] ReviewError),
    /// The changes were refused.
    #[error(transparent)]
    Revision(#[from] RevisionError),
    /// A comment period that ends before it opens.
    #[error("the comment period must end after {0}")]
    BadPeriod(NaiveDate),
    /// A round sent to nobody.
    #[error("no unit to ask for opinions")]
    NobodyToAsk,
}

impl ChangeSetError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            ChangeSetError::Flow(e) => e.zh(),
            ChangeSetError::Opinion(e) => e.zh(),
            ChangeSetError::Review(e) => e.zh(),
            ChangeSetError::Revision(e) => e.zh(),
            ChangeSetError::BadPeriod(opens) => format!("公示截止日期须晚于{opens}"),
            ChangeSetError::NobodyToAsk => "没有需要征求意见的单位".into(),
        }
    }
}

/// 调整方案 — a proposed revision of one or more lists and everything done with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangeSet {
    /// Id.
    pub id: ChangeSetId,
    /// Title (e.g. 关于调整县市场监管局权责清单的方案).
    pub title: String,
    /// The day the new versions take effect once published.
    pub effective_on: NaiveDate,
    /// The changes, in the order proposed.
    pub changes: Vec<ProposedChange>,
    /// The workflow.
    pub flow: Flow,
    /// Opinion rounds sent, oldest first.
    pub rounds: Vec<OpinionRound>,
    /// The public comment period, once opened.
    pub comments: Option<CommentPeriod>,
    /// The legality review, once started (restarted on each submission).
    pub review: Option<LegalReview>,
    /// The list versions it published.
    pub published: Vec<ListVersionId>,
    /// 追认 — recorded when it takes effect before the day it was drafted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratification: Option<crate::schedule::Ratification>,
    /// Who drafted it.
    pub created_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl ChangeSet {
    /// A new change set in drafting. The changes are checked for reason, basis and
    /// duplicates here; against the lists by the caller with [`apply_to_list`].
    #[allow(clippy::too_many_arguments)]
    pub fn draft(
        id: ChangeSetId,
        title: String,
        effective_on: NaiveDate,
        changes: Vec<ProposedChange>,
        handler: UnitId,
        max_rounds: u8,
        countersigners: BTreeSet<UnitId>,
        who: Actor,
    ) -> Result<ChangeSet, ChangeSetError> {
        check_changes(&changes)?;
        Ok(ChangeSet {
            id,
            title,
            effective_on,
            changes,
            flow: Flow::new(handler, max_rounds, countersigners),
            rounds: Vec::new(),
            comments: None,
            review: None,
            published: Vec::new(),
            ratification: None,
            created_by: who.by,
            created_at: who.at,
        })
    }

    /// The items it touches.
    pub fn items(&self) -> BTreeSet<ItemId> {
        self.changes.iter().map(ProposedChange::item).collect()
    }

    /// The lists it touches.
    pub fn lists(&self) -> BTreeSet<ListId> {
        self.changes.iter().map(|c| c.list).collect()
    }

    /// The changes to one list, with their 0-based positions.
    pub fn changes_to(&self, list: ListId) -> impl Iterator<Item = (usize, &ProposedChange)> {
        self.changes.iter().enumerate().filter(move |(_, c)| c.list == list)
    }

    /// The round that is out, if one is.
    pub fn open_round(&self) -> Option<&OpinionRound> {
        match self.flow.stage {
            Stage::Opinions { round } => self.rounds.iter().find(|r| r.number == round),
            _ => None,
        }
    }

    fn open_round_mut(&mut self, op: Operation) -> Result<&mut OpinionRound, ChangeSetError> {
        let Stage::Opinions { round } = self.flow.stage else {
            return Err(FlowError::WrongStage { op, stage: self.flow.stage }.into());
        };
        self.rounds
            .iter_mut()
            .find(|r| r.number == round)
            .ok_or(FlowError::WrongStage { op, stage: Stage::Drafting }.into())
    }

    /// Replaces the changes while drafting (after a round, to adopt its opinions).
    pub fn revise(&mut self, changes: Vec<ProposedChange>) -> Result<(), ChangeSetError> {
        self.flow.require(Operation::Revise, |s| s == Stage::Drafting)?;
        check_changes(&changes)?;
        self.changes = changes;
        Ok(())
    }

    /// 征求意见 — sends the next round to `units`, due `working_days` working days after
    /// `today`. Returns the round's number.
    pub fn send_round(
        &mut self,
        units: BTreeSet<UnitId>,
        today: NaiveDate,
        working_days: u32,
        calendar: &WorkCalendar,
        who: Actor,
    ) -> Result<u8, ChangeSetError> {
        if units.is_empty() {
            return Err(ChangeSetError::NobodyToAsk);
        }
        let mut flow = self.flow.clone();
        let number = flow.send_round(who)?;
        self.rounds.push(OpinionRound::open(number, units, today, working_days, calendar));
        self.flow = flow;
        Ok(number)
    }

    /// A unit's reply to the open round.
    pub fn reply(
        &mut self,
        unit: UnitId,
        opinions: Vec<NewOpinion>,
        who: Actor,
    ) -> Result<(), ChangeSetError> {
        let items = self.items();
        self.open_round_mut(Operation::Reply)?.reply(unit, opinions, &items, who.by, who.at)?;
        Ok(())
    }

    /// The staffing office resolves an opinion of the open round.
    pub fn resolve(
        &mut self,
        opinion: OpinionId,
        kind: ResolutionKind,
        reason: &str,
        who: Actor,
    ) -> Result<(), ChangeSetError> {
        self.open_round_mut(Operation::Resolve)?.resolve(opinion, kind, reason, who.by, who.at)?;
        Ok(())
    }

    /// Closes the open round (every opinion resolved).
    pub fn close_round(&mut self, who: Actor) -> Result<(), ChangeSetError> {
        let round = self.open_round_mut(Operation::CloseRound)?.clone();
        self.flow.close_round(&round, who)?;
        Ok(())
    }

    /// 催办 — the units of the open round that have not replied.
    pub fn urge(&mut self, who: Actor) -> Result<BTreeSet<UnitId>, ChangeSetError> {
        let round = self.open_round_mut(Operation::Urge)?.clone();
        Ok(self.flow.urge(&round, who)?)
    }

    /// 公示 — opens the public comment period from `today` until `until` (inclusive).
    pub fn open_comment(
        &mut self,
        today: NaiveDate,
        until: NaiveDate,
        who: Actor,
    ) -> Result<(), ChangeSetError> {
        if until <= today {
            return Err(ChangeSetError::BadPeriod(today));
        }
        self.flow.open_comment(who)?;
        self.comments = Some(CommentPeriod::new(today, until));
        Ok(())
    }

    /// A comment from the public during the period.
    pub fn comment(
        &mut self,
        id: OpinionId,
        item: Option<ItemId>,
        text: &str,
        today: NaiveDate,
    ) -> Result<(), ChangeSetError> {
        self.flow.require(Operation::Comment, |s| s == Stage::PublicComment)?;
        if let Some(item) = item
            && !self.items().contains(&item)
        {
            return Err(OpinionError::UnknownItem(item).into());
        }
        let period = self
            .comments
            .as_mut()
            .ok_or(FlowError::WrongStage { op: Operation::Comment, stage: self.flow.stage })?;
        period.receive(id, item, text, today)?;
        Ok(())
    }

    /// The answer to a public comment (during or after the period, before review).
    pub fn answer(
        &mut self,
        id: OpinionId,
        kind: ResolutionKind,
        text: &str,
        who: Actor,
    ) -> Result<(), ChangeSetError> {
        self.flow.require(Operation::Answer, |s| s == Stage::PublicComment)?;
        let period = self
            .comments
            .as_mut()
            .ok_or(FlowError::WrongStage { op: Operation::Answer, stage: self.flow.stage })?;
        period.answer(id, kind, text, who.by, who.at)?;
        Ok(())
    }

    /// The items the legality review looks at: every added or amended item with its new
    /// content (a removal needs no legal grant).
    pub fn review_items(&self) -> Vec<ReviewItem<'_>> {
        self.changes
            .iter()
            .filter_map(|c| match &c.change {
                Change::Add { item, duty, content } => {
                    Some(ReviewItem { item: *item, list: c.list, duty: *duty, content })
                }
                Change::Amend { item, content, .. } => {
                    Some(ReviewItem { item: *item, list: c.list, duty: DutyKind::Own, content })
                }
                Change::Remove { .. } => None,
            })
            .collect()
    }

    /// Sends the draft to legality review and runs the automatic checks. `duties` gives the
    /// current duty kind of amended items (their entry keeps it), `removed` the current
    /// content of removed items: each removal is reviewed too (a change set made only of
    /// removals still needs the reviewer's verdicts).
    pub fn submit_for_review(
        &mut self,
        ctx: &ReviewContext<'_>,
        duties: &BTreeMap<ItemId, DutyKind>,
        removed: &HashMap<ItemId, &ItemContent>,
        today: NaiveDate,
        who: Actor,
    ) -> Result<(), ChangeSetError> {
        let mut flow = self.flow.clone();
        flow.submit_for_review(self.comments.as_ref(), today, who)?;
        let mut items = self.review_items();
        for it in &mut items {
            if let Some(duty) = duties.get(&it.item) {
                it.duty = *duty;
            }
        }
        let mut review = LegalReview::start(&items, ctx);
        for c in &self.changes {
            if let Change::Remove { item, .. } = c.change {
                let content = removed.get(&item).copied();
                review.findings.push(crate::review::removal::removal_findings(
                    item,
                    content,
                    ctx.laws,
                    ctx.effective_on,
                ));
            }
        }
        self.flow = flow;
        self.review = Some(review);
        Ok(())
    }

    /// The reviewer's verdict on one item.
    pub fn verdict(
        &mut self,
        item: ItemId,
        verdict: Verdict,
        who: Actor,
    ) -> Result<(), ChangeSetError> {
        self.verdicts(vec![(item, verdict)], who)
    }

    /// The reviewer's verdicts on many items at once; none is recorded if one is refused.
    pub fn verdicts(
        &mut self,
        verdicts: Vec<(ItemId, Verdict)>,
        who: Actor,
    ) -> Result<(), ChangeSetError> {
        self.flow.require(Operation::Verdict, |s| s == Stage::LegalReview)?;
        let review = self
            .review
            .as_mut()
            .ok_or(FlowError::WrongStage { op: Operation::Verdict, stage: self.flow.stage })?;
        review.record_all(verdicts, who.by, who.at)?;
        Ok(())
    }

    /// 提请审定 — once the review has passed.
    pub fn submit_for_approval(&mut self, who: Actor) -> Result<(), ChangeSetError> {
        let Some(review) = &self.review else {
            return Err(FlowError::WrongStage {
                op: Operation::SubmitForApproval,
                stage: self.flow.stage,
            }
            .into());
        };
        let review = review.clone();
        self.flow.submit_for_approval(&review, who)?;
        Ok(())
    }

    /// 会签.
    pub fn countersign(&mut self, unit: UnitId, who: Actor) -> Result<(), ChangeSetError> {
        Ok(self.flow.countersign(unit, who)?)
    }

    /// 审定.
    pub fn approve(&mut self, approval: Approval, who: Actor) -> Result<(), ChangeSetError> {
        Ok(self.flow.approve(approval, who)?)
    }

    /// 公布 — records the versions published (the caller writes them in the same transaction).
    pub fn publish(
        &mut self,
        versions: Vec<ListVersionId>,
        who: Actor,
    ) -> Result<(), ChangeSetError> {
        self.flow.publish(who)?;
        self.published = versions;
        Ok(())
    }

    /// 退回 — back to an earlier step. Returning to opinions sends the next round to the same
    /// units as the last one.
    pub fn return_to(
        &mut self,
        to: Stage,
        reason: &str,
        today: NaiveDate,
        working_days: u32,
        calendar: &WorkCalendar,
        who: Actor,
    ) -> Result<(), ChangeSetError> {
        let mut flow = self.flow.clone();
        flow.return_to(to, reason, who)?;
        if let Stage::Opinions { round } = flow.stage {
            let units: BTreeSet<UnitId> = self
                .rounds
                .last()
                .map(|r| r.tasks.iter().map(|t| t.unit).collect())
                .unwrap_or_default();
            if units.is_empty() {
                return Err(ChangeSetError::NobodyToAsk);
            }
            self.rounds.push(OpinionRound::open(round, units, today, working_days, calendar));
        }
        if flow.stage.is_before_review() {
            self.review = None;
        }
        self.flow = flow;
        Ok(())
    }

    /// 撤回.
    pub fn withdraw(&mut self, reason: &str, who: Actor) -> Result<(), ChangeSetError> {
        Ok(self.flow.withdraw(reason, who)?)
    }

    /// 转办.
    pub fn transfer(&mut self, to: UnitId, reason: &str, who: Actor) -> Result<(), ChangeSetError> {
        Ok(self.flow.transfer(to, reason, who)?)
    }
}

#[cfg(test)]
mod tests;
