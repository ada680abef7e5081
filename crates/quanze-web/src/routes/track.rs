//! 办件查询与评价 — the applicant's side, no account: the receipt number and the access code
//! given at intake open the case's progress (its deadlines and each step, no one's personal
//! data in clear), and an ended case can be rated (一事一评). Both are forms posted over
//! POST so that the access code never sits in an address; a wrong number and a wrong code
//! get the same answer.

use askama::Template;
use axum::Router;
use axum::extract::Multipart;
use axum::extract::State;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use quanze_core::case::CaseCommand;
use quanze_core::case::rating::{ComplaintKind, RatingChannel, RatingLevel};
use quanze_service::cases::CaseCaller;
use quanze_service::views::cases::{CaseView, ComplaintRequest, RatingRequest};
use quanze_service::views::materials::MaterialUpload;
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::filters;
use crate::routes::forms::{self, Fields};
use crate::routes::portal::{PageQuery, error_page, render};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/track", get(track_page).post(track))
        .route("/track/rate", axum::routing::post(rate))
        .route("/track/supply", axum::routing::post(supply))
        .route("/track/complain", axum::routing::post(complain))
}

/// A rating level for the form: value (its name in the API) and label.
struct Level {
    value: String,
    label: &'static str,
}

fn levels() -> Vec<Level> {
    RatingLevel::ALL
        .iter()
        .rev()
        .map(|l| Level {
            value: serde_json::to_value(l)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            label: l.zh(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portal/track.html")]
struct TrackView {
    receipt: String,
    code: String,
    error: Option<String>,
    case: Option<CaseView>,
    rating_error: Option<String>,
    rated: bool,
    levels: Vec<Level>,
    /// The guide's materials, for the correction's upload form.
    materials: Vec<String>,
    supply_error: Option<String>,
    supplied: bool,
    /// The complaint refused, and what was typed.
    complaint_error: Option<(String, String)>,
    /// The day a complaint just filed will be answered by.
    complained: Option<NaiveDate>,
}

impl TrackView {
    fn empty() -> TrackView {
        TrackView {
            receipt: String::new(),
            code: String::new(),
            error: None,
            case: None,
            rating_error: None,
            rated: false,
            levels: levels(),
            materials: Vec::new(),
            supply_error: None,
            supplied: false,
            complaint_error: None,
            complained: None,
        }
    }

    /// The page of an opened case, with what was typed to open it.
    fn opened(receipt: &str, code: &str, case: CaseView) -> TrackView {
        TrackView {
            receipt: receipt.trim().to_owned(),
            code: code.trim().to_owned(),
            case: Some(case),
            ..TrackView::empty()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct TrackQuery {
    rated: Option<u8>,
    supplied: Option<u8>,
    complained: Option<NaiveDate>,
}

async fn track_page(PageQuery(q): PageQuery<TrackQuery>) -> Response {
    let mut view = TrackView::empty();
    view.rated = q.rated.is_some();
    view.supplied = q.supplied.is_some();
    view.complained = q.complained;
    render(StatusCode::OK, &view)
}

#[derive(Debug, Deserialize)]
struct TrackForm {
    #[serde(default)]
    receipt: String,
    #[serde(default)]
    code: String,
}

/// The case for its applicant, or the form again with the one message for any mismatch.
async fn open_case(st: &AppState, receipt: &str, code: &str) -> Result<CaseView, Response> {
    match st.service.case_for_applicant(receipt.trim(), code.trim()).await {
        Ok(case) => Ok(case),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status().is_server_error() {
                return Err(crate::routes::portal::api_error_page(&e));
            }
            let mut view = TrackView::empty();
            view.receipt = receipt.to_owned();
            view.error = Some("受理单号或查询码不正确，请核对回执上的号码。".to_owned());
            Err(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
    }
}

async fn track(
    State(st): State<AppState>,
    form: Result<axum::Form<TrackForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(axum::Form(form)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "无法查询", "表单内容不完整，请返回重新填写。");
    };
    match open_case(&st, &form.receipt, &form.code).await {
        Ok(case) => {
            let mut view = TrackView::opened(&form.receipt, &form.code, case);
            if let Some(c) = &view.case {
                view.materials = st.service.material_names(&c.case);
            }
            render(StatusCode::OK, &view)
        }
        Err(page) => page,
    }
}

/// 补正 — the applicant's corrected material, uploaded with the receipt number and access code
/// (a multipart form: `receipt`, `code`, `name`, `file`), then the correction marked supplied
/// (许可法第三十二条: the application counts as received once the correction is in).
///
/// Held to the API's upload rules: a body longer than the material limit (plus the form's
/// few fields) is refused by its length before any of it is read, the upload waits for one of
/// the service's upload turns, and no field is read past the limit.
async fn supply(
    State(st): State<AppState>,
    headers: axum::http::HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    /// The form's fields other than the file, and the multipart framing, at most.
    const FORM_OVERHEAD: u64 = 64 * 1024;
    let unreadable =
        || error_page(StatusCode::BAD_REQUEST, "无法提交", "表单内容不完整，请返回重新填写。");
    let too_large = || {
        error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "无法提交",
            "上传的文件过大或未能完整上传，请压缩后重试。",
        )
    };
    let limit = st.service.max_material_bytes();
    if crate::routes::materials::content_length(&headers).is_some_and(|n| n > limit + FORM_OVERHEAD)
    {
        return too_large();
    }
    let Ok(mut multipart) = multipart else { return unreadable() };
    let _turn = st.service.material_upload_turn().await;
    let (mut receipt, mut code, mut name, mut file) =
        (String::new(), String::new(), String::new(), None);
    loop {
        match multipart.next_field().await {
            Ok(Some(mut field)) => {
                let key = field.name().unwrap_or_default().to_owned();
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if (bytes.len() + chunk.len()) as u64 <= limit => {
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Ok(Some(_)) | Err(_) => return too_large(),
                    }
                }
                match key.as_str() {
                    "receipt" => receipt = String::from_utf8_lossy(&bytes).trim().to_owned(),
                    "code" => code = String::from_utf8_lossy(&bytes).trim().to_owned(),
                    "name" => name = String::from_utf8_lossy(&bytes).trim().to_owned(),
                    "file" => file = Some(bytes),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return unreadable(),
        }
    }
    let refusal = match file.filter(|f| !f.is_empty()) {
        None => "请选择要上传的补正材料文件。".to_owned(),
        Some(content) => {
            let caller = CaseCaller::Applicant(&code);
            let upload = MaterialUpload { name: name.clone(), valid_until: None };
            let outcome = match st.service.upload_material(caller, &receipt, upload, content).await
            {
                Ok(_) => {
                    let supplied = CaseCommand::SupplyMaterials { in_person: false };
                    st.service
                        .act_on_case(CaseCaller::Applicant(&code), &receipt, supplied)
                        .await
                        .map(|_| ())
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => return Redirect::to("/track?supplied=1").into_response(),
                Err(e) => {
                    let e = ApiError::from(e);
                    if e.status().is_server_error() {
                        return crate::routes::portal::api_error_page(&e);
                    }
                    e.page_message().to_owned()
                }
            }
        }
    };
    match open_case(&st, &receipt, &code).await {
        Ok(case) => {
            let mut view = TrackView::opened(&receipt, &code, case);
            if let Some(c) = &view.case {
                view.materials = st.service.material_names(&c.case);
            }
            view.supply_error = Some(refusal);
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(page) => page,
    }
}

#[derive(Debug, Deserialize)]
struct RateForm {
    #[serde(default)]
    receipt: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    comment: String,
}

async fn rate(
    State(st): State<AppState>,
    form: Result<axum::Form<RateForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(axum::Form(form)) = form else {
        return error_page(StatusCode::BAD_REQUEST, "无法评价", "表单内容不完整，请返回重新填写。");
    };
    let level =
        serde_json::from_value::<RatingLevel>(serde_json::Value::String(form.level.clone()));
    let refusal = match level {
        Err(_) => "请选择满意程度。".to_owned(),
        Ok(level) => {
            let request = RatingRequest {
                access_code: form.code.trim().to_owned(),
                level,
                channel: RatingChannel::Online,
                comment: Some(form.comment.clone()).filter(|c| !c.trim().is_empty()),
            };
            match st.service.rate_case(form.receipt.trim(), request).await {
                Ok(_) => return Redirect::to("/track?rated=1").into_response(),
                Err(e) => {
                    let e = ApiError::from(e);
                    if e.status().is_server_error() {
                        return crate::routes::portal::api_error_page(&e);
                    }
                    e.page_message().to_owned()
                }
            }
        }
    };
    match open_case(&st, &form.receipt, &form.code).await {
        Ok(case) => {
            let view = TrackView {
                rating_error: Some(refusal),
                ..TrackView::opened(&form.receipt, &form.code, case)
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(page) => page,
    }
}

/// 投诉建议 — a complaint, suggestion or report about the case, filed with the receipt number
/// and the access code (so only the applicant files about a case), sent to the unit that
/// supervises the case's unit with the day it must be answered by. A name or phone given
/// goes into the erasable personal part, never into the ledger's leaf.
async fn complain(
    State(st): State<AppState>,
    form: Result<axum::Form<Fields>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = match forms::fields(form) {
        std::ops::ControlFlow::Continue(fields) => fields,
        std::ops::ControlFlow::Break(page) => return page,
    };
    let (receipt, code) = (forms::field(&form, "receipt"), forms::field(&form, "code"));
    // The access code is checked first: only the applicant files about the case.
    let case = match open_case(&st, receipt, code).await {
        Ok(case) => case,
        Err(page) => return page,
    };
    let kind = match forms::field(&form, "kind") {
        "suggestion" => ComplaintKind::Suggestion,
        "report" => ComplaintKind::Report,
        _ => ComplaintKind::Complaint,
    };
    let text = forms::field(&form, "text").to_owned();
    let request = ComplaintRequest {
        kind: Some(kind),
        case: Some(receipt.to_owned()),
        item: None,
        unit: None,
        text: text.clone(),
        contact: Some(forms::field(&form, "contact").to_owned()).filter(|c| !c.is_empty()),
        publishable: form.contains_key("publishable"),
    };
    let refusal = match st.service.file_complaint(request).await {
        Ok(complaint) => {
            let to = format!("/track?complained={}", complaint.reply_by.date);
            return Redirect::to(&to).into_response();
        }
        Err(e) => {
            let e = ApiError::from(e);
            if e.status().is_server_error() {
                return crate::routes::portal::api_error_page(&e);
            }
            e.page_message().to_owned()
        }
    };
    let mut view = TrackView::opened(receipt, code, case);
    view.complaint_error = Some((refusal, text));
    render(StatusCode::UNPROCESSABLE_ENTITY, &view)
}
