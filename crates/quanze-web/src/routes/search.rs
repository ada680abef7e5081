//! 事项检索 — search of the published items and their guides, open to everyone.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use quanze_service::search::{SearchPage, SearchRequest};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Query;
use crate::routes::api::ErrorBody;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/search", get(search))
}

#[utoipa::path(get, path = "/api/v1/search", operation_id = "search_items", params(SearchRequest),
    responses((status = 200, description = "published items whose name, unit or service guide has the words, best first, the words marked", body = SearchPage),
        (status = 422, description = "no word to search for, more than 100 characters, or a control character (Chinese message)", body = ErrorBody)))]
pub(crate) async fn search(
    State(st): State<AppState>,
    Query(request): Query<SearchRequest>,
) -> Result<axum::Json<SearchPage>, ApiError> {
    // The first search builds the index: off the async threads.
    let service = st.service.clone();
    let page = tokio::task::spawn_blocking(move || service.search_items(&request))
        .await
        .map_err(|e| quanze_service::ServiceError::Internal(e.to_string()))??;
    Ok(axum::Json(page))
}
