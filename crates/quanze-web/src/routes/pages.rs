//! HTML pages (zh-CN). The full portal comes later; the home page lists the units with the
//! number of items each holds today.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

struct UnitRow {
    name: String,
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
        let mut row = UnitRow {
            name: u.name.clone(),
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
    let page = HomePage { today: today.to_string(), county, departments, towns, total_items };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering the home page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}
