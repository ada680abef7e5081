//! 事项编辑 — the staff's item editor: a new item for a list, or the whole content of one of its
//! items, drafted into a new change set (`/staff/change-sets/new/item`) or into a change set
//! still being drafted (`/staff/change-sets/{id}/item`), and a change taken out of a draft.
//! Each field is a column of the list template and reads as its cell does
//! (`quanze_exchange::import_form`); a field that cannot be read is named beside itself, with
//! everything typed kept. Success redirects to the change set (POST-redirect-GET).

use std::collections::HashMap;
use std::ops::ControlFlow;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use quanze_core::{ChangeSetId, ExerciseLevel, ItemId, ListId, PowerCategory, PowerSource};
use quanze_exchange::Column;
use quanze_service::ServiceError;
use quanze_service::views::{DraftTarget, ItemDraft, ItemEditor};
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::{self, Lang, filters};
use crate::routes::forms::{self, Fields};
use crate::routes::portal::{PagePath, PageQuery, api_error_page, render};
use crate::session::Staff;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/change-sets/new/item", get(new_page).post(new_post))
        .route("/staff/change-sets/{id}/item", get(draft_page).post(draft_post))
        .route("/staff/change-sets/{id}/withdraw-change", post(withdraw_change))
}

/// The prefix of a field's name: `col:设定依据`.
const FIELD: &str = "col:";

/// How a clerk writes each field (the template's cell grammar), shown under it.
fn hint(col: Column) -> &'static str {
    match col {
        Column::Category => "如：行政许可、行政处罚、行政检查、公共服务",
        Column::Name => "主项名称；有子项的，子项名称填在下一栏",
        Column::LegalBasis => "每行一条：《法律名称》第N条第N款，可在其后写条文内容",
        Column::Holder | Column::Lead | Column::Receiver => "填写单位全称",
        Column::DutyKind => "基本履职、配合履职或上级部门收回",
        Column::Cooperation => "每行一个单位：单位名称：配合职责",
        Column::Source => "法定本级行使、上级下放、上级委托或其他",
        Column::Level => "如：县级、乡级",
        Column::Responsibilities => "每行一个环节：1.受理责任：……",
        Column::ResponsibilityBasis | Column::AccountabilityBasis => "按环节或情形逐条填写依据",
        Column::AccountabilitySituations => "每行一种情形：1.对符合法定条件的申请不予受理的",
        Column::AccountabilityParties => "如：法定代表人、分管负责人、具体承办人",
        Column::Materials => "每行一件：名称【纸质，2份，非必要，共享获取】",
        Column::StatutoryLimit | Column::CommittedLimit => "如：20个工作日",
        Column::Fee => "不收费，或收费标准及依据",
        Column::Channels => "如：窗口办理、网上办理",
        Column::Trips => "到办事现场的次数，如：0、1",
        Column::Sessions => "定期审批的，如：每周二、周五",
        _ => "",
    }
}

/// Whether a field holds several lines.
fn multiline(col: Column) -> bool {
    matches!(
        col,
        Column::LegalBasis
            | Column::Cooperation
            | Column::Responsibilities
            | Column::ResponsibilityBasis
            | Column::AccountabilitySituations
            | Column::AccountabilityBasis
            | Column::AccountabilityParties
            | Column::Conditions
            | Column::Materials
            | Column::Remarks
    )
}

/// The choices a field offers as a datalist, by the list's id.
fn choices(col: Column) -> Option<&'static str> {
    match col {
        Column::Category => Some("categories"),
        Column::Holder | Column::Lead | Column::Receiver => Some("units"),
        Column::Source => Some("sources"),
        Column::Level => Some("levels"),
        Column::DutyKind => Some("duties"),
        _ => None,
    }
}

