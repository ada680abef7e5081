//! The JSON API under `/api/v1`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use quanze_core::{
    ListId, ListVersionId, PowerCategory, RegionCode, Role, RoleAssignment, UnitId, UnitKind,
    UserId, Username,
};
use quanze_service::ErrorCode;
use quanze_service::lists::{ExportFormat, ImportOutcome, ItemQuery, ItemView};
use quanze_service::views::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, AuthToken, Json, Path, Query, Source};

/// The API's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Quanze 权责 API",
        version = "1",
        description = "权责清单登记、查询、导入导出。写操作需要 Bearer 令牌（POST /api/v1/auth/login 获取）。"
    ),
    modifiers(&CommonAnswers),
    paths(
        login,
        logout,
        change_password,
        create_user,
        lock_user,
        end_sessions,
        regions,
        put_regions,
        units,
        create_unit,
        update_unit,
        discard_draft,
        unit,
        holdings,
        items,
        lists,
        create_list,
        versions,
        version,
        publish,
        set_overrides,
        diff,
        import,
        export,
        crate::routes::ledger::head,
        crate::routes::ledger::checkpoint,
        crate::routes::audit::trail,
        crate::routes::audit::export,
        crate::routes::factors::second_factor,
        crate::routes::factors::enrolment,
        crate::routes::factors::confirm_enrolment,
        crate::routes::factors::begin_totp,
        crate::routes::factors::confirm_totp,
        crate::routes::factors::summary,
        crate::routes::factors::reset,
        crate::routes::factors::sm2_key,
        crate::routes::ledger::entries,
        crate::routes::ledger::inclusion,
        crate::routes::ledger::consistency,
        crate::routes::ledger::receipt,
        crate::routes::ledger::cosign,
        crate::routes::laws::laws,
        crate::routes::laws::register,
        crate::routes::laws::end,
        crate::routes::laws::impact,
        crate::routes::laws::draft_change_set,
        crate::routes::changesets::change_sets,
        crate::routes::changesets::change_set,
        crate::routes::changesets::create,
        crate::routes::changesets::act,
        crate::routes::changesets::comment,
        crate::routes::devolution::grants,
        crate::routes::devolution::create,
        crate::routes::devolution::readiness,
        crate::routes::devolution::override_readiness,
        crate::routes::devolution::reclaim,
        crate::routes::devolution::authority,
        crate::routes::cases::apply,
        crate::routes::cases::file,
        crate::routes::cases::list,
        crate::routes::cases::show,
        crate::routes::cases::act,
        crate::routes::cases::applicant_view,
        crate::routes::cases::applicant_act,
        crate::routes::cases::step_receipt,
        crate::routes::cases::rate,
        crate::routes::cases::complain,
        crate::routes::cases::reply,
        crate::routes::cases::supervisions,
        crate::routes::cases::unit_ratings,
        crate::routes::cases::follow_up,
        crate::routes::cases::tick,
        crate::routes::materials::upload,
        crate::routes::materials::reuse,
        crate::routes::materials::list,
        crate::routes::materials::download,
        crate::routes::reports::report,
        crate::routes::reports::establishment,
        crate::routes::reports::change_establishment,
        crate::routes::calendar::year,
        crate::routes::calendar::load,
        crate::routes::search::search
    ),
    components(schemas(
        ErrorBody,
        PasswordChangeRequest,
        AccountLockRequest,
        quanze_service::search::SearchPage,
        quanze_service::search::SearchHit,
        Receipt,
        Created,
        LoginRequest,
        LoginView,
        SessionUser,
        NewUserRequest,
        RoleRequest,
        RegionsRequest,
        RegionRequest,
        RegionView,
        RegionPage,
        UnitRequest,
        UnitView,
        UnitSummary,
        UnitPage,
        UnitDetail,
        UnitReceipt,
        ListView,
        HoldingsView,
        ItemView,
        ItemPage,
        NewListRequest,
        ListSummary,
        LatestVersion,
        ListPage,
        VersionSummary,
        VersionPage,
        VersionDetail,
        VersionReceipt,
        PublishRequest,
        OverridesRequest,
        OverridesReceipt,
        DiffView,
        ImportOutcome,
        quanze_service::views::cases::ApplicantInput,
        quanze_service::views::cases::ChannelInput,
        quanze_service::views::cases::ApplyRequest,
        quanze_service::views::cases::FileCaseRequest,
        quanze_service::views::cases::CaseActionRequest,
        quanze_service::views::cases::ApplicantActionRequest,
        quanze_service::views::cases::RatingRequest,
        quanze_service::views::cases::ComplaintRequest,
        quanze_service::views::cases::DeadlineView,
        quanze_service::views::cases::StepView,
        quanze_service::views::cases::CaseView,
        quanze_service::views::cases::CaseReceipt,
        quanze_service::views::cases::CaseLine,
        quanze_service::views::cases::CasePage,
        quanze_service::views::cases::TickReport,
        crate::routes::cases::AccessRequest,
        crate::routes::cases::ReplyRequest,
        crate::routes::cases::RatingResults,
        crate::routes::cases::TickRequest,
        quanze_service::cases::RatingFollowUp,
        quanze_service::views::materials::MaterialView,
        quanze_service::views::materials::MaterialsView,
        quanze_service::views::materials::MaterialReceipt,
        quanze_service::views::materials::ReuseRequest
    ))
)]
pub struct ApiDoc;

