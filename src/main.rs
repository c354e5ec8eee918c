//! `motcua`: the one binary. With no subcommand it serves, so that
//! `cargo run --release` starts the server.

mod bench;
mod config;

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use motcua_app::agencies::NewAgency;
use motcua_app::catalogue::CatalogueFormat;
use motcua_app::users::NewUser;
use motcua_app::{App, Principal};
use motcua_store::Db;

use config::{Config, LogFormat};

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Một cửa điện tử — electronic one-stop shop for communes and wards"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the API (the default).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage agencies.
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Export or import the procedure catalogue (JSON or Excel).
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// Import or export dossiers as JSON lines (one dossier a line).
    Dossier {
        #[command(subcommand)]
        command: DossierCommand,
    },
    /// Civil-status registers (hộ tịch).
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// Check the integrity of the records.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Measure the figures recorded in docs/benchmarks.md.
    Bench(bench::BenchArgs),
}

#[derive(Subcommand)]
enum DossierCommand {
    /// Import FILE.jsonl: each line checked, good lines imported in batches, every
    /// rejected line reported; importing the same file again adds nothing.
    Import { file: std::path::PathBuf },
    /// Write every dossier (or one agency's) as JSON lines to FILE, or to standard
    /// output when FILE is absent.
    Export {
        file: Option<std::path::PathBuf>,
        /// Only this agency's dossiers (identifier code).
        #[arg(long)]
        agency: Option<String>,
    },
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Import a register kept in Excel (.xlsx or .xls): every sheet, the header row
    /// found by itself, text in TCVN3, VNI or Unicode; every row accounted for.
    /// Importing the same file again adds nothing. Exits 1 when a row was rejected.
    Import {
        file: std::path::PathBuf,
        /// The agency whose registers these are (identifier code).
        #[arg(long)]
        agency: String,
        /// birth, death, marriage, recognition, marital_status or guardianship.
        #[arg(long)]
        kind: String,
        /// Check and count everything, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write the report (figures and every rejected row) as JSON here.
        #[arg(long)]
        report: Option<std::path::PathBuf>,
        /// Write the rejected rows here (.xlsx, with a reason column) to fix and
        /// import again.
        #[arg(long)]
        rejected: Option<std::path::PathBuf>,
        /// Correct the column mapping: "Column title=field", the field by its code
        /// (father_name) or its name in the register ("Họ, chữ đệm, tên người cha");
        /// "Column title=" leaves the column out. Repeat for several columns.
        #[arg(long = "map", value_name = "TITLE=FIELD")]
        map: Vec<String>,
    },
    /// Write an agency's registers — entries with book, number and dates, and the
    /// dated notes that changed them — to FILE.xlsx (a sheet per kind and year,
    /// and a sheet of notes) or, for any other path, to CSV files in that
    /// directory. `registry import` reads the workbook back (one kind at a time).
    Export {
        /// FILE.xlsx, or a directory for CSV files.
        target: std::path::PathBuf,
        /// The agency whose registers these are (identifier code).
        #[arg(long)]
        agency: String,
        /// Only this kind (birth, death, marriage, recognition, marital_status, guardianship).
        #[arg(long)]
        kind: Option<String>,
        /// Only the books of this year.
        #[arg(long)]
        year: Option<i64>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every dossier's hash chain of events and report any break (exit 1).
    Verify,
}

#[derive(Subcommand)]
enum AgencyCommand {
    /// Add an agency (a root when --parent is absent).
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// province, district or commune (levels are data; see agency_levels).
        #[arg(long)]
        level: String,
        #[arg(long)]
        parent: Option<String>,
    },
    /// Set how dossiers of a sector are assigned at intake: `sole_specialist` (to
    /// the sector's only specialist, when there is exactly one), `default_assignee`
    /// (to --assignee) or `none` (by hand, the default).
    AutoAssign {
        /// The agency's identifier code.
        #[arg(long)]
        code: String,
        /// The sector's code, e.g. ho-tich.
        #[arg(long)]
        sector: String,
        #[arg(long)]
        rule: String,
        /// A specialist's username, for `default_assignee`.
        #[arg(long)]
        assignee: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password comes from MOTCUA_PASSWORD or standard input, never
    /// from an argument (arguments are visible to every user of the machine).
    Add {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// One or more of counter_officer, specialist, leader, supervisor, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<String>,
        /// Sector codes the user handles (for specialists), e.g. ho-tich.
        #[arg(long, value_delimiter = ',')]
        sector: Vec<String>,
    },
}

#[derive(Subcommand)]
enum CatalogueCommand {
    /// Write the whole catalogue to FILE.json or FILE.xlsx.
    Export { file: std::path::PathBuf },
    /// Read FILE.json or FILE.xlsx: every procedure valid or nothing written; a
    /// changed procedure becomes a new version, an unchanged one is left alone.
    Import { file: std::path::PathBuf },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token; prints only the token on standard output.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "CLI")]
        label: String,
    },
}

