//! The working-day calendar (工作日历) in service: the official years shipped with Quanze plus
//! the years an administrator loads at run time (domain.md §7: the State Council publishes
//! each November), so a new year needs no release.
//!
//! At start the stored years are read and laid over the official ones ([`Service::new`]); a
//! stored year replaces a shipped one of the same number (a correction). A load parses and
//! checks the text with the core ([`WorkCalendar::parse_checked`]: a bad block or an
//! implausible number of working days is refused, nothing written), writes the years that
//! change in one transaction with one event naming what was added or replaced, then swaps the
//! calendar every later deadline is counted on. Readers keep the calendar they got.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use quanze_core::access::Act;
use quanze_core::calendar::CalendarError;
use quanze_core::{UserId, WorkCalendar};
use sm3::{Digest, Sm3};

use crate::Service;
use crate::auth::CurrentUser;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::views::{CalendarLoadOutcome, CalendarSource, CalendarYearView, HolidayView};

/// The calendar in force and where its loaded years come from.
#[derive(Debug, Clone, Default)]
pub(crate) struct CalendarState {
    /// The official years with the loaded ones laid over them.
    pub(crate) calendar: Arc<WorkCalendar>,
    /// The official years alone, as shipped.
    pub(crate) official: Arc<WorkCalendar>,
    /// The loaded years: who loaded each and when.
    pub(crate) loaded: BTreeMap<i32, (Option<UserId>, DateTime<Utc>)>,
}

impl CalendarState {
    /// The official calendar alone (before the stored years are read).
    pub(crate) fn official() -> CalendarState {
        let official = Arc::new(WorkCalendar::official());
        CalendarState { calendar: official.clone(), official, loaded: BTreeMap::new() }
    }
}

impl From<&CalendarError> for ErrorCode {
    fn from(err: &CalendarError) -> ErrorCode {
        match err {
            CalendarError::Syntax(_)
            | CalendarError::BadDate { .. }
            | CalendarError::OutsideYear { .. }
            | CalendarError::BadRange { .. }
            | CalendarError::DuplicateYear(_)
            | CalendarError::BadYear(_)
            | CalendarError::NoYears => ErrorCode::CalendarInvalid,
            CalendarError::Implausible { .. } => ErrorCode::CalendarYearImplausible,
        }
    }
}

impl From<CalendarError> for ServiceError {
    fn from(err: CalendarError) -> ServiceError {
        ServiceError::Rejected {
            code: ErrorCode::from(&err),
            message_zh: err.zh(),
            message_en: err.to_string(),
            issues: vec![],
        }
    }
}

