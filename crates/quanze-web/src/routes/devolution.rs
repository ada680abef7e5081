//! Devolution under `/api/v1/grants` (赋权): grants with their towns' standing, recording a
//! grant, a town's readiness (承接条件), an override (特批) and a reclaim (收回); and
//! `/api/v1/authority`, the answer to "may this unit exercise this power on this day, how".

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chrono::NaiveDate;
use quanze_core::{GrantId, ItemId, UnitId};
use quanze_service::devolution::{NewGrant, ReadinessInput};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Query};

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

#[utoipa::path(get, path = "/api/v1/grants", params(DateQuery),
    responses((status = 200, description = "every grant with each town's readiness state and whether it is active on the day")))]
pub(crate) async fn grants(
    State(st): State<AppState>,
    Query(q): Query<DateQuery>,
) -> Result<Response, ApiError> {
    let date = q.date.unwrap_or_else(|| st.service.today());
    Ok(axum::Json(st.service.grants(date)).into_response())
}

#[utoipa::path(post, path = "/api/v1/grants",
    request_body(content = Object, description = "{item, from, to: {kind: towns, towns: [..]} | {kind: tag, tag}, mode: direct|entrusted|review_power|window_forward, effective_from, effective_until?, batch, confirmation_doc?, provincial_decision?}"),
    responses((status = 201, description = "recorded"), (status = 403, body = crate::routes::api::ErrorBody),
        (status = 422, description = "the department does not hold it, a town twice, overlapping windows, a penalty power without a provincial decision, ...", body = crate::routes::api::ErrorBody)))]
pub(crate) async fn create(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewGrant>,
) -> Result<Response, ApiError> {
    let (view, leaf_index) = st.service.create_grant(&user, body).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "grant": view, "leaf_index": leaf_index })),
    )
        .into_response())
}

#[utoipa::path(put, path = "/api/v1/grants/{id}/towns/{town}/readiness",
    params(("id" = String, Path, description = "grant id"), ("town" = String, Path, description = "town id")),
    request_body(content = Object, description = "{staff: [{name, trainings: [{course, date}]}], system_access, seal, funding, guidance_doc?, confirmed_on?}"),
    responses((status = 200, description = "recorded; the readiness state"), (status = 422, body = crate::routes::api::ErrorBody)))]
pub(crate) async fn readiness(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path((id, town)): Path<(GrantId, UnitId)>,
    Json(body): Json<ReadinessInput>,
) -> Result<Response, ApiError> {
    let (state, leaf_index) = st.service.record_readiness(&user, id, town, body).await?;
    Ok(axum::Json(
        serde_json::json!({ "state": state, "state_zh": state.zh(), "leaf_index": leaf_index }),
    )
    .into_response())
}

/// An override of an incomplete checklist, or a reclaim.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why.
    reason: String,
    /// From which day.
    #[schema(value_type = String)]
    effective_on: NaiveDate,
    /// The document (reclaims).
    #[serde(default)]
    doc: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/grants/{id}/towns/{town}/override",
    params(("id" = String, Path, description = "grant id"), ("town" = String, Path, description = "town id")),
    request_body = ReasonBody,
    responses((status = 200, description = "recorded"), (status = 422, body = crate::routes::api::ErrorBody)))]
pub(crate) async fn override_readiness(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path((id, town)): Path<(GrantId, UnitId)>,
    Json(body): Json<ReasonBody>,
) -> Result<Response, ApiError> {
    let leaf_index =
        st.service.override_readiness(&user, id, town, &body.reason, body.effective_on).await?;
    Ok(axum::Json(serde_json::json!({ "leaf_index": leaf_index })).into_response())
}

#[utoipa::path(post, path = "/api/v1/grants/{id}/towns/{town}/reclaim",
    params(("id" = String, Path, description = "grant id"), ("town" = String, Path, description = "town id")),
    request_body = ReasonBody,
    responses((status = 200, description = "recorded"), (status = 422, description = "no reason, or the grant is not active there on the day", body = crate::routes::api::ErrorBody)))]
pub(crate) async fn reclaim(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path((id, town)): Path<(GrantId, UnitId)>,
    Json(body): Json<ReasonBody>,
) -> Result<Response, ApiError> {
    let leaf_index =
        st.service.reclaim(&user, id, town, body.effective_on, &body.reason, body.doc).await?;
    Ok(axum::Json(serde_json::json!({ "leaf_index": leaf_index })).into_response())
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

#[utoipa::path(get, path = "/api/v1/authority", params(AuthorityQuery),
    responses((status = 200, description = "{holds: false} or {holds: true, exercise, source, except_in}")))]
pub(crate) async fn authority(
    State(st): State<AppState>,
    Query(q): Query<AuthorityQuery>,
) -> Result<Response, ApiError> {
    let date = q.date.unwrap_or_else(|| st.service.today());
    let body = match st.service.holds(q.unit, q.item, date) {
        None => {
            serde_json::json!({ "holds": false, "date": date, "message": "该单位在该日不享有此项职权（法无授权不可为）" })
        }
        Some(a) => serde_json::json!({
            "holds": true, "date": date, "exercise": a.exercise, "exercise_zh": a.exercise.zh(),
            "source": a.source, "except_in": a.except_in,
        }),
    };
    Ok(axum::Json(body).into_response())
}
