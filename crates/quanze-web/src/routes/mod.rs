//! Routes, one module per surface.

pub mod api;
pub mod apply;
pub mod calendar;
pub mod cases;
pub mod changesets;
pub mod devolution;
pub(crate) mod forms;
pub mod grants;
pub mod item_editor;
pub mod law_pages;
pub mod laws;
pub mod ledger;
pub mod materials;
pub mod pages;
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