/// The answers every operation of a kind may give, whatever its handler, added to each
/// operation of the document that does not state them itself: they come from the extractors
/// and middleware every request passes, each with the usual JSON error body.
struct CommonAnswers;

impl utoipa::Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        for (path, item) in openapi.paths.paths.iter_mut() {
            let sign_in = crate::routes::is_sign_in(path);
            let operations: [(&mut Option<Operation>, bool); 4] = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.delete, true),
            ];
            for (operation, write) in operations {
                let Some(op) = operation.as_mut() else { continue };
                let mut answers = vec![(
                    "400",
                    "a path id, query parameter or body that does not read (invalid_id, \
                     invalid_query, invalid_body)",
                )];
                let path_parameter = |name: &str| {
                    op.parameters.iter().flatten().any(|p| match p {
                        utoipa::openapi::RefOr::T(p) => {
                            p.parameter_in == ParameterIn::Path && p.name == name
                        }
                        utoipa::openapi::RefOr::Ref(_) => false,
                    })
                };
                if path_parameter("receipt") {
                    answers.push(("422", "not a receipt number (invalid_input)"));
                }
                if let Some(body) = &op.request_body {
                    answers.extend([
                        ("413", "a body over the size limit"),
                        ("422", "a body that reads but is refused"),
                    ]);
                    let json = match body {
                        utoipa::openapi::RefOr::T(body) => {
                            body.content.contains_key("application/json")
                        }
                        utoipa::openapi::RefOr::Ref(_) => false,
                    };
                    if json {
                        answers.push(("415", "a body that is not JSON (application/json)"));
                    }
                }
                // Sign-ins are left to their own throttle (429 `sign_in_throttled`).
                if write && !sign_in {
                    answers.push((
                        "429",
                        "too many writes from this address or caller (rate_limited), with Retry-After",
                    ));
                }
                for (status, description) in answers {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error_answer(description, status == "429").into());
                }
            }
        }
    }
}

