//! 门户 — the public pages, no sign-in: search of the published items in Chinese, browsing
//! the items in force by unit, category and duty kind, and an item's service guide
//! (办事指南) with who may exercise it where and how. Every page is a plain GET that works
//! without JavaScript; htmx only swaps the results in place. Bad input gets the page again
//! with a Chinese message beside the field, never a bare error.

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use quanze_core::{ChangeSetId, ItemId, ListId, UnitId};
use quanze_service::search::{SearchHit, SearchPage, SearchRequest};
use quanze_service::views::{
    Announcements, AuthorityLookup, BrowseRequest, BrowseRow, FilterChoice, GuideView, ListHistory,
    PublicList, ReadableDiff,
};
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::filters;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search", get(search))
        .route("/items", get(browse))
        .route("/items/{id}", get(item))
        .route("/lists", get(lists))
        .route("/lists/{id}", get(history))
        .route("/lists/{id}/diff", get(compare))
        .route("/ledger", get(ledger))
        .route("/items/{id}/authority", get(authority))
        .route("/dashboard", get(dashboard))
        .route("/dashboard.xlsx", get(dashboard_xlsx))
        .route("/announcements", get(announcements))
        .route("/announcements/{id}/comments", axum::routing::post(comment))
}

/// Hits per search page.
const SEARCH_PAGE: u32 = 20;
/// Items per browsing page.
const BROWSE_PAGE: usize = 50;
/// Words a villager would type, offered on the empty search page.
const EXAMPLES: [&str; 5] = ["营业执照", "临时占用绿地", "农村建房", "低保", "生育登记"];

pub(crate) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering a page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(ERROR_FALLBACK)).into_response()
        }
    }
}

const ERROR_FALLBACK: &str = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">\
    <title>出错了</title><p>页面生成失败，请稍后再试。</p></html>";

/// 出错页 — what went wrong, in Chinese, with the way back.
#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    render(status, &ErrorPage { title, message })
}

pub(crate) fn api_error_page(err: &ApiError) -> Response {
    let title = if err.status() == StatusCode::NOT_FOUND { "没有找到" } else { "无法显示" };
    error_page(err.status(), title, err.page_message())
}

/// A page's query string; a malformed one (a date that is no date, a negative offset) is
/// answered by an error page in Chinese, not by a library's message.
pub(crate) struct PageQuery<T>(pub(crate) T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(q)) => Ok(PageQuery(q)),
            Err(rejection) => {
                tracing::debug!(error = %rejection, "a page's query string was refused");
                Err(error_page(
                    StatusCode::BAD_REQUEST,
                    "无法显示",
                    "地址中的查询条件格式不正确（日期应为 2026-01-31 这样的格式，编号应为系统给出的编号，页码应为正数）。",
                ))
            }
        }
    }
}

/// A page's path parameter (an item's or a list's id); a malformed one names nothing, so it
/// is answered as a page not found, in Chinese.
pub(crate) struct PagePath<T>(pub(crate) T);

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PagePath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(p)) => Ok(PagePath(p)),
            Err(_) => Err(error_page(
                StatusCode::NOT_FOUND,
                "没有找到",
                "没有这个页面：地址中的编号不正确，请从首页或检索进入。",
            )),
        }
    }
}

/// A choice in a filter, marked when it is the current one.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices(all: &[FilterChoice], current: Option<&str>) -> Vec<Choice> {
    all.iter()
        .map(|c| Choice {
            selected: current == Some(c.value.as_str()),
            value: c.value.clone(),
            label: c.label.clone(),
        })
        .collect()
}

/// Every unit, departments first, as a filter's choices.
fn unit_choices(
    filters: &quanze_service::views::PortalFilters,
    current: Option<&str>,
) -> Vec<Choice> {
    let mut all = choices(&filters.departments, current);
    all.extend(choices(&filters.towns, current));
    all
}

/// Percent-encodes a query value (a few lines: the form values are ours or the reader's).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| format!("{k}={}", encode(v))))
        .collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

