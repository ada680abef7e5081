//! The second factor of a sign-in (等保 2.0 L3 8.1.4.1 d): TOTP enrolment at the first sign-in
//! of an administrator, codes used once, recovery codes used once, an SM2 key's signed
//! challenge, wrong proofs counted, and an administrator's reset.

use base64::Engine as _;
use chrono::{DateTime, Duration};
use quanze_core::{Role, RoleAssignment, Username};
use quanze_ledger::{SigAlg, SigningKey};
use quanze_service::cases::{CasesConfig, PersonalKey};
use quanze_service::second_factor::{Proof, SM2_SIGN_IN_PREFIX, TotpSecret};
use quanze_service::{Clock, Config, CurrentUser, ErrorCode, NewUser, Service, ServiceError};

use crate::helpers::{TestClock, service};

const PASSWORD: &str = "Factor#2026x";

fn config() -> Config {
    Config {
        cases: CasesConfig { personal_key: Some(PersonalKey::generate()), ..Default::default() },
        ..Config::default()
    }
}

async fn account(service: &Service, name: &str, role: Role) {
    let user = NewUser {
        username: Username::parse(name).unwrap(),
        display_name: "王五".into(),
        password: PASSWORD.into(),
        roles: vec![RoleAssignment { role, unit: None }],
    };
    service.create_user(None, user).await.unwrap();
}

/// The address the accounts sign in from: once signed in from, the account's wait does not
/// apply to it (the waits are tested in auth.rs), so the wrong codes here are answered as such.
const DESK: Option<std::net::IpAddr> =
    Some(std::net::IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 1, 7)));

/// The ticket of a sign-in whose password was right.
async fn ticket(
    service: &Service,
    name: &str,
) -> Box<quanze_service::second_factor::SecondFactorNeeded> {
    match service.sign_in_from(name, PASSWORD, DESK).await {
        Err(ServiceError::SecondFactor(need)) => need,
        other => panic!("{name}: expected a second factor to be asked, got {other:?}"),
    }
}

fn refused_as(result: Result<CurrentUser, ServiceError>, code: ErrorCode) {
    match result {
        Err(e) => assert_eq!(e.code(), code, "{e}"),
        Ok(user) => panic!("signed in as {} where {code} was expected", user.username),
    }
}