/// One field of the editor.
struct FieldView {
    /// The column's header: the label, and the field's name after [`FIELD`].
    header: &'static str,
    id: String,
    text: String,
    hint: &'static str,
    multiline: bool,
    choices: Option<&'static str>,
    /// What is wrong with it, in the page's language.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/item_editor.html")]
struct EditorView {
    e: ItemEditor,
    fields: Vec<FieldView>,
    /// The form's action.
    action: String,
    /// The new change set's title and date (a new change set only).
    title: String,
    effective_on: String,
    reason: String,
    basis: String,
    /// Problems not at one field, and a refusal of the change set's rules.
    errors: Vec<String>,
    /// The list's items, to choose one to amend instead (a draft's editor for a new item).
    items: Vec<(ItemId, String)>,
    categories: Vec<&'static str>,
    sources: Vec<&'static str>,
    levels: Vec<&'static str>,
    duties: Vec<&'static str>,
    username: String,
}

impl EditorView {
    fn new(e: ItemEditor, action: String, username: String) -> EditorView {
        let fields = e
            .cells
            .iter()
            .enumerate()
            .map(|(i, (col, text))| FieldView {
                header: col.header(),
                id: format!("f{i}"),
                text: text.clone(),
                hint: hint(*col),
                multiline: multiline(*col),
                choices: choices(*col),
                error: None,
            })
            .collect();
        let title = if e.set.is_none() {
            format!("关于调整{}的方案", e.list.1)
        } else {
            String::new()
        };
        EditorView {
            reason: e.reason.clone(),
            basis: e.basis.clone(),
            fields,
            action,
            title,
            effective_on: String::new(),
            errors: Vec::new(),
            items: Vec::new(),
            categories: PowerCategory::ALL.iter().map(|c| c.zh()).collect(),
            sources: PowerSource::ALL.iter().map(|s| s.zh()).collect(),
            levels: ExerciseLevel::ALL.iter().map(|l| l.zh()).collect(),
            duties: vec!["基本履职", "配合履职", "上级部门收回"],
            username,
            e,
        }
    }