// ---------------------------------------------------------------------------------------
// 事项检索

#[derive(Debug, Default, Deserialize)]
struct SearchForm {
    q: Option<String>,
    unit: Option<String>,
    category: Option<String>,
    town: Option<String>,
    offset: Option<u32>,
}

#[derive(Template)]
#[template(path = "portal/search.html")]
struct SearchView {
    /// Asked by htmx, which swaps in the results alone: a refusal's message goes there too.
    htmx: bool,
    q: String,
    error: Option<String>,
    units: Vec<Choice>,
    categories: Vec<Choice>,
    towns: Vec<Choice>,
    examples: Vec<(String, String)>,
    results: Option<SearchPage>,
    hits: Vec<SearchHit>,
    first: usize,
    last: usize,
    prev: Option<String>,
    next: Option<String>,
}

async fn search(
    State(st): State<AppState>,
    headers: axum::http::HeaderMap,
    PageQuery(form): PageQuery<SearchForm>,
) -> Response {
    let filters = st.service.portal_filters();
    let non_empty = |s: &Option<String>| s.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
    let (unit, category, town) =
        (non_empty(&form.unit), non_empty(&form.category), non_empty(&form.town));
    let units = choices(&filters.departments, unit.as_deref());
    let towns = choices(&filters.town_regions, town.as_deref());
    let examples =
        EXAMPLES.iter().map(|e| ((*e).to_owned(), format!("/search?q={}", encode(e)))).collect();
    let q = form.q.clone().unwrap_or_default();
    let mut view = SearchView {
        htmx: headers.contains_key("hx-request"),
        q: q.clone(),
        error: None,
        units,
        categories: choices(&filters.categories, category.as_deref()),
        towns,
        examples,
        results: None,
        hits: Vec::new(),
        first: 0,
        last: 0,
        prev: None,
        next: None,
    };
    if q.trim().is_empty() && form.q.is_none() {
        return render(StatusCode::OK, &view);
    }
    let offset = form.offset.unwrap_or(0);
    let request = SearchRequest {
        q: q.clone(),
        unit: unit.clone(),
        category: category.clone(),
        town: town.clone(),
        offset: Some(offset),
        limit: Some(SEARCH_PAGE),
    };
    let service = st.service.clone();
    let answer = tokio::task::spawn_blocking(move || service.search_items(&request)).await;
    match answer {
        Ok(Ok(page)) => {
            let link = |offset: u32| {
                let offset = offset.to_string();
                format!(
                    "/search{}",
                    query_string(&[
                        ("q", Some(&q)),
                        ("unit", unit.as_deref()),
                        ("category", category.as_deref()),
                        ("town", town.as_deref()),
                        ("offset", Some(&offset)),
                    ])
                )
            };
            let shown = u32::try_from(page.hits.len()).unwrap_or(u32::MAX);
            view.first = offset as usize + 1;
            view.last = offset as usize + page.hits.len();
            view.prev = (offset > 0).then(|| link(offset.saturating_sub(SEARCH_PAGE)));
            view.next = ((offset + shown) < u32::try_from(page.total).unwrap_or(u32::MAX)
                && offset + shown < 1_000)
                .then(|| link(offset + shown));
            view.hits = page.hits.clone();
            view.results = Some(page);
            render(StatusCode::OK, &view)
        }
        Ok(Err(err)) => {
            let err = ApiError::from(err);
            if err.status().is_server_error() {
                return api_error_page(&err);
            }
            view.error = Some(err.page_message().to_owned());
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(join) => {
            tracing::error!(error = %join, "a search task failed");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "无法检索",
                "检索暂时无法完成，请稍后再试。",
            )
        }
    }
}

// ---------------------------------------------------------------------------------------
// 事项浏览

#[derive(Debug, Default, Deserialize)]
struct BrowseForm {
    unit: Option<String>,
    category: Option<String>,
    duty: Option<String>,
    date: Option<NaiveDate>,
    offset: Option<usize>,
}

