//! The binary, run as a user would: demo start and restart, token, import, export, diff, and
//! the exit codes scripts rely on.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

const BIN: &str = env!("CARGO_BIN_EXE_quanze");

pub(crate) struct Running {
    child: Child,
    output: Vec<String>,
    pub(crate) url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `quanze demo` on a free port and waits for the line that names the address.
fn start_demo(data: &Path) -> Running {
    let data = data.to_str().expect("utf-8 path");
    start(&["demo", "--addr", "127.0.0.1:0", "--data", data])
}

/// Starts the binary with `args` and waits for the line that names the address.
pub(crate) fn start(args: &[&str]) -> Running {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("quanze starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut output = Vec::new();
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("utf-8 output");
        if let Some(pos) = line.find("http")
            && line.contains("已启动")
        {
            url = Some(
                line[pos..].split_whitespace().next().unwrap().trim_end_matches('/').to_owned(),
            );
            output.push(line);
            break;
        }
        output.push(line);
    }
    let url = url.unwrap_or_else(|| panic!("{args:?} never printed its address: {output:#?}"));
    Running { child, output, url }
}

pub(crate) fn quanze(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let out =
        Command::new(BIN).args(args).envs(envs.iter().copied()).output().expect("quanze runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn demo_starts_serves_and_reuses_its_data_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let demo = start_demo(&data);
        assert!(demo.output.iter().any(|l| l.contains("已生成示例县")), "{:#?}", demo.output);
        assert!(demo.output.iter().any(|l| l.contains("editor")), "accounts are printed");
        let body = reqwest::blocking_get(&format!("{}/healthz", demo.url));
        assert_eq!(body, "ok");
    }
    assert!(data.join("quanze.db").exists());
    let again = start_demo(&data);
    assert!(again.output.iter().any(|l| l.contains("沿用已有数据")), "{:#?}", again.output);
    drop(again);
}

/// A copy in `dir` of the database `quanze demo` leaves behind, as a URL. The demo runs once
/// per test binary (generating it takes seconds); each test gets a copy of its own.
pub(crate) fn demo_db(dir: &Path) -> String {
    static GENERATED: OnceLock<PathBuf> = OnceLock::new();
    let generated = GENERATED.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale_demos(tmp);
        let data = tmp.join(format!("cli-demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        // Stopped (killed) before anything is copied, so the files are still.
        drop(start_demo(&data));
        data
    });
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir(generated).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        // The shared-memory index is rebuilt from the log on opening. The personal-data key
        // goes with the database: the store keeps some documents sealed under it.
        if (name.starts_with("quanze.db") && !name.ends_with("-shm"))
            || name == "personal.key"
            || name == "ledger.vkey"
        {
            std::fs::copy(&path, data.join(name)).unwrap();
        } else if name == "materials" {
            // The applicants' uploaded materials: the database names each file.
            copy_folder(&path, &data.join(name));
        }
    }
    format!("sqlite://{}", data.join("quanze.db").display())
}

