//! Login-failure lockout (等保 2.0: login-failure handling) with a clock the test moves.

use chrono::{DateTime, Duration};
use quanze_core::{Role, RoleAssignment, Username};
use quanze_service::{Config, NewUser, ServiceError};

use crate::helpers::{TestClock, service};

const PASSWORD: &str = "Lockout#2026x";

#[tokio::test]
async fn a_lock_expires_and_the_failure_count_starts_again() {
    let clock =
        TestClock::at(DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").unwrap().to_utc());
    let config = Config { lockout_threshold: 3, lockout_minutes: 30, ..Config::default() };
    let (_dir, service) = service(clock.clone(), config).await;
    let user = NewUser {
        username: Username::parse("clerk01").unwrap(),
        display_name: "李四".into(),
        password: PASSWORD.into(),
        roles: vec![RoleAssignment { role: Role::Clerk, unit: None }],
    };
    service.create_user(None, user).await.unwrap();

    for _ in 0..2 {
        assert!(matches!(
            service.login("clerk01", "wrong").await,
            Err(ServiceError::Unauthenticated)
        ));
    }
    assert!(matches!(service.login("clerk01", "wrong").await, Err(ServiceError::Locked(_))));
    // Locked: even the right password is refused.
    assert!(matches!(service.login("clerk01", PASSWORD).await, Err(ServiceError::Locked(_))));

    // After the lock, one wrong password is one failure, not a new lock.
    clock.advance(Duration::minutes(31));
    assert!(matches!(service.login("clerk01", "wrong").await, Err(ServiceError::Unauthenticated)));
    assert!(matches!(service.login("clerk01", "wrong").await, Err(ServiceError::Unauthenticated)));
    assert!(matches!(service.login("clerk01", "wrong").await, Err(ServiceError::Locked(_))));
    clock.advance(Duration::minutes(31));
    assert!(service.login("clerk01", PASSWORD).await.is_ok(), "the right password after the lock");
}
