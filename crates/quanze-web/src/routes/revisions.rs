//! 调整方案办理 — the staff's pages for list revisions: every change set by stage; drafting
//! one (choose a list, then say for each item what changes); and one change set with the
//! forms its stage and the signed-in account's roles allow — send an opinion round, reply for
//! a unit, resolve opinions, urge, close the round, open 公示 and answer comments, submit for
//! legality review, give verdicts, submit for approval, countersign, approve, publish, return
//! or withdraw. Every form posts one operation, which the service checks as it checks the
//! API's; success redirects back to the page (POST-redirect-GET), a refusal shows the page
//! again with the message beside the form and the text as typed.

use std::collections::HashMap;
use std::ops::ControlFlow;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use quanze_core::{ChangeSetId, ItemId, ListId, OpinionId, ResolutionKind, UnitId};
use quanze_service::changesets::{ChangeSetCommand, OpinionInput, StanceKind};
use quanze_service::views::{ChangeSetLine, ChangeSetPage, DraftRequest, DraftingForm, ItemEdit};
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
        .route("/staff/change-sets", get(index).post(create))
        .route("/staff/change-sets/new", get(new_form))
        .route("/staff/change-sets/{id}", get(page))
        .route("/staff/change-sets/{id}/act", post(act))
}

#[derive(Template)]
#[template(path = "staff/change_sets.html")]
struct IndexView {
    sets: Vec<ChangeSetLine>,
    may_draft: bool,
    username: String,
}

