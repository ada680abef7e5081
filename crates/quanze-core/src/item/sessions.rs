//! 定期审批 — the set days on which an item is decided (集中审批日), as its service guide
//! publishes them: "每周二、周五" or "每月10日、25日".

use chrono::{Datelike, Days, NaiveDate};

use crate::ValidationError;
use crate::calendar::{Deadline, WorkCalendar};

const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

/// 审批日 — the days an item is decided on: weekdays (1 = Monday … 7 = Sunday) or days of the
/// month (1–31; a month without the day holds it on its last day). A set day that is not a
/// working day is held on the next working day, as every period rolls forward (民法典第二百零三条
/// by analogy). Parsed from and written as its Chinese text, so a guide reads as it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionDays {
    monthly: bool,
    /// Sorted, unique, within range.
    days: Vec<u8>,
}

impl SessionDays {
    /// Weekly sessions on `weekdays` (1 = Monday … 7 = Sunday).
    pub fn weekly(weekdays: &[u8]) -> Result<SessionDays, ValidationError> {
        SessionDays::new(false, weekdays)
    }

    /// Monthly sessions on `days` of the month (1–31).
    pub fn monthly(days: &[u8]) -> Result<SessionDays, ValidationError> {
        SessionDays::new(true, days)
    }

    fn new(monthly: bool, days: &[u8]) -> Result<SessionDays, ValidationError> {
        let top = if monthly { 31 } else { 7 };
        let mut days = days.to_vec();
        days.sort_unstable();
        days.dedup();
        if days.is_empty() || days.iter().any(|&d| d == 0 || d > top) {
            return Err(invalid(&format!("{days:?}")));
        }
        Ok(SessionDays { monthly, days })
    }

    /// Parses the guide's text: 每周 followed by weekdays (一 … 六, 日 or 天, or 1–7; "周" and
    /// "星期" before each are optional), or 每月 followed by days (1–31, each optionally followed
    /// by 日 or 号), separated by 、 , ， or spaces.
    pub fn parse(raw: &str) -> Result<SessionDays, ValidationError> {
        let text: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let (monthly, rest) = if let Some(rest) = text.strip_prefix("每周") {
            (false, rest)
        } else if let Some(rest) = text.strip_prefix("每月") {
            (true, rest)
        } else {
            return Err(invalid(raw));
        };
        let mut days = Vec::new();
        for part in rest.split(['、', ',', '，', ';', '；']) {
            let part = if monthly {
                part.trim_end_matches(['日', '号'])
            } else {
                part.trim_start_matches("星期").trim_start_matches('周')
            };
            let day = if monthly {
                part.parse::<u8>().ok()
            } else {
                match part {
                    "天" => Some(7),
                    _ => WEEKDAYS_ZH
                        .iter()
                        .position(|w| *w == part)
                        .and_then(|i| u8::try_from(i + 1).ok())
                        .or_else(|| part.parse::<u8>().ok()),
                }
            };
            days.push(day.ok_or_else(|| invalid(raw))?);
        }
        SessionDays::new(monthly, &days).map_err(|_| invalid(raw))
    }

    /// The Chinese text: 每周二、周五 / 每月10日、25日.
    pub fn zh(&self) -> String {
        let parts: Vec<String> = if self.monthly {
            self.days.iter().map(|d| format!("{d}日")).collect()
        } else {
            // 每周二、周五: the first day follows 每周 directly.
            self.days
                .iter()
                .enumerate()
                .map(|(i, &d)| {
                    let day = WEEKDAYS_ZH[usize::from(d - 1)];
                    if i == 0 { day.to_owned() } else { format!("周{day}") }
                })
                .collect()
        };
        format!("{}{}", if self.monthly { "每月" } else { "每周" }, parts.join("、"))
    }

    /// Whether `date` is a set day before rolling forward.
    fn is_set_day(&self, date: NaiveDate) -> bool {
        if self.monthly {
            let last = last_day_of_month(date);
            self.days
                .iter()
                .any(|&d| u32::from(d) == date.day() || (u32::from(d) > last.day() && date == last))
        } else {
            self.days.contains(&u8::try_from(date.weekday().number_from_monday()).unwrap_or(0))
        }
    }

    /// The first session on or after `from`: a set day, moved to the next working day when it
    /// is not one. Provisional when that needed a year without calendar data.
    pub fn next_on_or_after(&self, from: NaiveDate, calendar: &WorkCalendar) -> Deadline {
        // A set day up to a fortnight before `from` may roll forward onto or past it (a long
        // holiday); set days come at least once a month, so 62 days on always find one.
        let mut day = from.checked_sub_days(Days::new(14)).unwrap_or(from);
        let end = from.checked_add_days(Days::new(62)).unwrap_or(from);
        while day <= end {
            if self.is_set_day(day) {
                let held = calendar.add_calendar_days(day, 0);
                if held.date >= from {
                    return held;
                }
            }
            day = day.succ_opt().unwrap_or(day);
        }
        calendar.add_calendar_days(from, 0)
    }

