//! A case's materials over HTTP: uploads typed by content (a real executable sent as a PDF is
//! refused), the size limit answered with 413 before the body is read, content stored once,
//! reuse on the same applicant's later case and on no one else's, downloads for the applicant
//! and the staff of the units concerned only.

use std::io::{Read as _, Write as _};

use quanze_core::{ItemId, Role, RoleAssignment, UnitId, Username};
use quanze_service::Config;
use quanze_service::cases::materials::MaterialsConfig;
use quanze_service::cases::{CasesConfig, PersonalKey};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases::licence;
use crate::helpers::{TestApp, spawn_app_with};

const PDF: &[u8] = include_bytes!("../../../quanze-core/tests/data/materials/letter.pdf");
const PNG: &[u8] = include_bytes!("../../../quanze-core/tests/data/materials/stamp.png");
const LIMIT: u64 = 256 * 1024;

async fn app() -> TestApp {
    let config = Config {
        cases: CasesConfig {
            personal_key: Some(PersonalKey::generate()),
            materials: MaterialsConfig { max_bytes: LIMIT, ..MaterialsConfig::default() },
            ..CasesConfig::default()
        },
        ..Config::default()
    };
    let config = crate::helpers::password_only(config);
    spawn_app_with(true, config).await
}

fn sm3(bytes: &[u8]) -> String {
    quanze_store::HashAlg::Sm3.digest(bytes).to_hex()
}

/// A case applied for online by the person with this ID number: (receipt, access code, the
/// name of a material its item's guide lists, or any name when it lists none).
async fn apply(app: &TestApp, number: &str) -> (String, String, String) {
    let (unit, item) = licence(app);
    let body = json!({
        "item": item, "unit": unit,
        "applicant": { "kind": "person", "name": "张三", "number": number },
        "channel": { "kind": "online" }
    });
    let (status, receipt) = app.post("/api/v1/cases", None, body).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let version =
        u32::try_from(receipt["case"]["case"]["item"]["version"].as_u64().unwrap()).unwrap();
    let item: ItemId = item.parse().unwrap();
    let catalog = app.service.catalog();
    let name = catalog
        .item(item, version)
        .and_then(|i| i.content.service.as_ref())
        .and_then(|s| s.materials.first())
        .map_or_else(|| "申请书".to_owned(), |m| m.name.clone());
    (
        receipt["receipt"].as_str().unwrap().to_owned(),
        receipt["access_code"].as_str().unwrap().to_owned(),
        name,
    )
}