#[tokio::test]
async fn an_administrator_enrols_at_the_first_sign_in_and_every_code_serves_once() {
    let clock =
        TestClock::at(DateTime::parse_from_rfc3339("2026-03-02T09:00:10+08:00").unwrap().to_utc());
    let (_dir, service) = service(clock.clone(), config()).await;
    account(&service, "admin01", Role::SysAdmin).await;
    account(&service, "clerk01", Role::Clerk).await;

    // A clerk's password suffices; an administrator's does not, and without a factor it must
    // enrol one first.
    service.sign_in("clerk01", PASSWORD).await.expect("a clerk needs no second factor");
    let need = ticket(&service, "admin01").await;
    assert!(need.enrol, "{need:?}");
    assert!(need.methods.is_empty());
    let enrolment = service.begin_enrolment(&need.ticket).await.unwrap();
    assert!(
        enrolment.uri.starts_with("otpauth://totp/Quanze:admin01?secret="),
        "{}",
        enrolment.uri
    );
    let secret = TotpSecret::from_base32(&enrolment.secret).unwrap();
    let wrong = service.confirm_enrolment(&need.ticket, "000000", DESK).await;
    assert_eq!(wrong.unwrap_err().code(), ErrorCode::SecondFactorInvalid);
    // The same secret is offered again after a wrong code.
    assert_eq!(service.current_enrolment(&need.ticket).await.unwrap().secret, enrolment.secret);
    let (admin, recovery) = service
        .confirm_enrolment(&need.ticket, &secret.code_at(clock.now()), DESK)
        .await
        .expect("the app's code confirms the enrolment and signs in");
    assert_eq!(admin.username.as_str(), "admin01");
    assert_eq!(recovery.len(), 10);
    // The ticket served its sign-in and is gone.
    refused_as(
        service
            .complete_sign_in(&need.ticket, &Proof::Code(secret.code_at(clock.now())), DESK)
            .await,
        ErrorCode::SecondFactorInvalid,
    );
    // A confirmed secret is not replaced by another enrolment.
    assert_eq!(service.begin_totp(&admin).await.unwrap_err().code(), ErrorCode::SecondFactorState);

    // The next sign-in asks for a code; the code that confirmed the enrolment is spent.
    let need = ticket(&service, "admin01").await;
    assert!(!need.enrol);
    assert_eq!(need.methods, ["totp", "recovery"]);
    let spent = secret.code_at(clock.now());
    refused_as(
        service.complete_sign_in(&need.ticket, &Proof::Code(spent.clone()), DESK).await,
        ErrorCode::SecondFactorInvalid,
    );
    clock.advance(Duration::seconds(30));
    let fresh = secret.code_at(clock.now());
    let signed_in =
        service.complete_sign_in(&need.ticket, &Proof::Code(fresh.clone()), DESK).await.unwrap();
    assert_eq!(signed_in.id, admin.id);
    // Replayed at once, on a new ticket: refused (RFC 6238 §5.2).
    let need = ticket(&service, "admin01").await;
    refused_as(
        service.complete_sign_in(&need.ticket, &Proof::Code(fresh), DESK).await,
        ErrorCode::SecondFactorInvalid,
    );

    // A recovery code serves in place of the phone, once.
    let typed = recovery[3].to_uppercase();
    service.complete_sign_in(&need.ticket, &Proof::Code(typed.clone()), DESK).await.unwrap();
    let need = ticket(&service, "admin01").await;
    refused_as(
        service.complete_sign_in(&need.ticket, &Proof::Code(typed), DESK).await,
        ErrorCode::SecondFactorInvalid,
    );
    let summary = service.factor_summary(&admin, admin.id).await.unwrap();
    assert_eq!((summary.totp, summary.recovery_codes_left, summary.required), (true, 9, true));

    // Five wrong codes end a ticket, even before its five minutes.
    for _ in 0..4 {
        refused_as(
            service.complete_sign_in(&need.ticket, &Proof::Code("999999".into()), DESK).await,
            ErrorCode::SecondFactorInvalid,
        );
    }
    clock.advance(Duration::seconds(30));
    refused_as(
        service
            .complete_sign_in(&need.ticket, &Proof::Code(secret.code_at(clock.now())), DESK)
            .await,
        ErrorCode::SecondFactorInvalid,
    );
    // And a ticket ends after five minutes.
    let need = ticket(&service, "admin01").await;
    clock.advance(Duration::minutes(5));
    refused_as(
        service
            .complete_sign_in(&need.ticket, &Proof::Code(secret.code_at(clock.now())), DESK)
            .await,
        ErrorCode::SecondFactorInvalid,
    );

    // The wrong codes are in the ledger as failed sign-ins of the account.
    let failed = service
        .store()
        .user_by_name(&Username::parse("admin01").unwrap())
        .await
        .unwrap()
        .unwrap()
        .failed_logins;
    assert!(failed >= 5, "wrong codes count as failures: {failed}");
}