/// Copies the folder `from` and everything below it to `to`.
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Removes the demo databases earlier runs of this binary left behind (a process that has
/// ended).
fn remove_stale_demos(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("cli-demo-") else { continue };
        if Path::new("/proc").is_dir() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A department list of the demo database with two versions, and its versions.
fn list_with_two_versions(
    rt: &tokio::runtime::Runtime,
    db: &str,
) -> (quanze_core::PowerList, Vec<quanze_core::ListVersion>) {
    rt.block_on(async {
        let store = quanze_store::connect(db).await.unwrap();
        let lists = store.lists().await.unwrap();
        let mut found = None;
        for l in lists {
            let vs = store.versions(l.id).await.unwrap();
            if vs.len() >= 2 && matches!(l.scope, quanze_core::ListScope::Unit { .. }) {
                found = Some((l, vs));
                break;
            }
        }
        found.expect("a department list with two versions")
    })
}

#[test]
fn a_token_imports_and_lists_export_as_xlsx_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // Token, import (bad file, dry run), export and diff against the demo database.
    let (code, token, err) =
        quanze(&["token", "--db", &db, "--user", "editor"], &[("QUANZE_PASSWORD", "Quanze#2026")]);
    assert_eq!(code, 0, "{err}");
    let token = token.trim().to_owned();
    let (code, _, _) =
        quanze(&["token", "--db", &db, "--user", "editor"], &[("QUANZE_PASSWORD", "wrong")]);
    assert_eq!(code, 4, "a refused login exits 4");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (list, versions) = list_with_two_versions(&rt, &db);
    let list_id = list.id.to_string();

    let bad = dir.path().join("bad.xlsx");
    std::fs::write(&bad, b"this is not a workbook").unwrap();
    let (code, _, err) = quanze(
        &["import", bad.to_str().unwrap(), "--list", &list_id, "--db", &db, "--token", &token],
        &[],
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("错误"), "{err}");
    let (code, _, _) = quanze(
        &["import", bad.to_str().unwrap(), "--list", &list_id, "--db", &db, "--token", "qz_nope"],
        &[],
    );
    assert_eq!(code, 4);

    let out = dir.path().join("list.xlsx");
    let (code, stdout, err) = quanze(
        &[
            "export",
            "--list",
            &list_id,
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
            "--db",
            &db,
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("已导出"));
    let (code, stdout, err) = quanze(
        &[
            "import",
            out.to_str().unwrap(),
            "--list",
            &list_id,
            "--db",
            &db,
            "--token",
            &token,
            "--dry-run",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("试运行"), "{stdout}");

    let json_out = dir.path().join("list.json");
    let (code, _, err) = quanze(
        &[
            "export",
            "--list",
            &list_id,
            "--format",
            "json",
            "--out",
            json_out.to_str().unwrap(),
            "--db",
            &db,
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let parsed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_out).unwrap()).unwrap();
    let exported = parsed.as_array().expect("the JSON export is an array of items");
    let newest = versions.last().expect("two versions");
    assert_eq!(exported.len(), newest.entries.len(), "every entry of the newest version");
    assert!(exported.iter().all(|i| i["content"]["name"].is_string()), "{}", exported[0]);
}

#[test]
fn versions_and_towns_are_compared() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_, versions) = list_with_two_versions(&rt, &db);
    let (code, stdout, err) = quanze(
        &["diff", &versions[0].id.to_string(), &versions[1].id.to_string(), "--db", &db],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(stdout.starts_with("新增"), "{stdout}");
    let (code, _, _) = quanze(&["diff", "not-an-id", "x", "--db", &db], &[]);
    assert_eq!(code, 2, "usage errors exit 2");

    // Two towns on a date: a flood-storage town holds items an ordinary town does not.
    let towns = rt.block_on(async {
        let store = quanze_store::connect(&db).await.unwrap();
        store.units().await.unwrap()
    });
    let tag = quanze_core::Tag::parse("蓄滞洪区").unwrap();
    let flood = towns.iter().find(|u| u.tags.contains(&tag)).expect("a flood-storage town");
    let plain = towns
        .iter()
        .find(|u| u.kind == quanze_core::UnitKind::Township && u.tags.is_empty())
        .expect("an ordinary town");
    let (a, b) = (plain.id.to_string(), flood.id.to_string());
    let (code, stdout, err) =
        quanze(&["diff-units", &a, &b, "--date", "2026-01-15", "--db", &db, "--json"], &[]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(!d["added"].as_array().unwrap().is_empty(), "{stdout}");
    let (code, _, err) = quanze(&["diff-units", &a, &b, "--date", "1990-01-01", "--db", &db], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("没有生效的清单版本"), "{err}");
}

/// The whole ledger as an operator, a witness and an auditor see it: keys, a server that
/// signs checkpoints on its own, a witness process that cosigns and refuses an inconsistent
/// history, `ledger verify` on the database, export and offline verification, and a changed
/// event row found with its index.
#[test]
fn ledger_keys_witness_verify_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let origin = "quanze.test/341128";
    let db = format!("sqlite://{}", p("ledger.db"));

    let (code, _, err) =
        quanze(&["ledger", "keygen", "--name", origin, "--key", &p("log.key")], &[]);
    assert_eq!(code, 0, "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p("log.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "private key is readable by its owner only");
    }
    let (code, _, err) =
        quanze(&["ledger", "keygen", "--name", origin, "--key", &p("log.key")], &[]);
    assert_ne!(code, 0, "an existing key is never overwritten: {err}");
    let (code, _, err) = quanze(
        &["witness", "keygen", "--name", "archives.test/witness", "--key", &p("witness.key")],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) =
        quanze(&["init", "--db", &db], &[("QUANZE_ADMIN_PASSWORD", "Ledger#2026x")]);
    assert_eq!(code, 0, "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p("ledger.db")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the database is its owner's alone");
    }

    let server = start(&[
        "serve",
        "--db",
        &db,
        "--addr",
        "127.0.0.1:0",
        "--ledger-key",
        &p("log.key"),
        "--origin",
        origin,
        "--witness",
        &p("witness.vkey"),
        "--second-factor-roles",
        "none",
    ]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = ::reqwest::Client::new();
    let url = server.url.clone();
    let login = || {
        rt.block_on(async {
            let res = client
                .post(format!("{url}/api/v1/auth/login"))
                .json(&serde_json::json!({ "username": "admin", "password": "Ledger#2026x" }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        })
    };
    // The signer covers new leaves within about a second, without being asked.
    let checkpoint_covering = |size: u64| -> String {
        rt.block_on(async {
            for _ in 0..50 {
                let head: serde_json::Value = client
                    .get(format!("{url}/api/v1/ledger"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if head["checkpoint_size"].as_u64() == Some(size) {
                    return client
                        .get(format!("{url}/api/v1/ledger/checkpoint"))
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("no checkpoint of size {size} within 5 s");
        })
    };
    login();
    // init: the administrator; login: the login and its token.
    let note = checkpoint_covering(3);
    assert!(note.starts_with(&format!("{origin}\n3\n")), "{note}");

    let witness = |state: &str| {
        quanze(
            &[
                "witness",
                "run",
                "--once",
                "--key",
                &p("witness.key"),
                "--log",
                &url,
                "--log-vkey",
                &p("log.vkey"),
                "--origin",
                origin,
                "--state",
                state,
            ],
            &[],
        )
    };
    let (code, stdout, err) = witness(&p("witness-state.json"));
    assert_eq!(code, 0, "{stdout}{err}");
    let note = checkpoint_covering(3);
    assert!(note.contains("— archives.test/witness "), "the cosignature is served: {note}");
    login();
    checkpoint_covering(5);
    let (code, stdout, err) = witness(&p("witness-state.json"));
    assert_eq!(code, 0, "a consistent extension is cosigned: {stdout}{err}");
    assert!(stdout.contains('5'), "{stdout}");

    // A witness that remembers a different history refuses, and says why.
    let forged = serde_json::json!({ "size": 4, "root": "00".repeat(32) });
    std::fs::write(p("forged-state.json"), forged.to_string()).unwrap();
    let (code, _, err) = witness(&p("forged-state.json"));
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("inconsistent"), "{err}");
    drop(server);

    let verify = |db: &str| {
        quanze(&["ledger", "verify", "--db", db, "--vkey", &p("log.vkey"), "--origin", origin], &[])
    };
    let (code, stdout, err) = verify(&db);
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(stdout.contains("账本完好"), "{stdout}");

    let (code, _, err) = quanze(
        &[
            "ledger",
            "export",
            &p("export"),
            "--db",
            &db,
            "--vkey",
            &p("log.vkey"),
            "--origin",
            origin,
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let (code, stdout, err) =
        quanze(&["ledger", "verify-export", &p("export"), "--vkey", &p("log.vkey")], &[]);
    assert_eq!(code, 0, "{stdout}{err}");

    // Change one event row behind the application's back.
    rt.block_on(async {
        use sqlx::Connection as _;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&db).await.unwrap();
        sqlx::query("UPDATE events SET subject = 'user:someone-else' WHERE seq = 4")
            .execute(&mut conn)
            .await
            .unwrap();
    });
    let (code, stdout, err) = verify(&db);
    assert_eq!(code, 5, "{stdout}{err}");
    assert!(stdout.contains("第一处异常位于第3号记录"), "{stdout}");
}

mod reqwest {
    /// A blocking GET without pulling in reqwest's blocking feature: the test already has a
    /// runtime-free context, so use a tiny current-thread runtime.
    pub fn blocking_get(url: &str) -> String {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async { ::reqwest::get(url).await.unwrap().text().await.unwrap() })
    }
}

/// `quanze calendar load` and `show`: a bad file exits 3 with the Chinese message and where it
/// is wrong, a refused token 4; a good file is loaded by the administrator and shown after.
#[test]
fn calendar_years_are_loaded_from_a_file_and_shown() {
    const Y2027: &str = "[[year]]\nyear = 2027\nholidays = [\n\
        { name = \"元旦\", off = [\"2027-01-01\", \"2027-01-03\"], work = [] },\n\
        { name = \"春节\", off = [\"2027-02-06\", \"2027-02-14\"], work = [\"2027-02-20\"] },\n\
        { name = \"清明节\", off = [\"2027-04-03\", \"2027-04-05\"], work = [] },\n\
        { name = \"劳动节\", off = [\"2027-05-01\", \"2027-05-05\"], work = [\"2027-04-25\"] },\n\
        { name = \"端午节\", off = [\"2027-06-09\", \"2027-06-09\"], work = [] },\n\
        { name = \"中秋节\", off = [\"2027-09-15\", \"2027-09-15\"], work = [] },\n\
        { name = \"国庆节\", off = [\"2027-10-01\", \"2027-10-07\"], work = [\"2027-09-26\", \"2027-10-09\"] },\n\
        ]\n";
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let db = format!("sqlite://{}", p("calendar.db"));
    let (code, _, err) =
        quanze(&["init", "--db", &db], &[("QUANZE_ADMIN_PASSWORD", "Calendar#2026x")]);
    assert_eq!(code, 0, "{err}");
    let (code, token, err) = quanze(
        &["token", "--db", &db, "--user", "admin", "--second-factor-roles", "none"],
        &[("QUANZE_PASSWORD", "Calendar#2026x")],
    );
    assert_eq!(code, 0, "{err}");
    let token = token.trim().to_owned();

    let (code, out, err) = quanze(&["calendar", "show", "2027", "--db", &db], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2027年尚无节假日数据") && out.contains("2024、2025、2026"), "{out}");
    let (code, out, err) = quanze(&["calendar", "show", "2026", "--db", &db], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("248 个工作日") && out.contains("春节：2026-02-15 至 2026-02-23"),
        "{out}"
    );

    // A date that does not exist, then a year without its holidays: exit 3, nothing loaded.
    std::fs::write(p("bad.toml"), Y2027.replace("2027-10-07", "2027-10-32")).unwrap();
    let (code, _, err) =
        quanze(&["calendar", "load", &p("bad.toml"), "--db", &db, "--token", &token], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("错误")
            && err.contains("bad.toml")
            && err.contains("“2027-10-32”不是有效日期"),
        "{err}"
    );
    assert!(err.contains("calendar_invalid"), "{err}");
    std::fs::write(p("bare.toml"), "[[year]]\nyear = 2027\n").unwrap();
    let (code, _, err) =
        quanze(&["calendar", "load", &p("bare.toml"), "--db", &db], &[("QUANZE_TOKEN", &token)]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("2027年共有261个工作日"), "{err}");
    std::fs::write(p("latin1.toml"), b"# \xe9\n").unwrap();
    let (code, _, err) =
        quanze(&["calendar", "load", &p("latin1.toml"), "--db", &db, "--token", &token], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("UTF-8"), "{err}");
    std::fs::write(p("2027.toml"), Y2027).unwrap();
    let (code, _, err) =
        quanze(&["calendar", "load", &p("2027.toml"), "--db", &db, "--token", "qz_nope"], &[]);
    assert_eq!(code, 4, "a refused token exits 4: {err}");
    let (code, out, _) = quanze(&["calendar", "show", "2027", "--db", &db, "--json"], &[]);
    assert_eq!(code, 0);
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["covered"], false, "nothing was loaded: {shown}");

    let (code, out, err) =
        quanze(&["calendar", "load", &p("2027.toml"), "--db", &db, "--token", &token], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("新增 2027年") && out.contains("248 个工作日") && out.contains("已保存"),
        "{out}"
    );
    let (code, out, err) =
        quanze(&["calendar", "load", &p("2027.toml"), "--db", &db, "--token", &token], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("未变 2027年") && out.contains("未保存任何内容"), "{out}");

    let (code, out, err) = quanze(&["calendar", "show", "2027", "--db", &db, "--json"], &[]);
    assert_eq!(code, 0, "{err}");
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (shown["covered"].as_bool(), shown["source"].as_str()),
        (Some(true), Some("loaded"))
    );
    assert_eq!(shown["working_days"], 248);
    let (code, out, _) = quanze(&["calendar", "show", "2027", "--db", &db], &[]);
    assert_eq!(code, 0);
    assert!(
        out.contains("管理员于")
            && out
                .contains("国庆节：2027-10-01 至 2027-10-07 放假，调休上班 2027-09-26、2027-10-09"),
        "{out}"
    );
    let (code, _, _) = quanze(&["calendar", "show", "20270", "--db", &db], &[]);
    assert_eq!(code, 2, "a year out of range is a usage error");
}

/// `quanze case show` and `case tick` on the demo's database: an unknown receipt exits 1 with
/// the Chinese message, a malformed one says what is wrong, a tick prints its report; serving
/// a SQLite database creates its personal-data key beside it, readable by the owner only.
#[test]
fn cases_are_shown_and_ticked_from_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let (code, _, err) = quanze(&["case", "show", "QZ20260928999999", "--db", &db], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("未找到：受理单号 QZ20260928999999"), "{err}");
    let (code, _, err) = quanze(&["case", "show", "QZ2026", "--db", &db], &[]);
    assert_ne!(code, 0);
    assert!(err.contains("不是有效的受理单号"), "{err}");
    let (code, out, err) = quanze(&["case", "tick", "--db", &db, "--date", "2026-12-01"], &[]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(out.trim()).expect("a JSON report");
    assert!(report["examined"].is_u64(), "{out}");
    let server = start(&["serve", "--db", &db, "--addr", "127.0.0.1:0"]);
    drop(server);
    let key = dir.path().join("data").join("personal.key");
    assert!(key.exists(), "serve creates the personal-data key beside the database");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

/// `quanze materials sweep` removes a material file a crash left without its record once it
/// is older than the grace period and keeps a younger one; a server removes such a file once
/// at its start.
#[test]
fn orphaned_material_files_are_swept_from_the_console_and_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let materials = dir.path().join("data").join("materials");
    let orphan = |hex: char, hours: u64| {
        let path = materials.join(format!("{hex}{hex}")).join(hex.to_string().repeat(62));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"%PDF-1.4 never recorded").unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        let written = std::time::SystemTime::now() - std::time::Duration::from_secs(hours * 3600);
        file.set_modified(written).unwrap();
        path
    };
    let (old, young) = (orphan('a', 2), orphan('b', 0));
    let (code, out, err) = quanze(&["materials", "sweep", "--db", &db, "--json"], &[]);
    assert_eq!(code, 0, "{err}");
    let sweep: serde_json::Value = serde_json::from_str(out.trim()).expect("a JSON report");
    assert_eq!(sweep["orphans_removed"], 1, "{out}");
    assert!(!old.exists() && young.exists());
    let (code, out, _) = quanze(&["materials", "sweep", "--db", &db], &[]);
    assert_eq!(code, 0);
    assert!(out.contains("已清理孤立材料文件 0 个"), "{out}");

    let old = orphan('c', 2);
    let server = start(&["serve", "--db", &db, "--addr", "127.0.0.1:0"]);
    let start = std::time::Instant::now();
    while old.exists() {
        assert!(start.elapsed().as_secs() < 10, "the server sweeps at its start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(server);
    assert!(young.exists());
}

/// `quanze case show` prints what an operator needs of a case beyond its clocks: the tasks of
/// cooperating units by unit name, and an item's session days (定期审批) with the next one.
#[test]
fn a_case_shows_its_tasks_and_session_days_in_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let cases = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = quanze_store::connect(&db).await.unwrap();
        // Penalty cases keep their officers sealed under the demo's key.
        let key = dir.path().join("data").join("personal.key");
        let key = quanze_service::cases::PersonalKey::load(&key).unwrap().unwrap();
        store.install_sealer(std::sync::Arc::new(key));
        store.cases(&quanze_store::CaseFilter::default(), None, 1_000).await.unwrap()
    });
    let with_task =
        cases.iter().find(|c| !c.case.tasks.is_empty()).expect("a demo case with a task");
    let (code, out, err) =
        quanze(&["case", "show", with_task.case.receipt.as_str(), "--db", &db], &[]);
    assert_eq!(code, 0, "{err}");
    let task = &with_task.case.tasks[0];
    let line = out.lines().find(|l| l.starts_with("配合任务")).unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.contains(&task.description) && line.contains(&task.due.date.to_string()),
        "{line}"
    );
    assert!(
        line.contains("局") || line.contains("委") || line.contains("办"),
        "a unit's name: {line}"
    );
    let with_sessions =
        cases.iter().find(|c| c.case.item.session_days.is_some()).expect("a 定期审批 case");
    let receipt = with_sessions.case.receipt.as_str();
    let (code, out, err) = quanze(&["case", "show", receipt, "--db", &db], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("定期审批 每周"), "{out}");
    // The timeline names the states in Chinese: the first step the state it made, later
    // ones the change.
    assert!(!out.contains("Some(") && !out.contains("Submitted"), "{out}");
    assert!(
        out.contains(&format!("  {}  记录#", quanze_core::case::CaseState::Submitted.zh())),
        "{out}"
    );
    assert!(out.contains(" → "), "{out}");
}

/// Backs a database up while accounts are being created, restores it into an empty one and
/// checks that every account acknowledged before the backup began is there and the restored
/// ledger verifies; a changed backup file and a non-empty target are refused.
fn backup_under_load_restores_every_acknowledged_write(db: &str, restored: &str, dir: &Path) {
    let (code, _, err) =
        quanze(&["init", "--db", db], &[("QUANZE_ADMIN_PASSWORD", "Backup#2026x")]);
    assert_eq!(code, 0, "{err}");
    let server =
        start(&["serve", "--db", db, "--addr", "127.0.0.1:0", "--second-factor-roles", "none"]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let token: String = rt.block_on(async {
        let res: serde_json::Value = ::reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", server.url))
            .json(&serde_json::json!({ "username": "admin", "password": "Backup#2026x" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        res["token"].as_str().expect("a token").to_owned()
    });
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer =
        write_accounts(server.url.clone(), token, "load".into(), acked.clone(), stop.clone());
    while acked.lock().unwrap().len() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let before: Vec<String> = acked.lock().unwrap().clone();
    let backup_dir = dir.join("backup");
    let (code, out, err) = quanze(&["backup", "--db", db, backup_dir.to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("已备份到"), "{out}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.join().unwrap();
    let during = acked.lock().unwrap().len();
    assert!(
        during > before.len(),
        "writes went on during the backup: {} then {during}",
        before.len()
    );
    drop(server);

    let (code, out, err) =
        quanze(&["restore", backup_dir.to_str().unwrap(), "--db", restored], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("账本完好"), "{out}");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        use sqlx::Connection as _;
        let mut conn = sqlx::AnyConnection::connect(restored).await.unwrap();
        let names: Vec<(String,)> =
            sqlx::query_as("SELECT username FROM users").fetch_all(&mut conn).await.unwrap();
        let names: std::collections::BTreeSet<String> = names.into_iter().map(|(n,)| n).collect();
        for name in &before {
            assert!(names.contains(name), "{name} was acknowledged before the backup began");
        }
        conn.close().await.unwrap();
    });
    // Into a database that is not empty: refused, nothing touched.
    let (code, _, err) = quanze(&["restore", backup_dir.to_str().unwrap(), "--db", restored], &[]);
    assert_ne!(code, 0);
    assert!(err.contains("目标数据库不为空"), "{err}");
    // A changed file: refused before anything is written.
    let dump = std::fs::read_dir(&backup_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "db" || e == "pgdump"))
        .unwrap();
    let mut bytes = std::fs::read(&dump).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&dump, bytes).unwrap();
    let elsewhere = format!("sqlite://{}", dir.join("elsewhere.db").display());
    let (code, _, err) =
        quanze(&["restore", backup_dir.to_str().unwrap(), "--db", &elsewhere], &[]);
    assert_ne!(code, 0);
    assert!(err.contains("SM3 不符"), "{err}");
    assert!(!dir.join("elsewhere.db").exists(), "nothing was written");
}

#[test]
fn a_sqlite_backup_under_write_load_restores_with_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("live").join("quanze.db").display());
    let restored = format!("sqlite://{}", dir.path().join("restored").join("quanze.db").display());
    backup_under_load_restores_every_acknowledged_write(&db, &restored, dir.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["backup/quanze.db", "backup/manifest.json", "restored/quanze.db"] {
            let mode = std::fs::metadata(dir.path().join(file)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{file} is its owner's alone");
        }
    }
}

#[test]
fn a_postgres_backup_under_write_load_restores_with_every_acknowledged_write() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(live) = rt.block_on(quanze_store::testing::fresh_postgres()) else { return };
    let Some(restored) = rt.block_on(quanze_store::testing::fresh_postgres()) else { return };
    let dir = tempfile::tempdir().unwrap();
    backup_under_load_restores_every_acknowledged_write(&live.url, &restored.url, dir.path());
    rt.block_on(live.cleanup());
    rt.block_on(restored.cleanup());
}

/// Serves HTTPS itself with a certificate and key from files: answers carry HSTS, plain HTTP
/// to the port gets nothing, a connection that never says hello holds nobody up, and the
/// witness cosigns the log's checkpoint over HTTPS trusting the county's certificate (and
/// refuses without it).
#[test]
fn the_server_speaks_tls_and_the_witness_cosigns_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let origin = "quanze.test/341128";
    let db = format!("sqlite://{}", p("tls.db"));
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    std::fs::write(p("cert.pem"), cert.cert.pem()).unwrap();
    std::fs::write(p("key.pem"), cert.signing_key.serialize_pem()).unwrap();
    for args in [
        vec!["ledger", "keygen", "--name", origin, "--key", &p("log.key")],
        vec!["witness", "keygen", "--name", "archives.test/witness", "--key", &p("witness.key")],
    ] {
        let (code, _, err) = quanze(&args, &[]);
        assert_eq!(code, 0, "{err}");
    }
    let (code, _, err) =
        quanze(&["init", "--db", &db], &[("QUANZE_ADMIN_PASSWORD", "Tls#2026xyzq")]);
    assert_eq!(code, 0, "{err}");
    // A key that is not the certificate's: refused at start, saying which files.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(p("other.pem"), other.signing_key.serialize_pem()).unwrap();
    let (code, _, err) = quanze(
        &[
            "serve",
            "--db",
            &db,
            "--addr",
            "127.0.0.1:0",
            "--tls-cert",
            &p("cert.pem"),
            "--tls-key",
            &p("other.pem"),
        ],
        &[],
    );
    assert_ne!(code, 0);
    assert!(err.contains("证书或私钥不可用"), "{err}");

    let server = start(&[
        "serve",
        "--db",
        &db,
        "--addr",
        "127.0.0.1:0",
        "--tls-cert",
        &p("cert.pem"),
        "--tls-key",
        &p("key.pem"),
        "--ledger-key",
        &p("log.key"),
        "--origin",
        origin,
        "--witness",
        &p("witness.vkey"),
    ]);
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let url = server.url.clone();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        // Someone who connects and says nothing.
        let port = url.rsplit(':').next().unwrap().to_owned();
        let _silent = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await.unwrap();
        let trusted = ::reqwest::Client::builder()
            .add_root_certificate(
                ::reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap(),
            )
            .build()
            .unwrap();
        let res = trusted.get(format!("{url}/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="),
            "HSTS over TLS"
        );
        let plain = ::reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await;
        assert!(plain.is_err() || !plain.unwrap().status().is_success(), "no plain HTTP");
        // The signer covers the administrator's creation within a few seconds.
        let mut signed = false;
        for _ in 0..50 {
            let res = trusted.get(format!("{url}/api/v1/ledger/checkpoint")).send().await.unwrap();
            if res.status() == 200 {
                signed = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(signed, "a checkpoint within 5 s");
    });
    let witness = |ca: Option<&str>| {
        let state = p("witness-state.json");
        let mut args = vec![
            "witness",
            "run",
            "--once",
            "--key",
            &p("witness.key"),
            "--log",
            &url,
            "--log-vkey",
            &p("log.vkey"),
            "--origin",
            origin,
            "--state",
            &state,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        if let Some(ca) = ca {
            args.extend(["--ca".to_owned(), ca.to_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        quanze(&args, &[])
    };
    let (code, out, err) = witness(None);
    assert_ne!(code, 0, "an unknown certificate is not trusted: {out}{err}");
    let (code, out, err) = witness(Some(&p("cert.pem")));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("已见证"), "a checkpoint was cosigned over HTTPS: {out}");
    drop(server);
}

/// Creates accounts through the API, named from `prefix` (several writers at once), until
/// `stop` or until the server is gone, recording each acknowledged one.
pub(crate) fn write_accounts(
    url: String,
    token: String,
    prefix: String,
    acked: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let client = ::reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .build()
                .unwrap();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                n += 1;
                let name = format!("{prefix}n{n:04}");
                let res = client
                    .post(format!("{url}/api/v1/users"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({
                        "username": name, "display_name": "负载", "password": "Killed#2026xq",
                        "roles": [{ "role": "supervisor" }]
                    }))
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().is_success() => acked.lock().unwrap().push(name),
                    Ok(_) => {}
                    // The server is gone: nothing more will be acknowledged.
                    Err(_) => break,
                }
            }
        });
    })
}

