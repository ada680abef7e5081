//! `quanze backup` and `quanze restore` (等保 2.0 L3: data backed up and restorable; audit
//! records backed up).
//!
//! A backup is a folder: the database as of one moment (SQLite: `VACUUM INTO`; PostgreSQL:
//! `pg_dump`'s custom format, one snapshot), a SQLite database's material files, and
//! `manifest.json` with the SM3 of each file and the ledger's size and root. Both are taken
//! online: writers carry on. The personal-data key is **not** in it (a backup that carries
//! its own key protects nothing): keep the key file apart.
//!
//! A restore goes into an empty database only, checks every file against the manifest first,
//! and then verifies the restored ledger from its first leaf (the tree, every signed
//! checkpoint by `--vkey`, the head): a backup that does not verify is reported, not served.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use quanze_service::ledger::LedgerConfig;
use quanze_service::{Config, Service};
use sm3::Digest as _;

use crate::ledger::EXIT_DAMAGED;

/// What a backup folder holds, and how to check it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    /// `quanze-backup-1`.
    format: String,
    /// `sqlite` or `postgres`.
    backend: String,
    /// When the copy was taken (UTC).
    taken_at: chrono::DateTime<chrono::Utc>,
    /// The ledger's size in the copy (SQLite), or before the copy was taken (PostgreSQL: the
    /// copy holds at least this many leaves).
    ledger_size: u64,
    /// The root of the copy's ledger at that size, hex (SQLite only).
    ledger_root: Option<String>,
    /// Each file of the backup (relative path) with its SM3, hex.
    files: Vec<(String, String)>,
}

const FORMAT: &str = "quanze-backup-1";
const SQLITE_FILE: &str = "quanze.db";
const PG_FILE: &str = "quanze.pgdump";

/// `quanze backup DIR`.
pub async fn backup(db: &str, dir: &Path) -> anyhow::Result<ExitCode> {
    if dir.join("manifest.json").exists() {
        bail!("{} already holds a backup; give a new folder", dir.display());
    }
    quanze_service::create_private_dir_all(dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    let started = std::time::Instant::now();
    let taken_at = chrono::Utc::now();
    let (backend, ledger_size, ledger_root) = match quanze_store::sqlite_file_of(db) {
        Some(file) => {
            quanze_store::backup_sqlite(db, &dir.join(SQLITE_FILE))
                .await
                .with_context(|| format!("copying {}", file.display()))?;
            let materials = quanze_store::materials_dir_of(&file);
            if materials.is_dir() {
                copy_tree(&materials, &dir.join("materials"))?;
            }
            // Read without opening it as a store, which would write to the copy.
            let head = quanze_store::sqlite_ledger_head(&dir.join(SQLITE_FILE)).await?;
            ("sqlite", head.size, Some(head.root.to_hex()))
        }
        None if db.starts_with("postgres://") || db.starts_with("postgresql://") => {
            // The head before the dump: the dump's snapshot is later, so it holds at least this.
            let head = quanze_store::connect(db).await?.ledger_head().await?;
            pg_dump(db, &dir.join(PG_FILE))?;
            ("postgres", head.size, None)
        }
        None => bail!("a backup needs sqlite://PATH or postgres://…"),
    };
    let files = digests(dir)?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        backend: backend.to_owned(),
        taken_at,
        ledger_size,
        ledger_root,
        files,
    };
    let mut out = quanze_service::create_private_file(&dir.join("manifest.json"))?;
    out.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    let bytes: u64 = manifest
        .files
        .iter()
        .filter_map(|(name, _)| std::fs::metadata(dir.join(name)).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "已备份到 {}：{} 个文件，{} 字节，账本 {} 条记录，用时 {:.1} 秒。个人信息密钥不在备份中，请另行保管。\n\
         backed up to {}: {} files, {bytes} bytes, ledger size {}; the personal-data key is not in the backup.",
        dir.display(),
        manifest.files.len(),
        bytes,
        manifest.ledger_size,
        started.elapsed().as_secs_f64(),
        dir.display(),
        manifest.files.len(),
        manifest.ledger_size,
    );
    Ok(ExitCode::SUCCESS)
}

