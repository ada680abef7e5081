//! 安全审计 in the API: the audit trail for the audit administrator, as pages of JSON and as a
//! CSV export (`quanze_service::audit`). Every other role is refused.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use quanze_service::audit::{AuditPage, AuditQuery};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Query};
use crate::routes::api::ErrorBody;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/audit", get(trail)).route("/api/v1/audit/export", get(export))
}

/// 查阅审计记录 — a page of the audit trail (the audit role only).
#[utoipa::path(get, path = "/api/v1/audit", operation_id = "audit_trail", params(AuditQuery),
    responses((status = 200, description = "the records, oldest first, with the client's address of sign-ins and the personal data behind each leaf", body = AuditPage),
        (status = 400, description = "a bad filter", body = ErrorBody),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not the audit administrator", body = ErrorBody)))]
pub(crate) async fn trail(
    State(st): State<AppState>,
    Auth(by): Auth,
    Query(q): Query<AuditQuery>,
) -> Result<axum::Json<AuditPage>, ApiError> {
    Ok(axum::Json(st.service.audit_trail(&by, &q).await?))
}

/// 导出审计记录 — the audit trail as CSV (the audit role only); the export is itself recorded.
#[utoipa::path(get, path = "/api/v1/audit/export", operation_id = "audit_export", params(AuditQuery),
    responses((status = 200, description = "UTF-8 CSV with a byte-order mark: 序号, 时间, 账号, 事件, 对象, 结果, 来源地址, 详情",
            content((String = "text/csv"))),
        (status = 400, description = "a bad filter", body = ErrorBody),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not the audit administrator", body = ErrorBody)))]
pub(crate) async fn export(
    State(st): State<AppState>,
    Auth(by): Auth,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let bytes = st.service.audit_csv(&by, &q).await?;
    let name = format!("audit-{}.csv", st.service.today());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}