/// Who sends a request.
enum As<'a> {
    Applicant(&'a str),
    Staff(&'a str),
    Nobody,
}

fn with(req: reqwest::RequestBuilder, who: &As<'_>) -> reqwest::RequestBuilder {
    match who {
        As::Applicant(code) => req.header("X-Access-Code", *code),
        As::Staff(token) => req.bearer_auth(token),
        As::Nobody => req,
    }
}

async fn upload(
    app: &TestApp,
    receipt: &str,
    name: &str,
    who: As<'_>,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let url = format!("{}/api/v1/cases/{receipt}/materials", app.base);
    let req = app.client.post(url).query(&[("name", name)]).header("content-type", content_type);
    let res = with(req, &who).body(body).send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn list(app: &TestApp, receipt: &str, who: As<'_>) -> (StatusCode, Value) {
    let url = format!("{}/api/v1/cases/{receipt}/materials", app.base);
    let res = with(app.client.get(url), &who).send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn download(app: &TestApp, receipt: &str, digest: &str, who: As<'_>) -> reqwest::Response {
    let url = format!("{}/api/v1/cases/{receipt}/materials/{digest}", app.base);
    with(app.client.get(url), &who).send().await.expect("request")
}

/// A clerk for one unit only, logged in.
async fn clerk_of(app: &TestApp, name: &str, unit: UnitId) -> String {
    let admin = app.service.login("admin", quanze_service::demo::DEMO_PASSWORD).await.unwrap();
    let admin = app.service.authenticate(&admin.token).await.unwrap();
    let new = quanze_service::NewUser {
        username: Username::parse(name).unwrap(),
        display_name: name.to_owned(),
        password: quanze_service::demo::DEMO_PASSWORD.to_owned(),
        roles: vec![RoleAssignment { role: Role::Clerk, unit: Some(unit) }],
    };
    app.service.create_user(Some(&admin), new).await.unwrap();
    app.token(name).await
}

#[tokio::test]
async fn upload_by_content_list_and_download_by_the_parties_only() {
    let app = app().await;
    let (no, code, name) = apply(&app, "11010519491231002X").await;

    // A PNG sent as a PDF: the content decides, it is a PNG.
    let (status, filed) =
        upload(&app, &no, &name, As::Applicant(&code), "application/pdf", PNG).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["material"]["media_type"], "png");
    let (status, filed) =
        upload(&app, &no, &name, As::Applicant(&code), "application/pdf", PDF).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let digest = sm3(PDF);
    assert_eq!(filed["material"]["digest"], digest.as_str());
    assert_eq!(filed["material"]["media_type"], "pdf");
    assert_eq!(filed["material"]["size"], PDF.len());
    assert!(filed["leaf_index"].is_u64(), "a ledger event: {filed}");
    // The public ledger's leaf names the material but not its digest (personal: it would tell
    // who holds a copy of the scan that it was filed); the audit trail has it.
    let leaf = filed["leaf_index"].as_u64().unwrap();
    let url = format!("{}/api/v1/ledger/entries?start={leaf}&end={}", app.base, leaf + 1);
    let entries: Value = app.client.get(url).send().await.unwrap().json().await.unwrap();
    let text = entries["entries"][0]["leaf"].as_str().unwrap().to_owned();
    assert!(text.contains("case.material_filed") && text.contains("\"size\""), "{text}");
    assert!(!text.contains(&digest), "no digest in the public leaf: {text}");
    let personal = app.service.store().personal_data(leaf + 1).await.unwrap();
    assert!(personal.is_some_and(|(_, data)| data.to_string().contains(&digest)));
    // The same upload again (a retried request): the filed material, nothing written.
    let (status, again) =
        upload(&app, &no, &name, As::Applicant(&code), "application/pdf", PDF).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert!(again["leaf_index"].is_null() && again["deduplicated"] == true, "{again}");

    // A real program (/bin/true) sent as a PDF.
    let exe = std::fs::read("/bin/true").expect("/bin/true");
    let (status, err) =
        upload(&app, &no, &name, As::Applicant(&code), "application/pdf", exe).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{err}");
    assert_eq!(err["code"], "material_executable");
    assert!(err["message"].as_str().unwrap().contains("可执行程序"), "{err}");
    let (status, err) =
        upload(&app, &no, &name, As::Applicant(&code), "application/pdf", "just text").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{err}");
    assert_eq!(err["code"], "material_type_not_allowed");
    let (status, err) = upload(&app, &no, &name, As::Applicant(&code), "application/pdf", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["code"], "file_empty");
    let (status, err) =
        upload(&app, &no, &name, As::Applicant("WRONG"), "application/pdf", PDF).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert_eq!(err["code"], "case_access_denied");
    let (status, err) = upload(&app, &no, &name, As::Nobody, "application/pdf", PDF).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");

    // Listed for the applicant, in the case's own view too.
    let (status, view) = list(&app, &no, As::Applicant(&code)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["filed"].as_array().unwrap().len(), 2, "nothing refused was stored: {view}");
    assert_eq!(view["max_bytes"], LIMIT);
    let (_, case) = app
        .post(&format!("/api/v1/cases/{no}/applicant"), None, json!({ "access_code": code }))
        .await;
    assert_eq!(case["materials"].as_array().unwrap().len(), 2, "{case}");

    // Downloaded by the applicant and by the county's clerk, with the detected type.
    let res = download(&app, &no, &digest, As::Applicant(&code)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    let clerk = app.token("clerk").await;
    let res = download(&app, &no, &digest, As::Staff(&clerk)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    let (status, _) = list(&app, &no, As::Staff(&clerk)).await;
    assert_eq!(status, StatusCode::OK);

    // Nobody else: no credentials, a wrong code, a clerk of a unit the case does not concern.
    assert_eq!(download(&app, &no, &digest, As::Nobody).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        download(&app, &no, &digest, As::Applicant("WRONG")).await.status(),
        StatusCode::FORBIDDEN
    );
    let handling: UnitId = case["case"]["handling_unit"].as_str().unwrap().parse().unwrap();
    let elsewhere =
        app.service.catalog().units.iter().find(|u| u.id != handling).map(|u| u.id).unwrap();
    let stranger = clerk_of(&app, "clerk_elsewhere", elsewhere).await;
    let res = download(&app, &no, &digest, As::Staff(&stranger)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (status, _) = list(&app, &no, As::Staff(&stranger)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = upload(&app, &no, &name, As::Staff(&stranger), "application/pdf", PDF).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Not a digest; a digest this case did not file.
    assert_eq!(
        download(&app, &no, "abc", As::Applicant(&code)).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = download(&app, &no, &sm3(b"other"), As::Applicant(&code)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_with_413_and_nothing_stored() {
    let app = app().await;
    let (no, code, name) = apply(&app, "11010519491231002X").await;
    let mut big = PDF.to_vec();
    big.resize(usize::try_from(LIMIT).unwrap() + 1, b' ');

    // With a Content-Length over the limit.
    let (status, err) =
        upload(&app, &no, &name, As::Applicant(&code), "application/pdf", big.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    assert_eq!(err["code"], "file_too_large");
    assert!(err["message"].as_str().unwrap().contains("未保存"), "{err}");

    // Without one (chunked): cut off once past the limit.
    let mut chunked = Vec::new();
    for chunk in big.chunks(16 * 1024) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(&app, &no, &code, "Transfer-Encoding: chunked", chunked).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("file_too_large"), "{answer}");

    // "2 GB" announced: the answer comes at once, from the header, though only a few bytes
    // of the body were ever sent.
    let answer = raw(&app, &no, &code, "Content-Length: 2147483648", b"%PDF-1.4\n".to_vec()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("file_too_large"), "{answer}");

    let (status, view) = list(&app, &no, As::Applicant(&code)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(view["filed"].as_array().unwrap().is_empty(), "nothing stored: {view}");
}

/// An upload over a raw connection with the given framing header and body bytes, and the
/// answer as text. Writing stops quietly when the server has answered and closed.
async fn raw(app: &TestApp, receipt: &str, code: &str, framing: &str, body: Vec<u8>) -> String {
    let addr = app.base.trim_start_matches("http://").to_owned();
    let head = format!(
        "POST /api/v1/cases/{receipt}/materials?name=x HTTP/1.1\r\nHost: test\r\n\
         X-Access-Code: {code}\r\nContent-Type: application/pdf\r\n{framing}\r\n\
         Connection: close\r\n\r\n"
    );
    tokio::task::spawn_blocking(move || {
        let mut conn = std::net::TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
        let _ = conn.write_all(head.as_bytes()).and_then(|()| conn.write_all(&body));
        let mut answer = Vec::new();
        let _ = conn.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_same_applicant_reuses_a_valid_material_and_no_one_else_can() {
    let app = app().await;
    let (first, code1, name) = apply(&app, "11010519491231002X").await;
    let valid_until = (app.service.today() + chrono::Duration::days(365)).to_string();
    let url = format!("{}/api/v1/cases/{first}/materials", app.base);
    let res = app
        .client
        .post(url)
        .query(&[("name", name.as_str()), ("valid_until", valid_until.as_str())])
        .header("X-Access-Code", &code1)
        .body(PDF)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let digest = sm3(PDF);

    // The same person's next case: offered for reuse, filed by reference.
    let (second, code2, _) = apply(&app, "11010519491231002X").await;
    let (_, view) = list(&app, &second, As::Applicant(&code2)).await;
    assert_eq!(view["reusable"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(view["reusable"][0]["digest"], digest.as_str());
    let (status, filed) = app
        .post(
            &format!("/api/v1/cases/{second}/materials/reuse"),
            None,
            json!({ "digest": digest, "access_code": code2 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert!(filed["material"]["reused_from"].is_string(), "{filed}");
    assert_eq!(filed["material"]["valid_until"], valid_until.as_str());
    assert_eq!(filed["deduplicated"], true);
    let (_, view) = list(&app, &second, As::Applicant(&code2)).await;
    assert_eq!(view["filed"].as_array().unwrap().len(), 1);
    assert!(view["reusable"].as_array().unwrap().is_empty(), "{view}");
    let res = download(&app, &second, &digest, As::Applicant(&code2)).await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // Another person: nothing offered, the digest refused, the first case's file not reachable.
    let (other, code3, name3) = apply(&app, "110105198001010016").await;
    let (_, view) = list(&app, &other, As::Applicant(&code3)).await;
    assert!(view["reusable"].as_array().unwrap().is_empty(), "{view}");
    let (status, err) = app
        .post(
            &format!("/api/v1/cases/{other}/materials/reuse"),
            None,
            json!({ "digest": digest, "access_code": code3 }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    assert_eq!(err["code"], "material_not_reusable");
    assert_eq!(
        download(&app, &other, &digest, As::Applicant(&code3)).await.status(),
        StatusCode::NOT_FOUND
    );
    // The first case's code does not open the other person's case either.
    assert_eq!(
        download(&app, &other, &digest, As::Applicant(&code1)).await.status(),
        StatusCode::FORBIDDEN
    );
    // The same bytes uploaded by the other person: stored once, filed for them.
    let (status, filed) =
        upload(&app, &other, &name3, As::Applicant(&code3), "application/pdf", PDF).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["deduplicated"], true);
}

#[tokio::test]
async fn uploads_wait_for_a_turn_but_an_oversized_one_is_refused_at_once() {
    let config = Config {
        cases: CasesConfig {
            personal_key: Some(PersonalKey::generate()),
            materials: MaterialsConfig { max_bytes: LIMIT, concurrent_uploads: 1 },
            ..CasesConfig::default()
        },
        ..Config::default()
    };
    let app = spawn_app_with(true, config).await;
    let (receipt, code, name) = apply(&app, "11010519491231002X").await;
    // Every turn is taken (another upload being read).
    let turn = app.service.material_upload_turn().await;
    // An upload announcing 2 GB does not wait for a turn: 413 from its length.
    let answer = raw(&app, &receipt, &code, "Content-Length: 2147483648", Vec::new()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // A good one waits for the turn …
    let pending = {
        let (app_base, client) = (app.base.clone(), app.client.clone());
        let (receipt, code, name) = (receipt.clone(), code.clone(), name.clone());
        tokio::spawn(async move {
            client
                .post(format!("{app_base}/api/v1/cases/{receipt}/materials"))
                .query(&[("name", name.as_str())])
                .header("X-Access-Code", code)
                .body(PDF)
                .send()
                .await
                .expect("request")
                .status()
        })
    };
    let waited = tokio::time::timeout(std::time::Duration::from_millis(300), async {
        while !pending.is_finished() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(waited.is_err(), "the upload went ahead without a turn");
    // … and goes ahead when the turn is given back.
    drop(turn);
    assert_eq!(pending.await.unwrap(), StatusCode::CREATED);
    let (status, listed) = list(&app, &receipt, As::Applicant(&code)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["filed"].as_array().map(Vec::len), Some(1), "{listed}");
}
