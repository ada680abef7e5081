//! API errors: one JSON shape `{code, message, message_en, issues?, problems?}` with stable
//! codes; internals never reach the client.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quanze_service::ServiceError;

/// The error every handler returns.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    message_en: String,
    details: Option<serde_json::Value>,
}

impl ApiError {
    /// A client error with a stable code.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> ApiError {
        ApiError { status, code, message: zh.into(), message_en: en.into(), details: None }
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> ApiError {
        let status = match &err {
            ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::ImportProblems { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::File(_) if err.code() == "file_too_large" => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ServiceError::File(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Conflict(_) => StatusCode::CONFLICT,
            ServiceError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ServiceError::Locked(_) => StatusCode::FORBIDDEN,
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::Store(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(error = %err, "request failed");
        }
        let details = match &err {
            ServiceError::Rejected { issues, .. } if !issues.is_empty() => {
                Some(serde_json::json!({ "issues": issues }))
            }
            ServiceError::ImportProblems { problems } => {
                Some(serde_json::json!({ "problems": problems }))
            }
            _ => None,
        };
        let message_en =
            if status.is_server_error() { "internal error".to_owned() } else { err.to_string() };
        ApiError { status, code: err.code(), message: err.zh(), message_en, details }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rej: PathRejection) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            "路径中的编号格式不正确",
            rej.body_text(),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rej: QueryRejection) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", "查询参数不正确", rej.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rej: JsonRejection) -> ApiError {
        let status = match &rej {
            JsonRejection::BytesRejection(_) => StatusCode::PAYLOAD_TOO_LARGE,
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, "invalid_body", "请求内容不正确", rej.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        });
        if let Some(details) = self.details
            && let (Some(obj), Some(extra)) = (body.as_object_mut(), details.as_object())
        {
            obj.extend(extra.clone());
        }
        (self.status, axum::Json(body)).into_response()
    }
}
