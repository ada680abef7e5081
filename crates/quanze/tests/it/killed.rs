//! Kill -9 under mixed load (issue 17): the real server, on the demo county, killed with SIGKILL
//! in the middle of four kinds of writes at once — accounts created by the administrator,
//! applications (办件) received without an account and accepted by a clerk (steps through the
//! group writer), and whole lists imported as drafts by the editor — then started again. At the
//! end every write acknowledged before a kill is in the database, and the ledger verifies from
//! its first leaf with every signed checkpoint.

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use quanze_service::cases::{CasesConfig, PersonalKey};
use quanze_service::lists::ExportFormat;
use quanze_service::{Config, Service};

use crate::cli::{quanze, start, write_accounts};

/// What the writers acknowledged, kind by kind.
#[derive(Default)]
struct Acked {
    users: Mutex<Vec<String>>,
    /// Receipt numbers of applications received.
    received: Mutex<Vec<String>>,
    /// Receipt numbers of applications accepted (受理).
    accepted: Mutex<Vec<String>>,
    /// Draft versions the imports made.
    drafts: Mutex<Vec<String>>,
    /// Ledger leaves of the public's comments on a change set in 公示.
    comments: Mutex<Vec<String>>,
}

/// What the load writes: a department's licensing power held today (unit, item), and a
/// published department list with its workbook.
pub(crate) struct Load {
    pub(crate) unit: String,
    pub(crate) item: String,
    list: String,
    workbook: Vec<u8>,
}

pub(crate) async fn load_of(db: &str, key: &Path) -> Load {
    let config = Config {
        cases: CasesConfig {
            personal_key: PersonalKey::load(key).unwrap(),
            ..CasesConfig::default()
        },
        ..Config::default()
    };
    let service = Service::open(db, config).await.unwrap();
    let catalog = service.catalog();
    let (unit, item) = quanze_service::demo::department_licence(&catalog, service.today())
        .expect("a department licensing power");
    let (list, version) = catalog
        .lists
        .iter()
        .filter(|l| matches!(l.scope, quanze_core::ListScope::Unit { .. }))
        .find_map(|l| {
            catalog
                .latest_version(l.id)
                .filter(|v| v.status == quanze_core::VersionStatus::Published)
                .map(|v| (l.id, v.id))
        })
        .expect("a published department list");
    let file = service.export_file(None, version, None, ExportFormat::Xlsx).await.unwrap();
    Load {
        unit: unit.to_string(),
        item: item.to_string(),
        list: list.to_string(),
        workbook: file.bytes,
    }
}

