//! Opinion rounds (三上三下) and public comment periods (公示): tasks sent down with working-day
//! due dates, opinions sent up per item, and the staffing office's resolution of each.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::{Deadline, WorkCalendar};
use crate::ids::{ItemId, OpinionId, UnitId, UserId};

/// 征求意见任务 — one affected unit's task in a round, with its due date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoundTask {
    /// The unit asked for its opinion.
    pub unit: UnitId,
    /// The due date (the last day to reply).
    pub due: NaiveDate,
    /// Whether the due date crosses a year without holiday data.
    pub due_provisional: bool,
    /// When the unit replied, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_at: Option<DateTime<Utc>>,
}

/// 意见类型 — what a unit says about an item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stance {
    /// 同意.
    Agree,
    /// 修改 — with the proposed text.
    Amend {
        /// The proposed wording.
        proposed: String,
    },
    /// 反对.
    Object,
}

/// 办理结果 — how the staffing office dealt with an opinion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionKind {
    /// 采纳.
    Adopted,
    /// 部分采纳.
    PartlyAdopted,
    /// 不予采纳.
    NotAdopted,
}

impl ResolutionKind {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ResolutionKind::Adopted => "采纳",
            ResolutionKind::PartlyAdopted => "部分采纳",
            ResolutionKind::NotAdopted => "不予采纳",
        }
    }
}

/// 意见办理 — the resolution of one opinion, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Resolution {
    /// Adopted, partly adopted or not adopted.
    pub kind: ResolutionKind,
    /// Why (required unless fully adopted).
    pub reason: String,
    /// Who resolved it.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A unit's opinion on one item, as it sends it up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewOpinion {
    /// Id for the opinion (from the caller).
    pub id: OpinionId,
    /// The item; `None` for the change set as a whole.
    pub item: Option<ItemId>,
    /// Agree, amend or object.
    pub stance: Stance,
    /// The reason (required for amend and object).
    pub reason: String,
}

/// 反馈意见 — one opinion sent up in a round, with its resolution once given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Opinion {
    /// Id.
    pub id: OpinionId,
    /// The unit that sent it.
    pub unit: UnitId,
    /// The item; `None` for the change set as a whole.
    pub item: Option<ItemId>,
    /// Agree, amend or object.
    pub stance: Stance,
    /// The reason.
    pub reason: String,
    /// Who sent it.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// The staffing office's resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
}

impl Opinion {
    /// Whether the opinion still needs a resolution: an amendment or objection without one.
    /// An agreement needs none.
    pub fn is_unresolved(&self) -> bool {
        self.stance != Stance::Agree && self.resolution.is_none()
    }
}

/// 征求意见轮次 — one round of 三上三下: tasks down, opinions up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpinionRound {
    /// 1, 2, 3 …
    pub number: u8,
    /// The day the draft was sent down.
    pub sent_on: NaiveDate,
    /// One task per affected unit.
    pub tasks: Vec<RoundTask>,
    /// Opinions received.
    pub opinions: Vec<Opinion>,
}

/// Why an opinion, resolution or comment was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpinionError {
    /// The unit has no task in this round.
    #[error("unit {0} was not asked for its opinion in this round")]
    NotAsked(UnitId),
    /// The unit already replied.
    #[error("unit {0} already replied in this round")]
    AlreadyReplied(UnitId),
    /// An amendment or objection without a reason, or an amendment without text.
    #[error("an amendment or objection needs a reason and an amendment its proposed text")]
    MissingReason,
    /// A resolution other than adopted without a reason.
    #[error("a partly adopted or not adopted opinion needs a reason")]
    ResolutionWithoutReason,
    /// No such opinion or comment.
    #[error("no opinion or comment {0}")]
    NotFound(OpinionId),
    /// Already resolved or answered.
    #[error("opinion or comment {0} has already been dealt with")]
    AlreadyDone(OpinionId),
    /// The id is used already.
    #[error("id {0} is already used")]
    DuplicateId(OpinionId),
    /// The opinion concerns an item outside the change set.
    #[error("item {0} is not part of this change set")]
    UnknownItem(ItemId),
    /// The round or period is not open (or the change set is in another state).
    #[error("no opinion round or comment period is open")]
    NotOpen,
    /// A comment arrived after the period ended.
    #[error("the comment period ended on {0}")]
    PeriodEnded(NaiveDate),
    /// A comment or answer without text.
    #[error("the text must not be empty")]
    EmptyText,
    /// A comment's text is too long or holds characters a text may not.
    #[error("the comment: {0}")]
    Text(#[from] crate::text::TextError),
}