/// An answer with the usual JSON error body (and `Retry-After` when `retry` is set).
fn error_answer(description: &str, retry: bool) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    let mut answer =
        ResponseBuilder::new().description(description).content("application/json", body);
    if retry {
        let seconds = utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .build();
        let header = utoipa::openapi::HeaderBuilder::new()
            .schema(Some(seconds))
            .description(Some("seconds to wait"))
            .build();
        answer = answer.header("Retry-After", header);
    }
    answer.build()
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/token", axum::routing::delete(logout))
        .route("/api/v1/auth/password", post(change_password))
        .route("/api/v1/users", post(create_user))
        .route("/api/v1/users/{id}/lock", axum::routing::put(lock_user))
        .route("/api/v1/users/{id}/sessions", axum::routing::delete(end_sessions))
        .route("/api/v1/regions", get(regions).post(put_regions))
        .route("/api/v1/units", get(units).post(create_unit))
        .route("/api/v1/units/{id}", get(unit).put(update_unit))
        .route("/api/v1/units/{id}/holdings", get(holdings))
        .route("/api/v1/items", get(items))
        .route("/api/v1/lists", get(lists).post(create_list))
        .route("/api/v1/lists/{id}/versions", get(versions))
        .route("/api/v1/lists/{id}/import", post(import))
        .route("/api/v1/versions/{id}", get(version).delete(discard_draft))
        .route("/api/v1/versions/{id}/publish", post(publish))
        .route("/api/v1/versions/{id}/overrides", axum::routing::put(set_overrides))
        .route("/api/v1/versions/{id}/export", get(export))
        .route("/api/v1/diff", get(diff))
}

/// The OpenAPI document and the browsable page (assets are vendored into the binary).
pub fn docs() -> Router<AppState> {
    Router::new()
        .merge(SwaggerUi::new("/api/v1/docs").url("/api/v1/openapi.json", ApiDoc::openapi()))
}

/// Error body.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable code, e.g. `not_found`: one of the table of error codes (docs/errors.md).
    #[schema(value_type = crate::error::ErrorCodeSchema)]
    code: String,
    /// Message in Chinese.
    message: String,
    /// Message in English.
    message_en: String,
}

/// Paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// Skip this many (default 0).
    #[serde(default)]
    pub(crate) offset: usize,
    /// Page size (default 50, at most 500).
    #[serde(default = "default_limit")]
    pub(crate) limit: usize,
}

fn default_limit() -> usize {
    50
}

#[utoipa::path(post, path = "/api/v1/auth/login", operation_id = "login", request_body = LoginRequest,
    responses((status = 200, description = "a new bearer token and the account", body = LoginView),
        (status = 401, description = "wrong name or password", body = ErrorBody),
        (status = 403, description = "locked by an administrator (told only with the right password)", body = ErrorBody),
        (status = 422, description = "the body does not parse", body = ErrorBody),
        (status = 429, description = "too many failed sign-ins from this address or for this account: wait (`Retry-After`)", body = ErrorBody)))]
async fn login(
    State(st): State<AppState>,
    Source(source): Source,
    Json(body): Json<LoginRequest>,
) -> Result<axum::Json<LoginView>, ApiError> {
    Ok(axum::Json(st.service.log_in(&body, source).await?))
}

#[utoipa::path(delete, path = "/api/v1/auth/token", operation_id = "logout",
    responses((status = 200, description = "the token presented is ended", body = Receipt),
        (status = 401, description = "no or bad token", body = ErrorBody)))]
async fn logout(
    State(st): State<AppState>,
    AuthToken(user, token): AuthToken,
) -> Result<axum::Json<Receipt>, ApiError> {
    let leaf_index = st.service.log_out(&user, &token).await?;
    Ok(axum::Json(Receipt { leaf_index }))
}

#[utoipa::path(post, path = "/api/v1/auth/password", operation_id = "change_password",
    request_body = PasswordChangeRequest,
    responses((status = 200, description = "changed; every other token and web session of the account is ended", body = Receipt),
        (status = 401, description = "no or bad token, or a wrong current password", body = ErrorBody),
        (status = 422, description = "the new password breaks the rule (`weak_password`)", body = ErrorBody)))]
async fn change_password(
    State(st): State<AppState>,
    AuthToken(user, token): AuthToken,
    Json(body): Json<PasswordChangeRequest>,
) -> Result<axum::Json<Receipt>, ApiError> {
    let leaf_index =
        st.service.change_password(&user, &body.current, &body.new, Some(&token)).await?;
    Ok(axum::Json(Receipt { leaf_index }))
}

