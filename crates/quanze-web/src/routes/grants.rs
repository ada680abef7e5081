//! 赋权办理 — the staff's devolution pages: every grant with how many towns exercise it;
//! a new grant (a department, one of its own powers, the towns, as a service window moved
//! forward or as the power of substantive review); and one grant with each town's standing
//! and what its checklist lacks, with the forms to record a town's readiness (承接准备), to
//! approve taking it up with waivable items missing (a leader), and to take it back (收回),
//! each linked to the portal's authority lookup for that town. Forms post, the service
//! checks each write as the API's, and success redirects back (POST-redirect-GET); a refusal
//! shows the page again with the message beside the form and the text kept.

use std::ops::ControlFlow;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use quanze_core::devolution::legal::{
    Entrustment, Issuer, OwnNameBasis, OwnNameBasisKind, ProvincialDecision,
};
use quanze_core::{GrantId, GrantMode, ItemId, LegalRef, UnitId};
use quanze_service::views::{GrantForm, GrantLine, GrantPage, GrantRequest, ReadinessForm};
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::filters;
use crate::routes::forms::{self, Fields};
use crate::routes::portal::{PagePath, PageQuery, api_error_page, error_page, render};
use crate::session::Staff;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/grants", get(index).post(create))
        .route("/staff/grants/new", get(new_form))
        .route("/staff/grants/{id}", get(page))
        .route("/staff/grants/{id}/towns/{town}/{op}", post(act))
}

#[derive(Template)]
#[template(path = "staff/grants.html")]
struct IndexView {
    date: NaiveDate,
    grants: Vec<GrantLine>,
    /// 批次 (成熟一批、赋予一批): each batch with its grants and the towns exercising them,
    /// in the order the batches first took effect.
    batches: Vec<BatchLine>,
    /// The batch shown alone, when one is chosen.
    batch: Option<String>,
    may_grant: bool,
    username: String,
}

/// One batch of grants on the index.
struct BatchLine {
    name: String,
    grants: usize,
    active: usize,
    towns: usize,
    from: NaiveDate,
}

#[derive(Debug, Default, Deserialize)]
struct DateQuery {
    date: Option<NaiveDate>,
    done: Option<String>,
    batch: Option<String>,
}

/// The batches of `grants`, each once, first to take effect first.
fn batches(grants: &[GrantLine]) -> Vec<BatchLine> {
    let mut out: Vec<BatchLine> = Vec::new();
    for g in grants {
        match out.iter_mut().find(|b| b.name == g.batch) {
            Some(b) => {
                b.grants += 1;
                b.active += g.active;
                b.towns += g.towns;
                b.from = b.from.min(g.from);
            }
            None => out.push(BatchLine {
                name: g.batch.clone(),
                grants: 1,
                active: g.active,
                towns: g.towns,
                from: g.from,
            }),
        }
    }
    out.sort_by(|a, b| a.from.cmp(&b.from).then_with(|| a.name.cmp(&b.name)));
    out
}

async fn index(
    State(st): State<AppState>,
    Staff(user): Staff,
    PageQuery(q): PageQuery<DateQuery>,
) -> Response {
    let (date, mut grants) = st.service.grant_lines(q.date);
    let batches = batches(&grants);
    let batch = q.batch.filter(|b| batches.iter().any(|x| x.name == *b));
    if let Some(b) = &batch {
        grants.retain(|g| g.batch == *b);
    }
    let may_grant = user.require_act(quanze_core::access::Act::Grant, None).is_ok();
    render(
        StatusCode::OK,
        &IndexView { date, grants, batches, batch, may_grant, username: user.username.to_string() },
    )
}

#[derive(Template)]
#[template(path = "staff/grant_new.html")]
struct NewView {
    form: GrantForm,
    typed: Fields,
    error: Option<String>,
    username: String,
}

impl NewView {
    fn typed(&self, field: &str) -> &str {
        forms::field(&self.typed, field)
    }

