//! What the staff's form handlers share: the form as posted (every field by name, so that a
//! page may name fields per row: `action:<item>`, `town:<id>`), a date field, the refusal of
//! a malformed form, and how a write's outcome is settled — a redirect back on success
//! (POST-redirect-GET), an error page for a server failure, else the refusal for the handler
//! to show beside its form. `ControlFlow::Break` carries the answer to return at once.

use std::collections::HashMap;
use std::ops::ControlFlow;

use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use quanze_service::ErrorCode;

use crate::error::ApiError;
use crate::routes::portal::{api_error_page, error_page};

/// A form as posted, every field by name.
pub(crate) type Fields = HashMap<String, String>;

/// The posted fields, or the page that says the form could not be read.
pub(crate) fn fields(
    form: Result<axum::Form<Fields>, FormRejection>,
) -> ControlFlow<Response, Fields> {
    match form {
        Ok(axum::Form(fields)) => ControlFlow::Continue(fields),
        Err(_) => ControlFlow::Break(error_page(
            StatusCode::BAD_REQUEST,
            "无法提交",
            "表单内容不完整，请返回重新填写。",
        )),
    }
}

/// A trimmed field, empty when absent.
pub(crate) fn field<'f>(fields: &'f Fields, key: &str) -> &'f str {
    fields.get(key).map_or("", |v| v.trim())
}

/// A date field: `None` when empty, the message when it is no date.
pub(crate) fn date(fields: &Fields, key: &str) -> Result<Option<NaiveDate>, String> {
    match field(fields, key) {
        "" => Ok(None),
        raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| "日期应为 2026-07-01 这样的格式。".to_owned()),
    }
}

/// A form the handler could not turn into a request: its message, shown beside the form.
pub(crate) fn malformed(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message.into(), "a form's field is malformed")
}

/// Settles a write: on success the redirect to `to(value)`, on a server failure the error
/// page (both to return at once); a refusal comes back to show beside the form.
pub(crate) fn settle<T>(
    outcome: Result<T, ApiError>,
    to: impl FnOnce(T) -> String,
) -> ControlFlow<Response, ApiError> {
    match outcome {
        Ok(value) => ControlFlow::Break(Redirect::to(&to(value)).into_response()),
        Err(refusal) if refusal.status().is_server_error() => {
            ControlFlow::Break(api_error_page(&refusal))
        }
        Err(refusal) => ControlFlow::Continue(refusal),
    }
}
