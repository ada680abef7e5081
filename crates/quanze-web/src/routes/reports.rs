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
use quanze_service::establishment::EstablishmentView;
use quanze_service::views::{EstablishmentReceipt, ReportKind, ReportView};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Query};
use crate::routes::api::{ErrorBody, percent_encode};

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

#[utoipa::path(get, path = "/api/v1/reports/{name}", operation_id = "report",
    params(("name" = String, Path, description = "consistency or devolution"), ReportQuery),
    responses((status = 200, description = "the report as JSON, or an xlsx workbook (format=xlsx)",
            content(
                (ReportView = "application/json"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            )),
        (status = 400, description = "an unknown format or a malformed date", body = ErrorBody),
        (status = 404, description = "no such report", body = ErrorBody)))]
pub(crate) async fn report(
    State(st): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
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
    let Some(kind) = ReportKind::parse(&name) else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "没有这个报告（可选：consistency、devolution）",
            "no such report (consistency or devolution)",
        ));
    };
    if !xlsx {
        return Ok(axum::Json(st.service.report(kind, q.date)).into_response());
    }
    let file = st.service.report_file(kind, q.date)?;
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", percent_encode(&file.name)),
            ),
        ],
        file.bytes,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/establishment", operation_id = "establishment",
    responses((status = 200, description = "towns' functional bodies, quotas and county totals, seconded units, quota adjustments", body = EstablishmentView),
        (status = 500, description = "internal error", body = ErrorBody)))]
pub(crate) async fn establishment(State(st): State<AppState>) -> axum::Json<EstablishmentView> {
    axum::Json(st.service.establishment())
}

#[utoipa::path(post, path = "/api/v1/establishment/changes", operation_id = "change_establishment",
    request_body(content = Object, description = "{change: set_bodies, town, bodies: [{name, functions}]} | {change: adjust_quotas, quotas: [{unit, kind: administrative|institutional|leader_posts, amount}], reason, approval?: {approver, doc_no, approved_on}} | {change: set_secondment, secondment: {unit, department, town, town_appraisal_percent, town_consulted_on_appointments, since}} | {change: end_secondment, unit}"),
    responses((status = 200, description = "applied; the establishment and the ledger index", body = EstablishmentReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a keeper of the establishment", body = ErrorBody),
        (status = 404, description = "no such unit", body = ErrorBody),
        (status = 422, description = "more bodies than the limit, a total that rises without an approval (只减不增), ...", body = ErrorBody)))]
pub(crate) async fn change_establishment(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(change): Json<EstablishmentChange>,
) -> Result<axum::Json<EstablishmentReceipt>, ApiError> {
    Ok(axum::Json(st.service.change_establishment_view(&user, change).await?))
}
