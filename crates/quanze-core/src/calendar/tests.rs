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

#[test]
fn a_year_is_listed_with_its_holidays_days_off_and_days_worked_in_lieu() {
    let cal = cal();
    let holidays = cal.holidays(2026).unwrap();
    assert_eq!(holidays.len(), 7);
    assert_eq!(holidays[1].name, "春节");
    assert_eq!((holidays[1].off_from, holidays[1].off_until), (d(2026, 2, 15), d(2026, 2, 23)));
    assert_eq!(holidays[1].work, vec![d(2026, 2, 14), d(2026, 2, 28)]);
    let off = cal.days_off(2026).unwrap();
    // 3 + 9 + 3 + 5 + 3 + 3 + 7 days inside the ranges, weekends included.
    assert_eq!(off.len(), 33);
    assert_eq!((off[0], off[32]), (d(2026, 1, 1), d(2026, 10, 7)));
    assert!(off.windows(2).all(|w| w[0] < w[1]), "in order, once each");
    assert_eq!(
        cal.days_worked_in_lieu(2026).unwrap(),
        vec![
            d(2026, 1, 4),
            d(2026, 2, 14),
            d(2026, 2, 28),
            d(2026, 5, 9),
            d(2026, 9, 20),
            d(2026, 10, 10)
        ]
    );
    assert_eq!(cal.holidays(2027), None);
    assert_eq!(cal.days_off(2027), None);
    assert_eq!(cal.days_worked_in_lieu(2027), None);
}

#[test]
fn a_calendar_written_as_text_reads_back_the_same() {
    let cal = cal();
    assert_eq!(WorkCalendar::parse(&cal.to_text()), Ok(cal.clone()));
    for year in [2024, 2025, 2026] {
        let text = cal.year_text(year).unwrap();
        assert!(text.starts_with(&format!("[[year]]\nyear = {year}\n")), "{text}");
        assert_eq!(WorkCalendar::parse(&text).as_ref(), Ok(&cal.only(year).unwrap()));
    }
    assert_eq!(cal.year_text(2027), None);
    // Names that need escaping survive.
    let odd = "[[year]]\nyear = 2025\nholidays = [{ name = \"a \\\"b\\\" \\\\ c\\td\", off = [\"2025-01-01\", \"2025-01-01\"] }]";
    let parsed = WorkCalendar::parse(odd).unwrap();
    assert_eq!(parsed.holidays(2025).unwrap()[0].name, "a \"b\" \\ c\td");
    assert_eq!(WorkCalendar::parse(&parsed.to_text()), Ok(parsed));
}

#[test]
fn merging_adds_and_replaces_whole_years() {
    let mut cal = WorkCalendar::parse(HOLIDAYS).unwrap();
    // A corrected 2026 (劳动节 one day shorter) and a new 2027 with only 元旦.
    let newer = WorkCalendar::parse(
        "[[year]]\nyear = 2026\nholidays = [{ name = \"劳动节\", off = [\"2026-05-01\", \"2026-05-04\"] }]\n\
         [[year]]\nyear = 2027\nholidays = [{ name = \"元旦\", off = [\"2027-01-01\", \"2027-01-01\"] }]",
    )
    .unwrap();
    let only_2025 = cal.only(2025);
    cal.merge(newer.clone());
    assert_eq!(cal.years().collect::<Vec<_>>(), vec![2024, 2025, 2026, 2027]);
    assert_eq!(cal.only(2025), only_2025, "a year not in the newer calendar stays");
    assert_eq!(cal.only(2026), newer.only(2026), "a year in both is replaced whole");
    assert_eq!(cal.is_working_day(d(2026, 2, 16)), Some(true), "春节 2026 is gone with it");
    assert_eq!(cal.is_working_day(d(2026, 5, 5)), Some(true));
    assert_eq!(cal.is_working_day(d(2027, 1, 1)), Some(false));
    assert_eq!(cal.only(2028), None);
}

#[test]
fn text_to_load_is_refused_when_a_year_has_an_implausible_number_of_working_days() {
    // The shipped file passes.
    let official = WorkCalendar::parse_checked(OFFICIAL_HOLIDAYS).unwrap();
    assert_eq!(official, WorkCalendar::official());
    // A year without its holidays has every weekday working: 261 in 2027.
    let bare = "[[year]]\nyear = 2027\n";
    assert_eq!(WorkCalendar::parse(bare).unwrap().working_days_in(2027), Some(261));
    let err = WorkCalendar::parse_checked(bare).unwrap_err();
    assert_eq!(err, CalendarError::Implausible { year: 2027, working_days: 261 });
    assert!(err.zh().contains("2027年共有261个工作日"), "{}", err.zh());
    assert!(err.to_string().contains("240–260"), "{err}");
    // A month off is as wrong.
    let month = "[[year]]\nyear = 2027\nholidays = [{ name = \"x\", off = [\"2027-01-01\", \"2027-02-28\"] }]";
    assert!(matches!(
        WorkCalendar::parse_checked(month),
        Err(CalendarError::Implausible { year: 2027, working_days: 220 })
    ));
    // The bounds are inclusive.
    assert!(PLAUSIBLE_WORKING_DAYS.contains(&240) && PLAUSIBLE_WORKING_DAYS.contains(&260));
    assert!(!PLAUSIBLE_WORKING_DAYS.contains(&239) && !PLAUSIBLE_WORKING_DAYS.contains(&261));
    // No year at all.
    assert_eq!(WorkCalendar::parse_checked("# nothing\n"), Err(CalendarError::NoYears));
    assert!(CalendarError::NoYears.zh().contains("没有任何年份"));
    // Syntax errors still come first, with where they are.
    let err = WorkCalendar::parse_checked("[[year]]\nyear = 2027\nholidays = [\n").unwrap_err();
    assert!(matches!(&err, CalendarError::Syntax(detail) if detail.contains("line")), "{err:?}");
}
