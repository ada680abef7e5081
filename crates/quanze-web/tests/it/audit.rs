//! The audit trail over HTTP: the audit administrator reads who did what, when, from where and
//! how it ended, and exports it as CSV (the export itself recorded); no one else reads it.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn only_the_auditor_reads_and_exports_the_trail_with_each_sign_ins_address() {
    let app = spawn_app(true).await;
    let (status, _) = app
        .post("/api/v1/auth/login", None, json!({ "username": "editor", "password": "wrong-one" }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let auditor = app.token("auditor").await;
    let clerk = app.token("clerk").await;

    let (status, page) =
        app.send(reqwest::Method::GET, "/api/v1/audit?kind=user.login", &auditor, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let records = page["records"].as_array().unwrap();
    let failed = records
        .iter()
        .find(|r| r["kind"] == "user.login_failed")
        .unwrap_or_else(|| panic!("the failed sign-in is recorded: {page}"));
    assert_eq!(failed["outcome"], "failure");
    assert_eq!(failed["source"], "127.0.0.1");
    let signed_in =
        records.iter().find(|r| r["kind"] == "user.login" && r["actor_name"] == "auditor");
    let signed_in = signed_in.unwrap_or_else(|| panic!("the auditor's sign-in: {page}"));
    assert_eq!(
        (signed_in["outcome"].as_str(), signed_in["source"].as_str()),
        (Some("success"), Some("127.0.0.1"))
    );
    // Paging by sequence number.
    let (_, first) =
        app.send(reqwest::Method::GET, "/api/v1/audit?kind=user.&limit=1", &auditor, None).await;
    let after = first["next_after"].as_u64().expect("more than one record");
    let (_, second) = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/audit?kind=user.&limit=1&after={after}"),
            &auditor,
            None,
        )
        .await;
    assert!(second["records"][0]["seq"].as_u64().unwrap() > after);

    // Nobody else: not a clerk, not the public; a filter that is not a kind is refused.
    let (status, _) = app.send(reqwest::Method::GET, "/api/v1/audit", &clerk, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/api/v1/audit").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) =
        app.send(reqwest::Method::GET, "/api/v1/audit?kind=user%25", &auditor, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // The export: CSV a spreadsheet opens, in Chinese, and itself recorded.
    let res = app
        .client
        .get(format!("{}/api/v1/audit/export?kind=user.", app.base))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = res.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a byte-order mark");
    assert!(text.lines().next().unwrap().contains("序号"), "{text}");
    assert!(
        text.lines().any(|l| l.contains("user.login_failed")
            && l.contains("失败")
            && l.contains("127.0.0.1")),
        "{text}"
    );
    let res = app
        .client
        .get(format!("{}/api/v1/audit/export", app.base))
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, page) =
        app.send(reqwest::Method::GET, "/api/v1/audit?kind=audit.", &auditor, None).await;
    let records = page["records"].as_array().unwrap();
    let read = records.iter().filter(|r| r["kind"] == "audit.read").count();
    assert_eq!(read, 3, "each page read is recorded: {page}");
    let exported = records.iter().find(|r| r["kind"] == "audit.exported").expect("the export");
    assert_eq!(exported["actor_name"], "auditor");
    assert_eq!(exported["details"]["kind"], "user.");
}
