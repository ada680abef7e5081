use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn past_effective_dates_need_a_ratification() {
    let today = day(2026, 3, 10);
    let cases = [
        (day(2026, 3, 10), None, true),
        (day(2026, 4, 1), None, true),
        (day(2026, 3, 9), None, false),
        (day(2026, 1, 1), Ratification::parse(Some("  ")), false),
        (day(2026, 1, 1), Ratification::parse(Some("县委编委2025年第9次会议已决定，补录")), true),
    ];
    for (on, ratification, ok) in cases {
        let res = check_effective_date(on, today, ratification.as_ref());
        assert_eq!(res.is_ok(), ok, "{on} {ratification:?}");
        if let Err(e) = res {
            assert!(e.zh().contains("追认"), "{}", e.zh());
        }
    }
}

#[test]
fn the_comment_period_has_a_minimum_of_working_days() {
    let cal = WorkCalendar::official();
    // Monday 2026-03-09: seven working days after it end on Wednesday 2026-03-18.
    let today = day(2026, 3, 9);
    assert_eq!(check_comment_period(today, day(2026, 3, 18), 7, &cal), Ok(()));
    let err = check_comment_period(today, day(2026, 3, 17), 7, &cal).unwrap_err();
    assert_eq!(
        err,
        ScheduleError::ShortCommentPeriod { until: day(2026, 3, 17), working_days: 6, min: 7 }
    );
    assert!(err.zh().contains("不得少于7个工作日"), "{}", err.zh());
    // A holiday does not count: 2026-10-01..08 is the National Day break.
    let (n, _) = cal.working_days_between(day(2026, 9, 30), day(2026, 10, 9));
    assert!(n < 7, "{n}");
    assert!(check_comment_period(day(2026, 9, 30), day(2026, 10, 9), 7, &cal).is_err());
    assert_eq!(check_comment_period(today, day(2026, 3, 10), 0, &cal), Ok(()));
}
