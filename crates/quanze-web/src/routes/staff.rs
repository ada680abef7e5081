//! 工作台 — the staff's pages, behind sign-in (`crate::session`): the sign-in page (with the
//! lockout policy stated), signing out, the desk, a unit's case inbox by urgency and a case's
//! page. Forms post and redirect (POST-redirect-GET); a refused sign-in is the form again
//! with the message beside the fields and the name as typed.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use quanze_core::UnitId;
use quanze_service::ServiceError;
use quanze_service::views::cases::CaseView;
use quanze_service::views::{Desk, Inbox};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::ApiError;
use crate::routes::portal::{PagePath, PageQuery, error_page, render};
use crate::session::{ABSOLUTE_HOURS, IDLE_MINUTES, Staff};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/login", get(login_page).post(login))
        .route("/staff/logout", axum::routing::post(logout))
        .route("/staff", get(desk))
        .route("/staff/units/{unit}/cases", get(inbox))
        .route("/staff/cases/{receipt}", get(case))
}

/// Where to go after signing in: a path of this site only (never `//host` or a URL).
fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        let mut chars = n.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && n.chars().all(|c| c.is_ascii_graphic())
            && !n.contains('\\')
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/staff".to_owned(),
    }
}

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginView {
    next: String,
    username: String,
    error: Option<String>,
    expired: bool,
    threshold: u32,
    minutes: i64,
    idle: i64,
    absolute: i64,
}

#[derive(Debug, Default, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    expired: Option<u8>,
}

fn login_view(st: &AppState, next: String, username: String, error: Option<String>) -> LoginView {
    let (threshold, minutes) = st.service.lockout_policy();
    LoginView {
        next,
        username,
        error,
        expired: false,
        threshold,
        minutes,
        idle: IDLE_MINUTES,
        absolute: ABSOLUTE_HOURS,
    }
}

async fn login_page(State(st): State<AppState>, PageQuery(q): PageQuery<LoginQuery>) -> Response {
    let mut view = login_view(&st, safe_next(q.next.as_deref()), String::new(), None);
    view.expired = q.expired.is_some();
    render(StatusCode::OK, &view)
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(st): State<AppState>,
    session: Session,
    form: Result<axum::Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(axum::Form(form)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "无法登录", "表单内容不完整，请返回重新填写。");
    };
    let next = safe_next(Some(&form.next));
    let refused = |status: StatusCode, message: String| {
        render(status, &login_view(&st, next.clone(), form.username.clone(), Some(message)))
    };
    match st.service.sign_in(form.username.trim(), &form.password).await {
        Ok(user) => match crate::session::sign_in(&session, &user, st.service.now()).await {
            Ok(()) => Redirect::to(&next).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "a session could not be stored");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "无法登录",
                    "暂时无法登录，请稍后再试。",
                )
            }
        },
        Err(ServiceError::Unauthenticated) => {
            refused(StatusCode::UNAUTHORIZED, "用户名或密码不正确。".to_owned())
        }
        Err(ServiceError::Locked(until)) => {
            let until = quanze_service::beijing_time(until).format("%Y-%m-%d %H:%M");
            refused(
                StatusCode::LOCKED,
                format!(
                    "连续登录失败次数过多，账户已锁定至 {until}（北京时间）。如需提前解锁，请联系系统管理员。"
                ),
            )
        }
        Err(e) => {
            let e = ApiError::from(e);
            refused(e.status(), e.message().to_owned())
        }
    }
}

async fn logout(session: Session) -> Response {
    if let Err(e) = crate::session::sign_out(&session).await {
        tracing::warn!(error = %e, "a session could not be deleted");
    }
    Redirect::to("/").into_response()
}

#[derive(Template)]
#[template(path = "staff/desk.html")]
struct DeskView {
    d: Desk,
}

async fn desk(State(st): State<AppState>, Staff(user): Staff) -> Response {
    render(StatusCode::OK, &DeskView { d: st.service.desk(&user) })
}

#[derive(Template)]
#[template(path = "staff/inbox.html")]
struct InboxView {
    i: Inbox,
    username: String,
}

async fn inbox(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(unit): PagePath<UnitId>,
) -> Response {
    match st.service.inbox(&user, unit).await {
        Ok(i) => render(StatusCode::OK, &InboxView { i, username: user.username.to_string() }),
        Err(e) => crate::routes::portal::api_error_page(&ApiError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "staff/case.html")]
struct CaseViewPage {
    c: CaseView,
    username: String,
}

async fn case(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(receipt): PagePath<String>,
) -> Response {
    match st.service.case_for_staff(&user, &receipt).await {
        Ok(c) => render(StatusCode::OK, &CaseViewPage { c, username: user.username.to_string() }),
        Err(e) => crate::routes::portal::api_error_page(&ApiError::from(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_a_path_of_this_site_is_a_place_to_go_back_to() {
        for ok in ["/staff", "/staff/units/x/cases?y=1", "/"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://x",
            "",
            "/a b",
            "/\n",
        ] {
            assert_eq!(safe_next(Some(bad)), "/staff", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/staff");
    }
}
