//! 双因素认证 in the JSON API: completing a sign-in with its ticket, the enrolment an account
//! must make before its first sign-in, an account's own enrolment, and the administrators'
//! reset and SM2 keys (`quanze_service::second_factor`).

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post, put};
use quanze_core::UserId;
use quanze_service::second_factor::{FactorSummary, TotpEnrolment};
use quanze_service::views::{
    EnrolledLoginView, EnrolmentConfirmRequest, EnrolmentRequest, LoginView, Receipt,
    RecoveryCodes, SecondFactorRequest, Sm2KeyRequest, TotpBeginRequest,
};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Source};
use crate::routes::api::ErrorBody;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/second-factor", post(second_factor))
        .route("/api/v1/auth/enrolment", post(enrolment))
        .route("/api/v1/auth/enrolment/confirm", post(confirm_enrolment))
        .route("/api/v1/auth/totp", post(begin_totp))
        .route("/api/v1/auth/totp/confirm", post(confirm_totp))
        .route("/api/v1/users/{id}/second-factor", get(summary).delete(reset))
        .route("/api/v1/users/{id}/sm2-key", put(sm2_key))
}

/// Completes a sign-in with its second factor.
#[utoipa::path(post, path = "/api/v1/auth/second-factor", operation_id = "sign_in_second_factor",
    request_body = SecondFactorRequest,
    responses((status = 200, description = "a new bearer token and the account", body = LoginView),
        (status = 401, description = "the code or signature is wrong or used, or the ticket ended (`second_factor_invalid`)", body = ErrorBody),
        (status = 403, description = "locked by an administrator", body = ErrorBody),
        (status = 422, description = "neither or both of code and sm2_signature", body = ErrorBody),
        (status = 429, description = "too many failed sign-ins for this account: wait", body = ErrorBody)))]
pub(crate) async fn second_factor(
    State(st): State<AppState>,
    Source(source): Source,
    Json(body): Json<SecondFactorRequest>,
) -> Result<axum::Json<LoginView>, ApiError> {
    Ok(axum::Json(st.service.log_in_second_factor(&body, source).await?))
}

/// Starts the TOTP enrolment a sign-in needs (`enrol: true` in its answer).
#[utoipa::path(post, path = "/api/v1/auth/enrolment", operation_id = "begin_enrolment",
    request_body = EnrolmentRequest,
    responses((status = 200, description = "the secret for the authenticator app", body = TotpEnrolment),
        (status = 401, description = "the ticket is unknown or ended", body = ErrorBody),
        (status = 409, description = "the account has a confirmed factor already", body = ErrorBody),
        (status = 422, description = "no personal-data key is configured to seal the secret", body = ErrorBody)))]
pub(crate) async fn enrolment(
    State(st): State<AppState>,
    Json(body): Json<EnrolmentRequest>,
) -> Result<axum::Json<TotpEnrolment>, ApiError> {
    Ok(axum::Json(st.service.begin_enrolment(&body.ticket).await?))
}

/// Confirms the enrolment with the app's first code and completes the sign-in.
#[utoipa::path(post, path = "/api/v1/auth/enrolment/confirm", operation_id = "confirm_enrolment",
    request_body = EnrolmentConfirmRequest,
    responses((status = 200, description = "a new bearer token, the account and its recovery codes (shown once)", body = EnrolledLoginView),
        (status = 401, description = "the code does not match, or the ticket ended", body = ErrorBody),
        (status = 409, description = "no enrolment is waiting", body = ErrorBody),
        (status = 422, description = "no ticket", body = ErrorBody)))]
pub(crate) async fn confirm_enrolment(
    State(st): State<AppState>,
    Source(source): Source,
    Json(body): Json<EnrolmentConfirmRequest>,
) -> Result<axum::Json<EnrolledLoginView>, ApiError> {
    let Some(ticket) = body.ticket.as_deref() else {
        return Err(ApiError::new(
            quanze_service::ErrorCode::InvalidBody,
            "缺少登录凭单（ticket）；已登录的账号请用 /api/v1/auth/totp/confirm",
            "no ticket; a signed-in account confirms at /api/v1/auth/totp/confirm",
        ));
    };
    Ok(axum::Json(st.service.log_in_enrolled(ticket, &body.code, source).await?))
}

