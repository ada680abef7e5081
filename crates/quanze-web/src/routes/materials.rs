//! A case's materials under `/api/v1/cases/{receipt}/materials` (申请材料): upload one (the raw
//! file as the body, its name in the query), file one the same applicant filed before (reuse),
//! list them, download one.
//!
//! Staff send their bearer token; the applicant sends the access code in the `X-Access-Code`
//! header (in the JSON body for reuse), never in the URL, which ends up in logs.
//!
//! An upload is read as it arrives and never past the service's limit: a `Content-Length` over
//! it is refused before a byte of the body is read, and a body without one is cut off at the
//! limit; both answer 413 `file_too_large` and store nothing. Bodies are read a few at a time
//! (`MaterialsConfig::concurrent_uploads`, a turn each; the rest wait), so uploads hold at
//! most that many times the limit in memory. The declared `Content-Type` is not trusted: the
//! service types the file by its content.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use quanze_core::case::material::MaterialError;
use quanze_service::cases::CaseCaller;
use quanze_service::views::materials::{
    MaterialReceipt, MaterialUpload, MaterialsView, ReuseRequest,
};
use quanze_service::{CurrentUser, ErrorCode, ServiceError};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Query};
use crate::routes::api::ErrorBody;

/// The header the applicant's access code comes in.
pub const ACCESS_CODE_HEADER: &str = "x-access-code";

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases/{receipt}/materials", get(list).post(upload))
        .route("/api/v1/cases/{receipt}/materials/reuse", post(reuse))
        .route("/api/v1/cases/{receipt}/materials/{digest}", get(download))
}

/// Who calls: staff by token, else the applicant by access code.
fn caller<'a>(
    user: Option<&'a CurrentUser>,
    code: Option<&'a str>,
) -> Result<CaseCaller<'a>, ApiError> {
    match (user, code) {
        (Some(user), _) => Ok(CaseCaller::Staff(user, None)),
        (None, Some(code)) => Ok(CaseCaller::Applicant(code)),
        (None, None) => Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "请提供工作人员的登录令牌，或申请人的查询码（请求头 X-Access-Code）",
            "send a bearer token or the applicant's access code (X-Access-Code)",
        )),
    }
}

fn access_code(headers: &HeaderMap) -> Option<&str> {
    headers.get(ACCESS_CODE_HEADER).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// The service's own refusal of a file of `size` bytes (at least; a body cut off at the
/// limit), so that the message and the code are the same whichever layer stops it.
fn too_large(size: u64, limit: u64) -> ApiError {
    ServiceError::from(MaterialError::TooLarge { size, limit }).into()
}

/// The declared length of the body.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())
}

/// Reads `body` up to `limit` bytes, cut off as soon as more arrives (a declared length over
/// the limit is refused by [`upload`] before it waits for a turn).
async fn read_limited(body: Body, limit: u64) -> Result<Vec<u8>, ApiError> {
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    match Limited::new(body, cap).collect().await {
        Ok(collected) => Ok(collected.to_bytes().into()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(too_large(limit.saturating_add(1), limit))
        }
        Err(e) => Err(ApiError::new(
            ErrorCode::InvalidBody,
            "上传中断，未保存任何内容",
            format!("the upload could not be read: {e}"),
        )
        .with_status(StatusCode::BAD_REQUEST)),
    }
}

/// Where an upload goes.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// 材料名称: one of the item's guide materials (or of the 容缺 list) when the guide lists any.
    name: String,
    /// 有效期至 (YYYY-MM-DD), for reuse on the same applicant's later cases.
    #[param(value_type = Option<String>, format = Date)]
    valid_until: Option<chrono::NaiveDate>,
}

#[utoipa::path(post, path = "/api/v1/cases/{receipt}/materials", operation_id = "upload_material",
    params(("receipt" = String, Path, description = "受理单号"), UploadParams,
        ("X-Access-Code" = Option<String>, Header, description = "the applicant's access code (staff send a bearer token instead)")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "the file itself (PDF, OFD, JPEG, PNG, DOCX or XLSX; typed by its content, whatever the declared type or name)"),
    responses((status = 201, description = "filed; stored once under its SM3 digest", body = MaterialReceipt),
        (status = 400, description = "the upload broke off", body = ErrorBody),
        (status = 401, description = "neither a token nor an access code", body = ErrorBody),
        (status = 403, description = "wrong access code, or not staff of the receiving or handling unit", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 409, description = "the case has ended", body = ErrorBody),
        (status = 413, description = "over the size limit (nothing stored)", body = ErrorBody),
        (status = 415, description = "an executable, or a type not accepted (nothing stored)", body = ErrorBody),
        (status = 422, description = "empty, a name not in the item's guide, a validity already over", body = ErrorBody)))]