/// The most characters of a comment from the public.
pub const MAX_COMMENT_CHARS: usize = 2000;

impl OpinionError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            OpinionError::NotAsked(unit) => format!("单位{unit}不在本轮征求意见范围内"),
            OpinionError::AlreadyReplied(unit) => format!("单位{unit}本轮已反馈意见"),
            OpinionError::MissingReason => {
                "修改或反对意见须说明理由，修改意见须提出修改后的表述".into()
            }
            OpinionError::ResolutionWithoutReason => "部分采纳或不予采纳须说明理由".into(),
            OpinionError::NotFound(id) => format!("意见{id}不存在"),
            OpinionError::AlreadyDone(id) => format!("意见{id}已办理，不能重复办理"),
            OpinionError::DuplicateId(id) => format!("编号{id}已被使用"),
            OpinionError::UnknownItem(item) => format!("事项{item}不在本调整方案中"),
            OpinionError::NotOpen => "当前没有进行中的征求意见轮次或公示期".into(),
            OpinionError::PeriodEnded(until) => format!("公示期已于{until}结束"),
            OpinionError::EmptyText => "内容不能为空".into(),
            OpinionError::Text(e) => format!("意见{}", e.zh()),
        }
    }
}

impl OpinionRound {
    /// Opens round `number` on `sent_on`: one task per affected unit, each due `working_days`
    /// working days later (the sending day does not count).
    pub fn open(
        number: u8,
        units: impl IntoIterator<Item = UnitId>,
        sent_on: NaiveDate,
        working_days: u32,
        calendar: &WorkCalendar,
    ) -> OpinionRound {
        let Deadline { date, provisional } = calendar.add_working_days(sent_on, working_days);
        let units: BTreeSet<UnitId> = units.into_iter().collect();
        let tasks = units
            .into_iter()
            .map(|unit| RoundTask {
                unit,
                due: date,
                due_provisional: provisional,
                replied_at: None,
            })
            .collect();
        OpinionRound { number, sent_on, tasks, opinions: Vec::new() }
    }

    /// Records a unit's reply: its opinions per item (possibly none: 无意见). `items` are the
    /// items the change set touches. Either everything is recorded or nothing.
    pub fn reply(
        &mut self,
        unit: UnitId,
        opinions: Vec<NewOpinion>,
        items: &BTreeSet<ItemId>,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), OpinionError> {
        let Some(task) = self.tasks.iter().position(|t| t.unit == unit) else {
            return Err(OpinionError::NotAsked(unit));
        };
        if self.tasks[task].replied_at.is_some() {
            return Err(OpinionError::AlreadyReplied(unit));
        }
        let mut seen = BTreeSet::new();
        for o in &opinions {
            let needs_reason = o.stance != Stance::Agree;
            let empty_amend =
                matches!(&o.stance, Stance::Amend { proposed } if proposed.trim().is_empty());
            if (needs_reason && o.reason.trim().is_empty()) || empty_amend {
                return Err(OpinionError::MissingReason);
            }
            if let Some(item) = o.item
                && !items.contains(&item)
            {
                return Err(OpinionError::UnknownItem(item));
            }
            if !seen.insert(o.id) || self.opinions.iter().any(|x| x.id == o.id) {
                return Err(OpinionError::DuplicateId(o.id));
            }
        }
        self.tasks[task].replied_at = Some(at);
        self.opinions.extend(opinions.into_iter().map(|o| Opinion {
            id: o.id,
            unit,
            item: o.item,
            stance: o.stance,
            reason: o.reason.trim().to_owned(),
            by,
            at,
            resolution: None,
        }));
        Ok(())
    }

