//! The authorization matrix, generated from the OpenAPI document (issue 17): every operation
//! the document lists is called anonymously and as each of the demo county's roles, with the
//! path's ids naming nothing and an empty JSON object as the body of a write.
//!
//! What must hold in every cell: no 5xx; every answer is the usual JSON error or a success; an
//! anonymous write is refused 401 unless it is one of the public ones the law puts in the
//! public's hands (an application, a comment, a rating, a complaint, the sign-in itself, a
//! witness's cosignature); the audit trail answers the audit role only. A new operation that
//! the document gains is in the matrix at once, and a new public write must be named here.

use std::collections::BTreeMap;

use quanze_service::Config;
use quanze_service::rate::WriteLimits;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{password_only, spawn_app_with, uuid_like};

/// Writes anyone may make without an account.
const PUBLIC_WRITES: &[&str] = &[
    // The sign-in and its second step (the ticket is the credential).
    "login",
    "sign_in_second_factor",
    "begin_enrolment",
    "confirm_enrolment",
    // The applicant's side of a case (the receipt number and access code are the credential).
    "apply_for_case",
    "case_for_applicant",
    "applicant_act",
    "upload_material",
    "reuse_material",
    "case_step_receipt",
    "rate_case",
    "complain",
    // 公示: anyone may comment on a change set put to the public.
    "comment_on_change_set",
    // A witness's cosignature (checked against the witnesses the log trusts).
    "ledger_cosign",
];

/// Reads the audit role alone may make.
const AUDIT_READS: &[&str] = &["audit_trail", "audit_export"];

fn operations(doc: &Value) -> Vec<(Method, String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let id = op["operationId"].as_str().unwrap().to_owned();
            // Every path parameter names nothing that exists.
            let mut concrete = String::new();
            let mut rest = path.as_str();
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').unwrap() + open;
                concrete.push_str(&rest[..open]);
                concrete.push_str(&uuid_like());
                rest = &rest[close + 1..];
            }
            concrete.push_str(rest);
            out.push((method, concrete, id));
        }
    }
    out
}

#[tokio::test]
async fn every_operation_as_every_role_and_anonymously_is_refused_or_answered_never_a_5xx() {
    let limits =
        WriteLimits { per_address: 100_000, anonymous_per_address: 100_000, per_caller: 100_000 };
    // Deployed as `quanze serve` is: with a personal-data key.
    let cases = quanze_service::cases::CasesConfig {
        personal_key: Some(quanze_service::cases::PersonalKey::generate()),
        ..Default::default()
    };
    let config = Config { write_limits: limits, cases, ..Config::default() };
    let app = spawn_app_with(true, password_only(config)).await;
    let doc: Value = serde_json::from_str(&quanze_web::openapi_json()).unwrap();
    let mut ops = operations(&doc);
    // Signing out ends the caller's token: last, so the other cells are the role's.
    ops.sort_by_key(|(_, _, id)| id == "logout");
    assert!(ops.len() >= 60, "{} operations", ops.len());
    let mut callers: Vec<(String, Option<String>)> = vec![("anonymous".into(), None)];
    for (name, _, _) in quanze_service::demo::DEMO_ACCOUNTS {
        callers.push((name.to_owned(), Some(app.token(name).await)));
    }
    let mut problems = Vec::new();
    let mut cells: BTreeMap<u16, usize> = BTreeMap::new();
    for (who, token) in &callers {
        for (method, path, id) in &ops {
            let mut req = app.client.request(method.clone(), format!("{}{path}", app.base));
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            if matches!(*method, Method::POST | Method::PUT) {
                req = req.json(&json!({}));
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            *cells.entry(status.as_u16()).or_default() += 1;
            let body = res.bytes().await.unwrap();
            let at = format!("{who} {method} {path} ({id}) → {status}");
            if status.is_server_error() {
                problems.push(format!("{at}: {}", String::from_utf8_lossy(&body)));
                continue;
            }
            if !status.is_success() {
                let parsed: Option<Value> = serde_json::from_slice(&body).ok();
                if !parsed
                    .as_ref()
                    .is_some_and(|v| v["code"].is_string() && v["message"].is_string())
                {
                    problems.push(format!("{at}: not the JSON error body"));
                }
            }
            let write = *method != Method::GET;
            // Signed in, a caller is refused 401 only by the sign-in's own operations (a
            // forged ticket), never for want of its token.
            if token.is_some()
                && status == StatusCode::UNAUTHORIZED
                && !["sign_in_second_factor", "begin_enrolment", "confirm_enrolment"]
                    .contains(&id.as_str())
            {
                problems.push(format!("{at}: a signed-in caller refused as a stranger"));
            }
            if token.is_none()
                && write
                && !PUBLIC_WRITES.contains(&id.as_str())
                && status != StatusCode::UNAUTHORIZED
            {
                problems.push(format!("{at}: an anonymous write must be refused 401"));
            }
            if token.is_none()
                && write
                && PUBLIC_WRITES.contains(&id.as_str())
                && status == StatusCode::UNAUTHORIZED
                && id != "login"
                && id != "sign_in_second_factor"
                && id != "begin_enrolment"
                && id != "confirm_enrolment"
            {
                problems.push(format!("{at}: a public write asks for an account"));
            }
            if AUDIT_READS.contains(&id.as_str()) {
                let expected = match who.as_str() {
                    "anonymous" => StatusCode::UNAUTHORIZED,
                    "auditor" => StatusCode::OK,
                    _ => StatusCode::FORBIDDEN,
                };
                if status != expected {
                    problems.push(format!("{at}: the audit trail is the auditor's ({expected})"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} cells wrong:\n{}", problems.len(), problems.join("\n"));
    // The matrix did reach the handlers: successes, refusals by role and by input alike.
    for status in [200, 401, 403, 404, 422] {
        assert!(cells.get(&status).copied().unwrap_or(0) > 0, "no {status} in {cells:?}");
    }

    eprintln!("matrix: {} operations × {} callers: {cells:?}", ops.len(), callers.len());
}
