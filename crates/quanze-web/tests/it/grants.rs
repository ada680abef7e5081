//! Devolution on the staff's pages: a department's power granted to a town as a service
//! window moved forward, the town's readiness recorded (an incomplete training refused beside
//! the form, the text kept), the authority index changed once the town is ready, and the
//! power taken back (a reason required).

use std::collections::BTreeSet;

use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::helpers::staff::{get, post, sign_in};

#[tokio::test]
async fn a_power_is_granted_taken_up_when_the_town_is_ready_and_taken_back() {
    let app = spawn_app(true).await;
    let today = app.service.today();
    let editor = sign_in(&app, "editor").await;
    let (status, index) = get(&app, "/staff/grants", &editor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(index.contains("新的赋权"));

    // A department's own power that no grant hands down yet, and a town.
    let granted: BTreeSet<_> = app.service.grants(today).iter().map(|g| g.grant.item).collect();
    let form = app.service.grant_form(None).unwrap();
    let (department, item) = form
        .departments
        .iter()
        .find_map(|(d, _)| {
            let f = app.service.grant_form(Some(*d)).unwrap();
            f.items.iter().find(|(i, _)| !granted.contains(i)).map(|(i, _)| (*d, *i))
        })
        .expect("an ungranted department power");
    let town = form.towns[0].0;
    assert!(app.service.holds(town, item, today).is_none(), "the town does not hold it yet");
    let (department, item_s, town_s, today_s) =
        (department.to_string(), item.to_string(), town.to_string(), today.to_string());
    let town_key = format!("town:{town_s}");
    let mut fields = vec![
        ("from", department.as_str()),
        ("item", item_s.as_str()),
        ("mode", "window_forward"),
        ("effective_from", today_s.as_str()),
        ("batch", "2027年第一批"),
        ("confirmation_doc", ""),
    ];
    // No town chosen: refused beside the form, the batch kept.
    let (status, _, refused) = post(&app, "/staff/grants", &editor, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("请至少选择一个乡镇") && refused.contains("2027年第一批"));
    fields.push((town_key.as_str(), "on"));
    let (status, to, _) = post(&app, "/staff/grants", &editor, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.ends_with("?done=granted"), "{to}");
    let grant_path = to.split('?').next().unwrap().to_owned();
    // The batch: listed with its grants, and the index shows it alone when chosen.
    let (_, index) = get(&app, "/staff/grants", &editor).await;
    let all = index.matches("<a href=\"/staff/grants/0").count();
    let batch = "/staff/grants?batch=2027%E5%B9%B4%E7%AC%AC%E4%B8%80%E6%89%B9";
    assert!(index.contains(&format!("<a href=\"{batch}\">2027年第一批</a>")), "{index}");
    let (_, chosen) = get(&app, batch, &editor).await;
    assert!(chosen.contains("aria-current=\"page\">2027年第一批</a>"));
    assert_eq!(chosen.matches("<a href=\"/staff/grants/0").count(), 1, "of {all}");
    let (_, page) = get(&app, &to, &editor).await;
    assert!(page.contains("待完善") && page.contains("业务培训"), "pending, with what it lacks");
    assert!(app.service.holds(town, item, today).is_none(), "not before the town is ready");

    // The town's clerk: a training without its date is refused, what was typed kept.
    let clerk = sign_in(&app, "clerk").await;
    let readiness = format!("{grant_path}/towns/{town_s}/readiness");
    let mut checklist = vec![
        ("staff_name", "王五"),
        ("course", "营业执照窗口受理培训"),
        ("trained_on", ""),
        ("system_access", "on"),
        ("seal", "on"),
        ("funding", "on"),
        ("guidance_doc", "乡镇便民服务中心办事指南"),
        ("confirmed_on", today_s.as_str()),
    ];
    let (status, _, refused) = post(&app, &readiness, &clerk, &checklist).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("业务培训须同时填写人员姓名、培训课程和培训日期"));
    assert!(refused.contains("value=\"营业执照窗口受理培训\""), "the course is kept");
    checklist[2] = ("trained_on", today_s.as_str());
    let (status, to, _) = post(&app, &readiness, &clerk, &checklist).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, page) = get(&app, &grant_path, &clerk).await;
    assert!(page.contains("已具备承接条件") && page.contains("正在行使"), "{page}");
    let holds = app.service.holds(town, item, today).expect("the town holds it now");
    assert_eq!(
        holds.exercise,
        quanze_core::Exercise::AcceptOnly { department: department.parse().unwrap() }
    );
    // The clerk may not take it back.
    let reclaim = format!("{grant_path}/towns/{town_s}/reclaim");
    let back = |reason: &'static str| {
        vec![("reason", reason), ("effective_on", today_s.as_str()), ("doc", "")]
    };
    let (status, _, _) = post(&app, &reclaim, &clerk, &back("窗口撤并")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The staffing office does, with a reason.
    let (status, _, refused) = post(&app, &reclaim, &editor, &back("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _, _) = post(&app, &reclaim, &editor, &back("窗口撤并")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &grant_path, &editor).await;
    assert!(page.contains("已收回"));
    assert!(app.service.holds(town, item, today).is_none(), "taken back from today");
}

/// Direct and entrusted grants from the page (issue 16), with their documents: an entrusted
/// grant without its 委托书 and a direct one without its legal basis are refused beside the
/// form as the law says, what was typed kept; an entrustment whose term covers the start is
/// recorded with its letter.
#[tokio::test]
async fn an_entrusted_grant_is_recorded_with_its_letter_from_the_page() {
    let app = spawn_app(true).await;
    let today = app.service.today();
    let editor = sign_in(&app, "editor").await;
    let catalog = app.service.catalog();
    let granted: BTreeSet<_> = app.service.grants(today).iter().map(|g| g.grant.item).collect();
    let (department, item) = quanze_service::demo::department_power(&catalog, |_, item, c| {
        c.category == quanze_core::PowerCategory::Licensing && !granted.contains(&item)
    })
    .expect("an ungranted licence of a department");
    let town = app.service.grant_form(None).unwrap().towns[0].0;
    let (department, item_s, town_key) =
        (department.to_string(), item.to_string(), format!("town:{town}"));
    let day = |d: i64| (today + chrono::Duration::days(d)).to_string();
    let (today_s, year_on, yesterday) = (day(0), day(365), day(-1));
    let base = |mode: &'static str| {
        vec![
            ("from", department.clone()),
            ("item", item_s.clone()),
            ("mode", mode.to_owned()),
            ("effective_from", today_s.clone()),
            ("batch", "2027年委托批".to_owned()),
            (town_key.as_str(), "on".to_owned()),
        ]
    };
    // Entrusted without its letter: 行政处罚法第二十条 / 行政许可法第二十四条.
    let (status, _, refused) = send(&app, &editor, &base("entrusted")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("委托书") && refused.contains("2027年委托批"), "{refused}");
    // In English the refusal is the service's English (the page's language, not the log's).
    let english = format!("{editor}; quanze_lang=en");
    let (status, _, refused) = send(&app, &english, &base("entrusted")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let marker = "id=\"grant-error\" role=\"alert\">";
    let at = refused.find(marker).expect("the refusal beside the form") + marker.len();
    let message = &refused[at..at + refused[at..].find("</p>").unwrap()];
    assert!(!message.is_empty() && message.is_ascii(), "{message}");
    // Direct, a licence in the town's own name without the rule that allows it.
    let (status, _, refused) = send(&app, &editor, &base("direct")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("第二十三条") || refused.contains("依据"), "{refused}");
    // A malformed letter number is named.
    let letter = |doc: &str| {
        let mut f = base("entrusted");
        f.extend([
            ("entrust_doc", doc.to_owned()),
            ("entrust_matters", "个体工商户登记的受理和决定".to_owned()),
            ("entrust_scope", "本镇辖区内".to_owned()),
            ("entrust_from", today_s.clone()),
            ("entrust_until", year_on.clone()),
            ("entrust_published", yesterday.clone()),
        ]);
        f
    };
    let (status, _, refused) = send(&app, &editor, &letter("委托书一号")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("委托书的文号不正确"), "{refused}");
    assert!(refused.contains("value=\"本镇辖区内\""), "what was typed is kept");
    let (status, to, body) = send(&app, &editor, &letter("某县市监委〔2026〕3号")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(to.ends_with("?done=granted"), "{to}");
    let grant = app.service.grants(today).into_iter().find(|g| g.grant.item == item).unwrap();
    assert_eq!(grant.grant.mode, quanze_core::GrantMode::Entrusted);
    let e = grant.grant.entrustment.expect("the letter");
    assert_eq!(e.doc_no.to_string(), "某县市监委〔2026〕3号");
    assert_eq!(e.term_until.to_string(), year_on);
}

/// Posts a grant's form of owned values.
async fn send(
    app: &crate::helpers::TestApp,
    cookie: &str,
    fields: &[(&str, String)],
) -> (StatusCode, String, String) {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(app, "/staff/grants", cookie, &pairs).await
}
