//! The working-day calendar over HTTP: a year for anyone, loading holiday text for a system
//! administrator in each accepted form, and every refusal with its status and code.

use quanze_core::{Role, RoleAssignment, Username};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// A 2027 schedule in the State Council's pattern (248 working days); test data.
const Y2027: &str = r#"
[[year]]
year = 2027
holidays = [
  { name = "元旦",   off = ["2027-01-01", "2027-01-03"], work = [] },
  { name = "春节",   off = ["2027-02-06", "2027-02-14"], work = ["2027-02-20"] },
  { name = "清明节", off = ["2027-04-03", "2027-04-05"], work = [] },
  { name = "劳动节", off = ["2027-05-01", "2027-05-05"], work = ["2027-04-25"] },
  { name = "端午节", off = ["2027-06-09", "2027-06-09"], work = [] },
  { name = "中秋节", off = ["2027-09-15", "2027-09-15"], work = [] },
  { name = "国庆节", off = ["2027-10-01", "2027-10-07"], work = ["2027-09-26", "2027-10-09"] },
]
"#;

/// Creates an account on the app's service and logs it in over HTTP.
async fn account(app: &TestApp, name: &str, role: Role) -> String {
    let admin = match role {
        Role::SysAdmin => None,
        _ => {
            let login = app.service.login("admin", quanze_service::demo::DEMO_PASSWORD).await;
            Some(app.service.authenticate(&login.unwrap().token).await.unwrap())
        }
    };
    let new = quanze_service::NewUser {
        username: Username::parse(name).unwrap(),
        display_name: name.to_owned(),
        password: quanze_service::demo::DEMO_PASSWORD.to_owned(),
        roles: vec![RoleAssignment { role, unit: None }],
    };
    app.service.create_user(admin.as_ref(), new).await.unwrap();
    app.token(name).await
}

/// PUT /api/v1/calendar with a body of a content type.
async fn put(
    app: &TestApp,
    token: Option<&str>,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .put(format!("{}/api/v1/calendar", app.base))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_year_is_answered_to_anyone_and_loaded_by_an_administrator() {
    let app = spawn_app(false).await;

    let (status, y2026) = app.get("/api/v1/calendar?year=2026").await;
    assert_eq!(status, StatusCode::OK, "{y2026}");
    assert_eq!(
        (y2026["covered"].as_bool(), y2026["source"].as_str()),
        (Some(true), Some("official"))
    );
    assert_eq!(y2026["working_days"], 248);
    assert_eq!(y2026["holidays"][1]["name"], "春节");
    assert_eq!(y2026["days_worked_in_lieu"][0], "2026-01-04");
    assert_eq!(y2026["covered_years"], json!([2024, 2025, 2026]));
    // A year without data is a known state, answered 200 with what it means.
    let (status, y2027) = app.get("/api/v1/calendar?year=2027").await;
    assert_eq!(status, StatusCode::OK, "{y2027}");
    assert_eq!(y2027["covered"], false);
    assert!(y2027.get("working_days").is_none() && y2027.get("source").is_none(), "{y2027}");
    assert!(y2027["note"].as_str().unwrap().contains("临时期限"), "{y2027}");
    assert!(y2027["note_en"].as_str().unwrap().contains("provisional"), "{y2027}");
    // No year: this year.
    let (status, now) = app.get("/api/v1/calendar").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(now["year"], json!(chrono::Datelike::year(&app.service.today())));
    for bad in ["year=abc", "year=99999", "year=999", "month=1"] {
        let (status, err) = app.get(&format!("/api/v1/calendar?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {err}");
        assert_eq!(err["code"], "invalid_query", "{bad}");
    }

    // Loading: a token, of a system administrator.
    let (status, err) = put(&app, None, "application/toml", Y2027).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    let admin = account(&app, "admin", Role::SysAdmin).await;
    let editor = account(&app, "editor", Role::StaffingEditor).await;
    let (status, err) = put(&app, Some(&editor), "application/toml", Y2027).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{err}");

    // Refusals of the text, each with its status and code; nothing is loaded.
    let bad_date = Y2027.replace("2027-06-09\"]", "2027-06-31\"]");
    let (status, err) = put(&app, Some(&admin), "text/plain; charset=utf-8", bad_date).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_invalid")),
        "{err}"
    );
    assert!(err["message"].as_str().unwrap().contains("2027-06-31"), "{err}");
    let (status, err) =
        put(&app, Some(&admin), "application/toml", "[[year]]\nyear = 2027\n").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("calendar_year_implausible")),
        "{err}"
    );
    assert!(err["message"].as_str().unwrap().contains("2027年共有261个工作日"), "{err}");
    let (status, err) = put(&app, Some(&admin), "application/x-www-form-urlencoded", Y2027).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("invalid_body")),
        "{err}"
    );
    let (status, err) = put(&app, Some(&admin), "text/plain", vec![0xff_u8, 0xfe, 0x00]).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body")),
        "{err}"
    );
    let (status, err) = put(&app, Some(&admin), "application/json", r#"{"toml": "x"}"#).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")),
        "{err}"
    );
    let huge = format!("# {}\n{Y2027}", "x".repeat(300 * 1024));
    let (status, err) = put(&app, Some(&admin), "application/toml", huge).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large")),
        "{err}"
    );
    assert_eq!(app.get("/api/v1/calendar?year=2027").await.1["covered"], false);

    // As JSON {text}: added, with its ledger leaf; then the same as TOML: unchanged, no leaf.
    let (status, out) =
        put(&app, Some(&admin), "application/json", json!({ "text": Y2027 }).to_string()).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!((&out["added"], &out["replaced"]), (&json!([2027]), &json!([])));
    assert!(out["leaf_index"].is_u64(), "{out}");
    assert_eq!(out["years"][0]["working_days"], 248);
    let (status, again) = put(&app, Some(&admin), "application/toml", Y2027).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!((&again["added"], &again["unchanged"]), (&json!([]), &json!([2027])));
    assert!(again.get("leaf_index").is_none(), "{again}");

    let (status, y2027) = app.get("/api/v1/calendar?year=2027").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (y2027["covered"].as_bool(), y2027["source"].as_str()),
        (Some(true), Some("loaded"))
    );
    assert!(y2027["loaded_by"].is_string() && y2027["loaded_at"].is_string(), "{y2027}");
    assert_eq!(y2027["covered_years"], json!([2024, 2025, 2026, 2027]));
}