#[derive(Template)]
#[template(path = "portal/items.html")]
struct BrowseView {
    heading: String,
    on: String,
    units: Vec<Choice>,
    categories: Vec<Choice>,
    duties: Vec<Choice>,
    error: Option<String>,
    rows: Vec<BrowseRow>,
    /// `?town=<id>` on each item link when a town is browsed.
    town_query: String,
    total: usize,
    first: usize,
    last: usize,
    prev: Option<String>,
    next: Option<String>,
    township: bool,
}

async fn browse(State(st): State<AppState>, PageQuery(form): PageQuery<BrowseForm>) -> Response {
    let filters = st.service.portal_filters();
    let offset = form.offset.unwrap_or(0);
    let request = BrowseRequest {
        unit: form.unit.clone(),
        category: form.category.clone(),
        duty: form.duty.clone(),
        date: form.date,
        offset,
        limit: BROWSE_PAGE,
    };
    let mut view = BrowseView {
        heading: "全县事项".to_owned(),
        on: String::new(),
        units: unit_choices(&filters, form.unit.as_deref()),
        categories: choices(&filters.categories, form.category.as_deref()),
        duties: choices(&filters.duties, form.duty.as_deref()),
        error: None,
        rows: Vec::new(),
        town_query: String::new(),
        total: 0,
        first: offset.saturating_add(1),
        last: offset,
        prev: None,
        next: None,
        township: false,
    };
    let page = match st.service.browse_items(&request) {
        Ok(page) => page,
        Err(err) => {
            let err = ApiError::from(err);
            if err.status().is_server_error() {
                return api_error_page(&err);
            }
            view.error = Some(err.page_message().to_owned());
            return render(err.status(), &view);
        }
    };
    let link = |offset: usize| {
        let offset = offset.to_string();
        let date = form.date.map(|d| d.to_string());
        format!(
            "/items{}",
            query_string(&[
                ("unit", form.unit.as_deref()),
                ("category", form.category.as_deref()),
                ("duty", form.duty.as_deref()),
                ("date", date.as_deref()),
                ("offset", Some(&offset)),
            ])
        )
    };
    if let Some((id, name)) = &page.unit {
        view.heading = format!("{name}的事项");
        if page.township {
            view.town_query = format!("?town={id}");
        }
    }
    view.on = page.on.to_string();
    view.township = page.township;
    view.total = page.total;
    view.last = offset.saturating_add(page.rows.len());
    view.prev = (offset > 0).then(|| link(offset.saturating_sub(BROWSE_PAGE)));
    view.next = (view.last < page.total).then(|| link(view.last));
    view.rows = page.rows;
    render(StatusCode::OK, &view)
}

// ---------------------------------------------------------------------------------------
// 办事指南

#[derive(Debug, Default, Deserialize)]
struct ItemForm {
    town: Option<UnitId>,
    date: Option<NaiveDate>,
}

#[derive(Template)]
#[template(path = "portal/item.html")]
struct ItemView {
    g: GuideView,
}

async fn item(
    State(st): State<AppState>,
    PagePath(id): PagePath<ItemId>,
    PageQuery(form): PageQuery<ItemForm>,
) -> Response {
    match st.service.item_guide(id, form.town, form.date) {
        Ok(g) => render(StatusCode::OK, &ItemView { g }),
        Err(err) => api_error_page(&ApiError::from(err)),
    }
}

// ---------------------------------------------------------------------------------------
// 清单公布: the published lists, each list's versions, and what changed between two.

#[derive(Template)]
#[template(path = "portal/lists.html")]
struct ListsView {
    lists: Vec<PublicList>,
}

async fn lists(State(st): State<AppState>) -> Response {
    render(StatusCode::OK, &ListsView { lists: st.service.public_lists() })
}

#[derive(Template)]
#[template(path = "portal/history.html")]
struct HistoryView {
    h: ListHistory,
}

