//! API errors: one JSON shape `{code, message, message_en, issues?, problems?}` with stable
//! codes; internals never reach the client.

use std::borrow::Cow;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quanze_service::{ErrorCode, ServiceError};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

/// The error every handler returns. It is built from an [`ErrorCode`] only, so every code an
/// answer carries is in the table, and its status is the table's.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    message_en: String,
    details: Option<serde_json::Value>,
    /// Seconds to wait, sent as `Retry-After` (a throttled sign-in).
    retry_after: Option<i64>,
}

impl ApiError {
    /// A client error with a stable code, answered with the code's status.
    pub fn new(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError {
            status: status_of(code.status()),
            code,
            message: zh.into(),
            message_en: en.into(),
            details: None,
            retry_after: None,
        }
    }

    /// Answers with one of the code's other statuses (see [`ErrorCode::other_statuses`]).
    pub(crate) fn with_status(mut self, status: StatusCode) -> ApiError {
        debug_assert!(
            self.code.other_statuses().contains(&status.as_u16()),
            "{status} is not a status of {} in the table",
            self.code
        );
        self.status = status;
        self
    }

    /// Seconds to wait before trying again, for a throttled sign-in.
    pub fn retry_after(&self) -> Option<i64> {
        self.retry_after
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The Chinese message (what a page shows).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message in the page's language (`crate::i18n`): the Chinese; in English its
    /// catalogue entry when the web crate wrote the message, else the English the service
    /// gave with it.
    pub fn page_message(&self) -> &str {
        match crate::i18n::current() {
            crate::i18n::Lang::Zh => &self.message,
            crate::i18n::Lang::En if crate::i18n::has_english(&self.message) => {
                crate::i18n::tr(&self.message)
            }
            crate::i18n::Lang::En => &self.message_en,
        }
    }
}

/// A status of the table as an HTTP status.
fn status_of(status: u16) -> StatusCode {
    StatusCode::from_u16(status).expect("the table of error codes has valid HTTP statuses")
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> ApiError {
        let code = err.code();
        let status = status_of(code.status());
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
            ServiceError::SecondFactor(need) => Some(serde_json::json!({ "second_factor": need })),
            _ => None,
        };
        let retry_after = match &err {
            ServiceError::Throttled(until) => {
                Some((*until - chrono::Utc::now()).num_seconds().clamp(1, 24 * 3600))
            }
            ServiceError::RateLimited(seconds) => {
                Some(i64::try_from(*seconds).unwrap_or(i64::MAX).clamp(1, 24 * 3600))
            }
            _ => None,
        };
        let message_en =
            if status.is_server_error() { "internal error".to_owned() } else { err.to_string() };
        ApiError { status, code, message: err.zh(), message_en, details, retry_after }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rej: PathRejection) -> ApiError {
        ApiError::new(ErrorCode::InvalidId, "路径中的编号格式不正确", rej.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rej: QueryRejection) -> ApiError {
        ApiError::new(ErrorCode::InvalidQuery, "查询参数不正确", rej.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rej: JsonRejection) -> ApiError {
        let status = match &rej {
            JsonRejection::BytesRejection(_) => Some(StatusCode::PAYLOAD_TOO_LARGE),
            JsonRejection::MissingJsonContentType(_) => Some(StatusCode::UNSUPPORTED_MEDIA_TYPE),
            _ => None,
        };
        let err = ApiError::new(ErrorCode::InvalidBody, "请求内容不正确", rej.body_text());
        match status {
            Some(status) => err.with_status(status),
            None => err,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "code": self.code.as_str(),
            "message": self.message,
            "message_en": self.message_en,
        });
        if let Some(details) = self.details
            && let (Some(obj), Some(extra)) = (body.as_object_mut(), details.as_object())
        {
            obj.extend(extra.clone());
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// The OpenAPI schema of an error code: a string, one of the codes of the table.
pub struct ErrorCodeSchema;

impl utoipa::PartialSchema for ErrorCodeSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .description(Some("Stable error code; docs/errors.md lists each with its status."))
            .enum_values(Some(ErrorCode::ALL.iter().map(|code| code.as_str())))
            .examples([serde_json::json!(ErrorCode::NotFound.as_str())])
            .into()
    }
}

impl utoipa::ToSchema for ErrorCodeSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorCode")
    }
}

#[cfg(test)]
mod tests;
