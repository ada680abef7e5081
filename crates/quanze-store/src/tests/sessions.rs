//! Web sessions: stored, replaced, expired, ended one by one and by account, with no event.

use super::*;
use crate::StoredSession;

fn staff(name: &str) -> UserRecord {
    UserRecord {
        id: UserId::from_uuid(Uuid::now_v7()),
        username: Username::parse(name).unwrap(),
        display_name: "经办人".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        roles: vec![RoleAssignment { role: Role::Clerk, unit: None }],
        failed_logins: 0,
        locked_until: None,
    }
}

contract!(web_sessions_are_kept_until_they_expire_or_end, |store| {
    let user = staff("clerk");
    store.create_user(&user, ev("user.created")).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
    let session = |record: &str, user: Option<UserId>, minutes: i64| StoredSession {
        record: record.to_owned(),
        user,
        expires_at: now + chrono::Duration::minutes(minutes),
    };
    let events = store.event_count().await.unwrap();
    store.create_session("a", &session("{\"a\":1}", None, 30)).await.unwrap();
    // An id is taken once.
    let taken = store.create_session("a", &session("{}", None, 30)).await.unwrap_err();
    assert!(matches!(taken, StoreError::Conflict(_)), "{taken:?}");
    // Saved again (signed in): replaced whole.
    store.save_session("a", &session("{\"a\":2}", Some(user.id), 30)).await.unwrap();
    let found = store.session("a", now).await.unwrap().unwrap();
    assert_eq!(found, session("{\"a\":2}", Some(user.id), 30));
    // Past its expiry it is not returned, and the sweep removes it and no other.
    store.create_session("b", &session("{}", Some(user.id), 5)).await.unwrap();
    let later = now + chrono::Duration::minutes(10);
    assert!(store.session("b", later).await.unwrap().is_none());
    assert!(store.session("a", later).await.unwrap().is_some());
    assert_eq!(store.delete_expired_sessions(later).await.unwrap(), 1);
    // Ended one by one, and all of an account's at once.
    store.create_session("c", &session("{}", Some(user.id), 30)).await.unwrap();
    store.delete_session("c").await.unwrap();
    assert!(store.session("c", now).await.unwrap().is_none());
    store.create_session("d", &session("{}", Some(user.id), 30)).await.unwrap();
    assert_eq!(store.delete_user_sessions(user.id).await.unwrap(), 2, "a and d");
    assert!(store.session("a", now).await.unwrap().is_none());
    // A request of an ended session that saves it afterwards does not bring it back.
    store.save_session("a", &session("{\"a\":3}", Some(user.id), 30)).await.unwrap();
    assert!(store.session("a", now).await.unwrap().is_none(), "stays ended");
    assert_eq!(store.event_count().await.unwrap(), events, "sessions record no event");
});
