//! The working-day calendar (工作日历) and statutory periods (期间, 民法典 第201–203条).
//!
//! The calendar is parsed from the text of `data/holidays-cn.toml`, which the caller reads; new
//! years are loaded without a release. A period that runs into a year without data is still
//! computed (weekends only) but marked provisional, never silently trusted.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// 工作日历 — for every year with data, which dates are working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    /// Per year, one flag per day of the year (index = ordinal0).
    years: BTreeMap<i32, Vec<bool>>,
}

/// 期限 — the last day of a period, and whether it had to be computed through a year without
/// holiday data (then it is provisional and must be recomputed once the year is loaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deadline {
    /// The last day of the period (inclusive).
    pub date: NaiveDate,
    /// Whether a year without data was crossed.
    pub provisional: bool,
}

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "unit", content = "amount", rename_all = "snake_case")]
pub enum Period {
    /// N 个工作日.
    WorkingDays(u32),
    /// N 日 (calendar days; a last day off work moves to the next working day).
    CalendarDays(u32),
    /// N 个月 (the corresponding day of the last month, or its last day).
    Months(u32),
}

/// Why the holiday text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The text is not TOML of the expected shape.
    #[error("holiday calendar is not valid: {0}")]
    Syntax(String),
    /// A date is not `YYYY-MM-DD`.
    #[error("holiday calendar {year}: {value:?} is not a date")]
    BadDate {
        /// The year block.
        year: i32,
        /// The text.
        value: String,
    },
    /// A date lies outside its year block (the 2025 block may not list 2024-12-31 …).
    #[error("holiday calendar {year}: {date} lies outside the year")]
    OutsideYear {
        /// The year block.
        year: i32,
        /// The date.
        date: NaiveDate,
    },
    /// An `off` range does not have exactly two dates in order.
    #[error("holiday calendar {year}: {name} has an invalid off range")]
    BadRange {
        /// The year block.
        year: i32,
        /// The holiday's name.
        name: String,
    },
    /// A year appears twice.
    #[error("holiday calendar lists {0} twice")]
    DuplicateYear(i32),
    /// A year number is not a real year.
    #[error("holiday calendar: {0} is not a valid year")]
    BadYear(i64),
}

impl CalendarError {
    /// The message in Chinese, for end users.
    pub fn zh(&self) -> String {
        match self {
            CalendarError::Syntax(detail) => format!("节假日数据格式不正确：{detail}"),
            CalendarError::BadDate { year, value } => {
                format!("节假日数据{year}年中“{value}”不是有效日期（应为YYYY-MM-DD）")
            }
            CalendarError::OutsideYear { year, date } => {
                format!("节假日数据{year}年中的日期{date}不在该年内")
            }
            CalendarError::BadRange { year, name } => {
                format!("节假日数据{year}年“{name}”的放假区间应为先后两个日期")
            }
            CalendarError::DuplicateYear(year) => format!("节假日数据重复列出{year}年"),
            CalendarError::BadYear(year) => format!("节假日数据中的年份{year}无效"),
        }
    }
}

#[derive(serde::Deserialize)]
struct RawFile {
    #[serde(default)]
    year: Vec<RawYear>,
}

#[derive(serde::Deserialize)]
struct RawYear {
    year: i64,
    #[serde(default)]
    holidays: Vec<RawHoliday>,
}

#[derive(serde::Deserialize)]
struct RawHoliday {
    name: String,
    off: Vec<String>,
    #[serde(default)]
    work: Vec<String>,
}

/// The official calendars shipped with Quanze (`data/holidays-cn.toml`).
pub const OFFICIAL_HOLIDAYS: &str = include_str!("../data/holidays-cn.toml");

impl WorkCalendar {
    /// The official calendars shipped with Quanze: every year the State Council has published.
    pub fn official() -> WorkCalendar {
        WorkCalendar::parse(OFFICIAL_HOLIDAYS)
            .expect("the shipped holiday file parses: checked by a unit test")
    }

