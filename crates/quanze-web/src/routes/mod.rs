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