#[utoipa::path(put, path = "/api/v1/users/{id}/lock", operation_id = "lock_user",
    params(("id" = String, Path, description = "account id")), request_body = AccountLockRequest,
    responses((status = 200, description = "locked until unlocked, its tokens and web sessions ended; or unlocked, any sign-in wait of its name ended", body = Receipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a system administrator", body = ErrorBody),
        (status = 404, description = "no such account", body = ErrorBody),
        (status = 422, description = "no reason given", body = ErrorBody)))]
async fn lock_user(
    State(st): State<AppState>,
    Auth(by): Auth,
    Path(id): Path<UserId>,
    Json(body): Json<AccountLockRequest>,
) -> Result<axum::Json<Receipt>, ApiError> {
    let leaf_index = st.service.set_account_lock(&by, id, body.locked, &body.reason).await?;
    Ok(axum::Json(Receipt { leaf_index }))
}

#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions", operation_id = "end_sessions",
    params(("id" = String, Path, description = "account id")),
    responses((status = 200, description = "every token and web session of the account ended (one's own: but the token presented)", body = Receipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "another's account, and not a system administrator", body = ErrorBody),
        (status = 404, description = "no such account", body = ErrorBody)))]
async fn end_sessions(
    State(st): State<AppState>,
    AuthToken(by, token): AuthToken,
    Path(id): Path<UserId>,
) -> Result<axum::Json<Receipt>, ApiError> {
    let leaf_index = st.service.end_sessions(&by, id, Some(&token)).await?;
    Ok(axum::Json(Receipt { leaf_index }))
}

#[utoipa::path(post, path = "/api/v1/regions", operation_id = "put_regions", request_body = RegionsRequest,
    responses((status = 200, description = "stored; the ledger leaf of the write", body = Receipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not an editor", body = ErrorBody),
        (status = 422, description = "a code or name that does not parse", body = ErrorBody)))]
async fn put_regions(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<RegionsRequest>,
) -> Result<axum::Json<Receipt>, ApiError> {
    let mut regions = Vec::with_capacity(body.regions.len());
    for (i, r) in body.regions.into_iter().enumerate() {
        let code = RegionCode::parse(&r.code).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidRegion,
                format!("第{}个行政区划：{}", i + 1, quanze_service::ServiceError::from(e).zh()),
                format!("region {}: invalid code {:?}", i + 1, r.code),
            )
        })?;
        let name = r.name.trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidRegion,
                format!("第{}个行政区划（{}）缺少名称", i + 1, code.as_str()),
                format!("region {} ({}) has no name", i + 1, code.as_str()),
            ));
        }
        regions.push(quanze_core::Region { code, name });
    }
    Ok(axum::Json(st.service.add_regions(&user, regions).await?))
}