/// A signed-in account starts enrolling a TOTP secret of its own.
#[utoipa::path(post, path = "/api/v1/auth/totp", operation_id = "begin_totp",
    request_body = TotpBeginRequest,
    responses((status = 200, description = "the secret for the authenticator app", body = TotpEnrolment),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 409, description = "a confirmed factor exists: an administrator resets it first", body = ErrorBody)))]
pub(crate) async fn begin_totp(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(_begin): Json<TotpBeginRequest>,
) -> Result<axum::Json<TotpEnrolment>, ApiError> {
    Ok(axum::Json(st.service.begin_totp(&user).await?))
}

/// A signed-in account confirms its enrolment with the app's first code.
#[utoipa::path(post, path = "/api/v1/auth/totp/confirm", operation_id = "confirm_totp",
    request_body = EnrolmentConfirmRequest,
    responses((status = 200, description = "enrolled; the recovery codes (shown once)", body = RecoveryCodes),
        (status = 401, description = "no or bad token, or a code that does not match", body = ErrorBody),
        (status = 409, description = "no enrolment is waiting", body = ErrorBody)))]
pub(crate) async fn confirm_totp(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<EnrolmentConfirmRequest>,
) -> Result<axum::Json<RecoveryCodes>, ApiError> {
    let recovery_codes = st.service.confirm_totp(&user, &body.code).await?;
    Ok(axum::Json(RecoveryCodes { recovery_codes }))
}

/// An account's second factors (its own, or any for a system administrator).
#[utoipa::path(get, path = "/api/v1/users/{id}/second-factor", operation_id = "second_factor_summary",
    params(("id" = String, Path, description = "account id")),
    responses((status = 200, description = "which factors the account has", body = FactorSummary),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "another's account, and not a system administrator", body = ErrorBody),
        (status = 404, description = "no such account", body = ErrorBody)))]
pub(crate) async fn summary(
    State(st): State<AppState>,
    Auth(by): Auth,
    Path(id): Path<UserId>,
) -> Result<axum::Json<FactorSummary>, ApiError> {
    Ok(axum::Json(st.service.factor_summary(&by, id).await?))
}

/// 重置第二因素 — a system administrator removes an account's factors (a lost phone or key):
/// its sessions end and its next sign-in enrols again.
#[utoipa::path(delete, path = "/api/v1/users/{id}/second-factor", operation_id = "reset_second_factor",
    params(("id" = String, Path, description = "account id")),
    responses((status = 200, description = "reset; the account's sessions ended", body = Receipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a system administrator", body = ErrorBody),
        (status = 404, description = "no such account", body = ErrorBody)))]
pub(crate) async fn reset(
    State(st): State<AppState>,
    Auth(by): Auth,
    Path(id): Path<UserId>,
) -> Result<axum::Json<Receipt>, ApiError> {
    Ok(axum::Json(Receipt { leaf_index: st.service.reset_second_factor(&by, id).await? }))
}

/// 登记 SM2 密钥 — a system administrator registers the public key of the USB key handed to an
/// account (or removes it with `null`).
#[utoipa::path(put, path = "/api/v1/users/{id}/sm2-key", operation_id = "set_sm2_key",
    params(("id" = String, Path, description = "account id")), request_body = Sm2KeyRequest,
    responses((status = 200, description = "stored", body = Receipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a system administrator", body = ErrorBody),
        (status = 404, description = "no such account", body = ErrorBody),
        (status = 422, description = "not an SM2 public key", body = ErrorBody)))]
pub(crate) async fn sm2_key(
    State(st): State<AppState>,
    Auth(by): Auth,
    Path(id): Path<UserId>,
    Json(body): Json<Sm2KeyRequest>,
) -> Result<axum::Json<Receipt>, ApiError> {
    let leaf_index = st.service.set_sm2_key(&by, id, body.public_key.as_deref()).await?;
    Ok(axum::Json(Receipt { leaf_index }))
}
