//! The law registry under `/api/v1/laws` (法规库): list and register laws, record a repeal or
//! an amendment (answered with its impact report), and the impact report of a law on a date.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use quanze_core::LawId;
use quanze_service::laws::{Ending, NewLaw};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Query};
use crate::routes::api::Paging;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/laws", get(laws).post(register))
        .route("/api/v1/laws/{id}/end", post(end))
        .route("/api/v1/laws/{id}/impact", get(impact))
        .route("/api/v1/laws/{id}/draft-change-set", post(draft_change_set))
}

#[utoipa::path(get, path = "/api/v1/laws", params(Paging),
    responses((status = 200, description = "the law registry, by start of force")))]
pub(crate) async fn laws(
    State(st): State<AppState>,
    Query(p): Query<Paging>,
) -> Result<Response, ApiError> {
    let page = st.service.laws_page(p.offset, p.limit.clamp(1, 500)).await?;
    Ok(axum::Json(page).into_response())
}

/// A law to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLawBody {
    /// The title as promulgated.
    title: String,
    /// `law`, `administrative_regulation`, `local_regulation`, `departmental_rule`,
    /// `local_government_rule` or `normative_document`.
    #[schema(value_type = String)]
    level: quanze_core::LawLevel,
    /// 制定机关.
    issuer: String,
    /// YYYY-MM-DD.
    #[schema(value_type = String)]
    in_force_from: NaiveDate,
}

#[utoipa::path(post, path = "/api/v1/laws", request_body = NewLawBody,
    responses((status = 201, description = "registered"), (status = 401, body = crate::routes::api::ErrorBody),
        (status = 409, description = "the same title in force from the same date", body = crate::routes::api::ErrorBody)))]
pub(crate) async fn register(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewLawBody>,
) -> Result<Response, ApiError> {
    let new = NewLaw {
        title: body.title,
        level: body.level,
        issuer: body.issuer,
        in_force_from: body.in_force_from,
    };
    let (id, leaf_index) = st.service.register_law(Some(&user), new).await?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id, "leaf_index": leaf_index })))
        .into_response())
}

/// How a law ends.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndBody {
    /// `repealed` (废止) or `amended` (修订/修正; `by` is then required).
    #[schema(value_type = String)]
    ending: Ending,
    /// The first day it is no longer in force.
    #[schema(value_type = String)]
    on: NaiveDate,
    /// The repealing law or the new edition, when registered.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    by: Option<LawId>,
}

#[utoipa::path(post, path = "/api/v1/laws/{id}/end", request_body = EndBody, params(("id" = String, Path, description = "law id")),
    responses((status = 200, description = "recorded; the impact report of the items citing it"),
        (status = 404, body = crate::routes::api::ErrorBody), (status = 422, body = crate::routes::api::ErrorBody)))]
pub(crate) async fn end(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<LawId>,
    Json(body): Json<EndBody>,
) -> Result<Response, ApiError> {
    let (report, leaf_index) =
        st.service.end_law(Some(&user), id, body.ending, body.on, body.by).await?;
    Ok(axum::Json(serde_json::json!({ "impact": report, "leaf_index": leaf_index }))
        .into_response())
}

/// The date to report on.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImpactQuery {
    /// YYYY-MM-DD (default: today in China).
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/laws/{id}/impact", params(("id" = String, Path, description = "law id"), ImpactQuery),
    responses((status = 200, description = "every item in force on the date that cites the law, with where"), (status = 404, body = crate::routes::api::ErrorBody)))]
pub(crate) async fn impact(
    State(st): State<AppState>,
    Path(id): Path<LawId>,
    Query(q): Query<ImpactQuery>,
) -> Result<Response, ApiError> {
    let date = q.date.unwrap_or_else(|| st.service.today());
    Ok(axum::Json(st.service.law_impact(id, date).await?).into_response())
}

/// The day the revision is to take effect.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// YYYY-MM-DD.
    #[schema(value_type = String)]
    effective_on: NaiveDate,
}

#[utoipa::path(post, path = "/api/v1/laws/{id}/draft-change-set", request_body = DraftBody, params(("id" = String, Path, description = "law id")),
    responses((status = 201, description = "a draft change set revising every item that cites the ended law"),
        (status = 404, body = crate::routes::api::ErrorBody), (status = 422, description = "the law is in force, or no item needs revising", body = crate::routes::api::ErrorBody)))]
pub(crate) async fn draft_change_set(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<LawId>,
    Json(body): Json<DraftBody>,
) -> Result<Response, ApiError> {
    let (view, leaf_index) = st.service.draft_for_law(&user, id, body.effective_on).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "change_set": view, "leaf_index": leaf_index })),
    )
        .into_response())
}