#[utoipa::path(post, path = "/api/v1/users", operation_id = "create_user", request_body = NewUserRequest,
    responses((status = 201, description = "created: the account id and the ledger leaf", body = Created),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a system administrator", body = ErrorBody),
        (status = 409, description = "name taken", body = ErrorBody),
        (status = 422, description = "a bad name, weak password or unknown role", body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewUserRequest>,
) -> Result<(StatusCode, axum::Json<Created>), ApiError> {
    let username = Username::parse(&body.username).map_err(quanze_service::ServiceError::from)?;
    let mut roles = Vec::with_capacity(body.roles.len());
    for (i, r) in body.roles.iter().enumerate() {
        let Some(role) = Role::parse(&r.role) else {
            return Err(ApiError::new(
                ErrorCode::InvalidRole,
                format!("第{}个角色“{}”不存在", i + 1, r.role),
                format!("role {}: unknown role {:?}", i + 1, r.role),
            ));
        };
        roles.push(RoleAssignment { role, unit: r.unit });
    }
    let new = quanze_service::NewUser {
        username,
        display_name: body.display_name,
        password: body.password,
        roles,
    };
    Ok((StatusCode::CREATED, axum::Json(st.service.add_user(&user, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/regions", operation_id = "regions", params(Paging),
    responses((status = 200, description = "regions by code", body = RegionPage),
        (status = 400, description = "bad paging parameters", body = ErrorBody)))]
async fn regions(State(st): State<AppState>, Query(p): Query<Paging>) -> axum::Json<RegionPage> {
    axum::Json(st.service.region_page(p.offset, p.limit.clamp(1, 500)))
}

/// Unit filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitFilter {
    /// department, township, subdistrict, office, seconded.
    #[param(value_type = Option<String>)]
    kind: Option<UnitKind>,
    /// A tag such as 经济发达镇.
    tag: Option<String>,
    /// Skip this many (default 0).
    #[serde(default)]
    offset: usize,
    /// Page size (default 50, at most 500).
    #[serde(default = "default_limit")]
    limit: usize,
}

#[utoipa::path(get, path = "/api/v1/units", operation_id = "units", params(UnitFilter),
    responses((status = 200, description = "units with the number of items each holds today", body = UnitPage),
        (status = 400, description = "bad filter or paging parameters", body = ErrorBody)))]
async fn units(State(st): State<AppState>, Query(f): Query<UnitFilter>) -> axum::Json<UnitPage> {
    axum::Json(st.service.unit_page(f.kind, f.tag.as_deref(), f.offset, f.limit.clamp(1, 500)))
}

#[utoipa::path(put, path = "/api/v1/units/{id}", operation_id = "update_unit", request_body = UnitRequest, params(("id" = String, Path, description = "unit id")),
    responses((status = 200, description = "updated; warnings that did not stop it", body = UnitReceipt),
        (status = 400, description = "a malformed id", body = ErrorBody),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not an editor", body = ErrorBody),
        (status = 404, description = "no such unit, region or parent", body = ErrorBody),
        (status = 409, description = "another unit has the name", body = ErrorBody),
        (status = 422, description = "a field that does not parse", body = ErrorBody)))]
async fn update_unit(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<UnitId>,
    Json(body): Json<UnitRequest>,
) -> Result<axum::Json<UnitReceipt>, ApiError> {
    let new = body.parse()?;
    Ok(axum::Json(st.service.change_unit(&user, id, new).await?))
}

#[utoipa::path(delete, path = "/api/v1/versions/{id}", operation_id = "discard_draft", params(("id" = String, Path, description = "draft version id")),
    responses((status = 200, description = "discarded", body = VersionReceipt),
        (status = 400, description = "a malformed id", body = ErrorBody),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 404, description = "no such version", body = ErrorBody),
        (status = 422, description = "not a draft", body = ErrorBody)))]
async fn discard_draft(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ListVersionId>,
) -> Result<axum::Json<VersionReceipt>, ApiError> {
    Ok(axum::Json(st.service.discard_version(&user, id).await?))
}

#[utoipa::path(post, path = "/api/v1/units", operation_id = "create_unit", request_body = UnitRequest,
    responses((status = 201, description = "created; warnings that did not stop it", body = UnitReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not an editor", body = ErrorBody),
        (status = 404, description = "no such region or parent", body = ErrorBody),
        (status = 409, description = "a unit with the id or the name exists", body = ErrorBody),
        (status = 422, description = "a field that does not parse", body = ErrorBody)))]
