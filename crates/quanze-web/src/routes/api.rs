//! The JSON API under `/api/v1`.

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use quanze_core::{
    CreditCode, DocNo, ListId, ListScope, ListVersionId, PowerCategory, RegionCode, Role,
    RoleGrant, Tag, UnitId, UnitKind, Username,
};
use quanze_service::lists::{ExportFormat, ItemQuery, NewUnit, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Auth, Json, Path, Query};

/// The API's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Quanze 权责 API",
        version = "1",
        description = "权责清单登记、查询、导入导出。写操作需要 Bearer 令牌（POST /api/v1/auth/login 获取）。"
    ),
    paths(
        login,
        create_user,
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
        crate::routes::reports::report,
        crate::routes::reports::establishment,
        crate::routes::reports::change_establishment
    ),
    components(schemas(
        ErrorBody,
        LoginBody,
        RegionsBody,
        RegionBody,
        NewUnitBody,
        NewListBody,
        PublishBody,
        PageMeta
    ))
)]
pub struct ApiDoc;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/users", post(create_user))
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
    /// Stable code, e.g. `not_found`.
    code: String,
    /// Message in Chinese.
    message: String,
    /// Message in English.
    message_en: String,
}

/// Pagination fields every collection carries next to `items`.
#[derive(Serialize, ToSchema)]
pub struct PageMeta {
    /// How many match in all.
    total: usize,
    /// Offset of the first item.
    offset: usize,
    /// Page size.
    limit: usize,
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

/// Login body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    username: String,
    password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginBody,
    responses((status = 200, description = "token"), (status = 401, body = ErrorBody), (status = 403, description = "locked", body = ErrorBody)))]
async fn login(
    State(st): State<AppState>,
    Json(body): Json<LoginBody>,
) -> Result<Response, ApiError> {
    let login = st.service.login(&body.username, &body.password).await?;
    let roles: Vec<&str> = login.user.roles.iter().map(|g| g.role.code()).collect();
    Ok(axum::Json(serde_json::json!({
        "token": login.token,
        "user": { "id": login.user.id, "username": login.user.username.as_str(), "roles": roles },
    }))
    .into_response())
}

/// Regions to add or rename.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionsBody {
    regions: Vec<RegionBody>,
}

/// One region.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionBody {
    /// The 12-digit statistical code, e.g. 330603107000.
    code: String,
    /// The name, e.g. 王坛镇.
    name: String,
}

#[utoipa::path(post, path = "/api/v1/regions", request_body = RegionsBody,
    responses((status = 200, description = "stored; the ledger leaf of the write"), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_regions(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<RegionsBody>,
) -> Result<Response, ApiError> {
    let mut regions = Vec::with_capacity(body.regions.len());
    for (i, r) in body.regions.into_iter().enumerate() {
        let code = RegionCode::parse(&r.code).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_region",
                format!("第{}个行政区划：{}", i + 1, quanze_service::ServiceError::from(e).zh()),
                format!("region {}: invalid code {:?}", i + 1, r.code),
            )
        })?;
        let name = r.name.trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_region",
                format!("第{}个行政区划（{}）缺少名称", i + 1, code.as_str()),
                format!("region {} ({}) has no name", i + 1, code.as_str()),
            ));
        }
        regions.push(quanze_core::Region { code, name });
    }
    let leaf_index = st.service.put_regions(Some(&user), regions).await?;
    Ok(axum::Json(serde_json::json!({ "leaf_index": leaf_index })).into_response())
}

/// A new account (system administrators only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// Login name.
    username: String,
    /// The person's name (kept out of the ledger in clear).
    display_name: String,
    /// Initial password (at least 10 characters of three kinds).
    password: String,
    /// Roles, each for one unit or (without `unit`) the whole county.
    roles: Vec<RoleBody>,
}

/// One role grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    /// staffing_editor, clerk, reviewer, leader, justice_reviewer, supervisor, auditor, sys_admin.
    role: String,
    /// The unit it applies to; omitted for the whole county.
    #[schema(value_type = Option<String>)]
    unit: Option<UnitId>,
}

