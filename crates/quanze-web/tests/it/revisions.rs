//! List governance on the staff's pages: a change set drafted from a published list, an
//! opinion round with a unit's reply, refusals shown beside their form with the text kept,
//! resolution, legality review, approval (not by the drafter; a malformed document number
//! refused), publication — and the new list version in force.

use reqwest::StatusCode;
use reqwest::header::COOKIE;

use crate::helpers::spawn_app;
use crate::helpers::staff::{client, get, post, sign_in};

/// The values of `marker"VALUE"` in a page, in order.
fn values_after<'p>(page: &'p str, marker: &str) -> Vec<&'p str> {
    page.match_indices(marker)
        .map(|(at, _)| {
            let rest = &page[at + marker.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[tokio::test]
async fn the_staffing_office_takes_a_change_set_from_draft_to_publication_on_the_pages() {
    let app = spawn_app(true).await;
    let editor = sign_in(&app, "editor").await;
    let (status, index) = get(&app, "/staff/change-sets", &editor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(index.contains("起草调整方案"), "the editor may draft");

    // A department list with two items: one gets a new handling office, one is removed.
    let form = app.service.drafting_form(None).unwrap();
    let (list, items) = form
        .lists
        .iter()
        .find_map(|(id, _)| {
            let f = app.service.drafting_form(Some(*id)).unwrap();
            (f.items.len() >= 2).then_some((*id, f.items))
        })
        .expect("a published list with two items");
    let (status, new) = get(&app, &format!("/staff/change-sets/new?list={list}"), &editor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(new.contains(&items[0].name) && new.contains("调整承办机构"));
    let list = list.to_string();
    let (a, b) = (items[0].item.to_string(), items[1].item.to_string());
    let (action_a, text_a, action_b) =
        (format!("action:{a}"), format!("text:{a}"), format!("action:{b}"));
    let mut fields = vec![
        ("list", list.as_str()),
        ("title", "关于调整承办机构的方案<script>x</script>"),
        ("effective_on", "2027-07-01"),
        ("reason", ""),
        ("basis", "县委编委会议纪要"),
        (action_a.as_str(), "office"),
        (text_a.as_str(), "政务服务中心综合窗口"),
        (action_b.as_str(), "remove"),
    ];
    // No reason: refused beside the form, with everything typed kept (and escaped).
    let (status, _, refused) = post(&app, "/staff/change-sets", &editor, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.contains("role=\"alert\""));
    assert!(refused.contains("政务服务中心综合窗口"), "the new office is kept");
    assert!(refused.contains("关于调整承办机构的方案"), "the title is kept");
    assert!(!refused.contains("<script>x"), "and shown as text");
    fields[3] = ("reason", "推行政务服务一窗受理");
    let (status, to, _) = post(&app, "/staff/change-sets", &editor, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.starts_with("/staff/change-sets/") && to.ends_with("?done=drafted"), "{to}");
    let page_path = to.split('?').next().unwrap().to_owned();
    let act_path = format!("{page_path}/act");
    let (_, page) = get(&app, &to, &editor).await;
    assert!(page.contains("调整方案已起草") && page.contains("政务服务中心综合窗口"));
    assert!(page.contains("<strong id=\"stage\">起草</strong>"), "{page}");

    let (status, _, _) = post(&app, &act_path, &editor, &[("action", "send_round")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The clerk replies for the unit asked: an objection needs its reason.
    let clerk = sign_in(&app, "clerk").await;
    let (_, page) = get(&app, &page_path, &clerk).await;
    assert!(page.contains("征求意见"));
    let unit = values_after(&page, "<select id=\"reply-unit\" name=\"unit\"><option value=\"")[0]
        .to_owned();
    let reply = |reason: &'static str| {
        vec![
            ("action", "reply"),
            ("unit", unit.as_str()),
            ("item", ""),
            ("stance", "object"),
            ("proposed", ""),
            ("reason", reason),
        ]
    };
    let (status, _, refused) = post(&app, &act_path, &clerk, &reply("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("修改或反对意见须说明理由"), "the core's rule, in Chinese");
    assert!(refused.contains("id=\"reply-error\""), "beside the reply form");
    let (status, _, _) = post(&app, &act_path, &clerk, &reply("窗口人员尚未到位")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Nobody but the editor steers: the clerk cannot close the round.
    let (status, _, page) = post(&app, &act_path, &clerk, &[("action", "close_round")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("编办"), "the refusal names the role: {page}");

    // The editor must resolve the objection (with a reason when not adopted) to close.
    let (_, page) = get(&app, &page_path, &editor).await;
    assert!(page.contains("窗口人员尚未到位"));
    let opinion = values_after(&page, "name=\"opinion\" value=\"")[0].to_owned();
    let resolve = |reason: &'static str| {
        vec![
            ("action", "resolve"),
            ("opinion", opinion.as_str()),
            ("kind", "not_adopted"),
            ("reason", reason),
        ]
    };
    let (status, _, _) = post(&app, &act_path, &editor, &[("action", "close_round")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an opinion is unresolved");
    let (status, _, refused) = post(&app, &act_path, &editor, &resolve("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("须说明理由"));
    for form in [
        resolve("已同步安排人员培训"),
        vec![("action", "close_round")],
        vec![("action", "submit_for_review")],
    ] {
        let (status, _, body) = post(&app, &act_path, &editor, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{form:?}: {body}");
    }

    // The justice bureau passes each item under review.
    let justice = sign_in(&app, "justice").await;
    let (_, page) = get(&app, &page_path, &justice).await;
    assert!(page.contains("合法性审查"));
    let reviewed: Vec<String> =
        values_after(&page, "name=\"item\" value=\"").into_iter().map(str::to_owned).collect();
    assert_eq!(reviewed.len(), 2, "both items under review");
    for item in &reviewed {
        let form = [("action", "verdict"), ("item", item.as_str()), ("pass", "1"), ("reason", "")];
        let (status, _, body) = post(&app, &act_path, &justice, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    let (status, _, _) = post(&app, &act_path, &editor, &[("action", "submit_for_approval")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The drafter does not approve; the leader does, with a proper document number.
    let approve = |doc_no: &'static str| {
        vec![
            ("action", "approve"),
            ("meeting", "县委编委2027年第1次会议"),
            ("decided_on", "2026-12-01"),
            ("doc_no", doc_no),
        ]
    };
    let (status, _, _) = post(&app, &act_path, &editor, &approve("清编〔2026〕30号")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let leader = sign_in(&app, "leader").await;
    let (status, _, refused) = post(&app, &act_path, &leader, &approve("30号")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.contains("id=\"approve-error\"") && refused.contains("value=\"30号\""));
    let (status, _, _) = post(&app, &act_path, &leader, &approve("清编〔2026〕30号")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, to, _) = post(&app, &act_path, &leader, &[("action", "publish")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &to, &leader).await;
    assert!(
        page.contains("已公布，清单新版本已生效") && page.contains("清编〔2026〕30号"),
        "{page}"
    );

    // The list's new version: the office changed, the removed item gone.
    let now = app.service.drafting_form(Some(list.parse().unwrap())).unwrap();
    let changed = now.items.iter().find(|i| i.item == items[0].item).expect("still listed");
    assert_eq!(changed.office, "政务服务中心综合窗口");
    assert!(now.items.iter().all(|i| i.item != items[1].item), "the removed item is gone");

    // A forged post from another site is refused.
    let res = client()
        .post(format!("{}{act_path}", app.base))
        .header(COOKIE, &leader)
        .header("sec-fetch-site", "cross-site")
        .form(&[("action", "withdraw"), ("reason", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
