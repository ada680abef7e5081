//! The case API over HTTP: applying online without an account, the applicant's view with the
//! access code, a clerk's step, refusals with their codes and statuses.

use quanze_service::Config;
use quanze_service::cases::{CasesConfig, PersonalKey};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app_with};

pub(crate) async fn app() -> TestApp {
    let config = Config {
        cases: CasesConfig {
            personal_key: Some(PersonalKey::generate()),
            ..CasesConfig::default()
        },
        ..Config::default()
    };
    spawn_app_with(true, config).await
}

/// A department's licensing power held today.
pub(crate) fn licence(app: &TestApp) -> (String, String) {
    let (unit, item) =
        quanze_service::demo::department_licence(&app.service.catalog(), app.service.today())
            .expect("a department licensing power");
    (unit.to_string(), item.to_string())
}

#[tokio::test]
async fn apply_online_follow_with_the_access_code_and_take_a_step() {
    let app = app().await;
    let (unit, item) = licence(&app);
    let body = |number: &str, channel: &str| {
        json!({
            "item": item, "unit": unit,
            "applicant": { "kind": "person", "name": "张三", "number": number },
            "channel": { "kind": channel }
        })
    };
    let (status, err) = app.post("/api/v1/cases", None, body("110105194912310021", "online")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["code"], "invalid_input");
    let (status, err) = app.post("/api/v1/cases", None, body("11010519491231002X", "window")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert_eq!(err["code"], "case_actor_not_permitted");

    let (status, receipt) =
        app.post("/api/v1/cases", None, body("11010519491231002X", "online")).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let no = receipt["receipt"].as_str().unwrap().to_owned();
    let code = receipt["access_code"].as_str().unwrap().to_owned();
    assert_eq!(receipt["case"]["case"]["state"], "submitted");
    assert!(!receipt.to_string().contains("11010519491231002X"), "no ID number in the answer");

    let (status, err) = app
        .post(
            &format!("/api/v1/cases/{no}/applicant"),
            None,
            json!({ "access_code": "WRONG2345678ABCD" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(err["code"], "case_access_denied");
    let (status, view) = app
        .post(&format!("/api/v1/cases/{no}/applicant"), None, json!({ "access_code": code }))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["timeline"].as_array().unwrap().len(), 1);

    let clerk = app.token("clerk").await;
    let accept = json!({ "command": { "action": "accept" } });
    let (status, view) =
        app.post(&format!("/api/v1/cases/{no}/actions"), Some(&clerk), accept.clone()).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["case"]["state"], "under_review");
    assert!(view["deadlines"][0]["basis"].as_str().is_some());
    let (status, err) =
        app.post(&format!("/api/v1/cases/{no}/actions"), Some(&clerk), accept).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["code"], "case_action_not_allowed");
    let (status, err) = app
        .post(
            &format!("/api/v1/cases/{no}/actions"),
            None,
            json!({ "command": { "action": "close" } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");

    let (status, page) =
        app.send(reqwest::Method::GET, &format!("/api/v1/cases?unit={unit}"), &clerk, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["cases"][0]["receipt"], no);

    let rating = json!({ "access_code": code, "level": "satisfied", "channel": "online" });
    let (status, err) = app.post(&format!("/api/v1/cases/{no}/ratings"), None, rating).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["code"], "rating_refused");

    let (status, complaint) = app
        .post(
            "/api/v1/complaints",
            None,
            json!({ "case": no, "text": "受理后迟迟没有进展", "publishable": true }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{complaint}");
    assert!(complaint["reply_by"]["date"].is_string());
}

#[tokio::test]
async fn an_applicant_tracks_a_case_by_its_receipt_and_code_on_a_page_and_cannot_rate_it_early() {
    let app = app().await;
    let (unit, item) = licence(&app);
    let body = json!({
        "item": item, "unit": unit,
        "applicant": { "kind": "person", "name": "张三", "number": "11010519491231002X" },
        "channel": { "kind": "online" }
    });
    let (status, receipt) = app.post("/api/v1/cases", None, body).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let no = receipt["receipt"].as_str().unwrap().to_owned();
    let code = receipt["access_code"].as_str().unwrap().to_owned();
    let form = |path: &str, pairs: &[(&str, &str)]| {
        app.client
            .post(format!("{}{path}", app.base))
            .header("sec-fetch-site", "same-origin")
            .form(pairs)
            .send()
    };
    // The right number and code: the progress, and no ID number in clear.
    let res = form("/track", &[("receipt", &no), ("code", &code)]).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains(&no) && page.contains("办理过程") && page.contains("张*"), "{page}");
    assert!(!page.contains("11010519491231002X"), "no ID number in clear");
    // A wrong code and an unknown number: the same answer, beside the fields.
    for (n, c) in [(no.as_str(), "WRONG2345678ABCD"), ("QZ20990101000001", code.as_str())] {
        let res = form("/track", &[("receipt", n), ("code", c)]).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("受理单号或查询码不正确") && page.contains("aria-invalid"), "{page}");
    }
    // Rating a case that has not ended is refused with the reason, beside the rating form.
    let res = form(
        "/track/rate",
        &[("receipt", &no), ("code", &code), ("level", "satisfied"), ("comment", "")],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("rate-error"), "{page}");
    // No level chosen: asked for one.
    let res = form("/track/rate", &[("receipt", &no), ("code", &code)]).await.unwrap();
    assert!(res.text().await.unwrap().contains("请选择满意程度"));
}
