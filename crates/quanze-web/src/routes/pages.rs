//! HTML pages (zh-CN): the home page (units with the number of items each holds today), the
//! reports of list governance, the establishment, and the printable page of a published list.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use quanze_core::{ListId, UnitId};
use quanze_service::establishment::EstablishmentView;
use quanze_service::reports::{ConsistencyReport, DevolutionReport};
use quanze_service::views::{PageMissing, PrintRow, UnitTally};
use serde::Deserialize;

use crate::AppState;
use crate::extract::{Path, Query};
use crate::i18n::filters;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/reports/consistency", get(consistency))
        .route("/reports/devolution", get(devolution))
        .route("/establishment", get(establishment))
        .route("/lists/{id}/print", get(print))
}

fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering a page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

fn not_found(what: &str) -> Response {
    let page = format!("<!doctype html><meta charset=utf-8><p>{}</p>", escape(what));
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

/// HTML-escapes text for what askama does not render: the one page built by hand and the
/// SVG charts (a few lines: no crate needed).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

struct UnitRow {
    /// Its items in force, on the portal.
    browse: String,
    name: String,
    /// The printable page of the unit's list in force.
    print: Option<String>,
    kind: &'static str,
    tags: String,
    items: usize,
    own: usize,
    cooperate: usize,
    reclaimed: usize,
}

impl From<UnitTally> for UnitRow {
    fn from(u: UnitTally) -> UnitRow {
        UnitRow {
            browse: format!("/items?unit={}", u.id),
            name: u.name,
            print: u.print,
            kind: u.kind,
            tags: u.tags,
            items: u.tally.items,
            own: u.tally.own,
            cooperate: u.tally.cooperate,
            reclaimed: u.tally.reclaimed,
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    today: String,
    county: String,
    departments: Vec<UnitRow>,
    towns: Vec<UnitRow>,
    total_items: usize,
}

async fn home(State(st): State<AppState>) -> Response {
    let h = st.service.home_view();
    render(&HomePage {
        today: h.today.to_string(),
        county: h.county,
        departments: h.departments.into_iter().map(UnitRow::from).collect(),
        towns: h.towns.into_iter().map(UnitRow::from).collect(),
        total_items: h.total_items,
    })
}

/// The day a page is for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DateQuery {
    date: Option<NaiveDate>,
}

#[derive(Template)]
#[template(path = "reports/consistency.html")]
struct ConsistencyPage {
    r: ConsistencyReport,
}

async fn consistency(State(st): State<AppState>, Query(q): Query<DateQuery>) -> Response {
    render(&ConsistencyPage { r: st.service.consistency_page(q.date) })
}

#[derive(Template)]
#[template(path = "reports/devolution.html")]
struct DevolutionPage {
    r: DevolutionReport,
}

async fn devolution(State(st): State<AppState>, Query(q): Query<DateQuery>) -> Response {
    render(&DevolutionPage { r: st.service.devolution_page(q.date) })
}

#[derive(Template)]
#[template(path = "establishment.html")]
struct EstablishmentPage {
    e: EstablishmentView,
    max: usize,
    /// (unit, 行政编制, 事业编制, 领导职数).
    quotas: Vec<(String, u32, u32, u32)>,
}

async fn establishment(State(st): State<AppState>) -> Response {
    use quanze_core::QuotaKind;
    let e = st.service.establishment();
    let max = e.towns.first().map_or(10, |t| t.max);
    let quotas = e
        .quotas
        .iter()
        .map(|q| {
            let n = |k| q.quotas.get(&k).copied().unwrap_or(0);
            (
                q.name.clone(),
                n(QuotaKind::Administrative),
                n(QuotaKind::Institutional),
                n(QuotaKind::LeaderPosts),
            )
        })
        .collect();
    render(&EstablishmentPage { e, max, quotas })
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    title: String,
    subtitle: String,
    version_id: String,
    export_query: String,
    township: bool,
    for_town: bool,
    rows: Vec<PrintRow>,
}

/// Which published version and, for a template, which town.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrintQuery {
    date: Option<NaiveDate>,
    town: Option<UnitId>,
}

/// The printable page of the version of a list in force on a day (a township template resolved
/// for a town when one is named).
async fn print(
    State(st): State<AppState>,
    Path(id): Path<ListId>,
    Query(q): Query<PrintQuery>,
) -> Response {
    match st.service.print_view(id, q.date, q.town) {
        Ok(v) => render(&PrintPage {
            title: v.title,
            subtitle: v.subtitle,
            version_id: v.version_id,
            export_query: v.export_query,
            township: v.township,
            for_town: v.for_town,
            rows: v.rows,
        }),
        Err(PageMissing(what)) => not_found(&what),
    }
}