async fn create_unit(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<UnitRequest>,
) -> Result<(StatusCode, axum::Json<UnitReceipt>), ApiError> {
    let new = body.parse()?;
    Ok((StatusCode::CREATED, axum::Json(st.service.add_unit(&user, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", operation_id = "unit", params(("id" = String, Path, description = "unit id")),
    responses((status = 200, description = "the unit and the lists that apply to it", body = UnitDetail),
        (status = 400, description = "a malformed id", body = ErrorBody),
        (status = 404, description = "no such unit", body = ErrorBody)))]
async fn unit(
    State(st): State<AppState>,
    Path(id): Path<UnitId>,
) -> Result<axum::Json<UnitDetail>, ApiError> {
    Ok(axum::Json(st.service.unit_detail(id)?))
}

/// The date to ask about, and a page of the answer.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HoldingsQuery {
    /// YYYY-MM-DD (default: today in China).
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
    /// Skip this many (default 0).
    #[serde(default)]
    offset: usize,
    /// Page size (default 500, at most 500: a town's whole list, 200–340 entries, fits one page).
    #[serde(default = "holdings_limit")]
    limit: usize,
}

fn holdings_limit() -> usize {
    500
}

#[utoipa::path(get, path = "/api/v1/units/{id}/holdings", operation_id = "holdings", params(("id" = String, Path, description = "unit id"), HoldingsQuery),
    responses((status = 200, description = "what the unit holds on the date: total, counts by duty kind (of all), and one page", body = HoldingsView),
        (status = 400, description = "a malformed id or query", body = ErrorBody),
        (status = 404, description = "no such unit", body = ErrorBody),
        (status = 422, description = "no list of the unit's is in force on the date (no_version_on_date)", body = ErrorBody)))]
async fn holdings(
    State(st): State<AppState>,
    Path(id): Path<UnitId>,
    Query(q): Query<HoldingsQuery>,
) -> Result<axum::Json<HoldingsView>, ApiError> {
    Ok(axum::Json(st.service.holdings_page(id, q.date, q.offset, q.limit.clamp(1, 500))?))
}

/// Item filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ItemFilter {
    /// Items this unit holds.
    #[param(value_type = Option<String>)]
    unit: Option<UnitId>,
    /// A category name or code (行政许可, 01).
    category: Option<String>,
    /// own, cooperate or reclaimed.
    duty: Option<String>,
    /// Text in the name or code.
    q: Option<String>,
    /// YYYY-MM-DD (default today).
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
    /// Skip this many (default 0).
    #[serde(default)]
    offset: usize,
    /// Page size (default 50, at most 500).
    #[serde(default = "default_limit")]
    limit: usize,
}

#[utoipa::path(get, path = "/api/v1/items", operation_id = "items", params(ItemFilter),
    responses((status = 200, description = "items, paginated", body = ItemPage),
        (status = 400, description = "a bad filter", body = ErrorBody),
        (status = 404, description = "no such unit", body = ErrorBody),
        (status = 422, description = "an unknown category", body = ErrorBody)))]
async fn items(
    State(st): State<AppState>,
    Query(f): Query<ItemFilter>,
) -> Result<axum::Json<ItemPage>, ApiError> {
    let category = f
        .category
        .as_deref()
        .map(PowerCategory::parse)
        .transpose()
        .map_err(quanze_service::ServiceError::from)?;
    if let Some(d) = f.duty.as_deref()
        && !["own", "cooperate", "reclaimed"].contains(&d)
    {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "履职类型应为 own、cooperate 或 reclaimed",
            "duty must be own, cooperate or reclaimed",
        ));
    }
    let query = ItemQuery {
        unit: f.unit,
        category,
        duty: f.duty,
        text: f.q,
        date: f.date,
        offset: f.offset,
        limit: f.limit,
    };
    Ok(axum::Json(st.service.item_page(&query)?))
}

#[utoipa::path(get, path = "/api/v1/lists", operation_id = "lists", params(Paging),
    responses((status = 200, description = "lists, each with its number of versions and its latest one; without a staff token, drafts are left out, and so are lists with nothing published", body = ListPage),
        (status = 400, description = "bad paging parameters", body = ErrorBody),
        (status = 401, description = "a token that is not valid (expired, ended)", body = ErrorBody)))]
async fn lists(
    State(st): State<AppState>,
    reader: Option<Auth>,
    Query(p): Query<Paging>,
) -> axum::Json<ListPage> {
    let reader = reader.map(|Auth(user)| user);
    axum::Json(st.service.list_page(reader.as_ref(), p.offset, p.limit.clamp(1, 500)))
}

#[utoipa::path(post, path = "/api/v1/lists", operation_id = "create_list", request_body = NewListRequest,
    responses((status = 201, description = "created: the list id and the ledger leaf", body = Created),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not an editor", body = ErrorBody),
        (status = 404, description = "no such unit or county", body = ErrorBody),
        (status = 422, description = "a field that does not parse", body = ErrorBody)))]
