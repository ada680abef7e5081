//! The working-day calendar under `/api/v1/calendar` (工作日历): one year for anyone, and
//! loading holiday text for a system administrator.

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use chrono::Datelike;
use quanze_service::ErrorCode;
use quanze_service::views::{CalendarLoadOutcome, CalendarLoadRequest, CalendarYearView};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Query};
use crate::routes::api::ErrorBody;

/// The largest holiday text accepted: a year is about 1 KB, a century fits.
pub const MAX_CALENDAR_BYTES: usize = 256 * 1024;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/calendar",
        get(year).put(load).layer(DefaultBodyLimit::max(MAX_CALENDAR_BYTES)),
    )
}

/// The year to show.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CalendarQuery {
    /// The year, 1000–9999 (default: this year in China).
    year: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/calendar", operation_id = "calendar_year", params(CalendarQuery),
    responses((status = 200, description = "the year: covered or not, where its data comes from, working days, holidays, days off and days worked in lieu (调休). A year without data is answered with 200 and `covered: false`, with a note that deadlines into it are provisional (counted Monday to Friday) — it is a known state of the calendar, not a missing resource", body = CalendarYearView),
        (status = 400, description = "a year that is not a number from 1000 to 9999", body = ErrorBody)))]
pub(crate) async fn year(
    State(st): State<AppState>,
    Query(q): Query<CalendarQuery>,
) -> Result<axum::Json<CalendarYearView>, ApiError> {
    let year = q.year.unwrap_or_else(|| st.service.today().year());
    if !(1000..=9999).contains(&year) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            format!("年份应为1000至9999之间的数字，而不是{year}"),
            format!("year must be from 1000 to 9999, not {year}"),
        ));
    }
    Ok(axum::Json(st.service.calendar_year(year)))
}

#[utoipa::path(put, path = "/api/v1/calendar", operation_id = "load_calendar",
    request_body(description = "`[[year]]` blocks in the format of data/holidays-cn.toml: the text itself (text/plain or application/toml, UTF-8), or JSON {text}",
        content((String = "application/toml"), (String = "text/plain"), (CalendarLoadRequest = "application/json"))),
    responses((status = 200, description = "loaded: the years added, replaced and unchanged, each year as it now stands, and the ledger leaf when something was written", body = CalendarLoadOutcome),
        (status = 400, description = "text that is not UTF-8", body = ErrorBody),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a system administrator", body = ErrorBody),
        (status = 413, description = "over 256 KiB", body = ErrorBody),
        (status = 415, description = "a content type other than application/toml, text/plain or application/json", body = ErrorBody),
        (status = 422, description = "calendar_invalid (the message says where), calendar_year_implausible (names the year and its working days), or JSON that is not {text}", body = ErrorBody)))]
pub(crate) async fn load(
    State(st): State<AppState>,
    Auth(user): Auth,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<CalendarLoadOutcome>, ApiError> {
    let bytes = body.map_err(|e| {
        let err =
            ApiError::new(ErrorCode::BodyTooLarge, "节假日数据过大（上限 256 KB）", e.body_text());
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            err
        } else {
            ApiError::new(ErrorCode::InvalidBody, "请求内容无法读取", e.body_text())
                .with_status(StatusCode::BAD_REQUEST)
        }
    })?;
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let text = match media.as_deref() {
        Some("application/json") => {
            serde_json::from_slice::<CalendarLoadRequest>(&bytes)
                .map_err(|e| {
                    ApiError::new(
                        ErrorCode::InvalidBody,
                        "请求内容应为 {\"text\": \"节假日数据\"}",
                        e.to_string(),
                    )
                })?
                .text
        }
        Some("application/toml" | "text/plain") => {
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                ApiError::new(
                    ErrorCode::InvalidBody,
                    "节假日数据应为 UTF-8 编码的文本",
                    "the holiday text is not UTF-8",
                )
                .with_status(StatusCode::BAD_REQUEST)
            })?
        }
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidBody,
                "请以 application/toml、text/plain 或 application/json 提交节假日数据",
                "send the holiday text as application/toml, text/plain or application/json",
            )
            .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
    };
    Ok(axum::Json(st.service.load_calendar(&user, &text).await?))
}