#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserBody,
    responses((status = 201, description = "created"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, description = "name taken", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewUserBody>,
) -> Result<Response, ApiError> {
    let username = Username::parse(&body.username).map_err(quanze_service::ServiceError::from)?;
    let mut roles = Vec::with_capacity(body.roles.len());
    for (i, r) in body.roles.iter().enumerate() {
        let Some(role) = Role::parse(&r.role) else {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_role",
                format!("第{}个角色“{}”不存在", i + 1, r.role),
                format!("role {}: unknown role {:?}", i + 1, r.role),
            ));
        };
        roles.push(RoleGrant { role, unit: r.unit });
    }
    let new = quanze_service::NewUser {
        username,
        display_name: body.display_name,
        password: body.password,
        roles,
    };
    let (id, leaf_index) = st.service.create_user(Some(&user), new).await?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id, "leaf_index": leaf_index })))
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/regions", params(Paging), responses((status = 200, description = "regions by code")))]
async fn regions(State(st): State<AppState>, Query(p): Query<Paging>) -> Response {
    let catalog = st.service.catalog();
    let regions: Vec<_> = catalog.regions.iter().collect();
    let page = Page::of_mapped(
        regions,
        p.offset,
        p.limit.clamp(1, 500),
        |r| serde_json::json!({ "code": r.code, "name": r.name, "level": r.level(), "parent": r.parent() }),
    );
    axum::Json(page).into_response()
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
    #[serde(default)]
    offset: usize,
    #[serde(default = "default_limit")]
    limit: usize,
}

#[utoipa::path(get, path = "/api/v1/units", params(UnitFilter), responses((status = 200, description = "units with the number of items each holds today")))]
async fn units(State(st): State<AppState>, Query(f): Query<UnitFilter>) -> Response {
    let catalog = st.service.catalog();
    let today = st.service.today();
    let rows: Vec<_> = catalog
        .units
        .iter()
        .filter(|u| f.kind.is_none_or(|k| u.kind == k))
        .filter(|u| f.tag.as_deref().is_none_or(|t| u.tags.iter().any(|x| x.as_str() == t)))
        .collect();
    let page = Page::of_mapped(rows, f.offset, f.limit.clamp(1, 500), |u| {
        let mut v = serde_json::to_value(u).unwrap_or_default();
        v["items_today"] = catalog.holdings.holdings(u.id, today).count().into();
        v
    });
    axum::Json(page).into_response()
}

/// A unit to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnitBody {
    name: String,
    /// department, township, subdistrict, office, seconded.
    #[schema(value_type = String)]
    kind: UnitKind,
    /// 12-digit statistical code (6 or 9 digits are padded).
    region: String,
    credit_code: Option<String>,
    #[schema(value_type = Option<String>)]
    parent: Option<UnitId>,
    #[serde(default)]
    tags: Vec<String>,
}

fn new_unit(body: NewUnitBody) -> Result<NewUnit, quanze_service::ServiceError> {
    let tags = body.tags.iter().map(|t| Tag::parse(t)).collect::<Result<BTreeSet<_>, _>>()?;
    Ok(NewUnit {
        name: body.name,
        kind: body.kind,
        region: RegionCode::parse(&body.region)?,
        credit_code: body.credit_code.as_deref().map(CreditCode::parse).transpose()?,
        parent: body.parent,
        tags,
    })
}

#[utoipa::path(put, path = "/api/v1/units/{id}", request_body = NewUnitBody, params(("id" = String, Path, description = "unit id")),
    responses((status = 200, description = "updated"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_unit(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<UnitId>,
    Json(body): Json<NewUnitBody>,
) -> Result<Response, ApiError> {
    let new = new_unit(body)?;
    let (warnings, leaf_index) = st.service.update_unit(Some(&user), id, new).await?;
    Ok(axum::Json(serde_json::json!({ "id": id, "warnings": warnings, "leaf_index": leaf_index }))
        .into_response())
}

#[utoipa::path(delete, path = "/api/v1/versions/{id}", params(("id" = String, Path, description = "draft version id")),
    responses((status = 200, description = "discarded"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, description = "not a draft", body = ErrorBody)))]
