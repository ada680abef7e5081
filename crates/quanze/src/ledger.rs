//! `quanze ledger ...` and `quanze witness ...`: key generation, verification of the whole
//! ledger (from the database or from a plain-file export), export, and the witness process
//! an outside body runs with its own key.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use clap::Subcommand;
use quanze_ledger::{Hash, HashAlg, SigAlg, TreeHead, VerifierKey, Witness};
use quanze_service::ledger::{LedgerConfig, VerifyReport, verify_export};
use quanze_service::{Config, Service};

/// Exit code when verification finds damage.
pub const EXIT_DAMAGED: u8 = 5;

/// The default origin line (and key name) of a log.
pub const DEFAULT_ORIGIN: &str = "quanze.local/ledger";

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// 生成检查点签名密钥 (generate the log's checkpoint signing key)
    Keygen {
        /// sm2 (国密, default) or ed25519.
        #[arg(long, default_value = "sm2")]
        alg: String,
        /// Key name: the log's origin line.
        #[arg(long, default_value = DEFAULT_ORIGIN)]
        name: String,
        /// Private key file to create (mode 0600; never overwritten).
        #[arg(long, default_value = "ledger.key")]
        key: PathBuf,
        /// Public key file to create (default: the key file with extension .vkey).
        #[arg(long)]
        vkey: Option<PathBuf>,
    },
    /// 校验账本 (recompute the whole tree from the stored events and check every checkpoint)
    Verify {
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// The log's public key file(s) to trust.
        #[arg(long, required = true)]
        vkey: Vec<PathBuf>,
        /// The log's origin line.
        #[arg(long, default_value = DEFAULT_ORIGIN)]
        origin: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// 导出账本为普通文件 (write entries, checkpoints and public keys to a directory)
    Export {
        /// Directory to write (created if missing).
        dir: PathBuf,
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// The log's public key file, copied into the export.
        #[arg(long)]
        vkey: Option<PathBuf>,
        /// The log's origin line.
        #[arg(long, default_value = DEFAULT_ORIGIN)]
        origin: String,
    },
    /// 离线校验导出的账本 (check an export with no database)
    VerifyExport {
        /// The export directory.
        dir: PathBuf,
        /// The auditor's own copy of the log's public key (recommended; without it the
        /// export's own key is used, which proves only self-consistency).
        #[arg(long)]
        vkey: Vec<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// 生成见证密钥 (generate the witness's Ed25519 cosigning key)
    Keygen {
        /// Witness name, e.g. archives.example.gov.cn/witness.
        #[arg(long)]
        name: String,
        /// Private key file to create (mode 0600; never overwritten).
        #[arg(long, default_value = "witness.key")]
        key: PathBuf,
        /// Public (cosignature) key file to create (default: the key file with extension .vkey).
        #[arg(long)]
        vkey: Option<PathBuf>,
    },
    /// 运行见证 (fetch checkpoints, check consistency with the last one cosigned, cosign)
    Run {
        /// The witness's private key file.
        #[arg(long, default_value = "witness.key")]
        key: PathBuf,
        /// The witness's public key file (default: the key file with extension .vkey).
        #[arg(long)]
        vkey: Option<PathBuf>,
        /// The log's base URL, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        log: String,
        /// A CA certificate (PEM) to trust for the log's HTTPS besides the public roots: the
        /// county's own CA, or the log's self-signed certificate.
        #[arg(long)]
        ca: Option<PathBuf>,
        /// The log's public key file.
        #[arg(long)]
        log_vkey: PathBuf,
        /// The log's origin line.
        #[arg(long, default_value = DEFAULT_ORIGIN)]
        origin: String,
        /// The log's hash: sm3 or sha256.
        #[arg(long, default_value = "sm3")]
        hash: String,
        /// Where the witness remembers the last tree head it cosigned.
        #[arg(long, default_value = "witness-state.json")]
        state: PathBuf,
        /// Seconds between polls.
        #[arg(long, default_value_t = 5)]
        interval: u64,
        /// Cosign once and exit (exit code 5 if the checkpoint is refused).
        #[arg(long)]
        once: bool,
    },
}

fn vkey_path(key: &Path, vkey: Option<PathBuf>) -> PathBuf {
    vkey.unwrap_or_else(|| key.with_extension("vkey"))
}

pub fn read_vkeys(paths: &[PathBuf]) -> anyhow::Result<Vec<VerifierKey>> {
    paths
        .iter()
        .map(|p| {
            quanze_ledger::note::read_verifier_key(p)
                .with_context(|| format!("reading the public key {}", p.display()))
        })
        .collect()
}

/// Reads the signing key pair for a server (`PATH` and `PATH` with extension `.vkey`) and
/// builds its ledger configuration.
pub fn ledger_config(
    key: Option<&Path>,
    origin: &str,
    witnesses: &[PathBuf],
) -> anyhow::Result<LedgerConfig> {
    let key = match key {
        None => None,
        Some(path) => {
            let key = quanze_ledger::note::read_signing_key(path, &path.with_extension("vkey"))
                .with_context(|| format!("reading the ledger signing key {}", path.display()))?;
            if key.name() != origin {
                bail!(
                    "the key {} is named {:?} but the log's origin is {origin:?}; pass --origin {:?}",
                    path.display(),
                    key.name(),
                    key.name()
                );
            }
            Some(Arc::new(key))
        }
    };
    Ok(LedgerConfig { origin: origin.to_owned(), key, witnesses: read_vkeys(witnesses)? })
}

/// The demo's key: `DIR/ledger.key`, created on first start.
pub fn demo_key(data: &Path) -> anyhow::Result<PathBuf> {
    let key = data.join("ledger.key");
    if !key.exists() {
        quanze_ledger::note::generate_key_files(
            SigAlg::Sm2,
            DEFAULT_ORIGIN,
            &key,
            &key.with_extension("vkey"),
        )
        .with_context(|| format!("creating the ledger key {}", key.display()))?;
    }
    Ok(key)
}

pub async fn ledger(command: LedgerCommand) -> anyhow::Result<ExitCode> {
    match command {
        LedgerCommand::Keygen { alg, name, key, vkey } => {
            let alg: SigAlg =
                alg.parse().map_err(|_| anyhow!("--alg must be sm2 or ed25519, not {alg:?}"))?;
            let vkey = vkey_path(&key, vkey);
            let public = quanze_ledger::note::generate_key_files(alg, &name, &key, &vkey)
                .context("generating the key")?;
            println!(
                "已生成签名密钥：私钥 {}（仅本人可读），公钥 {}\n{public}",
                key.display(),
                vkey.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        LedgerCommand::Verify { db, vkey, origin, json } => {
            let trusted = read_vkeys(&vkey)?;
            let report = open_unsigned(&db, origin).await?.verify_ledger(&trusted).await?;
            print_report(&report, json)
        }
        LedgerCommand::Export { dir, db, vkey, origin } => {
            let log_key = match vkey {
                Some(path) => Some(
                    quanze_ledger::note::read_verifier_key(&path)
                        .with_context(|| format!("reading the public key {}", path.display()))?,
                ),
                None => None,
            };
            let n = open_unsigned(&db, origin).await?.export_ledger(&dir, log_key.as_ref()).await?;
            println!("已导出 {n} 条记录到 {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        LedgerCommand::VerifyExport { dir, vkey, json } => {
            let trusted = read_vkeys(&vkey)?;
            let report = verify_export(&dir, &trusted)
                .map_err(|e| anyhow!("the export in {} is unreadable: {e}", dir.display()))?;
            print_report(&report, json)
        }
    }
}

/// Opens the database for an auditor's command: the log's origin, no signing key.
async fn open_unsigned(db: &str, origin: String) -> anyhow::Result<Service> {
    let config = Config {
        ledger: LedgerConfig { origin, key: None, witnesses: Vec::new() },
        ..Config::default()
    };
    Service::open_ledger_only(db, config)
        .await
        .with_context(|| format!("opening the database {db}"))
}

fn print_report(report: &VerifyReport, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else if report.is_intact() {
        println!(
            "账本完好：{} 条记录（{}），{} 个签名检查点均已校验。",
            report.leaves, report.alg, report.checkpoints
        );
    } else {
        println!(
            "账本有{}处异常（共 {} 条记录，{} 个检查点）：",
            report.damage.len(),
            report.leaves,
            report.checkpoints
        );
        for d in &report.damage {
            println!("  {}  ({})", d.zh(), d.detail);
        }
        if let Some(first) = report.damage.iter().find_map(|d| d.index) {
            println!("第一处异常位于第{first}号记录。");
        }
    }
    Ok(if report.is_intact() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_DAMAGED) })
}

pub async fn witness(command: WitnessCommand) -> anyhow::Result<ExitCode> {
    match command {
        WitnessCommand::Keygen { name, key, vkey } => {
            let vkey = vkey_path(&key, vkey);
            let public = quanze_ledger::generate_witness_key_files(&name, &key, &vkey)
                .context("generating the witness key")?;
            println!(
                "已生成见证密钥：私钥 {}（仅本人可读），公钥 {}\n请把公钥交给账本运营方（serve --witness）。\n{public}",
                key.display(),
                vkey.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        WitnessCommand::Run {
            key,
            vkey,
            log,
            ca,
            log_vkey,
            origin,
            hash,
            state,
            interval,
            once,
        } => {
            let vkey = vkey_path(&key, vkey);
            let witness_key = quanze_ledger::read_witness_key(&key, &vkey)
                .with_context(|| format!("reading the witness key {}", key.display()))?;
            let alg: HashAlg =
                hash.parse().map_err(|_| anyhow!("--hash must be sm3 or sha256, not {hash:?}"))?;
            let log_key = quanze_ledger::note::read_verifier_key(&log_vkey)
                .with_context(|| format!("reading the log's key {}", log_vkey.display()))?;
            let witness = Witness::new(witness_key, origin, alg, vec![log_key]);
            let mut client = reqwest::Client::builder().timeout(Duration::from_secs(30));
            if let Some(ca) = &ca {
                let pem = std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?;
                for cert in reqwest::Certificate::from_pem_bundle(&pem)
                    .with_context(|| format!("{} is not a PEM certificate", ca.display()))?
                {
                    client = client.add_root_certificate(cert);
                }
            }
            let client = client.build().context("building the HTTP client")?;
            let base = log.trim_end_matches('/').to_owned();
            loop {
                match witness_once(&client, &base, &witness, alg, &state).await {
                    Ok(Some(size)) => println!("已见证规模为 {size} 的检查点。"),
                    Ok(None) => {}
                    Err(err) => {
                        eprintln!("拒绝见证 / refused: {err:#}");
                        if once {
                            return Ok(ExitCode::from(EXIT_DAMAGED));
                        }
                    }
                }
                if once {
                    return Ok(ExitCode::SUCCESS);
                }
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
                    () = tokio::time::sleep(Duration::from_secs(interval)) => {}
                }
            }
        }
    }
}

/// What a witness remembers: the tree head it cosigned last.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct WitnessState {
    size: u64,
    root: String,
}

fn load_state(path: &Path, alg: HashAlg) -> anyhow::Result<TreeHead> {
    match std::fs::read(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(TreeHead::empty(alg)),
        Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
        Ok(bytes) => {
            let state: WitnessState = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a witness state file", path.display()))?;
            let root = Hash::from_hex(&state.root)
                .map_err(|e| anyhow!("{}: bad root: {e}", path.display()))?;
            Ok(TreeHead { size: state.size, root })
        }
    }
}

/// Writes the state to a temporary file and renames it over the old one, so a crash never
/// leaves a half-written state (which would let the witness be rolled back).
fn save_state(path: &Path, head: &TreeHead) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let state = WitnessState { size: head.size, root: head.root.to_hex() };
    std::fs::write(&tmp, serde_json::to_vec_pretty(&state)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// One round: fetch the checkpoint; if it is new, fetch a consistency proof from the
/// remembered tree head, cosign, remember, and post the cosignature. Returns the size
/// cosigned, or `None` when there was nothing new.
async fn witness_once(
    client: &reqwest::Client,
    base: &str,
    witness: &Witness,
    alg: HashAlg,
    state_path: &Path,
) -> anyhow::Result<Option<u64>> {
    let last = load_state(state_path, alg)?;
    let response = client
        .get(format!("{base}/api/v1/ledger/checkpoint"))
        .send()
        .await
        .with_context(|| format!("fetching the checkpoint from {base}"))?;
    if !response.status().is_success() {
        bail!("the log answered {} for its checkpoint", response.status());
    }
    let note = response.text().await.context("reading the checkpoint")?;
    let size = quanze_ledger::SignedNote::parse(&note)
        .map_err(anyhow::Error::from)
        .and_then(|n| Ok(quanze_ledger::Checkpoint::parse(n.text())?))
        .context("the log's checkpoint is malformed")?
        .size;
    if size == last.size && last.size > 0 {
        return Ok(None);
    }
    let proof: Vec<Hash> = if last.size == 0 || size < last.size {
        Vec::new()
    } else {
        let body: serde_json::Value = client
            .get(format!("{base}/api/v1/ledger/proof/consistency"))
            .query(&[("first", last.size), ("second", size)])
            .send()
            .await
            .context("fetching the consistency proof")?
            .error_for_status()
            .context("the log refused a consistency proof")?
            .json()
            .await
            .context("reading the consistency proof")?;
        body["proof"]
            .as_array()
            .ok_or_else(|| anyhow!("the consistency proof has no \"proof\" array"))?
            .iter()
            .map(|h| {
                Hash::from_hex(h.as_str().unwrap_or_default())
                    .map_err(|e| anyhow!("bad proof hash: {e}"))
            })
            .collect::<anyhow::Result<_>>()?
    };
    let now = quanze_service::ledger::unix_seconds(chrono::Utc::now());
    let cosigned = witness.cosign(&last, &note, &proof, now)?;
    save_state(state_path, &cosigned.state)?;
    let response = client
        .post(format!("{base}/api/v1/ledger/cosignatures"))
        .header("content-type", "text/plain")
        .body(cosigned.note.to_string())
        .send()
        .await
        .context("posting the cosignature")?;
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        bail!("the log refused the cosignature ({status}): {body}");
    }
    Ok(Some(cosigned.state.size))
}