    /// Puts back what was typed, with each problem beside its field and `others` above them.
    fn refill(
        &mut self,
        typed: &Fields,
        problems: &[quanze_service::error::Problem],
        others: Vec<String>,
    ) {
        for f in &mut self.fields {
            if let Some(text) = typed.get(&format!("{FIELD}{}", f.header)) {
                f.text.clone_from(text);
            }
        }
        let get = |k: &str| typed.get(k).cloned().unwrap_or_default();
        (self.title, self.effective_on) = (get("title"), get("effective_on"));
        (self.reason, self.basis) = (get("reason"), get("basis"));
        self.errors = others;
        let english = i18n::current() == Lang::En;
        for p in problems {
            let message = if english { &p.message_en } else { &p.message_zh };
            let at =
                p.column.as_deref().and_then(|c| self.fields.iter_mut().find(|f| f.header == c));
            match at {
                Some(f) => match f.error.as_mut() {
                    Some(e) => {
                        e.push_str(if english { "; " } else { "；" });
                        e.push_str(message);
                    }
                    None => f.error = Some(message.clone()),
                },
                None => self.errors.push(message.clone()),
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct EditorQuery {
    list: Option<ListId>,
    item: Option<ItemId>,
}

async fn editor(
    st: &AppState,
    set: Option<ChangeSetId>,
    q: &EditorQuery,
    username: String,
) -> Result<EditorView, ApiError> {
    let Some(list) = q.list else {
        return Err(forms::malformed("请先选择要调整的清单。"));
    };
    let e = st.service.item_editor(list, set, q.item).await?;
    let mut action = match set {
        Some(id) => format!("/staff/change-sets/{id}/item?list={list}"),
        None => format!("/staff/change-sets/new/item?list={list}"),
    };
    if let Some(item) = q.item {
        action.push_str(&format!("&item={item}"));
    }
    let mut view = EditorView::new(e, action, username);
    if set.is_some() && q.item.is_none() {
        view.items = st
            .service
            .drafting_form(Some(list))?
            .items
            .into_iter()
            .map(|i| (i.item, i.name))
            .collect();
    }
    Ok(view)
}

async fn new_page(
    State(st): State<AppState>,
    Staff(user): Staff,
    PageQuery(q): PageQuery<EditorQuery>,
) -> Response {
    match editor(&st, None, &q, user.username.to_string()).await {
        Ok(view) => render(StatusCode::OK, &view),
        Err(e) => api_error_page(&e),
    }
}

async fn draft_page(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(id): PagePath<ChangeSetId>,
    PageQuery(q): PageQuery<EditorQuery>,
) -> Response {
    match editor(&st, Some(id), &q, user.username.to_string()).await {
        Ok(view) => render(StatusCode::OK, &view),
        Err(e) => api_error_page(&e),
    }
}

/// The fields of the form by column, as posted.
fn cells(e: &ItemEditor, typed: &Fields) -> Vec<(Column, String)> {
    e.cells
        .iter()
        .map(|(col, _)| {
            let text = typed.get(&format!("{FIELD}{}", col.header())).cloned().unwrap_or_default();
            (*col, text)
        })
        .collect()
}

async fn post_item(
    st: AppState,
    user: quanze_service::CurrentUser,
    set: Option<ChangeSetId>,
    q: EditorQuery,
    form: Result<axum::Form<Fields>, FormRejection>,
) -> Response {
    let typed = match forms::fields(form) {
        ControlFlow::Continue(fields) => fields,
        ControlFlow::Break(page) => return page,
    };
    let username = user.username.to_string();
    let mut view = match editor(&st, set, &q, username).await {
        Ok(view) => view,
        Err(e) => return api_error_page(&e),
    };
    let target = match set {
        Some(id) => Ok(DraftTarget::Draft(id)),
        None => forms::date(&typed, "effective_on").and_then(|d| {
            d.map(|effective_on| DraftTarget::New {
                title: forms::field(&typed, "title").to_owned(),
                effective_on,
            })
            .ok_or_else(|| "请填写生效日期。".to_owned())
        }),
    };
    let outcome = match target {
        Ok(target) => {
            let draft = ItemDraft {
                target,
                list: view.e.list.0,
                item: q.item,
                cells: cells(&view.e, &typed),
                reason: forms::field(&typed, "reason").to_owned(),
                basis: forms::field(&typed, "basis").to_owned(),
            };
            st.service.draft_item(&user, draft).await
        }
        Err(message) => Err(ServiceError::rejected(
            quanze_service::ErrorCode::InvalidInput,
            message,
            "the effective date is missing or malformed",
        )),
    };
    let refusal = match outcome {
        Ok(receipt) => {
            let to = format!("/staff/change-sets/{}?done=item", receipt.change_set.set.id);
            return Redirect::to(&to).into_response();
        }
        Err(e) => e,
    };
    let (status, problems, others) = match refusal {
        ServiceError::ImportProblems { problems } => {
            (StatusCode::UNPROCESSABLE_ENTITY, problems, Vec::new())
        }
        other => {
            let api = ApiError::from(other);
            if api.status().is_server_error() {
                return api_error_page(&api);
            }
            (api.status(), Vec::new(), vec![api.page_message().to_owned()])
        }
    };
    view.refill(&typed, &problems, others);
    render(status, &view)
}

async fn new_post(
    State(st): State<AppState>,
    Staff(user): Staff,
    PageQuery(q): PageQuery<EditorQuery>,
    form: Result<axum::Form<Fields>, FormRejection>,
) -> Response {
    post_item(st, user, None, q, form).await
}

async fn draft_post(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(id): PagePath<ChangeSetId>,
    PageQuery(q): PageQuery<EditorQuery>,
    form: Result<axum::Form<Fields>, FormRejection>,
) -> Response {
    post_item(st, user, Some(id), q, form).await
}

async fn withdraw_change(
    State(st): State<AppState>,
    Staff(user): Staff,
    PagePath(id): PagePath<ChangeSetId>,
    form: Result<axum::Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let typed = match forms::fields(form) {
        ControlFlow::Continue(fields) => fields,
        ControlFlow::Break(page) => return page,
    };
    let outcome = match forms::field(&typed, "index").parse::<usize>() {
        Ok(index) => st.service.withdraw_change(&user, id, index).await.map_err(ApiError::from),
        Err(_) => Err(forms::malformed("请选择要撤下的调整。")),
    };
    match forms::settle(outcome, |_| format!("/staff/change-sets/{id}?done=withdrawn_change")) {
        ControlFlow::Break(done) => done,
        ControlFlow::Continue(refusal) => api_error_page(&refusal),
    }
}
