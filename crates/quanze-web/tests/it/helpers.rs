//! Setup the HTTP tests share: the real router on a real listener over a fresh SQLite file,
//! with requests that answer (status, JSON body), and logging in a demo account.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use quanze_service::{Config, Service, SystemClock};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{AnyConnection, Connection as _};

/// A running app; its database lives as long as it does.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub service: Arc<Service>,
    _dir: tempfile::TempDir,
}

/// The app on an empty database, or on a database of its own holding the demo county. Its
/// administrators sign in with a password alone: the second factor has tests of its own
/// (second_factor.rs), which use [`spawn_app_with`] and the default policy.
pub async fn spawn_app(with_demo: bool) -> TestApp {
    spawn_app_with(with_demo, password_only(Config::default())).await
}

/// The settings with no role required to sign in with a second factor.
pub fn password_only(config: Config) -> Config {
    let second_factor = quanze_service::second_factor::SecondFactorPolicy {
        roles: Vec::new(),
        ..config.second_factor
    };
    Config { second_factor, ..config }
}

/// The same with the given settings.
pub async fn spawn_app_with(with_demo: bool, config: Config) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    if with_demo {
        std::fs::copy(demo_template(), dir.path().join("quanze.db")).expect("a copy of the demo");
    }
    let url = format!("sqlite://{}", dir.path().join("quanze.db").display());
    let store = quanze_store::connect(&url).await.expect("store");
    let service =
        Arc::new(Service::new(store, Arc::new(SystemClock), config).await.expect("service"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = quanze_web::AppState { service: service.clone(), secure_cookies: false };
    tokio::spawn(quanze_web::serve(listener, state, std::future::pending()));
    TestApp { base: format!("http://{addr}"), client: reqwest::Client::new(), service, _dir: dir }
}

impl TestApp {
    /// A page: (status, headers, body text).
    pub async fn page(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let res = self.client.get(format!("{}{path}", self.base)).send().await.expect("request");
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.text().await.expect("a body"))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self.client.get(format!("{}{path}", self.base)).send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req =
            self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn token(&self, user: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({ "username": user, "password": quanze_service::demo::DEMO_PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().expect("token").to_owned()
    }
}

/// A well-formed id that names nothing.
pub fn uuid_like() -> String {
    "0193a5b2-7c4e-7d21-9f00-000000000000".to_owned()
}

/// The demo county (seed 7) as one consistent SQLite file that lives as long as this process.
/// Loading the demo takes seconds, copying it milliseconds: each test still gets a database of
/// its own, but the demo is loaded once per test binary.
fn demo_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale_templates(tmp);
        let path = tmp.join(format!("web-demo-template-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let into = path.clone();
        // On a thread of its own: the runtime of the test that asked ends with that test.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("a runtime");
            rt.block_on(async {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("quanze.db").display());
                let service = Service::open(&url, Config::default()).await.expect("service");
                service.load_demo(7).await.expect("demo loads");
                sqlx::any::install_default_drivers();
                let mut conn = AnyConnection::connect(&url).await.expect("a connection");
                let vacuum = format!("VACUUM INTO '{}'", into.display());
                sqlx::query(sqlx::AssertSqlSafe(vacuum)).execute(&mut conn).await.expect("vacuum");
            });
        })
        .join()
        .expect("the demo loads");
        path
    })
}

/// Removes the templates earlier runs of this binary left behind (a process that has ended).
fn remove_stale_templates(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("web-demo-template-").and_then(|r| r.strip_suffix(".db"))
        else {
            continue;
        };
        if Path::new("/proc").is_dir() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A member of staff's side of the workbench's pages: signing in, and pages read and forms
/// posted with the session cookie, redirects not followed.
pub mod staff {
    use reqwest::StatusCode;
    use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

    use super::TestApp;

    pub fn client() -> reqwest::Client {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    pub async fn sign_in(app: &TestApp, username: &str) -> String {
        let res = client()
            .post(format!("{}/staff/login", app.base))
            .header("sec-fetch-site", "same-origin")
            .form(&[
                ("username", username),
                ("password", quanze_service::demo::DEMO_PASSWORD),
                ("next", "/staff"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{username} signs in");
        session_cookie(&res)
    }

    /// The session cookie an answer sets, as a request sends it back (`quanze_session=…`).
    pub fn session_cookie(res: &reqwest::Response) -> String {
        let cookie = res
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("quanze_session="))
            .expect("a session cookie");
        cookie.split(';').next().unwrap().to_owned()
    }

    pub async fn get(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
        let res = client()
            .get(format!("{}{path}", app.base))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    pub async fn post(
        app: &TestApp,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let res = client()
            .post(format!("{}{path}", app.base))
            .header(COOKIE, cookie)
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let location = res.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
        (status, location.unwrap_or_default(), res.text().await.unwrap())
    }
}
