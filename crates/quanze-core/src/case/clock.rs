//! 计时 — one clock of a case: when it started, how long it runs under which article, its
//! pauses (特别程序, 许可法第四十五条) and its one extension (第四十二条), the deadline that
//! follows, and the alert level (预警: 黄牌 when little time is left, 红牌 when overdue) on a day.
//!
//! A deadline is recomputed from the clock's facts, never edited: pauses push it back by the
//! days they lasted, counted in the clock's own unit, and a year without calendar data makes it
//! provisional until that year is loaded.

use chrono::{Days, NaiveDate};

use crate::calendar::{Deadline, Period, WorkCalendar};

use super::procedure::{ClockKind, PauseReason};

/// 中止 — one pause of a clock.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pause {
    /// The first day not counted.
    pub from: NaiveDate,
    /// The day counting resumed (`None` while paused).
    pub until: Option<NaiveDate>,
    /// Which special procedure.
    pub reason: PauseReason,
}

/// 延长 — the clock's one extension.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Extension {
    /// How long.
    pub period: Period,
    /// Why (许可法第四十二条: 应当将延长期限的理由告知申请人).
    pub reason: String,
    /// When it was approved.
    pub on: NaiveDate,
}

/// 计时 — one clock of a case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Clock {
    /// Which.
    pub kind: ClockKind,
    /// The article or rule that sets its length.
    pub basis: String,
    /// The day it started (the period counts from the next day, 民法典第二百零一条).
    pub started: NaiveDate,
    /// How long.
    pub period: Period,
    /// Whether special procedures pause it.
    pub pausable: bool,
    /// Its pauses, in order; the last may be open.
    #[serde(default)]
    pub pauses: Vec<Pause>,
    /// Its extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<Extension>,
    /// The deadline, as last computed.
    pub due: Deadline,
    /// The day it stopped (met), when it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<NaiveDate>,
}

/// 预警等级 — how a running clock stands on a day.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Alert {
    /// 正常.
    Green,
    /// 黄牌 — the share of time left is at or below the county's threshold.
    Yellow,
    /// 红牌 — past the deadline.
    Red,
}

impl Alert {
    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Alert::Green => "正常",
            Alert::Yellow => "黄牌预警",
            Alert::Red => "红牌超期",
        }
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Alert::Green => "green",
            Alert::Yellow => "yellow",
            Alert::Red => "red",
        }
    }

    /// Parses [`Alert::as_str`].
    pub fn parse(s: &str) -> Option<Alert> {
        [Alert::Green, Alert::Yellow, Alert::Red].into_iter().find(|a| a.as_str() == s)
    }
}

impl Clock {
    /// A clock started on `started`, with its deadline computed.
    pub fn start(
        kind: ClockKind,
        basis: &str,
        started: NaiveDate,
        period: Period,
        pausable: bool,
        calendar: &WorkCalendar,
    ) -> Clock {
        let mut clock = Clock {
            kind,
            basis: basis.to_owned(),
            started,
            period,
            pausable,
            pauses: Vec::new(),
            extension: None,
            due: calendar.deadline(started, period),
            stopped: None,
        };
        clock.recompute(calendar);
        clock
    }

    /// Whether it is running (started, not stopped, not paused).
    pub fn is_running(&self) -> bool {
        self.stopped.is_none() && !self.is_paused()
    }

    /// Whether it is paused now.
    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.until.is_none())
    }

    /// Recomputes the deadline from the facts: the period from the start, then the extension
    /// from the end of the period, then every finished pause added in the period's unit. An
    /// open pause is not counted yet (the deadline moves when counting resumes).
    pub fn recompute(&mut self, calendar: &WorkCalendar) {
        let mut due = calendar.deadline(self.started, self.period);
        let mut provisional = due.provisional;
        if let Some(ext) = &self.extension {
            let next = calendar.deadline(due.date, ext.period);
            provisional |= next.provisional;
            due = next;
        }
        for pause in &self.pauses {
            let Some(until) = pause.until else { continue };
            let next = match self.period {
                Period::WorkingDays(_) => {
                    let (n, p) = calendar.working_days_between(pause.from, until);
                    provisional |= p;
                    calendar.add_working_days(due.date, n)
                }
                Period::CalendarDays(_) | Period::Months(_) => {
                    let days = u32::try_from((until - pause.from).num_days().max(0)).unwrap_or(0);
                    calendar.add_calendar_days(due.date, days)
                }
            };
            provisional |= next.provisional;
            due = next;
        }
        self.due = Deadline { date: due.date, provisional };
    }

    /// The alert level on `on`, with `yellow_permille` the share of the period (‰) left at
    /// which it turns yellow. A stopped or paused clock is green.
    pub fn alert(&self, on: NaiveDate, yellow_permille: u32, calendar: &WorkCalendar) -> Alert {
        if !self.is_running() {
            return Alert::Green;
        }
        if on > self.due.date {
            Alert::Red
        } else if on >= self.yellow_from(yellow_permille, calendar) {
            Alert::Yellow
        } else {
            Alert::Green
        }
    }

    /// The first day the clock is yellow: the day from which at most `yellow_permille` ‰ of its
    /// length is left (counted in its unit), and never later than the deadline itself.
    pub fn yellow_from(&self, yellow_permille: u32, calendar: &WorkCalendar) -> NaiveDate {
        let total = match self.period {
            Period::WorkingDays(_) => calendar.working_days_between(self.started, self.due.date).0,
            _ => u32::try_from((self.due.date - self.started).num_days().max(0)).unwrap_or(0),
        };
        let left = u32::try_from(u64::from(total) * u64::from(yellow_permille) / 1000).unwrap_or(0);
        match self.period {
            Period::WorkingDays(_) => back_working_days(calendar, self.due.date, left),
            _ => {
                self.due.date.checked_sub_days(Days::new(u64::from(left))).unwrap_or(self.due.date)
            }
        }
    }

    /// The day the clock turns red (the day after its deadline).
    pub fn red_from(&self) -> NaiveDate {
        self.due.date.succ_opt().unwrap_or(self.due.date)
    }
}

/// The earliest day from which at most `n` working days are left up to `date` (counted as
/// [`WorkCalendar::working_days_between`] does: the days after it, up to and including `date`);
/// `date` itself when `n` is 0. Days without calendar data count Monday to Friday.
pub(crate) fn back_working_days(calendar: &WorkCalendar, date: NaiveDate, n: u32) -> NaiveDate {
    let mut day = date;
    let mut left = 0;
    while let Some(prev) = day.pred_opt() {
        let left_from_prev = left + u32::from(calendar.counts_as_working_day(day));
        if left_from_prev > n {
            break;
        }
        day = prev;
        left = left_from_prev;
    }
    day
}
