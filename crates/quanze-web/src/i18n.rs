//! 界面语言 — the pages in Chinese first, with English as a second locale.
//!
//! The templates are written in Chinese; each fixed text a reader sees passes through the
//! filter `t` (`{{ "事项浏览"|t }}`), which gives it back unchanged in Chinese and looks it up in
//! the English catalogue (`i18n/en.rs`, keyed by the Chinese text itself, so a template stays
//! readable and a missing entry shows the Chinese rather than nothing). The names of the
//! domain's terms that views carry as text (categories, states, alert levels) are in the
//! catalogue too; the content of the lists (items, units, guides) is the county's published
//! text and stays as published.
//!
//! The language of a request: `?lang=en` or `?lang=zh` on any page (remembered in the cookie
//! `quanze_lang` for a year), else that cookie, else the first of English or Chinese in the
//! browser's `Accept-Language`, else Chinese. The middleware [`locale`] decides it once and
//! runs the request inside a task-local scope, so handlers and `render` need no parameter for
//! it; every page then says its language (`<html lang>`, `Content-Language`) and varies by
//! the headers that chose it. Hand-written rather than a crate: two languages, a catalogue
//! keyed by the source text, and askama's filters are the whole of it.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Request;
use axum::http::header::{
    ACCEPT_LANGUAGE, CONTENT_LANGUAGE, CONTENT_TYPE, COOKIE, HOST, REFERER, SET_COOKIE, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

mod en;

/// The cookie that remembers a reader's choice.
const COOKIE_NAME: &str = "quanze_lang";

/// 语言 — the language a page is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文, the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag (`<html lang>`, `Content-Language`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The value of `?lang=` and of the cookie.
    fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The request being answered: its language and where it was (for the language switch).
#[derive(Debug, Clone)]
struct Here {
    lang: Lang,
    path: String,
}

tokio::task_local! {
    static HERE: Here;
}

/// The language of the page being rendered (Chinese outside a request).
pub fn current() -> Lang {
    HERE.try_with(|h| h.lang).unwrap_or_default()
}

/// The address of this page in the other language (the switch in every page's header).
pub fn switch_href() -> String {
    let (lang, path) =
        HERE.try_with(|h| (h.lang, h.path.clone())).unwrap_or((Lang::Zh, "/".to_owned()));
    let other = if lang == Lang::En { Lang::Zh } else { Lang::En };
    let (path, query) = path.split_once('?').unwrap_or((path.as_str(), ""));
    let mut kept = without_lang(query);
    let choice = format!("lang={}", other.code());
    kept.push(&choice);
    format!("{path}?{}", kept.join("&"))
}

/// A query's parameters other than `lang`.
fn without_lang(query: &str) -> Vec<&str> {
    query.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect()
}

/// The switch's own label, in the language it switches to.
pub fn switch_label() -> &'static str {
    match current() {
        Lang::Zh => "English",
        Lang::En => "中文",
    }
}

/// The switch's language (`hreflang` and `lang` of its link).
pub fn switch_tag() -> &'static str {
    match current() {
        Lang::Zh => Lang::En.tag(),
        Lang::En => Lang::Zh.tag(),
    }
}

static EN: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| en::CATALOGUE.iter().copied().collect());

/// `text` in the page's language: itself in Chinese, its English entry in English (itself
/// when the catalogue has none: the data of the lists, names).
pub fn tr(text: &str) -> &str {
    match current() {
        Lang::Zh => text,
        Lang::En => EN.get(text).copied().unwrap_or(text),
    }
}

/// The catalogue's entries with `{}` holes, split at them: (Chinese parts, English).
static PATTERNS: LazyLock<Vec<(Vec<&'static str>, &'static str)>> = LazyLock::new(|| {
    en::CATALOGUE
        .iter()
        .filter(|(zh, _)| zh.contains("{}"))
        .map(|(zh, en)| (zh.split("{}").collect(), *en))
        .collect()
});

/// The values in `text`'s holes when it is `parts` joined around them (each hole non-empty).
fn holes<'t>(text: &'t str, parts: &[&str]) -> Option<Vec<&'t str>> {
    let (first, last) = (parts.first()?, parts.last()?);
    let mut rest = text.strip_prefix(first)?.strip_suffix(last)?;
    let mut out = Vec::with_capacity(parts.len() - 1);
    for part in &parts[1..parts.len() - 1] {
        let skip = rest.chars().next()?.len_utf8();
        let at = skip + rest[skip..].find(part)?;
        out.push(&rest[..at]);
        rest = &rest[at + part.len()..];
    }
    if rest.is_empty() {
        return None;
    }
    out.push(rest);
    Some(out)
}