impl Service {
    /// The calendar every deadline is counted on now (cheap to clone; a reader keeps the one
    /// it got while a load swaps in the next).
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar_state().calendar.clone()
    }

    fn calendar_state(&self) -> Arc<CalendarState> {
        self.calendar.read().expect("calendar lock is never poisoned: no panics while held").clone()
    }

    /// Reads the stored years and lays them over the official ones (at start).
    pub(crate) async fn load_stored_calendar(&self) -> ServiceResult<()> {
        let _one_writer = self.calendar_writes.lock().await;
        self.read_stored_calendar().await
    }

    /// Reads the stored years and lays them over the official ones; the caller holds
    /// `calendar_writes`.
    async fn read_stored_calendar(&self) -> ServiceResult<()> {
        let official = self.calendar_state().official.clone();
        let mut calendar = (*official).clone();
        let mut loaded = BTreeMap::new();
        for stored in self.store.calendar_years().await? {
            calendar.merge(stored.calendar);
            loaded.insert(stored.year, (stored.loaded_by, stored.loaded_at));
        }
        *self.calendar.write().expect("calendar lock is never poisoned") =
            Arc::new(CalendarState { calendar: Arc::new(calendar), official, loaded });
        Ok(())
    }

    /// One year of the calendar: covered or not, where its data comes from, its working days,
    /// holidays, days off and days worked in lieu. A year without data is answered with
    /// `covered: false` and a note that deadlines into it are provisional.
    pub fn calendar_year(&self, year: i32) -> CalendarYearView {
        year_view(&self.calendar_state(), year)
    }

    /// Loads holiday text (`[[year]]` blocks as in `data/holidays-cn.toml`) as `by`, a system
    /// administrator (calendar data is a setting). Refused with nothing written: a text that
    /// does not parse (`calendar_invalid`, the message says where) or a year whose working
    /// days are implausible (`calendar_year_implausible`, naming the year and the count).
    /// Writes the years that change in one transaction with one `calendar.loaded` event,
    /// which names each year added or replaced (with what it replaced) and the SM3 digest of
    /// its text; then swaps the calendar and runs `after_calendar_load`.
    pub async fn load_calendar(
        &self,
        by: &CurrentUser,
        text: &str,
    ) -> ServiceResult<CalendarLoadOutcome> {
        by.require_act(Act::LoadCalendar, None)?;
        let incoming = WorkCalendar::parse_checked(text)?;
        let one_writer = self.calendar_writes.lock().await;
        // A load whose caller went away during its store write may have committed without
        // the swap: read what is stored first.
        if self.calendar_stale.load(Ordering::SeqCst) {
            self.read_stored_calendar().await?;
            self.calendar_stale.store(false, Ordering::SeqCst);
        }
        let state = self.calendar_state();
        let (mut added, mut replaced, mut unchanged) = (Vec::new(), Vec::new(), Vec::new());
        let mut changed = WorkCalendar::default();
        let mut recorded = Vec::new();
        for year in incoming.years() {
            let new = incoming.only(year);
            let old = state.calendar.only(year);
            if new == old {
                unchanged.push(year);
                continue;
            }
            let previous = old.as_ref().map(|_| {
                serde_json::json!({
                    "source": source_of(&state, year),
                    "working_days": state.calendar.working_days_in(year),
                })
            });
            match previous {
                Some(_) => replaced.push(year),
                None => added.push(year),
            }
            let year_text = incoming.year_text(year).unwrap_or_default();
            recorded.push(serde_json::json!({
                "year": year,
                "change": if old.is_some() { "replaced" } else { "added" },
                "working_days": incoming.working_days_in(year),
                "official_differs": state.official.covers(year) && state.official.only(year) != new,
                "previous": previous,
                "sm3": hex::encode(Sm3::digest(year_text.as_bytes())),
            }));
            if let Some(new) = new {
                changed.merge(new);
            }
        }
        let mut leaf_index = None;
        let mut next = (*state).clone();
        if !recorded.is_empty() {
            let now = self.clock.now();
            let ev = self.event(
                Some(by),
                None,
                "calendar.loaded",
                "calendar".to_owned(),
                serde_json::json!({ "years": recorded }),
            );
            self.calendar_stale.store(true, Ordering::SeqCst);
            let receipt = self.store.put_calendar_years(&changed, Some(by.id), now, ev).await;
            // Failed, it wrote nothing; done, it is swapped in below with no await between.
            self.calendar_stale.store(false, Ordering::SeqCst);
            let receipt = receipt?;
            leaf_index = Some(receipt.leaf_index());
            let mut calendar = (*state.calendar).clone();
            for year in changed.years() {
                next.loaded.insert(year, (Some(by.id), now));
            }
            calendar.merge(changed);
            next.calendar = Arc::new(calendar);
            *self.calendar.write().expect("calendar lock is never poisoned") =
                Arc::new(next.clone());
        }
        drop(one_writer);
        let changed_years: Vec<i32> = added.iter().chain(&replaced).copied().collect();
        if !changed_years.is_empty() {
            self.after_calendar_load(&changed_years).await;
        }
        let years = incoming.years().map(|year| year_view(&next, year)).collect();
        Ok(CalendarLoadOutcome { added, replaced, unchanged, years, leaf_index })
    }

    /// Runs after a load changed the calendar of `years` (added or replaced), once the new
    /// calendar is in force.
    ///
    /// This is where open cases' provisional deadlines are recomputed: every deadline of an
    /// open case that ran into one of these years is counted again on [`Service::calendar`],
    /// and the change is recorded on each case's timeline (issue 15 §1). The load is committed
    /// before this runs; what is done here is safe to run again (a case whose deadlines did
    /// not move gets no step).
    pub(crate) async fn after_calendar_load(&self, years: &[i32]) {
        tracing::info!(?years, "working-day calendar loaded; recomputing provisional deadlines");
        match self.recompute_provisional_deadlines().await {
            Ok(n) => tracing::info!(cases = n, "provisional deadlines recomputed"),
            Err(err) => tracing::warn!(error = %err, "recomputing provisional deadlines failed"),
        }
    }
}

/// Where the data of a covered year comes from.
fn source_of(state: &CalendarState, year: i32) -> CalendarSource {
    if state.loaded.contains_key(&year) { CalendarSource::Loaded } else { CalendarSource::Official }
}

fn year_view(state: &CalendarState, year: i32) -> CalendarYearView {
    let calendar = &state.calendar;
    let covered_years = calendar.years().collect();
    let Some(working_days) = calendar.working_days_in(year) else {
        return CalendarYearView {
            year,
            covered: false,
            source: None,
            working_days: None,
            holidays: vec![],
            days_off: vec![],
            days_worked_in_lieu: vec![],
            replaced_official: false,
            loaded_by: None,
            loaded_at: None,
            covered_years,
            note: Some(format!(
                "{year}年尚无节假日数据：计入该年的期限按周一至周五计算，为临时期限，\
                 载入该年节假日安排后重新计算"
            )),
            note_en: Some(format!(
                "no holiday data for {year}: deadlines into it count Monday to Friday and are \
                 provisional until the year is loaded"
            )),
        };
    };
    let source = source_of(state, year);
    let loaded = state.loaded.get(&year);
    let replaced_official = source == CalendarSource::Loaded
        && state.official.covers(year)
        && state.official.only(year) != calendar.only(year);
    CalendarYearView {
        year,
        covered: true,
        source: Some(source),
        working_days: Some(working_days),
        holidays: calendar
            .holidays(year)
            .unwrap_or_default()
            .iter()
            .map(|h| HolidayView {
                name: h.name.clone(),
                off_from: h.off_from,
                off_until: h.off_until,
                work: h.work.clone(),
            })
            .collect(),
        days_off: calendar.days_off(year).unwrap_or_default(),
        days_worked_in_lieu: calendar.days_worked_in_lieu(year).unwrap_or_default(),
        replaced_official,
        loaded_by: loaded.and_then(|(by, _)| *by),
        loaded_at: loaded.map(|(_, at)| *at),
        covered_years,
        note: None,
        note_en: None,
    }
}
