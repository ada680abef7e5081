//! Devolution under `/api/v1/grants` (赋权): grants with their towns' standing, recording a
//! grant, a town's readiness (承接条件), an override (特批) and a reclaim (收回); and
//! `/api/v1/authority`, the answer to "may this unit exercise this power on this day, how".

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use chrono::NaiveDate;
use quanze_core::{GrantId, ItemId, UnitId};
use quanze_service::devolution::{GrantView, NewGrant, ReadinessInput};
use quanze_service::views::{
    AuthorityAnswer, GrantReceipt, ReadinessReceipt, ReasonRequest, Receipt,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Query};
use crate::routes::api::ErrorBody;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/grants", get(grants).post(create))
        .route("/api/v1/grants/{id}/towns/{town}/readiness", put(readiness))
        .route("/api/v1/grants/{id}/towns/{town}/override", post(override_readiness))
        .route("/api/v1/grants/{id}/towns/{town}/reclaim", post(reclaim))
        .route("/api/v1/authority", get(authority))
}

/// The day to answer for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DateQuery {
    /// YYYY-MM-DD (default: today in China).
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/grants", operation_id = "grants", params(DateQuery),
    responses((status = 200, description = "every grant with each town's readiness state and whether it is active on the day", body = [GrantView]),
        (status = 400, description = "a malformed date", body = ErrorBody)))]
pub(crate) async fn grants(
    State(st): State<AppState>,
    Query(q): Query<DateQuery>,
) -> axum::Json<Vec<GrantView>> {
    axum::Json(st.service.grant_list(q.date))
}

#[utoipa::path(post, path = "/api/v1/grants", operation_id = "create_grant", request_body = NewGrant,
    responses((status = 201, description = "recorded: the grant with its towns' standing and the ledger leaf", body = GrantReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a keeper of devolution", body = ErrorBody),
        (status = 422, description = "the department does not hold it, a town twice, overlapping windows, a penalty power without a provincial decision, ...", body = ErrorBody)))]
pub(crate) async fn create(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewGrant>,
) -> Result<(StatusCode, axum::Json<GrantReceipt>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(st.service.add_grant(&user, body).await?)))
}

#[utoipa::path(put, path = "/api/v1/grants/{id}/towns/{town}/readiness", operation_id = "record_readiness",
    params(("id" = String, Path, description = "grant id"), ("town" = String, Path, description = "town id")),
    request_body = ReadinessInput,
    responses((status = 200, description = "recorded; the readiness state", body = ReadinessReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not allowed for this town", body = ErrorBody),
        (status = 404, description = "no such grant or town", body = ErrorBody),
        (status = 422, description = "the town is not in the grant, or a field that does not parse", body = ErrorBody)))]
pub(crate) async fn readiness(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path((id, town)): Path<(GrantId, UnitId)>,
    Json(body): Json<ReadinessInput>,
) -> Result<axum::Json<ReadinessReceipt>, ApiError> {
    Ok(axum::Json(st.service.put_readiness(&user, id, town, body).await?))
}

#[utoipa::path(post, path = "/api/v1/grants/{id}/towns/{town}/override", operation_id = "override_readiness",
    params(("id" = String, Path, description = "grant id"), ("town" = String, Path, description = "town id")),
    request_body = ReasonRequest,
    responses((status = 200, description = "recorded; the ledger leaf", body = Receipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a leader or editor", body = ErrorBody),
        (status = 404, description = "no such grant or town", body = ErrorBody),
        (status = 422, description = "no reason, or nothing to override", body = ErrorBody)))]
pub(crate) async fn override_readiness(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path((id, town)): Path<(GrantId, UnitId)>,
    Json(body): Json<ReasonRequest>,
) -> Result<axum::Json<Receipt>, ApiError> {
    Ok(axum::Json(st.service.approve_override(&user, id, town, &body).await?))
}

#[utoipa::path(post, path = "/api/v1/grants/{id}/towns/{town}/reclaim", operation_id = "reclaim_grant",
    params(("id" = String, Path, description = "grant id"), ("town" = String, Path, description = "town id")),
    request_body = ReasonRequest,
    responses((status = 200, description = "recorded; the ledger leaf", body = Receipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a keeper of devolution", body = ErrorBody),
        (status = 404, description = "no such grant or town", body = ErrorBody),
        (status = 422, description = "no reason, or the grant is not active there on the day", body = ErrorBody)))]
pub(crate) async fn reclaim(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path((id, town)): Path<(GrantId, UnitId)>,
    Json(body): Json<ReasonRequest>,
) -> Result<axum::Json<Receipt>, ApiError> {
    Ok(axum::Json(st.service.take_back(&user, id, town, body).await?))
}

/// The question.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuthorityQuery {
    /// The unit.
    #[param(value_type = String)]
    unit: UnitId,
    /// The power item.
    #[param(value_type = String)]
    item: ItemId,
    /// YYYY-MM-DD (default: today in China).
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/authority", operation_id = "authority", params(AuthorityQuery),
    responses((status = 200, description = "{holds: false, date, message} or {holds: true, date, exercise, exercise_zh, source, except_in}", body = AuthorityAnswer),
        (status = 400, description = "a missing or malformed unit, item or date", body = ErrorBody)))]
pub(crate) async fn authority(
    State(st): State<AppState>,
    Query(q): Query<AuthorityQuery>,
) -> axum::Json<AuthorityAnswer> {
    axum::Json(st.service.authority(q.unit, q.item, q.date))
}
