//! Change sets under `/api/v1/change-sets` (调整方案): draft one, read them, apply an
//! operation (`POST …/actions` with `{"action": "send_round" | "reply" | … }`), and the
//! public's comments during 公示 (no account needed).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use quanze_core::ChangeSetId;
use quanze_service::changesets::{ActionOutcome, ChangeSetCommand, ChangeSetView, NewChangeSet};
use quanze_service::views::{ChangeSetReceipt, CommentRequest, Receipt};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path};
use crate::routes::api::ErrorBody;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/change-sets", get(change_sets).post(create))
        .route("/api/v1/change-sets/{id}", get(change_set))
        .route("/api/v1/change-sets/{id}/actions", post(act))
        .route("/api/v1/change-sets/{id}/comments", post(comment))
}

#[utoipa::path(get, path = "/api/v1/change-sets", operation_id = "change_sets",
    responses((status = 200, description = "every change set, newest first, with its flow, rounds, comments and review; without a staff token, only those put to 公示 or published, without the units' opinions, the comments' texts or the review", body = [ChangeSetView]),
        (status = 401, description = "a token that is not valid (expired, ended)", body = ErrorBody),
        (status = 500, description = "the store failed", body = ErrorBody)))]
pub(crate) async fn change_sets(
    State(st): State<AppState>,
    reader: Option<Auth>,
) -> Result<axum::Json<Vec<ChangeSetView>>, ApiError> {
    let reader = reader.map(|Auth(user)| user);
    Ok(axum::Json(st.service.change_sets_for(reader.as_ref()).await?))
}

#[utoipa::path(get, path = "/api/v1/change-sets/{id}", operation_id = "change_set", params(("id" = String, Path, description = "change set id")),
    responses((status = 200, description = "the change set, its changes named with the fields they change", body = ChangeSetView),
        (status = 401, description = "a token that is not valid (expired, ended)", body = ErrorBody),
        (status = 400, description = "a malformed id", body = ErrorBody),
        (status = 404, description = "no such change set (or, without a staff token, one still internal)", body = ErrorBody)))]
pub(crate) async fn change_set(
    State(st): State<AppState>,
    reader: Option<Auth>,
    Path(id): Path<ChangeSetId>,
) -> Result<axum::Json<ChangeSetView>, ApiError> {
    let reader = reader.map(|Auth(user)| user);
    Ok(axum::Json(st.service.change_set_for(reader.as_ref(), id).await?))
}

#[utoipa::path(post, path = "/api/v1/change-sets", operation_id = "create_change_set", request_body = NewChangeSet,
    responses((status = 201, description = "drafted: the change set and the ledger leaf", body = ChangeSetReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a drafter", body = ErrorBody),
        (status = 422, description = "a change refused, with its position", body = ErrorBody)))]
pub(crate) async fn create(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewChangeSet>,
) -> Result<(StatusCode, axum::Json<ChangeSetReceipt>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(st.service.draft_change_set(&user, body).await?)))
}

#[utoipa::path(post, path = "/api/v1/change-sets/{id}/actions", operation_id = "act_on_change_set", params(("id" = String, Path, description = "change set id")),
    request_body(content = ChangeSetCommand, description = "one operation: {action: revise|send_round|reply|resolve|close_round|urge|open_comment|answer|submit_for_review|verdict|verdicts|submit_for_approval|countersign|approve|publish|return|withdraw|transfer, …}"),
    responses((status = 200, description = "done; the change set's workflow state after it (its changes are counted, not listed: GET the change set for them) and the ledger leaf", body = ActionOutcome),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not allowed to act at this stage", body = ErrorBody),
        (status = 404, description = "no such change set", body = ErrorBody),
        (status = 409, description = "someone acted on it meanwhile", body = ErrorBody),
        (status = 422, description = "refused at this stage, with the reason; nothing changed", body = ErrorBody)))]
pub(crate) async fn act(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ChangeSetId>,
    Json(action): Json<ChangeSetCommand>,
) -> Result<axum::Json<ActionOutcome>, ApiError> {
    Ok(axum::Json(st.service.act_on_change_set(Some(&user), id, action).await?))
}

#[utoipa::path(post, path = "/api/v1/change-sets/{id}/comments", operation_id = "comment_on_change_set", params(("id" = String, Path, description = "change set id")),
    request_body = CommentRequest,
    responses((status = 201, description = "received; the ledger leaf", body = Receipt),
        (status = 404, description = "no such change set", body = ErrorBody),
        (status = 422, description = "not in 公示, after its last day, or a text over 2,000 characters or with control characters", body = ErrorBody),
        (status = 429, description = "more than 10 comments from this address in ten minutes (`rate_limited`)", body = ErrorBody)))]
pub(crate) async fn comment(
    State(st): State<AppState>,
    crate::extract::Source(source): crate::extract::Source,
    Path(id): Path<ChangeSetId>,
    Json(body): Json<CommentRequest>,
) -> Result<(StatusCode, axum::Json<Receipt>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(st.service.receive_comment(id, body, source).await?)))
}