/// `quanze restore DIR --db URL`.
pub async fn restore(
    dir: &Path,
    db: &str,
    origin: String,
    trusted: Vec<quanze_ledger::VerifierKey>,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .with_context(|| format!("{} is not a Quanze backup (no manifest.json)", dir.display()))?;
    let manifest: Manifest = serde_json::from_str(&text).context("reading manifest.json")?;
    if manifest.format != FORMAT {
        bail!("unknown backup format {:?}", manifest.format);
    }
    // Every file as it was written, before anything is touched.
    for (name, digest) in &manifest.files {
        let found = sm3_file(&dir.join(name)).with_context(|| format!("reading {name}"))?;
        if &found != digest {
            bail!(
                "备份文件 {name} 已被改动或损坏（SM3 不符），未恢复任何内容。{name} differs from the manifest"
            );
        }
    }
    if !quanze_store::database_is_empty(db).await? {
        bail!(
            "目标数据库不为空，未恢复任何内容：请恢复到新的数据库。the target database is not empty"
        );
    }
    match (manifest.backend.as_str(), quanze_store::sqlite_file_of(db)) {
        ("sqlite", Some(file)) => {
            if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                quanze_service::create_private_dir_all(parent)?;
            }
            // An empty file (created by an earlier attempt) is replaced.
            let _ = std::fs::remove_file(&file);
            let mut out = quanze_service::create_private_file(&file)
                .with_context(|| format!("creating {}", file.display()))?;
            let mut from = std::fs::File::open(dir.join(SQLITE_FILE))?;
            std::io::copy(&mut from, &mut out)?;
            out.sync_all()?;
            if dir.join("materials").is_dir() {
                copy_tree(&dir.join("materials"), &quanze_store::materials_dir_of(&file))?;
            }
        }
        ("postgres", None) => pg_restore(&dir.join(PG_FILE), db)?,
        (backend, _) => bail!("this backup is of a {backend} database; restore it into one"),
    }
    let config = Config {
        ledger: LedgerConfig { origin, key: None, witnesses: Vec::new() },
        ..Config::default()
    };
    let shown = redacted(db);
    let service = Service::open_ledger_only(db, config)
        .await
        .with_context(|| format!("opening the restored database {shown}"))?;
    let report = service.verify_ledger(&trusted).await?;
    let short = report.leaves < manifest.ledger_size
        || (manifest.backend == "sqlite" && report.leaves != manifest.ledger_size);
    if !report.is_intact() || short {
        println!(
            "已恢复到 {shown}，但账本校验未通过：{} 条记录（备份时 {} 条），{} 处异常。",
            report.leaves,
            manifest.ledger_size,
            report.damage.len()
        );
        for d in &report.damage {
            println!("  {}  ({})", d.zh(), d.detail);
        }
        return Ok(ExitCode::from(EXIT_DAMAGED));
    }
    println!(
        "已恢复到 {shown}：账本完好，{} 条记录（{}），{} 个签名检查点均已校验。\nrestored; the ledger verifies: {} leaves.",
        report.leaves, report.alg, report.checkpoints, report.leaves
    );
    Ok(ExitCode::SUCCESS)
}

/// A PostgreSQL URL without its password, and the password (percent-decoded): the password
/// goes to pg_dump and pg_restore in `PGPASSWORD`, never in their arguments, which any local
/// user can read.
pub(crate) fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return (url.to_owned(), None) };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else { return (url.to_owned(), None) };
    let Some(colon) = rest[..at].find(':') else { return (url.to_owned(), None) };
    let password = percent_decode(&rest[colon + 1..at]);
    let without = format!("{}{}{}", &url[..scheme_end], &rest[..colon], &rest[at..]);
    (without, Some(password))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL as it may be printed: its password replaced by `***`.
pub(crate) fn redacted(url: &str) -> String {
    match split_password(url) {
        (without, Some(_)) => match without.find("://").map(|i| i + 3) {
            Some(start) => match without[start..].find('@') {
                Some(at) => format!("{}:***{}", &without[..start + at], &without[start + at..]),
                None => without,
            },
            None => without,
        },
        (url, None) => url,
    }
}

/// A PostgreSQL client tool for `db`: the URL without its password, the password in the
/// environment.
fn pg_tool(program: &str, db: &str) -> std::process::Command {
    let (url, password) = split_password(db);
    let mut command = std::process::Command::new(program);
    command.arg(format!("--dbname={url}"));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    command
}

/// Runs `pg_dump` (custom format: compressed, one snapshot) into a new 0600 file.
fn pg_dump(db: &str, out: &Path) -> anyhow::Result<()> {
    let file = quanze_service::create_private_file(out)
        .with_context(|| format!("creating {}", out.display()))?;
    let status = pg_tool("pg_dump", db)
        .args(["--format=custom", "--no-owner", "--no-privileges"])
        .stdout(file)
        .status()
        .context("running pg_dump (install PostgreSQL's client tools)")?;
    if !status.success() {
        bail!("pg_dump failed ({status})");
    }
    Ok(())
}

/// Runs `pg_restore` into an empty database, in one transaction.
fn pg_restore(file: &Path, db: &str) -> anyhow::Result<()> {
    let status = pg_tool("pg_restore", db)
        .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"])
        .arg(file)
        .status()
        .context("running pg_restore (install PostgreSQL's client tools)")?;
    if !status.success() {
        bail!("pg_restore failed ({status}); nothing was restored");
    }
    Ok(())
}

/// Copies a folder's files (and subfolders) into `to`, creating it owner-only.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    quanze_service::create_private_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if !target.exists() {
            let mut out = quanze_service::create_private_file(&target)?;
            std::io::copy(&mut std::fs::File::open(entry.path())?, &mut out)?;
        }
    }
    Ok(())
}

/// Every file under `dir` but the manifest, with its SM3, in path order.
fn digests(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    fn walk(root: &Path, at: &Path, out: &mut Vec<(String, String)>) -> anyhow::Result<()> {
        for entry in std::fs::read_dir(at)? {
            let path: PathBuf = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else {
                let name = path
                    .strip_prefix(root)?
                    .to_str()
                    .ok_or_else(|| anyhow!("a file name that is not UTF-8"))?
                    .to_owned();
                if name != "manifest.json" {
                    out.push((name, sm3_file(&path)?));
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn sm3_file(path: &Path) -> anyhow::Result<String> {
    use std::io::Read as _;
    let mut hasher = sm3::Sm3::new();
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_leaves_the_url_for_the_environment_and_the_printout() {
        let (url, password) = split_password("postgres://quanze:p%40ss:w@db.example:5432/q?x=1");
        assert_eq!(url, "postgres://quanze@db.example:5432/q?x=1");
        assert_eq!(password.as_deref(), Some("p@ss:w"));
        assert_eq!(
            redacted("postgres://quanze:secret@db.example/q"),
            "postgres://quanze:***@db.example/q"
        );
        assert_eq!(
            split_password("postgres://quanze@db/q"),
            ("postgres://quanze@db/q".into(), None)
        );
        assert_eq!(split_password("postgres://db/q"), ("postgres://db/q".into(), None));
    }
}
