//! The law registry under `/api/v1/laws` (法规库): list and register laws, record a repeal or
//! an amendment (answered with its impact report), and the impact report of a law on a date.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::NaiveDate;
use quanze_core::LawId;
use quanze_service::laws::NewLaw;
use quanze_service::views::{
    ChangeSetReceipt, Created, DraftForLawRequest, EndLawReceipt, EndLawRequest, ImpactView,
    LawPage,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Query};
use crate::routes::api::{ErrorBody, Paging};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/laws", get(laws).post(register))
        .route("/api/v1/laws/{id}/end", post(end))
        .route("/api/v1/laws/{id}/impact", get(impact))
        .route("/api/v1/laws/{id}/draft-change-set", post(draft_change_set))
}

#[utoipa::path(get, path = "/api/v1/laws", operation_id = "laws", params(Paging),
    responses((status = 200, description = "the law registry, by start of force", body = LawPage),
        (status = 400, description = "bad paging parameters", body = ErrorBody)))]
pub(crate) async fn laws(
    State(st): State<AppState>,
    Query(p): Query<Paging>,
) -> Result<axum::Json<LawPage>, ApiError> {
    Ok(axum::Json(st.service.law_page(p.offset, p.limit.clamp(1, 500)).await?))
}

#[utoipa::path(post, path = "/api/v1/laws", operation_id = "register_law", request_body = NewLaw,
    responses((status = 201, description = "registered: the law id and the ledger leaf", body = Created),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a keeper of the registry", body = ErrorBody),
        (status = 409, description = "the same title in force from the same date", body = ErrorBody),
        (status = 422, description = "a field that does not parse", body = ErrorBody)))]
pub(crate) async fn register(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewLaw>,
) -> Result<(StatusCode, axum::Json<Created>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(st.service.add_law(&user, body).await?)))
}

#[utoipa::path(post, path = "/api/v1/laws/{id}/end", operation_id = "end_law", request_body = EndLawRequest, params(("id" = String, Path, description = "law id")),
    responses((status = 200, description = "recorded; the impact report of the items citing it", body = EndLawReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a keeper of the registry", body = ErrorBody),
        (status = 404, description = "no such law", body = ErrorBody),
        (status = 422, description = "already ended, an end before its start, an amendment without its new edition", body = ErrorBody)))]
pub(crate) async fn end(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<LawId>,
    Json(body): Json<EndLawRequest>,
) -> Result<axum::Json<EndLawReceipt>, ApiError> {
    Ok(axum::Json(st.service.end_law_view(&user, id, body).await?))
}

/// The date to report on.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImpactQuery {
    /// YYYY-MM-DD (default: today in China).
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/laws/{id}/impact", operation_id = "law_impact", params(("id" = String, Path, description = "law id"), ImpactQuery),
    responses((status = 200, description = "every item in force on the date that cites the law, with where", body = ImpactView),
        (status = 400, description = "a malformed id or date", body = ErrorBody),
        (status = 404, description = "no such law", body = ErrorBody)))]
pub(crate) async fn impact(
    State(st): State<AppState>,
    Path(id): Path<LawId>,
    Query(q): Query<ImpactQuery>,
) -> Result<axum::Json<ImpactView>, ApiError> {
    Ok(axum::Json(st.service.impact_view(id, q.date).await?))
}

#[utoipa::path(post, path = "/api/v1/laws/{id}/draft-change-set", operation_id = "draft_change_set_for_law", request_body = DraftForLawRequest, params(("id" = String, Path, description = "law id")),
    responses((status = 201, description = "a draft change set revising every item that cites the ended law", body = ChangeSetReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a drafter", body = ErrorBody),
        (status = 404, description = "no such law", body = ErrorBody),
        (status = 422, description = "the law is in force, or no item needs revising", body = ErrorBody)))]
pub(crate) async fn draft_change_set(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<LawId>,
    Json(body): Json<DraftForLawRequest>,
) -> Result<(StatusCode, axum::Json<ChangeSetReceipt>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(st.service.draft_for_law_view(&user, id, body).await?)))
}
