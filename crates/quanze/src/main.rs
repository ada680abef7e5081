//! `quanze`: the one binary. Starts the demo or a server, initialises a database, imports,
//! exports and compares lists, loads and shows the working-day calendar, and checks, exports
//! and witnesses the ledger.

mod backup;
mod ledger;
mod progress;

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use clap::{Parser, Subcommand};
use quanze_core::{ListId, ListVersionId, Role, RoleAssignment, UnitId, Username};
use quanze_service::cases::{CasesConfig, PersonalKey};
use quanze_service::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, DemoLoad};
use quanze_service::lists::ExportFormat;
use quanze_service::views::CalendarSource;
use quanze_service::{Config, ErrorCode, NewUser, Service, ServiceError};

/// The allocator (see the workspace's Cargo.toml for why).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code when the input file has problems (dry run or failed import).
const EXIT_INPUT_PROBLEMS: u8 = 3;
/// Exit code when a login or token is refused.
const EXIT_AUTH: u8 = 4;

#[derive(Debug, Parser)]
#[command(
    name = "quanze",
    version,
    about = "权责 Quanze — 县乡权责清单系统 (power-and-responsibility lists)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 演示：建立示例县并启动服务 (create the demo county on SQLite and serve it)
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Data directory (the database is DIR/quanze.db).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Seed of the generated county.
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        #[command(flatten)]
        ledger: LedgerArgs,
        #[command(flatten)]
        personal: PersonalArgs,
        #[command(flatten)]
        limits: WriteLimitArgs,
        #[command(flatten)]
        hashing: HashingArgs,
    },
    /// 启动服务 (serve an existing database)
    Serve {
        /// Database URL: sqlite://path or postgres://...
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        ledger: LedgerArgs,
        #[command(flatten)]
        policy: PolicyArgs,
        #[command(flatten)]
        personal: PersonalArgs,
    },
    /// 办件 (cases): show one, or run one tick of the deadline scheduler
    Case {
        #[command(subcommand)]
        command: CaseCommandArg,
    },
    /// 申请材料 (materials): remove files a crash left without their record
    Materials {
        #[command(subcommand)]
        command: MaterialsCommand,
    },
    /// 初始化数据库并创建系统管理员 (create the schema and an administrator)
    Init {
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Administrator login name.
        #[arg(long, default_value = "admin")]
        admin: String,
        /// Name of the environment variable holding the administrator's password.
        #[arg(long, default_value = "QUANZE_ADMIN_PASSWORD")]
        password_env: String,
        /// The ledger's hash, fixed when the database is created: sm3 (国密) or sha256.
        #[arg(long, default_value = "sm3")]
        ledger_hash: String,
    },
    /// 登录并签发 90 天的集成令牌 (log in and print a 90-day integration token; password from QUANZE_PASSWORD)
    Token {
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Login name.
        #[arg(long)]
        user: String,
        /// The second factor, for an account that has one: the authenticator app's code now,
        /// or a recovery code.
        #[arg(long, env = "QUANZE_OTP", hide_env_values = true)]
        code: Option<String>,
        #[command(flatten)]
        personal: PersonalArgs,
        /// The server's `--second-factor-roles` (the same policy holds here).
        #[arg(long, env = "QUANZE_SECOND_FACTOR_ROLES", value_delimiter = ',',
              default_value = "sys_admin,security_admin,auditor", value_parser = parse_role_or_none)]
        second_factor_roles: Vec<Option<Role>>,
    },
    /// 账号：重置第二因素 (accounts: reset a second factor at the server's console)
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// SM2 密钥：生成、签名登录挑战 (SM2 keys as a second factor: make one, sign a sign-in challenge)
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// 导入 xlsx 清单 (import an xlsx into a list as a draft)
    Import {
        /// The xlsx file.
        file: PathBuf,
        /// The list's id.
        #[arg(long)]
        list: ListId,
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// API token (see `quanze token`).
        #[arg(long, env = "QUANZE_TOKEN", hide_env_values = true)]
        token: String,
        /// Only check the file; store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// 导出清单 (export a list version)
    Export {
        /// The list's id (exports its newest version unless --version is given).
        #[arg(long)]
        list: ListId,
        /// Version number.
        #[arg(long)]
        version: Option<u32>,
        /// Resolve a township template for this town.
        #[arg(long)]
        town: Option<UnitId>,
        /// xlsx, csv or json.
        #[arg(long, default_value = "xlsx")]
        format: String,
        /// Output file (default: the list's name in the current directory).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
    },
    /// 比较两个版本 (compare two list versions field by field)
    Diff {
        /// First version id.
        a: ListVersionId,
        /// Second version id.
        b: ListVersionId,
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// 比较两个乡镇在某日持有的事项 (compare what two units hold on a date, field by field)
    DiffUnits {
        /// First unit id.
        a: UnitId,
        /// Second unit id.
        b: UnitId,
        /// The date (YYYY-MM-DD; default today).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// 工作日历：载入节假日安排、查看某年 (the working-day calendar: load holiday text, show a year)
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// 账本：密钥、校验、导出 (the ledger: keys, verification, export)
    Ledger {
        #[command(subcommand)]
        command: ledger::LedgerCommand,
    },
    /// 见证方：独立进程，为账本检查点联署 (a witness: an independent process that cosigns checkpoints)
    Witness {
        #[command(subcommand)]
        command: ledger::WitnessCommand,
    },
    /// 备份：在线、一致地复制数据库与材料文件 (back up the database and material files online,
    /// as of one moment, into a new folder with a manifest of SM3 digests)
    Backup {
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// The folder to write (new, or empty).
        dir: PathBuf,
    },
    /// 恢复：恢复到空数据库并校验账本 (restore a backup into an empty database, then verify the
    /// ledger from its first leaf)
    Restore {
        /// The backup folder.
        dir: PathBuf,
        /// Database URL to restore into (a SQLite file that does not exist, or an empty
        /// PostgreSQL database).
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// The log's public key(s), to check its signed checkpoints.
        #[arg(long)]
        vkey: Vec<PathBuf>,
        /// The log's origin line.
        #[arg(long, default_value = ledger::DEFAULT_ORIGIN)]
        origin: String,
    },
    /// 打印 API 的 OpenAPI 3.1 描述 (print the API's OpenAPI 3.1 document as JSON)
    Openapi,
}

/// `quanze user …`.
#[derive(Debug, Subcommand)]
enum UserCommand {
    /// 重置第二因素 (remove an account's TOTP secret, recovery codes and SM2 key, and end its
    /// sessions; its next sign-in enrols again): the way back in when the last administrator
    /// lost the phone
    ResetSecondFactor {
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Login name.
        #[arg(long)]
        user: String,
    },
}

/// `quanze key …`.
#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// 生成 SM2 密钥 (write a new SM2 private key, PKCS#8 PEM, mode 0600, and print its public
    /// key for `PUT /api/v1/users/{id}/sm2-key`)
    New {
        /// Where to write the private key.
        #[arg(long)]
        out: PathBuf,
    },
    /// 轮换个人信息密钥 (rotate the personal-data key: write a new key at the head of the key
    /// file, keeping the previous ones after it, then reseal every stored seal under it in one
    /// transaction. Servers running on the same key file read it again within seconds and seal
    /// under the new key; a server's write during the reseal makes it roll back: run it again)
    RotatePersonal {
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        #[command(flatten)]
        personal: PersonalArgs,
    },
    /// 签名登录挑战 (sign the challenge of a `second_factor_required` answer; prints the
    /// base64 signature for `POST /api/v1/auth/second-factor`)
    Sign {
        /// The private key file.
        #[arg(long)]
        key: PathBuf,
        /// The challenge.
        challenge: String,
    },
}

/// `quanze calendar …`.
#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// 载入节假日安排 (load `[[year]]` blocks in the format of data/holidays-cn.toml; needs a
    /// system administrator's token). A running server uses them after a restart; to load into
    /// a running server, use PUT /api/v1/calendar.
    Load {
        /// The holiday file (UTF-8 TOML).
        file: PathBuf,
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// API token of a system administrator (see `quanze token`).
        #[arg(long, env = "QUANZE_TOKEN", hide_env_values = true)]
        token: String,
    },
    /// 查看某年的工作日历 (show one year: working days, holidays, days worked in lieu)
    Show {
        /// The year.
        #[arg(value_parser = clap::value_parser!(i32).range(1000..=9999))]
        year: i32,
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Print JSON (the answer of GET /api/v1/calendar?year=YEAR) instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// How a server signs its ledger and whom it trusts.
#[derive(Debug, clap::Args)]
struct LedgerArgs {
    /// Checkpoint signing key (from `quanze ledger keygen`; its public key is the same path
    /// with extension .vkey). Without one no checkpoints are signed (the demo makes its own).
    #[arg(long, env = "QUANZE_LEDGER_KEY")]
    ledger_key: Option<PathBuf>,
    /// The log's origin line (the key's name).
    #[arg(long, default_value = ledger::DEFAULT_ORIGIN)]
    origin: String,
    /// A trusted witness's public key file (repeatable).
    #[arg(long)]
    witness: Vec<PathBuf>,
}

/// Where applicants' personal data is sealed.
#[derive(Debug, clap::Args)]
struct PersonalArgs {
    /// The personal-data key file (SM4 and HMAC-SM3 keys; created 0600 when missing). Default
    /// for SQLite: personal.key beside the database; PostgreSQL needs it given, else no case is
    /// received.
    #[arg(long, env = "QUANZE_PERSONAL_KEY")]
    personal_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum CaseCommandArg {
    /// 查看办件 (a case with its deadlines and timeline; no personal data is shown)
    Show {
        /// 受理单号.
        receipt: String,
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// 预警扫描 (one tick of the deadline scheduler, for today or a given day)
    Tick {
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// YYYY-MM-DD (default: today in China).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
}

/// `quanze materials …`.
#[derive(Debug, Subcommand)]
enum MaterialsCommand {
    /// 清理孤立材料文件 (remove material files beside a SQLite database that no stored material
    /// names, and temporary files of unfinished writes, older than the grace period; a
    /// PostgreSQL database keeps materials inside and has nothing to sweep)
    Sweep {
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Only files older than this many minutes are removed (younger ones may belong to an
        /// upload under way).
        #[arg(long, default_value_t = 60)]
        grace_minutes: u64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// How often a running server looks at its personal-data key file for a rotation; the rotation
/// waits twice as long after writing the file before it reseals.
const KEY_FILE_POLL: Duration = Duration::from_secs(2);

/// What tells that a file was replaced: its inode (a rotation renames a new file over it), its
/// length and its modification time.
fn file_stamp(path: &std::path::Path) -> Option<(u64, u64, Option<std::time::SystemTime>)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some((inode, meta.len(), meta.modified().ok()))
}

/// Reads the personal-data key file again whenever it changes (a rotation by `quanze key
/// rotate-personal` while the server runs), so that the server seals under the new key and
/// opens what the rotation resealed. A file that does not read, or is not the ring in use with
/// new keys at its head, is refused with an error in the log and the ring in memory kept.
fn watch_personal_key(service: Arc<Service>, path: PathBuf) {
    tokio::spawn(async move {
        // The first look reads the file whatever its stamp: a rotation may have written it
        // between the server's start reading the key and now (the same ring is no change).
        let mut seen = None;
        let mut every = tokio::time::interval(KEY_FILE_POLL);
        loop {
            every.tick().await;
            let now = file_stamp(&path);
            if now == seen {
                continue;
            }
            seen = now;
            let file = path.display();
            match PersonalKey::load(&path) {
                Ok(Some(newer)) => match service.reload_personal_key(&newer) {
                    Ok(true) => tracing::info!(
                        previous_keys = newer.previous_keys(),
                        "personal-data key ring reloaded from {file}"
                    ),
                    Ok(false) => {}
                    Err(err) => {
                        tracing::error!(
                            "the key file {file} was not taken: {err}; keeping the ring in use"
                        )
                    }
                },
                Ok(None) => {
                    tracing::error!("the key file {file} is gone; keeping the ring in use")
                }
                Err(err) => tracing::error!("the key file {file} does not read: {err}"),
            }
        }
    });
}

/// How old a material file without its record must be before the server's start removes it.
const MATERIAL_GRACE: Duration = Duration::from_secs(3600);

/// The personal-data key: the file given, or personal.key beside a SQLite database.
fn personal_key(arg: Option<&std::path::Path>, db: &str) -> anyhow::Result<Option<PersonalKey>> {
    let Some(path) = personal_key_path(arg, db) else {
        tracing::warn!("no --personal-key: cases cannot be received");
        return Ok(None);
    };
    PersonalKey::load_or_create(&path).map(Some).map_err(anyhow::Error::msg)
}

/// Limits on writes (限流), each a number of writes a minute with a burst of a quarter; a write
/// past one is answered 429 with `Retry-After`.
#[derive(Debug, clap::Args)]
struct WriteLimitArgs {
    /// Every write from one address (an office behind one NAT shares it).
    #[arg(long, env = "QUANZE_WRITE_LIMIT_PER_ADDRESS", default_value_t = 1_200,
          value_parser = clap::value_parser!(u32).range(1..))]
    write_limit_per_address: u32,
    /// Writes without credentials (applications, comments, ratings, complaints) from one
    /// address.
    #[arg(long, env = "QUANZE_WRITE_LIMIT_ANONYMOUS", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..))]
    write_limit_anonymous: u32,
    /// Writes of one signed-in caller (one token or web session).
    #[arg(long, env = "QUANZE_WRITE_LIMIT_PER_CALLER", default_value_t = 600,
          value_parser = clap::value_parser!(u32).range(1..))]
    write_limit_per_caller: u32,
}

impl WriteLimitArgs {
    fn limits(&self) -> quanze_service::rate::WriteLimits {
        quanze_service::rate::WriteLimits {
            per_address: self.write_limit_per_address,
            anonymous_per_address: self.write_limit_anonymous,
            per_caller: self.write_limit_per_caller,
        }
    }
}

/// 口令散列强度 — the argon2id cost of new password hashes.
#[derive(Debug, clap::Args)]
struct HashingArgs {
    /// The argon2id memory of new password hashes, in KiB (OWASP's floor: 7168 KiB, and memory
    /// × passes at least 35,840).
    #[arg(long, env = "QUANZE_ARGON2_MEMORY_KIB", default_value_t = 19_456)]
    argon2_memory_kib: u32,
    /// The argon2id passes of new password hashes.
    #[arg(long, env = "QUANZE_ARGON2_ITERATIONS", default_value_t = 2)]
    argon2_iterations: u32,
}

impl HashingArgs {
    fn cost(&self) -> anyhow::Result<quanze_service::auth::PasswordHashing> {
        quanze_service::auth::PasswordHashing::checked(
            self.argon2_memory_kib,
            self.argon2_iterations,
        )
        .map_err(anyhow::Error::msg)
    }
}

/// Local security policy (等保: thresholds are configurable).
#[derive(Debug, clap::Args)]
struct PolicyArgs {
    #[command(flatten)]
    limits: WriteLimitArgs,
    #[command(flatten)]
    hashing: HashingArgs,
    /// Consecutive failed logins before an account is locked.
    #[arg(long, env = "QUANZE_LOCKOUT_THRESHOLD", default_value_t = 5)]
    lockout_threshold: u32,
    /// How long a lock lasts, in minutes.
    #[arg(long, env = "QUANZE_LOCKOUT_MINUTES", default_value_t = 30)]
    lockout_minutes: i64,
    /// The fewest characters of a new password (口令策略).
    #[arg(long, env = "QUANZE_PASSWORD_MIN_LENGTH", default_value_t = 10)]
    password_min_length: usize,
    /// The fewest character classes of a new password (of lower, upper, digits, symbols).
    #[arg(long, env = "QUANZE_PASSWORD_MIN_CLASSES", default_value_t = 3,
          value_parser = clap::value_parser!(u8).range(1..=4))]
    password_min_classes: u8,
    /// A reverse proxy in front of the server (repeatable): its `X-Forwarded-For` names the
    /// client, whose address the sign-in throttle and the comment limit count by.
    #[arg(long = "trusted-proxy", env = "QUANZE_TRUSTED_PROXY", value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Roles that must sign in with a second factor (TOTP or an SM2 key), comma-separated
    /// role codes, or `none` (等保 2.0 L3: the administrators at least).
    #[arg(long, env = "QUANZE_SECOND_FACTOR_ROLES", value_delimiter = ',',
          default_value = "sys_admin,security_admin,auditor", value_parser = parse_role_or_none)]
    second_factor_roles: Vec<Option<Role>>,
    /// The server is reached over HTTPS (behind a proxy): the sign-in cookie is marked Secure.
    #[arg(long, env = "QUANZE_HTTPS")]
    https: bool,
    /// Serve HTTPS itself (rustls): the certificate chain, PEM, leaf first. Needs --tls-key.
    #[arg(long, env = "QUANZE_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key, PEM (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "QUANZE_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

