//! 在线申请 — the public's online application (网上审批, no account): an item's form names the
//! units that may take it today (from the authority index), the applicant (a person by ID
//! number, an organisation by unified social credit code) and the unit chosen. A unit that does
//! not hold the item that day is refused with the one that does named (法无授权不可为, checked
//! by the service). The answer is the receipt number and the access code to track the case:
//! shown once, never put in an address, so this form's answer is a page marked not to be
//! stored rather than a redirect (a redirect would have to carry the code).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use quanze_core::{ItemId, UnitId};
use quanze_service::views::AuthorityLookup;
use quanze_service::views::cases::{ApplicantInput, ApplyRequest, ChannelInput};
use std::ops::ControlFlow;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::filters;
use crate::routes::forms::{self, Fields};
use crate::routes::portal::{PagePath, api_error_page, render};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/apply/{item}", get(form).post(apply))
}

#[derive(Template)]
#[template(path = "portal/apply.html")]
struct ApplyView {
    /// The item, with the units that take applications for it today (`holders`).
    a: AuthorityLookup,
    typed: Fields,
    error: Option<String>,
}

impl ApplyView {
    fn typed(&self, field: &str) -> &str {
        forms::field(&self.typed, field)
    }
}

fn view(
    st: &AppState,
    item: ItemId,
    typed: Fields,
    error: Option<String>,
) -> Result<ApplyView, ApiError> {
    let a = st.service.authority_lookup(item, None, None).map_err(ApiError::from)?;
    Ok(ApplyView { a, typed, error })
}

async fn form(State(st): State<AppState>, PagePath(item): PagePath<ItemId>) -> Response {
    match view(&st, item, Fields::new(), None) {
        Ok(v) => render(StatusCode::OK, &v),
        Err(e) => api_error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "portal/applied.html")]
struct AppliedView {
    item: String,
    unit: String,
    receipt: String,
    access_code: String,
    state: String,
}

async fn apply(
    State(st): State<AppState>,
    PagePath(item): PagePath<ItemId>,
    form: Result<axum::Form<Fields>, FormRejection>,
) -> Response {
    let fields = match forms::fields(form) {
        ControlFlow::Continue(fields) => fields,
        ControlFlow::Break(page) => return page,
    };
    let field = |k: &str| forms::field(&fields, k).to_owned();
    let request = match field("unit").parse::<UnitId>() {
        Ok(unit) => Ok(ApplyRequest {
            item,
            unit,
            applicant: ApplicantInput {
                kind: field("kind"),
                name: field("name"),
                number: field("number"),
            },
            channel: ChannelInput::Online,
        }),
        Err(_) => Err(forms::malformed("请选择受理单位。")),
    };
    let outcome = match request {
        Ok(request) => st.service.apply_for_case(None, request).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(receipt) => {
            let page = AppliedView {
                item: receipt.case.case.item.name.clone(),
                unit: st
                    .service
                    .catalog()
                    .unit(receipt.case.case.handling_unit)
                    .map_or_else(String::new, |u| u.name.clone()),
                receipt: receipt.receipt.clone(),
                access_code: receipt.access_code.clone().unwrap_or_default(),
                state: receipt.case.state_zh.to_owned(),
            };
            let mut res = render(StatusCode::CREATED, &page);
            res.headers_mut()
                .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            res.into_response()
        }
        Err(refusal) if refusal.status().is_server_error() => api_error_page(&refusal),
        Err(refusal) => match view(&st, item, fields, Some(refusal.page_message().to_owned())) {
            Ok(v) => render(refusal.status(), &v),
            Err(e) => api_error_page(&e),
        },
    }
}