async fn discard_draft(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ListVersionId>,
) -> Result<Response, ApiError> {
    let leaf_index = st.service.discard_draft(&user, id).await?;
    Ok(axum::Json(serde_json::json!({ "id": id, "status": "discarded", "leaf_index": leaf_index }))
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/units", request_body = NewUnitBody,
    responses((status = 201, description = "created"), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_unit(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewUnitBody>,
) -> Result<Response, ApiError> {
    let new = new_unit(body)?;
    let (id, warnings, leaf_index) = st.service.create_unit(Some(&user), new).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "id": id, "warnings": warnings, "leaf_index": leaf_index })),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/units/{id}", params(("id" = String, Path, description = "unit id")),
    responses((status = 200, description = "the unit"), (status = 404, body = ErrorBody)))]
async fn unit(State(st): State<AppState>, Path(id): Path<UnitId>) -> Result<Response, ApiError> {
    let catalog = st.service.catalog();
    let unit = catalog
        .unit(id)
        .ok_or_else(|| quanze_service::ServiceError::NotFound(format!("单位 {id}")))?;
    let lists: Vec<_> = catalog.lists_for_unit(unit).into_iter().cloned().collect();
    Ok(axum::Json(serde_json::json!({ "unit": unit, "lists": lists })).into_response())
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

#[utoipa::path(get, path = "/api/v1/units/{id}/holdings", params(("id" = String, Path, description = "unit id"), HoldingsQuery),
    responses((status = 200, description = "what the unit holds on the date: total, counts by duty kind (of all), and one page"), (status = 404, body = ErrorBody)))]
async fn holdings(
    State(st): State<AppState>,
    Path(id): Path<UnitId>,
    Query(q): Query<HoldingsQuery>,
) -> Result<Response, ApiError> {
    let date = q.date.unwrap_or_else(|| st.service.today());
    let items = st.service.holdings(id, date)?;
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for v in &items {
        *counts.entry(v.duty.code()).or_default() += 1;
    }
    let total = items.len();
    let limit = q.limit.clamp(1, 500);
    let page: Vec<_> = items.into_iter().skip(q.offset).take(limit).collect();
    Ok(axum::Json(serde_json::json!({
        "unit": id, "date": date, "total": total, "offset": q.offset, "limit": limit,
        "by_duty": counts, "items": page,
    }))
    .into_response())
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
    #[serde(default)]
    offset: usize,
    #[serde(default = "default_limit")]
    limit: usize,
}

#[utoipa::path(get, path = "/api/v1/items", params(ItemFilter), responses((status = 200, description = "items, paginated"), (status = 400, body = ErrorBody)))]
async fn items(
    State(st): State<AppState>,
    Query(f): Query<ItemFilter>,
) -> Result<Response, ApiError> {
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
            StatusCode::BAD_REQUEST,
            "invalid_query",
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
    Ok(axum::Json(st.service.items(&query)?).into_response())
}

#[utoipa::path(get, path = "/api/v1/lists", params(Paging), responses((status = 200, description = "lists")))]
async fn lists(State(st): State<AppState>, Query(p): Query<Paging>) -> Response {
    let catalog = st.service.catalog();
    let rows: Vec<_> = catalog.lists.iter().collect();
    let page = Page::of_mapped(rows, p.offset, p.limit.clamp(1, 500), |l| {
        let latest = catalog.latest_version(l.id);
        serde_json::json!({
            "id": l.id, "name": l.name, "scope": l.scope,
            "versions": catalog.versions(l.id).len(),
            "latest": latest.map(|v| serde_json::json!({ "id": v.id, "number": v.number, "status": v.status, "entries": v.entries.len() })),
        })
    });
    axum::Json(page).into_response()
}