/// `quanze key rotate-personal`: the key file becomes a ring with the new key first and the old
/// one after it (still private), the database is resealed, and the console and the server go on
/// opening it; without the key file the console says which key it needs.
#[test]
fn the_personal_data_key_is_rotated_from_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let key_file = dir.path().join("data").join("personal.key");
    let before = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(before.lines().count(), 1);
    let (code, out, err) = quanze(&["key", "rotate-personal", "--db", &db], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已轮换个人信息密钥") && out.contains("rotated"), "{out}");
    let after = std::fs::read_to_string(&key_file).unwrap();
    let lines: Vec<&str> = after.lines().collect();
    assert_eq!(lines.len(), 2, "{after}");
    assert_ne!(lines[0], before.trim(), "a new key first");
    assert_eq!(lines[1], before.trim(), "the old key kept after it");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The console opens the resealed database (readiness documents included) with the ring.
    let (code, _, err) = quanze(&["case", "tick", "--db", &db], &[]);
    assert_eq!(code, 0, "{err}");
    // Without the key, a command that needs the sealed documents says which key it needs.
    std::fs::rename(&key_file, dir.path().join("elsewhere.key")).unwrap();
    let (code, _, err) = quanze(&["case", "tick", "--db", &db], &[]);
    assert_ne!(code, 0);
    assert!(err.contains("personal-data key") && err.contains("--personal-key"), "{err}");
    // A second rotation, with the key given: three keys, the newest first.
    let elsewhere = dir.path().join("elsewhere.key");
    let given = elsewhere.to_str().unwrap();
    let (code, _, err) =
        quanze(&["key", "rotate-personal", "--db", &db, "--personal-key", given], &[]);
    assert_eq!(code, 0, "{err}");
    let third = std::fs::read_to_string(&elsewhere).unwrap();
    assert_eq!(third.lines().count(), 3);
    assert_eq!(third.lines().nth(1), Some(lines[0]));
}

