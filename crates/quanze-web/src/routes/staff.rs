//! 工作台 — the staff's pages, behind sign-in (`crate::session`): the sign-in page (with the
//! lockout policy stated), signing out, the desk, a unit's case inbox by urgency and a case's
//! page. Forms post and redirect (POST-redirect-GET); a refused sign-in is the form again
//! with the message beside the fields and the name as typed.

use std::ops::ControlFlow;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest as _, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use quanze_core::UnitId;
use quanze_core::case::{ActionKind, CaseCommand, Outcome};
use quanze_service::ServiceError;
use quanze_service::cases::CaseCaller;
use quanze_service::views::cases::CaseView;
use quanze_service::views::{Desk, Inbox};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::filters;
use crate::routes::forms::{self, Fields};
use crate::routes::portal::{PagePath, PageQuery, error_page, render};
use crate::session::Staff;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/login", get(login_page).post(login))
        .route("/staff/login/code", axum::routing::post(login_code))
        .route("/staff/login/enrol", get(enrol_page).post(enrol))
        .route("/staff/logout", axum::routing::post(logout))
        .route("/staff", get(desk))
        .route("/staff/units/{unit}/cases", get(inbox))
        .route("/staff/cases/{receipt}", get(case))
        .route("/staff/cases/{receipt}/act", axum::routing::post(act_on_case))
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
    /// Signed out by a password change.
    changed: bool,
    /// A form posted after the session ended, carried through the sign-in (`kept:` fields).
    kept: Vec<(String, String)>,
    threshold: u32,
    minutes: i64,
    idle: i64,
    absolute: i64,
}

#[derive(Debug, Default, Deserialize)]
struct LoginQuery {
    next: Option<String>,
    changed: Option<String>,
    expired: Option<u8>,
}

fn login_view(st: &AppState, next: String, username: String, error: Option<String>) -> LoginView {
    let (threshold, minutes) = st.service.lockout_policy();
    LoginView {
        next,
        username,
        error,
        expired: false,
        changed: false,
        kept: Vec::new(),
        threshold,
        minutes,
        idle: st.service.session_policy().idle_minutes,
        absolute: st.service.session_policy().absolute_hours,
    }
}

async fn login_page(State(st): State<AppState>, PageQuery(q): PageQuery<LoginQuery>) -> Response {
    let mut view = login_view(&st, safe_next(q.next.as_deref()), String::new(), None);
    view.expired = q.expired.is_some();
    view.changed = q.changed.is_some();
    render(StatusCode::OK, &view)
}

/// The prefix of a kept field's name on the sign-in form.
const KEPT: &str = "kept:";

/// The sign-in form: the account, where to go next, and the fields of a form posted after
/// the session ended (`kept:NAME`, in their order; a name may repeat).
#[derive(Debug, Default)]
struct LoginForm {
    username: String,
    password: String,
    /// A second factor's code (the sign-in's second step).
    code: String,
    next: String,
    kept: Vec<(String, String)>,
}

impl LoginForm {
    fn of(pairs: Vec<(String, String)>) -> LoginForm {
        let mut form = LoginForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "username" => form.username = value,
                "password" => form.password = value,
                "code" => form.code = value,
                "next" => form.next = value,
                _ => {
                    if let Some(kept) = name.strip_prefix(KEPT) {
                        form.kept.push((kept.to_owned(), value));
                    }
                }
            }
        }
        form
    }
}

#[derive(Template)]
#[template(path = "staff/resume.html")]
struct ResumeView {
    /// Where the form was posted.
    to: String,
    /// Its fields, to post again.
    kept: Vec<(String, String)>,
    /// What was typed, to read before posting (the non-empty values, shortened).
    shown: Vec<String>,
}

impl ResumeView {
    fn new(to: String, kept: Vec<(String, String)>) -> ResumeView {
        let shown = kept
            .iter()
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| {
                let mut short: String = v.chars().take(200).collect();
                if short.len() < v.len() {
                    short.push('…');
                }
                short
            })
            .collect();
        ResumeView { to, kept, shown }
    }
}