    /// Records the staffing office's resolution of one opinion.
    pub fn resolve(
        &mut self,
        opinion: OpinionId,
        kind: ResolutionKind,
        reason: &str,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), OpinionError> {
        let o = self
            .opinions
            .iter_mut()
            .find(|o| o.id == opinion)
            .ok_or(OpinionError::NotFound(opinion))?;
        if o.resolution.is_some() {
            return Err(OpinionError::AlreadyDone(opinion));
        }
        if kind != ResolutionKind::Adopted && reason.trim().is_empty() {
            return Err(OpinionError::ResolutionWithoutReason);
        }
        o.resolution = Some(Resolution { kind, reason: reason.trim().to_owned(), by, at });
        Ok(())
    }

    /// Opinions still waiting for a resolution.
    pub fn unresolved(&self) -> impl Iterator<Item = &Opinion> {
        self.opinions.iter().filter(|o| o.is_unresolved())
    }

    /// Tasks without a reply whose due date has passed on `today`.
    pub fn overdue(&self, today: NaiveDate) -> impl Iterator<Item = &RoundTask> {
        self.tasks.iter().filter(move |t| t.replied_at.is_none() && t.due < today)
    }

    /// Tasks without a reply that are not yet due on `today` (the round should wait for them).
    pub fn pending(&self, today: NaiveDate) -> impl Iterator<Item = &RoundTask> {
        self.tasks.iter().filter(move |t| t.replied_at.is_none() && t.due >= today)
    }
}

/// 公示意见 — one comment from the public on a published draft, with its answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicComment {
    /// Id.
    pub id: OpinionId,
    /// The item; `None` for the draft as a whole.
    pub item: Option<ItemId>,
    /// The comment.
    pub text: String,
    /// When it arrived.
    pub received_on: NaiveDate,
    /// The answer, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
}

/// 答复 — the answer to a public comment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    /// Adopted or not.
    pub kind: ResolutionKind,
    /// The answer's text.
    pub text: String,
    /// Who answered.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// 公示期 — a public comment period on a draft: from the day it opens to its last day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommentPeriod {
    /// First day.
    pub opens_on: NaiveDate,
    /// Last day on which comments are accepted.
    pub until: NaiveDate,
    /// Comments received.
    pub comments: Vec<PublicComment>,
}

impl CommentPeriod {
    /// A period opening on `opens_on` and ending on `until`.
    pub fn new(opens_on: NaiveDate, until: NaiveDate) -> CommentPeriod {
        CommentPeriod { opens_on, until, comments: Vec::new() }
    }

    /// Records a comment received on `received_on`.
    pub fn receive(
        &mut self,
        id: OpinionId,
        item: Option<ItemId>,
        text: &str,
        received_on: NaiveDate,
    ) -> Result<(), OpinionError> {
        if received_on > self.until {
            return Err(OpinionError::PeriodEnded(self.until));
        }
        if text.trim().is_empty() {
            return Err(OpinionError::EmptyText);
        }
        crate::text::check_text(text.trim(), MAX_COMMENT_CHARS, true)?;
        if self.comments.iter().any(|c| c.id == id) {
            return Err(OpinionError::DuplicateId(id));
        }
        let text = text.trim().to_owned();
        self.comments.push(PublicComment { id, item, text, received_on, answer: None });
        Ok(())
    }

    /// Records the answer to a comment.
    pub fn answer(
        &mut self,
        id: OpinionId,
        kind: ResolutionKind,
        text: &str,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<(), OpinionError> {
        let c = self.comments.iter_mut().find(|c| c.id == id).ok_or(OpinionError::NotFound(id))?;
        if c.answer.is_some() {
            return Err(OpinionError::AlreadyDone(id));
        }
        if text.trim().is_empty() {
            return Err(OpinionError::EmptyText);
        }
        c.answer = Some(Answer { kind, text: text.trim().to_owned(), by, at });
        Ok(())
    }

    /// Comments without an answer.
    pub fn unanswered(&self) -> impl Iterator<Item = &PublicComment> {
        self.comments.iter().filter(|c| c.answer.is_none())
    }
}

#[cfg(test)]
mod tests;