async fn create_list(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewListRequest>,
) -> Result<(StatusCode, axum::Json<Created>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(st.service.add_list(&user, body).await?)))
}

#[utoipa::path(get, path = "/api/v1/lists/{id}/versions", operation_id = "versions", params(("id" = String, Path, description = "list id"), Paging),
    responses((status = 200, description = "versions, oldest first; without a staff token, drafts are left out", body = VersionPage),
        (status = 401, description = "a token that is not valid (expired, ended)", body = ErrorBody),
        (status = 400, description = "a malformed id or paging parameters", body = ErrorBody),
        (status = 404, description = "no such list", body = ErrorBody)))]
async fn versions(
    State(st): State<AppState>,
    reader: Option<Auth>,
    Path(id): Path<ListId>,
    Query(p): Query<Paging>,
) -> Result<axum::Json<VersionPage>, ApiError> {
    let reader = reader.map(|Auth(user)| user);
    Ok(axum::Json(st.service.version_page(reader.as_ref(), id, p.offset, p.limit.clamp(1, 500))?))
}

#[utoipa::path(get, path = "/api/v1/versions/{id}", operation_id = "version", params(("id" = String, Path, description = "version id")),
    responses((status = 200, description = "the version with its entries, overrides and publication blockers", body = VersionDetail),
        (status = 401, description = "a token that is not valid (expired, ended)", body = ErrorBody),
        (status = 400, description = "a malformed id", body = ErrorBody),
        (status = 404, description = "no such version (or, without a staff token, a draft)", body = ErrorBody)))]
async fn version(
    State(st): State<AppState>,
    reader: Option<Auth>,
    Path(id): Path<ListVersionId>,
) -> Result<axum::Json<VersionDetail>, ApiError> {
    let reader = reader.map(|Auth(user)| user);
    Ok(axum::Json(st.service.version_detail(reader.as_ref(), id)?))
}

#[utoipa::path(post, path = "/api/v1/versions/{id}/publish", operation_id = "publish", request_body = PublishRequest, params(("id" = String, Path, description = "version id")),
    responses((status = 200, description = "published", body = VersionReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not a leader", body = ErrorBody),
        (status = 404, description = "no such version", body = ErrorBody),
        (status = 422, description = "blocked, with issues; no approval record; an effective date in the past without 追认", body = ErrorBody)))]
async fn publish(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ListVersionId>,
    Json(body): Json<PublishRequest>,
) -> Result<axum::Json<VersionReceipt>, ApiError> {
    Ok(axum::Json(st.service.publish_version(&user, id, body).await?))
}

#[utoipa::path(put, path = "/api/v1/versions/{id}/overrides", operation_id = "set_overrides", request_body = OverridesRequest, params(("id" = String, Path, description = "draft version id of a township template")),
    responses((status = 200, description = "stored: how many overrides and the ledger leaf of the write", body = OverridesReceipt),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 403, description = "not an editor", body = ErrorBody),
        (status = 404, description = "no such version", body = ErrorBody),
        (status = 409, description = "not a draft", body = ErrorBody),
        (status = 422, description = "an override names what does not exist", body = ErrorBody)))]
async fn set_overrides(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ListVersionId>,
    Json(body): Json<OverridesRequest>,
) -> Result<axum::Json<OverridesReceipt>, ApiError> {
    Ok(axum::Json(st.service.replace_overrides(&user, id, body).await?))
}

