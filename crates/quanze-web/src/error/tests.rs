//! Every error the API can answer carries a code of the table with the table's status.
//!
//! By construction an [`ApiError`] holds an [`ErrorCode`] and takes its status from the table;
//! these tests pin the status of each kind of service error and of each rejection, so a wrong
//! entry in the table shows as a changed answer.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Json, Path, Query};
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use quanze_exchange::ImportError;
use quanze_service::{ErrorCode, ServiceError};

use super::ApiError;

/// The status, code and messages of the answer.
async fn answer(err: ApiError) -> (StatusCode, ErrorCode, serde_json::Value) {
    let response = err.into_response();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("a body");
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("a JSON body");
    let wire = body["code"].as_str().expect("a code");
    let code = ErrorCode::parse(wire).unwrap_or_else(|| panic!("{wire} is not in the table"));
    assert!(
        status.as_u16() == code.status() || code.other_statuses().contains(&status.as_u16()),
        "{code} answered with {status}, not a status of the table"
    );
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body["message_en"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    (status, code, body)
}

/// The status each kind of service error was answered with before the table; the `match` has
/// no wildcard, so a new kind of error does not compile until it is pinned here.
fn pinned_status(err: &ServiceError) -> StatusCode {
    match err {
        ServiceError::Invalid(_)
        | ServiceError::Rejected { .. }
        | ServiceError::ImportProblems { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::File(ImportError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
        ServiceError::File(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Unauthenticated | ServiceError::SecondFactor(_) => StatusCode::UNAUTHORIZED,
        ServiceError::Locked(_) | ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        ServiceError::Throttled(_) | ServiceError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Store(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// One error of each kind the service has, and one rejection of each code of the table.
fn service_errors() -> Vec<(ServiceError, &'static str)> {
    let mut errors = vec![
        (
            ServiceError::Invalid(quanze_core::ValidationError::Empty { field: "name" }),
            "invalid_input",
        ),
        (ServiceError::ImportProblems { problems: vec![] }, "import_problems"),
        (ServiceError::File(ImportError::TooLarge { size: 2, max: 1 }), "file_too_large"),
        (ServiceError::File(ImportError::EmptyFile), "file_empty"),
        (ServiceError::File(ImportError::EmptyWorkbook), "file_empty"),
        (ServiceError::File(ImportError::Encrypted), "file_encrypted"),
        (ServiceError::File(ImportError::LegacyXls), "file_legacy_xls"),
        (ServiceError::File(ImportError::NotXlsx), "file_not_xlsx"),
        (ServiceError::File(ImportError::NoWorkbook), "file_not_xlsx"),
        (ServiceError::File(ImportError::Corrupt("zip".into())), "file_corrupt"),
        (ServiceError::File(ImportError::Csv("row 2".into())), "file_unreadable"),
        (ServiceError::File(ImportError::Json("line 1".into())), "file_unreadable"),
        (ServiceError::NotFound("unit 1".into()), "not_found"),
        (ServiceError::Conflict("name taken".into()), "conflict"),
        (ServiceError::Unauthenticated, "unauthenticated"),
        (ServiceError::Locked(chrono::Utc::now()), "account_locked"),
        (ServiceError::Throttled(chrono::Utc::now()), "sign_in_throttled"),
        (ServiceError::RateLimited(3), "rate_limited"),
        (
            ServiceError::SecondFactor(Box::new(
                quanze_service::second_factor::SecondFactorNeeded {
                    ticket: "qzt_0".into(),
                    enrol: false,
                    methods: vec!["totp".into()],
                    challenge: "00".into(),
                    expires_at: chrono::Utc::now(),
                },
            )),
            "second_factor_required",
        ),
        (ServiceError::Forbidden("publish".into()), "forbidden"),
        (ServiceError::Store(quanze_store::StoreError::Corrupt("row".into())), "internal"),
        (ServiceError::Internal("bug".into()), "internal"),
    ];
    for code in ErrorCode::ALL {
        if code.status() == 422 {
            errors.push((ServiceError::rejected(*code, "中文", "English"), code.as_str()));
        }
    }
    errors
}

#[tokio::test]
async fn every_service_error_answers_with_its_pinned_code_and_status() {
    for (err, want_code) in service_errors() {
        let want_status = pinned_status(&err);
        let (status, code, _) = answer(ApiError::from(err)).await;
        assert_eq!((status, code.as_str()), (want_status, want_code));
    }
}

#[tokio::test]
async fn internal_errors_show_no_detail() {
    let (status, _, body) = answer(ApiError::from(ServiceError::Internal("secret".into()))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["message_en"], "internal error");
}

#[tokio::test]
async fn rejections_answer_with_codes_of_the_table() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body1 {
        n: u32,
    }
    let json = |content_type: Option<&str>, body: &'static str| {
        let mut req = Request::builder().method("POST").uri("/");
        if let Some(content_type) = content_type {
            req = req.header("content-type", content_type);
        }
        req.body(Body::from(body)).expect("a request")
    };

    let rej = Json::<Body1>::from_request(json(Some("application/json"), "{\"n\": \"x\"}"), &())
        .await
        .expect_err("a wrong type");
    let (status, code, _) = answer(ApiError::from(rej)).await;
    assert_eq!((status, code), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidBody));

    let rej = Json::<Body1>::from_request(json(Some("application/json"), "{"), &())
        .await
        .expect_err("broken JSON");
    let (status, code, _) = answer(ApiError::from(rej)).await;
    assert_eq!((status, code), (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidBody));

    let rej = Json::<Body1>::from_request(json(None, "{\"n\": 1}"), &())
        .await
        .expect_err("no content type");
    let (status, code, _) = answer(ApiError::from(rej)).await;
    assert_eq!((status, code), (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::InvalidBody));

    let uri: axum::http::Uri = "/?n=x".parse().expect("a uri");
    let rej = Query::<Body1>::try_from_uri(&uri).expect_err("a wrong type");
    let (status, code, _) = answer(ApiError::from(rej)).await;
    assert_eq!((status, code), (StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery));

    let (mut parts, ()) = Request::builder().uri("/x").body(()).expect("a request").into_parts();
    let rej = Path::<u32>::from_request_parts(&mut parts, &()).await.expect_err("no route");
    let (status, code, _) = answer(ApiError::from(rej)).await;
    assert_eq!(code, ErrorCode::InvalidId);
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_code_is_answered_with_the_table_status() {
    for code in ErrorCode::ALL {
        let (status, got, body) = answer(ApiError::new(*code, "中文", "English")).await;
        assert_eq!((status.as_u16(), got), (code.status(), *code));
        assert_eq!(
            (body["message"].as_str(), body["message_en"].as_str()),
            (Some("中文"), Some("English"))
        );
    }
}

#[test]
fn the_openapi_schema_lists_every_code() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(super::ErrorCodeSchema::schema()).expect("a schema");
    let listed: Vec<&str> =
        schema["enum"].as_array().expect("an enum").iter().filter_map(|v| v.as_str()).collect();
    let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, all);
}

#[test]
fn the_openapi_error_body_lists_every_code() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(crate::routes::api::ApiDoc::openapi()).expect("a document");
    let code = &doc["components"]["schemas"]["ErrorBody"]["properties"]["code"];
    let schema = match code["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => code,
    };
    let listed: Vec<&str> =
        schema["enum"].as_array().expect("an enum").iter().filter_map(|v| v.as_str()).collect();
    let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, all, "{code}");
}
