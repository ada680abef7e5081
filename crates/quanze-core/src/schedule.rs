//! The dates of a revision: no effective date in the past unless recorded as a ratification
//! (追认), and a public comment period (公示) of at least a configured number of working days.

use chrono::NaiveDate;

use crate::calendar::WorkCalendar;

/// 追认 — a list or change set recorded as taking effect before the day it is decided, with
/// the reason (a decision already applied, an approval issued before the record).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ratification {
    /// Why it takes effect retroactively.
    pub reason: String,
}

impl Ratification {
    /// A ratification from a raw reason: `None` when the reason is missing or blank.
    pub fn parse(reason: Option<&str>) -> Option<Ratification> {
        let reason = reason?.trim();
        (!reason.is_empty()).then(|| Ratification { reason: reason.to_owned() })
    }
}

/// Why a date was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// An effective date before today, not recorded as a ratification.
    #[error(
        "the effective date {effective_on} is before today ({today}); record it as a ratification with a reason"
    )]
    PastEffectiveDate {
        /// The date asked for.
        effective_on: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// A public comment period shorter than the minimum.
    #[error(
        "the comment period until {until} has {working_days} working days; at least {min} are required"
    )]
    ShortCommentPeriod {
        /// The last day of comments.
        until: NaiveDate,
        /// Working days it has.
        working_days: u32,
        /// The minimum.
        min: u32,
    },
}

impl ScheduleError {
    /// The message in Chinese, naming the rule.
    pub fn zh(&self) -> String {
        match self {
            ScheduleError::PastEffectiveDate { effective_on, today } => format!(
                "法不溯及既往（立法法第一百零四条）：生效日期{effective_on}早于今日{today}，须作为追认记录并说明理由"
            ),
            ScheduleError::ShortCommentPeriod { until, working_days, min } => format!(
                "公示期不得少于{min}个工作日（国办发〔2018〕37号）：公示至{until}仅有{working_days}个工作日"
            ),
        }
    }
}

/// Refuses an effective date before `today` unless it is recorded as a ratification.
pub fn check_effective_date(
    effective_on: NaiveDate,
    today: NaiveDate,
    ratification: Option<&Ratification>,
) -> Result<(), ScheduleError> {
    if effective_on < today && ratification.is_none() {
        return Err(ScheduleError::PastEffectiveDate { effective_on, today });
    }
    Ok(())
}

/// Refuses a public comment period opened `today` and ending `until` (inclusive) with fewer
/// than `min` working days after the opening day (民法典 201: the start day does not count).
pub fn check_comment_period(
    today: NaiveDate,
    until: NaiveDate,
    min: u32,
    calendar: &WorkCalendar,
) -> Result<(), ScheduleError> {
    let (working_days, _) = calendar.working_days_between(today, until);
    if working_days < min {
        return Err(ScheduleError::ShortCommentPeriod { until, working_days, min });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
