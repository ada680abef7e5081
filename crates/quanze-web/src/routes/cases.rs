//! Cases under `/api/v1/cases` (办件): applying (online without an account, or registered by
//! a window clerk), filing ex officio, taking a step, the applicant's view with the access code,
//! per-step ledger receipts, ratings (好差评), complaints (投诉建议), supervision items (督办) and
//! a unit's published rating results.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use quanze_core::case::Supervision;
use quanze_core::case::rating::{Complaint, Rating};
use quanze_core::{CaseId, ComplaintId, UnitId};
use quanze_service::cases::CaseCaller;
use quanze_service::views::cases::{
    ApplicantActionRequest, ApplyRequest, CaseActionRequest, CasePage, CaseReceipt, CaseView,
    ComplaintRequest, FileCaseRequest, RatingRequest, TickReport,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Query};
use crate::routes::api::ErrorBody;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", get(list).post(apply))
        .route("/api/v1/cases/file", post(file))
        .route("/api/v1/cases/tick", post(tick))
        .route("/api/v1/cases/{receipt}", get(show))
        .route("/api/v1/cases/{receipt}/actions", post(act))
        .route("/api/v1/cases/{receipt}/applicant", post(applicant_view))
        .route("/api/v1/cases/{receipt}/applicant/actions", post(applicant_act))
        .route("/api/v1/cases/{receipt}/steps/{n}/receipt", post(step_receipt))
        .route("/api/v1/cases/{receipt}/ratings", post(rate))
        .route("/api/v1/complaints", post(complain))
        .route("/api/v1/complaints/{id}/reply", post(reply))
        .route("/api/v1/supervisions", get(supervisions))
        .route("/api/v1/units/{id}/ratings", get(unit_ratings))
        .route("/api/v1/ratings/{id}/follow-up", post(follow_up))
}

#[utoipa::path(post, path = "/api/v1/cases", operation_id = "apply_for_case", request_body = ApplyRequest,
    responses((status = 201, description = "received: the receipt number, the access code (shown once) and the case", body = CaseReceipt),
        (status = 401, description = "a token that is not valid (expired, ended)", body = ErrorBody),
        (status = 403, description = "the unit does not hold the power that day (the message names who does), or a window application without a clerk's token", body = ErrorBody),
        (status = 404, description = "no such unit or item", body = ErrorBody),
        (status = 422, description = "an invalid ID number or credit code, an unknown applicant kind", body = ErrorBody),
        (status = 503, description = "no personal-data key is configured", body = ErrorBody)))]
pub(crate) async fn apply(
    State(st): State<AppState>,
    auth: Option<Auth>,
    Json(body): Json<ApplyRequest>,
) -> Result<(StatusCode, axum::Json<CaseReceipt>), ApiError> {
    let user = auth.map(|Auth(u)| u);
    Ok((StatusCode::CREATED, axum::Json(st.service.apply_for_case(user.as_ref(), body).await?)))
}

#[utoipa::path(post, path = "/api/v1/cases/file", operation_id = "file_case", request_body = FileCaseRequest,
    responses((status = 201, description = "filed (立案)", body = CaseReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not staff of the unit, or the unit does not hold the power", body = ErrorBody),
        (status = 422, description = "an item decided on application, an entrusted coercive measure, an invalid party", body = ErrorBody)))]
pub(crate) async fn file(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<FileCaseRequest>,
) -> Result<(StatusCode, axum::Json<CaseReceipt>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(st.service.file_case(&user, body).await?)))
}

/// Which cases to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// The unit that has them (default: every unit, for supervisors).
    #[param(value_type = Option<String>, format = Uuid)]
    unit: Option<UnitId>,
    /// A state (`submitted`, `under_review`, `closed` …).
    state: Option<String>,
    /// An alert level (`green`, `yellow`, `red`).
    alert: Option<String>,
    /// The `next_before` of the previous page.
    #[param(value_type = Option<String>, format = Uuid)]
    before: Option<CaseId>,
    /// Page size (1–200, default 50).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/cases", operation_id = "cases", params(CaseQuery),
    responses((status = 200, description = "a page of cases, newest first", body = CasePage),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "neither staff of the unit nor a supervisor", body = ErrorBody)))]
