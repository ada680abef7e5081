//! The law registry.

use super::*;

contract!(laws_are_registered_repealed_and_refused_when_inconsistent, |store| {
    use quanze_core::{Law, LawId, LawLevel};
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let old = Law {
        id: LawId::from_uuid(Uuid::now_v7()),
        title: "中华人民共和国食品卫生法".into(),
        level: LawLevel::Law,
        issuer: "全国人民代表大会常务委员会".into(),
        in_force_from: day(1995, 10, 30),
        in_force_until: None,
        amended_by: None,
        repealed_by: None,
    };
    let new = Law {
        id: LawId::from_uuid(Uuid::now_v7()),
        title: "中华人民共和国食品安全法".into(),
        in_force_from: day(2009, 6, 1),
        ..old.clone()
    };
    store.put_law(&old, ev("law.registered")).await.unwrap();
    store.put_law(&new, ev("law.registered")).await.unwrap();
    assert_eq!(store.laws().await.unwrap(), vec![old.clone(), new.clone()], "by start of force");

    let repealed =
        Law { in_force_until: Some(day(2009, 6, 1)), repealed_by: Some(new.id), ..old.clone() };
    store.put_law(&repealed, ev("law.repealed")).await.unwrap();
    assert_eq!(store.laws().await.unwrap(), vec![repealed.clone(), new.clone()]);

    // The same title and start under another id, and a repeal by a law nobody registered:
    // refused, nothing written.
    let events = store.event_count().await.unwrap();
    let twin = Law { id: LawId::from_uuid(Uuid::now_v7()), ..old.clone() };
    assert!(matches!(
        store.put_law(&twin, ev("law.registered")).await,
        Err(StoreError::Conflict(_))
    ));
    let dangling = Law { repealed_by: Some(LawId::from_uuid(Uuid::now_v7())), ..new.clone() };
    assert!(matches!(
        store.put_law(&dangling, ev("law.repealed")).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.laws().await.unwrap(), vec![repealed, new]);
    assert_eq!(store.event_count().await.unwrap(), events);
});
