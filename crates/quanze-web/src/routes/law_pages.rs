//! 法规库 — the staff's pages of the law registry: the laws by start of force, fifty a page,
//! and one law with every item in force that cites it (the impact report, 影响评估) and, for
//! those who keep the registry, the form recording its repeal or amendment — whose answer is
//! the same report, the start of the change set that revises those items.

use std::ops::ControlFlow;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use quanze_core::LawId;
use quanze_service::laws::Ending;
use quanze_service::views::laws::{LawImpactPage, LawPage};
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::filters;
use crate::routes::forms::{self, Fields};
use crate::routes::portal::{PagePath, PageQuery, api_error_page, render};
use crate::session::Staff;

/// Laws on a page.
const LAWS_PAGE: usize = 50;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/laws", get(index))
        .route("/staff/laws/{id}", get(page))
        .route("/staff/laws/{id}/end", post(end))
}

#[derive(Template)]
#[template(path = "staff/laws.html")]
struct IndexView {
    p: LawPage,
    next: Option<usize>,
    previous: Option<usize>,
    username: String,
}

#[derive(Debug, Default, Deserialize)]
struct IndexQuery {
    offset: Option<usize>,
}

async fn index(
    State(st): State<AppState>,
    Staff(user): Staff,
    PageQuery(q): PageQuery<IndexQuery>,
) -> Response {
    let offset = q.offset.unwrap_or(0);
    match st.service.law_page(offset, LAWS_PAGE).await {
        Ok(p) => {
            let next = (offset + LAWS_PAGE < p.total).then_some(offset + LAWS_PAGE);
            let previous = (offset > 0).then(|| offset.saturating_sub(LAWS_PAGE));
            render(
                StatusCode::OK,
                &IndexView { p, next, previous, username: user.username.to_string() },
            )
        }
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "staff/law.html")]
struct LawView {
    l: LawImpactPage,
    ended: bool,
    error: Option<String>,
    typed: Fields,
    username: String,
}

impl LawView {
    fn typed(&self, field: &str) -> &str {
        forms::field(&self.typed, field)
    }
}

#[derive(Debug, Default, Deserialize)]
struct LawQuery {
    date: Option<NaiveDate>,
    ended: Option<u8>,
}

async fn page(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(id): PagePath<LawId>,
    PageQuery(q): PageQuery<LawQuery>,
) -> Response {
    match st.service.law_impact_page(&user, id, q.date).await {
        Ok(l) => render(
            StatusCode::OK,
            &LawView {
                l,
                ended: q.ended.is_some(),
                error: None,
                typed: Fields::new(),
                username: user.username.to_string(),
            },
        ),
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}

async fn end(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(id): PagePath<LawId>,
    form: Result<axum::Form<Fields>, FormRejection>,
) -> Response {
    let fields = match forms::fields(form) {
        ControlFlow::Continue(fields) => fields,
        ControlFlow::Break(page) => return page,
    };
    let ending = match forms::field(&fields, "ending") {
        "repealed" => Ok(Ending::Repealed),
        "amended" => Ok(Ending::Amended),
        _ => Err(forms::malformed("请选择废止或修订。")),
    };
    let by = match forms::field(&fields, "by") {
        "" => Ok(None),
        raw => raw.parse::<LawId>().map(Some).map_err(|_| forms::malformed("新法规的编号不正确。")),
    };
    let on = forms::date(&fields, "on")
        .map_err(forms::malformed)
        .and_then(|d| d.ok_or_else(|| forms::malformed("请填写失效日期。")));
    let outcome = match (ending, on, by) {
        (Ok(ending), Ok(on), Ok(by)) => st
            .service
            .end_law(Some(&user), id, ending, on, by)
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
    };
    let refusal = match forms::settle(outcome, |()| format!("/staff/laws/{id}?ended=1")) {
        ControlFlow::Continue(refusal) => refusal,
        ControlFlow::Break(done) => return done,
    };
    match st.service.law_impact_page(&user, id, None).await {
        Ok(l) => render(
            refusal.status(),
            &LawView {
                l,
                ended: false,
                error: Some(refusal.page_message().to_owned()),
                typed: fields,
                username: user.username.to_string(),
            },
        ),
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}