/// A list to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewListBody {
    name: String,
    /// `{"kind":"unit","unit":"<id>"}` or `{"kind":"township_template","county":"<code>"}`.
    #[schema(value_type = Object)]
    scope: ListScope,
}

#[utoipa::path(post, path = "/api/v1/lists", request_body = NewListBody,
    responses((status = 201, description = "created"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_list(
    State(st): State<AppState>,
    Auth(user): Auth,
    Json(body): Json<NewListBody>,
) -> Result<Response, ApiError> {
    let (id, leaf_index) = st.service.create_list(Some(&user), &body.name, body.scope).await?;
    Ok((StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id, "leaf_index": leaf_index })))
        .into_response())
}

fn version_summary(v: &quanze_core::ListVersion) -> serde_json::Value {
    serde_json::json!({
        "id": v.id, "list": v.list, "number": v.number, "status": v.status,
        "effective_from": v.effective_from, "effective_until": v.effective_until,
        "doc_no": v.doc_no, "entries": v.entries.len(), "overrides": v.overrides.len(),
    })
}

#[utoipa::path(get, path = "/api/v1/lists/{id}/versions", params(("id" = String, Path, description = "list id"), Paging),
    responses((status = 200, description = "versions, oldest first"), (status = 404, body = ErrorBody)))]
async fn versions(
    State(st): State<AppState>,
    Path(id): Path<ListId>,
    Query(p): Query<Paging>,
) -> Result<Response, ApiError> {
    let catalog = st.service.catalog();
    if catalog.list(id).is_none() {
        return Err(quanze_service::ServiceError::NotFound(format!("清单 {id}")).into());
    }
    let rows: Vec<_> = catalog.versions(id).iter().collect();
    let page = Page::of_mapped(rows, p.offset, p.limit.clamp(1, 500), version_summary);
    Ok(axum::Json(page).into_response())
}

#[utoipa::path(get, path = "/api/v1/versions/{id}", params(("id" = String, Path, description = "version id")),
    responses((status = 200, description = "the version with its entries and overrides"), (status = 404, body = ErrorBody)))]
async fn version(
    State(st): State<AppState>,
    Path(id): Path<ListVersionId>,
) -> Result<Response, ApiError> {
    let catalog = st.service.catalog();
    let v = catalog
        .version(id)
        .ok_or_else(|| quanze_service::ServiceError::NotFound(format!("清单版本 {id}")))?;
    let mut body = version_summary(v);
    body["entries"] = serde_json::to_value(&v.entries).unwrap_or_default();
    body["overrides"] = serde_json::to_value(&v.overrides).unwrap_or_default();
    body["issues"] = serde_json::to_value(st.service.publication_blockers(v)).unwrap_or_default();
    Ok(axum::Json(body).into_response())
}

/// Publication details.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// YYYY-MM-DD.
    #[schema(value_type = String)]
    effective: NaiveDate,
    /// e.g. x编〔2024〕34号.
    doc_no: String,
}

#[utoipa::path(post, path = "/api/v1/versions/{id}/publish", request_body = PublishBody, params(("id" = String, Path, description = "version id")),
    responses((status = 200, description = "published"), (status = 401, body = ErrorBody), (status = 422, description = "blocked, with issues", body = ErrorBody)))]
async fn publish(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ListVersionId>,
    Json(body): Json<PublishBody>,
) -> Result<Response, ApiError> {
    let doc_no = DocNo::parse(&body.doc_no).map_err(quanze_service::ServiceError::from)?;
    let leaf_index = st.service.publish(Some(&user), id, body.effective, doc_no).await?;
    Ok(axum::Json(serde_json::json!({ "id": id, "status": "published", "leaf_index": leaf_index }))
        .into_response())
}

