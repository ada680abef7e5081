//! A case through the pages: a citizen applies online (a malformed ID number refused beside
//! the form, what was typed kept; the receipt and the access code shown once, not stored by
//! the browser), a clerk asks for a correction with nothing listed (refused) and accepts; the
//! clerk cannot decide (a reviewer's step), the reviewer grants; the clerk delivers and
//! closes; the citizen rates the closed case on the tracking page.

use reqwest::StatusCode;

const PDF: &[u8] = include_bytes!("../../../quanze-core/tests/data/materials/letter.pdf");

use crate::cases::{app, licence};
use crate::helpers::staff::{client, get, post, session_cookie, sign_in};

/// The values of `id="ID">VALUE<` in a page.
fn text_of(page: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let at = page.find(&marker).unwrap_or_else(|| panic!("{id} in {page}")) + marker.len();
    page[at..at + page[at..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn a_citizen_applies_online_the_unit_decides_on_its_pages_and_the_citizen_rates() {
    let app = app().await;
    let (unit, item) = licence(&app);
    let apply_path = format!("/apply/{item}");
    let res = client().get(format!("{}{apply_path}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let form = res.text().await.unwrap();
    assert!(form.contains(&format!("value=\"{unit}\"")), "the unit holding it is offered");

    let apply = |number: &'static str| {
        vec![
            ("unit", unit.clone()),
            ("kind", "person".into()),
            ("name", "张三".into()),
            ("number", number.into()),
        ]
    };
    let post_apply = |fields: Vec<(&'static str, String)>| {
        let url = format!("{}{apply_path}", app.base);
        async move {
            client()
                .post(url)
                .header("sec-fetch-site", "same-origin")
                .form(&fields)
                .send()
                .await
                .unwrap()
        }
    };
    let res = post_apply(apply("110105194912310021")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a wrong check digit");
    let refused = res.text().await.unwrap();
    assert!(refused.contains("id=\"apply-error\"") && refused.contains("value=\"张三\""));
    let res = post_apply(apply("11010519491231002X")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let page = res.text().await.unwrap();
    let (receipt, code) = (text_of(&page, "receipt"), text_of(&page, "access-code"));
    assert!(!code.is_empty());
    let case_path = format!("/staff/cases/{receipt}");
    let act_path = format!("{case_path}/act");

    let clerk = sign_in(&app, "clerk").await;
    let (status, page) = get(&app, &case_path, &clerk).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("一次性告知补正") && page.contains(">受理</button>"));
    let (status, _, refused) =
        post(&app, &act_path, &clerk, &[("action", "request_correction"), ("missing", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a correction lists what is missing");
    assert!(refused.contains("id=\"corr-error\""), "{refused}");
    let correction = [("action", "request_correction"), ("missing", "申请书（表）\n营业执照副本")];
    let (status, to, _) = post(&app, &act_path, &clerk, &correction).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.ends_with("?done=request_correction"), "{to}");

    // The citizen opens the case, sees the correction form, and uploads the material.
    let res = client()
        .post(format!("{}/track", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[("receipt", receipt.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    let tracked = res.text().await.unwrap();
    assert!(tracked.contains("补正材料") && tracked.contains("一次性告知补正"), "{tracked}");
    let material = app
        .service
        .material_names(&app.service.case_for_applicant(&receipt, &code).await.unwrap().case)[0]
        .clone();
    let supply = |file: Option<&'static [u8]>| {
        let mut form = reqwest::multipart::Form::new()
            .text("receipt", receipt.clone())
            .text("code", code.clone())
            .text("name", material.clone());
        if let Some(bytes) = file {
            form =
                form.part("file", reqwest::multipart::Part::bytes(bytes).file_name("申请书.pdf"));
        }
        client()
            .post(format!("{}/track/supply", app.base))
            .header("sec-fetch-site", "same-origin")
            .multipart(form)
            .send()
    };
    let res = supply(None).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "no file");
    assert!(res.text().await.unwrap().contains("id=\"supply-error\""));
    let res = supply(Some(PDF)).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/track?supplied=1");
    let (_, page) = get(&app, &case_path, &clerk).await;
    assert!(page.contains(&material), "the material is filed with the case");

    let (status, to, _) = post(&app, &act_path, &clerk, &[("action", "accept")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.ends_with("?done=accept"), "{to}");
    let decide = [("action", "decide"), ("outcome", "granted"), ("document", "许可证001")];
    let (status, _, _) = post(&app, &act_path, &clerk, &decide).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "deciding is a reviewer's or a leader's step");
    let (_, page) = get(&app, &case_path, &clerk).await;
    assert!(!page.contains("作出决定"), "the clerk is offered no decision");
    let reviewer = sign_in(&app, "reviewer").await;
    let (_, page) = get(&app, &case_path, &reviewer).await;
    assert!(page.contains("作出决定"), "the reviewer is");
    let (status, _, _) = post(&app, &act_path, &reviewer, &decide).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for form in [[("action", "deliver"), ("method", "电子送达")].as_slice(), &[("action", "close")]]
    {
        let (status, _, body) = post(&app, &act_path, &clerk, form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{form:?}: {body}");
    }
    let (_, page) = get(&app, &case_path, &clerk).await;
    assert!(page.contains("· 已办结 ·"), "the header names the state");
    assert!(!page.contains("id=\"h-act\""), "an ended case offers no step");

    // The citizen rates it on the tracking page.
    let res = client()
        .post(format!("{}/track/rate", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("receipt", receipt.as_str()),
            ("code", code.as_str()),
            ("level", "very_satisfied"),
            ("comment", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // And complains: an empty text is refused beside the form; a wrong code files nothing.
    let complain = |code: &str, text: &'static str| {
        let form = [
            ("receipt", receipt.clone()),
            ("code", code.to_owned()),
            ("kind", "suggestion".into()),
            ("text", text.into()),
            ("contact", "13800138000".into()),
        ];
        let url = format!("{}/track/complain", app.base);
        async move {
            client()
                .post(url)
                .header("sec-fetch-site", "same-origin")
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let res = complain(&code, "  ").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("id=\"complain-error\""));
    let res = complain("WRONG2345678ABCD", "窗口可以再快一点").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "the access code is checked");
    let res = complain(&code, "窗口可以再快一点").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/track?complained=2"));
    let filed = app.service.store().complaints(None, false).await.unwrap();
    assert_eq!(filed.len(), 1, "one complaint filed");
    assert_eq!(filed[0].text, "窗口可以再快一点");
    assert!(filed[0].named, "the contact is kept apart, as personal data");
}

/// A form posted once the session has ended keeps what was typed (issue 16's bad input): the
/// answer is the sign-in page carrying the fields (shown as text, never as markup, and no
/// password among them), and signing in there leads to a page that posts them again; the
/// step is then taken as it would have been.
#[tokio::test]
async fn a_form_posted_after_the_session_ended_is_kept_through_signing_in() {
    let app = app().await;
    let (unit, item) = licence(&app);
    let fields = [
        ("unit", unit.as_str()),
        ("kind", "person"),
        ("name", "李四"),
        ("number", "11010519491231002X"),
    ];
    let res = client()
        .post(format!("{}/apply/{item}", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let receipt = text_of(&res.text().await.unwrap(), "receipt");
    let act_path = format!("/staff/cases/{receipt}/act");
    let missing = "申请书（表）<script>alert(1)</script>";
    let typed = [("action", "request_correction"), ("missing", missing), ("password", "x")];

    // Idle too long: the session is gone from the store (a cookie naming no session).
    let (status, _, page) = post(&app, &act_path, "quanze_session=ended", &typed).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("您刚才填写的内容已保留"), "{page}");
    assert!(page.contains("name=\"kept:missing\"") && page.contains("申请书（表）"));
    assert!(page.contains(&format!("name=\"next\" value=\"{act_path}\"")));
    assert!(!page.contains("<script>alert"), "typed text is shown as text");
    assert!(!page.contains("kept:password"), "no password is carried");

    // Signing in on that page, with the kept fields as the browser sends them back.
    let res = client()
        .post(format!("{}/staff/login", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("username", "clerk"),
            ("password", quanze_service::demo::DEMO_PASSWORD),
            ("next", act_path.as_str()),
            ("kept:action", "request_correction"),
            ("kept:missing", missing),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the page that posts them again");
    let cookie = session_cookie(&res);
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!("<form method=\"post\" action=\"{act_path}\">")), "{page}");
    assert!(page.contains("name=\"missing\"") && page.contains("name=\"action\""));
    assert!(!page.contains("<script>alert"));

    // Posting it takes the step.
    let (status, to, _) =
        post(&app, &act_path, &cookie, &[("action", "request_correction"), ("missing", missing)])
            .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.ends_with("?done=request_correction"), "{to}");
}

/// Cooperation through the pages (issue 16: a case page with its cooperation tasks): the
/// reviewer asks another unit to cooperate within working days (a period that is no number is
/// refused beside the form, what was typed kept), the cooperating unit's clerk sees the task
/// on the case and completes it, the reviewer urges, a supervisor records a 督办; each a step
/// on the timeline.
#[tokio::test]
async fn a_cooperation_task_is_assigned_and_completed_on_the_case_page() {
    let app = app().await;
    let (unit, item) = licence(&app);
    let res = client()
        .post(format!("{}/apply/{item}", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("unit", unit.as_str()),
            ("kind", "person"),
            ("name", "王五"),
            ("number", "11010519491231002X"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let receipt = text_of(&res.text().await.unwrap(), "receipt");
    let case_path = format!("/staff/cases/{receipt}");
    let act_path = format!("{case_path}/act");
    let clerk = sign_in(&app, "clerk").await;
    let (status, _, _) = post(&app, &act_path, &clerk, &[("action", "accept")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let reviewer = sign_in(&app, "reviewer").await;
    let (_, page) = get(&app, &case_path, &reviewer).await;
    assert!(page.contains("发出配合任务") && page.contains("name=\"days\""), "{page}");
    let catalog = app.service.catalog();
    let other = catalog.units.iter().find(|u| u.id.to_string() != unit).unwrap();
    let other_id = other.id.to_string();
    assert!(page.contains(&format!("<option value=\"{other_id}\"")), "units to choose");
    let task = |days: &'static str| {
        vec![
            ("action", "assign_task".to_owned()),
            ("unit", other_id.clone()),
            ("description", "核查经营场所".to_owned()),
            ("days", days.to_owned()),
        ]
    };
    let post_owned = |cookie: String, form: Vec<(&'static str, String)>| {
        let url = format!("{}{act_path}", app.base);
        async move {
            let res = client()
                .post(url)
                .header("cookie", cookie)
                .header("sec-fetch-site", "same-origin")
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let to = res
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (status, to, res.text().await.unwrap())
        }
    };
    let (status, _, refused) = post_owned(reviewer.clone(), task("三天")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("配合期限应为 1 至 60 个工作日。") && refused.contains("核查经营场所")
    );
    let (status, to, _) = post_owned(reviewer.clone(), task("3")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.ends_with("?done=assign_task"), "{to}");

    // The cooperating unit's clerk (a county-wide demo role) sees the task and completes it.
    let (_, page) = get(&app, &case_path, &clerk).await;
    let marker = "name=\"task\"><option value=\"";
    let at =
        page.find(marker).unwrap_or_else(|| panic!("a task to complete: {page}")) + marker.len();
    let value = page[at..at + page[at..].find('"').unwrap()].to_owned();
    assert!(value.ends_with(&format!("/{other_id}")), "{value}");
    assert!(page.contains(&format!("{}：核查经营场所", other.name)));
    let done = [("action", "complete_task"), ("task", value.as_str()), ("result", "符合要求")];
    let (status, to, body) = post(&app, &act_path, &clerk, &done).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(to.ends_with("?done=complete_task"), "{to}");
    let (status, _, _) =
        post(&app, &act_path, &reviewer, &[("action", "urge"), ("note", "请加快")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // A supervisor (county-wide) records a 督办 on it.
    let supervisor = sign_in(&app, "supervisor").await;
    let (_, page) = get(&app, &case_path, &supervisor).await;
    assert!(page.contains("督办意见"), "the supervisor is offered 督办");
    let (_, page) = get(&app, &case_path, &clerk).await;
    assert!(!page.contains("督办意见"), "a clerk is not");
    let supervise = [("action", "supervise"), ("note", "请于三日内办结")];
    let (status, to, _) = post(&app, &act_path, &supervisor, &supervise).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.ends_with("?done=supervise"), "{to}");

    let (_, page) = get(&app, &case_path, &reviewer).await;
    for step in ["配合任务", "完成配合任务", "催办", "督办"] {
        assert!(page.contains(&format!("<td>{step}</td>")), "{step} on the timeline");
    }
    assert!(!page.contains("name=\"task\"><option"), "no open task left to complete");
}
