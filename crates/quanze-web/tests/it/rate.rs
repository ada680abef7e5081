//! Rate limits on writes over HTTP: an anonymous flood from one address is answered 429 with
//! `Retry-After` (JSON for the API, a page for the forms) before any handler, while signed-in
//! callers and sign-ins keep their own limits.

use quanze_service::Config;
use quanze_service::rate::WriteLimits;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{password_only, spawn_app_with};

#[tokio::test]
async fn an_anonymous_flood_waits_and_a_signed_in_caller_and_sign_ins_do_not() {
    let limits = WriteLimits { per_address: 1_000, anonymous_per_address: 4, per_caller: 1_000 };
    let app =
        spawn_app_with(true, password_only(Config { write_limits: limits, ..Config::default() }))
            .await;
    let token = app.token("editor").await;
    // The quota's burst (a quarter of 4 a minute: one) goes on the first write.
    let (status, _) = app.post("/api/v1/cases", None, json!({})).await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS);
    let res = app
        .client
        .post(format!("{}/api/v1/cases", app.base))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=16).contains(&wait), "{wait}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert!(body["message"].as_str().unwrap().contains("秒后再试"), "{body}");
    // A form gets a page, in Chinese, saying what typed text becomes.
    let res = app
        .client
        .post(format!("{}/track", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[("receipt", "x"), ("code", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("提交过于频繁"));
    // The signed-in editor at the same address is not held up, nor is a sign-in.
    let (status, body) = app.post("/api/v1/regions", Some(&token), json!({ "regions": [] })).await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    app.token("clerk").await;
    // Reads are never counted.
    let (status, _) = app.get("/api/v1/units").await;
    assert_eq!(status, StatusCode::OK);
}
