//! `motcua bench signin`: sign-in under a parallel brute force against one account
//! (issue 9). The real server runs as a child process trusting 127.0.0.1 as its
//! reverse proxy, so that the harness can speak from any address through
//! `X-Forwarded-For`. Three phases against the demo account `lanhdao`:
//!
//! 1. `--clients` attackers from one address send wrong passwords through the
//!    sign-in form, one after another, for `--seconds`;
//! 2. the officer signs in with the right password from another address;
//! 3. the same attackers, each request from a different address.
//!
//! A 401 is an evaluated password (Argon2 ran), a 429 a refusal before it. The
//! count of evaluated wrong passwords is checked against the account's
//! `failed_logins` in the database.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_app::demo::DEMO_PASSWORD;

use super::{prepare, start_server_in, Server};

#[derive(clap::Args)]
pub struct Args {
    /// Concurrent attackers.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Seconds of each attack phase.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Database to measure on (default: a fresh SQLite file in a temp folder).
    #[arg(long)]
    database_url: Option<String>,
}

const ACCOUNT: &str = "lanhdao";

#[derive(Default)]
struct Tally {
    evaluated: AtomicU64,
    refused: AtomicU64,
    other: AtomicU64,
}

pub async fn run(args: Args) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("motcua-bench-signin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = args
        .database_url
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.sqlite3").display()));
    let app = prepare(&url).await?;
    // Start from a clean slate on a reused database.
    sqlx::query("DELETE FROM throttle")
        .execute(app.db.pool())
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query("UPDATE users SET failed_logins = 0, last_failed_at = NULL")
        .execute(app.db.pool())
        .await
        .map_err(|e| e.to_string())?;

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.clients)
        .build()
        .map_err(|e| e.to_string())?;
    let server = start(&exe, &url, &http).await?;
    println!(
        "motcua bench signin — {} on {} cores, {} attackers, {} s per phase, account «{ACCOUNT}»",
        url.split(':').next().unwrap_or("?"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.clients,
        args.seconds
    );
    println!();
    println!("| phase | attempts | attempts/s | evaluated (401) | refused (429) | other | evaluated per minute | failed_logins in the database |");
    println!("|---|---|---|---|---|---|---|---|");
    let duration = Duration::from_secs(args.seconds);

    let one = attack(&http, &server.base, args.clients, duration, false).await?;
    let failed = failed_logins(&app).await?;
    row("one address", &one, duration, failed);
    let officer = sign_in(&http, &server.base, "203.0.113.20", DEMO_PASSWORD).await?;
    println!();
    println!("right password from another address after phase 1: HTTP {officer} (303 = signed in)");
    println!();

    let before = failed_logins(&app).await?;
    let many = attack(&http, &server.base, args.clients, duration, true).await?;
    let failed = failed_logins(&app).await? - before;
    row("a new address per request", &many, duration, failed);
    let officer = sign_in(&http, &server.base, "203.0.113.21", DEMO_PASSWORD).await?;
    println!();
    println!("right password from yet another address after phase 3: HTTP {officer} (429: the account's own bound holds until the window ends or an administrator resets the password)");
    drop(server);
    app.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn row(name: &str, t: &Tally, duration: Duration, failed: i64) {
    let evaluated = t.evaluated.load(Ordering::Relaxed);
    let refused = t.refused.load(Ordering::Relaxed);
    let other = t.other.load(Ordering::Relaxed);
    let attempts = evaluated + refused + other;
    let secs = duration.as_secs_f64();
    println!(
        "| {name} | {attempts} | {:.0} | {evaluated} | {refused} | {other} | {:.1} | {failed} |",
        attempts as f64 / secs,
        evaluated as f64 * 60.0 / secs,
    );
}

async fn failed_logins(app: &motcua_app::App) -> Result<i64, String> {
    sqlx::query_scalar("SELECT failed_logins FROM users WHERE username = $1")
        .bind(ACCOUNT)
        .fetch_one(app.db.pool())
        .await
        .map_err(|e| e.to_string())
}

/// `clients` attackers sending wrong passwords for `duration`, from one address or
/// from a new one each time.
async fn attack(
    http: &reqwest::Client,
    base: &str,
    clients: usize,
    duration: Duration,
    spread: bool,
) -> Result<Tally, String> {
    let tally = Arc::new(Tally::default());
    let deadline = Instant::now() + duration;
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, base, tally, next) =
            (http.clone(), base.to_owned(), tally.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let ip = if spread {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
                } else {
                    "198.51.100.7".to_owned()
                };
                match sign_in(&http, &base, &ip, "sai-mat-khau").await {
                    Ok(401) => tally.evaluated.fetch_add(1, Ordering::Relaxed),
                    Ok(429) => tally.refused.fetch_add(1, Ordering::Relaxed),
                    _ => tally.other.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())?;
    }
    Arc::try_unwrap(tally).map_err(|_| "attackers still running".to_owned())
}

/// One sign-in through the form, as a browser would (its CSRF cookie and field),
/// from `ip`; the answer's status.
async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    ip: &str,
    password: &str,
) -> Result<u16, String> {
    let page = http
        .get(format!("{base}/dang-nhap"))
        .header("x-forwarded-for", ip)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let cookie = page
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("motcua_csrf="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_owned();
    let html = page.text().await.map_err(|e| e.to_string())?;
    let marker = "name=\"_csrf\" value=\"";
    let csrf = html
        .find(marker)
        .map(|i| &html[i + marker.len()..])
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let r = http
        .post(format!("{base}/dang-nhap"))
        .header("x-forwarded-for", ip)
        .header(reqwest::header::COOKIE, cookie)
        .form(&[
            ("username", ACCOUNT),
            ("password", password),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(r.status().as_u16())
}

/// `motcua serve` trusting 127.0.0.1 as its proxy (the attackers' addresses come
/// in `X-Forwarded-For`), logging errors only: each refused attempt would warn.
async fn start(
    exe: &std::path::Path,
    database_url: &str,
    http: &reqwest::Client,
) -> Result<Server, String> {
    let env = [
        ("MOTCUA_TRUSTED_PROXIES", "127.0.0.1"),
        ("MOTCUA_LOG", "error"),
    ];
    let (server, _) = start_server_in(exe, database_url, http, None, &env).await?;
    Ok(server)
}
