//! The working-day calendar (工作日历) loaded at run time: the years an administrator added or
//! replaced beside the official ones the binary ships.
//!
//! Each year is one row holding its `[[year]]` block of holiday text, as the core writes it
//! ([`quanze_core::WorkCalendar::year_text`]) and parses it back, with its number of working
//! days, who loaded it and when. Invariants: one row per year, replaced whole by a later load;
//! a row's text parses into exactly its year, with the working days its column says (else the
//! row is `Corrupt`); the loading user exists. Which years a load added or replaced is the
//! caller's to put in the event.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use quanze_core::{UserId, WorkCalendar};

use crate::open::SqlStore;
use crate::rows::{CalendarYearRow, instant_text};
use crate::tx::violation;
use crate::{NewEvent, Receipt, StoreError};

/// One stored calendar year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCalendarYear {
    /// The year.
    pub year: i32,
    /// The calendar of that year alone.
    pub calendar: WorkCalendar,
    /// Who loaded it (`None`: a system action).
    pub loaded_by: Option<UserId>,
    /// When.
    pub loaded_at: DateTime<Utc>,
}

/// Stores the calendar years loaded at run time. Each write is one transaction writing state
/// and one event.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Every stored year, in order.
    async fn calendar_years(&self) -> Result<Vec<StoredCalendarYear>, StoreError>;
    /// Stores every year of `years`, replacing a stored year of the same number, as loaded by
    /// `loaded_by` at `loaded_at`: one transaction with the one event `ev`. The caller checked
    /// the years with the core. `NotFound` when `loaded_by` names no user.
    async fn put_calendar_years(
        &self,
        years: &WorkCalendar,
        loaded_by: Option<UserId>,
        loaded_at: DateTime<Utc>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError>;
}

#[async_trait]
impl CalendarStore for SqlStore {
    async fn calendar_years(&self) -> Result<Vec<StoredCalendarYear>, StoreError> {
        const SELECT_YEARS: &str = "SELECT year, text, working_days, loaded_by, loaded_at \
             FROM calendar_years ORDER BY year";
        let rows: Vec<CalendarYearRow> = sqlx::query_as(SELECT_YEARS).fetch_all(&self.pool).await?;
        rows.into_iter().map(StoredCalendarYear::try_from).collect()
    }

    async fn put_calendar_years(
        &self,
        years: &WorkCalendar,
        loaded_by: Option<UserId>,
        loaded_at: DateTime<Utc>,
        ev: NewEvent,
    ) -> Result<Receipt, StoreError> {
        const UPSERT_YEAR: &str = "INSERT INTO calendar_years (year, text, working_days, \
             loaded_by, loaded_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (year) DO UPDATE \
             SET text = excluded.text, working_days = excluded.working_days, \
             loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at";
        let mut w = self.begin_write().await?;
        let mut res = Ok(());
        for year in years.years() {
            let (Some(text), Some(working_days)) =
                (years.year_text(year), years.working_days_in(year))
            else {
                continue;
            };
            res = sqlx::query(UPSERT_YEAR)
                .bind(i64::from(year))
                .bind(text)
                .bind(i64::try_from(working_days).unwrap_or(i64::MAX))
                .bind(loaded_by.map(|u| u.to_string()))
                .bind(instant_text(loaded_at))
                .execute(w.conn())
                .await
                .map(|_| ())
                .map_err(|e| violation(e, &format!("calendar year {year}"), "the loading user"));
            if res.is_err() {
                break;
            }
        }
        w.finish(res, ev).await
    }
}