/// 保留已填内容 — a form posted to the workbench once the session has ended (idle too long,
/// past the absolute limit, never signed in) is not lost: instead of the redirect to sign in,
/// which would drop it, the answer is the sign-in page itself carrying the posted fields
/// (passwords excepted), and signing in there leads to a page that posts them again where
/// they were going. Forms with files (multipart) cannot be carried and get the redirect.
pub(crate) async fn keep_typed_text(
    State(st): State<AppState>,
    session: Session,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    let is_form = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if req.method() != axum::http::Method::POST
        || !path.starts_with("/staff/")
        || path == "/staff/logout"
        || path == "/staff/login"
        || path.starts_with("/staff/login/")
        || !is_form
    {
        return next.run(req).await;
    }
    let policy = st.service.session_policy();
    let expired = match crate::session::signed_in_account(&session, st.service.now(), &policy).await
    {
        Ok(_) => return next.run(req).await,
        Err(expired) => expired,
    };
    let to = safe_next(req.uri().path_and_query().map(|p| p.as_str()));
    let mut kept = match axum::Form::<Vec<(String, String)>>::from_request(req, &()).await {
        Ok(axum::Form(pairs)) => pairs,
        Err(_) => Vec::new(),
    };
    kept.retain(|(name, _)| {
        let name = name.to_ascii_lowercase();
        !["password", "passwd", "secret", "token", "code"].iter().any(|s| name.contains(s))
    });
    let mut view = login_view(&st, to, String::new(), None);
    view.expired = expired || !kept.is_empty();
    view.kept = kept;
    render(StatusCode::UNAUTHORIZED, &view)
}

async fn login(
    State(st): State<AppState>,
    crate::extract::Source(source): crate::extract::Source,
    session: Session,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(axum::Form(pairs)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "无法登录", "表单内容不完整，请返回重新填写。");
    };
    let form = LoginForm::of(pairs);
    let next = safe_next(Some(&form.next));
    let refused = |status: StatusCode, message: String| {
        let mut view = login_view(&st, next.clone(), form.username.clone(), Some(message));
        view.kept = form.kept.clone();
        render(status, &view)
    };
    match st.service.sign_in_from(form.username.trim(), &form.password, source).await {
        Ok(user) => match crate::session::sign_in(&session, &user, st.service.now()).await {
            Ok(()) if form.kept.is_empty() => Redirect::to(&next).into_response(),
            Ok(()) => render(StatusCode::OK, &ResumeView::new(next, form.kept)),
            Err(e) => {
                tracing::error!(error = %e, "a session could not be stored");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "无法登录",
                    "暂时无法登录，请稍后再试。",
                )
            }
        },
        Err(ServiceError::SecondFactor(need)) => {
            // The password was right: the ticket waits in this (not yet signed-in) session
            // for the second step.
            if let Err(e) = session.insert(TICKET, need.ticket.as_str()).await {
                tracing::error!(error = %e, "a sign-in ticket could not be kept");
                return error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "无法登录",
                    "暂时无法登录，请稍后再试。",
                );
            }
            if need.enrol {
                let to =
                    format!("/staff/login/enrol?next={}", crate::routes::portal::encode(&next));
                return Redirect::to(&to).into_response();
            }
            render(StatusCode::OK, &CodeView { next, kept: form.kept.clone(), error: None })
        }
        Err(ServiceError::Unauthenticated) => {
            refused(StatusCode::UNAUTHORIZED, "用户名或密码不正确。".to_owned())
        }
        Err(ServiceError::Locked(_)) => {
            refused(StatusCode::FORBIDDEN, "账户已被管理员锁定，请联系系统管理员解锁。".to_owned())
        }
        Err(ServiceError::Throttled(until)) => {
            let wait = (until - st.service.now()).num_seconds().max(1);
            let at = quanze_service::beijing_time(until).format("%H:%M:%S");
            let mut page = refused(
                StatusCode::TOO_MANY_REQUESTS,
                format!("登录失败次数过多，请于北京时间 {at} 后再试。"),
            );
            page.headers_mut().insert(axum::http::header::RETRY_AFTER, wait.into());
            page
        }
        Err(e) => {
            let e = ApiError::from(e);
            refused(e.status(), e.page_message().to_owned())
        }
    }
}

