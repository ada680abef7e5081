//! 好差评 and 投诉建议 (国办发〔2019〕51号, domain.md §8; seed 002 意见箱、举报热线).
//!
//! Only the applicant rates a case, once it has ended, once per channel. A 差评 opens a
//! call-back (回访) and a rectification (整改) with a deadline the county sets; the unit may
//! appeal a rating it thinks malicious, and a supervisor decides. Complaints and suggestions
//! about a unit, an item or a case go to the supervising unit with a reply deadline.

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::{Deadline, WorkCalendar};
use crate::ids::{CaseId, ComplaintId, ItemId, RatingId, UnitId, UserId};

use super::{Case, CaseError, CaseRules, StepTime};

/// 评价等级 — the five levels.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RatingLevel {
    /// 非常不满意 (差评).
    VeryDissatisfied,
    /// 不满意 (差评).
    Dissatisfied,
    /// 基本满意 (中评).
    Basic,
    /// 满意 (好评).
    Satisfied,
    /// 非常满意 (好评).
    VerySatisfied,
}

impl RatingLevel {
    /// Every level, worst first.
    pub const ALL: [RatingLevel; 5] = [
        RatingLevel::VeryDissatisfied,
        RatingLevel::Dissatisfied,
        RatingLevel::Basic,
        RatingLevel::Satisfied,
        RatingLevel::VerySatisfied,
    ];

    /// Whether it is a 差评.
    pub fn is_bad(self) -> bool {
        self <= RatingLevel::Dissatisfied
    }

    /// Whether it is a 好评.
    pub fn is_good(self) -> bool {
        self >= RatingLevel::Satisfied
    }

    /// 1 (非常不满意) to 5 (非常满意).
    pub fn score(self) -> u8 {
        match self {
            RatingLevel::VeryDissatisfied => 1,
            RatingLevel::Dissatisfied => 2,
            RatingLevel::Basic => 3,
            RatingLevel::Satisfied => 4,
            RatingLevel::VerySatisfied => 5,
        }
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            RatingLevel::VeryDissatisfied => "非常不满意",
            RatingLevel::Dissatisfied => "不满意",
            RatingLevel::Basic => "基本满意",
            RatingLevel::Satisfied => "满意",
            RatingLevel::VerySatisfied => "非常满意",
        }
    }
}

/// 评价渠道 — where the applicant rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingChannel {
    /// 一次一评 — at the window (评价器).
    Window,
    /// 一事一评 — online, per matter.
    Online,
    /// 综合点评 — the applicant's overall review of the matter.
    Overall,
}

impl RatingChannel {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            RatingChannel::Window => "window",
            RatingChannel::Online => "online",
            RatingChannel::Overall => "overall",
        }
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            RatingChannel::Window => "一次一评",
            RatingChannel::Online => "一事一评",
            RatingChannel::Overall => "综合点评",
        }
    }
}

/// 评价 — one rating of a case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rating {
    /// Its id.
    pub id: RatingId,
    /// The case.
    pub case: CaseId,
    /// The unit rated (the one that handled the case).
    pub unit: UnitId,
    /// The level.
    pub level: RatingLevel,
    /// The channel.
    pub channel: RatingChannel,
    /// The comment (may be empty).
    pub comment: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The 差评's follow-up, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUp>,
}

/// 差评处理 — call-back, rectification and appeal of one 差评.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FollowUp {
    /// 回访 — when the applicant was called back and what they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_back: Option<(NaiveDate, String)>,
    /// 整改期限.
    pub rectify_by: Deadline,
    /// 整改情况 — when it was rectified (or explained) and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectified: Option<(NaiveDate, String)>,
    /// 申诉 — the unit's appeal against a malicious rating, and its result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal: Option<Appeal>,
}

/// 申诉 — the unit says a rating is malicious; a supervisor decides.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Appeal {
    /// Why the unit thinks it malicious.
    pub grounds: String,
    /// When.
    pub on: NaiveDate,
    /// The supervisor's decision: `Some(true)` upheld (the rating no longer counts),
    /// `Some(false)` rejected, `None` pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upheld: Option<bool>,
    /// Who decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<UserId>,
}

impl Rating {
    /// Whether it counts in the published results (an upheld appeal removes it).
    pub fn counts(&self) -> bool {
        self.follow_up
            .as_ref()
            .and_then(|f| f.appeal.as_ref())
            .is_none_or(|a| a.upheld != Some(true))
    }
}

/// 评价请求.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    /// Its id.
    pub id: RatingId,
    /// The level.
    pub level: RatingLevel,
    /// The channel.
    pub channel: RatingChannel,
    /// The comment.
    pub comment: String,
}

