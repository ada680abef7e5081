//! `quanze`: the one binary. Starts the demo or a server, initialises a database, imports,
//! exports and compares lists, and checks, exports and witnesses the ledger.

mod ledger;
mod progress;

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand};
use quanze_core::{ListId, ListVersionId, Role, RoleAssignment, UnitId, Username};
use quanze_service::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, DemoLoad};
use quanze_service::lists::ExportFormat;
use quanze_service::{Config, NewUser, Service, ServiceError};

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
    /// 登录并签发 API 令牌 (log in and print an API token; password from QUANZE_PASSWORD)
    Token {
        /// Database URL.
        #[arg(long, env = "QUANZE_DB")]
        db: String,
        /// Login name.
        #[arg(long)]
        user: String,
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
    /// 打印 API 的 OpenAPI 3.1 描述 (print the API's OpenAPI 3.1 document as JSON)
    Openapi,
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

/// Local security policy (等保: thresholds are configurable).
#[derive(Debug, clap::Args)]
struct PolicyArgs {
    /// Consecutive failed logins before an account is locked.
    #[arg(long, env = "QUANZE_LOCKOUT_THRESHOLD", default_value_t = 5)]
    lockout_threshold: u32,
    /// How long a lock lasts, in minutes.
    #[arg(long, env = "QUANZE_LOCKOUT_MINUTES", default_value_t = 30)]
    lockout_minutes: i64,
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

async fn open(db: &str) -> anyhow::Result<Service> {
    Service::open(db, Config::default()).await.with_context(|| format!("opening the database {db}"))
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo { addr, data, seed, ledger } => demo(addr, data, seed, ledger).await,
        Command::Serve { db, addr, ledger, policy } => {
            let config = Config {
                lockout_threshold: policy.lockout_threshold,
                lockout_minutes: policy.lockout_minutes,
                ledger: ledger::ledger_config(
                    ledger.ledger_key.as_deref(),
                    &ledger.origin,
                    &ledger.witness,
                )?,
                ..Config::default()
            };
            let service = Service::open(&db, config)
                .await
                .with_context(|| format!("opening the database {db}"))?;
            serve(Arc::new(service), addr).await
        }
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
            let service = Service::open_with(
                &db,
                quanze_service::ConnectOptions { ledger_hash, ..Default::default() },
                Config::default(),
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
        Command::Token { db, user } => {
            let service = open(&db).await?;
            let password = std::env::var("QUANZE_PASSWORD")
                .context("set the password in the environment variable QUANZE_PASSWORD")?;
            let login = service.login(&user, &password).await?;
            println!("{}", login.token);
            Ok(ExitCode::SUCCESS)
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
) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&data)
        .with_context(|| format!("creating the data directory {}", data.display()))?;
    let db_path = data.join("quanze.db");
    let url = format!("sqlite://{}", db_path.display());
    let key = match args.ledger_key {
        Some(key) => key,
        None => ledger::demo_key(&data)?,
    };
    let config = Config {
        ledger: ledger::ledger_config(Some(&key), &args.origin, &args.witness)?,
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
        DemoLoad::Loaded { units, items } => println!(
            "已生成示例县：{units} 个单位，{items} 个事项版本，用时 {:.1} 秒（{}）",
            started.elapsed().as_secs_f64(),
            db_path.display()
        ),
    }
    println!("演示账号（密码均为 {DEMO_PASSWORD}）：");
    for (name, role, _) in DEMO_ACCOUNTS {
        println!("  {name:<11} {}", role.zh());
    }
    println!(
        "获取令牌：curl -s http://{addr}/api/v1/auth/login -H 'content-type: application/json' -d '{{\"username\":\"editor\",\"password\":\"{DEMO_PASSWORD}\"}}'"
    );
    serve(service, addr).await
}

async fn serve(service: Arc<Service>, addr: SocketAddr) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("binding {addr} (is another quanze already running? use --addr)")
    })?;
    let local = listener.local_addr()?;
    println!(
        "权责 Quanze 已启动：http://{local}/  （接口文档 http://{local}/api/v1/docs/ ；Ctrl-C 停止）"
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
    let shutdown = async move {
        let _ = tokio::signal::ctrl_c().await;
    };
    let served = quanze_web::serve(listener, quanze_web::AppState { service }, shutdown).await;
    let _ = stop_tx.send(());
    signer.await.context("the checkpoint signer panicked")?;
    served?;
    Ok(ExitCode::SUCCESS)
}
