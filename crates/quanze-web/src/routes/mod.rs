//! Routes, one module per surface.

pub mod api;
pub mod changesets;
pub mod devolution;
pub mod laws;
pub mod ledger;
pub mod pages;
pub mod reports;

use axum::http::StatusCode;

use crate::error::ApiError;

/// Unknown paths: 404 in the API's JSON shape.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "没有这个地址", "no such path")
}
