//! Setup the service tests share: a clock the test moves, a service on a fresh SQLite file
//! (empty or with the demo county), logging in a demo account.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use quanze_service::{Clock, Config, CurrentUser, Service, SystemClock};
use sqlx::{AnyConnection, Connection as _};

/// A clock the test moves forward.
#[derive(Debug)]
pub struct TestClock(pub Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    pub fn at(start: DateTime<Utc>) -> Arc<Self> {
        Arc::new(Self(Mutex::new(start)))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

/// The settings with no role required to sign in with a second factor: for the tests of
/// other things, whose administrators sign in with a password alone (second_factor.rs tests
/// the factor, with the default policy).
pub fn password_only(config: Config) -> Config {
    let second_factor = quanze_service::second_factor::SecondFactorPolicy {
        roles: Vec::new(),
        ..config.second_factor
    };
    Config { second_factor, ..config }
}

/// A service on a fresh SQLite file; the directory lives as long as the returned guard.
pub async fn service(clock: Arc<TestClock>, config: Config) -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().unwrap();
    let store =
        quanze_store::connect(&quanze_store::testing::sqlite_url(dir.path())).await.unwrap();
    let service = Service::new(store, clock, config).await.unwrap();
    (dir, service)
}

/// The demo county (seed 7) on a SQLite file of its own, on the system clock.
pub async fn demo() -> (tempfile::TempDir, Service) {
    let dir = demo_copy(None);
    let service = Service::open(
        &quanze_store::testing::sqlite_url(dir.path()),
        password_only(Config::default()),
    )
    .await
    .unwrap();
    (dir, service)
}

/// The demo county (seed 7) as loaded at `clock`'s time, on a SQLite file of its own.
pub async fn demo_at(clock: Arc<TestClock>) -> (tempfile::TempDir, Service) {
    let dir = demo_copy(Some(clock.now()));
    let store =
        quanze_store::connect(&quanze_store::testing::sqlite_url(dir.path())).await.unwrap();
    let service = Service::new(store, clock, password_only(Config::default())).await.unwrap();
    (dir, service)
}

/// The demo county as loaded at `clock`'s time, with the given settings (and its
/// administrators signing in with a password alone, as in [`password_only`]).
pub async fn demo_at_with(clock: Arc<TestClock>, config: Config) -> (tempfile::TempDir, Service) {
    let dir = demo_copy(Some(clock.now()));
    let store =
        quanze_store::connect(&quanze_store::testing::sqlite_url(dir.path())).await.unwrap();
    let service = Service::new(store, clock, password_only(config)).await.unwrap();
    (dir, service)
}

/// A new directory holding a copy of the demo county's database as loaded at `start` (or on
/// the system clock). Loading the demo takes seconds, copying it milliseconds: each test
/// still gets a database of its own, but the demo is loaded once per test binary and start.
fn demo_copy(start: Option<DateTime<Utc>>) -> tempfile::TempDir {
    static TEMPLATES: Mutex<BTreeMap<Option<DateTime<Utc>>, PathBuf>> = Mutex::new(BTreeMap::new());
    let template = {
        // A test that panicked while loading leaves no entry behind, so the map stays sound.
        let mut templates = TEMPLATES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = templates.len();
        templates.entry(start).or_insert_with(|| load_template(start, n)).clone()
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&template, dir.path().join("quanze.db")).unwrap();
    dir
}

/// Loads the demo into a fresh database and writes it, as one consistent file, to a file
/// under the target's temporary directory that lives as long as this process.
fn load_template(start: Option<DateTime<Utc>>, n: usize) -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    remove_stale_templates(tmp);
    let path = tmp.join(format!("demo-template-{}-{n}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let into = path.clone();
    // On a thread of its own: the runtime of the test that asked ends with that test.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let url = quanze_store::testing::sqlite_url(dir.path());
            let store = quanze_store::connect(&url).await.unwrap();
            let clock: Arc<dyn Clock> = match start {
                Some(start) => TestClock::at(start),
                None => Arc::new(SystemClock),
            };
            let service = Service::new(store, clock, Config::default()).await.unwrap();
            service.load_demo(7).await.unwrap();
            sqlx::any::install_default_drivers();
            let mut conn = AnyConnection::connect(&url).await.unwrap();
            let vacuum = format!("VACUUM INTO '{}'", into.display());
            sqlx::query(sqlx::AssertSqlSafe(vacuum)).execute(&mut conn).await.unwrap();
        });
    })
    .join()
    .expect("the demo loads");
    path
}

/// Removes the templates earlier runs of this binary left behind (a process that has ended).
fn remove_stale_templates(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("demo-template-").and_then(|r| r.split('-').next())
        else {
            continue;
        };
        if Path::new("/proc").is_dir() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A demo account, logged in.
pub async fn login(service: &Service, name: &str) -> CurrentUser {
    let login = service.login(name, quanze_service::demo::DEMO_PASSWORD).await.unwrap();
    service.authenticate(&login.token).await.unwrap()
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
