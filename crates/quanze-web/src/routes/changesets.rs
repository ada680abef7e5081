//! Change sets under `/api/v1/change-sets` (调整方案): draft one, read them, apply an
//! operation (`POST …/actions` with `{"action": "send_round" | "reply" | … }`), and the
//! public's comments during 公示 (no account needed).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use quanze_core::{ChangeSetId, ItemId};
use quanze_service::changesets::{Action, NewChangeSet};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/change-sets", get(change_sets).post(create))
        .route("/api/v1/change-sets/{id}", get(change_set))
        .route("/api/v1/change-sets/{id}/actions", post(act))
        .route("/api/v1/change-sets/{id}/comments", post(comment))
}

#[utoipa::path(get, path = "/api/v1/change-sets",
    responses((status = 200, description = "every change set, newest first, with its flow, rounds, comments and review")))]
pub(crate) async fn change_sets(State(st): State<AppState>) -> Result<Response, ApiError> {
    Ok(axum::Json(st.service.change_sets().await?).into_response())
}

#[utoipa::path(get, path = "/api/v1/change-sets/{id}", params(("id" = String, Path, description = "change set id")),
    responses((status = 200, description = "the change set, its changes named with the fields they change"),
        (status = 404, body = crate::routes::api::ErrorBody)))]
pub(crate) async fn change_set(
    State(st): State<AppState>,
    Path(id): Path<ChangeSetId>,
) -> Result<Response, ApiError> {
    Ok(axum::Json(st.service.change_set(id).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/change-sets",
    request_body(content = Object, description = "{title, effective_on, changes: [{list, action: add|amend|remove, item?, base?, duty?, content?, reason, basis}], countersigners?}"),
    responses((status = 201, description = "drafted"), (status = 401, body = crate::routes::api::ErrorBody),
        (status = 422, description = "a change refused, with its position", body = crate::routes::api::ErrorBody)))]
pub(crate) async fn create(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewChangeSet>,
) -> Result<Response, ApiError> {
    let (view, leaf_index) = st.service.create_change_set(&user, body).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "change_set": view, "leaf_index": leaf_index })),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/change-sets/{id}/actions", params(("id" = String, Path, description = "change set id")),
    request_body(content = Object, description = "{action: revise|send_round|reply|resolve|close_round|urge|open_comment|answer|submit_for_review|verdict|submit_for_approval|countersign|approve|publish|return|withdraw|transfer, …}"),
    responses((status = 200, description = "done; the change set's workflow state after it (its changes are counted, not listed: GET the change set for them) and the ledger leaf"),
        (status = 401, body = crate::routes::api::ErrorBody), (status = 403, body = crate::routes::api::ErrorBody),
        (status = 409, description = "someone acted on it meanwhile", body = crate::routes::api::ErrorBody),
        (status = 422, description = "refused at this stage, with the reason; nothing changed", body = crate::routes::api::ErrorBody)))]
pub(crate) async fn act(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ChangeSetId>,
    Json(action): Json<Action>,
) -> Result<Response, ApiError> {
    Ok(axum::Json(st.service.act_on_change_set(Some(&user), id, action).await?).into_response())
}

/// A comment from the public during 公示.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    /// The item commented on; none for the whole draft.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    item: Option<ItemId>,
    /// The comment.
    text: String,
}

#[utoipa::path(post, path = "/api/v1/change-sets/{id}/comments", params(("id" = String, Path, description = "change set id")),
    request_body = CommentBody,
    responses((status = 201, description = "received"), (status = 422, description = "not in 公示, or after its last day", body = crate::routes::api::ErrorBody)))]
pub(crate) async fn comment(
    State(st): State<AppState>,
    Path(id): Path<ChangeSetId>,
    Json(body): Json<CommentBody>,
) -> Result<Response, ApiError> {
    let leaf_index = st.service.comment_on_change_set(id, body.item, &body.text).await?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "leaf_index": leaf_index })))
        .into_response())
}
