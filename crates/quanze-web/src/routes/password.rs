//! 修改口令 — a member of staff changes their own password on the workbench: the current one,
//! the new one twice, under the password rule stated on the page. A change ends every session
//! and token of the account, this one included, and leads to the sign-in page.

use std::ops::ControlFlow;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tower_sessions::Session;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::filters;
use crate::routes::forms::{self, Fields};
use crate::routes::portal::{api_error_page, render};
use crate::session::Staff;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/staff/password", get(page).post(change))
}

#[derive(Template)]
#[template(path = "staff/password.html")]
struct PasswordView {
    rule: String,
    error: Option<String>,
    username: String,
}

fn view(st: &AppState, username: String, error: Option<String>) -> PasswordView {
    let rule = match crate::i18n::current() {
        crate::i18n::Lang::Zh => st.service.password_rule().0,
        crate::i18n::Lang::En => st.service.password_rule().1,
    };
    PasswordView { rule, error, username }
}

async fn page(State(st): State<AppState>, Staff(user): Staff) -> Response {
    render(StatusCode::OK, &view(&st, user.username.to_string(), None))
}

async fn change(
    State(st): State<AppState>,
    Staff(user): Staff,
    session: Session,
    form: Result<axum::Form<Fields>, FormRejection>,
) -> Response {
    let fields = match forms::fields(form) {
        ControlFlow::Continue(fields) => fields,
        ControlFlow::Break(page) => return page,
    };
    // The fields are named as secrets, so an expired session never carries them through.
    let (current, new, again) = (
        fields.get("current_password").map_or("", String::as_str),
        fields.get("new_password").map_or("", String::as_str),
        fields.get("confirm_password").map_or("", String::as_str),
    );
    let outcome = if new != again {
        Err(forms::malformed("两次输入的新口令不一致。"))
    } else {
        st.service.change_password(&user, current, new, None).await.map_err(ApiError::from)
    };
    match outcome {
        Ok(_) => {
            // The store has ended every session of the account; the cookie goes too.
            let _ = crate::session::sign_out(&session).await;
            Redirect::to("/staff/login?next=%2Fstaff&changed=1").into_response()
        }
        Err(refusal) if refusal.status().is_server_error() => api_error_page(&refusal),
        Err(refusal) => render(
            refusal.status(),
            &view(&st, user.username.to_string(), Some(refusal.page_message().to_owned())),
        ),
    }
}