/// See the note on `mimalloc` in Cargo.toml: measured in docs/benchmarks.md
/// ("Memory after maximum-size anonymous submissions").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(|k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(line) => {
            eprintln!("motcua: configuration error: {line}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("motcua: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("motcua: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MOTCUA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn open(config: &Config) -> Result<App, String> {
    let db = Db::connect_with(&config.database_url, config.sqlite_synchronous)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("cannot migrate the database: {e}"))?;
    let db = match &config.read_database_url {
        None => db,
        Some(url) => {
            let db = db
                .with_replica(url)
                .await
                .map_err(|e| format!("cannot open the read replica: {e}"))?;
            tracing::info!(replica = %redact(url), "reports read from the replica");
            db
        }
    };
    let app = App::with_settings(
        db,
        motcua_app::Settings {
            public_url: config.public_url.clone(),
            blob_dir: config.data_dir.join("blobs"),
            remind_after_days: config.notify.remind_after_days,
            signing_dir: config.data_dir.join("signing"),
            signer: config.signer.clone(),
        },
    );
    app.seed_reference_data()
        .await
        .map_err(|e| format!("cannot load the reference data: {}", e.message_vi()))?;
    Ok(app)
}

/// Says on standard error each stage a long import reaches, until it is done.
async fn say_progress(progress: std::sync::Arc<motcua_app::registers::ImportProgress>) {
    let mut said = String::new();
    loop {
        let now = progress.describe_vi();
        if now != said {
            eprintln!("{now}");
            said = now;
        }
        if progress.stage() == motcua_app::registers::ImportStage::Done {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

fn person_error(e: motcua_app::Error) -> String {
    e.message_vi()
}

async fn run(command: Command, config: Config) -> Result<(), String> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            open(&config).await?;
            tracing::info!(database = %redact(&config.database_url), "database migrated");
            Ok(())
        }
        Command::Agency {
            command:
                AgencyCommand::AutoAssign {
                    code,
                    sector,
                    rule,
                    assignee,
                },
        } => {
            let app = open(&config).await?;
            let set = app
                .set_auto_assignment(
                    &Principal::System,
                    &code,
                    &sector,
                    &rule,
                    assignee.as_deref(),
                )
                .await
                .map_err(person_error)?;
            match set {
                Some(a) => println!(
                    "{}\t{}\t{}",
                    a.sector,
                    a.rule,
                    a.assignee.unwrap_or_default()
                ),
                None => println!("{sector}\tnone"),
            }
            Ok(())
        }
        Command::Agency {
            command:
                AgencyCommand::Add {
                    code,
                    name,
                    level,
                    parent,
                },
        } => {
            let app = open(&config).await?;
            let a = app
                .create_agency(
                    &Principal::System,
                    NewAgency {
                        code,
                        name,
                        level,
                        parent_code: parent,
                    },
                )
                .await
                .map_err(person_error)?;
            println!("{}\t{}", a.code, a.name);
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    agency,
                    username,
                    name,
                    role,
                    sector,
                },
        } => {
            let password = match std::env::var("MOTCUA_PASSWORD") {
                Ok(p) => p,
                Err(_) => read_password_line()?,
            };
            let app = open(&config).await?;
            let u = app
                .create_user(
                    &Principal::System,
                    &agency,
                    NewUser {
                        username,
                        full_name: name,
                        password,
                        roles: role,
                        sectors: sector,
                    },
                )
                .await
                .map_err(person_error)?;
            println!("{}\t{}\t{}", u.username, u.full_name, u.agency_code);
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Add { username, label },
        } => {
            let app = open(&config).await?;
            let token = app
                .create_token(&Principal::System, &username, &label)
                .await
                .map_err(person_error)?;
            println!("{token}");
            Ok(())
        }
        Command::Registry {
            command:
                RegistryCommand::Import {
                    file,
                    agency,
                    kind,
                    dry_run,
                    report,
                    rejected,
                    map,
                },
        } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let app = open(&config).await?;
            let progress = std::sync::Arc::new(motcua_app::registers::ImportProgress::default());
            let watcher = tokio::spawn(say_progress(progress.clone()));
            let done = app
                .registers()
                .import_file(
                    &Principal::System,
                    &agency,
                    &kind,
                    &name,
                    bytes,
                    &motcua_app::registers::ImportOptions {
                        dry_run,
                        columns: map,
                        progress: Some(progress),
                    },
                )
                .await;
            watcher.abort();
            let done = done.map_err(|e| format!("{}: {}", file.display(), person_error(e)))?;
            for name in &done.skipped_sheets {
                eprintln!("sheet «{name}»: another kind of register, not imported as {kind}");
            }
            for name in &done.without_header {
                eprintln!("sheet «{name}»: no header row found");
            }
            if !done.unmapped.is_empty() {
                eprintln!(
                    "columns not imported (--map \"title=field\" to take one): {}",
                    done.unmapped.join("; ")
                );
            }
            if let (Some(path), Some(xlsx)) = (&rejected, &done.rejected_xlsx) {
                std::fs::write(path, xlsx)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                eprintln!("rejected rows written to {}", path.display());
            }
            let outcome = done.report;
            for r in &outcome.rejected {
                eprintln!("{}, row {}, {}: {}", r.sheet, r.row, r.column, r.reason);
            }
            if let Some(path) = report {
                let json = serde_json::to_vec_pretty(&outcome).map_err(|e| e.to_string())?;
                std::fs::write(&path, json)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            println!(
                "{}rows {}: imported {}, already present {}, blank {}, rejected {}",
                if dry_run {
                    "dry run, nothing written; "
                } else {
                    ""
                },
                outcome.total_rows,
                outcome.imported,
                outcome.duplicates,
                outcome.blank,
                outcome.rejected_rows
            );
            if outcome.notes_total > 0 {
                println!(
                    "notes {}: imported {}, already present {}, rejected {}",
                    outcome.notes_total,
                    outcome.notes_imported,
                    outcome.notes_duplicates,
                    outcome.notes_rejected
                );
            }
            if outcome.rejected_rows == 0 && outcome.notes_rejected == 0 {
                Ok(())
            } else {
                Err(format!(
                    "{} rows, {} notes rejected",
                    outcome.rejected_rows, outcome.notes_rejected
                ))
            }
        }
        Command::Registry {
            command:
                RegistryCommand::Export {
                    target,
                    agency,
                    kind,
                    year,
                },
        } => {
            let app = open(&config).await?;
            let export = app
                .registers()
                .export(&Principal::System, &agency, kind.as_deref(), year)
                .await
                .map_err(person_error)?;
            let written = export.write_to(&target).map_err(person_error)?;
            println!(
                "exported {} entries and {} notes to {} file(s): {}",
                export.entries,
                export.notes,
                written.len(),
                written
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(())
        }
        Command::Dossier { command } => {
            let app = open(&config).await?;
            match command {
                DossierCommand::Import { file } => {
                    let f = std::fs::File::open(&file)
                        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                    let report = app
                        .dossiers()
                        .import(std::io::BufReader::new(f))
                        .await
                        .map_err(person_error)?;
                    for r in &report.rejected {
                        eprintln!("{}:{}: {}", file.display(), r.line, r.reason);
                    }
                    println!(
                        "imported {}, already present {}, rejected {}",
                        report.imported,
                        report.skipped,
                        report.rejected.len()
                    );
                    if report.rejected.is_empty() {
                        Ok(())
                    } else {
                        Err(format!("{} line(s) rejected", report.rejected.len()))
                    }
                }
                DossierCommand::Export { file, agency } => {
                    let n = match &file {
                        Some(path) => {
                            let f = std::fs::File::create(path)
                                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                            let mut w = std::io::BufWriter::new(f);
                            let n = app
                                .dossiers()
                                .export(agency.as_deref(), &mut w)
                                .await
                                .map_err(person_error)?;
                            std::io::Write::flush(&mut w)
                                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                            n
                        }
                        None => {
                            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                            let n = app
                                .dossiers()
                                .export(agency.as_deref(), &mut out)
                                .await
                                .map_err(person_error)?;
                            std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
                            n
                        }
                    };
                    eprintln!("exported {n} dossier(s)");
                    Ok(())
                }
            }
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let app = open(&config).await?;
            let report = app.dossiers().verify().await.map_err(person_error)?;
            for b in &report.breaks {
                println!("BROKEN {} event {}: {}", b.code, b.seq, b.problem);
            }
            for d in &report.drifts {
                println!(
                    "DRIFT {}: the row differs from its events in {}",
                    d.code,
                    d.fields.join(", ")
                );
            }
            for o in &report.orphans {
                println!(
                    "ORPHAN dossier no {}: {} event(s) without their dossier row",
                    o.dossier_no, o.events
                );
            }
            let problems = match (
                report.breaks.len(),
                report.drifts.len(),
                report.orphans.len(),
            ) {
                (0, 0, 0) => None,
                (b, d, 0) => Some(format!(
                    "{b} broken chain(s), {d} dossier row(s) not matching their events"
                )),
                (b, d, o) => Some(format!(
                    "{b} broken chain(s), {d} dossier row(s) not matching their events, \
                     {o} dossier(s) whose row is gone but whose events remain"
                )),
            };
            println!(
                "checked {} dossier(s), {} event(s): {}",
                report.dossiers,
                report.events,
                problems
                    .as_deref()
                    .unwrap_or("every chain intact, every row the fold of its events")
            );
            match problems {
                None => Ok(()),
                Some(p) => Err(p),
            }
        }
        Command::Catalogue { command } => {
            let app = open(&config).await?;
            match command {
                CatalogueCommand::Export { file } => {
                    let format =
                        CatalogueFormat::of_file(&file.to_string_lossy()).map_err(person_error)?;
                    let bytes = app
                        .export_catalogue_as(format)
                        .await
                        .map_err(person_error)?;
                    std::fs::write(&file, bytes)
                        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
                    eprintln!("catalogue written to {}", file.display());
                }
                CatalogueCommand::Import { file } => {
                    let format =
                        CatalogueFormat::of_file(&file.to_string_lossy()).map_err(person_error)?;
                    let bytes = std::fs::read(&file)
                        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                    let report = app
                        .import_catalogue_file(&Principal::System, format, &bytes)
                        .await
                        .map_err(|e| match e {
                            motcua_app::Error::Invalid(errors) => errors
                                .0
                                .iter()
                                .map(|f| f.message.clone())
                                .collect::<Vec<_>>()
                                .join("\n"),
                            other => person_error(other),
                        })?;
                    println!(
                        "thêm mới: {}, cập nhật: {}, không đổi: {}",
                        report.created, report.updated, report.unchanged
                    );
                }
            }
            Ok(())
        }
        Command::Bench(args) => bench::run(args).await,
    }
}