/// A bearer token of a demo account; an account with a second factor (the administrator)
/// completes its sign-in with the demo's TOTP code.
pub(crate) async fn token(url: &str, username: &str) -> String {
    let client = ::reqwest::Client::new();
    let res: serde_json::Value = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&serde_json::json!({
            "username": username, "password": quanze_service::demo::DEMO_PASSWORD
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = match res["second_factor"]["ticket"].as_str() {
        Some(ticket) => {
            let secret = quanze_service::second_factor::TotpSecret::from_base32(
                quanze_service::demo::DEMO_TOTP_SECRET,
            )
            .unwrap();
            let code = secret.code_at(chrono::Utc::now());
            client
                .post(format!("{url}/api/v1/auth/second-factor"))
                .json(&serde_json::json!({ "ticket": ticket, "code": code }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        }
        None => res,
    };
    res["token"].as_str().unwrap_or_else(|| panic!("a token for {username}: {res}")).to_owned()
}

/// A change set put to 公示 through the API, as the staffing office would (drafted, a round
/// sent and closed, the comment period opened until a fortnight from today); its id.
async fn change_set_in_public_comment(url: &str, editor: &str, list: &str) -> String {
    use serde_json::json;
    let client = ::reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        async move {
            let res = client.get(format!("{url}{path}")).bearer_auth(editor).send().await.unwrap();
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    let versions = get(format!("/api/v1/lists/{list}/versions")).await;
    let version =
        versions["items"].as_array().unwrap().iter().rfind(|v| v["status"] == "published");
    let full = get(format!("/api/v1/versions/{}", version.unwrap()["id"].as_str().unwrap())).await;
    let post = |path: String, body: serde_json::Value| {
        let client = client.clone();
        async move {
            let res = client
                .post(format!("{url}{path}"))
                .bearer_auth(editor)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let body = res.json::<serde_json::Value>().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {body}");
            body
        }
    };
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let created = post(
        "/api/v1/change-sets".into(),
        json!({
            "title": "关于取消一项事项的方案（征求公众意见）",
            "effective_on": (today + chrono::Days::new(90)).to_string(),
            "changes": [{ "list": list, "action": "remove", "item": full["entries"][0]["item"],
                "reason": "该事项已无法律依据", "basis": "县委编委会议纪要" }],
        }),
    )
    .await;
    let id = created["change_set"]["set"]["id"].as_str().unwrap().to_owned();
    let until = (today + chrono::Days::new(14)).to_string();
    for action in [
        json!({ "action": "send_round" }),
        json!({ "action": "close_round" }),
        json!({ "action": "open_comment", "until": until }),
    ] {
        post(format!("/api/v1/change-sets/{id}/actions"), action).await;
    }
    id
}

/// A writer thread: `step` is called until `stop` or until the server is gone (`Err`); each
/// `Ok(Some(x))` is acknowledged into `into`.
fn writer<F, Fut>(
    stop: Arc<AtomicBool>,
    into: Arc<Acked>,
    pick: fn(&Acked) -> &Mutex<Vec<String>>,
    mut step: F,
) -> JoinHandle<()>
where
    F: FnMut(::reqwest::Client, Arc<Acked>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Option<String>, ()>>,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let client = ::reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap();
            while !stop.load(Ordering::SeqCst) {
                match step(client.clone(), into.clone()).await {
                    Ok(Some(done)) => pick(&into).lock().unwrap().push(done),
                    Ok(None) => {}
                    Err(()) => break,
                }
            }
        });
    })
}

/// The answer's JSON when it is a success; `Ok(None)` for a refusal, `Err` when the server is
/// gone.
async fn success(
    res: Result<::reqwest::Response, ::reqwest::Error>,
) -> Result<Option<serde_json::Value>, ()> {
    match res {
        Ok(r) if r.status().is_success() => Ok(r.json().await.ok()),
        Ok(_) => Ok(None),
        Err(_) => Err(()),
    }
}

pub(crate) fn killed_under_mixed_load_loses_nothing_acknowledged(
    db: &str,
    dir: &Path,
    personal_key: &Path,
    demo_vkey: Option<&Path>,
) {
    let rounds: usize =
        std::env::var("QUANZE_KILL_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let origin = "quanze.local/ledger";
    let key = dir.join("log.key").to_str().unwrap().to_owned();
    let vkey = dir.join("log.vkey").to_str().unwrap().to_owned();
    let (code, _, err) = quanze(&["ledger", "keygen", "--name", origin, "--key", &key], &[]);
    assert_eq!(code, 0, "{err}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let load = Arc::new(rt.block_on(load_of(db, personal_key)));
    let personal_key = personal_key.to_str().unwrap();
    let acked = Arc::new(Acked::default());
    let mut tokens: Option<(String, String, String)> = None;
    let mut in_comment: Option<String> = None;
    for round in 0..rounds {
        // The write limits are raised so that the load reaches the handlers.
        let server = start(&[
            "serve",
            "--db",
            db,
            "--addr",
            "127.0.0.1:0",
            "--second-factor-roles",
            "none",
            "--ledger-key",
            &key,
            "--origin",
            origin,
            "--personal-key",
            personal_key,
            "--write-limit-per-address",
            "1000000",
            "--write-limit-anonymous",
            "1000000",
            "--write-limit-per-caller",
            "1000000",
            // The public's comments come through a proxy, each from its own address.
            "--trusted-proxy",
            "127.0.0.1",
        ]);
        let url = server.url.clone();
        // Tokens are stored: those of the first round serve after every restart.
        let (admin, clerk, editor) = tokens
            .get_or_insert_with(|| {
                rt.block_on(async {
                    let admin = token(&url, "admin").await;
                    (admin, token(&url, "clerk").await, token(&url, "editor").await)
                })
            })
            .clone();
        let change_set = in_comment
            .get_or_insert_with(|| {
                rt.block_on(change_set_in_public_comment(&url, &editor, &load.list))
            })
            .clone();
        let stop = Arc::new(AtomicBool::new(false));
        let users = Arc::new(Mutex::new(Vec::new()));
        let mut writers = vec![write_accounts(
            url.clone(),
            admin,
            format!("m{round:02}"),
            users.clone(),
            stop.clone(),
        )];
        // Applications, anonymous (the group writer).
        let (u, l) = (url.clone(), load.clone());
        writers.push(writer(stop.clone(), acked.clone(), |a| &a.received, move |client, _| {
            let (url, load) = (u.clone(), l.clone());
            async move {
                let body = serde_json::json!({
                    "item": load.item, "unit": load.unit, "channel": { "kind": "online" },
                    "applicant": { "kind": "person", "name": "张三", "number": "11010519491231002X" },
                });
                let res = client.post(format!("{url}/api/v1/cases")).json(&body).send().await;
                Ok(success(res).await?.and_then(|r| r["receipt"].as_str().map(str::to_owned)))
            }
        }));
        // A clerk accepting what was received (a step through the group writer).
        let u = url.clone();
        let next = Arc::new(Mutex::new(0usize));
        writers.push(writer(
            stop.clone(),
            acked.clone(),
            |a| &a.accepted,
            move |client, acked| {
                let (url, clerk, next) = (u.clone(), clerk.clone(), next.clone());
                async move {
                    let receipt = {
                        let received = acked.received.lock().unwrap();
                        let mut n = next.lock().unwrap();
                        let receipt = received.get(*n).cloned();
                        *n += usize::from(receipt.is_some());
                        receipt
                    };
                    let Some(receipt) = receipt else {
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                        return Ok(None);
                    };
                    let res = client
                        .post(format!("{url}/api/v1/cases/{receipt}/actions"))
                        .bearer_auth(&clerk)
                        .json(&serde_json::json!({ "command": { "action": "accept" } }))
                        .send()
                        .await;
                    Ok(success(res).await?.map(|_| receipt))
                }
            },
        ));
        // Whole lists imported as drafts.
        let (u, l) = (url.clone(), load.clone());
        writers.push(writer(
            stop.clone(),
            acked.clone(),
            |a| &a.drafts,
            move |client, _| {
                let (url, editor, load) = (u.clone(), editor.clone(), l.clone());
                async move {
                    let res = client
                        .post(format!("{url}/api/v1/lists/{}/import", load.list))
                        .bearer_auth(&editor)
                        .body(load.workbook.clone())
                        .send()
                        .await;
                    Ok(success(res).await?.and_then(|r| r["version"].as_str().map(str::to_owned)))
                }
            },
        ));
        // The public commenting on the change set in 公示 (anonymous; the change set's document
        // is revised with each comment).
        let u = url.clone();
        let sent = Arc::new(std::sync::atomic::AtomicU32::new(round as u32 * 10_000));
        writers.push(writer(
            stop.clone(),
            acked.clone(),
            |a| &a.comments,
            move |client, _| {
                let (url, change_set) = (u.clone(), change_set.clone());
                let n = sent.fetch_add(1, Ordering::SeqCst);
                async move {
                    let res = client
                        .post(format!("{url}/api/v1/change-sets/{change_set}/comments"))
                        .header(
                            "x-forwarded-for",
                            format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255),
                        )
                        .json(
                            &serde_json::json!({ "text": format!("第{n}条意见：建议保留该事项") }),
                        )
                        .send()
                        .await;
                    Ok(success(res)
                        .await?
                        .and_then(|r| r["leaf_index"].as_u64().map(|l| l.to_string())))
                }
            },
        ));
        std::thread::sleep(std::time::Duration::from_millis(900 + 200 * (round as u64 % 4)));
        // SIGKILL: no shutdown, no last checkpoint, writes of every kind in flight.
        drop(server);
        stop.store(true, Ordering::SeqCst);
        for w in writers {
            w.join().unwrap();
        }
        acked.users.lock().unwrap().extend(users.lock().unwrap().iter().cloned());
    }
    let count = |m: &Mutex<Vec<String>>| m.lock().unwrap().len();
    let (users, received, accepted, drafts, comments) = (
        count(&acked.users),
        count(&acked.received),
        count(&acked.accepted),
        count(&acked.drafts),
        count(&acked.comments),
    );
    assert!(
        users > 0 && received > 0 && accepted > 0 && drafts > 0 && comments > 0,
        "every kind of write went on: {users} accounts, {received} applications, {accepted} \
         acceptances, {drafts} imports, {comments} comments"
    );
    let mut verify = vec!["ledger", "verify", "--db", db, "--vkey", &vkey, "--origin", origin];
    let demo_vkey = demo_vkey.map(|p| p.to_str().unwrap().to_owned());
    if let Some(demo) = &demo_vkey {
        verify.extend(["--vkey", demo.as_str()]);
    }
    let (code, out, err) = quanze(&verify, &[]);
    assert_eq!(code, 0, "the ledger verifies after {rounds} kills: {out}{err}");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        use sqlx::Connection as _;
        let mut conn = sqlx::AnyConnection::connect(db).await.unwrap();
        let set = |rows: Vec<(String,)>| {
            rows.into_iter().map(|(n,)| n).collect::<std::collections::BTreeSet<String>>()
        };
        let names =
            set(sqlx::query_as("SELECT username FROM users").fetch_all(&mut conn).await.unwrap());
        let receipts =
            set(sqlx::query_as("SELECT receipt FROM cases").fetch_all(&mut conn).await.unwrap());
        let still_submitted =
            set(sqlx::query_as("SELECT receipt FROM cases WHERE state = 'submitted'")
                .fetch_all(&mut conn)
                .await
                .unwrap());
        let versions =
            set(sqlx::query_as("SELECT id FROM list_versions").fetch_all(&mut conn).await.unwrap());
        let lost = |what: &str, acked: &Mutex<Vec<String>>, ok: &dyn Fn(&String) -> bool| {
            let lost: Vec<String> =
                acked.lock().unwrap().iter().filter(|x| !ok(x)).cloned().collect();
            assert!(lost.is_empty(), "{what} acknowledged and lost: {lost:?}");
        };
        lost("accounts", &acked.users, &|n| names.contains(n));
        lost("applications", &acked.received, &|r| receipts.contains(r));
        lost("acceptances", &acked.accepted, &|r| {
            receipts.contains(r) && !still_submitted.contains(r)
        });
        lost("imports", &acked.drafts, &|v| versions.contains(v));
        // A comment is its event at the leaf acknowledged, and in the change set's document.
        let commented: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, payload FROM events WHERE kind = 'change_set.commented'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        let docs: Vec<(String,)> =
            sqlx::query_as("SELECT doc FROM change_sets").fetch_all(&mut conn).await.unwrap();
        let kept: std::collections::BTreeSet<String> = commented
            .iter()
            .filter(|(_, payload)| {
                let payload: serde_json::Value = serde_json::from_str(payload).unwrap();
                let id = payload["comment"].as_str().unwrap_or_default().to_owned();
                !id.is_empty() && docs.iter().any(|(doc,)| doc.contains(&id))
            })
            .map(|(seq, _)| (seq - 1).to_string())
            .collect();
        lost("comments", &acked.comments, &|leaf| kept.contains(leaf));
        conn.close().await.unwrap();
    });
    eprintln!(
        "kill -9 under mixed load: {rounds} rounds; acknowledged and kept: {users} accounts, \
         {received} applications, {accepted} acceptances, {drafts} imported lists, {comments} \
         comments"
    );
}

#[test]
fn a_sqlite_server_killed_under_mixed_load_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::cli::demo_db(dir.path());
    let data = dir.path().join("data");
    killed_under_mixed_load_loses_nothing_acknowledged(
        &db,
        dir.path(),
        &data.join("personal.key"),
        Some(&data.join("ledger.vkey")),
    );
}

#[test]
fn a_postgres_server_killed_under_mixed_load_loses_nothing_acknowledged() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(pg) = rt.block_on(quanze_store::testing::fresh_postgres()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("personal.key");
    let personal = PersonalKey::load_or_create(&key).unwrap();
    rt.block_on(async {
        let config = Config {
            cases: CasesConfig { personal_key: Some(personal), ..CasesConfig::default() },
            ..Config::default()
        };
        let service = Service::open(&pg.url, config).await.unwrap();
        service.load_demo(7).await.unwrap();
    });
    killed_under_mixed_load_loses_nothing_acknowledged(&pg.url, dir.path(), &key, None);
    rt.block_on(pg.cleanup());
}