/// A role code, or `none` (no role).
fn parse_role_or_none(raw: &str) -> Result<Option<Role>, String> {
    match raw.trim() {
        "none" | "" => Ok(None),
        code => Role::parse(code).map(Some).ok_or_else(|| {
            let all: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
            format!("unknown role {code:?}; one of {}, or none", all.join(", "))
        }),
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,quanze=info".into()),
        )
        .with_writer(io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: starting the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(err) => {
            if let Some(io_err) = err.downcast_ref::<io::Error>()
                && io_err.kind() == io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            if let Some(service_err) = err.downcast_ref::<ServiceError>() {
                eprintln!("错误：{}\nerror: {err:#}", service_err.zh());
                return match service_err {
                    ServiceError::Unauthenticated
                    | ServiceError::Locked(_)
                    | ServiceError::Forbidden(_) => ExitCode::from(EXIT_AUTH),
                    ServiceError::ImportProblems { .. } | ServiceError::File(_) => {
                        ExitCode::from(EXIT_INPUT_PROBLEMS)
                    }
                    _ => ExitCode::FAILURE,
                };
            }
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the service for a console command, with the server's personal-data key when there is
/// one (`QUANZE_PERSONAL_KEY`, or personal.key beside a SQLite database): the store keeps some
/// documents sealed under it.
async fn open(db: &str) -> anyhow::Result<Service> {
    let path = std::env::var_os("QUANZE_PERSONAL_KEY").map(PathBuf::from);
    let config = Config {
        cases: CasesConfig {
            personal_key: existing_personal_key(path.as_deref(), db)?,
            ..Default::default()
        },
        ..Default::default()
    };
    Service::open(db, config).await.with_context(|| format!("opening the database {db}"))
}

/// Where the personal-data key is: the file given, or personal.key beside a SQLite database.
fn personal_key_path(arg: Option<&std::path::Path>, db: &str) -> Option<PathBuf> {
    match arg {
        Some(path) => Some(path.to_path_buf()),
        None => quanze_store::sqlite_file_of(db)
            .map(|file| file.parent().unwrap_or(std::path::Path::new(".")).join("personal.key")),
    }
}

/// The server's key, read and never created here (a stray new key would seal nothing anyone
/// could open). A file given must exist; the default one may not.
fn existing_personal_key(
    arg: Option<&std::path::Path>,
    db: &str,
) -> anyhow::Result<Option<PersonalKey>> {
    let Some(path) = personal_key_path(arg, db) else { return Ok(None) };
    let key = PersonalKey::load(&path).map_err(anyhow::Error::msg)?;
    if key.is_none() && arg.is_some() {
        bail!("no key file at {}", path.display());
    }
    Ok(key)
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo { addr, data, seed, ledger, personal, limits, hashing } => {
            demo(addr, data, seed, ledger, personal, limits, hashing).await
        }
        Command::Case { command } => case(command).await,
        Command::Materials { command: MaterialsCommand::Sweep { db, grace_minutes, json } } => {
            let service = open(&db).await?;
            let grace = Duration::from_secs(grace_minutes.saturating_mul(60));
            let sweep = service.sweep_materials(grace).await?;
            if json {
                println!("{}", serde_json::to_string(&sweep)?);
            } else {
                println!(
                    "已清理孤立材料文件 {} 个、临时文件 {} 个，共 {} 字节（只清理 {grace_minutes} 分钟前的文件）。",
                    sweep.orphans_removed, sweep.temporary_removed, sweep.bytes_removed
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { db, addr, ledger, policy, personal } => {
            let config = Config {
                lockout_threshold: policy.lockout_threshold,
                lockout_minutes: policy.lockout_minutes,
                trusted_proxies: policy.trusted_proxies.clone(),
                password: quanze_core::account::PasswordPolicy {
                    min_length: policy.password_min_length.clamp(8, 64),
                    min_classes: usize::from(policy.password_min_classes),
                    ..Default::default()
                },
                password_hashing: policy.hashing.cost()?,
                ledger: ledger::ledger_config(
                    ledger.ledger_key.as_deref(),
                    &ledger.origin,
                    &ledger.witness,
                )?,
                cases: CasesConfig {
                    personal_key: personal_key(personal.personal_key.as_deref(), &db)?,
                    ..CasesConfig::default()
                },
                second_factor: quanze_service::second_factor::SecondFactorPolicy {
                    roles: policy.second_factor_roles.iter().flatten().copied().collect(),
                    ..Default::default()
                },
                write_limits: policy.limits.limits(),
                ..Config::default()
            };
            if !config.second_factor.roles.is_empty() && config.cases.personal_key.is_none() {
                tracing::warn!(
                    "no --personal-key: TOTP secrets cannot be sealed, so accounts whose role \
                     requires a second factor cannot enrol one"
                );
            }
            let service = Service::open(&db, config)
                .await
                .with_context(|| format!("opening the database {db}"))?;
            let tls = match (&policy.tls_cert, &policy.tls_key) {
                (Some(cert), Some(key)) => Some(tls_config(cert, key)?),
                _ => None,
            };
            let secure = policy.https || tls.is_some();
            let key_file = personal_key_path(personal.personal_key.as_deref(), &db);
            serve(Arc::new(service), addr, secure, tls, key_file).await
        }
        Command::Calendar { command } => calendar(command).await,
        Command::Ledger { command } => ledger::ledger(command).await,
        Command::Witness { command } => ledger::witness(command).await,
        Command::Openapi => {
            println!("{}", quanze_web::openapi_json());
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { db, admin, password_env, ledger_hash } => {
            let ledger_hash = ledger_hash
                .parse()
                .map_err(|_| anyhow!("--ledger-hash must be sm3 or sha256, not {ledger_hash:?}"))?;
            // The administrator's name is sealed under the server's key when there is one.
            let key_file = std::env::var_os("QUANZE_PERSONAL_KEY").map(PathBuf::from);
            let config = Config {
                cases: CasesConfig {
                    personal_key: existing_personal_key(key_file.as_deref(), &db)?,
                    ..Default::default()
                },
                ..Default::default()
            };
            let service = Service::open_with(
                &db,
                quanze_service::ConnectOptions { ledger_hash, ..Default::default() },
                config,
            )
            .await
            .with_context(|| format!("opening the database {db}"))?;
            let password = std::env::var(&password_env).with_context(|| {
                format!(
                    "set the administrator's password in the environment variable {password_env}"
                )
            })?;
            let new = NewUser {
                username: Username::parse(&admin)?,
                display_name: "系统管理员".into(),
                password,
                // 三员分立: the administrator manages accounts and settings only; editors,
                // leaders and reviewers are accounts it creates.
                roles: vec![RoleAssignment { role: Role::SysAdmin, unit: None }],
            };
            service.create_user(None, new).await?;
            println!(
                "已初始化数据库并创建管理员“{admin}”。initialised {db}; administrator {admin} created."
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { db, user, code, personal, second_factor_roles } => {
            let key = existing_personal_key(personal.personal_key.as_deref(), &db)?;
            let config = Config {
                cases: CasesConfig { personal_key: key, ..Default::default() },
                second_factor: quanze_service::second_factor::SecondFactorPolicy {
                    roles: second_factor_roles.into_iter().flatten().collect(),
                    ..Default::default()
                },
                ..Default::default()
            };
            let service = Service::open(&db, config)
                .await
                .with_context(|| format!("opening the database {db}"))?;
            let password = std::env::var("QUANZE_PASSWORD")
                .context("set the password in the environment variable QUANZE_PASSWORD")?;
            // An integration token (90 days), not a sign-in's (30 minutes idle).
            let account = match (service.sign_in(&user, &password).await, code) {
                (Ok(account), _) => account,
                (Err(ServiceError::SecondFactor(need)), Some(code)) if !need.enrol => {
                    let proof = quanze_service::second_factor::Proof::Code(code);
                    service.complete_sign_in(&need.ticket, &proof, None).await?
                }
                (Err(ServiceError::SecondFactor(need)), _) if need.enrol => {
                    anyhow::bail!(
                        "该账号须先在网页上登录并登记动态口令。the account must enrol a second factor \
                         first: sign in on the web pages"
                    )
                }
                (Err(ServiceError::SecondFactor(_)), None) => anyhow::bail!(
                    "该账号须提供动态口令：--code 或环境变量 QUANZE_OTP。the account signs in with a \
                     second factor: give --code or QUANZE_OTP"
                ),
                (Err(e), _) => return Err(e.into()),
            };
            println!("{}", service.issue_token(&account, "integration").await?);
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command: UserCommand::ResetSecondFactor { db, user } } => {
            let service = open(&db).await?;
            let leaf = service.reset_second_factor_at_console(&Username::parse(&user)?).await?;
            println!(
                "已重置账号“{user}”的第二因素（账本记录 {leaf}），其登录均已结束；下次登录时重新登记。\n\
                 reset the second factor of {user}; its sessions ended; it enrols again at its next sign-in."
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Key { command } => key_command(command).await,
        Command::Backup { db, dir } => backup::backup(&db, &dir).await,
        Command::Restore { dir, db, vkey, origin } => {
            let trusted = ledger::read_vkeys(&vkey)?;
            backup::restore(&dir, &db, origin, trusted).await
        }
        Command::Import { file, list, db, token, dry_run } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let service = open(&db).await?;
            let user = service.authenticate(&token).await?;
            let bar = Arc::new(progress::Bar::new());
            let result =
                service.import_list(&user, list, &bytes, dry_run, Some(bar.handle())).await;
            bar.finish();
            let outcome = match result {
                Ok(outcome) => outcome,
                Err(ServiceError::ImportProblems { problems }) => {
                    print_problems(&problems);
                    eprintln!("导入失败：文件中有{}处问题，未保存任何内容。", problems.len());
                    return Ok(ExitCode::from(EXIT_INPUT_PROBLEMS));
                }
                Err(other) => return Err(other.into()),
            };
            print_problems(&outcome.problems);
            let errors = outcome.problems.iter().filter(|p| p.is_error()).count();
            println!(
                "读取 {} 行：新增 {}，修改 {}，未变 {}，移除 {}；问题 {} 处（错误 {} 处）。",
                outcome.rows,
                outcome.added,
                outcome.changed,
                outcome.unchanged,
                outcome.removed,
                outcome.problems.len(),
                errors
            );
            match outcome.version {
                Some(v) => println!("已保存为草稿版本 {v}。"),
                None => println!("试运行：未保存任何内容。"),
            }
            Ok(if errors > 0 { ExitCode::from(EXIT_INPUT_PROBLEMS) } else { ExitCode::SUCCESS })
        }
        Command::Export { list, version, town, format, out, db } => {
            let format = ExportFormat::parse(&format)
                .ok_or_else(|| anyhow!("--format must be xlsx, csv or json"))?;
            let service = open(&db).await?;
            let catalog = service.catalog();
            let versions = catalog.versions(list);
            let chosen = match version {
                Some(n) => versions.iter().find(|v| v.number == n),
                None => versions.last(),
            }
            .ok_or_else(|| {
                anyhow!("list {list} has no such version; see GET /api/v1/lists/{list}/versions")
            })?;
            let bar = Arc::new(progress::Bar::new());
            let exported = service.export_version(chosen.id, town, format, Some(bar.handle()));
            bar.finish();
            let (name, bytes) = exported?;
            let path = out.unwrap_or_else(|| PathBuf::from(&name));
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            println!("已导出 {}（{} 字节）", path.display(), bytes.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff { a, b, db, json } => {
            let service = open(&db).await?;
            print_diff(&service.diff_versions(a, b)?, json)
        }
        Command::DiffUnits { a, b, date, db, json } => {
            let service = open(&db).await?;
            let date = date.unwrap_or_else(|| service.today());
            print_diff(&service.diff_units(a, b, date)?, json)
        }
    }
}

async fn key_command(command: KeyCommand) -> anyhow::Result<ExitCode> {
    use base64::Engine as _;
    use quanze_ledger::{SigAlg, SigningKey};
    match command {
        KeyCommand::RotatePersonal { db, personal } => {
            rotate_personal(&db, personal.personal_key.as_deref()).await
        }
        KeyCommand::New { out } => {
            let key = SigningKey::generate(SigAlg::Sm2, "quanze-sign-in")?;
            let text = key.to_private_text()?;
            let mut file = quanze_service::create_private_file(&out)
                .with_context(|| format!("creating {} (it must not exist)", out.display()))?;
            file.write_all(text.as_bytes())?;
            let public = key
                .verifier_key()
                .sm2_public_key_pem()
                .ok_or_else(|| anyhow!("an SM2 key has a PEM public key"))?;
            eprintln!("已写入私钥 {}（仅本人可读）；公钥如下，交系统管理员登记：", out.display());
            print!("{public}");
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Sign { key, challenge } => {
            let text = std::fs::read_to_string(&key)
                .with_context(|| format!("reading {}", key.display()))?;
            let key = SigningKey::from_private_text(&text, "quanze-sign-in")?;
            if key.alg() != SigAlg::Sm2 {
                bail!("{} is not an SM2 key", challenge);
            }
            let message = format!(
                "{}{}",
                quanze_service::second_factor::SM2_SIGN_IN_PREFIX,
                challenge.trim()
            );
            let signature = key.sign(message.as_bytes())?;
            println!("{}", base64::engine::general_purpose::STANDARD.encode(signature));
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn calendar(command: CalendarCommand) -> anyhow::Result<ExitCode> {
    match command {
        CalendarCommand::Load { file, db, token } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let Ok(text) = String::from_utf8(bytes) else {
                eprintln!("错误：{}不是 UTF-8 编码的文本，未载入任何内容。", file.display());
                return Ok(ExitCode::from(EXIT_INPUT_PROBLEMS));
            };
            let service = open(&db).await?;
            let user = service.authenticate(&token).await?;
            let outcome = match service.load_calendar(&user, &text).await {
                Ok(outcome) => outcome,
                Err(err @ ServiceError::Rejected { .. })
                    if matches!(
                        err.code(),
                        ErrorCode::CalendarInvalid | ErrorCode::CalendarYearImplausible
                    ) =>
                {
                    eprintln!("错误：{}：{}\n未载入任何内容。", file.display(), err.zh());
                    let en = err.to_string();
                    let en = en.lines().next().unwrap_or_default();
                    eprintln!("error: {}: {en} [{}]", file.display(), err.code());
                    return Ok(ExitCode::from(EXIT_INPUT_PROBLEMS));
                }
                Err(other) => return Err(other.into()),
            };
            let years =
                |ys: &[i32]| ys.iter().map(|y| format!("{y}年")).collect::<Vec<_>>().join("、");
            let mut parts = Vec::new();
            if !outcome.added.is_empty() {
                parts.push(format!("新增 {}", years(&outcome.added)));
            }
            if !outcome.replaced.is_empty() {
                parts.push(format!("替换 {}", years(&outcome.replaced)));
            }
            if !outcome.unchanged.is_empty() {
                parts.push(format!("未变 {}", years(&outcome.unchanged)));
            }
            println!("已读取 {}：{}。", file.display(), parts.join("；"));
            for y in &outcome.years {
                println!("  {}年：{} 个工作日", y.year, y.working_days.unwrap_or_default());
            }
            match outcome.leaf_index {
                Some(leaf) => println!(
                    "已保存（账本记录 {leaf}）。正在运行的服务重启后使用新数据，或通过 PUT /api/v1/calendar 载入。"
                ),
                None => println!("数据与现行日历相同，未保存任何内容。"),
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Show { year, db, json } => {
            let service = open(&db).await?;
            let view = service.calendar_year(year);
            let mut stdout = io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut stdout, &view)?;
                writeln!(stdout)?;
                return Ok(ExitCode::SUCCESS);
            }
            let (Some(source), Some(working_days)) = (view.source, view.working_days) else {
                writeln!(stdout, "{}", view.note.unwrap_or_default())?;
                let covered: Vec<String> = view.covered_years.iter().map(i32::to_string).collect();
                writeln!(stdout, "已有数据的年份：{}", covered.join("、"))?;
                return Ok(ExitCode::SUCCESS);
            };
            let source = match (source, view.loaded_at) {
                (CalendarSource::Official, _) => "随软件发布的国务院办公厅通知".to_owned(),
                (CalendarSource::Loaded, Some(at)) => format!(
                    "管理员于 {} 载入{}",
                    at.format("%Y-%m-%d %H:%M:%S UTC"),
                    if view.replaced_official {
                        "，替换了随软件发布的数据"
                    } else {
                        ""
                    }
                ),
                (CalendarSource::Loaded, None) => "管理员载入".to_owned(),
            };
            writeln!(stdout, "{year}年工作日历：{working_days} 个工作日（来源：{source}）")?;
            for h in &view.holidays {
                let work: Vec<String> = h.work.iter().map(ToString::to_string).collect();
                let work = if work.is_empty() {
                    String::new()
                } else {
                    format!("，调休上班 {}", work.join("、"))
                };
                writeln!(stdout, "  {}：{} 至 {} 放假{work}", h.name, h.off_from, h.off_until)?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_diff(d: &quanze_core::diff::ListDiff, json: bool) -> anyhow::Result<ExitCode> {
    let mut stdout = io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut stdout, d)?;
        writeln!(stdout)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        stdout,
        "新增 {} 项，删除 {} 项，修改 {} 项，未变 {} 项",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    )?;
    for r in &d.added {
        writeln!(stdout, "+ {}", r.name)?;
    }
    for r in &d.removed {
        writeln!(stdout, "- {}", r.name)?;
    }
    for c in &d.changed {
        let fields: Vec<&str> = c.fields.iter().map(|f| f.label.as_str()).collect();
        writeln!(stdout, "~ {}：{}", c.name, fields.join("、"))?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn case(command: CaseCommandArg) -> anyhow::Result<ExitCode> {
    match command {
        CaseCommandArg::Show { receipt, db, json } => {
            let service = open(&db).await?;
            let view = service.case_for_operator(&receipt).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&view)?);
                return Ok(ExitCode::SUCCESS);
            }
            let c = &view.case;
            println!("受理单号 {}  {}  {}", c.receipt, view.procedure_zh, c.item.name);
            println!("申请人   {}（{}）", c.party.name, c.party.number);
            println!("状态     {}  预警 {}  跑动 {} 次", view.state_zh, view.alert.zh(), c.trips);
            for d in &view.deadlines {
                let mark = if d.provisional {
                    "（暂定：该年节假日数据未载入）"
                } else {
                    ""
                };
                let stopped = d.stopped.map(|s| format!("，{s}完成")).unwrap_or_default();
                println!("期限     {} {}（{}）{mark}{stopped}", d.clock_zh, d.due, d.basis);
            }
            if let Some(sessions) = &view.sessions_zh {
                let next =
                    view.next_session.map(|d| format!("（下一审批日 {d}）")).unwrap_or_default();
                println!("定期审批 {sessions}{next}");
            }
            if let Some((names, promised)) = &c.missing_promised {
                let overdue = if view.missing_overdue { "，已逾期" } else { "" };
                println!("容缺材料 {}（承诺{promised}前补齐{overdue}）", names.join("、"));
            }
            let catalog = service.catalog();
            let unit_name =
                |id| catalog.unit(id).map_or_else(|| id.to_string(), |u| u.name.clone());
            for t in &c.tasks {
                let state = match &t.done {
                    Some((on, result)) => format!("{on}办结：{result}"),
                    None => "未办结".to_owned(),
                };
                println!(
                    "配合任务 {}：{}  期限 {}  {state}",
                    unit_name(t.unit),
                    t.description,
                    t.due.date
                );
            }
            for m in &view.materials {
                let reused = if m.reused_from.is_some() { "  复用" } else { "" };
                let digest = m.digest.to_string();
                println!(
                    "申请材料 {}  {}  {} 字节  SM3 {}…{reused}",
                    m.name,
                    m.mime,
                    m.size,
                    digest.get(..16).unwrap_or(&digest)
                );
            }
            for s in &view.timeline {
                // A step that does not move the case (an alert, a task) shows no change.
                let states = match s.step.from {
                    Some(from) if from != s.step.to => {
                        format!("{} → {}", from.zh(), s.step.to.zh())
                    }
                    Some(_) => String::new(),
                    None => s.step.to.zh().to_owned(),
                };
                println!(
                    "{:>3}. {} {}  {states}  记录#{}",
                    s.step.n, s.step.on, s.action_zh, s.leaf_index
                );
            }
        }
        CaseCommandArg::Tick { db, date } => {
            let service = open(&db).await?;
            let on = date.unwrap_or_else(|| service.today());
            let report = service.tick_deadlines(on, 1_000).await?;
            println!("{}", serde_json::to_string(&report)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_problems(problems: &[quanze_service::error::Problem]) {
    for p in problems {
        let level = if p.is_error() { "错误" } else { "警告" };
        let row = p.row.map(|r| format!("第{r}行")).unwrap_or_default();
        let column = p.column.as_deref().map(|c| format!("“{c}”列")).unwrap_or_default();
        eprintln!("{level}：工作表“{}”{row}{column}：{}", p.sheet, p.message_zh);
    }
}

async fn demo(
    addr: SocketAddr,
    data: PathBuf,
    seed: u64,
    args: LedgerArgs,
    personal: PersonalArgs,
    limits: WriteLimitArgs,
    hashing: HashingArgs,
) -> anyhow::Result<ExitCode> {
    quanze_service::create_private_dir_all(&data)
        .with_context(|| format!("creating the data directory {}", data.display()))?;
    let db_path = data.join("quanze.db");
    let url = format!("sqlite://{}", db_path.display());
    let key = match args.ledger_key {
        Some(key) => key,
        None => ledger::demo_key(&data)?,
    };
    let config = Config {
        ledger: ledger::ledger_config(Some(&key), &args.origin, &args.witness)?,
        cases: CasesConfig {
            personal_key: personal_key(personal.personal_key.as_deref(), &url)?,
            ..CasesConfig::default()
        },
        write_limits: limits.limits(),
        password_hashing: hashing.cost()?,
        ..Config::default()
    };
    let service =
        Service::open(&url, config).await.with_context(|| format!("opening the database {url}"))?;
    let service = Arc::new(service);
    let started = std::time::Instant::now();
    match service.load_demo(seed).await? {
        DemoLoad::Reused => {
            println!("沿用已有数据 {}（reusing the existing database）", db_path.display())
        }
        DemoLoad::Loaded { units, items, cases } => println!(
            "已生成示例县：{units} 个单位，{items} 个事项版本，{cases} 件办件，用时 {:.1} 秒（{}）",
            started.elapsed().as_secs_f64(),
            db_path.display()
        ),
    }
    println!("演示账号（密码均为 {DEMO_PASSWORD}）：");
    let policy = quanze_service::second_factor::SecondFactorPolicy::default();
    for (name, role, _) in DEMO_ACCOUNTS {
        let second = if policy.requires(&[RoleAssignment { role, unit: None }]) {
            "（另需动态口令）"
        } else {
            ""
        };
        println!("  {name:<11} {}{second}", role.zh());
    }
    println!(
        "管理员账号的动态口令：在验证器 App 中添加密钥 {}",
        quanze_service::demo::DEMO_TOTP_SECRET
    );
    println!(
        "获取令牌：curl -s http://{addr}/api/v1/auth/login -H 'content-type: application/json' -d '{{\"username\":\"editor\",\"password\":\"{DEMO_PASSWORD}\"}}'"
    );
    let key_file = personal_key_path(personal.personal_key.as_deref(), &url);
    serve(service, addr, false, None, key_file).await
}

/// The TLS configuration from a certificate file and a key file.
fn tls_config(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> anyhow::Result<Arc<quanze_web::TlsServerConfig>> {
    let read = |path: &std::path::Path| {
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))
    };
    quanze_web::tls::server_config(&read(cert)?, &read(key)?).with_context(|| {
        format!("证书或私钥不可用 (the certificate {} or key {})", cert.display(), key.display())
    })
}

async fn serve(
    service: Arc<Service>,
    addr: SocketAddr,
    secure_cookies: bool,
    tls: Option<Arc<quanze_web::TlsServerConfig>>,
    key_file: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("binding {addr} (is another quanze already running? use --addr)")
    })?;
    let local = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!(
        "权责 Quanze 已启动：{scheme}://{local}/  （接口文档 {scheme}://{local}/api/v1/docs/ ；Ctrl-C 停止）"
    );
    io::stdout().flush()?;
    // The checkpoint signer runs until the server has stopped taking writes, then signs a
    // last checkpoint covering them.
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let signer = tokio::spawn({
        let service = Arc::clone(&service);
        async move {
            let stop = async move {
                let _ = stop_rx.await;
            };
            service.sign_checkpoints_until(Duration::from_millis(500), stop).await;
        }
    });
    // A rotation of the personal-data key while the server runs reaches it through the file.
    if let Some(path) = key_file.filter(|p| p.exists()) {
        watch_personal_key(Arc::clone(&service), path);
    }
    // The deadline scheduler ticks every minute until the server stops.
    let (sched_tx, sched_rx) = tokio::sync::oneshot::channel::<()>();
    let scheduler = tokio::spawn({
        let service = Arc::clone(&service);
        async move {
            let stop = async move {
                let _ = sched_rx.await;
            };
            service.run_deadline_scheduler(Duration::from_secs(60), stop).await;
        }
    });
    // The search index is built from the catalogue once, off the request path, so the first
    // villager's search does not wait for it.
    tokio::task::spawn_blocking({
        let service = Arc::clone(&service);
        move || {
            let started = std::time::Instant::now();
            match service.warm_search() {
                Ok(()) => tracing::info!(elapsed = ?started.elapsed(), "search index built"),
                Err(err) => {
                    tracing::warn!(error = %err, "building the search index failed; the first search tries again")
                }
            }
        }
    });
    // Expired sign-in sessions are removed every ten minutes (they are refused anyway).
    tokio::spawn({
        let service = Arc::clone(&service);
        async move {
            let mut every = tokio::time::interval(Duration::from_secs(600));
            loop {
                every.tick().await;
                if let Err(err) = service.end_expired_web_sessions().await {
                    tracing::warn!(error = %err, "removing expired sessions failed");
                }
            }
        }
    });
    // Material files a crash left without their record are removed once, in the background.
    tokio::spawn({
        let service = Arc::clone(&service);
        async move {
            match service.sweep_materials(MATERIAL_GRACE).await {
                Ok(sweep)
                    if sweep != quanze_service::cases::materials::MaterialSweep::default() =>
                {
                    tracing::info!(?sweep, "material files swept");
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "sweeping material files failed"),
            }
        }
    });
    let shutdown = async move {
        let _ = tokio::signal::ctrl_c().await;
    };
    let state = quanze_web::AppState { service, secure_cookies };
    let served = match tls {
        Some(config) => quanze_web::serve_tls(listener, config, state, shutdown).await,
        None => quanze_web::serve(listener, state, shutdown).await,
    };
    let _ = stop_tx.send(());
    let _ = sched_tx.send(());
    signer.await.context("the checkpoint signer panicked")?;
    scheduler.await.context("the deadline scheduler panicked")?;
    served?;
    Ok(ExitCode::SUCCESS)
}

/// `quanze key rotate-personal`: the new ring is written first, so that whatever happens next
/// every seal still opens (the previous keys stay in the file); then the database is resealed
/// in one transaction.
async fn rotate_personal(db: &str, arg: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let path = personal_key_path(arg, db)
        .ok_or_else(|| anyhow!("give the personal-data key file with --personal-key"))?;
    // One rotation at a time: two at once could each write a key the other then replaces.
    let lock_path = path.with_file_name(format!(
        ".{}.lock",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("personal.key")
    ));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("opening {}", lock_path.display()))?;
    if lock.try_lock().is_err() {
        bail!("another rotation of {} is under way", path.display());
    }
    let ring = PersonalKey::load(&path).map_err(anyhow::Error::msg)?.ok_or_else(|| {
        anyhow!("no key file at {}: nothing is sealed, nothing to rotate", path.display())
    })?;
    // The database answers and every seal opens under the present ring before a key is added,
    // so that a wrong URL or a database that is down leaves the key file as it was.
    let present = Config {
        cases: CasesConfig { personal_key: Some(ring.clone()), ..Default::default() },
        ..Default::default()
    };
    Service::open(db, present)
        .await
        .with_context(|| format!("opening the database {db}"))?
        .check_personal_seals()
        .await
        .context("checking that every seal opens under the present key file")?;
    let rotated = ring.rotated();
    rotated.replace_file(&path).map_err(anyhow::Error::msg)?;
    // Servers still running read the file again within KEY_FILE_POLL: once they seal under the
    // new key, nothing they write afterwards needs resealing.
    let wait = KEY_FILE_POLL * 2;
    println!(
        "新密钥已写入 {}，等待运行中的服务读取（{} 秒）… / the new key is in the file; waiting {} s \
         for running servers to read it",
        path.display(),
        wait.as_secs(),
        wait.as_secs()
    );
    tokio::time::sleep(wait).await;
    let config = Config {
        cases: CasesConfig { personal_key: Some(rotated.clone()), ..Default::default() },
        ..Default::default()
    };
    let service =
        Service::open(db, config).await.with_context(|| format!("opening the database {db}"))?;
    let counts = service.reseal_personal_data().await.with_context(|| {
        format!(
            "resealing; {} now holds the new key first and the previous ones after it, so every \
             seal still opens: run the rotation again",
            path.display()
        )
    })?;
    let quanze_service::ResealCounts {
        accounts,
        applicants,
        personal,
        readiness,
        officers,
        materials,
        unreadable_materials,
    } = counts;
    let (file, previous) = (path.display(), rotated.previous_keys());
    println!(
        "已轮换个人信息密钥：账号 {accounts} 个、申请人 {applicants} 个、账本个人信息 {personal} 条、\
         承接准备 {readiness} 份、办件执法人员证号 {officers} 件、申请材料 {materials} 份已用新密钥重新加密；密钥文件 {file} 首行为新密钥，其后保留 {previous} 个\
         旧密钥（此前发放的恢复码仍凭旧密钥核对）。\n\
         rotated the personal-data key: {accounts} accounts, {applicants} applicants, {personal} \
         ledger personal records, {readiness} readiness documents, the officers of \
         {officers} cases and {materials} materials resealed; {file} holds the \
         new key first and {previous} previous keys after it."
    );
    if unreadable_materials > 0 {
        eprintln!(
            "注意：{unreadable_materials} 份申请材料缺失或损坏（文件或数据库行，此前已无法读取），\
             未重新加密，日志中列有其摘要值，请从备份恢复。\n\
             note: {unreadable_materials} materials (files or database rows) were missing or \
             damaged (unreadable before the rotation) and were left as they were; the log names \
             each digest."
        );
    }
    Ok(ExitCode::SUCCESS)
}
