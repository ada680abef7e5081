//! Sign-in throttling, administrators' locks and token lifetimes (等保 2.0: login-failure
//! handling, session timeouts) with a clock the test moves.

use std::net::IpAddr;

use chrono::{DateTime, Duration};
use quanze_core::{Role, RoleAssignment, Username};
use quanze_service::Clock;
use quanze_service::{Config, NewUser, ServiceError};

use crate::helpers::{TestClock, service};

const PASSWORD: &str = "Lockout#2026x";

#[tokio::test]
async fn guesses_slow_the_guesser_down_but_never_lock_the_owner_out() {
    let clock =
        TestClock::at(DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").unwrap().to_utc());
    let config = crate::helpers::password_only(Config {
        lockout_threshold: 3,
        lockout_minutes: 30,
        ..Config::default()
    });
    let (_dir, service) = service(clock.clone(), config).await;
    let user = NewUser {
        username: Username::parse("clerk01").unwrap(),
        display_name: "李四".into(),
        password: PASSWORD.into(),
        roles: vec![RoleAssignment { role: Role::Clerk, unit: None }],
    };
    service.create_user(None, user).await.unwrap();
    let desk: Option<IpAddr> = Some([10, 1, 1, 7].into());
    let stranger: Option<IpAddr> = Some([203, 0, 113, 9].into());
    // The owner signs in from their desk once: that address is familiar.
    service.login_from("clerk01", PASSWORD, desk).await.unwrap();

    // A stranger's three guesses are free; the fourth makes unfamiliar addresses wait.
    for _ in 0..3 {
        let refused = service.login_from("clerk01", "wrong", stranger).await;
        assert!(matches!(refused, Err(ServiceError::Unauthenticated)), "{refused:?}");
    }
    let refused = service.login_from("clerk01", "wrong", stranger).await;
    assert!(matches!(refused, Err(ServiceError::Unauthenticated)));
    let Err(ServiceError::Throttled(until)) =
        service.login_from("clerk01", PASSWORD, stranger).await
    else {
        panic!("the stranger's address waits, even with the right password")
    };
    assert_eq!(until, clock.now() + Duration::seconds(15));
    // An unknown name is treated alike: the wait tells nothing about which accounts exist.
    for _ in 0..4 {
        let _ = service.login_from("nobody01", "wrong", Some([198, 51, 100, 1].into())).await;
    }
    assert!(matches!(
        service.login_from("nobody01", "wrong", Some([198, 51, 100, 2].into())).await,
        Err(ServiceError::Throttled(_))
    ));
    // The owner at their desk is not slowed down by the stranger.
    service.login_from("clerk01", PASSWORD, desk).await.expect("the owner signs in");
    let stored = service.store().user_by_name(&Username::parse("clerk01").unwrap()).await;
    assert_eq!(stored.unwrap().unwrap().failed_logins, 0, "a sign-in clears the count");

    // An administrator's lock ends the account's tokens at once and refuses even the owner;
    // the unlock lets them back.
    let admin = NewUser {
        username: Username::parse("admin01").unwrap(),
        display_name: "管理员".into(),
        password: PASSWORD.into(),
        roles: vec![RoleAssignment { role: Role::SysAdmin, unit: None }],
    };
    service.create_user(None, admin).await.unwrap();
    let admin = service.login("admin01", PASSWORD).await.unwrap().user;
    let token = service.login_from("clerk01", PASSWORD, desk).await.unwrap().token;
    let id = service.authenticate(&token).await.unwrap().id;
    service.set_account_lock(&admin, id, true, "离职").await.unwrap();
    assert!(matches!(service.authenticate(&token).await, Err(ServiceError::Unauthenticated)));
    assert!(matches!(
        service.login_from("clerk01", PASSWORD, desk).await,
        Err(ServiceError::Locked(_))
    ));
    assert!(
        matches!(
            service.login_from("clerk01", "wrong", desk).await,
            Err(ServiceError::Unauthenticated)
        ),
        "a lock is told only to whoever knows the password"
    );
    service.set_account_lock(&admin, id, false, "返岗").await.unwrap();
    service.login_from("clerk01", PASSWORD, desk).await.expect("unlocked");
}

#[tokio::test]
async fn tokens_end_when_idle_at_their_end_and_on_logout_and_a_password_change_ends_the_others() {
    let clock =
        TestClock::at(DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").unwrap().to_utc());
    let (_dir, service) = service(clock.clone(), Config::default()).await;
    let user = NewUser {
        username: Username::parse("clerk02").unwrap(),
        display_name: "王五".into(),
        password: PASSWORD.into(),
        roles: vec![RoleAssignment { role: Role::Clerk, unit: None }],
    };
    service.create_user(None, user).await.unwrap();
    let login = || service.login("clerk02", PASSWORD);

    // Idle 30 minutes: ended; used every 20 minutes: it lives until its 12 hours are up.
    let idle = login().await.unwrap().token;
    let busy = login().await.unwrap().token;
    for _ in 0..35 {
        clock.advance(Duration::minutes(20));
        service.authenticate(&busy).await.expect("used within its idle time");
    }
    assert!(matches!(service.authenticate(&idle).await, Err(ServiceError::Unauthenticated)));
    clock.advance(Duration::minutes(19));
    service.authenticate(&busy).await.expect("11 hours 59 minutes");
    clock.advance(Duration::minutes(2));
    let past = service.authenticate(&busy).await;
    assert!(matches!(past, Err(ServiceError::Unauthenticated)), "past its 12 hours");

    // Logout ends the token presented.
    let token = login().await.unwrap().token;
    let me = service.authenticate(&token).await.unwrap();
    service.log_out(&me, &token).await.unwrap();
    assert!(service.authenticate(&token).await.is_err());

    // A new password: the rule applies; the caller's token stays, the others end.
    let mine = login().await.unwrap().token;
    let other = login().await.unwrap().token;
    let me = service.authenticate(&mine).await.unwrap();
    let weak = service.change_password(&me, PASSWORD, "Password2026!", Some(&mine)).await;
    assert_eq!(weak.unwrap_err().code(), quanze_service::ErrorCode::WeakPassword);
    let wrong = service.change_password(&me, "not-it", "Kx7#mq2Lp9Zt", Some(&mine)).await;
    assert_eq!(wrong.unwrap_err().code(), quanze_service::ErrorCode::Unauthenticated);
    service.change_password(&me, PASSWORD, "Kx7#mq2Lp9Zt", Some(&mine)).await.unwrap();
    assert!(service.authenticate(&mine).await.is_ok(), "the caller's own token stays");
    assert!(service.authenticate(&other).await.is_err(), "the other ends");
    assert!(service.login("clerk02", PASSWORD).await.is_err(), "the old password is gone");
    service.login("clerk02", "Kx7#mq2Lp9Zt").await.expect("the new one works");
}

#[tokio::test]
async fn a_persons_name_is_sealed_at_rest_and_opened_for_the_auditor_alone() {
    use sqlx::Connection as _;
    let clock =
        TestClock::at(DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").unwrap().to_utc());
    let key = quanze_service::cases::PersonalKey::generate();
    let config = crate::helpers::password_only(Config {
        cases: quanze_service::cases::CasesConfig {
            personal_key: Some(key.clone()),
            ..Default::default()
        },
        ..Config::default()
    });
    let (dir, service) = service(clock.clone(), config).await;
    for (name, display, role) in
        [("audit01", "审计员甲", Role::Auditor), ("clerk09", "李四", Role::Clerk)]
    {
        let user = NewUser {
            username: Username::parse(name).unwrap(),
            display_name: display.into(),
            password: PASSWORD.into(),
            roles: vec![RoleAssignment { role, unit: None }],
        };
        service.create_user(None, user).await.unwrap();
    }
    // At rest: no name in clear, in the account's row or behind the event's commitment.
    sqlx::any::install_default_drivers();
    let url = quanze_store::testing::sqlite_url(dir.path());
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let stored: String =
        sqlx::query_scalar("SELECT display_name FROM users WHERE username = 'clerk09'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(stored.starts_with("sm4:") && !stored.contains("李四"), "{stored}");
    let personal: Vec<String> =
        sqlx::query_scalar("SELECT data FROM event_personal").fetch_all(&mut conn).await.unwrap();
    assert!(personal.iter().all(|d| !d.contains("李四")), "{personal:?}");
    conn.close().await.unwrap();
    // The auditor reads it opened; a clerk reads nothing.
    let auditor = service.login("audit01", PASSWORD).await.unwrap().user;
    let query = quanze_service::audit::AuditQuery {
        kind: Some("user.created".into()),
        ..Default::default()
    };
    let page = service.audit_trail(&auditor, &query).await.unwrap();
    let names: Vec<&str> = page
        .records
        .iter()
        .filter_map(|r| r.personal.as_ref()?.get("display_name")?.as_str())
        .collect();
    assert_eq!(names, ["审计员甲", "李四"]);
    let clerk = service.login("clerk09", PASSWORD).await.unwrap().user;
    assert!(matches!(service.audit_trail(&clerk, &query).await, Err(ServiceError::Forbidden(_))));
}

#[tokio::test]
async fn the_password_hash_cost_is_configured_kept_in_each_hash_and_floored() {
    use quanze_service::auth::PasswordHashing;
    assert!(PasswordHashing::checked(4_096, 10).is_err(), "under 7 MiB");
    assert!(PasswordHashing::checked(7_168, 4).is_err(), "too little work");
    let cost = PasswordHashing::checked(9_216, 4).expect("one of OWASP's settings");
    let clock =
        TestClock::at(DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").unwrap().to_utc());
    let config =
        crate::helpers::password_only(Config { password_hashing: cost, ..Config::default() });
    let (dir, service) = service(clock, config).await;
    let user = NewUser {
        username: Username::parse("cost01").unwrap(),
        display_name: "口令".into(),
        password: PASSWORD.into(),
        roles: vec![RoleAssignment { role: Role::Clerk, unit: None }],
    };
    service.create_user(None, user).await.unwrap();
    sqlx::any::install_default_drivers();
    use sqlx::Connection as _;
    let url = quanze_store::testing::sqlite_url(dir.path());
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'cost01'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    conn.close().await.unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=9216,t=4,p=1$"), "{hash}");
    service.login("cost01", PASSWORD).await.expect("signs in at the configured cost");
    assert!(matches!(
        service.login("cost01", "Wrong#password1").await,
        Err(ServiceError::Unauthenticated)
    ));
}