async fn history(State(st): State<AppState>, PagePath(id): PagePath<ListId>) -> Response {
    match st.service.list_history(id) {
        Ok(h) => render(StatusCode::OK, &HistoryView { h }),
        Err(err) => api_error_page(&ApiError::from(err)),
    }
}

#[derive(Debug, Deserialize)]
struct CompareForm {
    from: u32,
    to: u32,
}

#[derive(Template)]
#[template(path = "portal/diff.html")]
struct DiffView {
    d: ReadableDiff,
}

async fn compare(
    State(st): State<AppState>,
    PagePath(id): PagePath<ListId>,
    PageQuery(form): PageQuery<CompareForm>,
) -> Response {
    match st.service.readable_diff(id, form.from, form.to) {
        Ok(d) => render(StatusCode::OK, &DiffView { d }),
        Err(err) => api_error_page(&ApiError::from(err)),
    }
}

// ---------------------------------------------------------------------------------------
// 公告: open comment periods (公示) with their comment form, and the latest publications.

#[derive(Debug, Default, Deserialize)]
struct AnnouncementsForm {
    /// The ledger leaf of a comment just received (after the redirect).
    received: Option<u64>,
}

#[derive(Template)]
#[template(path = "portal/announcements.html")]
struct AnnouncementsView {
    a: Announcements,
    received: Option<u64>,
    /// The change set whose form was refused, the message and what was typed.
    refused: Option<(ChangeSetId, String, String)>,
}

impl AnnouncementsView {
    fn refused_for(&self, id: &ChangeSetId) -> Option<(&str, &str)> {
        self.refused.as_ref().filter(|(c, _, _)| c == id).map(|(_, m, t)| (m.as_str(), t.as_str()))
    }
}

async fn announcements(
    State(st): State<AppState>,
    PageQuery(form): PageQuery<AnnouncementsForm>,
) -> Response {
    match st.service.announcements().await {
        Ok(a) => {
            render(StatusCode::OK, &AnnouncementsView { a, received: form.received, refused: None })
        }
        Err(err) => api_error_page(&ApiError::from(err)),
    }
}

#[derive(Debug, Deserialize)]
struct CommentForm {
    #[serde(default)]
    item: String,
    #[serde(default)]
    text: String,
}

/// A comment from the form (POST, then a redirect to the page that says it was received);
/// refused, the page again with the message beside the field and the text as typed.
async fn comment(
    State(st): State<AppState>,
    crate::extract::Source(source): crate::extract::Source,
    PagePath(id): PagePath<ChangeSetId>,
    form: Result<axum::Form<CommentForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(axum::Form(form)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "无法提交", "表单内容不完整，请返回重新填写。");
    };
    let item = match form.item.trim() {
        "" => None,
        raw => match raw.parse::<ItemId>() {
            Ok(item) => Some(item),
            Err(_) => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "无法提交",
                    "所选事项不正确，请返回重新选择。",
                );
            }
        },
    };
    let request = quanze_service::views::CommentRequest { item, text: form.text.clone() };
    let refusal = match st.service.receive_comment(id, request, source).await {
        Ok(receipt) => {
            let to = format!("/announcements?received={}#cs-{id}", receipt.leaf_index);
            return (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, to)]).into_response();
        }
        Err(err) => ApiError::from(err),
    };
    if refusal.status().is_server_error() {
        return api_error_page(&refusal);
    }
    match st.service.announcements().await {
        // The period closed (or the change set is gone) while the page was open: the message
        // and the text typed, on a page of their own, so that neither is lost.
        Ok(a) if !a.open.iter().any(|c| c.id == id) => error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "意见未能提交",
            &format!("{}。您填写的意见：{}", refusal.page_message(), form.text),
        ),
        Ok(a) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AnnouncementsView {
                a,
                received: None,
                refused: Some((id, refusal.page_message().to_owned(), form.text)),
            },
        ),
        Err(err) => api_error_page(&ApiError::from(err)),
    }
}

