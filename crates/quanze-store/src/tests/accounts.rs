//! Accounts: users, roles, logins and tokens.

use super::*;
use crate::TokenLife;

contract!(users_roles_logins_and_tokens, |store| {
    let (dept, _town) = setup(&store).await;
    let user = UserRecord {
        id: UserId::from_uuid(Uuid::now_v7()),
        username: Username::parse("editor.01").unwrap(),
        display_name: "张三".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        roles: vec![
            RoleAssignment { role: Role::StaffingEditor, unit: None },
            RoleAssignment { role: Role::Clerk, unit: Some(dept.id) },
        ],
        failed_logins: 0,
        locked_until: None,
    };
    store.create_user(&user, ev("user.created")).await.unwrap();
    assert_eq!(store.user(user.id).await.unwrap(), user);
    assert_eq!(store.user_by_name(&user.username).await.unwrap(), Some(user.clone()));
    assert_eq!(store.user_by_name(&Username::parse("nobody").unwrap()).await.unwrap(), None);
    assert_not_found(store.user(UserId::from_uuid(Uuid::now_v7())).await);

    let before = store.event_count().await.unwrap();
    let twin = UserRecord { id: UserId::from_uuid(Uuid::now_v7()), ..user.clone() };
    assert_conflict(store.create_user(&twin, ev("user.created")).await);
    let stray = UserRecord {
        id: UserId::from_uuid(Uuid::now_v7()),
        username: Username::parse("clerk.02").unwrap(),
        roles: vec![RoleAssignment {
            role: Role::Clerk,
            unit: Some(UnitId::from_uuid(Uuid::now_v7())),
        }],
        ..user.clone()
    };
    assert_not_found(store.create_user(&stray, ev("user.created")).await);
    assert_eq!(store.user_by_name(&stray.username).await.unwrap(), None);
    assert_eq!(store.event_count().await.unwrap(), before);

    let until = Utc.with_ymd_and_hms(2030, 1, 1, 8, 30, 0).unwrap();
    let seq = store.record_login(user.id, false, ev("login.failed")).await.unwrap().seq;
    assert_eq!(seq, before + 1);
    store.record_login(user.id, false, ev("login.failed")).await.unwrap();
    assert_eq!(store.user(user.id).await.unwrap().failed_logins, 2, "counted in SQL");
    store.record_login(user.id, true, ev("login.succeeded")).await.unwrap();
    let reset = store.user(user.id).await.unwrap();
    assert_eq!((reset.failed_logins, reset.locked_until), (0, None));
    assert_not_found(store.record_login(UserId::from_uuid(Uuid::now_v7()), true, ev("x")).await);

    // Tokens live until their end and while used.
    // The token's creation is its event's instant (now).
    let now = Utc::now() + chrono::Duration::seconds(1);
    let end = now + chrono::Duration::hours(12);
    let life = TokenLife { expires_at: end, idle: chrono::Duration::minutes(30) };
    let at = |_| ev("token.created");
    store.create_token(user.id, "sm3:abc", "导入脚本", life, at(now)).await.unwrap();
    store.create_token(user.id, "sm3:mine", "login", life, at(now)).await.unwrap();
    assert_eq!(store.user_by_token("sm3:abc", now).await.unwrap(), Some(reset.clone()));
    assert_eq!(store.user_by_token("sm3:nope", now).await.unwrap(), None);
    let later = now + chrono::Duration::minutes(20);
    assert!(store.user_by_token("sm3:abc", later).await.unwrap().is_some(), "used");
    let idle_out = later + chrono::Duration::minutes(25);
    assert_eq!(store.user_by_token("sm3:mine", idle_out).await.unwrap(), None, "idle");
    assert!(store.user_by_token("sm3:abc", idle_out).await.unwrap().is_some(), "touched");
    assert_eq!(store.user_by_token("sm3:abc", end).await.unwrap(), None, "past its end");
    assert_conflict(store.create_token(user.id, "sm3:abc", "again", life, ev("x")).await);
    assert_not_found(
        store.create_token(UserId::from_uuid(Uuid::now_v7()), "sm3:def", "x", life, ev("x")).await,
    );

    // A new password ends every token but the holder's; a lock ends the rest; a revoked token
    // is gone.
    store.create_token(user.id, "sm3:other", "login", life, at(now)).await.unwrap();
    store
        .set_password(user.id, "$argon2id$new", Some("sm3:mine"), ev("user.password"))
        .await
        .unwrap();
    assert_eq!(store.user(user.id).await.unwrap().password_hash, "$argon2id$new");
    assert_eq!(store.user_by_token("sm3:other", now).await.unwrap(), None);
    assert_eq!(store.user_by_token("sm3:abc", now).await.unwrap(), None);
    assert!(store.user_by_token("sm3:mine", now).await.unwrap().is_some(), "kept");
    store.set_lock(user.id, Some(until), ev("user.locked")).await.unwrap();
    assert_eq!(store.user(user.id).await.unwrap().locked_until, Some(until));
    assert_eq!(store.user_by_token("sm3:mine", now).await.unwrap(), None, "ended by the lock");
    store.set_lock(user.id, None, ev("user.unlocked")).await.unwrap();
    assert_eq!(store.user(user.id).await.unwrap().locked_until, None);
    store.create_token(user.id, "sm3:again", "login", life, at(now)).await.unwrap();
    store.revoke_token("sm3:again", ev("token.revoked")).await.unwrap();
    assert_eq!(store.user_by_token("sm3:again", now).await.unwrap(), None);
    assert_not_found(store.revoke_token("sm3:again", ev("x")).await);
    assert_not_found(store.set_lock(UserId::from_uuid(Uuid::now_v7()), None, ev("x")).await);
});