/// A township template draft's declared differences, replacing the ones it has.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverridesBody {
    /// Each: `{"target": {"kind": "tag", "tag": "蓄滞洪区"} | {"kind": "town", "unit": id},
    /// "change": {"kind": "add", "entry": {...}} | {"kind": "remove", "item": id}, "reason": ""}`.
    #[schema(value_type = Vec<Object>)]
    overrides: Vec<quanze_core::Override>,
}

#[utoipa::path(put, path = "/api/v1/versions/{id}/overrides", request_body = OverridesBody, params(("id" = String, Path, description = "draft version id of a township template")),
    responses((status = 200, description = "stored; the ledger leaf of the write"), (status = 401, body = ErrorBody), (status = 409, description = "not a draft", body = ErrorBody), (status = 422, description = "an override names what does not exist", body = ErrorBody)))]
async fn set_overrides(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ListVersionId>,
    Json(body): Json<OverridesBody>,
) -> Result<Response, ApiError> {
    let n = body.overrides.len();
    let leaf_index = st.service.set_overrides(&user, id, body.overrides).await?;
    Ok(axum::Json(serde_json::json!({ "id": id, "overrides": n, "leaf_index": leaf_index }))
        .into_response())
}

/// What to compare: two versions (`a`, `b`), or two units on a date (`unit_a`, `unit_b`).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    #[param(value_type = Option<String>)]
    a: Option<ListVersionId>,
    #[param(value_type = Option<String>)]
    b: Option<ListVersionId>,
    #[param(value_type = Option<String>)]
    unit_a: Option<UnitId>,
    #[param(value_type = Option<String>)]
    unit_b: Option<UnitId>,
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/diff", params(DiffParams),
    responses((status = 200, description = "added, removed and changed items, field by field"), (status = 400, body = ErrorBody)))]
async fn diff(
    State(st): State<AppState>,
    Query(p): Query<DiffParams>,
) -> Result<Response, ApiError> {
    let d = match (p.a, p.b, p.unit_a, p.unit_b) {
        (Some(a), Some(b), None, None) => st.service.diff_versions(a, b)?,
        (None, None, Some(a), Some(b)) => {
            st.service.diff_units(a, b, p.date.unwrap_or_else(|| st.service.today()))?
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "请提供两个版本（a、b）或两个单位（unit_a、unit_b）",
                "give either a and b (versions) or unit_a and unit_b (units)",
            ));
        }
    };
    Ok(axum::Json(d).into_response())
}

/// Import options.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Only check the file; store nothing.
    #[serde(default)]
    dry_run: bool,
}

#[utoipa::path(post, path = "/api/v1/lists/{id}/import", params(("id" = String, Path, description = "list id"), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, description = "outcome with every problem"), (status = 413, body = ErrorBody), (status = 422, description = "problems; nothing stored", body = ErrorBody)))]
async fn import(
    State(st): State<AppState>,
    Auth(user): Auth,
    Path(id): Path<ListId>,
    Query(p): Query<ImportParams>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let bytes = body.map_err(|e| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
            "上传的文件过大（上限 50 MB）",
            e.body_text(),
        )
    })?;
    let outcome = st.service.import_list(&user, id, &bytes, p.dry_run, None).await?;
    Ok(axum::Json(outcome).into_response())
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

#[utoipa::path(get, path = "/api/v1/versions/{id}/export", params(("id" = String, Path, description = "version id"), ExportParams),
    responses((status = 200, description = "the file"), (status = 404, body = ErrorBody)))]
async fn export(
    State(st): State<AppState>,
    Path(id): Path<ListVersionId>,
    Query(p): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let format = match p.format.as_deref() {
        None => ExportFormat::Xlsx,
        Some(f) => ExportFormat::parse(f).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "格式应为 xlsx、csv 或 json",
                "format must be xlsx, csv or json",
            )
        })?,
    };
    let (name, bytes) = st.service.export_version(id, p.town, format, None)?;
    let content_type = match format {
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Json => "application/json",
    };
    let disposition = format!("attachment; filename*=UTF-8''{}", percent_encode(&name));
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
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