/// What to compare: two versions (`a`, `b`), or two units on a date (`unit_a`, `unit_b`).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    /// The left version.
    #[param(value_type = Option<String>)]
    a: Option<ListVersionId>,
    /// The right version.
    #[param(value_type = Option<String>)]
    b: Option<ListVersionId>,
    /// The left unit.
    #[param(value_type = Option<String>)]
    unit_a: Option<UnitId>,
    /// The right unit.
    #[param(value_type = Option<String>)]
    unit_b: Option<UnitId>,
    /// For units: YYYY-MM-DD (default today).
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/diff", operation_id = "diff", params(DiffParams),
    responses((status = 200, description = "added, removed and changed items, field by field", body = DiffView),
        (status = 401, description = "a token that is not valid (expired, ended)", body = ErrorBody),
        (status = 400, description = "neither two versions nor two units", body = ErrorBody),
        (status = 404, description = "no such version or unit (or, without a staff token, a draft)", body = ErrorBody)))]
async fn diff(
    State(st): State<AppState>,
    reader: Option<Auth>,
    Query(p): Query<DiffParams>,
) -> Result<axum::Json<DiffView>, ApiError> {
    let of = match (p.a, p.b, p.unit_a, p.unit_b) {
        (Some(a), Some(b), None, None) => DiffOf::Versions(a, b),
        (None, None, Some(a), Some(b)) => DiffOf::Units(a, b, p.date),
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidQuery,
                "请提供两个版本（a、b）或两个单位（unit_a、unit_b）",
                "give either a and b (versions) or unit_a and unit_b (units)",
            ));
        }
    };
    let reader = reader.map(|Auth(user)| user);
    Ok(axum::Json(st.service.diff_of(reader.as_ref(), of)?))
}

/// Import options.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Only check the file; store nothing.
    #[serde(default)]
    dry_run: bool,
}

#[utoipa::path(post, path = "/api/v1/lists/{id}/import", operation_id = "import_list", params(("id" = String, Path, description = "list id"), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the list as an xlsx workbook"),
    responses((status = 200, description = "outcome with every problem", body = ImportOutcome),
        (status = 401, description = "no or bad token", body = ErrorBody),
        (status = 404, description = "no such list", body = ErrorBody),
        (status = 413, description = "the file is too large", body = ErrorBody),
        (status = 422, description = "problems; nothing stored", body = ErrorBody)))]
async fn import(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ListId>,
    Query(p): Query<ImportParams>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::Json<ImportOutcome>, ApiError> {
    let bytes = body.map_err(|e| {
        ApiError::new(ErrorCode::FileTooLarge, "上传的文件过大（上限 50 MB）", e.body_text())
    })?;
    Ok(axum::Json(st.service.import_file(&user, id, &bytes, p.dry_run).await?))
}

/// Export options.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// xlsx (default), csv or json.
    format: Option<String>,
    /// For a township template: resolve it for this town.
    #[param(value_type = Option<String>)]
    town: Option<UnitId>,
}

#[utoipa::path(get, path = "/api/v1/versions/{id}/export", operation_id = "export_version", params(("id" = String, Path, description = "version id"), ExportParams),
    responses((status = 200, description = "the file",
            content(
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (String = "text/csv"),
                (Object = "application/json")
            )),
        (status = 400, description = "an unknown format", body = ErrorBody),
        (status = 401, description = "a token that is not valid (expired, ended)", body = ErrorBody),
        (status = 404, description = "no such version or town (or, without a staff token, a draft); a staff member's export is an audit record", body = ErrorBody),
        (status = 429, description = "a staff member's exports count as writes of their account: too many (rate_limited)", body = ErrorBody)))]
async fn export(
    State(st): State<AppState>,
    reader: Option<Auth>,
    Path(id): Path<ListVersionId>,
    Query(p): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let format = match p.format.as_deref() {
        None => ExportFormat::Xlsx,
        Some(f) => ExportFormat::parse(f).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidQuery,
                "格式应为 xlsx、csv 或 json",
                "format must be xlsx, csv or json",
            )
        })?,
    };
    let reader = reader.map(|Auth(user)| user);
    let file = st.service.export_file(reader.as_ref(), id, p.town, format).await?;
    let disposition = format!("attachment; filename*=UTF-8''{}", percent_encode(&file.name));
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.bytes,
    )
        .into_response())
}

/// RFC 5987 percent-encoding of a file name (by hand: a dozen lines, not worth a crate).
pub(crate) fn percent_encode(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