/// A rotation while a server runs: the server reads the key file again, so that what the
/// rotation resealed still opens there (the administrator's TOTP secret) and what it seals
/// afterwards (a new applicant) is under the new key, which alone opens every seal.
#[test]
fn a_running_server_takes_the_rotated_key_ring() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let key_file = dir.path().join("data").join("personal.key");
    let key = key_file.to_str().unwrap();
    let origin = "quanze.local/ledger";
    let log_key = dir.path().join("log.key");
    let log_key = log_key.to_str().unwrap();
    let (code, _, err) = quanze(&["ledger", "keygen", "--name", origin, "--key", log_key], &[]);
    assert_eq!(code, 0, "{err}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let load = rt.block_on(crate::killed::load_of(&db, &key_file));
    let server = start(&[
        "serve",
        "--db",
        &db,
        "--addr",
        "127.0.0.1:0",
        "--ledger-key",
        log_key,
        "--origin",
        origin,
        "--personal-key",
        key,
    ]);
    let url = server.url.clone();

    let (code, out, err) = quanze(&["key", "rotate-personal", "--db", &db], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("等待运行中的服务读取"), "{out}");
    let only_new = {
        let text = std::fs::read_to_string(&key_file).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        quanze_service::cases::PersonalKey::from_text(text.lines().next().unwrap()).unwrap()
    };
    rt.block_on(async {
        // The administrator's second factor was resealed under the new key: the server opens it.
        // (`token` completes the sign-in with the demo's TOTP code, and panics without a token.)
        assert!(!crate::killed::token(&url, "admin").await.is_empty());
        // An application received now is sealed under the new key.
        let body = serde_json::json!({
            "item": load.item, "unit": load.unit, "channel": { "kind": "online" },
            "applicant": { "kind": "person", "name": "李四", "number": "11010519491231002X" },
        });
        let res = ::reqwest::Client::new()
            .post(format!("{url}/api/v1/cases"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let config = quanze_service::Config {
            cases: quanze_service::cases::CasesConfig {
                personal_key: Some(only_new),
                ..Default::default()
            },
            ..Default::default()
        };
        let service = quanze_service::Service::open(&db, config).await.unwrap();
        service.check_personal_seals().await.expect("every seal opens under the new key alone");
    });
    drop(server);
}