#[tokio::test]
async fn an_sm2_key_signs_the_challenge_and_an_administrator_resets_a_lost_factor() {
    let clock =
        TestClock::at(DateTime::parse_from_rfc3339("2026-03-02T09:00:10+08:00").unwrap().to_utc());
    let (_dir, service) = service(clock.clone(), config()).await;
    account(&service, "admin01", Role::SysAdmin).await;
    account(&service, "clerk01", Role::Clerk).await;
    let need = ticket(&service, "admin01").await;
    let secret =
        TotpSecret::from_base32(&service.begin_enrolment(&need.ticket).await.unwrap().secret)
            .unwrap();
    let (admin, _) =
        service.confirm_enrolment(&need.ticket, &secret.code_at(clock.now()), DESK).await.unwrap();

    // The administrator registers the public key of the clerk's USB key.
    let key = SigningKey::generate(SigAlg::Sm2, "quanze-sign-in").unwrap();
    let public = key.verifier_key().sm2_public_key_pem().unwrap();
    let clerk = service.sign_in("clerk01", PASSWORD).await.unwrap();
    assert_eq!(
        service.set_sm2_key(&clerk, clerk.id, Some(&public)).await.unwrap_err().code(),
        ErrorCode::Forbidden,
        "a clerk does not register keys"
    );
    let not_a_key = service
        .set_sm2_key(
            &admin,
            clerk.id,
            Some("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
        )
        .await;
    assert_eq!(not_a_key.unwrap_err().code(), ErrorCode::InvalidInput);
    service.set_sm2_key(&admin, clerk.id, Some(&public)).await.unwrap();
    // With a key, a password alone enrols nothing: the ticket may only be completed by the key.
    let need = ticket(&service, "clerk01").await;
    assert!(!need.enrol);
    assert_eq!(
        service.begin_enrolment(&need.ticket).await.unwrap_err().code(),
        ErrorCode::SecondFactorState
    );
    assert_eq!(
        service.confirm_enrolment(&need.ticket, "123456", DESK).await.unwrap_err().code(),
        ErrorCode::SecondFactorState
    );

    // Now the clerk's sign-in asks for the key's signature of its challenge.
    let need = ticket(&service, "clerk01").await;
    assert_eq!(need.methods, ["sm2"]);
    let sign = |key: &SigningKey, challenge: &str| {
        let message = format!("{SM2_SIGN_IN_PREFIX}{challenge}");
        base64::engine::general_purpose::STANDARD.encode(key.sign(message.as_bytes()).unwrap())
    };
    let stranger = SigningKey::generate(SigAlg::Sm2, "quanze-sign-in").unwrap();
    refused_as(
        service
            .complete_sign_in(
                &need.ticket,
                &Proof::Sm2Signature(sign(&stranger, &need.challenge)),
                DESK,
            )
            .await,
        ErrorCode::SecondFactorInvalid,
    );
    let other = ticket(&service, "clerk01").await;
    refused_as(
        service
            .complete_sign_in(
                &need.ticket,
                &Proof::Sm2Signature(sign(&key, &other.challenge)),
                DESK,
            )
            .await,
        ErrorCode::SecondFactorInvalid,
    );
    let signed = service
        .complete_sign_in(&need.ticket, &Proof::Sm2Signature(sign(&key, &need.challenge)), DESK)
        .await
        .expect("the key's signature of this ticket's challenge signs in");
    assert_eq!(signed.id, clerk.id);

    // A lost phone: the administrator resets the factor; the account's tokens end and its
    // next sign-in enrols again. The reset is refused to others.
    let token = service.issue_token(&admin, "login").await.unwrap();
    assert_eq!(
        service.reset_second_factor(&clerk, admin.id).await.unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let waiting = ticket(&service, "admin01").await;
    service.reset_second_factor(&admin, admin.id).await.unwrap();
    assert_eq!(
        service.begin_enrolment(&waiting.ticket).await.unwrap_err().code(),
        ErrorCode::SecondFactorInvalid,
        "a reset ends the tickets issued before it"
    );
    assert!(service.authenticate(&token).await.is_err(), "the reset ends the account's tokens");
    assert!(ticket(&service, "admin01").await.enrol);
    // The console's reset, for the last administrator, needs no account.
    service.set_sm2_key(&admin, clerk.id, None).await.unwrap();
    service.reset_second_factor_at_console(&Username::parse("clerk01").unwrap()).await.unwrap();
    service.sign_in("clerk01", PASSWORD).await.expect("a clerk without a key signs in again");
}

#[tokio::test]
async fn without_a_key_an_administrator_is_told_why_it_cannot_enrol() {
    let clock =
        TestClock::at(DateTime::parse_from_rfc3339("2026-03-02T09:00:10+08:00").unwrap().to_utc());
    let (_dir, service) = service(clock.clone(), Config::default()).await;
    account(&service, "admin01", Role::SysAdmin).await;
    let need = ticket(&service, "admin01").await;
    let refused = service.begin_enrolment(&need.ticket).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::PersonalKeyMissing);
    assert!(refused.zh().contains("--personal-key"), "{}", refused.zh());
    assert_eq!(
        service.begin_enrolment("qzt_forged").await.unwrap_err().code(),
        ErrorCode::SecondFactorInvalid
    );
    let _ = clock.now();
}
