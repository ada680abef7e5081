//! Accounts: users, roles, logins and tokens.

use super::*;

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
    let seq = store.record_login(user.id, false, 1, None, ev("login.failed")).await.unwrap().seq;
    assert_eq!(seq, before + 1);
    store.record_login(user.id, false, 2, Some(until), ev("login.failed")).await.unwrap();
    let locked = store.user(user.id).await.unwrap();
    assert_eq!((locked.failed_logins, locked.locked_until), (2, Some(until)));
    store.record_login(user.id, true, 0, None, ev("login.succeeded")).await.unwrap();
    let reset = store.user(user.id).await.unwrap();
    assert_eq!((reset.failed_logins, reset.locked_until), (0, None));
    assert_not_found(
        store.record_login(UserId::from_uuid(Uuid::now_v7()), true, 0, None, ev("x")).await,
    );

    store.create_token(user.id, "sha256:abc", "导入脚本", ev("token.created")).await.unwrap();
    assert_eq!(store.user_by_token("sha256:abc").await.unwrap(), Some(reset));
    assert_eq!(store.user_by_token("sha256:nope").await.unwrap(), None);
    assert_conflict(store.create_token(user.id, "sha256:abc", "again", ev("x")).await);
    assert_not_found(
        store.create_token(UserId::from_uuid(Uuid::now_v7()), "sha256:def", "x", ev("x")).await,
    );
});