fn refuse(rule: &'static str, detail: &str, zh: &str) -> CaseError {
    CaseError::Unlawful {
        rule,
        article: "国办发〔2019〕51号",
        detail: detail.to_owned(),
        zh: zh.to_owned(),
    }
}

/// Rates `case`: `by_applicant` says whether the caller is the case's applicant (the service
/// matched them), `existing` are the channels already used. A 差评 gets its follow-up with
/// the county's rectification deadline.
pub fn rate(
    case: &Case,
    by_applicant: bool,
    existing: &[RatingChannel],
    new: NewRating,
    time: StepTime,
    rules: &CaseRules,
    calendar: &WorkCalendar,
) -> Result<Rating, CaseError> {
    let (at, on) = (time.at, time.on());
    if !by_applicant {
        return Err(refuse(
            "only_applicant_rates",
            "only the applicant rates a case",
            "只有办件的申请人本人可以评价（任何人不得代为评价或干预评价）",
        ));
    }
    if !case.procedure.on_application() {
        return Err(refuse(
            "not_rateable",
            "only services on application are rated",
            "依职权办理的事项不参加好差评",
        ));
    }
    if !case.state.is_final() {
        return Err(refuse(
            "case_not_ended",
            "a case is rated after it ends",
            "办件办结后方可评价",
        ));
    }
    if existing.contains(&new.channel) {
        return Err(refuse(
            "already_rated",
            "this case was rated on this channel already",
            &format!("该办件已通过“{}”评价过，每个渠道只能评价一次", new.channel.zh()),
        ));
    }
    if new.comment.chars().count() > 500 {
        return Err(refuse(
            "comment_too_long",
            "a comment has at most 500 characters",
            "评价内容不超过500字",
        ));
    }
    let follow_up = new.level.is_bad().then(|| FollowUp {
        call_back: None,
        rectify_by: calendar.deadline(on, rules.rectification),
        rectified: None,
        appeal: None,
    });
    Ok(Rating {
        id: new.id,
        case: case.id,
        unit: case.handling_unit,
        level: new.level,
        channel: new.channel,
        comment: new.comment.trim().to_owned(),
        at,
        follow_up,
    })
}

/// 投诉建议类别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintKind {
    /// 投诉.
    Complaint,
    /// 建议.
    Suggestion,
    /// 举报.
    Report,
}

impl ComplaintKind {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ComplaintKind::Complaint => "投诉",
            ComplaintKind::Suggestion => "建议",
            ComplaintKind::Report => "举报",
        }
    }
}

/// What a complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ComplaintSubject {
    /// A unit.
    Unit {
        /// The unit.
        unit: UnitId,
    },
    /// A unit's handling of an item.
    Item {
        /// The unit.
        unit: UnitId,
        /// The item.
        item: ItemId,
    },
    /// A case.
    Case {
        /// The case.
        case: CaseId,
    },
}

/// 投诉建议 — a complaint, suggestion or report, named or anonymous.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Complaint {
    /// Its id.
    pub id: ComplaintId,
    /// Which kind.
    pub kind: ComplaintKind,
    /// About what.
    pub subject: ComplaintSubject,
    /// The unit complained about.
    pub unit: UnitId,
    /// The unit that must answer (the supervising unit).
    pub supervisor: UnitId,
    /// The text.
    pub text: String,
    /// Whether the complainant gave their name and contact (kept as personal data).
    pub named: bool,
    /// When.
    pub at: DateTime<Utc>,
    /// The reply deadline.
    pub reply_by: Deadline,
    /// The reply, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Reply>,
    /// Whether the complainant agreed to publication (the text and the reply, never the name).
    pub publishable: bool,
}

/// 答复.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reply {
    /// The text.
    pub text: String,
    /// When.
    pub on: NaiveDate,
    /// Who.
    pub by: UserId,
    /// Whether it is published.
    pub published: bool,
}

impl Complaint {
    /// Whether it is overdue on `on`.
    pub fn overdue(&self, on: NaiveDate) -> bool {
        self.reply.is_none() && on > self.reply_by.date
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_classed() {
        assert!(RatingLevel::VeryDissatisfied.is_bad());
        assert!(RatingLevel::Dissatisfied.is_bad());
        assert!(!RatingLevel::Basic.is_bad() && !RatingLevel::Basic.is_good());
        assert!(RatingLevel::Satisfied.is_good());
        let scores: Vec<u8> = RatingLevel::ALL.iter().map(|l| l.score()).collect();
        assert_eq!(scores, [1, 2, 3, 4, 5]);
    }
}
