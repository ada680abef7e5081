//! The working-day calendar in service: the official years, loading a year at run time (who
//! may, what is refused, what is recorded), the swap every later deadline sees, and the loaded
//! years read back at start.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use quanze_core::{Role, RoleAssignment, Username};
use quanze_service::views::CalendarSource;
use quanze_service::{Clock, Config, CurrentUser, ErrorCode, NewUser, Service, ServiceError};

use crate::helpers::{TestClock, d, service};

/// A schedule for 2027 in the State Council's pattern (248 working days). Test data: the real
/// notice for 2027 is published in November 2026.
pub(crate) const Y2027: &str = r#"
[[year]]
year = 2027
holidays = [
  { name = "元旦",   off = ["2027-01-01", "2027-01-03"], work = [] },
  { name = "春节",   off = ["2027-02-06", "2027-02-14"], work = ["2027-02-20"] },
  { name = "清明节", off = ["2027-04-03", "2027-04-05"], work = [] },
  { name = "劳动节", off = ["2027-05-01", "2027-05-05"], work = ["2027-04-25"] },
  { name = "端午节", off = ["2027-06-09", "2027-06-09"], work = [] },
  { name = "中秋节", off = ["2027-09-15", "2027-09-15"], work = [] },
  { name = "国庆节", off = ["2027-10-01", "2027-10-07"], work = ["2027-09-26", "2027-10-09"] },
]
"#;

/// 2026 as shipped but without 中秋节 (2026-09-25, a Friday, becomes a working day: 249).
const Y2026_CORRECTED: &str = r#"
[[year]]
year = 2026
holidays = [
  { name = "元旦",   off = ["2026-01-01", "2026-01-03"], work = ["2026-01-04"] },
  { name = "春节",   off = ["2026-02-15", "2026-02-23"], work = ["2026-02-14", "2026-02-28"] },
  { name = "清明节", off = ["2026-04-04", "2026-04-06"], work = [] },
  { name = "劳动节", off = ["2026-05-01", "2026-05-05"], work = ["2026-05-09"] },
  { name = "端午节", off = ["2026-06-19", "2026-06-21"], work = [] },
  { name = "国庆节", off = ["2026-10-01", "2026-10-07"], work = ["2026-09-20", "2026-10-10"] },
]
"#;

async fn account(
    service: &Service,
    by: Option<&CurrentUser>,
    name: &str,
    role: Role,
) -> CurrentUser {
    let password = "Calendar#2026x";
    let new = NewUser {
        username: Username::parse(name).unwrap(),
        display_name: name.to_owned(),
        password: password.to_owned(),
        roles: vec![RoleAssignment { role, unit: None }],
    };
    service.create_user(by, new).await.unwrap();
    let login = service.login(name, password).await.unwrap();
    service.authenticate(&login.token).await.unwrap()
}

