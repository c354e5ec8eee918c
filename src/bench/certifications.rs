//! `motcua bench certifications`: recording certifications over the API at
//! `--clients` concurrent counters (issue 12; target p99 < 20 ms), then checking
//! that the book's numbers are unique and gap-free.
//!
//! Same-day certification happens before 15:00 local time, so the server runs in
//! this process on a manual clock standing at a working morning (a separate
//! `motcua serve` would follow the wall clock, and after 15:00 every request would
//! become an ordinary dossier). The `--late` flag measures that path instead.

use std::time::Duration;

use motcua_app::{App, Clock, Principal, Settings};
use motcua_store::Db;

use super::{load_with, report};

#[derive(clap::Args)]
pub struct Args {
    /// Concurrent counters.
    #[arg(long, default_value_t = 20)]
    clients: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Measure requests received after 15:00 (each becomes a dossier).
    #[arg(long)]
    late: bool,
    /// Database to measure on (default: a fresh SQLite file in a temp folder).
    #[arg(long)]
    database_url: Option<String>,
}

pub async fn run(args: Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("motcua-bench-cert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.sqlite3").display()));
    let at = if args.late {
        "2026-11-16T15:30:00+07:00"
    } else {
        "2026-11-16T09:00:00+07:00"
    };
    let start: jiff::Timestamp = at.parse().map_err(|e: jiff::Error| e.to_string())?;
    let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let base = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let clock = Clock::manual(start);
    let app = App::with_clock(
        db.clone(),
        Settings {
            public_url: base.clone(),
            blob_dir: dir.join("blobs"),
            signing_dir: dir.join("signing"),
            ..Settings::default()
        },
        clock.clock(),
    );
    app.seed_reference_data().await.map_err(|e| e.to_string())?;
    app.load_demo_if_empty().await.map_err(|e| e.to_string())?;
    let token = app
        .create_token(&Principal::System, "tiepnhan", "bench")
        .await
        .map_err(|e| e.to_string())?;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM certification_entries")
        .fetch_one(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    let server_app = app.clone();
    let public_url = base.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = motcua_web::serve(
            listener,
            server_app,
            motcua_web::WebConfig {
                secure_cookies: false,
                public_url,
                metrics_token: None,
                trusted_proxies: motcua_web::TrustedProxies::default(),
            },
            async {
                let _ = stopped.await;
            },
        )
        .await;
    });

    println!(
        "motcua bench certifications — {} on {} cores, {} counters, {} s, received at {at}",
        url.split(':').next().unwrap_or("?"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.clients,
        args.seconds,
    );
    println!();
    println!("| request | throughput | p50 | p99 | max | errors |");
    println!("|---|---|---|---|---|---|");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()
        .map_err(|e| e.to_string())?;
    let url_post = format!("{base}/api/v1/certifications");
    let (all, _) = load_with(
        &http,
        args.clients,
        Duration::from_secs(args.seconds),
        1,
        move |http, c, i| {
            let body = serde_json::json!({
                "kind": "copy",
                "requester_name": "Nguyễn Văn An",
                "requester_id": "001087012345",
                "document_name": "Bằng tốt nghiệp trung học phổ thông",
                "pages": 1 + (i % 5),
                "copies": 1 + (c % 3),
            });
            (
                0,
                http.post(url_post.as_str())
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("bench-{c}-{i}"))
                    .json(&body),
            )
        },
    )
    .await?;
    report("POST /api/v1/certifications", &all);

    let (count, max, distinct): (i64, Option<i64>, i64) = sqlx::query_as(
        "SELECT COUNT(*), MAX(number), COUNT(DISTINCT number) FROM certification_entries \
         WHERE number IS NOT NULL",
    )
    .fetch_one(db.pool())
    .await
    .map_err(|e| e.to_string())?;
    let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM certification_entries")
        .fetch_one(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    println!();
    println!(
        "entries recorded: {}; numbered {count}, distinct numbers {distinct}, highest {} (gap-free: {})",
        recorded - before,
        max.unwrap_or(0),
        count == distinct && max.unwrap_or(0) == count
    );
    let _ = stop.send(());
    let _ = server.await;
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