pub(crate) async fn list(
    State(st): State<AppState>,
    Auth(user): Auth,
    Query(q): Query<CaseQuery>,
) -> Result<axum::Json<CasePage>, ApiError> {
    Ok(axum::Json(
        st.service
            .list_cases(&user, q.unit, q.state, q.alert, q.before, q.limit.unwrap_or(50))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/cases/{receipt}", operation_id = "case",
    params(("receipt" = String, Path, description = "受理单号")),
    responses((status = 200, description = "the case with its deadlines and timeline", body = CaseView),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not staff of a unit it concerns, nor a supervisor", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody)))]
pub(crate) async fn show(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(receipt): Path<String>,
) -> Result<axum::Json<CaseView>, ApiError> {
    Ok(axum::Json(st.service.case_for_staff(&user, &receipt).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{receipt}/actions", operation_id = "act_on_case",
    params(("receipt" = String, Path, description = "受理单号")),
    request_body = CaseActionRequest,
    responses((status = 200, description = "the step was taken: the case after it, its timeline holding that step (GET the case for the whole timeline)", body = CaseView),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "another unit's case, a role the procedure does not give this step, a unit without the power to decide", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody),
        (status = 409, description = "not allowed in the case's state, or the case moved meanwhile", body = ErrorBody),
        (status = 422, description = "a rule of the procedure refuses it (the message names the article)", body = ErrorBody)))]
pub(crate) async fn act(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(receipt): Path<String>,
    Json(body): Json<CaseActionRequest>,
) -> Result<axum::Json<CaseView>, ApiError> {
    let caller = CaseCaller::Staff(&user, body.as_unit);
    Ok(axum::Json(st.service.act_on_case(caller, &receipt, body.command).await?))
}

/// The applicant's access code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    /// The access code given with the receipt.
    pub access_code: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{receipt}/applicant", operation_id = "case_for_applicant",
    params(("receipt" = String, Path, description = "受理单号")),
    request_body = AccessRequest,
    responses((status = 200, description = "the case as its applicant sees it", body = CaseView),
        (status = 403, description = "wrong receipt number or access code", body = ErrorBody),
        (status = 404, description = "no such case", body = ErrorBody)))]
pub(crate) async fn applicant_view(
    State(st): State<AppState>,
    Path(receipt): Path<String>,
    Json(body): Json<AccessRequest>,
) -> Result<axum::Json<CaseView>, ApiError> {
    Ok(axum::Json(st.service.case_for_applicant(&receipt, &body.access_code).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{receipt}/applicant/actions", operation_id = "applicant_act",
    params(("receipt" = String, Path, description = "受理单号")),
    request_body = ApplicantActionRequest,
    responses((status = 200, description = "the step was taken (补正材料, 撤回, 申请听证 …)", body = CaseView),
        (status = 403, description = "wrong access code, or a step only staff take", body = ErrorBody),
        (status = 409, description = "not allowed in the case's state", body = ErrorBody),
        (status = 422, description = "a rule refuses it", body = ErrorBody)))]
pub(crate) async fn applicant_act(
    State(st): State<AppState>,
    Path(receipt): Path<String>,
    Json(body): Json<ApplicantActionRequest>,
) -> Result<axum::Json<CaseView>, ApiError> {
    let caller = CaseCaller::Applicant(&body.access_code);
    Ok(axum::Json(st.service.act_on_case(caller, &receipt, body.command).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{receipt}/steps/{n}/receipt", operation_id = "case_step_receipt",
    params(("receipt" = String, Path, description = "受理单号"), ("n" = u32, Path, description = "step number, from 1")),
    request_body = AccessRequest,
    responses((status = 200, description = "the step's ledger event with its inclusion proof under the latest signed checkpoint", body = Object),
        (status = 403, description = "wrong access code", body = ErrorBody),
        (status = 404, description = "no such case or step, or no checkpoint covers it yet", body = ErrorBody)))]
pub(crate) async fn step_receipt(
    State(st): State<AppState>,
    Path((receipt, n)): Path<(String, u32)>,
    Json(body): Json<AccessRequest>,
) -> Result<axum::Json<quanze_service::ledger::LedgerReceipt>, ApiError> {
    Ok(axum::Json(st.service.case_step_receipt(&receipt, &body.access_code, n).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{receipt}/ratings", operation_id = "rate_case",
    params(("receipt" = String, Path, description = "受理单号")),
    request_body = RatingRequest,
    responses((status = 201, description = "rated; a 差评 carries its rectification deadline", body = Object),
        (status = 403, description = "not the applicant (wrong access code)", body = ErrorBody),
        (status = 409, description = "rated on this channel already", body = ErrorBody),
        (status = 422, description = "the case has not ended, is not rated, or the comment is too long", body = ErrorBody)))]
pub(crate) async fn rate(
    State(st): State<AppState>,
    Path(receipt): Path<String>,
    Json(body): Json<RatingRequest>,
) -> Result<(StatusCode, axum::Json<Rating>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(st.service.rate_case(&receipt, body).await?)))
}

#[utoipa::path(post, path = "/api/v1/complaints", operation_id = "complain", request_body = ComplaintRequest,
    responses((status = 201, description = "received; sent to the supervising unit with a reply deadline", body = Object),
        (status = 404, description = "no such unit or case", body = ErrorBody),
        (status = 422, description = "no subject named, or the text empty or too long", body = ErrorBody)))]
pub(crate) async fn complain(
    State(st): State<AppState>,
    Json(body): Json<ComplaintRequest>,
) -> Result<(StatusCode, axum::Json<Complaint>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(st.service.file_complaint(body).await?)))
}

