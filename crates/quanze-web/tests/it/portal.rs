//! The public portal over HTTP on the demo county: search, browsing and an item's guide, as
//! pages (no sign-in), with their bad input answered as pages in Chinese.

use reqwest::StatusCode;

use crate::helpers::{spawn_app, uuid_like};

/// The `href` values of links to item pages, in page order.
fn item_links(html: &str) -> Vec<String> {
    html.split("href=\"/items/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|id| format!("/items/{}", id.replace("&amp;", "&")))
        .collect()
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

/// No script but files of this server, no inline style (the CSP allows neither).
fn assert_no_inline_code(html: &str) {
    for tag in html.split("<script").skip(1) {
        let open = tag.split('>').next().unwrap_or_default();
        assert!(open.contains("src=\"/assets/"), "an inline or foreign script: <script{open}>");
        assert!(
            tag.split("</script>").next().unwrap_or_default().trim_start_matches(open).len() <= 1
        );
    }
    assert!(!html.contains("<style"), "an inline style sheet");
    assert!(!html.contains(" style="), "an inline style attribute");
    assert!(!html.contains("javascript:"), "a javascript: link");
}

#[tokio::test]
async fn a_villager_searches_opens_an_item_and_reads_its_guide() {
    let app = spawn_app(true).await;
    let (status, headers, html) = app.page(&format!("/search?q={}", enc("临时占用绿地"))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_no_inline_code(&html);
    assert!(html.contains("<b>"), "matches are marked");
    let links = item_links(&html);
    assert!(!links.is_empty(), "{html}");
    let (status, _, guide) = app.page(&links[0]).await;
    assert_eq!(status, StatusCode::OK, "{guide}");
    assert_no_inline_code(&guide);
    assert!(guide.contains("临时占用"), "the item's name");
    for part in
        ["基本信息", "法定办结时限", "收费", "申请材料", "谁可以办理", "设定依据", "所在权责清单"]
    {
        assert!(guide.contains(part), "the guide shows {part}");
    }
    // Who holds it names at least one unit and how it exercises it.
    assert!(guide.contains("以自己名义行使") || guide.contains("委托"), "{guide}");
}

#[tokio::test]
async fn the_portal_answers_bad_input_with_a_page_in_chinese() {
    let app = spawn_app(true).await;
    // Script typed into the search box is shown as text, never run.
    let (status, _, html) =
        app.page(&format!("/search?q={}", enc("<script>alert(1)</script>"))).await;
    assert!(status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY, "{status}");
    assert!(!html.contains("<script>alert"), "the script is escaped");
    assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"), "{html}");
    // A 10,000-character search string: the form again, the message beside the field.
    let (status, _, html) = app.page(&format!("/search?q={}", "x".repeat(10_000))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("q-error"), "{html}");
    assert!(html.contains("过长"), "a Chinese message");
    // An empty search is the form with examples, not an error.
    let (status, _, html) = app.page("/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("营业执照"), "examples");
    // An item that does not exist, an id that is no id, a date that is no date.
    for (path, want) in [
        (format!("/items/{}", uuid_like()), StatusCode::NOT_FOUND),
        ("/items/not-an-id".to_owned(), StatusCode::NOT_FOUND),
        ("/items?date=2026-13-45".to_owned(), StatusCode::BAD_REQUEST),
        ("/items?category=nonsense".to_owned(), StatusCode::BAD_REQUEST),
        ("/search?offset=-1&q=a".to_owned(), StatusCode::BAD_REQUEST),
    ] {
        let (status, headers, html) = app.page(&path).await;
        assert_eq!(status, want, "{path}: {html}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        assert!(html.contains("lang=\"zh-CN\""), "{path}: a page, not a bare error");
        assert!(!html.contains("Failed to deserialize"), "{path}: no library text");
    }
}

#[tokio::test]
async fn anyone_browses_a_towns_items_and_reads_one_as_the_town_holds_it() {
    let app = spawn_app(true).await;
    let catalog = app.service.catalog();
    let town = catalog.units.iter().find(|u| u.kind.is_township_level()).unwrap();
    let (status, _, html) = app.page(&format!("/items?unit={}", town.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("{}的事项", town.name)), "{html}");
    assert!(
        html.contains("履职类型") && html.contains("基本履职"),
        "a town's list shows duty kinds"
    );
    let links = item_links(&html);
    assert!(links[0].ends_with(&format!("?town={}", town.id)), "{links:?}");
    let (status, _, guide) = app.page(&links[0]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(guide.contains(&format!("按{}查看", town.name)), "read for the town");
    // Only the town's cooperation entries.
    let (_, _, coop) = app.page(&format!("/items?unit={}&duty=cooperate", town.id)).await;
    let rows = coop.matches("<tr><td class=\"num\">").count();
    assert!(rows > 0 && rows < html.matches("<tr><td class=\"num\">").count() + 50, "{rows}");
    assert!(!coop.contains("<td>基本履职</td>"), "only 配合履职 rows");
    // The home page leads to it.
    let (_, _, home) = app.page("/").await;
    assert!(home.contains(&format!("/items?unit={}", town.id)));
}

#[tokio::test]
async fn an_item_page_weighs_less_than_150_kb_with_its_css_and_scripts() {
    let app = spawn_app(true).await;
    let (_, _, html) = app.page(&format!("/search?q={}", enc("营业执照"))).await;
    let link = item_links(&html).into_iter().next().expect("a hit");
    let (_, _, guide) = app.page(&link).await;
    let mut total = guide.len();
    for asset in ["/assets/quanze.css", "/assets/quanze.js", "/assets/htmx.min.js"] {
        let (status, headers, body) = app.page(asset).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        let kind = headers["content-type"].to_str().unwrap();
        assert!(kind.starts_with("text/css") || kind.starts_with("text/javascript"), "{kind}");
        total += body.len();
    }
    assert!(total <= 150 * 1024, "an item page with its assets weighs {total} bytes");
}

#[tokio::test]
async fn anyone_reads_a_lists_history_and_what_changed_between_two_versions() {
    let app = spawn_app(true).await;
    let catalog = app.service.catalog();
    // A list the demo revised: two versions published.
    let published = |l: &quanze_core::PowerList| {
        catalog
            .versions(l.id)
            .iter()
            .filter(|v| v.status != quanze_core::VersionStatus::Draft)
            .map(|v| v.number)
            .collect::<Vec<_>>()
    };
    let list = catalog.lists.iter().find(|l| published(l).len() >= 2).expect("a revised list");
    let numbers = published(list);
    let (_, _, index) = app.page("/lists").await;
    assert!(index.contains(&format!("/lists/{}", list.id)), "the index links the list");
    let (status, _, history) = app.page(&format!("/lists/{}", list.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(history.contains("现行"), "the version in force is marked");
    let link = format!("/lists/{}/diff?from={}&amp;to={}", list.id, numbers[0], numbers[1]);
    assert!(history.contains(&link), "each version is compared with the one before");
    let (status, _, diff) = app.page(&link.replace("&amp;", "&")).await;
    assert_eq!(status, StatusCode::OK, "{diff}");
    let counts = diff.split("<p>新增 ").nth(1).unwrap_or_default();
    assert!(counts.contains("项，删除 ") && counts.contains("未变"), "a summary of the changes");
    // What changed is marked: something added, removed or changed in the demo's revision.
    assert!(diff.contains("<ins>") || diff.contains("<del>"), "{diff}");
    assert_no_inline_code(&diff);
    // Drafts and numbers never published are not public; a bad number is a bad address.
    let never = numbers.iter().max().unwrap() + 50;
    for (path, want) in [
        (format!("/lists/{}/diff?from=1&to={never}", list.id), StatusCode::NOT_FOUND),
        (format!("/lists/{}/diff?from=x&to=2", list.id), StatusCode::BAD_REQUEST),
        ("/lists/not-a-list".to_owned(), StatusCode::NOT_FOUND),
        (format!("/lists/{}", uuid_like()), StatusCode::NOT_FOUND),
    ] {
        let (status, _, html) = app.page(&path).await;
        assert_eq!(status, want, "{path}");
        assert!(html.contains("lang=\"zh-CN\""), "{path}: a page in Chinese");
    }
    let draft = catalog
        .lists
        .iter()
        .flat_map(|l| catalog.versions(l.id).iter().map(move |v| (l, v)))
        .find(|(_, v)| v.status == quanze_core::VersionStatus::Draft);
    if let Some((l, v)) = draft {
        let (status, _, _) =
            app.page(&format!("/lists/{}/diff?from=1&to={}", l.id, v.number)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a draft is not public");
    }
}

/// A change set in 公示 from today for a fortnight, steered through the API as the staffing
/// office would: drafted, a round sent and closed, the comment period opened.
async fn change_set_in_public_comment(app: &crate::helpers::TestApp) -> String {
    use serde_json::json;
    let (_, lists) = app.get("/api/v1/lists?limit=500").await;
    let list = lists["items"].as_array().unwrap().iter().find(|l| l["scope"]["kind"] == "unit");
    let list_id = list.expect("a unit list")["id"].as_str().unwrap().to_owned();
    let (_, versions) = app.get(&format!("/api/v1/lists/{list_id}/versions")).await;
    let version =
        versions["items"].as_array().unwrap().iter().rfind(|v| v["status"] == "published");
    let (_, full) =
        app.get(&format!("/api/v1/versions/{}", version.unwrap()["id"].as_str().unwrap())).await;
    let editor = app.token("editor").await;
    let body = json!({
        "title": "关于取消一项事项的方案（征求公众意见）",
        "effective_on": (app.service.today() + chrono::Days::new(90)).to_string(),
        "changes": [{ "list": list_id, "action": "remove", "item": full["entries"][0]["item"],
            "reason": "该事项已无法律依据", "basis": "县委编委会议纪要" }],
    });
    let (status, created) = app.post("/api/v1/change-sets", Some(&editor), body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["change_set"]["set"]["id"].as_str().unwrap().to_owned();
    let actions = format!("/api/v1/change-sets/{id}/actions");
    let until = (app.service.today() + chrono::Days::new(14)).to_string();
    for action in [
        json!({ "action": "send_round" }),
        json!({ "action": "close_round" }),
        json!({ "action": "open_comment", "until": until }),
    ] {
        let (status, out) = app.post(&actions, Some(&editor), action).await;
        assert_eq!(status, StatusCode::OK, "{out}");
    }
    id
}

#[tokio::test]
async fn the_public_comments_on_a_change_set_in_public_comment_through_the_form() {
    let app = spawn_app(true).await;
    let id = change_set_in_public_comment(&app).await;
    let (status, _, page) = app.page("/announcements").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("关于取消一项事项的方案（征求公众意见）"), "the open 公示 is announced");
    let action = format!("/announcements/{id}/comments");
    assert!(page.contains(&format!("action=\"{action}\"")), "with its form");
    let no_redirects =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |text: &str, site: &'static str| {
        no_redirects
            .post(format!("{}{action}", app.base))
            .header("sec-fetch-site", site)
            .form(&[("item", ""), ("text", text)])
            .send()
    };
    // The comments' texts are for staff: counted with a staff token.
    let editor = app.token("editor").await;
    let comments = || async {
        let path = format!("/api/v1/change-sets/{id}");
        let (_, cs) = app.send(reqwest::Method::GET, &path, &editor, None).await;
        cs["set"]["comments"]["comments"].as_array().map_or(0, Vec::len)
    };
    // A form posted from another site is refused before anything is stored.
    let res = post("支持", "cross-site").await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("其他网站"));
    assert_eq!(comments().await, 0);
    // An empty comment: the page again, the message beside the field, nothing stored.
    let res = post("   ", "same-origin").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("role=\"alert\""), "{html}");
    assert_eq!(comments().await, 0);
    // A comment with script in it: received, then redirected (POST-redirect-GET).
    let res = post("<script>alert(1)</script>建议保留窗口办理", "same-origin").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/announcements?received="), "{to}");
    let (status, _, after) = app.page(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(after.contains("已收到您的意见"));
    assert!(!after.contains("<script>alert"), "never shown raw");
    assert_eq!(comments().await, 1);
    // The public reads the change set in 公示 without the comments' texts.
    let (_, public) = app.get(&format!("/api/v1/change-sets/{id}")).await;
    assert_eq!(public["set"]["comments"]["comments"], serde_json::json!([]), "{public}");
}

#[tokio::test]
async fn the_ledger_page_shows_the_head_and_loads_the_verifier_from_this_server() {
    let app = spawn_app(true).await;
    let (status, _, html) = app.page("/ledger").await;
    assert_eq!(status, StatusCode::OK);
    let (_, head) = app.get("/api/v1/ledger").await;
    assert!(html.contains(head["root"].as_str().unwrap()), "the current root");
    assert!(html.contains(&format!("<dd>{}</dd>", head["size"])), "the current size");
    assert!(
        html.contains("src=\"/assets/verify.js\"") && html.contains("src=\"/assets/sm3.min.js\"")
    );
    assert_no_inline_code(&html);
    for asset in ["/assets/verify.js", "/assets/sm3.min.js"] {
        let (status, headers, body) = app.page(asset).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
        assert!(body.len() > 1_000, "{asset}");
    }
}

#[tokio::test]
async fn the_dashboard_draws_each_chart_beside_its_table_and_downloads_the_same_figures() {
    let app = crate::cases::app().await;
    // Three cases decided (refused at acceptance): two applied online, one at the window.
    let (unit, item) = crate::cases::licence(&app);
    let clerk = app.token("clerk").await;
    for (channel, token) in [("online", None), ("online", None), ("window", Some(&clerk))] {
        let body = serde_json::json!({
            "item": item, "unit": unit,
            "applicant": { "kind": "person", "name": "张三", "number": "11010519491231002X" },
            "channel": { "kind": channel }
        });
        let (status, receipt) = app.post("/api/v1/cases", token.map(String::as_str), body).await;
        assert_eq!(status, StatusCode::CREATED, "{receipt}");
        let refuse = serde_json::json!({ "command": { "action": "refuse", "reason": "材料虚假" } });
        let at = format!("/api/v1/cases/{}/actions", receipt["receipt"].as_str().unwrap());
        let (status, view) = app.post(&at, Some(&clerk), refuse).await;
        assert_eq!(status, StatusCode::OK, "{view}");
    }
    let (status, _, html) = app.page("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert_no_inline_code(&html);
    for title in [
        "各乡镇（街道）在用事项",
        "事项类型分布",
        "赋权事项承接情况",
        "办件状态",
        "在办件期限预警",
        "办件评价",
        "办结时效（按办结单位）",
        "办件跑动次数",
    ] {
        assert!(html.contains(title), "{title}");
    }
    assert!(html.contains("按期办结率 ") && html.contains("平均跑动 "), "the rates beside");
    assert_eq!(html.matches("<svg").count(), html.matches("<table class=\"chart-table\">").count());
    assert!(html.contains("role=\"img\""), "charts are titled images");
    // The figures agree with the rest of the service: the items by category add up to what
    // every unit holds today, and the open cases by alert to the open cases.
    let d = app.service.dashboard().await.unwrap();
    let categories = d.charts.iter().find(|c| c.id == "categories").unwrap();
    let held: u64 = categories.totals().iter().sum();
    assert_eq!(held, app.service.home_view().total_items as u64);
    let alerts = d.charts.iter().find(|c| c.id == "case-alerts").unwrap();
    let open = quanze_store::CaseFilter { open_only: true, ..quanze_store::CaseFilter::default() };
    let open = app.service.store().count_cases(&open).await.unwrap();
    assert_eq!(alerts.totals()[0], open, "every open case at one level");
    // The cases decided on time and late, and the trips, as the cases themselves say.
    let (mut on_time, mut late, mut trips) = (0, 0, [0_u64; 4]);
    let mut before = None;
    loop {
        let all = quanze_store::CaseFilter::default();
        let page = app.service.store().cases(&all, before, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.case.id);
        for c in page.iter().map(|c| &c.case) {
            let Some(in_time) = c.ended_on_time() else { continue };
            trips[usize::from(c.trips.min(3))] += 1;
            if c.state != quanze_core::case::CaseState::Withdrawn {
                if in_time { on_time += 1 } else { late += 1 }
            }
        }
    }
    let decided = d.charts.iter().find(|c| c.id == "on-time").unwrap();
    assert_eq!(decided.totals(), [on_time, late]);
    assert_eq!([on_time, late], [3, 0], "refused on the day they came");
    let by_trips = d.charts.iter().find(|c| c.id == "trips").unwrap();
    assert_eq!(by_trips.rows.iter().map(|r| r.values[0]).collect::<Vec<_>>(), trips);
    assert_eq!(trips, [2, 1, 0, 0], "online no trip, the window one");
    assert!(html.contains("按期办结率 100.0%（3 / 3 件）"));
    assert!(html.contains("平均跑动 0.33 次；最多跑一次 100.0%"));
    // The download: an xlsx workbook of one sheet per chart.
    let res = app.client.get(format!("{}/dashboard.xlsx", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "a zip (xlsx)");
    let sheets = sheet_names(&bytes);
    assert_eq!(sheets.len(), d.charts.len(), "{sheets:?}");
}

/// The sheet names of an xlsx workbook, from its `xl/workbook.xml`.
fn sheet_names(bytes: &[u8]) -> Vec<String> {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/workbook.xml").expect("a workbook").read_to_string(&mut xml).unwrap();
    xml.split("<sheet ")
        .skip(1)
        .filter_map(|s| s.split("name=\"").nth(1)?.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn anyone_asks_who_may_exercise_a_devolved_power_in_a_town_on_a_day() {
    let app = spawn_app(true).await;
    let catalog = app.service.catalog();
    let today = app.service.today();
    // A power a department granted to a town, active there today.
    let (grant, town) = catalog
        .grants
        .iter()
        .find_map(|g| {
            let towns = g.towns(&catalog.units);
            let town = towns.into_iter().find(|t| {
                catalog.authority.holds(*t, g.item, today).is_some_and(|a| {
                    matches!(a.source, quanze_core::authority::Source::Grant { .. })
                })
            })?;
            Some((g, town))
        })
        .expect("an active grant in the demo county");
    let path = format!("/items/{}/authority?unit={town}&date={today}", grant.item);
    let (status, _, html) = app.page(&path).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("可以行使"), "{html}");
    assert!(html.contains("赋权下放"), "the grant is named as the source");
    // Before the grant took effect the town could not.
    let before = grant.effective_from - chrono::Days::new(1);
    let (_, _, then) =
        app.page(&format!("/items/{}/authority?unit={town}&date={before}", grant.item)).await;
    assert!(then.contains("不能行使") && then.contains("法无授权不可为"), "{then}");
    // Bad input: a unit that is not an id, an item that does not exist.
    let (status, _, _) = app.page(&format!("/items/{}/authority?unit=x", grant.item)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = app.page(&format!("/items/{}/authority", uuid_like())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The pages in English (issue 16: zh-CN first, English second): chosen by `?lang=en` and
/// remembered by a cookie, or by the browser's `Accept-Language`; each page says its language
/// and links to itself in the other one.
#[tokio::test]
async fn a_reader_switches_the_pages_to_english_and_back() {
    let app = spawn_app(true).await;
    let (status, headers, html) = app.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.starts_with("<!doctype html>\n<html lang=\"zh-CN\">"), "Chinese first");
    assert!(html.contains(">事项浏览</a>") && html.contains("href=\"/?lang=en\""));
    assert_eq!(headers["content-language"], "zh-CN");

    let res = app.client.get(format!("{}/search?q=%E4%BD%8E%E4%BF%9D&lang=en", app.base));
    let res = res.send().await.unwrap();
    assert_eq!(res.headers()["content-language"], "en");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("quanze_lang=en;"), "{cookie}");
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains(">Browse items</a>"));
    assert!(html.contains("href=\"/search?q=%E4%BD%8E%E4%BF%9D&#38;lang=zh\""), "back, same query");

    // Remembered: the next page without the parameter.
    let res = app.client.get(format!("{}/items", app.base)).header("cookie", "quanze_lang=en");
    let html = res.send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    // The browser's preference, when nothing was chosen.
    let res = app.client.get(format!("{}/ledger", app.base)).header("accept-language", "en-GB,en");
    let res = res.send().await.unwrap();
    assert!(res.headers()["vary"].to_str().unwrap().contains("accept-language"));
    assert!(res.text().await.unwrap().contains(">Public ledger</a>"));
    // The charts' drawings too (their fixed texts; the units' names as published).
    let (_, _, html) = app.page("/dashboard?lang=en").await;
    assert!(html.contains("<title id=\"categories-title\">Items by category</title>"), "{html}");
    // Pages whose query admits no unknown field take the switch too.
    let (status, _, html) = app.page("/reports/consistency?lang=en").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<html lang=\"en\">"));
    let (status, _, _) = app.page("/reports/consistency?lang=xx").await;
    assert_eq!(status, StatusCode::OK, "an unknown language is ignored, not refused");
}
