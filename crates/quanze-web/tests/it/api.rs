//! HTTP tests: the real router on a real listener over a real SQLite file with the demo county.

use quanze_core::Username;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, uuid_like};

/// The demo's units: (all of them, a flood-storage town, a town without tags).
async fn towns(app: &TestApp) -> (Value, Value, Value) {
    let (status, units) = app.get("/api/v1/units?limit=500").await;
    assert_eq!(status, StatusCode::OK);
    let towns: Vec<&Value> =
        units["items"].as_array().unwrap().iter().filter(|u| u["kind"] == "township").collect();
    let flood = towns
        .iter()
        .find(|u| u["tags"].as_array().unwrap().iter().any(|t| t == "蓄滞洪区"))
        .unwrap();
    let plain = towns.iter().find(|u| u["tags"].as_array().unwrap().is_empty()).unwrap();
    let (flood, plain) = ((*flood).clone(), (*plain).clone());
    (units, flood, plain)
}

#[tokio::test]
async fn holdings_and_the_item_query_answer_for_a_town() {
    let app = spawn_app(true).await;
    let (units, flood, _) = towns(&app).await;
    let total = units["total"].as_u64().unwrap();
    assert!((40..=50).contains(&total), "{total} units");
    let towns = units["items"].as_array().unwrap().iter().filter(|u| u["kind"] == "township");
    assert_eq!(towns.count(), 12);

    let (status, held) = app
        .get(&format!("/api/v1/units/{}/holdings?date=2026-01-15", flood["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK, "{held}");
    let n = held["total"].as_u64().unwrap();
    assert!((200..=340).contains(&n), "{n}");
    for kind in ["own", "cooperate", "reclaimed"] {
        assert!(held["by_duty"][kind].as_u64().unwrap() > 40, "{kind}: {}", held["by_duty"]);
    }
    assert_eq!(held["items"].as_array().unwrap().len() as u64, n, "a town's list is one page");
    // Pages of the same answer: the total and counts are of all, the items of the page.
    let (status, page) = app
        .get(&format!(
            "/api/v1/units/{}/holdings?date=2026-01-15&offset=10&limit=5",
            flood["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!((page["total"].as_u64(), page["offset"].as_u64()), (Some(n), Some(10)));
    assert_eq!(page["by_duty"], held["by_duty"]);
    assert_eq!(page["items"].as_array().unwrap()[..], held["items"].as_array().unwrap()[10..15]);
    // A date before any version took effect is an error that says so, not an empty list.
    let (status, err) = app
        .get(&format!("/api/v1/units/{}/holdings?date=1990-01-01", flood["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["code"], "no_version_on_date", "{err}");
    assert!(err["message"].as_str().unwrap().contains("1990-01-01"), "{err}");

    // The item query with unit filter agrees with the holdings, and pages.
    let (status, page) = app
        .get(&format!(
            "/api/v1/items?unit={}&date=2026-01-15&limit=7",
            flood["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"].as_u64().unwrap(), n);
    assert_eq!(page["items"].as_array().unwrap().len(), 7);
    let (_, own) = app
        .get(&format!(
            "/api/v1/items?unit={}&date=2026-01-15&duty=own&limit=1",
            flood["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(own["total"], held["by_duty"]["own"]);
}

#[tokio::test]
async fn text_search_covers_the_impl_code() {
    let app = spawn_app(true).await;
    // Text search covers the 实施编码 as well as names and the other codes.
    let (_, all) = app.get("/api/v1/items?date=2026-01-15&limit=500").await;
    let coded = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["content"]["impl_code"].is_string())
        .expect("an item with an 实施编码");
    let code = coded["content"]["impl_code"].as_str().unwrap();
    let (status, found) = app.get(&format!("/api/v1/items?date=2026-01-15&q={code}")).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert!(
        found["items"].as_array().unwrap().iter().any(|i| i["item"] == coded["item"]),
        "{code}: {found}"
    );
}

#[tokio::test]
async fn towns_and_versions_are_compared() {
    let app = spawn_app(true).await;
    let (_, flood, plain) = towns(&app).await;
    // Two towns differ: the flood-storage town holds extra items.
    let (status, d) = app
        .get(&format!(
            "/api/v1/diff?unit_a={}&unit_b={}&date=2026-01-15",
            plain["id"].as_str().unwrap(),
            flood["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert!(d["added"].as_array().unwrap().len() >= 2, "{d}");

    // A list with two published versions: the diff of its versions is non-empty.
    let (_, lists) = app.get("/api/v1/lists?limit=500").await;
    let two = lists["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["versions"].as_u64().unwrap() >= 2)
        .expect("a list with two versions");
    let (_, versions) =
        app.get(&format!("/api/v1/lists/{}/versions", two["id"].as_str().unwrap())).await;
    let v = versions["items"].as_array().unwrap();
    assert_eq!(v[0]["status"], "superseded");
    let (_, second) = app
        .get(&format!("/api/v1/lists/{}/versions?offset=1&limit=1", two["id"].as_str().unwrap()))
        .await;
    assert_eq!(second["total"], versions["total"]);
    assert_eq!(second["items"].as_array().unwrap()[..], v[1..2]);
    let (status, d) = app
        .get(&format!(
            "/api/v1/diff?a={}&b={}",
            v[0]["id"].as_str().unwrap(),
            v[1]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let changes = d["added"].as_array().unwrap().len()
        + d["removed"].as_array().unwrap().len()
        + d["changed"].as_array().unwrap().len();
    assert!(changes > 0, "{d}");
}

#[tokio::test]
async fn the_openapi_spec_the_docs_and_the_home_page_answer() {
    let app = spawn_app(true).await;
    // OpenAPI, the browsable page and the home page.
    let (status, spec) = app.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["paths"]["/api/v1/items"].is_object());
    let docs = app.client.get(format!("{}/api/v1/docs/", app.base)).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let home = app.client.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(
        home.contains("县直部门") && home.contains("蓄滞洪区"),
        "{}",
        &home[..200.min(home.len())]
    );
}

#[tokio::test]
async fn bad_requests_get_4xx_with_stable_codes() {
    let app = spawn_app(false).await;
    let (status, body) = app.get("/api/v1/units/not-a-uuid").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_id")));
    let (status, body) = app.get("/api/v1/units/00000000-0000-0000-0000-000000000000").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, body) = app.get("/api/v1/items?colour=red").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
    let (status, body) = app.get("/api/v1/items?date=2025-13-40").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
    let (status, body) = app.get("/api/v1/items?category=行政指导").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input"))
    );
    assert!(body["message"].as_str().unwrap().contains("事项类型"));
    let (status, body) = app.get("/no/such/page").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

#[tokio::test]
async fn writes_need_a_token_and_leave_an_event_with_their_actor() {
    let app = spawn_app(true).await;
    let body = json!({ "name": "某某县新设局", "kind": "department", "region": app.service.catalog().regions.iter().find(|r| r.level() == quanze_core::RegionLevel::County).unwrap().code.as_str() });
    let (status, err) = app.post("/api/v1/units", None, body.clone()).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));

    let editor = app.token("editor").await;
    let (status, created) = app.post("/api/v1/units", Some(&editor), body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, err) = app.post("/api/v1/units", Some(&editor), body.clone()).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{err}");

    // The unit is renamed and tagged; its id stays. It may not sit under itself.
    let id = created["id"].as_str().unwrap();
    let mut renamed = body.clone();
    renamed["name"] = json!("某某县新设管理局");
    renamed["tags"] = json!(["试点单位"]);
    let path = format!("/api/v1/units/{id}");
    let put = |b: Value| app.send(reqwest::Method::PUT, &path, &editor, Some(b));
    let (status, updated) = put(renamed.clone()).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert!(updated["leaf_index"].is_u64(), "{updated}");
    let (_, unit) = app.get(&format!("/api/v1/units/{id}")).await;
    assert_eq!(unit["unit"]["name"], "某某县新设管理局", "{unit}");
    assert_eq!(unit["unit"]["tags"], json!(["试点单位"]), "{unit}");
    let mut cycle = renamed.clone();
    cycle["parent"] = json!(id);
    let (status, err) = put(cycle).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("parent_cycle")),
        "{err}"
    );
    let (status, _) = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/units/{}", uuid_like()),
            &editor,
            Some(renamed),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Every write left an event with its actor.
    let events = app.service.store().events(0, 100_000).await.unwrap();
    let created_event = events.iter().rev().find(|e| e.kind == "unit.created").unwrap();
    assert!(created_event.actor.is_some());
}

#[tokio::test]
async fn a_clerk_may_not_create_units_and_unknown_fields_are_refused() {
    let app = spawn_app(true).await;
    let editor = app.token("editor").await;
    // A clerk may not create units.
    let clerk = app.token("clerk").await;
    let (status, err) = app
        .post(
            "/api/v1/units",
            Some(&clerk),
            json!({ "name": "x局", "kind": "department", "region": "110101" }),
        )
        .await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));

    // Unknown fields are refused.
    let (status, err) = app
        .post(
            "/api/v1/units",
            Some(&editor),
            json!({ "name": "y局", "kind": "department", "region": "110101", "colour": 1 }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body"))
    );
}

async fn set_lock(
    app: &TestApp,
    token: &str,
    user: quanze_core::UserId,
    locked: bool,
    reason: &str,
) -> (StatusCode, Value) {
    let body = json!({ "locked": locked, "reason": reason });
    app.send(reqwest::Method::PUT, &format!("/api/v1/users/{user}/lock"), token, Some(body)).await
}

async fn logout(app: &TestApp, token: &str) -> (StatusCode, Value) {
    app.send(reqwest::Method::DELETE, "/api/v1/auth/token", token, None).await
}

#[tokio::test]
async fn failed_logins_make_the_guesser_wait_and_an_administrator_locks_and_unlocks() {
    let app = spawn_app(true).await;
    let login = |password: &'static str| {
        app.post("/api/v1/auth/login", None, json!({ "username": "leader", "password": password }))
    };
    // Five failures are free; the sixth makes this address (not one the account signed in
    // from) wait, even with the right password, with Retry-After.
    for i in 1..=6 {
        let (status, err) = login("wrong").await;
        assert_eq!(
            (status, err["code"].as_str().unwrap()),
            (StatusCode::UNAUTHORIZED, "unauthenticated"),
            "attempt {i}"
        );
    }
    let res = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({ "username": "leader", "password": quanze_service::demo::DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["cache-control"], "no-store", "a sign-in answer is never cached");
    assert!(res.headers().get("strict-transport-security").is_none(), "not over plain HTTP");
    let wait: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=15).contains(&wait), "{wait}");
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "sign_in_throttled");
    assert!(err["message"].as_str().unwrap().contains("后再试"), "{err}");

    // The administrator unlocks the name at once, and may lock the account: its token ends.
    let admin = app.token("admin").await;
    let leader = app.service.store().user_by_name(&Username::parse("leader").unwrap()).await;
    let leader = leader.unwrap().unwrap().id;
    let (status, err) = set_lock(&app, &admin, leader, false, "  ").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input"))
    );
    let (status, _) = set_lock(&app, &admin, leader, false, "本人确认").await;
    assert_eq!(status, StatusCode::OK);
    let token = app.token("leader").await;
    let (status, err) = set_lock(&app, &token, leader, false, "自己解锁").await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let (status, _) = set_lock(&app, &admin, leader, true, "疑似账号被盗").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = set_lock(&app, &token, leader, false, "x").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the lock ended the token");
    let (status, err) = login(quanze_service::demo::DEMO_PASSWORD).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::FORBIDDEN, Some("account_locked")));
    let (status, err) = login("wrong").await;
    assert_eq!(err["code"], "unauthenticated", "the lock is told only with the password: {status}");
    set_lock(&app, &admin, leader, false, "核实后解锁").await;
    let token = app.token("leader").await;

    // Logout ends the token; a password change keeps the caller's and ends the others.
    let (status, _) = logout(&app, &token).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = logout(&app, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (mine, other) = (app.token("leader").await, app.token("leader").await);
    let change =
        |new: &'static str| json!({ "current": quanze_service::demo::DEMO_PASSWORD, "new": new });
    let (status, err) =
        app.post("/api/v1/auth/password", Some(&mine), change("leader#2026X")).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password"))
    );
    assert!(err["message"].as_str().unwrap().contains("不得包含用户名"), "{err}");
    let (status, _) = app.post("/api/v1/auth/password", Some(&mine), change("Kx7#mq2Lp9Zt")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = logout(&app, &other).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the other token ended");
    let (status, _) = logout(&app, &mine).await;
    assert_eq!(status, StatusCode::OK, "the caller's own stayed");
}

#[tokio::test]
async fn oversized_uploads_get_413() {
    let app = spawn_app(true).await;
    let editor = app.token("editor").await;
    let list = app.service.catalog().lists[0].id;
    let body = vec![b'x'; quanze_web::MAX_BODY_BYTES + 1];
    let res = app
        .client
        .post(format!("{}/api/v1/lists/{list}/import?dry_run=true", app.base))
        .bearer_auth(&editor)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "file_too_large");
}

/// A published department list exported as xlsx, and the editor who imports it back.
struct Exported {
    editor: String,
    list_id: quanze_core::ListId,
    version: quanze_core::ListVersion,
    n_versions: u64,
    bytes: Vec<u8>,
}

impl Exported {
    async fn new(app: &TestApp) -> Self {
        let editor = app.token("editor").await;
        let catalog = app.service.catalog();
        // Export a published department list, then import it into a new list for the same unit.
        let (list, version) = catalog
            .lists
            .iter()
            .filter(|l| matches!(l.scope, quanze_core::ListScope::Unit { .. }))
            .find_map(|l| {
                catalog
                    .latest_version(l.id)
                    .filter(|v| v.status == quanze_core::VersionStatus::Published)
                    .map(|v| (l.clone(), v.clone()))
            })
            .unwrap();
        let xlsx = app
            .client
            .get(format!("{}/api/v1/versions/{}/export?format=xlsx", app.base, version.id))
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        let bytes = xlsx.bytes().await.unwrap().to_vec();
        let list_id = list.id;
        let n_versions = catalog.versions(list_id).len() as u64;
        Self { editor, list_id, version, n_versions, bytes }
    }

    /// Uploads `body` to the list's import, as a dry run or not.
    async fn upload(&self, app: &TestApp, dry: bool, body: Vec<u8>) -> reqwest::Response {
        app.client
            .post(format!("{}/api/v1/lists/{}/import?dry_run={dry}", app.base, self.list_id))
            .bearer_auth(&self.editor)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Imports the export as a draft; the outcome and the draft's id.
    async fn import(&self, app: &TestApp) -> (Value, String) {
        let res = self.upload(app, false, self.bytes.clone()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let outcome: Value = res.json().await.unwrap();
        let draft = outcome["version"].as_str().unwrap().to_owned();
        (outcome, draft)
    }
}

#[tokio::test]
async fn a_dry_run_and_a_garbage_file_store_nothing() {
    let app = spawn_app(true).await;
    let x = Exported::new(&app).await;
    let (list_id, version, n_versions, bytes) = (x.list_id, &x.version, x.n_versions, &x.bytes);
    let dry: Value = x.upload(&app, true, bytes.to_vec()).await.json().await.unwrap();
    assert_eq!(dry["rows"].as_u64().unwrap() as usize, version.entries.len(), "{dry}");
    assert!(dry["version"].is_null());
    assert_eq!(app.get(&format!("/api/v1/lists/{list_id}/versions")).await.1["total"], n_versions);

    // Garbage is refused with a clear code and nothing is stored.
    let res = x.upload(&app, false, b"PK\x03\x04 not really a workbook".to_vec()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["message"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{err}"
    );
    assert_eq!(app.get(&format!("/api/v1/lists/{list_id}/versions")).await.1["total"], n_versions);
}

#[tokio::test]
async fn an_import_publishes_once_and_only_a_draft_is_discarded() {
    let app = spawn_app(true).await;
    let x = Exported::new(&app).await;
    let (list_id, editor, bytes) = (x.list_id, x.editor.as_str(), &x.bytes);
    let (_, draft) = x.import(&app).await;
    // Outside a change set, publication is a leader's recorded 审定 (issue 14): here the
    // adoption of an imported list with the document that approved it.
    let approval = |effective: &str, doc_no: &str| {
        json!({
            "effective": effective, "doc_no": doc_no, "body": "县委机构编制委员会",
            "meeting": "县委编委2026年第3次会议", "decided_on": "2026-03-02", "adoption": true,
        })
    };
    let leader = app.token("leader").await;
    let path = format!("/api/v1/versions/{draft}/publish");
    let (status, err) =
        app.post(&path, Some(editor), approval("2099-12-01", "某编〔2026〕12号")).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let mut blank = approval("2099-12-01", "某编〔2026〕12号");
    blank["body"] = json!(" ");
    let (status, err) = app.post(&path, Some(leader.as_str()), blank).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("missing_approval_record"))
    );
    let (status, err) =
        app.post(&path, Some(leader.as_str()), approval("2001-01-01", "某编〔2026〕12号")).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("past_effective_date"))
    );
    let (status, published) =
        app.post(&path, Some(leader.as_str()), approval("2099-12-01", "某编〔2026〕12号")).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    let (status, again) =
        app.post(&path, Some(leader.as_str()), approval("2099-12-02", "某编〔2026〕13号")).await;
    assert_eq!(
        (status, again["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_a_draft"))
    );
    // A published version cannot be discarded; a new draft can, and is gone.
    let (status, err) =
        app.send(reqwest::Method::DELETE, &format!("/api/v1/versions/{draft}"), editor, None).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_a_draft"))
    );
    let res = x.upload(&app, false, bytes.to_vec()).await;
    let second: Value = res.json().await.unwrap();
    let second = second["version"].as_str().unwrap().to_owned();
    let versions = format!("/api/v1/lists/{list_id}/versions");
    let total = |v: Value| v["total"].as_u64().unwrap();
    let before = total(app.send(reqwest::Method::GET, &versions, editor, None).await.1);
    let (status, gone) = app
        .send(reqwest::Method::DELETE, &format!("/api/v1/versions/{second}"), editor, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{gone}");
    assert_eq!(total(app.send(reqwest::Method::GET, &versions, editor, None).await.1), before - 1);
    let path = format!("/api/v1/versions/{second}");
    assert_eq!(app.send(reqwest::Method::GET, &path, editor, None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn drafts_are_the_staffs_and_a_staff_members_export_is_an_audit_record() {
    let app = spawn_app(true).await;
    let x = Exported::new(&app).await;
    let (list_id, editor, n_versions) = (x.list_id, x.editor.as_str(), x.n_versions);
    let published = x.version.id;
    let (_, draft) = x.import(&app).await;
    let get = reqwest::Method::GET;

    // The public sees what was published, never the draft: not listed, not readable, not
    // exportable, not comparable (each as if it did not exist).
    let versions = format!("/api/v1/lists/{list_id}/versions");
    let (_, public) = app.get(&versions).await;
    assert_eq!(public["total"], n_versions, "{public}");
    let (_, staff) = app.send(get.clone(), &versions, editor, None).await;
    assert_eq!(staff["total"], n_versions + 1, "{staff}");
    let export = format!("/api/v1/versions/{draft}/export?format=json");
    let diff = format!("/api/v1/diff?a={published}&b={draft}");
    for path in [format!("/api/v1/versions/{draft}"), export.clone(), diff.clone()] {
        let (status, body) = app.get(&path).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{path}"
        );
        let (status, body) = app.send(get.clone(), &path, editor, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }

    // The editor's export is in the audit trail (who, which version, which format); the
    // public's downloads of the published list (one in `Exported::new`) are not.
    let auditor = app.token("auditor").await;
    let (status, page) = app.send(get, "/api/v1/audit?kind=list.exported", &auditor, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let records = page["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{page}");
    assert_eq!(records[0]["actor_name"], "editor");
    assert_eq!(records[0]["outcome"], "success");
    assert_eq!(records[0]["details"]["version"], draft.as_str(), "{page}");
    assert_eq!(records[0]["details"]["format"], "json", "{page}");

    // The lists' index counts and shows what was published to the public, the draft to staff.
    let list_of = |page: &Value| {
        page["items"].as_array().unwrap().iter().find(|l| l["id"] == list_id.to_string()).cloned()
    };
    let (_, public) = app.get("/api/v1/lists?limit=500").await;
    let public = list_of(&public).expect("the published list is public");
    assert_eq!(public["versions"], n_versions, "{public}");
    assert_eq!(public["latest"]["status"], "published", "{public}");
    let (_, staff) = app.send(reqwest::Method::GET, "/api/v1/lists?limit=500", editor, None).await;
    let staff = list_of(&staff).unwrap();
    assert_eq!(
        (staff["versions"].clone(), staff["latest"]["id"].clone()),
        (json!(n_versions + 1), json!(draft))
    );

    // The export's leaf is withheld from the public ledger (hash only), like an account's.
    let seq = records[0]["seq"].as_u64().unwrap();
    let leaf = seq - 1;
    let (_, entries) =
        app.get(&format!("/api/v1/ledger/entries?start={leaf}&end={}", leaf + 1)).await;
    assert_eq!(entries["entries"][0]["withheld"], true, "{entries}");
}

#[tokio::test]
async fn reimporting_an_export_changes_nothing() {
    let app = spawn_app(true).await;
    let x = Exported::new(&app).await;
    let version = &x.version;
    let (outcome, draft) = x.import(&app).await;
    // Re-importing the export changes nothing: import(export(list)) == list.
    assert_eq!(outcome["unchanged"].as_u64().unwrap() as usize, version.entries.len(), "{outcome}");
    assert_eq!(
        (outcome["added"].as_u64(), outcome["changed"].as_u64(), outcome["removed"].as_u64()),
        (Some(0), Some(0), Some(0))
    );
    let diff = format!("/api/v1/diff?a={}&b={draft}", version.id);
    let (_, d) = app.send(reqwest::Method::GET, &diff, &x.editor, None).await;
    assert!(
        d["added"].as_array().unwrap().is_empty() && d["changed"].as_array().unwrap().is_empty(),
        "{d}"
    );
}

/// An editor's account on an app without the demo; their token.
async fn add_editor(app: &TestApp) -> String {
    let editor = quanze_service::NewUser {
        username: Username::parse("editor").unwrap(),
        display_name: "编办".into(),
        password: quanze_service::demo::DEMO_PASSWORD.into(),
        roles: vec![quanze_core::RoleAssignment {
            role: quanze_core::Role::StaffingEditor,
            unit: None,
        }],
    };
    app.service.create_user(None, editor).await.unwrap();
    app.token("editor").await
}

/// Three regions, as the body of `POST /api/v1/regions`.
fn three_regions() -> Value {
    json!({ "regions": [
        { "code": "330000000000", "name": "浙江省" },
        { "code": "330600000000", "name": "绍兴市" },
        { "code": "330603000000", "name": "柯桥区" },
    ] })
}

/// An app without the demo whose ledger holds an editor's account, their login and token, and
/// three regions; the leaf index of the regions' write.
async fn ledger_with_regions(app: &TestApp) -> u64 {
    let token = add_editor(app).await;
    let (status, put) = app.post("/api/v1/regions", Some(&token), three_regions()).await;
    assert_eq!(status, StatusCode::OK, "{put}");
    put["leaf_index"].as_u64().expect("a write carries its leaf index")
}

#[tokio::test]
async fn regions_are_added_by_an_editor_and_bad_codes_refused() {
    let app = spawn_app(false).await;
    let token = add_editor(&app).await;
    let regions = three_regions();
    let (status, _) = app.post("/api/v1/regions", None, regions.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, err) = app
        .post(
            "/api/v1/regions",
            Some(&token),
            json!({ "regions": [{ "code": "33x", "name": "?" }] }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_region"))
    );
    assert!(err["message"].as_str().unwrap().contains("第1个"), "{err}");
    let (status, put) = app.post("/api/v1/regions", Some(&token), regions).await;
    assert_eq!(status, StatusCode::OK, "{put}");
    assert!(put["leaf_index"].as_u64().is_some(), "a write carries its leaf index: {put}");
    let (_, listed) = app.get("/api/v1/regions").await;
    assert_eq!(listed["total"], 3, "{listed}");
}

#[tokio::test]
async fn the_ledger_answers_with_proofs() {
    let app = spawn_app(false).await;
    let leaf = ledger_with_regions(&app).await;

    // The ledger: user, login, token, regions; no key configured, so no checkpoint.
    let (status, head) = app.get("/api/v1/ledger").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(head["size"].as_u64(), Some(leaf + 1), "{head}");
    assert_eq!(head["alg"], "sm3");
    let (status, err) = app.get("/api/v1/ledger/checkpoint").await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, entries) = app.get(&format!("/api/v1/ledger/entries?start={leaf}&end=99")).await;
    assert_eq!(status, StatusCode::OK);
    let entry = &entries["entries"][0];
    assert_eq!(entry["index"].as_u64(), Some(leaf));
    assert!(entry["leaf"].as_str().unwrap().contains("region.put"), "{entry}");
    // An account's events (its creation, sign-ins, tokens) are withheld from the public, hash
    // only; the audit administrator reads them, and no leaf names an account in clear.
    let (_, public) = app.get(&format!("/api/v1/ledger/entries?start=0&end={leaf}")).await;
    let public = public["entries"].as_array().unwrap().clone();
    assert!(public.iter().any(|e| e["withheld"] == true), "{public:?}");
    for e in &public {
        let text = e["leaf"].as_str().unwrap();
        assert!(e["withheld"] == true || !text.contains("\"kind\":\"user."), "{e}");
        assert!(e["leaf_hash"].as_str().is_some_and(|h| h.len() == 64));
    }
    let auditor = quanze_service::NewUser {
        username: Username::parse("auditor").unwrap(),
        display_name: "审计".into(),
        password: quanze_service::demo::DEMO_PASSWORD.into(),
        roles: vec![quanze_core::RoleAssignment { role: quanze_core::Role::Auditor, unit: None }],
    };
    app.service.create_user(None, auditor).await.unwrap();
    let auditor = app.token("auditor").await;
    let path = format!("/api/v1/ledger/entries?start=0&end={}", leaf + 1);
    let (_, audited) = app.send(reqwest::Method::GET, &path, &auditor, None).await;
    let audited = audited["entries"].as_array().unwrap().clone();
    assert!(audited.iter().all(|e| e.get("withheld").is_none()), "the auditor reads them all");
    assert!(audited.iter().any(|e| e["leaf"].as_str().unwrap().contains("user.login")));
    assert!(
        audited.iter().all(|e| !e["leaf"].as_str().unwrap().contains("\"username\"")),
        "no account name in a leaf"
    );
    let (status, proof) =
        app.get(&format!("/api/v1/ledger/proof/inclusion?index={leaf}&size={}", leaf + 1)).await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    assert_eq!(proof["leaf_hash"], entry["leaf_hash"]);
    assert_eq!(proof["root"], head["root"]);
    let (status, by_hash) = app
        .get(&format!(
            "/api/v1/ledger/proof/inclusion?leaf_hash={}&size={}",
            entry["leaf_hash"].as_str().unwrap(),
            leaf + 1
        ))
        .await;
    assert_eq!((status, &by_hash["proof"]), (StatusCode::OK, &proof["proof"]));
    let (status, c) =
        app.get(&format!("/api/v1/ledger/proof/consistency?first=1&second={}", leaf + 1)).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["second_root"], head["root"]);
}

#[tokio::test]
async fn bad_ledger_requests_get_a_precise_4xx() {
    let app = spawn_app(false).await;
    ledger_with_regions(&app).await;

    // Bad requests: precise 4xx, never 500.
    for (path, want, code) in [
        ("/api/v1/ledger/entries?start=5&end=1", StatusCode::BAD_REQUEST, "invalid_query"),
        (
            "/api/v1/ledger/proof/inclusion?index=99&size=2",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_proof_request",
        ),
        (
            "/api/v1/ledger/proof/inclusion?index=0&size=999",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_proof_request",
        ),
        ("/api/v1/ledger/proof/inclusion?size=2", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/ledger/proof/inclusion?index=x&size=2", StatusCode::BAD_REQUEST, "invalid_query"),
        (
            "/api/v1/ledger/proof/inclusion?leaf_hash=zz&size=2",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_hash",
        ),
        (
            "/api/v1/ledger/proof/consistency?first=3&second=2",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_proof_request",
        ),
        ("/api/v1/ledger/receipts/999", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/ledger/receipts/-1", StatusCode::BAD_REQUEST, "invalid_id"),
    ] {
        let (status, err) = app.get(path).await;
        assert_eq!((status, err["code"].as_str()), (want, Some(code)), "{path}: {err}");
    }
    let res = app
        .client
        .post(format!("{}/api/v1/ledger/cosignatures", app.base))
        .body("not a note")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "bad_cosignature", "{err}");
}

#[tokio::test]
async fn township_differences_are_declared_on_a_template_draft() {
    let app = spawn_app(true).await;
    let editor = app.token("editor").await;
    let catalog = app.service.catalog();
    let template = catalog
        .lists
        .iter()
        .find(|l| matches!(l.scope, quanze_core::ListScope::TownshipTemplate { .. }))
        .expect("the demo county's township template")
        .clone();
    let published = catalog.latest_version(template.id).unwrap().clone();
    assert_eq!(published.status, quanze_core::VersionStatus::Published);
    // A draft of the next version, as a revision would start.
    let draft = quanze_core::ListVersion {
        id: quanze_core::ListVersionId::from_uuid(uuid::Uuid::now_v7()),
        number: published.number + 1,
        status: quanze_core::VersionStatus::Draft,
        effective_from: None,
        effective_until: None,
        doc_no: None,
        ..published.clone()
    };
    let draft_id = draft.id;
    app.service
        .save_draft(None, quanze_store::DraftWrite { version: draft, new_items: Vec::new() })
        .await
        .unwrap();
    let town = catalog
        .units
        .iter()
        .find(|u| u.kind == quanze_core::UnitKind::Township && u.tags.is_empty())
        .unwrap();
    let department =
        catalog.units.iter().find(|u| u.kind == quanze_core::UnitKind::Department).unwrap();
    let first = published.entries[0].item;
    let remove_for = |unit: quanze_core::UnitId, item: quanze_core::ItemId| json!({ "target": { "kind": "town", "unit": unit }, "change": { "kind": "remove", "item": item }, "reason": "本镇无此业务" });
    let put = |version: quanze_core::ListVersionId, token: Option<String>, body: Value| {
        let mut req =
            app.client.put(format!("{}/api/v1/versions/{version}/overrides", app.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let one = json!({ "overrides": [remove_for(town.id, first)] });
    let (status, _) = put(draft_id, None, one.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A published version never changes.
    let (status, err) = put(published.id, Some(editor.clone()), one.clone()).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{err}");
    // Each wrong override is refused with its position, and nothing is written.
    let unknown_item = quanze_core::ItemId::from_uuid(uuid::Uuid::now_v7());
    for (body, what) in [
        (json!({ "overrides": [remove_for(department.id, first)] }), "不是本县的乡镇"),
        (json!({ "overrides": [remove_for(town.id, unknown_item)] }), "不在通用目录中"),
        (json!({ "overrides": [remove_for(town.id, first), remove_for(town.id, first)] }), "第2条"),
    ] {
        let (status, err) = put(draft_id, Some(editor.clone()), body).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_override")),
            "{err}"
        );
        assert!(err["message"].as_str().unwrap().contains(what), "{what}: {err}");
    }
    assert_eq!(app.service.catalog().version(draft_id).unwrap().overrides, published.overrides);
    // A valid set replaces the draft's overrides, keeping the published ones untouched.
    let mut overrides = serde_json::to_value(&published.overrides).unwrap();
    overrides.as_array_mut().unwrap().push(remove_for(town.id, first));
    let (status, done) =
        put(draft_id, Some(editor.clone()), json!({ "overrides": overrides })).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["leaf_index"].is_u64(), "{done}");
    let stored = app.service.catalog().version(draft_id).unwrap().clone();
    assert_eq!(stored.overrides.len(), published.overrides.len() + 1);
    let resolved = stored.resolve_for(town);
    assert!(resolved.iter().all(|e| e.item != first), "the town no longer holds the item");
    assert!(published.resolve_for(town).iter().any(|e| e.item == first));
}

#[tokio::test]
async fn accounts_get_roles_per_unit_and_a_clerk_acts_only_for_their_unit() {
    let app = spawn_app(true).await;
    let catalog = app.service.catalog();
    let own_list = |unit: quanze_core::UnitId| {
        catalog
            .lists
            .iter()
            .find(|l| l.scope == quanze_core::ListScope::Unit { unit })
            .map(|l| l.id)
    };
    let mut departments = catalog
        .units
        .iter()
        .filter(|u| u.kind == quanze_core::UnitKind::Department)
        .filter_map(|u| own_list(u.id).map(|l| (u.id, l)));
    let (mine, my_list) = departments.next().unwrap();
    let (_, other_list) = departments.next().unwrap();
    let body = json!({
        "username": "clerk.unit", "display_name": "王五", "password": "Clerk#2026xy",
        "roles": [{ "role": "clerk", "unit": mine }],
    });
    let editor = app.token("editor").await;
    let (status, err) = app.post("/api/v1/users", Some(&editor), body.clone()).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{err}");
    let admin = app.token("admin").await;
    let (status, bad) = app
        .post("/api/v1/users", Some(&admin), json!({ "username": "x.y", "display_name": "x", "password": "Clerk#2026xy", "roles": [{ "role": "boss" }] }))
        .await;
    assert_eq!(
        (status, bad["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_role"))
    );
    let stray = json!({ "username": "x.z", "display_name": "x", "password": "Clerk#2026xy", "roles": [{ "role": "clerk", "unit": uuid::Uuid::now_v7() }] });
    let (status, bad) = app.post("/api/v1/users", Some(&admin), stray).await;
    assert_eq!(
        (status, bad["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_unit")),
        "{bad}"
    );
    let (status, created) = app.post("/api/v1/users", Some(&admin), body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(created["leaf_index"].is_u64());
    let (status, _) = app.post("/api/v1/users", Some(&admin), body).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, login) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({ "username": "clerk.unit", "password": "Clerk#2026xy" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let clerk = login["token"].as_str().unwrap().to_owned();
    let upload = |list: quanze_core::ListId| {
        app.client
            .post(format!("{}/api/v1/lists/{list}/import?dry_run=true", app.base))
            .bearer_auth(&clerk)
            .body(b"not a workbook".to_vec())
            .send()
    };
    // Another unit's list: refused before the file is even read.
    let res = upload(other_list).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Their own unit's list: allowed, so the (bad) file itself is what is refused.
    let res = upload(my_list).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// The demo's laws: (all of them, the amended edition of the 行政处罚法, its new edition).
async fn penalty_law_editions(app: &TestApp) -> (Value, Value, Value) {
    let (status, laws) = app.get("/api/v1/laws?limit=500").await;
    assert_eq!(status, StatusCode::OK, "{laws}");
    let items = laws["items"].as_array().unwrap();
    let old = items
        .iter()
        .find(|l| l["title"] == "中华人民共和国行政处罚法" && l["in_force_until"].is_string())
        .expect("the amended edition")
        .clone();
    let new = items.iter().find(|l| l["id"] == old["amended_by"]).expect("the new edition").clone();
    (laws, old, new)
}

/// A municipal rule, registered by the editor; its body and the answer.
async fn register_law(app: &TestApp, editor: &str) -> (Value, Value) {
    let body = json!({
        "title": "清源县城市绿化管理办法", "level": "normative_document",
        "issuer": "清源县人民政府", "in_force_from": "2020-03-01",
    });
    let (status, created) = app.post("/api/v1/laws", Some(editor), body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (body, created)
}

#[tokio::test]
async fn the_law_registry_answers_with_an_amended_editions_impact() {
    let app = spawn_app(true).await;
    let (laws, old, new) = penalty_law_editions(&app).await;
    assert!(laws["total"].as_u64().unwrap() > 40, "{}", laws["total"]);
    // The demo's amended edition: the 1996 行政处罚法, replaced on 2021-07-15.
    assert_eq!(old["in_force_until"], "2021-07-15");
    assert_eq!(new["in_force_from"], "2021-07-15");
    let (status, report) =
        app.get(&format!("/api/v1/laws/{}/impact", old["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let impacted = report["items"].as_array().unwrap();
    assert!(impacted.len() > 20, "penalty items cite it: {}", impacted.len());
    assert!(impacted.iter().all(|i| !i["citations"].as_array().unwrap().is_empty()));
}

#[tokio::test]
async fn hostile_text_dates_methods_and_headers_get_the_usual_json_error() {
    let app = spawn_app(true).await;
    let editor = app.token("editor").await;
    let law = |title: String, from: &str| json!({ "title": title, "level": "normative_document", "issuer": "清源县人民政府", "in_force_from": from });
    let laws_before = app.get("/api/v1/laws").await.1["total"].clone();
    for (body, what) in [
        (law("办法".repeat(101), "2020-03-01"), "超过200个字"),
        (law("清源县\u{202E}管理办法".into(), "2020-03-01"), "改变文字方向"),
        (law("清源县\u{0}管理办法".into(), "2020-03-01"), "控制字符"),
        (law("清源县古籍管理办法".into(), "0001-01-01"), "1949年10月1日"),
        (law("清源县远期管理办法".into(), "2207-01-01"), "1949年10月1日"),
    ] {
        let (status, err) = app.post("/api/v1/laws", Some(&editor), body).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")),
            "{err}"
        );
        assert!(err["message"].as_str().unwrap().contains(what), "{err}");
    }
    assert_eq!(app.get("/api/v1/laws").await.1["total"], laws_before, "nothing stored");

    // A method the path lacks, an address too long, headers too large: each the usual body.
    let res = app.client.delete(format!("{}/api/v1/units", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(res.headers().contains_key("allow"));
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "method_not_allowed");
    let long = format!("{}/api/v1/items?q={}", app.base, "a".repeat(40_000));
    let res = app.client.get(long).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::URI_TOO_LONG);
    assert!(res.headers().contains_key("content-security-policy"), "with the usual headers");
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "uri_too_long");
    let res = app
        .client
        .get(format!("{}/api/v1/units", app.base))
        .header("x-padding", "p".repeat(40 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "headers_too_large");
}

#[tokio::test]
async fn a_law_is_registered_once_and_ended_once() {
    let app = spawn_app(true).await;
    // Register, refuse a twin, refuse bad endings, end it once.
    let editor = app.token("editor").await;
    let (body, created) = register_law(&app, &editor).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, err) = app.post("/api/v1/laws", Some(&editor), body.clone()).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{err}");
    let clerk = app.token("clerk").await;
    let (status, _) = app.post("/api/v1/laws", Some(&clerk), body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let end_path = format!("/api/v1/laws/{id}/end");
    let end = |b: Value| app.post(&end_path, Some(&editor), b);
    let (status, err) = end(json!({ "ending": "repealed", "on": "2019-01-01" })).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("law_end_before_start"))
    );
    let (status, err) = end(json!({ "ending": "amended", "on": "2025-01-01" })).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("amendment_without_edition"))
    );
    let (status, ended) = end(json!({ "ending": "repealed", "on": "2025-01-01" })).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert!(ended["leaf_index"].is_u64());
    assert_eq!(ended["impact"]["items"], json!([]), "nothing cites it");
    let (status, err) = end(json!({ "ending": "repealed", "on": "2026-01-01" })).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("law_already_ended"))
    );
    let (status, _) = app.get(&format!("/api/v1/laws/{}/impact", uuid_like())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_draft_change_set_is_made_only_for_an_ended_law_that_is_cited() {
    let app = spawn_app(true).await;
    let (_, old, new) = penalty_law_editions(&app).await;
    let editor = app.token("editor").await;
    let (_, created) = register_law(&app, &editor).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let end = json!({ "ending": "repealed", "on": "2025-01-01" });
    let (status, ended) = app.post(&format!("/api/v1/laws/{id}/end"), Some(&editor), end).await;
    assert_eq!(status, StatusCode::OK, "{ended}");

    // A draft change set for the items citing the amended edition; none for a law nothing
    // cites, nor for one in force.
    let effective = (app.service.today() + chrono::Days::new(90)).to_string();
    let draft = |law: &str| {
        let path = format!("/api/v1/laws/{law}/draft-change-set");
        let (app, editor, effective) = (&app, &editor, &effective);
        async move { app.post(&path, Some(editor), json!({ "effective_on": effective })).await }
    };
    let (status, body) = draft(old["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let changes = body["change_set"]["changes"].as_array().unwrap();
    assert!(changes.len() > 20, "{}", changes.len());
    assert!(changes.iter().all(|c| c["action"] == "amend"), "the law has a new edition");
    assert!(changes.iter().all(|c| {
        c["fields"].as_array().unwrap().iter().any(|f| {
            f["field"] == "legal_basis"
                || f["field"] == "responsibilities"
                || f["field"] == "accountability"
        })
    }));
    let (status, err) = draft(&id).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("nothing_to_revise"))
    );
    let (status, err) = draft(new["id"].as_str().unwrap()).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("law_in_force"))
    );
}

#[tokio::test]
async fn a_change_set_is_drafted_and_steered_through_the_api() {
    let app = spawn_app(true).await;
    let (_, lists) = app.get("/api/v1/lists?limit=500").await;
    let list = lists["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["scope"]["kind"] == "unit")
        .unwrap_or_else(|| panic!("a unit list: {lists}"));
    let list_id = list["id"].as_str().unwrap();
    let (_, versions) = app.get(&format!("/api/v1/lists/{list_id}/versions")).await;
    let version = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|v| v["status"] == "published")
        .unwrap_or_else(|| panic!("a published version: {versions}"));
    let (_, full) = app.get(&format!("/api/v1/versions/{}", version["id"].as_str().unwrap())).await;
    let entry = &full["entries"][0];
    let editor = app.token("editor").await;
    let body = json!({
        "title": "关于取消一项事项的方案",
        "effective_on": (app.service.today() + chrono::Days::new(90)).to_string(),
        "changes": [{ "list": list_id, "action": "remove", "item": entry["item"], "reason": "", "basis": "县委编委会议纪要" }],
    });
    // A change without its reason is refused with its position, in Chinese.
    let (status, err) = app.post("/api/v1/change-sets", Some(&editor), body.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["code"], "invalid_change");
    assert_eq!(err["message"], "第1项调整：调整理由不能为空", "{err}");
    let mut body = body;
    body["changes"][0]["reason"] = json!("该事项已无法律依据");
    let (status, created) = app.post("/api/v1/change-sets", None, body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{created}");
    let (status, created) = app.post("/api/v1/change-sets", Some(&editor), body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["change_set"]["set"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["change_set"]["changes"][0]["action_zh"], "取消");

    // The public cannot comment before 公示; an unknown action is a 422 naming it.
    let comments = format!("/api/v1/change-sets/{id}/comments");
    let (status, err) = app.post(&comments, None, json!({ "text": "支持" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["message"], "调整方案处于“起草”阶段，不能提交公众意见", "{err}");
    let actions = format!("/api/v1/change-sets/{id}/actions");
    let (status, _) = app.post(&actions, Some(&editor), json!({ "action": "fly" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, err) =
        app.post(&actions, Some(&editor), json!({ "action": "submit_for_review" })).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("no_round_yet"))
    );

    let (status, sent) = app.post(&actions, Some(&editor), json!({ "action": "send_round" })).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["change_set"]["stage_zh"], "第1轮征求意见");
    assert_eq!(sent["change_set"]["rounds"][0]["number"], 1);
    assert!(sent["leaf_index"].is_u64());
    let (status, urged) = app.post(&actions, Some(&editor), json!({ "action": "urge" })).await;
    assert_eq!(status, StatusCode::OK, "{urged}");
    let (status, listed) =
        app.send(reqwest::Method::GET, "/api/v1/change-sets", &editor, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["set"]["flow"]["history"].as_array().unwrap().len(), 2, "{listed}");
    let path = format!("/api/v1/change-sets/{id}");
    let (status, one) = app.send(reqwest::Method::GET, &path, &editor, None).await;
    assert_eq!((status, one["rev"].as_u64()), (StatusCode::OK, Some(3)));
    // The public reads no change set still in its opinion rounds.
    let (status, _) = app.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "internal until 公示");
    let (_, public) = app.get("/api/v1/change-sets").await;
    let ids: Vec<&str> =
        public.as_array().unwrap().iter().filter_map(|c| c["set"]["id"].as_str()).collect();
    assert!(!ids.contains(&id.as_str()), "{ids:?}");
    for c in public.as_array().unwrap() {
        assert_eq!(c["set"]["rounds"], serde_json::json!([]), "no opinions for the public");
    }
}

#[tokio::test]
async fn governance_reports_answer_as_json_xlsx_and_pages() {
    let app = spawn_app(true).await;
    // Reports as JSON, xlsx and pages; bad names and formats are refused.
    let (status, body) = app.get("/api/v1/reports/devolution?date=2026-04-01").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let towns = body["towns"].as_array().unwrap();
    assert!(towns.iter().any(|t| t["active"].as_u64().unwrap() > 0), "{body}");
    let (status, body) = app.get("/api/v1/reports/consistency?date=2026-04-01").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body["unready_grants"].as_array().unwrap().is_empty(), "{body}");
    let res = app
        .client
        .get(format!("{}/api/v1/reports/consistency?format=xlsx", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains(".xlsx"));
    assert_eq!(&res.bytes().await.unwrap()[..2], b"PK");
    let (status, body) = app.get("/api/v1/reports/consistency?format=pdf").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
    assert_eq!(app.get("/api/v1/reports/nothing").await.0, StatusCode::NOT_FOUND);
    for (path, text) in [
        ("/reports/consistency?date=2026-04-01", "未具备承接条件"),
        ("/reports/devolution?date=2026-04-01", "第一批"),
        ("/establishment", "党政综合办公室"),
    ] {
        let res = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(text), "{path} lacks {text}");
    }
}

#[tokio::test]
async fn a_list_prints_and_a_department_list_is_not_shown_for_a_town() {
    let app = spawn_app(true).await;
    // The printable page of a published list, and a list that does not exist.
    let list = app.service.catalog().lists[0].clone();
    let res = app.client.get(format!("{}/lists/{}/print", app.base, list.id)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("设定依据") && html.contains("第"), "{html}");
    let res =
        app.client.get(format!("{}/lists/{}/print", app.base, uuid_like())).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A department's list is not shown "for a town".
    let catalog = app.service.catalog();
    let dept_list = catalog
        .lists
        .iter()
        .find(|l| matches!(l.scope, quanze_core::ListScope::Unit { .. }))
        .unwrap()
        .id;
    let town = catalog.units.iter().find(|u| u.kind.is_township_level()).unwrap().id;
    let res = app
        .client
        .get(format!("{}/lists/{dept_list}/print?town={town}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_establishment_refuses_a_rise_without_approval_and_a_clerk() {
    let app = spawn_app(true).await;
    // The establishment: a rise without an approval is refused with its reason; a clerk may
    // not change it at all.
    let (status, body) = app.get("/api/v1/establishment").await;
    assert_eq!(status, StatusCode::OK);
    let quota = &body["quotas"][0];
    let unit = quota["unit"].as_str().unwrap().to_owned();
    let now = quota["quotas"]["administrative"].as_u64().unwrap();
    let rise = json!({ "change": "adjust_quotas", "reason": "增编",
        "quotas": [{ "unit": unit, "kind": "administrative", "amount": now + 1 }] });
    let editor = app.token("editor").await;
    let (status, body) =
        app.post("/api/v1/establishment/changes", Some(&editor), rise.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "quota_increase_without_approval");
    let clerk = app.token("clerk").await;
    let (status, _) = app.post("/api/v1/establishment/changes", Some(&clerk), rise).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cut = json!({ "change": "adjust_quotas", "reason": "精简",
        "quotas": [{ "unit": unit, "kind": "administrative", "amount": now - 1 }] });
    let (status, body) = app.post("/api/v1/establishment/changes", Some(&editor), cut).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["leaf_index"].as_u64().is_some());
}

#[tokio::test]
async fn authority_answers_for_a_town_with_an_active_grant() {
    let app = spawn_app(true).await;
    // holds(): a town with an active grant, over HTTP.
    let report =
        app.service.devolution_report(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
    let town = report.towns.iter().find(|t| t.active > 0).unwrap().town;
    let grant = app
        .service
        .grants(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap())
        .into_iter()
        .find(|g| g.towns.iter().any(|t| t.town == town && t.active))
        .unwrap();
    let path = format!("/api/v1/authority?unit={town}&item={}&date=2026-04-01", grant.grant.item);
    let (status, body) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["holds"], true, "{body}");
    assert_eq!(body["source"]["kind"], "grant");
    let path = format!("/api/v1/authority?unit={town}&item={}&date=2025-01-01", grant.grant.item);
    assert_eq!(app.get(&path).await.1["holds"], false);
}

#[tokio::test]
async fn anyone_searches_the_published_items_in_chinese() {
    let app = spawn_app(true).await;
    let (status, page) = app.get("/api/v1/search?q=%E4%BD%8E%E4%BF%9D").await; // 低保
    assert_eq!(status, StatusCode::OK, "{page}");
    let hits = page["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "{page}");
    assert!(hits.iter().all(|h| h["name"].as_str().unwrap().contains("最低生活保障")), "{page}");
    assert!(hits[0]["name_html"].as_str().unwrap().contains("<b>"), "{page}");
    assert_eq!(page["partial"], false);
    // Filtered by category, paged.
    let (_, one) = app.get("/api/v1/search?q=%E4%BD%8E%E4%BF%9D&category=benefit&limit=1").await;
    assert_eq!(one["hits"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one["hits"][0]["category"], "benefit");
    // A 1,000-character query (a URL of 9 KB): refused with the usual JSON body, in Chinese.
    let long = "%E8%AF%81".repeat(1_000); // 证
    let (status, err) = app.get(&format!("/api/v1/search?q={long}")).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")),
        "{err}"
    );
    assert!(err.to_string().contains("过长"), "{err}");
    // No query at all: the extractor's error, in the same shape.
    let (status, err) = app.get("/api/v1/search").await;
    assert!(status.is_client_error(), "{status}");
    assert!(err["code"].is_string(), "{err}");
}

#[tokio::test]
async fn a_search_page_past_the_first_thousand_hits_is_refused_in_chinese() {
    let app = spawn_app(true).await;
    let (status, err) = app.get("/api/v1/search?q=%E4%BD%8E%E4%BF%9D&offset=4294967295").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")),
        "{err}"
    );
    assert!(err.to_string().contains("1000条"), "{err}");
    let (alive, _) = app.get("/healthz").await;
    assert!(alive.is_success(), "the server is still up");
}

/// Ten wrong sign-ins for different names, then an eleventh, each with `forwarded` as its
/// `X-Forwarded-For`; the status of the last.
async fn wrong_sign_ins(app: &TestApp, forwarded: &[&str]) -> StatusCode {
    let mut last = StatusCode::OK;
    for (i, from) in forwarded.iter().enumerate() {
        let res = app
            .client
            .post(format!("{}/api/v1/auth/login", app.base))
            .header("x-forwarded-for", *from)
            .json(&json!({ "username": format!("guess{i}"), "password": "wrong" }))
            .send()
            .await
            .unwrap();
        last = res.status();
    }
    last
}

#[tokio::test]
async fn the_throttle_counts_the_client_behind_a_trusted_proxy_and_ignores_a_forged_header() {
    // No proxy trusted: a forged X-Forwarded-For does not get a flooding address out of its wait.
    let app = spawn_app(false).await;
    let forged: Vec<String> = (0..12).map(|i| format!("198.51.100.{i}")).collect();
    let forged: Vec<&str> = forged.iter().map(String::as_str).collect();
    assert_eq!(wrong_sign_ins(&app, &forged).await, StatusCode::TOO_MANY_REQUESTS);

    // Loopback trusted as the proxy: each client is counted apart.
    let loopback = "127.0.0.1".parse().unwrap();
    let config = quanze_service::Config { trusted_proxies: vec![loopback], ..Default::default() };
    let app = crate::helpers::spawn_app_with(false, config).await;
    assert_eq!(wrong_sign_ins(&app, &["203.0.113.5"; 12]).await, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not kept waiting; the client a forger names
    // first is not the one the proxy appended.
    assert_eq!(wrong_sign_ins(&app, &["203.0.113.6"]).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_sign_ins(&app, &["203.0.113.9, 203.0.113.5"]).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the rightmost untrusted address counts"
    );
}
