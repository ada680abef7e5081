//! The working-day calendar loaded at run time.

use quanze_core::WorkCalendar;

use super::*;

/// A 2026 with two holidays only and a 2027 with 元旦 and 春节 (the store does not judge them).
const LOADED: &str = r#"
[[year]]
year = 2026
holidays = [
  { name = "春节", off = ["2026-02-15", "2026-02-23"], work = ["2026-02-14", "2026-02-28"] },
  { name = "国庆节", off = ["2026-10-01", "2026-10-07"], work = ["2026-09-20", "2026-10-10"] },
]

[[year]]
year = 2027
holidays = [
  { name = "元旦", off = ["2027-01-01", "2027-01-03"], work = [] },
  { name = "春节", off = ["2027-02-06", "2027-02-14"], work = ["2027-02-20"] },
]
"#;

fn admin() -> UserRecord {
    UserRecord {
        id: UserId::from_uuid(Uuid::now_v7()),
        username: Username::parse("admin").unwrap(),
        display_name: "系统管理员".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        roles: vec![RoleAssignment { role: Role::SysAdmin, unit: None }],
        failed_logins: 0,
        locked_until: None,
    }
}

contract!(calendar_years_are_stored_replaced_and_read_back, |store| {
    assert_eq!(store.calendar_years().await.unwrap(), vec![]);
    let user = admin();
    store.create_user(&user, ev("user.created")).await.unwrap();
    let loaded = WorkCalendar::parse(LOADED).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 5, 1, 2, 3).unwrap();
    let before = store.event_count().await.unwrap();
    store.put_calendar_years(&loaded, Some(user.id), at, ev("calendar.loaded")).await.unwrap();
    assert_eq!(store.event_count().await.unwrap(), before + 1, "one event for the whole load");
    let stored = store.calendar_years().await.unwrap();
    assert_eq!(stored.iter().map(|y| y.year).collect::<Vec<_>>(), vec![2026, 2027]);
    for y in &stored {
        assert_eq!(Some(&y.calendar), loaded.only(y.year).as_ref(), "{}", y.year);
        assert_eq!((y.loaded_by, y.loaded_at), (Some(user.id), at));
    }

    // A later load replaces a year whole and leaves the others.
    let corrected = WorkCalendar::parse(
        "[[year]]\nyear = 2027\nholidays = [{ name = \"元旦\", off = [\"2027-01-01\", \"2027-01-01\"] }]",
    )
    .unwrap();
    let later = at + chrono::Duration::days(30);
    store.put_calendar_years(&corrected, None, later, ev("calendar.loaded")).await.unwrap();
    let stored = store.calendar_years().await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(Some(&stored[0].calendar), loaded.only(2026).as_ref());
    assert_eq!(stored[0].loaded_by, Some(user.id));
    assert_eq!(
        (&stored[1].calendar, stored[1].loaded_by, stored[1].loaded_at),
        (&corrected, None, later)
    );
    assert_eq!(stored[1].calendar.working_days_in(2027), Some(260));

    // A load by a user that does not exist stores nothing and records no event.
    let before = store.event_count().await.unwrap();
    let stranger = UserId::from_uuid(Uuid::now_v7());
    let what = assert_not_found(
        store.put_calendar_years(&loaded, Some(stranger), later, ev("calendar.loaded")).await,
    );
    assert!(what.contains("user"), "{what}");
    assert_eq!(store.event_count().await.unwrap(), before);
    assert_eq!(store.calendar_years().await.unwrap(), stored, "nothing half-written");
});
