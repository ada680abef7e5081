//! Reports of list governance under `/api/v1/reports` (JSON or xlsx) — the consistency report
//! (一致性检查) and the devolution report (赋权承接情况) — and the establishment (机构编制)
//! under `/api/v1/establishment`.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use quanze_core::EstablishmentChange;
use quanze_service::ErrorCode;
use quanze_service::reports;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Query};
use crate::routes::api::percent_encode;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/{name}", get(report))
        .route("/api/v1/establishment", get(establishment))
        .route("/api/v1/establishment/changes", post(change_establishment))
}

/// The day and the format of a report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// YYYY-MM-DD (default: today in China).
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
    /// json (default) or xlsx.
    format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/{name}",
    params(("name" = String, Path, description = "consistency or devolution"), ReportQuery),
    responses((status = 200, description = "the report as JSON, or an xlsx workbook"),
        (status = 400, body = crate::routes::api::ErrorBody), (status = 404, body = crate::routes::api::ErrorBody)))]
pub(crate) async fn report(
    State(st): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let date = q.date.unwrap_or_else(|| st.service.today());
    let xlsx = match q.format.as_deref() {
        None | Some("json") => false,
        Some("xlsx") => true,
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::InvalidQuery,
                "格式应为 json 或 xlsx",
                "format must be json or xlsx",
            ));
        }
    };
    let (title, json, sheets) = match name.as_str() {
        "consistency" => {
            let r = st.service.consistency_report(date);
            ("一致性检查报告", serde_json::to_value(&r), r.sheets())
        }
        "devolution" => {
            let r = st.service.devolution_report(date);
            ("赋权承接情况报告", serde_json::to_value(&r), r.sheets())
        }
        _ => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "没有这个报告（可选：consistency、devolution）",
                "no such report (consistency or devolution)",
            ));
        }
    };
    if !xlsx {
        let json = json.map_err(|e| {
            ApiError::from(quanze_service::ServiceError::Internal(format!("report: {e}")))
        })?;
        return Ok(axum::Json(json).into_response());
    }
    let bytes = reports::xlsx(&sheets)?;
    let file = format!("{title}（{date}）.xlsx");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", percent_encode(&file)),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/establishment",
    responses((status = 200, description = "towns' functional bodies, quotas and county totals, seconded units, quota adjustments")))]
pub(crate) async fn establishment(State(st): State<AppState>) -> Result<Response, ApiError> {
    Ok(axum::Json(st.service.establishment()).into_response())
}

#[utoipa::path(post, path = "/api/v1/establishment/changes",
    request_body(content = Object, description = "{change: set_bodies, town, bodies: [{name, functions}]} | {change: adjust_quotas, quotas: [{unit, kind: administrative|institutional|leader_posts, amount}], reason, approval?: {approver, doc_no, approved_on}} | {change: set_secondment, secondment: {unit, department, town, town_appraisal_percent, town_consulted_on_appointments, since}} | {change: end_secondment, unit}"),
    responses((status = 200, description = "applied; the establishment and the ledger index"), (status = 403, body = crate::routes::api::ErrorBody),
        (status = 422, description = "more bodies than the limit, a total that rises without an approval (只减不增), ...", body = crate::routes::api::ErrorBody)))]
pub(crate) async fn change_establishment(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(change): Json<EstablishmentChange>,
) -> Result<Response, ApiError> {
    let (view, leaf_index) = st.service.change_establishment(&user, change).await?;
    Ok(axum::Json(serde_json::json!({ "establishment": view, "leaf_index": leaf_index }))
        .into_response())
}