#[track_caller]
fn assert_rejected<T: std::fmt::Debug>(res: Result<T, ServiceError>, code: ErrorCode) -> String {
    match res {
        Err(err) if err.code() == code => err.zh(),
        other => panic!("expected {code}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_year_is_loaded_by_an_administrator_recorded_swapped_in_and_kept() {
    let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap());
    let (_dir, service) =
        service(clock.clone(), crate::helpers::password_only(Config::default())).await;
    let admin = account(&service, None, "admin", Role::SysAdmin).await;
    let editor = account(&service, Some(&admin), "editor", Role::StaffingEditor).await;

    // The official years, and a year without data.
    let y2026 = service.calendar_year(2026);
    assert!(y2026.covered);
    assert_eq!((y2026.source, y2026.working_days), (Some(CalendarSource::Official), Some(248)));
    assert_eq!(y2026.holidays.len(), 7);
    assert_eq!(y2026.covered_years, vec![2024, 2025, 2026]);
    assert!(!y2026.replaced_official && y2026.loaded_by.is_none());
    let y2027 = service.calendar_year(2027);
    assert!(!y2027.covered && y2027.working_days.is_none() && y2027.holidays.is_empty());
    assert!(y2027.note.as_deref().unwrap().contains("临时期限"), "{:?}", y2027.note);
    let into_2027 = service.calendar().add_working_days(d(2026, 12, 30), 5);
    assert!(into_2027.provisional);

    // Only a system administrator loads; bad text and implausible years are refused; nothing
    // is written either way.
    let events = service.store().event_count().await.unwrap();
    let refused = service.load_calendar(&editor, Y2027).await;
    assert!(
        matches!(&refused, Err(ServiceError::Forbidden(why)) if why.contains("系统管理员")),
        "{refused:?}"
    );
    let bad = Y2027.replace("2027-02-14", "2027-02-30");
    let why =
        assert_rejected(service.load_calendar(&admin, &bad).await, ErrorCode::CalendarInvalid);
    assert!(why.contains("2027-02-30") && why.contains("2027年"), "{why}");
    let why = assert_rejected(
        service.load_calendar(&admin, "[[year]]\nyear = 2027\nholidays = [\n").await,
        ErrorCode::CalendarInvalid,
    );
    assert!(why.contains("line"), "where the text is wrong: {why}");
    let bare = "[[year]]\nyear = 2027\n";
    let why = assert_rejected(
        service.load_calendar(&admin, bare).await,
        ErrorCode::CalendarYearImplausible,
    );
    assert!(why.contains("2027年") && why.contains("261"), "{why}");
    assert_eq!(service.store().event_count().await.unwrap(), events);
    assert!(service.store().calendar_years().await.unwrap().is_empty());
    assert!(!service.calendar().covers(2027));

    // A new year, a corrected shipped year and an unchanged one, in one load.
    let official_2025 = quanze_core::WorkCalendar::official().year_text(2025).unwrap();
    let text = format!("{Y2027}\n{Y2026_CORRECTED}\n{official_2025}");
    let out = service.load_calendar(&admin, &text).await.unwrap();
    assert_eq!((out.added, out.replaced, out.unchanged), (vec![2027], vec![2026], vec![2025]));
    let leaf = out.leaf_index.expect("written");
    assert_eq!(out.years.iter().map(|y| y.year).collect::<Vec<_>>(), vec![2025, 2026, 2027]);
    assert_eq!(service.store().event_count().await.unwrap(), events + 1, "one event");
    let event = service.store().events(leaf, 1).await.unwrap().pop().unwrap();
    assert_eq!((event.kind.as_str(), event.actor), ("calendar.loaded", Some(admin.id)));
    let recorded = event.payload["years"].as_array().unwrap();
    assert_eq!(recorded.len(), 2, "{}", event.payload);
    assert_eq!(recorded[0]["year"], 2026);
    assert_eq!(recorded[0]["change"], "replaced");
    assert_eq!(recorded[0]["previous"]["source"], "official");
    assert_eq!(recorded[0]["previous"]["working_days"], 248);
    assert_eq!(recorded[0]["working_days"], 249);
    assert_eq!(recorded[0]["official_differs"], true);
    assert_eq!(recorded[1]["change"], "added");
    assert_eq!(recorded[1]["previous"], serde_json::Value::Null);
    assert_eq!(recorded[1]["sm3"].as_str().unwrap().len(), 64);

    // Every later deadline is counted on the new calendar.
    let cal = service.calendar();
    assert_eq!(cal.working_days_in(2027), Some(248));
    let into_2027 = cal.add_working_days(d(2026, 12, 30), 5);
    assert!(!into_2027.provisional);
    assert_eq!(into_2027.date, d(2027, 1, 7), "12-31, then 01-04 to 01-07 after 元旦");
    assert_eq!(cal.is_working_day(d(2026, 9, 25)), Some(true), "the corrected 2026");
    let y2026 = service.calendar_year(2026);
    assert_eq!((y2026.source, y2026.working_days), (Some(CalendarSource::Loaded), Some(249)));
    assert!(y2026.replaced_official);
    assert_eq!((y2026.loaded_by, y2026.loaded_at), (Some(admin.id), Some(clock.now())));
    let y2025 = service.calendar_year(2025);
    assert_eq!(y2025.source, Some(CalendarSource::Official), "an unchanged year is not stored");
    let y2027 = service.calendar_year(2027);
    assert!(y2027.covered && y2027.note.is_none() && !y2027.replaced_official);
    assert_eq!(
        y2027.days_worked_in_lieu,
        vec![d(2027, 2, 20), d(2027, 4, 25), d(2027, 9, 26), d(2027, 10, 9)]
    );
    assert_eq!(y2027.covered_years, vec![2024, 2025, 2026, 2027]);

    // The same text again changes nothing and records nothing.
    clock.advance(chrono::Duration::hours(1));
    let again = service.load_calendar(&admin, &text).await.unwrap();
    assert_eq!(
        (again.added.len(), again.replaced.len(), again.unchanged),
        (0, 0, vec![2025, 2026, 2027])
    );
    assert_eq!(again.leaf_index, None);
    assert_eq!(service.store().event_count().await.unwrap(), events + 1);

    // A service started on the same store has the loaded years, with who and when.
    let before = service.calendar();
    let restarted = Service::new(
        Arc::clone(service.store()),
        clock.clone(),
        crate::helpers::password_only(Config::default()),
    )
    .await
    .unwrap();
    assert_eq!(*restarted.calendar(), *before);
    assert_eq!(restarted.calendar_year(2026), service.calendar_year(2026));
    assert_eq!(restarted.calendar_year(2027), service.calendar_year(2027));
}