fn read_password_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err("no password: set MOTCUA_PASSWORD or write it on standard input".into());
    }
    Ok(password)
}

/// A database URL without its password, for the log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn serve(config: Config) -> Result<(), String> {
    // Files (scans, generated documents) will live here beside the SQLite file.
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "MOTCUA_DATA_DIR: cannot create {}: {e}",
            config.data_dir.display()
        )
    })?;
    let app = open(&config).await?;
    // A wrong path, password or PIN stops the start, not the first signature.
    {
        let app = app.clone();
        tokio::task::spawn_blocking(move || app.open_configured_signer())
            .await
            .map_err(|e| format!("signer: {e}"))?
            .map_err(|e| format!("MOTCUA_SIGNER_*: {}", e.message_vi()))?;
    }
    if config.demo {
        match app.load_demo_if_empty().await {
            Ok(true) => {
                tracing::info!("empty database: demo data loaded (MOTCUA_DEMO=0 starts empty)");
                for u in motcua_app::demo::USERS {
                    tracing::info!(
                        username = u.username,
                        password = motcua_app::demo::DEMO_PASSWORD,
                        roles = ?u.roles,
                        agency = u.agency,
                        "demo user"
                    );
                }
            }
            Ok(false) => {}
            Err(e) => return Err(format!("cannot load the demo data: {e}")),
        }
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("MOTCUA_LISTEN: cannot listen on {}: {e}", config.listen))?;
    tracing::info!(
        database = %redact(&config.database_url),
        engine = app.db.engine().name(),
        "motcua listening on http://{}",
        config.listen
    );
    // Delivers the outbox (e-mail, SMS; only logged when no transport is set).
    let notifier = app.spawn_notifier(config.notify.clone());
    let web = motcua_web::WebConfig {
        secure_cookies: config.secure_cookies,
        public_url: config.public_url.clone(),
        metrics_token: config.metrics_token.clone(),
        trusted_proxies: config.trusted_proxies.clone(),
    };
    motcua_web::serve(listener, app.clone(), web, shutdown_signal())
        .await
        .map_err(|e| format!("server stopped: {e}"))?;
    notifier.abort();
    app.db.close().await;
    tracing::info!("motcua stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(
            super::redact("sqlite://data/x.sqlite3"),
            "sqlite://data/x.sqlite3"
        );
    }
}
