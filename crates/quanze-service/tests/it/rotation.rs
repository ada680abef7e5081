//! 密钥轮换 — rotating the personal-data key on the demo county with its year of cases: after
//! `reseal_personal_data` every stored seal (accounts' names and TOTP secrets, applicants, the
//! personal data behind events' commitments, towns' readiness) opens under the new key alone,
//! cases are matched under the new key, no ID number is in clear anywhere, a recovery code given
//! before the rotation still serves, and a rotation that meets a concurrent write rolls back
//! whole.

use chrono::{TimeZone, Utc};
use quanze_core::{Role, RoleAssignment, Username};
use quanze_service::cases::{CasesConfig, PersonalKey};
use quanze_service::second_factor::{Proof, TotpSecret};
use quanze_service::{Clock, Config, NewUser, Service, ServiceError};
use quanze_store::StoreError;
use sqlx::Connection as _;

use crate::helpers::TestClock;

const PASSWORD: &str = "Rotate#2026x";
const DESK: Option<std::net::IpAddr> =
    Some(std::net::IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 1, 9)));

fn with_key(key: &PersonalKey) -> Config {
    Config {
        cases: CasesConfig { personal_key: Some(key.clone()), ..CasesConfig::default() },
        ..Config::default()
    }
}

/// What is sealed at rest, read straight from the file.
struct AtRest {
    names: Vec<String>,
    totp: Vec<String>,
    applicants: Vec<(Vec<u8>, String)>,
    personal: Vec<String>,
    readiness: Vec<String>,
    officers: Vec<String>,
}

async fn at_rest(url: &str) -> AtRest {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let text = |sql: &'static str| sqlx::query_scalar::<_, String>(sql);
    let rest = AtRest {
        names: text("SELECT display_name FROM users").fetch_all(&mut conn).await.unwrap(),
        totp: text("SELECT totp_sealed FROM users WHERE totp_sealed IS NOT NULL")
            .fetch_all(&mut conn)
            .await
            .unwrap(),
        applicants: sqlx::query_as(
            "SELECT a.sealed, c.applicant_key FROM case_applicants a JOIN cases c ON c.id = a.case_id",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap(),
        personal: text("SELECT data FROM event_personal").fetch_all(&mut conn).await.unwrap(),
        readiness: text("SELECT doc FROM readiness").fetch_all(&mut conn).await.unwrap(),
        officers: text("SELECT officers FROM cases WHERE officers IS NOT NULL")
            .fetch_all(&mut conn)
            .await
            .unwrap(),
    };
    conn.close().await.unwrap();
    rest
}

/// The material files below `root` (`ab/cdef…`), leaving out the temporary folder.
fn material_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for folder in std::fs::read_dir(root).unwrap().flatten().filter(|e| e.file_name() != "tmp") {
        files.extend(std::fs::read_dir(folder.path()).unwrap().flatten().map(|f| f.path()));
    }
    files
}

