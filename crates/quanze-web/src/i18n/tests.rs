use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};

use super::*;

fn headers(pairs: &[(axum::http::HeaderName, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in pairs {
        h.append(name, value.parse().unwrap());
    }
    h
}

#[test]
fn the_query_then_the_cookie_then_the_browser_choose_the_language() {
    let none = headers(&[]);
    assert_eq!(choose(&none, None), (Lang::Zh, false), "Chinese first");
    assert_eq!(choose(&none, Some("q=x&lang=en")), (Lang::En, true));
    let cookie = headers(&[(COOKIE, "a=1; quanze_lang=en")]);
    assert_eq!(choose(&cookie, None), (Lang::En, false));
    assert_eq!(choose(&cookie, Some("lang=zh")), (Lang::Zh, true), "the query wins");
    let english = headers(&[(ACCEPT_LANGUAGE, "en-US,en;q=0.9")]);
    assert_eq!(choose(&english, None), (Lang::En, false));
    let prefers_chinese = headers(&[(ACCEPT_LANGUAGE, "fr;q=1.0, en;q=0.5, zh-CN;q=0.8")]);
    assert_eq!(choose(&prefers_chinese, None).0, Lang::Zh);
    let neither = headers(&[(ACCEPT_LANGUAGE, "fr, de;q=0.5")]);
    assert_eq!(choose(&neither, None).0, Lang::Zh);
    let refused = headers(&[(ACCEPT_LANGUAGE, "en;q=0, zh;q=0.1")]);
    assert_eq!(choose(&refused, None).0, Lang::Zh, "q=0 is not acceptable");
    assert_eq!(choose(&none, Some("lang=xx")).0, Lang::Zh, "an unknown code is ignored");
}

#[tokio::test]
async fn texts_and_the_switch_follow_the_request_s_language() {
    assert_eq!(tr("事项浏览"), "事项浏览", "outside a request: Chinese");
    let here = Here { lang: Lang::En, path: "/search?q=%E4%BD%8E%E4%BF%9D&lang=en".into() };
    HERE.scope(here, async {
        assert_eq!(tr("事项浏览"), "Browse items");
        assert_eq!(tr("某县市场监督管理局"), "某县市场监督管理局", "data stays as published");
        assert_eq!(switch_href(), "/search?q=%E4%BD%8E%E4%BF%9D&lang=zh", "the query kept");
        assert_eq!((switch_label(), switch_tag()), ("中文", "zh-CN"));
    })
    .await;
    HERE.scope(Here { lang: Lang::Zh, path: "/".into() }, async {
        assert_eq!(switch_href(), "/?lang=en");
        assert_eq!(tr("事项浏览"), "事项浏览");
    })
    .await;
}

#[tokio::test]
async fn a_text_a_view_built_reads_in_english_with_its_values() {
    let here = Here { lang: Lang::En, path: "/".into() };
    HERE.scope(here, async {
        assert_eq!(
            tr_built("第12版（自2027-01-01起施行）"),
            "Version 12 (in force from 2027-01-01)"
        );
        assert_eq!(tr_built("第3版 · 清编〔2026〕3号"), "Version 3 · 清编〔2026〕3号");
        assert_eq!(tr_built("第3版"), "Version 3", "the exact entry");
        assert_eq!(tr_built("第4轮征求意见"), "Consultation, round 4", "beyond the third");
        assert_eq!(tr_built("某某镇人民政府的事项"), "Items of 某某镇人民政府", "the name is data");
        assert_eq!(
            tr_built("第2版 · （无文号） · 自2026-07-01起施行 · 共18项"),
            "Version 2 · (no document number) · in force from 2026-07-01 · 18 items",
            "a value the catalogue knows is translated too"
        );
        assert_eq!(tr_built("事项名称、承办机构"), "Item, Handling office");
        assert_eq!(tr_built("事项名称、某某字段"), "事项名称、某某字段", "all parts or none");
        assert_eq!(tr_built("临时占用城市绿化用地审批"), "临时占用城市绿化用地审批");
        assert_eq!(tr_built("第版"), "第版", "a hole is never empty");
    })
    .await;
    assert_eq!(tr_built("第4轮征求意见"), "第4轮征求意见", "Chinese outside English");
}

/// Every fixed text a template passes through `t` or `tf` has its English entry.
#[test]
fn every_template_text_has_its_english() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut missing = Vec::new();
    let mut files = vec![dir];
    let mut seen = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for filter in ["\"|t }}", "\"|t|", "\"|tf("] {
            for (at, _) in text.match_indices(filter) {
                let start = text[..at].rfind('"').unwrap() + 1;
                let literal = &text[start..at];
                seen += 1;
                if !has_english(literal) {
                    missing.push(format!("{}: {literal}", path.display()));
                }
            }
        }
    }
    assert!(seen > 20, "the templates pass their texts through t ({seen})");
    assert!(missing.is_empty(), "no English for:\n{}", missing.join("\n"));
}

#[test]
fn the_catalogue_names_each_text_once() {
    let mut seen = std::collections::HashSet::new();
    let twice: Vec<_> = en::CATALOGUE.iter().filter(|(zh, _)| !seen.insert(*zh)).collect();
    assert!(twice.is_empty(), "entered twice: {twice:?}");
    assert!(en::CATALOGUE.iter().all(|(zh, en)| !zh.is_empty() && !en.is_empty()));
}

#[test]
fn the_switch_after_a_form_leads_to_the_page_the_form_was_on() {
    use axum::http::header::{HOST, REFERER};
    let h = headers(&[
        (HOST, "county.example:8080"),
        (REFERER, "http://county.example:8080/staff/cases/R1?x=1"),
    ]);
    assert_eq!(form_page(&h).as_deref(), Some("/staff/cases/R1?x=1"));
    let elsewhere =
        headers(&[(HOST, "county.example:8080"), (REFERER, "https://evil.example/staff")]);
    assert_eq!(form_page(&elsewhere), None, "another site's page is not ours to link");
    assert_eq!(form_page(&headers(&[(HOST, "county.example:8080")])), None);
}
