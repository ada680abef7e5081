//! The working-day calendar (工作日历) as the API answers it: one year with its holidays, and
//! the outcome of loading holiday text.

use chrono::{DateTime, NaiveDate, Utc};
use quanze_core::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a year's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CalendarSource {
    /// Shipped with Quanze (`data/holidays-cn.toml`, the State Council's notices).
    Official,
    /// Loaded by an administrator at run time (`PUT /api/v1/calendar`, `quanze calendar load`).
    Loaded,
}

/// 节假日 — one holiday of a year's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct HolidayView {
    /// Its name as published, e.g. 春节.
    pub name: String,
    /// The first day off.
    pub off_from: NaiveDate,
    /// The last day off (inclusive; weekends inside the range are part of it).
    pub off_until: NaiveDate,
    /// Weekend days worked in lieu (调休上班).
    pub work: Vec<NaiveDate>,
}

/// 工作日历（年度） — one year of the working-day calendar. A year without data is answered
/// too (`covered: false`): deadlines into it count Monday to Friday and are provisional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({ "year": 2026, "covered": true, "source": "official", "working_days": 248, "holidays": [{ "name": "春节", "off_from": "2026-02-15", "off_until": "2026-02-23", "work": ["2026-02-14", "2026-02-28"] }], "days_off": ["2026-02-15"], "days_worked_in_lieu": ["2026-02-14"], "replaced_official": false, "covered_years": [2024, 2025, 2026] }))]
pub struct CalendarYearView {
    /// The year.
    pub year: i32,
    /// Whether the year has holiday data. Without it, deadlines into the year are provisional.
    pub covered: bool,
    /// Where the data comes from (absent when not covered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<CalendarSource>,
    /// The number of working days (absent when not covered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_days: Option<usize>,
    /// The holidays as published.
    pub holidays: Vec<HolidayView>,
    /// Every day off inside the holidays (放假日期, weekends included), in order.
    pub days_off: Vec<NaiveDate>,
    /// Every weekend day worked (调休上班), in order.
    pub days_worked_in_lieu: Vec<NaiveDate>,
    /// A loaded year that replaces a different official one shipped with Quanze.
    pub replaced_official: bool,
    /// The account that loaded the year (a loaded year only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub loaded_by: Option<UserId>,
    /// When it was loaded (a loaded year only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_at: Option<DateTime<Utc>>,
    /// Every year with data, in order.
    pub covered_years: Vec<i32>,
    /// For a year without data: what that means for deadlines, in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The same in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_en: Option<String>,
}

/// Holiday text to load, as a JSON body (`PUT /api/v1/calendar` also takes the text itself).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarLoadRequest {
    /// `[[year]]` blocks in the format of `data/holidays-cn.toml`.
    pub text: String,
}

/// What loading holiday text did. Years whose data equals what is in force are not written
/// again; when no year changed, nothing is written and there is no ledger leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CalendarLoadOutcome {
    /// Years that had no data before.
    pub added: Vec<i32>,
    /// Years whose data was replaced (official or loaded before).
    pub replaced: Vec<i32>,
    /// Years whose data was the same already.
    pub unchanged: Vec<i32>,
    /// Every year of the text as it now stands.
    pub years: Vec<CalendarYearView>,
    /// The ledger leaf of the load, when something was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf_index: Option<u64>,
}