/// A text a view built from one of the catalogue's patterns (第3版（自2026-07-01起施行）, 某某镇的
/// 事项, 第4轮征求意见), in the page's language: the English pattern with the same values (the
/// values themselves are data and stay as they are). A list joined with 、 is translated part by
/// part when every part has an entry. Otherwise as `tr`.
pub fn tr_built(text: &str) -> String {
    if current() == Lang::Zh {
        return text.to_owned();
    }
    if let Some(en) = EN.get(text) {
        return (*en).to_owned();
    }
    // The pattern that explains most of the text (the most fixed characters) wins.
    let best = PATTERNS
        .iter()
        .filter_map(|(parts, en)| {
            let values = holes(text, parts)?;
            Some((parts.iter().map(|p| p.len()).sum::<usize>(), values, *en))
        })
        .max_by_key(|(fixed, _, _)| *fixed);
    if let Some((_, values, en)) = best {
        // A value the catalogue knows ((无文号)) is translated too; data stays as it is.
        return values.iter().fold(en.to_owned(), |out, v| out.replacen("{}", tr(v), 1));
    }
    if text.contains('、') && text.split('、').all(has_english) {
        return text.split('、').map(tr).collect::<Vec<_>>().join(", ");
    }
    text.to_owned()
}

/// Whether the English catalogue has `text` (for the test that every template's text does).
pub fn has_english(text: &str) -> bool {
    EN.contains_key(text)
}

/// The language the request asks for, and whether it was chosen by `?lang=` (then remembered).
fn choose(headers: &HeaderMap, query: Option<&str>) -> (Lang, bool) {
    if let Some(lang) = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|p| p.strip_prefix("lang="))
        .find_map(Lang::from_code)
    {
        return (lang, true);
    }
    let cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(COOKIE_NAME)?.strip_prefix('='))
        .find_map(Lang::from_code);
    if let Some(lang) = cookie {
        return (lang, false);
    }
    (from_accept_language(headers), false)
}

/// The first of English or Chinese by the browser's preference (`q` weights; ties in order).
fn from_accept_language(headers: &HeaderMap) -> Lang {
    let Some(value) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
        return Lang::Zh;
    };
    let mut best: Option<(f32, Lang)> = None;
    for part in value.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let lang = if tag == "zh" || tag.starts_with("zh-") {
            Lang::Zh
        } else if tag == "en" || tag.starts_with("en-") {
            Lang::En
        } else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::Zh, |(_, lang)| lang)
}

/// Decides the request's language, answers it inside that language's scope, and marks the
/// pages with it: `Content-Language`, `Vary` by what chose it, and the cookie when `?lang=`
/// chose it.
pub async fn locale(
    axum::extract::State(st): axum::extract::State<crate::AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let (lang, chosen) = choose(req.headers(), req.uri().query());
    // The page the switch leads back to: this one, or for the answer to a form (a POST-only
    // address) the page the form was on.
    let path = if matches!(*req.method(), Method::GET | Method::HEAD) {
        req.uri().path_and_query().map_or("/", |p| p.as_str()).to_owned()
    } else {
        form_page(req.headers()).unwrap_or_else(|| "/".to_owned())
    };
    if req.uri().query().is_some_and(|q| q.split('&').any(|p| p.starts_with("lang="))) {
        // `lang` is this layer's, known or not: the handlers see the address without it
        // (their queries refuse fields they do not know).
        let query = without_lang(req.uri().query().unwrap_or(""));
        let rest = if query.is_empty() {
            req.uri().path().to_owned()
        } else {
            format!("{}?{}", req.uri().path(), query.join("&"))
        };
        if let Ok(uri) = rest.parse() {
            *req.uri_mut() = uri;
        }
    }
    let mut res = HERE.scope(Here { lang, path }, next.run(req)).await;
    let is_page = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = res.headers_mut();
    if is_page {
        headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
        headers.append(VARY, HeaderValue::from_static("accept-language, cookie"));
    }
    if chosen {
        let secure = if st.secure_cookies { "; Secure" } else { "" };
        let cookie = format!(
            "{COOKIE_NAME}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    res
}

/// The path of the page a form was posted from: the `Referer`, when it is this site's
/// (same host as the request's `Host`).
fn form_page(headers: &HeaderMap) -> Option<String> {
    let referer: axum::http::Uri = headers.get(REFERER)?.to_str().ok()?.parse().ok()?;
    let host = headers.get(HOST)?.to_str().ok()?;
    let same = referer.authority().is_some_and(|a| a.as_str() == host);
    same.then(|| referer.path_and_query().map_or("/", |p| p.as_str()).to_owned())
}

/// askama's filters for the templates: `t` (a fixed text in the page's language) and `tf`
/// (the same with `{}` replaced by a value: `{{ "共 {} 项"|tf(n) }}`).
pub mod filters {
    use std::fmt::Display;

    /// A fixed text in the page's language.
    #[askama::filter_fn]
    pub fn t<T: Display>(text: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::tr(&text.to_string()).to_owned())
    }

    /// A text a view built from a pattern of the catalogue, in the page's language
    /// ([`super::tr_built`]).
    #[askama::filter_fn]
    pub fn tp<T: Display>(text: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::tr_built(&text.to_string()))
    }

    /// A fixed text with one value in it (`{}`), in the page's language.
    #[askama::filter_fn]
    pub fn tf<T: Display, U: Display>(
        text: T,
        _: &dyn askama::Values,
        value: U,
    ) -> askama::Result<String> {
        Ok(super::tr(&text.to_string()).replacen("{}", &value.to_string(), 1))
    }
}

#[cfg(test)]
mod tests;
