//! Command-line interface: every subcommand with its `--help`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use parindex_core::Role;
use parindex_core::secret::generate_password;
use parindex_store::repo::units::ImportError;
use parindex_store::repo::users::NewUser;
use parindex_store::{AuditCtx, Store, StoreError};
use parindex_web::{AppState, WebConfig};

use crate::config::{FileConfig, database_url, default_data_dir, redact};

#[derive(Parser)]
#[command(
    name = "parindex",
    version,
    about = "parindex — Chỉ số cải cách hành chính (PAR Index) và SIPAS: máy chủ và công cụ quản trị.\nAdministrative-reform index and citizen satisfaction: server and administration tools."
)]
pub struct Cli {
    /// A TOML configuration file (default: parindex.toml in the data directory, if present).
    #[arg(long, global = true, env = "PARINDEX_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Directory for the SQLite database and files.
    #[arg(long, env = "PARINDEX_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// A database URL: postgres://user@host/db switches to PostgreSQL (default: SQLite in the data directory).
    #[arg(long, env = "PARINDEX_DATABASE_URL", global = true)]
    database_url: Option<String>,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "PARINDEX_BIND")]
    bind: Option<String>,
    /// The public URL (e.g. https://cchc.sonla.gov.vn); HTTPS turns on Secure cookies.
    #[arg(long, env = "PARINDEX_PUBLIC_URL")]
    public_url: Option<String>,
    /// Trust X-Forwarded-For (only behind your own reverse proxy).
    #[arg(long, env = "PARINDEX_TRUST_PROXY")]
    trust_proxy: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve(ServeArgs),
    /// Run the server on a demo province (Sơn La, sample data); prints the URL and demo logins.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Create or update the database schema, then exit.
    Migrate(DbArgs),
    /// Send today's deadline reminders to the inbox of units whose self-assessment is due within
    /// 3 days (the server also does this every hour; safe to repeat).
    Remind(DbArgs),
    /// Manage users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write a consistent copy of the SQLite database to FILE while the server runs.
    Backup {
        /// Target file (must not exist).
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Criteria frameworks: validate a file, score inputs with it (what-if calculator).
    Framework {
        #[command(subcommand)]
        cmd: FrameworkCmd,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print measured figures (time, memory) for the performance targets.
    Bench {
        #[command(subcommand)]
        cmd: BenchCmd,
    },
    /// Unit registry.
    Unit {
        #[command(subcommand)]
        cmd: UnitCmd,
        #[command(flatten)]
        db: DbArgs,
    },
    /// SIPAS citizen-satisfaction indices.
    Sipas {
        #[command(subcommand)]
        cmd: SipasCmd,
    },
    /// Survey responses in the database: import collected ones, export the raw ones, recount.
    Responses {
        #[command(subcommand)]
        cmd: ResponsesCmd,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Questionnaires: check a YAML questionnaire, convert between it and XLSForm.
    Survey {
        #[command(subcommand)]
        cmd: SurveyCmd,
    },
    /// Criteria fed by data: upload a leaf's value table, recompute a period's fed leaves.
    Feed {
        #[command(subcommand)]
        cmd: FeedCmd,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum FeedCmd {
    /// Upload a `feed: imported` leaf's values from an XLSX or CSV file (the template of the
    /// leaf's data page): all or nothing, refused rows listed.
    Import {
        /// The period's code.
        #[arg(long)]
        period: String,
        /// The leaf's code, e.g. 3.3.1.
        #[arg(long)]
        leaf: String,
        file: PathBuf,
        /// Check the file and say what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write every fed leaf of a period into its assessments that are not approved.
    Recompute {
        #[arg(long)]
        period: String,
    },
    /// Import one-stop statistics (the one-stop system's export, XLSX or CSV): the months the
    /// file covers are replaced, every criterion fed by them recomputed; all or nothing.
    Onestop {
        file: PathBuf,
        /// The saved column mapping of the file's source (default: the template's headers).
        #[arg(long, default_value = "")]
        source: String,
        /// The month of every row, for a file without a month column (2026-03).
        #[arg(long)]
        month: Option<String>,
        /// Check the file and say what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum SurveyCmd {
    /// Read an XLSForm workbook (.xlsx/.xls): print every diagnostic (errors, what is not
    /// imported, warnings) and, unless refused, the questionnaire as YAML (to --output or stdout).
    /// Exit status 2 when refused.
    ImportXlsform {
        file: PathBuf,
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Write a YAML questionnaire as an XLSForm workbook for ODK Collect / KoboToolbox.
    ExportXlsform {
        file: PathBuf,
        #[arg(long)]
        output: PathBuf,
    },
    /// Check a YAML questionnaire; every problem is printed. Exit status 2 when it has problems.
    Validate { file: PathBuf },
}

#[derive(Subcommand)]
enum SipasCmd {
    /// Compute the SIPAS indices straight from a responses CSV (header with `unit_code` and
    /// `q01`…`q30`, answers 1–5 or empty): per unit and element n, share satisfied (%) and mean;
    /// per unit the SIPAS index; the province's. Output: `unit_code,element,n,share_top2,mean`.
    Compute {
        /// Responses file (CSV, UTF-8).
        responses: PathBuf,
        /// Where to write the result (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Threads to read with (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create a user. The password is read from stdin when piped, otherwise generated and printed.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        /// admin, secretariat, appraiser, council, unit_officer, unit_leader, viewer
        #[arg(long)]
        role: String,
        /// Code of the user's unit (required for unit_officer and unit_leader).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    /// List users.
    List,
    /// Disable a user and end their sessions.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled user.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// Set a new password (from stdin when piped, otherwise generated and printed); ends all sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Create an API token for a user; it is printed once.
    Create {
        #[arg(long)]
        username: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days until it expires (default: valid until revoked).
        #[arg(long)]
        days: Option<u32>,
    },
    /// List API tokens (of one user, or of everyone): id, user, name, dates, state. Never secrets.
    List {
        #[arg(long)]
        username: Option<String>,
    },
    /// Revoke an API token by its id (from `token list`).
    Revoke { id: i64 },
}

#[derive(Subcommand)]
pub enum FrameworkCmd {
    /// Check a framework file (YAML or XLSX); lists every problem with its node code, and the line
    /// (YAML) or sheet, row and column (XLSX).
    Validate { file: PathBuf },
    /// Import a framework file into the database (a draft of the same code is replaced;
    /// a published one never is). All or nothing.
    Import { file: PathBuf },
    /// Write a framework from the database as YAML, XLSX (one row per node) or JSON; each reads
    /// back equal with `framework import`.
    Export {
        code: String,
        /// yaml (default), xlsx or json
        #[arg(long, default_value = "yaml", value_parser = ["yaml", "xlsx", "json"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// List the frameworks in the database.
    List,
    /// Publish a draft: from then on it is immutable.
    Publish { code: String },
    /// Archive a published framework.
    Archive { code: String },
    /// Copy a framework into a new draft under a new code.
    NewVersion {
        code: String,
        #[arg(long)]
        new_code: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Compute one unit's points per node, total, applicable maximum and index from an inputs file.
    Score {
        file: PathBuf,
        #[arg(long)]
        inputs: PathBuf,
        /// text (default) or json
        #[arg(long, default_value = "text")]
        format: String,
        /// Language of the text output and explanations: vi or en.
        #[arg(long, default_value = "vi")]
        lang: String,
    },
}

#[derive(Subcommand)]
enum ResponsesCmd {
    /// Import collected responses (CSV or XLSX; paper keyed in, ODK Central or KoboToolbox
    /// export) into a survey: every row checked, all or nothing; bad rows listed (exit 2).
    Import {
        /// The survey's code.
        #[arg(long)]
        survey: String,
        file: PathBuf,
        /// paper, odk, kobo or import (rows may name their own channel).
        #[arg(long, default_value = "import")]
        channel: String,
    },
    /// Write a survey's raw responses as CSV (the layout `import` and `sipas compute` read) or
    /// XLSX, with a progress bar on stderr.
    Export {
        #[arg(long)]
        survey: String,
        /// Output file; `.xlsx` writes a workbook, anything else CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Rebuild a survey's counts from its raw responses (one pass, one transaction).
    Recount {
        #[arg(long)]
        survey: String,
    },
}

#[derive(Subcommand)]
enum BenchCmd {
    /// Every importer over the crafted hostile workbooks (issue #15): each must refuse, and the
    /// peak memory of each import is printed (target: under 256 MB). `--write DIR` also saves
    /// the files (the fuzz targets' seeds).
    HostileFiles {
        #[arg(long)]
        write: Option<PathBuf>,
    },
    /// Time the results page and the analysis page (issue #16; targets: under 50 ms and under
    /// 100 ms) on the demo province and on a synthetic province of `units` × `leaves`.
    Results {
        #[arg(long, default_value_t = 200)]
        units: usize,
        #[arg(long, default_value_t = 150)]
        leaves: usize,
        #[arg(long, default_value_t = 20)]
        reps: usize,
    },
    /// Time fed leaves (issue #18): upload every fed leaf's value table for every unit, then
    /// recompute every fed leaf of the period.
    Feeds {
        #[arg(long, default_value_t = 150)]
        units: usize,
        #[arg(long, default_value_t = 150)]
        leaves: usize,
        #[arg(long, default_value_t = 30)]
        fed: usize,
        #[arg(long, default_value_t = 3)]
        reps: usize,
        /// Procedure fields per unit and month in the one-stop register's part.
        #[arg(long, default_value_t = 30)]
        fields: usize,
    },
    /// Time the server side of a unit's self-assessment page (target: 150 leaves, 100 evidence
    /// files, 150 units in the period, under 100 ms).
    AssessmentPage {
        #[arg(long, default_value_t = 150)]
        leaves: usize,
        #[arg(long, default_value_t = 150)]
        units: usize,
        #[arg(long, default_value_t = 100)]
        files: usize,
        #[arg(long, default_value_t = 30)]
        reps: usize,
    },
    /// Time `sipas compute` on a responses file (target: 1,000,000 responses in 0.5 s); make
    /// the file with `python3 shared/bench/gen_sipas.py --rows 1000000 --out sipas_1m.csv`.
    SipasCompute {
        responses: PathBuf,
        #[arg(long, default_value_t = 10)]
        reps: usize,
    },
    /// Responses per second over HTTP along the citizen's path (GET the public form, POST the
    /// answers), each durable before it is acknowledged (target: ≥ 2,000/s).
    SurveyIngest {
        #[arg(long, default_value_t = 20_000)]
        responses: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// An empty PostgreSQL database to run on instead of a fresh SQLite file.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Survey data at scale on a responses file of `shared/bench` (150 units): import into the
    /// database (target: 1,000,000 in under 10 s), indices (under 1 s), full recount, results
    /// page (under 50 ms), export, and a check that the indices from the export equal those shown.
    Surveys {
        responses: PathBuf,
        /// An empty PostgreSQL database to run on instead of a fresh SQLite file.
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 10)]
        reps: usize,
    },
    /// Streaming exports of raw survey responses (issue #7): import a responses file of
    /// `shared/bench`, then export them as CSV and XLSX to files and print time and peak memory
    /// of each (targets for 1,000,000 × 30 answers: CSV under 3 s, XLSX under 30 s, peak under
    /// 200 MB).
    Exports {
        responses: PathBuf,
        /// An empty PostgreSQL database to run on instead of a fresh SQLite file.
        #[arg(long)]
        database_url: Option<String>,
        /// Write each export this many times (one import): every run is printed.
        #[arg(long, default_value_t = 1)]
        reps: usize,
        /// The CSV export only (no XLSX).
        #[arg(long)]
        csv_only: bool,
    },
    /// Time the robustness of ranks: Monte Carlo over domain weights (±spread) with a bootstrap of
    /// survey answers (target: 10,000 replications for 150 units × 150 leaves under 2 s).
    Robustness {
        #[arg(long, default_value_t = 150)]
        units: usize,
        #[arg(long, default_value_t = 150)]
        leaves: usize,
        #[arg(long, default_value_t = 10_000)]
        replications: usize,
        /// Domain weights vary within ± this share (0.1 = ±10 %).
        #[arg(long, default_value_t = 0.1)]
        spread: f64,
        #[arg(long, default_value_t = 5)]
        reps: usize,
    },
    /// Time the computation of results for many units (target: 200 units × 150 leaves under 10 ms).
    Scoring {
        #[arg(long, default_value_t = 200)]
        units: usize,
        #[arg(long, default_value_t = 150)]
        leaves: usize,
        #[arg(long, default_value_t = 30)]
        reps: usize,
    },
}

#[derive(Subcommand)]
enum UnitCmd {
    /// Import units from an XLSX or CSV file (all or nothing; errors listed per row).
    Import { file: PathBuf },
}

async fn open_store(config: Option<&PathBuf>, db: &DbArgs, default_dir: PathBuf) -> anyhow::Result<(Store, FileConfig, PathBuf)> {
    let dir = db.data_dir.clone().unwrap_or(default_dir);
    let file = FileConfig::load(config.map(|p| p.as_path()), &dir)?;
    let url = database_url(db.database_url.clone(), &file, &dir)?;
    let store = Store::connect(&url).await.with_context(|| format!("cannot open the database {}", redact(&url)))?;
    store.migrate().await.context("migrating the database")?;
    Ok((store, file, dir))
}

/// A password from stdin when piped, otherwise a generated one (returned to print).
fn password_from_stdin_or_generate() -> anyhow::Result<(String, bool)> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok((generate_password(), true));
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let p = line.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        return Ok((generate_password(), true));
    }
    Ok((p, false))
}

fn store_err(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(f) => anyhow::anyhow!(f.iter().map(|x| x.message.to_string()).collect::<Vec<_>>().join("; ")),
        StoreError::Conflict(m) | StoreError::Unsupported(m) => anyhow::anyhow!("{m}"),
        StoreError::InvalidFramework(p) => {
            anyhow::anyhow!(p.iter().map(|x| format!("[{}] {}", x.code, x.message)).collect::<Vec<_>>().join("; "))
        }
        StoreError::NotFound => anyhow::anyhow!("không tìm thấy (not found)"),
        e => anyhow::anyhow!(e),
    }
}

async fn serve(cli_config: Option<&PathBuf>, args: ServeArgs, demo: bool) -> anyhow::Result<()> {
    let default_dir = if demo { PathBuf::from("parindex-demo") } else { default_data_dir() };
    let (store, file, dir) = open_store(cli_config, &args.db, default_dir).await?;
    let bind = args.bind.or(file.bind.clone()).unwrap_or_else(|| "127.0.0.1:8080".into());
    // the port first: a taken port is said at once, not after seeding the demo (#15)
    let listener = tokio::net::TcpListener::bind(&bind).await.with_context(|| {
        format!("không mở được cổng {bind} (có thể đang có chương trình khác dùng; chọn cổng khác bằng --bind) / cannot listen on {bind} (is another program using it? choose another with --bind)")
    })?;
    if demo {
        println!("Đang chuẩn bị tỉnh mẫu (lần đầu mất khoảng 20 giây)… / preparing the demo province (about 20 s the first time)…");
        // seeded through a connection without an fsync per commit (thousands of small ones)
        let url = database_url(args.db.database_url.clone(), &file, &dir)?;
        let bulk = Store::connect_bulk(&url).await.with_context(|| format!("cannot open the database {}", redact(&url)))?;
        parindex_demo::seed(&bulk).await.map_err(|e| match e.downcast_ref::<parindex_store::StoreError>() {
            // the refusal's fields and messages, not only "invalid input"
            Some(store) => anyhow::anyhow!("seeding the demo province: {store:?}"),
            None => anyhow::anyhow!("seeding the demo province: {e:?}"),
        })?;
        bulk.db.clone().close().await.ok();
        // the files the demo's records cite (a signed report), under their hashes
        let blobs = parindex_store::blobs::Blobs::new(dir.join("files"));
        for (sha, bytes) in parindex_demo::files() {
            if let Some(path) = blobs.path(&sha) {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
                }
                std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
    }
    let public_url = args.public_url.or(file.public_url.clone());
    let config = WebConfig {
        cookie_secure: public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
        public_origin: public_url.clone().map(|u| u.trim_end_matches('/').to_string()),
        trust_proxy: args.trust_proxy || file.trust_proxy.unwrap_or(false),
        max_upload_bytes: file.max_upload_mb.unwrap_or(20) * 1024 * 1024,
        demo_banner: demo,
        files_dir: dir.join("files"),
        export_keep_days: file.export_keep_days.unwrap_or(7).max(1),
        metrics_token: std::env::var("PARINDEX_METRICS_TOKEN").ok().or(file.metrics_token.clone()).filter(|t| !t.is_empty()),
        metrics_allow: match &file.metrics_allow {
            Some(list) => list
                .iter()
                .map(|a| a.parse().with_context(|| format!("metrics_allow: “{a}” is not an IP address")))
                .collect::<anyhow::Result<Vec<std::net::IpAddr>>>()?,
            None => WebConfig::default().metrics_allow,
        },
        ..WebConfig::default()
    };
    if let Some(rows) = file.import_max_rows {
        parindex_reports::workbook::set_max_rows(rows);
    }
    let addr = listener.local_addr()?;
    let url = public_url.unwrap_or_else(|| format!("http://{addr}"));
    println!("Dữ liệu / data: {}", dir.display());
    if demo {
        println!("\nTài khoản mẫu / demo logins (mật khẩu / password: {}):", parindex_demo::DEMO_PASSWORD);
        for (user, what) in parindex_demo::DEMO_LOGINS {
            println!("  {user:<22} {what}");
        }
        println!();
    }
    println!("parindex đang chạy tại / is running at: {url}");
    println!("Dừng bằng Ctrl+C / stop with Ctrl+C");
    let _ = std::io::stdout().flush();
    // e-mail for inbox notices, when an SMTP relay is configured: every minute
    if let Some(smtp) = file.smtp.clone() {
        let (mail_store, base) = (store.clone(), Some(url.clone()));
        let smtp = parindex_web::app::mail::Smtp { host: smtp.host, port: smtp.port, from: smtp.from };
        tokio::spawn(async move {
            loop {
                if let Err(e) = parindex_web::app::mail::deliver(&mail_store, &smtp, base.as_deref()).await {
                    tracing::warn!("e-mail: {e}");
                }
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            }
        });
    }
    // deadline reminders: every hour, at most one per unit and day
    let reminder_store = store.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = reminder_store.send_reminders(parindex_core::assessment::today_vn(), 3).await {
                tracing::warn!("reminders: {e}");
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
    // files of background exports past their keeping time: removed every hour
    let (sweep_store, sweep_dir, keep) = (store.clone(), config.files_dir.clone(), config.export_keep_days);
    tokio::spawn(async move {
        loop {
            match parindex_web::app::exports::sweep(&sweep_store, &sweep_dir, keep).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("{n} background export file(s) older than {keep} days removed"),
                Err(e) => tracing::warn!("background exports: {e}"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
    // exports that were running when the process stopped will not finish: say so
    match store.fail_interrupted_jobs().await {
        Ok(0) => {}
        Ok(n) => tracing::warn!("{n} background export(s) cut by the restart marked failed"),
        Err(e) => tracing::warn!("background exports: {e}"),
    }
    parindex_web::serve(listener, AppState::new(store, config)).await?;
    Ok(())
}

impl Cli {
    /// Benchmarks print their figures, not an access log.
    pub fn is_bench(&self) -> bool {
        matches!(self.command, Command::Bench { .. })
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let cfg = cli.config.as_ref();
    match cli.command {
        Command::Serve(args) => serve(cfg, args, false).await?,
        Command::Demo { serve: args } => serve(cfg, args, true).await?,
        Command::Migrate(db) => {
            let (store, _, _) = open_store(cfg, &db, default_data_dir()).await?;
            for m in store.applied_migrations().await? {
                println!("applied {m}");
            }
        }
        Command::Remind(db) => {
            let (store, _, _) = open_store(cfg, &db, default_data_dir()).await?;
            let n = store.send_reminders(parindex_core::assessment::today_vn(), 3).await.map_err(store_err)?;
            println!("{n} nhắc hạn / reminders sent");
        }
        Command::User { cmd, db } => {
            let (store, _, _) = open_store(cfg, &db, default_data_dir()).await?;
            let ctx = AuditCtx::system("cli");
            match cmd {
                UserCmd::Create { username, full_name, role, unit, email } => {
                    let Some(role) = Role::parse(&role) else {
                        bail!(
                            "vai trò không hợp lệ / unknown role “{role}”: admin, secretariat, appraiser, council, unit_officer, unit_leader, viewer"
                        );
                    };
                    let unit_id = match unit {
                        Some(code) => Some(
                            store
                                .unit_id_by_code(&code)
                                .await?
                                .with_context(|| format!("không có đơn vị mã / no unit with code “{code}”"))?,
                        ),
                        None => None,
                    };
                    let (password, generated) = password_from_stdin_or_generate()?;
                    let u = store
                        .create_user(&ctx, NewUser { username, full_name, email, phone: None, role, unit_id, password: password.clone() })
                        .await
                        .map_err(store_err)?;
                    println!("created user {} ({})", u.username, u.role);
                    if generated {
                        println!("password: {password}");
                    }
                }
                UserCmd::List => {
                    println!("{:<24} {:<14} {:<10} {:<9} full name", "username", "role", "unit", "state");
                    for u in store.list_users().await? {
                        let state = if u.disabled { "disabled" } else { "active" };
                        println!("{:<24} {:<14} {:<10} {:<9} {}", u.username, u.role, u.unit_code.unwrap_or_default(), state, u.full_name);
                    }
                }
                UserCmd::Disable { username } => {
                    store.set_user_disabled(&ctx, &username, true).await.map_err(store_err)?;
                    println!("disabled {username}");
                }
                UserCmd::Enable { username } => {
                    store.set_user_disabled(&ctx, &username, false).await.map_err(store_err)?;
                    println!("enabled {username}");
                }
                UserCmd::ResetPassword { username } => {
                    let (password, generated) = password_from_stdin_or_generate()?;
                    store.set_password(&ctx, &username, &password).await.map_err(store_err)?;
                    println!("password changed for {username}");
                    if generated {
                        println!("password: {password}");
                    }
                }
            }
        }
        Command::Token { cmd, db } => {
            let (store, _, _) = open_store(cfg, &db, default_data_dir()).await?;
            let ctx = AuditCtx::system("cli");
            match cmd {
                TokenCmd::Create { username, name, days } => {
                    let expires = days.filter(|d| *d > 0).map(|d| chrono::Utc::now() + chrono::Duration::days(d as i64));
                    let token = store.create_token_until(&ctx, &username, &name, expires).await.map_err(store_err)?;
                    println!("{token}");
                    eprintln!("(shown once; use it as: Authorization: Bearer <token>)");
                }
                TokenCmd::List { username } => {
                    let user = match username {
                        Some(u) => Some(store.get_user_by_name(&u).await.map_err(store_err)?.id),
                        None => None,
                    };
                    let now = chrono::Utc::now();
                    println!("id\tuser\tname\tcreated\tlast_used\texpires\tstate");
                    let date = |d: Option<chrono::DateTime<chrono::Utc>>| {
                        d.map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "-".into())
                    };
                    for t in store.list_tokens(user).await.map_err(store_err)? {
                        let state = if t.revoked_at.is_some() {
                            "revoked"
                        } else if t.expires_at.is_some_and(|e| e <= now) {
                            "expired"
                        } else {
                            "active"
                        };
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{state}",
                            t.id,
                            t.username,
                            t.name,
                            date(Some(t.created_at)),
                            date(t.last_used_at),
                            date(t.expires_at)
                        );
                    }
                }
                TokenCmd::Revoke { id } => {
                    let t = store.revoke_token(&ctx, id, None).await.map_err(store_err)?;
                    println!("revoked token {} ({}) of {}", t.id, t.name, t.username);
                }
            }
        }
        Command::Backup { file, db } => {
            let (store, _, _) = open_store(cfg, &db, default_data_dir()).await?;
            store.backup_to(&file).await.map_err(store_err)?;
            println!("backup written to {}", file.display());
        }
        Command::Framework { cmd, db } => {
            if matches!(cmd, FrameworkCmd::Validate { .. } | FrameworkCmd::Score { .. }) {
                return crate::framework_cmd::run(cmd);
            }
            let (store, _, _) = open_store(cfg, &db, default_data_dir()).await?;
            return crate::framework_cmd::run_db(&store, cmd).await;
        }
        Command::Bench { cmd: BenchCmd::Scoring { units, leaves, reps } } => crate::bench::scoring(units, leaves, reps.max(1)),
        Command::Bench { cmd: BenchCmd::Robustness { units, leaves, replications, spread, reps } } => {
            crate::bench::robustness(units, leaves, replications, spread, reps.max(1))
        }
        Command::Bench { cmd: BenchCmd::SipasCompute { responses, reps } } => crate::bench::sipas_compute(&responses, reps.max(1))?,
        Command::Bench { cmd: BenchCmd::SurveyIngest { responses, concurrency, database_url } } => {
            crate::bench::survey_ingest(responses, concurrency.max(1), database_url).await?
        }
        Command::Sipas { cmd: SipasCmd::Compute { responses, out, threads } } => return sipas_compute(&responses, out.as_deref(), threads),
        Command::Bench { cmd: BenchCmd::Exports { responses, database_url, reps, csv_only } } => {
            crate::bench::exports(&responses, database_url, reps.max(1), csv_only).await?
        }
        Command::Bench { cmd: BenchCmd::Surveys { responses, database_url, reps } } => {
            crate::bench::surveys(&responses, database_url, reps.max(1)).await?
        }
        Command::Survey { cmd } => return survey_cmd(cmd),
        Command::Responses { cmd, db } => {
            let (store, _, _) = open_store(cfg, &db, default_data_dir()).await?;
            return responses_cmd(&store, cmd).await;
        }
        Command::Bench { cmd: BenchCmd::Results { units, leaves, reps } } => crate::bench::results(units, leaves, reps.max(1)).await?,
        Command::Bench { cmd: BenchCmd::Feeds { units, leaves, fed, reps, fields } } => {
            crate::bench::feeds(units, leaves, fed, reps.max(1), fields.max(1)).await?
        }
        Command::Bench { cmd: BenchCmd::HostileFiles { write } } => crate::bench::hostile_files(write.as_deref())?,
        Command::Bench { cmd: BenchCmd::AssessmentPage { leaves, units, files, reps } } => {
            crate::bench::assessment_page(leaves, units, files, reps.max(1)).await?
        }
        Command::Feed { cmd, db } => {
            let (store, _, _) = open_store(cfg, &db, default_data_dir()).await?;
            return feed_cmd(&store, cmd).await;
        }
        Command::Unit { cmd: UnitCmd::Import { file }, db } => {
            let (store, _, _) = open_store(cfg, &db, default_data_dir()).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let rows = match parindex_reports::units::parse_units(&name, &bytes) {
                Ok(r) => r,
                Err(errors) => return Ok(report_rows(&name, &errors)),
            };
            // Slows each written row down, to let tests interrupt an import half-way.
            let throttle = std::env::var("PARINDEX_IMPORT_THROTTLE_MS").ok().and_then(|v| v.parse::<u64>().ok());
            let mut progress = |done: usize, total: usize| {
                eprintln!("imported {done}/{total}");
                if let Some(ms) = throttle {
                    std::thread::sleep(std::time::Duration::from_millis(ms));
                }
            };
            match store.import_units(&AuditCtx::system("cli:unit-import"), &name, rows, &mut progress).await {
                Ok(o) => println!(
                    "{name}: {} created, {} updated, {} unchanged, {} lineage links",
                    o.created, o.updated, o.unchanged, o.lineage_links
                ),
                Err(ImportError::Rows(errors)) => return Ok(report_rows(&name, &errors)),
                Err(ImportError::Store(e)) => return Err(store_err(e)),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn period_by_code(store: &Store, code: &str) -> anyhow::Result<parindex_store::repo::periods::PeriodRow> {
    store
        .list_periods()
        .await
        .map_err(store_err)?
        .into_iter()
        .find(|p| p.code == code)
        .ok_or_else(|| anyhow::anyhow!("không có kỳ đánh giá mã {code} / no period with code {code}"))
}

/// `parindex feed …`: the same reading and the same store calls as the leaf's data page.
async fn feed_cmd(store: &Store, cmd: FeedCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        FeedCmd::Import { period, leaf, file, dry_run } => {
            let p = period_by_code(store, &period).await?;
            let fl = store
                .period_feeds(p.id)
                .await
                .map_err(store_err)?
                .into_iter()
                .find(|l| l.code == leaf && l.feed == parindex_core::framework::Feed::Imported.key())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "kỳ {period} không có tiêu chí {leaf} lấy số liệu tải lên / period {period} has no imported-data leaf {leaf}"
                    )
                })?;
            let fw = store.period_framework(p.id).await.map_err(store_err)?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let rows = match parindex_web::app::feeds::read_file(&fw, &fl, &name, &bytes) {
                Ok(r) => r,
                Err(parindex_web::error::AppError::ImportRows(errors)) => return Ok(report_rows(&name, &errors)),
                Err(e) => anyhow::bail!("{e:?}"),
            };
            let ctx = AuditCtx::system("cli:feed-import");
            let upload = parindex_store::repo::feeds::FeedUpload { origin: "cli", file_name: Some(name.clone()), rows, dry_run };
            match store.import_feed_values(&ctx, p.id, &leaf, upload).await {
                Ok(o) => println!(
                    "{name}: {} mới / added, {} đổi / changed, {} xoá / cleared, {} giữ nguyên / unchanged{}",
                    o.added,
                    o.changed,
                    o.cleared,
                    o.unchanged,
                    if dry_run {
                        " — chưa ghi (--dry-run) / nothing written".to_string()
                    } else {
                        format!(" — lần tải #{} / upload #{}", o.import_id, o.import_id)
                    }
                ),
                Err(ImportError::Rows(errors)) => return Ok(report_rows(&name, &errors)),
                Err(ImportError::Store(e)) => return Err(store_err(e)),
            }
        }
        FeedCmd::Onestop { file, source, month, dry_run } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let ctx = AuditCtx::system("cli:onestop-import");
            let read = (name.as_str(), bytes.as_slice());
            match parindex_web::app::onestop::import_file(store, &ctx, "cli", read, &source, month.as_deref(), dry_run).await {
                Ok((_, o)) => println!(
                    "{name}: {} — {} mới / added, {} đổi / changed, {} xoá / removed, {} giữ nguyên / unchanged{}",
                    o.months.join(", "),
                    o.added,
                    o.changed,
                    o.removed,
                    o.unchanged,
                    if dry_run {
                        " — chưa ghi (--dry-run) / nothing written".to_string()
                    } else {
                        format!(
                            " — lần nhập #{} / import #{}; {} tiêu chí tính lại / leaves rewritten",
                            o.import_id, o.import_id, o.leaves_written
                        )
                    }
                ),
                Err(ImportError::Rows(errors)) => return Ok(report_rows(&name, &errors)),
                Err(ImportError::Store(e)) => return Err(store_err(e)),
            }
        }
        FeedCmd::Recompute { period } => {
            let p = period_by_code(store, &period).await?;
            let n = store.recompute_feeds(&AuditCtx::system("cli:feed-recompute"), p.id).await.map_err(store_err)?;
            println!("{period}: {n} tiêu chí được ghi lại / leaves rewritten");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report_rows(name: &str, errors: &[parindex_core::unit::RowError]) -> ExitCode {
    eprintln!("{name}: {} lỗi, không ghi dữ liệu nào / {} problem(s), nothing written", errors.len(), errors.len());
    for e in errors {
        let row = if e.row == 0 { "-".to_string() } else { e.row.to_string() };
        eprintln!("  {name}:{row} [{}] {} / {}", e.field, e.message.vi, e.message.en);
    }
    ExitCode::from(2)
}

/// `parindex sipas compute`: read, tally on every core, write; a refused file names the line
/// and the column and exits with status 2.
fn sipas_compute(responses: &std::path::Path, out: Option<&std::path::Path>, threads: Option<usize>) -> anyhow::Result<ExitCode> {
    let data = std::fs::read(responses).with_context(|| format!("reading {}", responses.display()))?;
    let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let tallies = match parindex_core::sipas::tally_csv(&data, threads) {
        Ok(t) => t,
        Err(p) => {
            eprintln!("{}: {p}", responses.display());
            return Ok(ExitCode::from(2));
        }
    };
    let csv = parindex_core::sipas::to_csv(&parindex_core::sipas::indices(&tallies));
    match out {
        Some(path) => std::fs::write(path, csv).with_context(|| format!("writing {}", path.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(csv.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `parindex survey …`: questionnaires as files.
fn survey_cmd(cmd: SurveyCmd) -> anyhow::Result<ExitCode> {
    use parindex_reports::{survey, xlsform};
    let name = |p: &std::path::Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match cmd {
        SurveyCmd::ImportXlsform { file, output } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let import = xlsform::import_xlsform(&name(&file), &bytes);
            for d in &import.diags {
                let level = match d.level {
                    xlsform::Level::Error => "LỖI / ERROR",
                    xlsform::Level::Unsupported => "KHÔNG NHẬP / NOT IMPORTED",
                    xlsform::Level::Warning => "LƯU Ý / WARNING",
                };
                eprintln!("{}: {level}: {d}", file.display());
            }
            let Some(q) = import.questionnaire else { return Ok(ExitCode::from(2)) };
            let yaml = survey::to_yaml(&q);
            match output {
                Some(p) => std::fs::write(&p, yaml).with_context(|| format!("writing {}", p.display()))?,
                None => print!("{yaml}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        SurveyCmd::ExportXlsform { file, output } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let q = match survey::parse_questionnaire(&name(&file), &text) {
                Ok(q) => q,
                Err(problems) => {
                    for p in problems {
                        eprintln!("{}: {p}", file.display());
                    }
                    return Ok(ExitCode::from(2));
                }
            };
            std::fs::write(&output, xlsform::export_xlsform(&q)?).with_context(|| format!("writing {}", output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        SurveyCmd::Validate { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            match survey::parse_questionnaire(&name(&file), &text) {
                Ok(q) => {
                    println!("{}: hợp lệ / valid — {} câu hỏi / questions", file.display(), q.questions().count());
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => {
                    for p in problems {
                        eprintln!("{}: {p}", file.display());
                    }
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

/// Draw `[#####-----]  45 %  450000/1000000` on stderr: redrawn in place on a terminal, one
/// line per tenth otherwise (logs stay readable).
fn draw_bar(done: u64, total: u64, last: bool) {
    use std::io::{IsTerminal, Write};
    let pct = (done * 100).checked_div(total).unwrap_or(100);
    let filled = (pct / 5) as usize;
    let line = format!("[{}{}] {pct:>3} %  {done}/{total}", "#".repeat(filled), "-".repeat(20 - filled.min(20)));
    let mut err = std::io::stderr();
    if err.is_terminal() {
        let _ = write!(err, "\r{line}{}", if last { "\n" } else { "" });
    } else {
        let _ = writeln!(err, "{line}");
    }
    let _ = err.flush();
}

/// Redraw the bar every half second (every tenth when stderr is not a terminal).
async fn progress_bar(progress: parindex_web::app::survey_data::Progress, total: u64) {
    use std::io::IsTerminal;
    let tty = std::io::stderr().is_terminal();
    let mut shown = u64::MAX;
    loop {
        let done = progress.load(std::sync::atomic::Ordering::Relaxed);
        let tenth = (done * 10).checked_div(total).unwrap_or(0);
        if tty || tenth != shown {
            draw_bar(done, total.max(done), false);
            shown = tenth;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

async fn responses_cmd(store: &Store, cmd: ResponsesCmd) -> anyhow::Result<ExitCode> {
    use parindex_web::app::survey_data::{ImportFailure, import_responses, recount};
    let code = match &cmd {
        ResponsesCmd::Import { survey, .. } | ResponsesCmd::Export { survey, .. } | ResponsesCmd::Recount { survey } => survey.clone(),
    };
    let Some(run) = store.list_surveys().await.map_err(store_err)?.into_iter().find(|s| s.code == code) else {
        eprintln!("no survey with the code “{code}”");
        return Ok(ExitCode::from(2));
    };
    match cmd {
        ResponsesCmd::Import { file, channel, .. } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let ctx = AuditCtx::system("cli:responses-import");
            match import_responses(store, &ctx, run.id, &name, std::sync::Arc::new(bytes), &channel).await {
                Ok(done) => {
                    println!("{name}: {} responses imported into {code}", done.responses);
                    for (what, cols) in [
                        ("not in the questionnaire, ignored", &done.unknown),
                        ("technical, ignored", &done.ignored),
                        ("questions without a column", &done.absent),
                    ] {
                        if !cols.is_empty() {
                            println!("  {what}: {}", cols.join(", "));
                        }
                    }
                }
                Err(ImportFailure::File(m)) => {
                    eprintln!("{name}: {}", m.en);
                    return Ok(ExitCode::from(2));
                }
                Err(ImportFailure::Rows { problems, bad_rows }) => {
                    for p in &problems {
                        eprintln!("{name}, row {}, column {}: {}", p.row, p.column, p.en);
                    }
                    eprintln!("{name}: {bad_rows} rows with errors; nothing imported");
                    return Ok(ExitCode::from(2));
                }
                Err(ImportFailure::Store(e)) => return Err(store_err(e)),
            }
        }
        ResponsesCmd::Export { out, .. } => {
            use parindex_web::app::survey_data::{Progress, write_responses_csv_with, write_responses_xlsx_with};
            let total = store.response_id_range(run.id).await.map_err(store_err)?.map(|r| r.2).unwrap_or(0);
            let progress = Progress::default();
            let bar = tokio::spawn(progress_bar(progress.clone(), total));
            let xlsx = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
            let n = if xlsx {
                write_responses_xlsx_with(store, run.id, &out, progress.clone()).await
            } else {
                let mut f = tokio::io::BufWriter::new(tokio::fs::File::create(&out).await?);
                write_responses_csv_with(store, run.id, &mut f, &progress).await
            };
            bar.abort();
            let n = n.map_err(store_err)?;
            draw_bar(n, total.max(n), true);
            println!("{n} responses written to {}", out.display());
        }
        ResponsesCmd::Recount { .. } => {
            let n = recount(store, &AuditCtx::system("cli:responses-recount"), run.id).await.map_err(store_err)?;
            println!("{code}: counts rebuilt from {n} responses");
        }
    }
    Ok(ExitCode::SUCCESS)
}
