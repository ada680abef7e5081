//! The working-day calendar (工作日历) and statutory periods (期间, 民法典 第201–203条).
//!
//! The calendar is parsed from the text of `data/holidays-cn.toml`, which the caller reads; new
//! years are loaded without a release. A period that runs into a year without data is still
//! computed (weekends only) but marked provisional, never silently trusted.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// 工作日历 — for every year with data, which dates are working days, and the holiday
/// schedule (放假安排) they come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    years: BTreeMap<i32, YearData>,
}

/// One year of a calendar: its schedule as published, and the working days it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
struct YearData {
    /// The holidays in the order the text lists them.
    holidays: Vec<Holiday>,
    /// One flag per day of the year (index = ordinal0): a working day?
    flags: Vec<bool>,
}

/// 节假日安排 — one holiday of a year's schedule: the days off (weekends inside included) and
/// the weekend days worked in lieu (调休上班).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// Its name as published, e.g. 春节.
    pub name: String,
    /// The first day off.
    pub off_from: NaiveDate,
    /// The last day off (inclusive).
    pub off_until: NaiveDate,
    /// The days worked in lieu, as listed.
    pub work: Vec<NaiveDate>,
}

/// The number of working days a year must have to be loaded. The State Council's schedules
/// give 245–251 (2024: 251, 2025 and 2026: 248); a year with no holidays has 260–262, and a
/// file that drops or doubles a holiday lands outside the range, so a wrong file cannot
/// silently shift every deadline.
pub const PLAUSIBLE_WORKING_DAYS: std::ops::RangeInclusive<usize> = 240..=260;

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
    /// The text holds no `[[year]]` block.
    #[error("holiday calendar has no [[year]] block")]
    NoYears,
    /// A year's schedule gives a number of working days outside [`PLAUSIBLE_WORKING_DAYS`].
    #[error(
        "holiday calendar {year}: {working_days} working days is implausible (expected {}–{})",
        PLAUSIBLE_WORKING_DAYS.start(),
        PLAUSIBLE_WORKING_DAYS.end()
    )]
    Implausible {
        /// The year block.
        year: i32,
        /// Its number of working days.
        working_days: usize,
    },
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
            CalendarError::NoYears => "节假日数据中没有任何年份（[[year]]）".to_owned(),
            CalendarError::Implausible { year, working_days } => format!(
                "节假日数据{year}年共有{working_days}个工作日，不在合理范围（{}至{}个）内，\
                 请核对是否漏列或重复列出节假日",
                PLAUSIBLE_WORKING_DAYS.start(),
                PLAUSIBLE_WORKING_DAYS.end()
            ),
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
            let date_in_year = |value: &str| -> Result<NaiveDate, CalendarError> {
                let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
                    .map_err(|_| CalendarError::BadDate { year, value: value.to_owned() })?;
                if date.year() != year {
                    return Err(CalendarError::OutsideYear { year, date });
                }
                Ok(date)
            };
            let mut holidays = Vec::with_capacity(block.holidays.len());
            for holiday in block.holidays {
                let [first, last] = holiday.off.as_slice() else {
                    return Err(CalendarError::BadRange { year, name: holiday.name });
                };
                let (off_from, off_until) = (date_in_year(first)?, date_in_year(last)?);
                if off_until < off_from {
                    return Err(CalendarError::BadRange { year, name: holiday.name });
                }
                let work =
                    holiday.work.iter().map(|w| date_in_year(w)).collect::<Result<_, _>>()?;
                holidays.push(Holiday { name: holiday.name, off_from, off_until, work });
            }
            calendar.years.insert(year, YearData::new(year, holidays));
        }
        Ok(calendar)
    }

    /// Parses text to be loaded into a running system ([`WorkCalendar::parse`]) and refuses
    /// what would silently shift deadlines: a text without any year, and a year whose
    /// working days fall outside [`PLAUSIBLE_WORKING_DAYS`].
    pub fn parse_checked(text: &str) -> Result<WorkCalendar, CalendarError> {
        let calendar = WorkCalendar::parse(text)?;
        if calendar.years.is_empty() {
            return Err(CalendarError::NoYears);
        }
        for (year, data) in &calendar.years {
            let working_days = data.working_days();
            if !PLAUSIBLE_WORKING_DAYS.contains(&working_days) {
                return Err(CalendarError::Implausible { year: *year, working_days });
            }
        }
        Ok(calendar)
    }

    /// Adds the years of `newer` to this calendar, replacing a year both have.
    pub fn merge(&mut self, newer: WorkCalendar) {
        self.years.extend(newer.years);
    }

    /// The calendar of `year` alone, when it has data (to compare or store one year).
    pub fn only(&self, year: i32) -> Option<WorkCalendar> {
        let data = self.years.get(&year)?.clone();
        Some(WorkCalendar { years: BTreeMap::from([(year, data)]) })
    }

    /// The holidays of `year` as its text listed them, when it has data.
    pub fn holidays(&self, year: i32) -> Option<&[Holiday]> {
        self.years.get(&year).map(|data| data.holidays.as_slice())
    }

    /// Every day off of `year` (放假日期: the days inside its holidays' ranges, weekends
    /// included), in order, when it has data.
    pub fn days_off(&self, year: i32) -> Option<Vec<NaiveDate>> {
        let data = self.years.get(&year)?;
        let mut days: Vec<NaiveDate> = data
            .holidays
            .iter()
            .flat_map(|h| h.off_from.iter_days().take_while(move |d| *d <= h.off_until))
            .filter(|d| !data.flags[d.ordinal0() as usize])
            .collect();
        days.sort_unstable();
        days.dedup();
        Some(days)
    }

    /// The weekend days of `year` that are working days (调休上班), in order, when it has data.
    pub fn days_worked_in_lieu(&self, year: i32) -> Option<Vec<NaiveDate>> {
        let data = self.years.get(&year)?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
        Some(
            first
                .iter_days()
                .take(data.flags.len())
                .filter(|d| is_weekend(*d) && data.flags[d.ordinal0() as usize])
                .collect(),
        )
    }

    /// The calendar as the text [`WorkCalendar::parse`] reads: one `[[year]]` block per year,
    /// in order. Parsing it gives this calendar back.
    pub fn to_text(&self) -> String {
        self.years().filter_map(|year| self.year_text(year)).collect::<Vec<_>>().join("\n")
    }

    /// The `[[year]]` block of `year` as text, when it has data. Parsing it gives
    /// [`WorkCalendar::only`] of the year back.
    pub fn year_text(&self, year: i32) -> Option<String> {
        let data = self.years.get(&year)?;
        let mut text = format!("[[year]]\nyear = {year}\nholidays = [\n");
        for h in &data.holidays {
            let work: Vec<String> = h.work.iter().map(|d| format!("\"{d}\"")).collect();
            text.push_str(&format!(
                "  {{ name = {}, off = [\"{}\", \"{}\"], work = [{}] }},\n",
                toml_string(&h.name),
                h.off_from,
                h.off_until,
                work.join(", ")
            ));
        }
        text.push_str("]\n");
        Some(text)
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
        self.years.get(&date.year()).map(|data| data.flags[date.ordinal0() as usize])
    }

    /// The number of working days in `year`, when it has data.
    pub fn working_days_in(&self, year: i32) -> Option<usize> {
        self.years.get(&year).map(YearData::working_days)
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

    /// Whether `date` counts as a working day: from the calendar, or Monday to Friday in a
    /// year without data (as every period here counts it, provisionally).
    pub fn counts_as_working_day(&self, date: NaiveDate) -> bool {
        self.working(date, &mut false)
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

impl YearData {
    /// The year's flags from its holidays: weekdays work, days off do not, days worked in
    /// lieu do (a day listed both ways works: the notice names it to be worked).
    fn new(year: i32, holidays: Vec<Holiday>) -> YearData {
        let mut flags = weekday_flags(year);
        for h in &holidays {
            for day in h.off_from.iter_days().take_while(|d| *d <= h.off_until) {
                flags[day.ordinal0() as usize] = false;
            }
        }
        for day in holidays.iter().flat_map(|h| &h.work) {
            flags[day.ordinal0() as usize] = true;
        }
        YearData { holidays, flags }
    }

    fn working_days(&self) -> usize {
        self.flags.iter().filter(|w| **w).count()
    }
}

/// `value` as a TOML basic string.
fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