    fn town_checked(&self, town: &UnitId) -> bool {
        self.typed.contains_key(&format!("town:{town}"))
    }
}

#[derive(Debug, Default, Deserialize)]
struct NewQuery {
    department: Option<UnitId>,
}

async fn new_form(
    State(st): State<AppState>,
    Staff(user): Staff,
    PageQuery(q): PageQuery<NewQuery>,
) -> Response {
    match st.service.grant_form(q.department) {
        Ok(form) => {
            let mut typed = Fields::new();
            typed.insert("effective_from".to_owned(), st.service.today().to_string());
            let view = NewView { form, typed, error: None, username: user.username.to_string() };
            render(StatusCode::OK, &view)
        }
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}

fn grant_request(fields: &Fields) -> Result<GrantRequest, String> {
    let field = |k: &str| forms::field(fields, k);
    let from: UnitId = field("from").parse().map_err(|_| "请选择部门。".to_owned())?;
    let item: ItemId = field("item").parse().map_err(|_| "请选择要下放的事项。".to_owned())?;
    let mode = match field("mode") {
        "window_forward" => GrantMode::WindowForward,
        "review_power" => GrantMode::ReviewPower,
        "direct" => GrantMode::Direct,
        "entrusted" => GrantMode::Entrusted,
        _ => return Err("请选择下放方式。".to_owned()),
    };
    // Each document only with its mode, and then whole: the use case checks what the law
    // requires of each mode (处罚法第二十四条, 许可法第二十四条, 强制法第十七条) and refuses
    // what is missing.
    let provincial_decision = match mode {
        GrantMode::Direct if filled(fields, "decision_") => Some(provincial_decision(fields)?),
        _ => None,
    };
    let entrustment = match mode {
        GrantMode::Entrusted if filled(fields, "entrust_") => Some(entrustment(fields)?),
        _ => None,
    };
    let own_name_basis = match mode {
        GrantMode::Direct if filled(fields, "own_") => Some(own_name_basis(fields)?),
        _ => None,
    };
    let mut towns = Vec::new();
    for key in fields.keys() {
        if let Some(town) = key.strip_prefix("town:") {
            towns.push(town.parse::<UnitId>().map_err(|_| "所选乡镇不正确。".to_owned())?);
        }
    }
    towns.sort();
    Ok(GrantRequest {
        item,
        from,
        towns,
        mode,
        effective_from: forms::date(fields, "effective_from")?
            .ok_or_else(|| "请填写生效日期。".to_owned())?,
        batch: field("batch").to_owned(),
        confirmation_doc: Some(field("confirmation_doc").to_owned()).filter(|d| !d.is_empty()),
        provincial_decision,
        entrustment,
        own_name_basis,
    })
}

/// Whether any field named `prefix…` was filled in.
fn filled(fields: &Fields, prefix: &str) -> bool {
    fields.iter().any(|(k, v)| k.starts_with(prefix) && !v.trim().is_empty())
}

/// A required date of a document, named in the message.
fn required_date(fields: &Fields, key: &str, what: &str) -> Result<NaiveDate, String> {
    forms::date(fields, key)?.ok_or_else(|| format!("请填写{what}。"))
}

/// A document number (文号), named in the message.
fn doc_no(fields: &Fields, key: &str, what: &str) -> Result<quanze_core::DocNo, String> {
    quanze_core::DocNo::parse(forms::field(fields, key))
        .map_err(|_| format!("{what}的文号不正确（如：浙政发〔2025〕12号）。"))
}

/// 省级赋权决定 from `decision_*`.
fn provincial_decision(fields: &Fields) -> Result<ProvincialDecision, String> {
    Ok(ProvincialDecision {
        issuer: Issuer {
            name: forms::field(fields, "decision_issuer").to_owned(),
            region: forms::field(fields, "decision_region")
                .parse()
                .map_err(|_| "作出决定的省级机关所在地区代码应为6位数字。".to_owned())?,
        },
        doc_no: doc_no(fields, "decision_doc", "省级决定")?,
        published_on: required_date(fields, "decision_published", "省级决定的公布日期")?,
        next_evaluation: required_date(fields, "decision_next_evaluation", "下次定期评估日期")?,
    })
}

/// 委托书 from `entrust_*`.
fn entrustment(fields: &Fields) -> Result<Entrustment, String> {
    Ok(Entrustment {
        doc_no: doc_no(fields, "entrust_doc", "委托书")?,
        matters: forms::field(fields, "entrust_matters").to_owned(),
        scope: forms::field(fields, "entrust_scope").to_owned(),
        term_from: required_date(fields, "entrust_from", "委托期限的起始日期")?,
        term_until: required_date(fields, "entrust_until", "委托期限的截止日期")?,
        published_on: required_date(fields, "entrust_published", "委托的公布日期")?,
    })
}

/// 以自己名义行使的法定依据 from `own_*`.
fn own_name_basis(fields: &Fields) -> Result<OwnNameBasis, String> {
    let kind = match forms::field(fields, "own_kind") {
        "by_law" => OwnNameBasisKind::ByLaw,
        "concentrated_licensing" => OwnNameBasisKind::ConcentratedLicensing,
        "concentrated_enforcement" => OwnNameBasisKind::ConcentratedEnforcement,
        _ => return Err("请选择以自己名义行使的法定依据种类。".to_owned()),
    };
    // One citation as lists give it: 《中华人民共和国行政许可法》第二十三条.
    let mut cited = LegalRef::parse_many(forms::field(fields, "own_basis")).into_iter();
    let (Some(basis), None) = (cited.next(), cited.next()) else {
        return Err("请填写一条授权依据，如：《中华人民共和国行政许可法》第二十三条。".to_owned());
    };
    let doc_no = match forms::field(fields, "own_doc") {
        "" => None,
        _ => Some(doc_no(fields, "own_doc", "集中行使的决定")?),
    };
    Ok(OwnNameBasis { kind, basis, doc_no })
}

async fn create(
    State(st): State<AppState>,
    Staff(user): Staff,
    form: Result<axum::Form<Fields>, FormRejection>,
) -> Response {
    let fields = match forms::fields(form) {
        ControlFlow::Continue(fields) => fields,
        ControlFlow::Break(page) => return page,
    };
    let outcome = match grant_request(&fields) {
        Ok(request) => st.service.grant_from_form(&user, request).await.map_err(ApiError::from),
        Err(message) => Err(forms::malformed(message)),
    };
    let refusal = match forms::settle(outcome, |view| {
        format!("/staff/grants/{}?done=granted", view.grant.id)
    }) {
        ControlFlow::Continue(refusal) => refusal,
        ControlFlow::Break(done) => return done,
    };
    let department = fields.get("from").and_then(|f| f.parse().ok());
    match st.service.grant_form(department) {
        Ok(form) => render(
            refusal.status(),
            &NewView {
                form,
                typed: fields,
                error: Some(refusal.page_message().to_owned()),
                username: user.username.to_string(),
            },
        ),
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}

/// What each form does, and what the page says once it is done.
const DONE: [(&str, &str); 4] = [
    ("granted", "赋权已记录：各乡镇完成承接准备后起行使。"),
    ("readiness", "承接准备情况已记录。"),
    ("override", "已批准特批承接。"),
    ("reclaim", "已收回。"),
];

#[derive(Template)]
#[template(path = "staff/grant.html")]
struct PageView {
    g: GrantPage,
    done: Option<&'static str>,
    /// The town and form refused, and the message.
    refused: Option<(UnitId, String, String)>,
    typed: Fields,
    today: NaiveDate,
    username: String,
}

impl PageView {
    fn refusal(&self, town: &UnitId, op: &str) -> Option<&str> {
        self.refused.as_ref().filter(|(t, o, _)| t == town && o == op).map(|(_, _, m)| m.as_str())
    }

    fn kept(&self, town: &UnitId, op: &str, field: &str) -> &str {
        if self.refusal(town, op).is_some() { forms::field(&self.typed, field) } else { "" }
    }

    fn ticked(&self, town: &UnitId, field: &str) -> bool {
        self.refusal(town, "readiness").is_some() && self.typed.contains_key(field)
    }
}

async fn page(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(id): PagePath<GrantId>,
    PageQuery(q): PageQuery<DateQuery>,
) -> Response {
    match st.service.grant_page(&user, id, q.date) {
        Ok(g) => {
            let done = q.done.as_deref().and_then(|d| DONE.iter().find(|(k, _)| *k == d));
            let view = PageView {
                g,
                done: done.map(|(_, label)| *label),
                refused: None,
                typed: Fields::new(),
                today: st.service.today(),
                username: user.username.to_string(),
            };
            render(StatusCode::OK, &view)
        }
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}

fn readiness_form(fields: &Fields) -> Result<ReadinessForm, String> {
    let field = |k: &str| forms::field(fields, k).to_owned();
    Ok(ReadinessForm {
        staff_name: field("staff_name"),
        course: field("course"),
        trained_on: forms::date(fields, "trained_on")?,
        system_access: fields.contains_key("system_access"),
        seal: fields.contains_key("seal"),
        funding: fields.contains_key("funding"),
        guidance_doc: field("guidance_doc"),
        confirmed_on: forms::date(fields, "confirmed_on")?,
        officers: vec![
            (field("officer1_name"), field("officer1_certificate")),
            (field("officer2_name"), field("officer2_certificate")),
        ],
    })
}

async fn act(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath((id, town, op)): PagePath<(GrantId, UnitId, String)>,
    form: Result<axum::Form<Fields>, FormRejection>,
) -> Response {
    let fields = match forms::fields(form) {
        ControlFlow::Continue(fields) => fields,
        ControlFlow::Break(page) => return page,
    };
    let reason = forms::field(&fields, "reason").to_owned();
    let service = &st.service;
    let outcome: Result<(), ApiError> = match op.as_str() {
        "readiness" => match readiness_form(&fields) {
            Ok(form) => service
                .readiness_from_form(&user, id, town, form)
                .await
                .map(|_| ())
                .map_err(ApiError::from),
            Err(message) => Err(forms::malformed(message)),
        },
        "override" | "reclaim" => match forms::date(&fields, "effective_on") {
            Ok(Some(on)) if op == "override" => service
                .override_readiness(&user, id, town, &reason, on)
                .await
                .map(|_| ())
                .map_err(ApiError::from),
            Ok(Some(on)) => {
                let doc = Some(forms::field(&fields, "doc").to_owned()).filter(|d| !d.is_empty());
                service
                    .reclaim(&user, id, town, on, &reason, doc)
                    .await
                    .map(|_| ())
                    .map_err(ApiError::from)
            }
            Ok(None) => Err(forms::malformed("请填写生效日期。")),
            Err(message) => Err(forms::malformed(message)),
        },
        _ => return error_page(StatusCode::NOT_FOUND, "没有找到", "没有这个操作。"),
    };
    let refusal =
        match forms::settle(outcome, |()| format!("/staff/grants/{id}?done={op}#town-{town}")) {
            ControlFlow::Continue(refusal) => refusal,
            ControlFlow::Break(done) => return done,
        };
    match st.service.grant_page(&user, id, None) {
        Ok(g) => {
            let view = PageView {
                g,
                done: None,
                refused: Some((town, op, refusal.page_message().to_owned())),
                typed: fields,
                today: st.service.today(),
                username: user.username.to_string(),
            };
            render(refusal.status(), &view)
        }
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}