    /// Parses the text of `holidays-cn.toml`: `[[year]]` blocks with `holidays = [{ name, off =
    /// [first, last], work = [调休 dates] }]`.
    pub fn parse(text: &str) -> Result<WorkCalendar, CalendarError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| CalendarError::Syntax(e.to_string()))?;
        let mut calendar = WorkCalendar::default();
        for block in raw.year {
            let year = i32::try_from(block.year)
                .ok()
                .filter(|y| NaiveDate::from_ymd_opt(*y, 1, 1).is_some())
                .ok_or(CalendarError::BadYear(block.year))?;
            if calendar.years.contains_key(&year) {
                return Err(CalendarError::DuplicateYear(year));
            }
            let mut flags = weekday_flags(year);
            let date_in_year = |value: &str| -> Result<NaiveDate, CalendarError> {
                let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
                    .map_err(|_| CalendarError::BadDate { year, value: value.to_owned() })?;
                if date.year() != year {
                    return Err(CalendarError::OutsideYear { year, date });
                }
                Ok(date)
            };
            for holiday in &block.holidays {
                let [first, last] = holiday.off.as_slice() else {
                    return Err(CalendarError::BadRange { year, name: holiday.name.clone() });
                };
                let (first, last) = (date_in_year(first)?, date_in_year(last)?);
                if last < first {
                    return Err(CalendarError::BadRange { year, name: holiday.name.clone() });
                }
                for day in first.iter_days().take_while(|d| *d <= last) {
                    flags[day.ordinal0() as usize] = false;
                }
                for work in &holiday.work {
                    flags[date_in_year(work)?.ordinal0() as usize] = true;
                }
            }
            calendar.years.insert(year, flags);
        }
        Ok(calendar)
    }

    /// The years with data, in order.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Whether `year` has data.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Whether `date` is a working day, or `None` when its year has no data.
    pub fn is_working_day(&self, date: NaiveDate) -> Option<bool> {
        self.years.get(&date.year()).map(|flags| flags[date.ordinal0() as usize])
    }

    /// The number of working days in `year`, when it has data.
    pub fn working_days_in(&self, year: i32) -> Option<usize> {
        self.years.get(&year).map(|flags| flags.iter().filter(|w| **w).count())
    }

    /// The deadline `n` working days after `start` (民法典 201: the start day does not count).
    /// `n = 0` (即办) is the start day itself. Days in a year without data count Monday to
    /// Friday and make the result provisional.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Deadline {
        let mut provisional = false;
        let mut date = start;
        let mut left = n;
        while left > 0 {
            date = next_day(date);
            if self.working(date, &mut provisional) {
                left -= 1;
            }
        }
        Deadline { date, provisional }
    }

    /// The deadline `n` calendar days after `start`: the start day does not count, and a last
    /// day that is not a working day moves to the next working day (民法典 201, 203).
    pub fn add_calendar_days(&self, start: NaiveDate, n: u32) -> Deadline {
        let last = start.checked_add_days(Days::new(u64::from(n))).unwrap_or(NaiveDate::MAX);
        self.roll_forward(last)
    }

    /// The deadline `n` months after `start`: the corresponding day of the last month, or its
    /// last day when it has none (民法典 202), moved to the next working day if off (203).
    pub fn add_months(&self, start: NaiveDate, n: u32) -> Deadline {
        // chrono clamps to the last day of a shorter month, which is what 202 says.
        let last = start.checked_add_months(Months::new(n)).unwrap_or(NaiveDate::MAX);
        self.roll_forward(last)
    }

    /// The deadline of `period` counted from `start`.
    pub fn deadline(&self, start: NaiveDate, period: Period) -> Deadline {
        match period {
            Period::WorkingDays(n) => self.add_working_days(start, n),
            Period::CalendarDays(n) => self.add_calendar_days(start, n),
            Period::Months(n) => self.add_months(start, n),
        }
    }

    /// The number of working days after `from` up to and including `to` (0 when `to <= from`),
    /// and whether a year without data was crossed. Used to say how late a task is.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> (u32, bool) {
        let mut provisional = false;
        let mut n = 0;
        let mut date = from;
        while date < to {
            date = next_day(date);
            if self.working(date, &mut provisional) {
                n += 1;
            }
        }
        (n, provisional)
    }

    fn roll_forward(&self, mut date: NaiveDate) -> Deadline {
        let mut provisional = false;
        while !self.working(date, &mut provisional) {
            date = next_day(date);
        }
        Deadline { date, provisional }
    }

    fn working(&self, date: NaiveDate, provisional: &mut bool) -> bool {
        match self.is_working_day(date) {
            Some(working) => working,
            None => {
                *provisional = true;
                !is_weekend(date)
            }
        }
    }
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(NaiveDate::MAX)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn weekday_flags(year: i32) -> Vec<bool> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("checked by the caller");
    first.iter_days().take_while(|d| d.year() == year).map(|d| !is_weekend(d)).collect()
}

#[cfg(test)]
mod tests;
