//! The binary, run as a user would: demo start and restart, token, import, export, diff, and
//! the exit codes scripts rely on.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_quanze");

struct Running {
    child: Child,
    output: Vec<String>,
    url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `quanze demo` on a free port and waits for the line that names the address.
fn start_demo(data: &Path) -> Running {
    let mut child = Command::new(BIN)
        .args(["demo", "--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("quanze demo starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut output = Vec::new();
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("utf-8 output");
        if let Some(pos) = line.find("http://")
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
    let url = url.unwrap_or_else(|| panic!("demo never printed its address: {output:#?}"));
    Running { child, output, url }
}

fn quanze(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
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

    // Token, import (bad file, dry run), export and diff against the demo database.
    let db = format!("sqlite://{}", data.join("quanze.db").display());
    let (code, token, err) =
        quanze(&["token", "--db", &db, "--user", "editor"], &[("QUANZE_PASSWORD", "Quanze#2026")]);
    assert_eq!(code, 0, "{err}");
    let token = token.trim().to_owned();
    let (code, _, _) =
        quanze(&["token", "--db", &db, "--user", "editor"], &[("QUANZE_PASSWORD", "wrong")]);
    assert_eq!(code, 4, "a refused login exits 4");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (list, versions) = rt.block_on(async {
        let store = quanze_store::connect(&db).await.unwrap();
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
    });
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
    assert!(!parsed.is_null());

    let (code, stdout, err) = quanze(
        &["diff", &versions[0].id.to_string(), &versions[1].id.to_string(), "--db", &db],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(stdout.starts_with("新增"), "{stdout}");
    let (code, _, _) = quanze(&["diff", "not-an-id", "x", "--db", &db], &[]);
    assert_eq!(code, 2, "usage errors exit 2");
}

mod reqwest {
    /// A blocking GET without pulling in reqwest's blocking feature: the test already has a
    /// runtime-free context, so use a tiny current-thread runtime.
    pub fn blocking_get(url: &str) -> String {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async { ::reqwest::get(url).await.unwrap().text().await.unwrap() })
    }
}