// ---------------------------------------------------------------------------------------
// 公开台账: the ledger's head and latest signed checkpoint, and a receipt checked in the
// reader's browser (assets/verify.js), not by this server.

#[derive(Template)]
#[template(path = "portal/ledger.html")]
struct LedgerView {
    head: quanze_service::views::LedgerHeadView,
    checkpoint: Option<String>,
    /// The checkpoint's signature lines (the log's, then witnesses' cosignatures).
    signers: Vec<String>,
}

async fn ledger(State(st): State<AppState>) -> Response {
    let head = match st.service.ledger_head_view().await {
        Ok(head) => head,
        Err(err) => return api_error_page(&ApiError::from(err)),
    };
    let checkpoint = match st.service.latest_checkpoint().await {
        Ok(c) => c,
        Err(err) => return api_error_page(&ApiError::from(err)),
    };
    let signers = checkpoint
        .as_deref()
        .and_then(|c| c.split_once("\n\n"))
        .map(|(_, sigs)| {
            sigs.lines()
                .filter_map(|l| l.strip_prefix("— "))
                .filter_map(|l| l.split(' ').next())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    render(StatusCode::OK, &LedgerView { head, checkpoint, signers })
}

// ---------------------------------------------------------------------------------------
// 数据看板: charts drawn on the server as SVG, each with its table and an xlsx of the same.

/// A chart ready for the page: the chart and its drawing.
struct DrawnChart {
    chart: quanze_service::views::Chart,
    svg: String,
    totals: Vec<u64>,
    /// The chart's note in the page's language.
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/dashboard.html")]
struct DashboardView {
    on: String,
    charts: Vec<DrawnChart>,
}

async fn dashboard(State(st): State<AppState>) -> Response {
    match st.service.dashboard().await {
        Ok(d) => render(
            StatusCode::OK,
            &DashboardView {
                on: d.on.to_string(),
                charts: d
                    .charts
                    .into_iter()
                    .map(|chart| DrawnChart {
                        svg: crate::charts::svg(&chart),
                        totals: chart.totals(),
                        note: chart.note.as_ref().map(|n| n.fill(crate::i18n::tr(n.text))),
                        chart,
                    })
                    .collect(),
            },
        ),
        Err(err) => api_error_page(&ApiError::from(err)),
    }
}

async fn dashboard_xlsx(State(st): State<AppState>) -> Response {
    let book = match st.service.dashboard().await {
        Ok(d) => quanze_service::reports::xlsx(&d.sheets()).map(|bytes| (d.on, bytes)),
        Err(e) => Err(e),
    };
    match book {
        Ok((on, bytes)) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"dashboard-{on}.xlsx\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => api_error_page(&ApiError::from(err)),
    }
}

// ---------------------------------------------------------------------------------------
// 职权查询: who may exercise an item in a unit on a day, and in whose name.

#[derive(Debug, Default, Deserialize)]
struct AuthorityForm {
    unit: Option<String>,
    date: Option<NaiveDate>,
}

#[derive(Template)]
#[template(path = "portal/authority.html")]
struct AuthorityView {
    a: AuthorityLookup,
    units: Vec<Choice>,
}

async fn authority(
    State(st): State<AppState>,
    PagePath(id): PagePath<ItemId>,
    PageQuery(form): PageQuery<AuthorityForm>,
) -> Response {
    let unit_raw = form.unit.as_deref().filter(|u| !u.is_empty());
    let unit = match unit_raw.map(str::parse::<UnitId>) {
        None => None,
        Some(Ok(u)) => Some(u),
        Some(Err(_)) => {
            return error_page(StatusCode::BAD_REQUEST, "无法查询", "所选单位不正确，请重新选择。");
        }
    };
    match st.service.authority_lookup(id, unit, form.date) {
        Ok(a) => {
            let filters = st.service.portal_filters();
            render(StatusCode::OK, &AuthorityView { units: unit_choices(&filters, unit_raw), a })
        }
        Err(err) => api_error_page(&ApiError::from(err)),
    }
}