    /// Whether a session is held on `date`.
    pub fn is_session(&self, date: NaiveDate, calendar: &WorkCalendar) -> bool {
        self.next_on_or_after(date, calendar).date == date
    }
}

fn last_day_of_month(date: NaiveDate) -> NaiveDate {
    let first = date.with_day(1).unwrap_or(date);
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(date)
}

fn invalid(raw: &str) -> ValidationError {
    ValidationError::Invalid {
        field: "sessions",
        reason: "not a session schedule (每周 with weekdays, or 每月 with days of the month)",
        reason_zh: "不是有效的审批日（每周加星期几，或每月加日期，如“每周二、周五”“每月10日、25日”）",
        value: raw.to_owned(),
    }
}

impl TryFrom<String> for SessionDays {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<SessionDays, ValidationError> {
        SessionDays::parse(&s)
    }
}

impl From<SessionDays> for String {
    fn from(s: SessionDays) -> String {
        s.zh()
    }
}

impl std::fmt::Display for SessionDays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.zh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn calendar() -> WorkCalendar {
        WorkCalendar::parse(crate::calendar::OFFICIAL_HOLIDAYS).unwrap()
    }

    #[test]
    fn the_guide_text_parses_and_reads_back() {
        let weekly = SessionDays::parse("每周二、五").unwrap();
        assert_eq!(weekly, SessionDays::weekly(&[2, 5]).unwrap());
        assert_eq!(weekly.zh(), "每周二、周五");
        assert_eq!(SessionDays::parse("每周 星期二，星期五").unwrap(), weekly);
        assert_eq!(SessionDays::parse("每周2,5").unwrap(), weekly);
        let monthly = SessionDays::parse("每月25号、10日").unwrap();
        assert_eq!(monthly.zh(), "每月10日、25日");
        assert_eq!(SessionDays::parse(&monthly.zh()).unwrap(), monthly);
        let json = serde_json::to_string(&monthly).unwrap();
        assert_eq!(json, "\"每月10日、25日\"");
        assert_eq!(serde_json::from_str::<SessionDays>(&json).unwrap(), monthly);
        for bad in ["", "周二", "每周八", "每周", "每月32日", "每月0日", "每月十日", "每周二、"]
        {
            let err = SessionDays::parse(bad).unwrap_err();
            assert!(err.to_string().contains("sessions"), "{bad}: {err}");
        }
        assert!(serde_json::from_str::<SessionDays>("\"每周九\"").is_err());
    }

    #[test]
    fn sessions_fall_on_set_days_and_move_past_days_off() {
        let cal = calendar();
        // 2026-12-08 is a Tuesday.
        let weekly = SessionDays::parse("每周二、周五").unwrap();
        assert_eq!(weekly.next_on_or_after(d(2026, 12, 7), &cal).date, d(2026, 12, 8));
        assert_eq!(weekly.next_on_or_after(d(2026, 12, 8), &cal).date, d(2026, 12, 8));
        assert_eq!(weekly.next_on_or_after(d(2026, 12, 9), &cal).date, d(2026, 12, 11));
        assert!(weekly.is_session(d(2026, 12, 11), &cal));
        assert!(!weekly.is_session(d(2026, 12, 10), &cal));
        // National Day 2026: Friday 2 October is a holiday; its session is held on the next
        // working day, Friday the 9th (the 9th is itself a session day: one session).
        let held = weekly.next_on_or_after(d(2026, 10, 1), &cal).date;
        assert!(cal.counts_as_working_day(held), "{held}");
        assert!(held > d(2026, 10, 7), "{held}");
        // Monthly on the 31st: held on a month's last day when it has no 31st, then rolled
        // forward to a working day (30 November 2026 is a Monday).
        let monthly = SessionDays::monthly(&[31]).unwrap();
        // 31 October 2026 is a Saturday: held on Monday 2 November.
        assert_eq!(monthly.next_on_or_after(d(2026, 10, 20), &cal).date, d(2026, 11, 2));
        assert_eq!(monthly.next_on_or_after(d(2026, 11, 3), &cal).date, d(2026, 11, 30));
        // 31 January 2026 is a Saturday: held Monday 2 February.
        assert_eq!(monthly.next_on_or_after(d(2026, 1, 20), &cal).date, d(2026, 2, 2));
        assert!(monthly.is_session(d(2026, 2, 2), &cal));
        // A year without calendar data: weekends only, and provisional.
        let next = weekly.next_on_or_after(d(2031, 3, 1), &cal);
        assert!(next.provisional);
        assert_eq!(next.date.weekday().number_from_monday(), 2);
    }
}
