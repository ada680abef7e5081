//! Routes, one module per surface.

pub mod api;
pub mod apply;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod changesets;
pub mod devolution;
pub mod factors;
pub(crate) mod forms;
pub mod grants;
pub mod item_editor;
pub mod law_pages;
pub mod laws;
pub mod ledger;
pub mod materials;
pub mod pages;
pub mod password;
pub mod portal;
pub mod reports;
pub mod revisions;
pub mod search;
pub mod staff;
pub mod track;

use quanze_service::ErrorCode;

use crate::error::ApiError;

/// Unknown paths: 404 in the API's JSON shape.
pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "没有这个地址", "no such path")
}

/// A known path with another method: 405 in the API's JSON shape (axum adds `Allow`).
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "该地址不支持此请求方法", "method not allowed")
}

/// The longest address read (32 KiB: a page's own check answers a long search string beside
/// its field below that) and the most header bytes (32 KiB): beyond them the request is
/// answered in the API's JSON shape before any handler. (Past 64 KiB the HTTP library refuses
/// an address itself, with an empty 414.)
pub const MAX_URI_BYTES: usize = 32 * 1024;
/// See [`MAX_URI_BYTES`].
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses an over-long address (414) or over-large headers (431) with a JSON body.
pub async fn request_limits(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if request.uri().to_string().len() > MAX_URI_BYTES {
        return ApiError::new(
            ErrorCode::UriTooLong,
            "请求地址过长",
            "the URI is longer than 32 KiB",
        )
        .into_response();
    }
    let header_bytes: usize =
        request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ApiError::new(
            ErrorCode::HeadersTooLarge,
            "请求头过大",
            "the request headers exceed 32 KiB",
        )
        .into_response();
    }
    next.run(request).await
}

/// Paths of the sign-in, which its own throttle counts (failures, not attempts).
pub(crate) fn is_sign_in(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/auth/login"
            | "/api/v1/auth/second-factor"
            | "/api/v1/auth/enrolment"
            | "/api/v1/auth/enrolment/confirm"
            | "/staff/login"
            | "/staff/login/code"
            | "/staff/login/enrol"
    )
}

/// 限流 — counts every write (a request that is not GET, HEAD or OPTIONS; sign-ins aside)
/// against its address's and its caller's limits (`quanze_service::rate`), before any handler
/// reads its body; a spent limit is answered 429 `rate_limited` with `Retry-After`, in JSON for
/// the API and as a page for the forms. The caller is the SM3 of the bearer token or of the
/// session cookie presented; a forged one only gets its 401 sooner.
pub async fn write_limits(
    axum::extract::State(st): axum::extract::State<crate::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::extract::FromRequestParts as _;
    use axum::http::Method;
    use axum::response::IntoResponse;
    let path = request.uri().path();
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) || is_sign_in(path)
    {
        return next.run(request).await;
    }
    let api = path.starts_with("/api/");
    let (mut parts, body) = request.into_parts();
    let Ok(crate::extract::Source(source)) =
        crate::extract::Source::from_request_parts(&mut parts, &st).await;
    let bearer = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let session = parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("quanze_session="));
    let caller = bearer.or(session).map(quanze_service::auth::token_hash);
    let writer = quanze_service::rate::Writer { source, caller };
    if let Err(refused) = st.service.check_write_rate(&writer) {
        let refused = ApiError::from(refused);
        let wait = refused.retry_after().unwrap_or(1);
        let mut response = if api {
            refused.into_response()
        } else {
            portal::error_page(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "提交过于频繁",
                &format!(
                    "提交过于频繁，请 {wait} 秒后再试。您填写的内容不会丢失：返回上一页即可重新提交。"
                ),
            )
        };
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, wait.into());
        return response;
    }
    next.run(axum::extract::Request::from_parts(parts, body)).await
}
