//! HTML pages (zh-CN): the home page (units with the number of items each holds today), the
//! reports of list governance, the establishment, and the printable page of a published list.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use quanze_core::{ListId, ListScope, UnitId};
use quanze_service::establishment::EstablishmentView;
use quanze_service::reports::{ConsistencyReport, DevolutionReport};
use serde::Deserialize;

use crate::AppState;
use crate::extract::{Path, Query};

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

/// HTML-escapes text for the one page not rendered by askama (a few lines: no crate needed).
fn escape(text: &str) -> String {
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
    let catalog = st.service.catalog();
    let today = st.service.today();
    let county = catalog
        .regions
        .iter()
        .find(|r| r.level() == quanze_core::RegionLevel::County)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| "（尚未建立区划）".to_owned());
    let mut departments = Vec::new();
    let mut towns = Vec::new();
    let mut total_items = 0;
    for u in &catalog.units {
        let print = catalog.lists_for_unit(u).first().map(|l| match l.scope {
            ListScope::TownshipTemplate { .. } => format!("/lists/{}/print?town={}", l.id, u.id),
            ListScope::Unit { .. } => format!("/lists/{}/print", l.id),
        });
        let mut row = UnitRow {
            name: u.name.clone(),
            print,
            kind: u.kind.zh(),
            tags: u.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("、"),
            items: 0,
            own: 0,
            cooperate: 0,
            reclaimed: 0,
        };
        for e in catalog.holdings.holdings(u.id, today) {
            row.items += 1;
            match e.duty {
                quanze_core::DutyKind::Own => row.own += 1,
                quanze_core::DutyKind::Cooperate { .. } => row.cooperate += 1,
                quanze_core::DutyKind::Reclaimed { .. } => row.reclaimed += 1,
            }
        }
        total_items += row.items;
        if u.kind.is_township_level() { towns.push(row) } else { departments.push(row) }
    }
    render(&HomePage { today: today.to_string(), county, departments, towns, total_items })
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
    let date = q.date.unwrap_or_else(|| st.service.today());
    render(&ConsistencyPage { r: st.service.consistency_report(date) })
}

#[derive(Template)]
#[template(path = "reports/devolution.html")]
struct DevolutionPage {
    r: DevolutionReport,
}

async fn devolution(State(st): State<AppState>, Query(q): Query<DateQuery>) -> Response {
    let date = q.date.unwrap_or_else(|| st.service.today());
    render(&DevolutionPage { r: st.service.devolution_report(date) })
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

struct PrintRow {
    category: String,
    name: String,
    basis: String,
    holder: String,
    responsibilities: String,
    accountability: String,
    duty: &'static str,
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    title: String,
    subtitle: String,
    version_id: String,
    export_query: String,
    township: bool,
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
    let catalog = st.service.catalog();
    let date = q.date.unwrap_or_else(|| st.service.today());
    let Some(list) = catalog.list(id) else { return not_found("没有这个清单") };
    let Some(version) = catalog.version_on(id, date) else {
        return not_found(&format!("“{}”在{date}没有已公布的版本", list.name));
    };
    // A town only for a township template, and only one of the template's county.
    let town = match (q.town, &list.scope) {
        (None, _) => None,
        (Some(t), ListScope::TownshipTemplate { county }) => {
            match catalog
                .unit(t)
                .filter(|u| u.kind.is_township_level() && u.region.is_within(county))
            {
                Some(u) => Some(u),
                None => return not_found("该乡镇不在这份通用目录的适用范围内"),
            }
        }
        (Some(_), ListScope::Unit { .. }) => return not_found("部门清单不按乡镇查看"),
    };
    let township = matches!(list.scope, ListScope::TownshipTemplate { .. });
    let name = |u: UnitId| catalog.unit(u).map_or_else(|| u.to_string(), |u| u.name.clone());
    let rows = catalog
        .entries_for(version, town)
        .iter()
        .filter_map(|e| {
            let c = catalog.content(e)?;
            let join = |v: Vec<String>| v.join("\n");
            Some(PrintRow {
                category: c.category.to_string(),
                name: c.display_name(),
                basis: join(c.legal_basis.iter().map(ToString::to_string).collect()),
                holder: name(c.holder),
                responsibilities: join(
                    c.responsibilities
                        .iter()
                        .map(|r| format!("{}：{}", r.stage, r.content))
                        .collect(),
                ),
                accountability: join(
                    c.accountability.iter().map(|a| a.situation.clone()).collect(),
                ),
                duty: e.duty.zh(),
            })
        })
        .collect();
    let title = match town {
        Some(t) => format!("{}权责清单", t.name),
        None => list.name.clone(),
    };
    let subtitle = format!(
        "第{}版 · {} · 自{}起施行 · 共{}项",
        version.number,
        version.doc_no.as_ref().map_or_else(|| "（无文号）".to_owned(), ToString::to_string),
        version.effective_from.map_or_else(String::new, |d| d.to_string()),
        catalog.entries_for(version, town).len(),
    );
    let export_query = town.map_or_else(String::new, |t| format!("?town={}", t.id));
    render(&PrintPage {
        title,
        subtitle,
        version_id: version.id.to_string(),
        export_query,
        township,
        rows,
    })
}