/// The session's key for a sign-in's ticket, between the password and the second factor.
const TICKET: &str = "sign_in_ticket";

#[derive(Template)]
#[template(path = "staff/second_factor.html")]
struct CodeView {
    next: String,
    kept: Vec<(String, String)>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/enrol.html")]
struct EnrolView {
    next: String,
    secret: String,
    /// The `otpauth://` address as an SVG QR code (drawn here, not text from the user).
    qr: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/recovery_codes.html")]
struct RecoveryCodesView {
    next: String,
    codes: Vec<String>,
}

/// The sign-in ticket this session waits with; without one, the answer is the sign-in page.
async fn pending_ticket(session: &Session, next: &str) -> Result<String, Response> {
    match session.get::<String>(TICKET).await.unwrap_or_default() {
        Some(ticket) => Ok(ticket),
        None => {
            let to = format!("/staff/login?next={}", crate::routes::portal::encode(next));
            Err(Redirect::to(&to).into_response())
        }
    }
}

/// Signs the session in after its second factor, leading on as the sign-in would.
async fn signed_in_after_factor(
    st: &AppState,
    session: &Session,
    user: &quanze_service::CurrentUser,
) -> Result<(), Response> {
    let _ = session.remove::<String>(TICKET).await;
    crate::session::sign_in(session, user, st.service.now()).await.map_err(|e| {
        tracing::error!(error = %e, "a session could not be stored");
        error_page(StatusCode::INTERNAL_SERVER_ERROR, "无法登录", "暂时无法登录，请稍后再试。")
    })
}

/// The second step of a sign-in: a TOTP or recovery code.
async fn login_code(
    State(st): State<AppState>,
    crate::extract::Source(source): crate::extract::Source,
    session: Session,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(axum::Form(pairs)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "无法登录", "表单内容不完整，请返回重新填写。");
    };
    let form = LoginForm::of(pairs);
    let next = safe_next(Some(&form.next));
    let ticket = match pending_ticket(&session, &next).await {
        Ok(ticket) => ticket,
        Err(page) => return page,
    };
    let proof = quanze_service::second_factor::Proof::Code(form.code.clone());
    match st.service.complete_sign_in(&ticket, &proof, source).await {
        Ok(user) => {
            if let Err(page) = signed_in_after_factor(&st, &session, &user).await {
                return page;
            }
            if form.kept.is_empty() {
                Redirect::to(&next).into_response()
            } else {
                render(StatusCode::OK, &ResumeView::new(next, form.kept))
            }
        }
        Err(e) => {
            let e = ApiError::from(e);
            if e.status().is_server_error() {
                return crate::routes::portal::api_error_page(&e);
            }
            let view = CodeView { next, kept: form.kept, error: Some(e.page_message().to_owned()) };
            let mut page = render(e.status(), &view);
            if let Some(wait) = e.retry_after() {
                page.headers_mut().insert(axum::http::header::RETRY_AFTER, wait.into());
            }
            page
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// 登记动态口令 during a sign-in: a new secret with its QR code.
async fn enrol_page(
    State(st): State<AppState>,
    session: Session,
    PageQuery(q): PageQuery<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    let ticket = match pending_ticket(&session, &next).await {
        Ok(ticket) => ticket,
        Err(page) => return page,
    };
    // The enrolment begun on this ticket, if any (a reload keeps the secret already scanned).
    match st.service.current_enrolment(&ticket).await {
        Ok(enrolment) => render(StatusCode::OK, &enrol_view(next, &enrolment, None)),
        Err(e) => crate::routes::portal::api_error_page(&ApiError::from(e)),
    }
}

fn enrol_view(
    next: String,
    enrolment: &quanze_service::second_factor::TotpEnrolment,
    error: Option<String>,
) -> EnrolView {
    let qr = qrcode::QrCode::new(enrolment.uri.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    // The renderer's XML declaration has no place inside HTML.
    let qr = qr.find("<svg").map_or(qr.clone(), |at| qr[at..].to_owned());
    EnrolView { next, secret: enrolment.secret.clone(), qr, error }
}

/// Confirms the enrolment with the app's first code: signed in, and shown the recovery codes.
async fn enrol(
    State(st): State<AppState>,
    crate::extract::Source(source): crate::extract::Source,
    session: Session,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(axum::Form(pairs)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "无法登录", "表单内容不完整，请返回重新填写。");
    };
    let field = |name: &str| {
        pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    };
    let next = safe_next(Some(&field("next")));
    let ticket = match pending_ticket(&session, &next).await {
        Ok(ticket) => ticket,
        Err(page) => return page,
    };
    match st.service.confirm_enrolment(&ticket, &field("code"), source).await {
        Ok((user, codes)) => {
            if let Err(page) = signed_in_after_factor(&st, &session, &user).await {
                return page;
            }
            render(StatusCode::OK, &RecoveryCodesView { next, codes })
        }
        Err(e) => {
            let e = ApiError::from(e);
            if e.status().is_server_error() {
                return crate::routes::portal::api_error_page(&e);
            }
            // A wrong code: the same secret again (a new one would void the app's entry).
            match st.service.current_enrolment(&ticket).await {
                Ok(enrolment) => render(
                    e.status(),
                    &enrol_view(next, &enrolment, Some(e.page_message().to_owned())),
                ),
                Err(again) => crate::routes::portal::api_error_page(&ApiError::from(again)),
            }
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
    /// The units a case may be sent to (转办) or asked to cooperate (配合): (id, name).
    units: Vec<(String, String)>,
    /// The open cooperation tasks the account's unit is to do: (`TASK/UNIT`, what).
    my_tasks: Vec<(String, String)>,
    /// The steps the account may take now: (form key, label).
    actions: Vec<(&'static str, &'static str)>,
    done: Option<&'static str>,
    /// The step refused and its message.
    refused: Option<(String, String)>,
    typed: Fields,
    username: String,
}

impl CaseViewPage {
    fn may(&self, action: &str) -> bool {
        self.actions.iter().any(|(k, _)| *k == action)
    }

    fn refusal(&self, action: &str) -> Option<&str> {
        self.refused.as_ref().filter(|(a, _)| a == action).map(|(_, m)| m.as_str())
    }

    fn kept(&self, action: &str, field: &str) -> &str {
        if self.refusal(action).is_some() { forms::field(&self.typed, field) } else { "" }
    }
}

/// The steps the case page offers, by form key: the procedure's action, its label, and what
/// the page says once it is taken. The page shows a step's form only when the procedure
/// allows it in the case's state and its table gives it to one of the account's roles in the
/// handling unit (`CaseView::actions_for`); completing a cooperation task is offered to the
/// cooperating unit instead, and 督办 to the supervisors. The applicant's own steps (申请,
/// 补正, 申请听证, 撤回) are on the tracking page.
const CASE_STEPS: [(&str, ActionKind, &str); 27] = [
    ("decide_on_the_spot", ActionKind::DecideOnTheSpot, "已当场办结。"),
    ("accept", ActionKind::Accept, "已受理。"),
    ("request_correction", ActionKind::RequestCorrection, "已一次性告知补正。"),
    ("refuse", ActionKind::Refuse, "已不予受理。"),
    ("pause", ActionKind::Pause, "已暂停计时（特别程序）。"),
    ("resume", ActionKind::Resume, "已恢复计时。"),
    ("extend", ActionKind::Extend, "已延长办理期限。"),
    ("forward", ActionKind::Forward, "已转报县级部门。"),
    ("return", ActionKind::Return, "已退回。"),
    ("transfer", ActionKind::Transfer, "已转办。"),
    ("countersign", ActionKind::Countersign, "已会签。"),
    ("assign_task", ActionKind::AssignTask, "已发出配合任务。"),
    ("complete_task", ActionKind::CompleteTask, "已完成配合任务。"),
    ("urge", ActionKind::Urge, "已催办。"),
    ("investigate", ActionKind::Investigate, "已记录调查取证。"),
    ("notify", ActionKind::Notify, "已告知当事人。"),
    ("waive_hearing", ActionKind::WaiveHearing, "已记录放弃陈述申辩和听证。"),
    ("hold_hearing", ActionKind::HoldHearing, "已记录听证。"),
    ("legal_check", ActionKind::LegalCheck, "已记录法制审核意见。"),
    ("apply_measure", ActionKind::ApplyMeasure, "已记录实施的强制措施。"),
    ("lift_measure", ActionKind::LiftMeasure, "已解除强制措施。"),
    ("demand", ActionKind::Demand, "已催告当事人。"),
    ("execute", ActionKind::Execute, "已记录执行。"),
    ("supervise", ActionKind::Supervise, "已督办。"),
    ("decide", ActionKind::Decide, "已作出决定。"),
    ("deliver", ActionKind::Deliver, "已送达。"),
    ("close", ActionKind::Close, "已办结。"),
];

fn case_page(
    st: &AppState,
    c: CaseView,
    user: &quanze_service::CurrentUser,
    done: Option<&'static str>,
    refused: Option<(String, String)>,
    typed: Fields,
) -> CaseViewPage {
    let catalog = st.service.catalog();
    let name =
        |unit: UnitId| catalog.unit(unit).map_or_else(|| unit.to_string(), |u| u.name.clone());
    let mut allowed = c.actions_for(user);
    // A cooperating unit completes its own task (配合任务), whoever handles the case.
    let my_tasks: Vec<(String, String)> = c
        .case
        .tasks
        .iter()
        .filter(|t| t.is_open() && user.has(quanze_core::Role::Clerk, Some(t.unit)))
        .map(|t| (format!("{}/{}", t.id, t.unit), format!("{}：{}", name(t.unit), t.description)))
        .collect();
    if !my_tasks.is_empty() {
        allowed.push(ActionKind::CompleteTask);
    }
    // 督办 is the supervisors' (county-wide), whoever handles the case.
    if c.actions.contains(&ActionKind::Supervise)
        && user.require_act(quanze_core::access::Act::SuperviseCases, None).is_ok()
    {
        allowed.push(ActionKind::Supervise);
    }
    // Only a unit that may not decide the power itself passes the case on (转报).
    if !matches!(
        c.case.exercise,
        quanze_core::Exercise::ReviewOnly { .. } | quanze_core::Exercise::AcceptOnly { .. }
    ) {
        allowed.retain(|a| *a != ActionKind::Forward);
    }
    let actions = CASE_STEPS
        .iter()
        .filter(|(_, kind, _)| allowed.contains(kind))
        .map(|(key, kind, _)| (*key, kind.zh()))
        .collect();
    let units =
        if allowed.iter().any(|a| matches!(a, ActionKind::Transfer | ActionKind::AssignTask)) {
            catalog
                .units
                .iter()
                .filter(|u| u.id != c.case.handling_unit)
                .map(|u| (u.id.to_string(), u.name.clone()))
                .collect()
        } else {
            Vec::new()
        };
    CaseViewPage {
        c,
        units,
        my_tasks,
        actions,
        done,
        refused,
        typed,
        username: user.username.to_string(),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CaseQuery {
    done: Option<String>,
}

async fn case(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(receipt): PagePath<String>,
    PageQuery(q): PageQuery<CaseQuery>,
) -> Response {
    let done = q.done.as_deref().and_then(|d| CASE_STEPS.iter().find(|(k, _, _)| *k == d));
    match st.service.case_for_staff(&user, &receipt).await {
        Ok(c) => {
            let page =
                case_page(&st, c, &user, done.map(|(_, _, label)| *label), None, Fields::new());
            render(StatusCode::OK, &page)
        }
        Err(e) => crate::routes::portal::api_error_page(&ApiError::from(e)),
    }
}

/// The form's `days`: a whole number from 1 to `most`, else `message`.
fn days(form: &Fields, most: u32, message: &str) -> Result<u32, String> {
    forms::field(form, "days")
        .parse()
        .ok()
        .filter(|d| (1..=most).contains(d))
        .ok_or_else(|| message.to_owned())
}

/// Officers' certificate numbers, one per line.
fn officers(text: &str) -> Result<Vec<quanze_core::devolution::CertificateNo>, String> {
    lines(text)
        .into_iter()
        .map(quanze_core::devolution::CertificateNo::try_from)
        .collect::<Result<_, _>>()
        .map_err(|_| "执法证件号码格式不正确，每行一个。".to_owned())
}

/// A decision's outcome as the decision forms give it.
fn outcome(form: &Fields) -> Result<Outcome, String> {
    let field = |k: &str| forms::field(form, k).to_owned();
    Ok(match forms::field(form, "outcome") {
        "granted" => {
            Outcome::Granted { document: Some(field("document")).filter(|d| !d.is_empty()) }
        }
        "denied" => Outcome::Denied { reasons: field("reasons"), remedies: field("remedies") },
        "penalty" => Outcome::Penalty {
            content: field("content"),
            fine_yuan: match forms::field(form, "fine_yuan") {
                "" => None,
                fine => Some(fine.parse().map_err(|_| "罚款金额应为整数元。".to_owned())?),
            },
        },
        "no_action" => Outcome::NoAction { reasons: field("reasons") },
        "done" => Outcome::Done { summary: field("summary") },
        _ => return Err("请选择决定的结果。".to_owned()),
    })
}

/// The cooperation task chosen in the form (`TASK/UNIT`: the task and its cooperating unit).
fn task_field(form: &Fields) -> Result<(quanze_core::TaskId, UnitId), String> {
    let chosen = forms::field(form, "task").split_once('/');
    chosen
        .and_then(|(task, unit)| Some((task.parse().ok()?, unit.parse().ok()?)))
        .ok_or_else(|| "请选择要完成的配合任务。".to_owned())
}

/// A unit chosen in a form.
fn unit_field(form: &Fields, key: &str) -> Result<UnitId, String> {
    forms::field(form, key).parse().map_err(|_| "请选择单位。".to_owned())
}

/// Materials named one per line (一次性告知: everything missing in one notice).
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// A step's form as the procedure's command, or the message for what is malformed.
fn case_command(form: &Fields) -> Result<CaseCommand, String> {
    let field = |k: &str| forms::field(form, k).to_owned();
    Ok(match forms::field(form, "action") {
        "accept" => CaseCommand::Accept {
            missing: lines(&field("missing")),
            promised: forms::date(form, "promised")?,
        },
        "request_correction" => {
            CaseCommand::RequestCorrection { missing: lines(&field("missing")) }
        }
        "refuse" => CaseCommand::Refuse {
            reason: field("reason"),
            not_competent: false,
            competent_unit: None,
        },
        "pause" => CaseCommand::Pause {
            reason: serde_json::from_value(serde_json::Value::String(field("reason")))
                .map_err(|_| "请选择暂停计时的特别程序。".to_owned())?,
            note: field("note"),
            notified_in_writing: form.contains_key("notified_in_writing"),
        },
        "resume" => CaseCommand::Resume,
        "extend" => CaseCommand::Extend { reason: field("reason") },
        "forward" => CaseCommand::Forward {
            opinion: field("opinion"),
            mode: match forms::field(form, "mode") {
                "" => None,
                mode => Some(
                    serde_json::from_value(serde_json::Value::String(mode.to_owned()))
                        .map_err(|_| "请选择见文行文或见章盖章。".to_owned())?,
                ),
            },
        },
        "return" => CaseCommand::Return { reason: field("reason") },
        "transfer" => {
            let to = unit_field(form, "to")?;
            // The service names how the unit holds the power on the day, and so in whose name
            // it decides (法无授权不可为): these two are placeholders it replaces.
            CaseCommand::Transfer {
                to,
                exercise: quanze_core::Exercise::OwnName,
                deciding_unit: to,
                reason: field("reason"),
            }
        }
        "countersign" => CaseCommand::Countersign { opinion: field("opinion") },
        "assign_task" => CaseCommand::AssignTask {
            task: quanze_core::TaskId::from_uuid(uuid::Uuid::now_v7()),
            unit: unit_field(form, "unit")?,
            description: field("description"),
            period: quanze_core::Period::WorkingDays(days(
                form,
                60,
                "配合期限应为 1 至 60 个工作日。",
            )?),
        },
        "complete_task" => CaseCommand::CompleteTask {
            task: task_field(form).map(|(task, _)| task)?,
            result: field("result"),
        },
        "urge" => CaseCommand::Urge { note: field("note") },
        "investigate" => CaseCommand::Investigate { officers: officers(&field("officers"))? },
        "notify" => CaseCommand::Notify { content: field("content") },
        "waive_hearing" => CaseCommand::WaiveHearing,
        "hold_hearing" => CaseCommand::HoldHearing { record: field("record") },
        "legal_check" => CaseCommand::LegalCheck { opinion: field("opinion") },
        "decide" => {
            CaseCommand::Decide { outcome: outcome(form)?, major: form.contains_key("major") }
        }
        "decide_on_the_spot" => CaseCommand::DecideOnTheSpot { outcome: outcome(form)? },
        "apply_measure" => CaseCommand::ApplyMeasure {
            officers: officers(&field("officers"))?,
            record: field("record"),
        },
        "lift_measure" => CaseCommand::LiftMeasure { reason: field("reason") },
        "demand" => CaseCommand::Demand {
            period: quanze_core::Period::CalendarDays(days(
                form,
                365,
                "履行期限应为 1 至 365 日。",
            )?),
            content: field("content"),
        },
        "execute" => CaseCommand::Execute {
            at_local: chrono::NaiveDateTime::parse_from_str(
                forms::field(form, "at_local"),
                "%Y-%m-%dT%H:%M",
            )
            .map_err(|_| "请填写执行的日期和时间。".to_owned())?,
            emergency: form.contains_key("emergency"),
        },
        "supervise" => CaseCommand::Supervise { note: field("note") },
        "deliver" => CaseCommand::Deliver {
            method: field("method"),
            in_person: form.contains_key("in_person"),
        },
        "close" => CaseCommand::Close,
        _ => return Err("不支持的操作。".to_owned()),
    })
}

async fn act_on_case(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(receipt): PagePath<String>,
    form: Result<axum::Form<Fields>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = match forms::fields(form) {
        ControlFlow::Continue(fields) => fields,
        ControlFlow::Break(page) => return page,
    };
    let action = forms::field(&form, "action").to_owned();
    // A cooperating unit acts as itself on its task (the service and the procedure check it).
    let acting_unit = match action.as_str() {
        "complete_task" => task_field(&form).ok().map(|(_, unit)| unit),
        _ => None,
    };
    let outcome = match case_command(&form) {
        Ok(command) => st
            .service
            .act_on_case(CaseCaller::Staff(&user, acting_unit), &receipt, command)
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        Err(message) => Err(forms::malformed(message)),
    };
    let key = CASE_STEPS.iter().find(|(k, _, _)| *k == action).map_or("", |(k, _, _)| k);
    let refusal = match forms::settle(outcome, |()| {
        format!("/staff/cases/{}?done={key}", crate::routes::portal::encode(&receipt))
    }) {
        ControlFlow::Continue(refusal) => refusal,
        ControlFlow::Break(done) => return done,
    };
    match st.service.case_for_staff(&user, &receipt).await {
        Ok(c) => {
            let page = case_page(
                &st,
                c,
                &user,
                None,
                Some((action, refusal.page_message().to_owned())),
                form,
            );
            render(refusal.status(), &page)
        }
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