/// A reply to a complaint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// The reply.
    pub text: String,
    /// Publish it (only if the complainant agreed).
    #[serde(default)]
    pub publish: bool,
}

#[utoipa::path(post, path = "/api/v1/complaints/{id}/reply", operation_id = "reply_complaint",
    params(("id" = String, Path, description = "complaint id")),
    request_body = ReplyRequest,
    responses((status = 200, description = "answered", body = Object),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not the supervising unit", body = ErrorBody),
        (status = 404, description = "no such complaint", body = ErrorBody),
        (status = 409, description = "answered already", body = ErrorBody)))]
pub(crate) async fn reply(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ComplaintId>,
    Json(body): Json<ReplyRequest>,
) -> Result<axum::Json<Complaint>, ApiError> {
    Ok(axum::Json(st.service.reply_complaint(&user, id, &body.text, body.publish).await?))
}

/// Whose supervision items.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitQuery {
    /// The unit (default: all, for supervisors).
    #[param(value_type = Option<String>, format = Uuid)]
    unit: Option<UnitId>,
}

#[utoipa::path(get, path = "/api/v1/supervisions", operation_id = "supervisions", params(UnitQuery),
    responses((status = 200, description = "open supervision items (督办)", body = [Object]),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "neither staff of the unit nor a supervisor", body = ErrorBody)))]
pub(crate) async fn supervisions(
    State(st): State<AppState>,
    Auth(user): Auth,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<Vec<Supervision>>, ApiError> {
    Ok(axum::Json(st.service.supervisions(&user, q.unit).await?))
}

#[utoipa::path(post, path = "/api/v1/ratings/{id}/follow-up", operation_id = "follow_up_rating",
    params(("id" = String, Path, description = "rating id")),
    request_body = quanze_service::cases::RatingFollowUp,
    responses((status = 200, description = "recorded: the rating with its follow-up", body = Object),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not the rated unit's staff (回访, 整改) or leader (申诉), or not a supervisor (申诉审核)", body = ErrorBody),
        (status = 404, description = "no such rating", body = ErrorBody),
        (status = 409, description = "appealed already, or no appeal to decide", body = ErrorBody),
        (status = 422, description = "not a 差评, or an empty text", body = ErrorBody)))]
pub(crate) async fn follow_up(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<quanze_core::RatingId>,
    Json(body): Json<quanze_service::cases::RatingFollowUp>,
) -> Result<axum::Json<Rating>, ApiError> {
    Ok(axum::Json(st.service.follow_up_rating(&user, id, body).await?))
}

/// A unit's published rating results.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingResults {
    /// The unit.
    #[schema(value_type = String, format = Uuid)]
    pub unit: UnitId,
    /// Counts from 非常不满意 (1) to 非常满意 (5), without ratings whose appeal was upheld.
    pub counts: [u32; 5],
    /// 好评率: the share of 满意 and 非常满意, when there are ratings.
    pub good_share: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/units/{id}/ratings", operation_id = "unit_ratings",
    params(("id" = String, Path, description = "unit id")),
    responses((status = 200, description = "the unit's published rating results", body = RatingResults),
        (status = 404, description = "no such unit", body = ErrorBody)))]
pub(crate) async fn unit_ratings(
    State(st): State<AppState>,
    Path(unit): Path<UnitId>,
) -> Result<axum::Json<RatingResults>, ApiError> {
    if st.service.catalog().unit(unit).is_none() {
        return Err(quanze_service::ServiceError::NotFound(format!("单位 {unit}")).into());
    }
    let counts = st.service.unit_ratings(unit).await?;
    let total: u32 = counts.iter().sum();
    let good_share = (total > 0).then(|| f64::from(counts[3] + counts[4]) / f64::from(total));
    Ok(axum::Json(RatingResults { unit, counts, good_share }))
}

/// Which day a tick is for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickRequest {
    /// The day (default today in China); never a day after today.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<chrono::NaiveDate>,
}

#[utoipa::path(post, path = "/api/v1/cases/tick", operation_id = "tick_deadlines", request_body = TickRequest,
    responses((status = 200, description = "one tick of the deadline scheduler (the server also runs it every minute)", body = TickReport),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a supervisor", body = ErrorBody),
        (status = 422, description = "a day after today", body = ErrorBody)))]
pub(crate) async fn tick(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<TickRequest>,
) -> Result<axum::Json<TickReport>, ApiError> {
    Ok(axum::Json(st.service.tick_for(&user, body.date).await?))
}
