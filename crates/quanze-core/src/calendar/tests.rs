use proptest::prelude::*;

use super::*;
use crate::fixtures::HOLIDAYS;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn cal() -> WorkCalendar {
    WorkCalendar::parse(HOLIDAYS).unwrap()
}

#[test]
fn working_days_per_year_match_the_state_council_schedules() {
    let cal = cal();
    assert_eq!(cal.years().collect::<Vec<_>>(), vec![2024, 2025, 2026]);
    assert_eq!(cal.working_days_in(2024), Some(251));
    assert_eq!(cal.working_days_in(2025), Some(248));
    assert_eq!(cal.working_days_in(2026), Some(248));
    assert_eq!(cal.working_days_in(2027), None);
}

#[test]
fn adjusted_weekends_and_holidays() {
    let cal = cal();
    assert_eq!(cal.is_working_day(d(2026, 2, 14)), Some(true), "调休 Saturday");
    assert_eq!(cal.is_working_day(d(2026, 2, 16)), Some(false), "春节 Monday");
    assert_eq!(cal.is_working_day(d(2025, 1, 26)), Some(true), "调休 Sunday");
    assert_eq!(cal.is_working_day(d(2025, 10, 8)), Some(false));
    assert_eq!(cal.is_working_day(d(2025, 10, 11)), Some(true));
    assert_eq!(cal.is_working_day(d(2027, 1, 4)), None);
}

#[test]
fn working_day_periods_start_the_next_day() {
    let cal = cal();
    let wd = |start, n| cal.add_working_days(start, n);
    // Friday before 春节 2026: the 调休 Saturday is the first working day after it.
    assert_eq!(wd(d(2026, 2, 13), 1), Deadline { date: d(2026, 2, 14), provisional: false });
    assert_eq!(wd(d(2026, 2, 13), 2).date, d(2026, 2, 24));
    // 国庆节、中秋节 2025: 10-01..10-08 off, 10-11 (Saturday) worked.
    assert_eq!(wd(d(2025, 9, 30), 1).date, d(2025, 10, 9));
    assert_eq!(wd(d(2025, 9, 30), 3).date, d(2025, 10, 11));
    // 许可法 42: 20 working days from acceptance on Monday 2025-04-28 (劳动节 in between).
    assert_eq!(wd(d(2025, 4, 28), 20).date, d(2025, 5, 29));
    // 即办: the start day.
    assert_eq!(wd(d(2025, 10, 1), 0).date, d(2025, 10, 1));
    // A start on a holiday still does not count.
    assert_eq!(wd(d(2024, 10, 1), 1).date, d(2024, 10, 8));
}

#[test]
fn calendar_day_periods_move_off_a_holiday() {
    let cal = cal();
    // 7 days from 2025-09-25 ends 10-02, a holiday: moved to 10-09 (民法典 203).
    assert_eq!(cal.add_calendar_days(d(2025, 9, 25), 7).date, d(2025, 10, 9));
    // A weekend end moves to Monday.
    assert_eq!(cal.add_calendar_days(d(2025, 3, 3), 5).date, d(2025, 3, 10));
    // 15 days ending on a working day stay.
    assert_eq!(cal.add_calendar_days(d(2025, 3, 3), 15).date, d(2025, 3, 18));
    // Months: the corresponding day, or the month's last day (民法典 202).
    assert_eq!(cal.add_months(d(2025, 1, 31), 1).date, d(2025, 2, 28));
    assert_eq!(cal.add_months(d(2024, 1, 31), 1).date, d(2024, 2, 29));
    // 2025-04-04 is 清明节 off: one month from 03-04 moves to 04-07.
    assert_eq!(cal.deadline(d(2025, 3, 4), Period::Months(1)).date, d(2025, 4, 7));
}

#[test]
fn a_year_without_data_makes_the_deadline_provisional() {
    let cal = cal();
    assert_eq!(
        cal.add_working_days(d(2026, 12, 30), 1),
        Deadline { date: d(2026, 12, 31), provisional: false }
    );
    assert_eq!(
        cal.add_working_days(d(2026, 12, 30), 2),
        Deadline { date: d(2027, 1, 1), provisional: true }
    );
    assert!(cal.add_calendar_days(d(2026, 12, 20), 20).provisional);
    assert!(!cal.add_calendar_days(d(2026, 12, 1), 20).provisional);
    let (n, provisional) = cal.working_days_between(d(2026, 12, 30), d(2027, 1, 4));
    assert_eq!((n, provisional), (3, true));
}

#[test]
fn bad_text_is_refused_with_a_reason() {
    let dup = "[[year]]\nyear = 2025\n[[year]]\nyear = 2025\n";
    assert_eq!(WorkCalendar::parse(dup), Err(CalendarError::DuplicateYear(2025)));
    let bad = "[[year]]\nyear = 2025\nholidays = [{ name = \"元旦\", off = [\"2025-13-01\", \"2025-01-01\"] }]";
    let err = WorkCalendar::parse(bad).unwrap_err();
    assert!(matches!(err, CalendarError::BadDate { year: 2025, .. }), "{err:?}");
    assert!(err.zh().contains("不是有效日期"));
    let outside = "[[year]]\nyear = 2025\nholidays = [{ name = \"元旦\", off = [\"2024-12-31\", \"2025-01-01\"] }]";
    assert!(matches!(WorkCalendar::parse(outside), Err(CalendarError::OutsideYear { .. })));
    let reversed = "[[year]]\nyear = 2025\nholidays = [{ name = \"x\", off = [\"2025-01-02\", \"2025-01-01\"] }]";
    assert!(matches!(WorkCalendar::parse(reversed), Err(CalendarError::BadRange { .. })));
    assert!(matches!(WorkCalendar::parse("year = ["), Err(CalendarError::Syntax(_))));
}

proptest! {
    #[test]
    fn working_day_deadlines_land_on_working_days(offset in 0u32..1000, n in 1u32..40) {
        let cal = cal();
        let start = d(2024, 1, 1) + Days::new(u64::from(offset));
        let deadline = cal.add_working_days(start, n);
        let (counted, provisional) = cal.working_days_between(start, deadline.date);
        prop_assert_eq!(counted, n);
        prop_assert_eq!(provisional, deadline.provisional);
        if !deadline.provisional {
            prop_assert_eq!(cal.is_working_day(deadline.date), Some(true));
        }
    }
}

#[test]
fn the_shipped_calendar_parses_and_knows_2026_spring_festival() {
    let cal = WorkCalendar::official();
    assert!(cal.covers(2024) && cal.covers(2025) && cal.covers(2026));
    // 2026-02-14 is a Saturday worked in lieu (调休); 2026-02-16 is inside 春节.
    assert_eq!(cal.is_working_day(d(2026, 2, 14)), Some(true));
    assert_eq!(cal.is_working_day(d(2026, 2, 16)), Some(false));
}