fn number_of(key: &PersonalKey, sealed: &[u8]) -> String {
    let json: serde_json::Value = serde_json::from_slice(&key.open(sealed).unwrap()).unwrap();
    json["number"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_rotation_reseals_everything_under_the_new_key_and_keeps_old_recovery_codes() {
    let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let url = quanze_store::testing::sqlite_url(dir.path());
    let old = PersonalKey::generate();
    let store = quanze_store::connect(&url).await.unwrap();
    let service = Service::new(store, clock.clone(), with_key(&old)).await.unwrap();
    service.load_demo(7).await.unwrap();
    // An administrator enrols TOTP and is given recovery codes, under the old key.
    let admin = NewUser {
        username: Username::parse("rotator").unwrap(),
        display_name: "轮换管理员".into(),
        password: PASSWORD.into(),
        roles: vec![RoleAssignment { role: Role::SysAdmin, unit: None }],
    };
    service.create_user(None, admin).await.unwrap();
    let need = match service.sign_in_from("rotator", PASSWORD, DESK).await {
        Err(ServiceError::SecondFactor(need)) => need,
        other => panic!("expected a second factor to be asked, got {other:?}"),
    };
    let enrolment = service.begin_enrolment(&need.ticket).await.unwrap();
    let secret = TotpSecret::from_base32(&enrolment.secret).unwrap();
    let (_, recovery) =
        service.confirm_enrolment(&need.ticket, &secret.code_at(clock.now()), DESK).await.unwrap();
    drop(service);

    // Before: everything sealed under the old key, and no ID number in clear.
    let before = at_rest(&url).await;
    assert!(before.applicants.len() >= 250, "{} applicants", before.applicants.len());
    assert!(!before.readiness.is_empty() && !before.totp.is_empty());
    // The demo's penalty cases name their investigating officers, by certificate number.
    assert!(before.officers.len() >= 5, "{} cases with officers", before.officers.len());
    let numbers: Vec<String> = before.applicants.iter().map(|(s, _)| number_of(&old, s)).collect();
    for stored in before.personal.iter().chain(&before.readiness).chain(&before.officers) {
        assert!(stored.starts_with("sm4:"), "sealed at rest: {stored:.60}");
    }
    for n in numbers.iter().take(20) {
        assert!(before.personal.iter().all(|p| !p.contains(n.as_str())), "{n} in clear");
    }

    // The applicants' uploaded materials (scans) too, as files beside the database.
    for file in material_files(&dir.path().join("materials")) {
        let stored = std::fs::read(&file).unwrap();
        let sealed = stored.strip_prefix(b"\0quanze-sm4\0").expect("a sealed material");
        assert!(old.open(sealed).is_some(), "{file:?}");
    }

    // The rotation.
    let new = old.rotated();
    assert_eq!(new.previous_keys(), 1);
    let store = quanze_store::connect(&url).await.unwrap();
    let service = Service::new(store, clock.clone(), with_key(&new)).await.unwrap();
    let counts = service.reseal_personal_data().await.unwrap();
    assert_eq!(counts.applicants, before.applicants.len());
    assert_eq!(counts.accounts, before.names.len());
    assert_eq!(counts.personal, before.personal.len());
    assert_eq!(counts.readiness, before.readiness.len());
    assert_eq!(counts.officers, before.officers.len());
    // The applicants' uploaded materials, files beside the database.
    let files = material_files(&dir.path().join("materials"));
    assert!(counts.materials >= 1 && counts.materials == files.len(), "{counts:?}");

    // After: every seal opens under the new key alone, none under the old one, and each
    // applicant is matched by the new key's hash of the same number.
    let only_new = PersonalKey::from_text(new.to_text().lines().next().unwrap()).unwrap();
    assert_eq!(only_new.previous_keys(), 0);
    let after = at_rest(&url).await;
    let opens = |key: &PersonalKey, text: &str| {
        text.strip_prefix("sm4:").and_then(|h| hex::decode(h).ok()).and_then(|b| key.open(&b))
    };
    for text in
        after.names.iter().chain(&after.personal).chain(&after.readiness).chain(&after.officers)
    {
        assert!(opens(&only_new, text).is_some(), "opens under the new key: {text:.60}");
        assert!(opens(&old, text).is_none(), "not under the old one: {text:.60}");
    }
    for sealed in &after.totp {
        let bytes = hex::decode(sealed).unwrap();
        assert!(only_new.open(&bytes).is_some() && old.open(&bytes).is_none());
    }
    let mut matched: Vec<(String, String)> = after
        .applicants
        .iter()
        .map(|(sealed, index)| (number_of(&only_new, sealed), index.clone()))
        .collect();
    assert!(matched.iter().all(|(n, index)| *index == only_new.index(n)));
    matched.sort();
    let mut numbers = numbers;
    numbers.sort();
    assert_eq!(matched.into_iter().map(|(n, _)| n).collect::<Vec<_>>(), numbers);
    for file in &files {
        let stored = std::fs::read(file).unwrap();
        let sealed = stored.strip_prefix(b"\0quanze-sm4\0").expect("a sealed material");
        assert!(only_new.open(sealed).is_some() && old.open(sealed).is_none(), "{file:?}");
    }
    drop(service);

    // The server restarted with the rotated ring: the catalogue (readiness) loads, TOTP still
    // works, and a recovery code from before the rotation serves once.
    let store = quanze_store::connect(&url).await.unwrap();
    let service = Service::new(store, clock.clone(), with_key(&new)).await.unwrap();
    let need = match service.sign_in_from("rotator", PASSWORD, DESK).await {
        Err(ServiceError::SecondFactor(need)) => need,
        other => panic!("expected a second factor to be asked, got {other:?}"),
    };
    service.complete_sign_in(&need.ticket, &Proof::Code(recovery[0].clone()), DESK).await.unwrap();
    let need = match service.sign_in_from("rotator", PASSWORD, DESK).await {
        Err(ServiceError::SecondFactor(need)) => need,
        other => panic!("expected a second factor to be asked, got {other:?}"),
    };
    let reused = Proof::Code(recovery[0].clone());
    let again = service.complete_sign_in(&need.ticket, &reused, DESK).await;
    assert!(again.is_err(), "a recovery code serves once");
    clock.advance(chrono::Duration::seconds(60));
    service
        .complete_sign_in(&need.ticket, &Proof::Code(secret.code_at(clock.now())), DESK)
        .await
        .expect("the TOTP secret, resealed, still gives the codes");

    // A rotation whose rows changed under it (a server still writing) writes nothing.
    let rows = service.store().sealed_rows().await.unwrap();
    let snapshot = at_rest(&url).await;
    let mut stale = rows.clone();
    stale.accounts[0].display_name = "sm4:00".into();
    let ev = || quanze_store::NewEvent {
        at: clock.now(),
        actor: None,
        unit: None,
        kind: "personal_key.rotated".into(),
        subject: "personal-key".into(),
        payload: serde_json::json!({}),
        personal: None,
    };
    let refused = service.store().reseal(&stale, &rows, ev()).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    let unchanged = at_rest(&url).await;
    assert!(unchanged.names == snapshot.names, "no name was rewritten");
    assert!(unchanged.personal == snapshot.personal, "no personal data was rewritten");
    // So does one that would miss an account added after its rows were read.
    let late = NewUser {
        username: Username::parse("late01").unwrap(),
        display_name: "晚到".into(),
        password: PASSWORD.into(),
        roles: vec![RoleAssignment { role: Role::Clerk, unit: None }],
    };
    service.create_user(None, late).await.unwrap();
    let snapshot = at_rest(&url).await;
    let refused = service.store().reseal(&rows, &rows, ev()).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    let unchanged = at_rest(&url).await;
    assert!(unchanged.names == snapshot.names, "no name was rewritten");
    assert!(unchanged.personal == snapshot.personal, "no personal data was rewritten");
}