async fn index(State(st): State<AppState>, Staff(user): Staff) -> Response {
    match st.service.change_set_lines().await {
        Ok(sets) => render(
            StatusCode::OK,
            &IndexView {
                sets,
                may_draft: user.require_act(quanze_core::access::Act::DraftChangeSet, None).is_ok(),
                username: user.username.to_string(),
            },
        ),
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}

/// What the drafting form was filled with, kept when it is refused.
#[derive(Debug, Default)]
struct Typed {
    title: String,
    effective_on: String,
    reason: String,
    basis: String,
    /// Per item: the action chosen and the new text.
    edits: HashMap<String, (String, String)>,
}

impl Typed {
    fn action(&self, item: &ItemId) -> &str {
        self.edits.get(&item.to_string()).map_or("", |(a, _)| a.as_str())
    }

    fn text(&self, item: &ItemId) -> &str {
        self.edits.get(&item.to_string()).map_or("", |(_, t)| t.as_str())
    }
}

#[derive(Template)]
#[template(path = "staff/change_set_new.html")]
struct NewView {
    form: DraftingForm,
    typed: Typed,
    error: Option<String>,
    username: String,
}

#[derive(Debug, Default, Deserialize)]
struct NewQuery {
    list: Option<ListId>,
}

async fn new_form(
    State(st): State<AppState>,
    Staff(user): Staff,
    PageQuery(q): PageQuery<NewQuery>,
) -> Response {
    match st.service.drafting_form(q.list) {
        Ok(form) => {
            let typed = Typed {
                title: form
                    .list
                    .as_ref()
                    .map(|(_, name)| format!("关于调整{name}的方案"))
                    .unwrap_or_default(),
                ..Typed::default()
            };
            let view = NewView { form, typed, error: None, username: user.username.to_string() };
            render(StatusCode::OK, &view)
        }
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}

/// The drafting form as posted: fixed fields, and `action:<item>` / `text:<item>` pairs.
fn typed_draft(fields: &Fields) -> Typed {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut edits = HashMap::new();
    for (key, value) in fields {
        if let Some(item) = key.strip_prefix("action:") {
            let text = fields.get(&format!("text:{item}")).cloned().unwrap_or_default();
            edits.insert(item.to_owned(), (value.clone(), text));
        }
    }
    Typed {
        title: get("title"),
        effective_on: get("effective_on"),
        reason: get("reason"),
        basis: get("basis"),
        edits,
    }
}

/// The request a filled drafting form makes, or the message for the field that is wrong.
fn draft_request(list: ListId, typed: &Typed) -> Result<DraftRequest, String> {
    let effective_on = NaiveDate::parse_from_str(typed.effective_on.trim(), "%Y-%m-%d")
        .map_err(|_| "生效日期应为 2026-07-01 这样的日期。".to_owned())?;
    let mut edits = Vec::new();
    for (item, (action, text)) in &typed.edits {
        let edit = match action.as_str() {
            "" => continue,
            "office" => ItemEdit::Office(text.trim().to_owned()),
            "rename" => ItemEdit::Rename(text.trim().to_owned()),
            "remove" => ItemEdit::Remove,
            _ => return Err("所选的调整方式不正确，请重新选择。".to_owned()),
        };
        let item: ItemId = item.parse().map_err(|_| "所选事项不正确，请重新选择。".to_owned())?;
        edits.push((item, edit));
    }
    edits.sort_by_key(|(item, _)| *item);
    Ok(DraftRequest {
        title: typed.title.trim().to_owned(),
        effective_on,
        list,
        reason: typed.reason.trim().to_owned(),
        basis: typed.basis.trim().to_owned(),
        edits,
    })
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
    let Some(list) = fields.get("list").and_then(|l| l.parse::<ListId>().ok()) else {
        return error_page(StatusCode::BAD_REQUEST, "无法提交", "请先选择要调整的清单。");
    };
    let typed = typed_draft(&fields);
    let outcome = match draft_request(list, &typed) {
        Ok(request) => st.service.draft_edits(&user, request).await.map_err(ApiError::from),
        Err(message) => Err(forms::malformed(message)),
    };
    match forms::settle(outcome, |receipt| {
        format!("/staff/change-sets/{}?done=drafted", receipt.change_set.set.id)
    }) {
        ControlFlow::Break(done) => done,
        ControlFlow::Continue(refusal) => match st.service.drafting_form(Some(list)) {
            Ok(form) => render(
                refusal.status(),
                &NewView {
                    form,
                    typed,
                    error: Some(refusal.page_message().to_owned()),
                    username: user.username.to_string(),
                },
            ),
            Err(e) => api_error_page(&ApiError::from(e)),
        },
    }
}

/// The operations the page's forms post, with what the page says once one is done.
const DONE: [(&str, &str); 18] = [
    ("drafted", "调整方案已起草。"),
    ("item", "事项已写入调整方案。"),
    ("withdrawn_change", "已撤下该项调整。"),
    ("send_round", "已发起征求意见。"),
    ("reply", "意见已反馈。"),
    ("resolve", "意见已办理。"),
    ("urge", "已催办未反馈的单位。"),
    ("close_round", "本轮征求意见已结束。"),
    ("open_comment", "已发起公示。"),
    ("answer", "公众意见已答复。"),
    ("submit_for_review", "已提交合法性审查。"),
    ("verdict", "审查意见已记录。"),
    ("submit_for_approval", "已提交审定。"),
    ("countersign", "已会签。"),
    ("approve", "已审定。"),
    ("publish", "已公布，清单新版本已生效。"),
    ("return", "已退回。"),
    ("withdraw", "已撤回。"),
];

#[derive(Template)]
#[template(path = "staff/change_set.html")]
struct PageView {
    p: ChangeSetPage,
    done: Option<&'static str>,
    /// The operation refused, its message, and the form as posted.
    refused: Option<(String, String)>,
    typed: Fields,
    /// The lists a draft may add items to (drafting only).
    lists: Vec<(ListId, String)>,
    username: String,
}

impl PageView {
    /// A field's value before or after a change, as text.
    fn shown(&self, value: &serde_json::Value) -> String {
        match value {
            serde_json::Value::Null => "（无）".to_owned(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    /// The refusal's message if `action`'s form was the one refused.
    fn refusal(&self, action: &str) -> Option<&str> {
        self.refused.as_ref().filter(|(a, _)| a == action).map(|(_, m)| m.as_str())
    }

    /// What was typed into `field` of `action`'s form, when that form was refused.
    fn kept(&self, action: &str, field: &str) -> &str {
        if self.refusal(action).is_some() {
            self.typed.get(field).map_or("", String::as_str)
        } else {
            ""
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct PageQueryParams {
    done: Option<String>,
}

async fn page(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(id): PagePath<ChangeSetId>,
    PageQuery(q): PageQuery<PageQueryParams>,
) -> Response {
    match st.service.change_set_page(&user, id).await {
        Ok(p) => {
            let lists = revisable_lists(&st, &p);
            let done = q.done.as_deref().and_then(|d| DONE.iter().find(|(k, _)| *k == d));
            let view = PageView {
                p,
                done: done.map(|(_, label)| *label),
                refused: None,
                typed: Fields::new(),
                lists,
                username: user.username.to_string(),
            };
            render(StatusCode::OK, &view)
        }
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}

/// The lists the page offers for a new item, when the change set is being drafted.
fn revisable_lists(st: &AppState, p: &ChangeSetPage) -> Vec<(ListId, String)> {
    if !p.may.revise {
        return Vec::new();
    }
    st.service.drafting_form(None).map(|f| f.lists).unwrap_or_default()
}

/// A form's operation as the service takes it, or the message for what is malformed.
fn command(form: &Fields) -> Result<ChangeSetCommand, String> {
    let field = |k: &str| forms::field(form, k);
    let unit = || field("unit").parse::<UnitId>().map_err(|_| "请选择单位。".to_owned());
    let date = |k: &str| forms::date(form, k)?.ok_or_else(|| "请填写日期。".to_owned());
    let opinion =
        |k: &str| field(k).parse::<OpinionId>().map_err(|_| "所选意见不正确。".to_owned());
    let kind = || match field("kind") {
        "adopted" => Ok(ResolutionKind::Adopted),
        "partly_adopted" => Ok(ResolutionKind::PartlyAdopted),
        "not_adopted" => Ok(ResolutionKind::NotAdopted),
        _ => Err("请选择办理结果（采纳、部分采纳或不予采纳）。".to_owned()),
    };
    let item = || match field("item") {
        "" => Ok(None),
        raw => raw.parse::<ItemId>().map(Some).map_err(|_| "所选事项不正确。".to_owned()),
    };
    Ok(match field("action") {
        "send_round" => ChangeSetCommand::SendRound {
            units: None,
            working_days: match field("working_days") {
                "" => None,
                raw => Some(
                    raw.parse::<u32>()
                        .ok()
                        .filter(|d| (1..=60).contains(d))
                        .ok_or("反馈期限应为 1 至 60 个工作日。")?,
                ),
            },
        },
        "reply" => {
            let stance = match field("stance") {
                "agree" => StanceKind::Agree,
                "amend" => StanceKind::Amend,
                "object" => StanceKind::Object,
                "none" => {
                    return Ok(ChangeSetCommand::Reply { unit: unit()?, opinions: Vec::new() });
                }
                _ => return Err("请选择意见类型。".to_owned()),
            };
            let proposed = Some(field("proposed").to_owned()).filter(|p| !p.is_empty());
            ChangeSetCommand::Reply {
                unit: unit()?,
                opinions: vec![OpinionInput {
                    item: item()?,
                    stance,
                    proposed,
                    reason: field("reason").to_owned(),
                }],
            }
        }
        "resolve" => ChangeSetCommand::Resolve {
            opinion: opinion("opinion")?,
            kind: kind()?,
            reason: field("reason").to_owned(),
        },
        "urge" => ChangeSetCommand::Urge,
        "close_round" => ChangeSetCommand::CloseRound,
        "open_comment" => ChangeSetCommand::OpenComment { until: date("until")? },
        "answer" => ChangeSetCommand::Answer {
            comment: opinion("comment")?,
            kind: kind()?,
            text: field("text").to_owned(),
        },
        "submit_for_review" => ChangeSetCommand::SubmitForReview,
        "verdict" => ChangeSetCommand::Verdict {
            item: field("item").parse().map_err(|_| "所选事项不正确。".to_owned())?,
            pass: match field("pass") {
                "1" => true,
                "0" => false,
                _ => return Err("请选择通过或不通过。".to_owned()),
            },
            reason: field("reason").to_owned(),
        },
        "submit_for_approval" => ChangeSetCommand::SubmitForApproval,
        "countersign" => ChangeSetCommand::Countersign { unit: unit()? },
        "approve" => ChangeSetCommand::Approve {
            meeting: field("meeting").to_owned(),
            decided_on: date("decided_on")?,
            doc_no: field("doc_no").to_owned(),
        },
        "publish" => ChangeSetCommand::Publish,
        "return" => ChangeSetCommand::Return {
            to: field("to").to_owned(),
            reason: field("reason").to_owned(),
        },
        "withdraw" => ChangeSetCommand::Withdraw { reason: field("reason").to_owned() },
        _ => return Err("不支持的操作。".to_owned()),
    })
}

async fn act(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(id): PagePath<ChangeSetId>,
    form: Result<axum::Form<Fields>, FormRejection>,
) -> Response {
    let form = match forms::fields(form) {
        ControlFlow::Continue(fields) => fields,
        ControlFlow::Break(page) => return page,
    };
    let action = form.get("action").cloned().unwrap_or_default();
    let outcome = match command(&form) {
        Ok(cmd) => st
            .service
            .act_on_change_set(Some(&user), id, cmd)
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        Err(message) => Err(forms::malformed(message)),
    };
    let done = DONE.iter().find(|(k, _)| *k == action).map_or("", |(k, _)| k);
    let refusal = match forms::settle(outcome, |()| format!("/staff/change-sets/{id}?done={done}"))
    {
        ControlFlow::Continue(refusal) => refusal,
        ControlFlow::Break(done) => return done,
    };
    match st.service.change_set_page(&user, id).await {
        Ok(p) => {
            let lists = revisable_lists(&st, &p);
            let view = PageView {
                p,
                done: None,
                refused: Some((action, refusal.page_message().to_owned())),
                lists,
                typed: form,
                username: user.username.to_string(),
            };
            render(refusal.status(), &view)
        }
        Err(e) => api_error_page(&ApiError::from(e)),
    }
}