pub(crate) async fn upload(
    State(st): State<AppState>,
    auth: Option<Auth>,
    Path(receipt): Path<String>,
    Query(q): Query<UploadParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, axum::Json<MaterialReceipt>), ApiError> {
    let user = auth.map(|Auth(u)| u);
    let caller = caller(user.as_ref(), access_code(&headers))?;
    // A body over the limit is refused by its length before waiting for a turn.
    let limit = st.service.max_material_bytes();
    if let Some(n) = content_length(&headers).filter(|n| *n > limit) {
        return Err(too_large(n, limit));
    }
    let _turn = st.service.material_upload_turn().await;
    let bytes = read_limited(body, limit).await?;
    let req = MaterialUpload { name: q.name, valid_until: q.valid_until };
    let answer = st.service.upload_material(caller, &receipt, req, bytes).await?;
    Ok((StatusCode::CREATED, axum::Json(answer)))
}

#[utoipa::path(post, path = "/api/v1/cases/{receipt}/materials/reuse", operation_id = "reuse_material",
    params(("receipt" = String, Path, description = "受理单号")),
    request_body = ReuseRequest,
    responses((status = 201, description = "filed by reference, not uploaded again (once-only)", body = MaterialReceipt),
        (status = 401, description = "neither a token nor an access code", body = ErrorBody),
        (status = 403, description = "wrong access code, or not staff of the receiving or handling unit", body = ErrorBody),
        (status = 404, description = "no such case, or no valid material of the same applicant with that digest", body = ErrorBody),
        (status = 409, description = "the case has ended", body = ErrorBody),
        (status = 422, description = "a name not in the item's guide", body = ErrorBody)))]
pub(crate) async fn reuse(
    State(st): State<AppState>,
    auth: Option<Auth>,
    Path(receipt): Path<String>,
    Json(body): Json<ReuseRequest>,
) -> Result<(StatusCode, axum::Json<MaterialReceipt>), ApiError> {
    let user = auth.map(|Auth(u)| u);
    let code = body.access_code.clone();
    let caller = caller(user.as_ref(), code.as_deref())?;
    let answer = st.service.reuse_material(caller, &receipt, body).await?;
    Ok((StatusCode::CREATED, axum::Json(answer)))
}

#[utoipa::path(get, path = "/api/v1/cases/{receipt}/materials", operation_id = "case_materials",
    params(("receipt" = String, Path, description = "受理单号"),
        ("X-Access-Code" = Option<String>, Header, description = "the applicant's access code (staff send a bearer token instead)")),
    responses((status = 200, description = "filed, still missing, and reusable from the same applicant's earlier cases", body = MaterialsView),
        (status = 401, description = "neither a token nor an access code", body = ErrorBody),
        (status = 403, description = "wrong access code, or not staff of a unit the case concerns", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody)))]
pub(crate) async fn list(
    State(st): State<AppState>,
    auth: Option<Auth>,
    Path(receipt): Path<String>,
    headers: HeaderMap,
) -> Result<axum::Json<MaterialsView>, ApiError> {
    let user = auth.map(|Auth(u)| u);
    let caller = caller(user.as_ref(), access_code(&headers))?;
    Ok(axum::Json(st.service.case_materials(caller, &receipt).await?))
}

/// `filename*` of RFC 6266 / RFC 5987: UTF-8, percent-encoded.
fn filename_star(name: &str) -> String {
    let mut out = String::from("UTF-8''");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[utoipa::path(get, path = "/api/v1/cases/{receipt}/materials/{digest}", operation_id = "download_material",
    params(("receipt" = String, Path, description = "受理单号"), ("digest" = String, Path, description = "the material's SM3 digest"),
        ("X-Access-Code" = Option<String>, Header, description = "the applicant's access code (staff send a bearer token instead)")),
    responses((status = 200, description = "the file, with the type detected when it was filed, as an attachment",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/ofd"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "neither a token nor an access code", body = ErrorBody),
        (status = 403, description = "wrong access code, or not staff of a unit the case concerns", body = ErrorBody),
        (status = 404, description = "no such case, or the case did not file this material", body = ErrorBody),
        (status = 422, description = "not a digest", body = ErrorBody)))]
pub(crate) async fn download(
    State(st): State<AppState>,
    auth: Option<Auth>,
    Path((receipt, digest)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = auth.map(|Auth(u)| u);
    let caller = caller(user.as_ref(), access_code(&headers))?;
    let file = st.service.material_file(caller, &receipt, &digest).await?;
    let m = &file.material;
    let name = format!("{}.{}", m.name, m.media_type.extension());
    let disposition = format!(
        "attachment; filename=\"material.{}\"; filename*={}",
        m.media_type.extension(),
        filename_star(&name)
    );
    let mut response = file.bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(m.mime));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", m.digest)) {
        h.insert(header::ETAG, v);
    }
    Ok(response)
}
