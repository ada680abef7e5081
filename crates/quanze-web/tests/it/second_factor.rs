//! The second factor over HTTP: an administrator's first sign-in through the API enrols a TOTP
//! secret and gets recovery codes; later sign-ins give a code or a recovery code with the
//! ticket; on the pages, the auditor enrols from a QR code and signs in with the app's code.

use chrono::{Duration, Utc};
use quanze_service::Config;
use quanze_service::cases::{CasesConfig, PersonalKey};
use quanze_service::demo::DEMO_PASSWORD;
use quanze_service::second_factor::TotpSecret;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app_with, staff};

async fn app() -> TestApp {
    let config = Config {
        cases: CasesConfig { personal_key: Some(PersonalKey::generate()), ..Default::default() },
        ..Config::default()
    };
    spawn_app_with(true, config).await
}

#[tokio::test]
async fn through_the_api_an_administrator_enrols_then_signs_in_with_a_code_or_a_recovery_code() {
    let app = app().await;
    let login = json!({ "username": "admin", "password": DEMO_PASSWORD });
    let (status, body) = app.post("/api/v1/auth/login", None, login.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "second_factor_required");
    assert_eq!(body["second_factor"]["enrol"], true, "{body}");
    assert!(body.get("token").is_none());
    let ticket = body["second_factor"]["ticket"].as_str().unwrap().to_owned();

    // No token for the ticket alone, nor for a forged one.
    let (status, body) = app
        .post("/api/v1/auth/second-factor", None, json!({ "ticket": ticket, "code": "123456" }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("second_factor_invalid"))
    );
    let (status, _) = app.post("/api/v1/auth/enrolment", None, json!({ "ticket": "qzt_0" })).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, enrolment) =
        app.post("/api/v1/auth/enrolment", None, json!({ "ticket": ticket })).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = TotpSecret::from_base32(enrolment["secret"].as_str().unwrap()).unwrap();
    let (status, enrolled) = app
        .post(
            "/api/v1/auth/enrolment/confirm",
            None,
            json!({ "ticket": ticket, "code": secret.code_at(Utc::now()) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{enrolled}");
    let token = enrolled["token"].as_str().unwrap();
    let codes: Vec<String> = serde_json::from_value(enrolled["recovery_codes"].clone()).unwrap();
    assert_eq!(codes.len(), 10);
    let id = enrolled["user"]["id"].as_str().unwrap();
    let (status, summary) = app
        .send(reqwest::Method::GET, &format!("/api/v1/users/{id}/second-factor"), token, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["totp"], true);

    // The next sign-in: a code of the next step (this one is spent), then a recovery code.
    let (_, body) = app.post("/api/v1/auth/login", None, login.clone()).await;
    assert_eq!(body["second_factor"]["methods"], json!(["totp", "recovery"]));
    let ticket = body["second_factor"]["ticket"].as_str().unwrap();
    let next = secret.code_at(Utc::now() + Duration::seconds(30));
    let (status, body) = app
        .post("/api/v1/auth/second-factor", None, json!({ "ticket": ticket, "code": next }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["token"].as_str().unwrap().starts_with("qz_"));
    let (_, body) = app.post("/api/v1/auth/login", None, login).await;
    let ticket = body["second_factor"]["ticket"].as_str().unwrap();
    let (status, body) = app
        .post("/api/v1/auth/second-factor", None, json!({ "ticket": ticket, "code": codes[0] }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Neither proof, or both: a clear refusal.
    let (status, body) =
        app.post("/api/v1/auth/second-factor", None, json!({ "ticket": ticket })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn on_the_pages_the_auditor_enrols_from_a_qr_code_then_signs_in_with_the_apps_code() {
    let app = app().await;
    let client = staff::client();
    let res = client
        .post(format!("{}/staff/login", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", "auditor"), ("password", DEMO_PASSWORD), ("next", "/staff")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/staff/login/enrol?next=%2Fstaff");
    let cookie = staff::session_cookie(&res);
    // Not signed in yet: the workbench still sends to the sign-in page.
    let (status, _) = staff::get(&app, "/staff", &cookie).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = staff::get(&app, &to, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<svg"), "a QR code");
    let secret = page.split("<code id=\"secret\">").nth(1).unwrap().split('<').next().unwrap();
    let secret = TotpSecret::from_base32(secret).unwrap();
    let (status, _, page) =
        staff::post(&app, "/staff/login/enrol", &cookie, &[("code", "000000"), ("next", "/staff")])
            .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    assert!(page.contains(&secret.to_base32()), "the same secret is shown again: {page}");
    let code = secret.code_at(Utc::now());
    let (status, _, page) =
        staff::post(&app, "/staff/login/enrol", &cookie, &[("code", &code), ("next", "/staff")])
            .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page.matches("<li><code>").count(), 10, "ten recovery codes");
    // The answer set the signed-in session's cookie (a new id).
    let (status, _) = staff::get(&app, "/staff", &cookie).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the pre-sign-in session id is not the signed-in one"
    );

    // A later sign-in: the code page, then the workbench.
    let res = client
        .post(format!("{}/staff/login", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", "auditor"), ("password", DEMO_PASSWORD), ("next", "/staff")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = staff::session_cookie(&res);
    let page = res.text().await.unwrap();
    assert!(page.contains("autocomplete=\"one-time-code\""), "{page}");
    let (status, _, page) =
        staff::post(&app, "/staff/login/code", &cookie, &[("code", "111111"), ("next", "/staff")])
            .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("动态口令不正确"), "{page}");
    let next = secret.code_at(Utc::now() + Duration::seconds(30));
    let res = staff::client()
        .post(format!("{}/staff/login/code", app.base))
        .header(reqwest::header::COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[("code", next.as_str()), ("next", "/staff")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/staff");
    let signed_in = staff::session_cookie(&res);
    let (status, _) = staff::get(&app, "/staff", &signed_in).await;
    assert_eq!(status, StatusCode::OK);
}
