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

use hdrhistogram::Histogram;
use tokio::time::Instant;

use super::{load_with, report, LoadResult};

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
    /// After the closed loop, an open loop offering this many requests per
    /// second (Poisson arrivals spread over the counters, each request sent at
    /// its time whether or not earlier ones were answered; latency counted
    /// from that time). Repeat for several loads.
    #[arg(long)]
    rate: Vec<f64>,
    /// SQLite only: `PRAGMA synchronous = FULL` (every commit waits for the
    /// disk, as `MOTCUA_SQLITE_SYNCHRONOUS=full`) instead of the default NORMAL.
    #[arg(long)]
    sqlite_full: bool,
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
    let synchronous = if args.sqlite_full {
        motcua_store::SqliteSynchronous::Full
    } else {
        motcua_store::SqliteSynchronous::Normal
    };
    let db = Db::connect_with(&url, synchronous)
        .await
        .map_err(|e| e.to_string())?;
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
    // One credential per counter, as 20 officers signed in at 20 counters
    // (one shared token would make every transaction share-lock the same row).
    let mut tokens = Vec::with_capacity(args.clients);
    for c in 0..args.clients.max(1) {
        tokens.push(
            app.create_token(&Principal::System, "tiepnhan", &format!("bench {c}"))
                .await
                .map_err(|e| e.to_string())?,
        );
    }
    let tokens = std::sync::Arc::new(tokens);
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
        "motcua bench certifications — {}{} on {} cores, {} counters, {} s, received at {at}",
        url.split(':').next().unwrap_or("?"),
        if args.sqlite_full && url.starts_with("sqlite") {
            " (synchronous = FULL)"
        } else {
            ""
        },
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.clients,
        args.seconds,
    );
    println!();
    println!("| load | throughput | p50 | p99 | max | errors |");
    println!("|---|---|---|---|---|---|");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients.max(64))
        .build()
        .map_err(|e| e.to_string())?;
    let url_post = std::sync::Arc::new(format!("{base}/api/v1/certifications"));
    let closed_tokens = tokens.clone();
    let closed_url = url_post.clone();
    let (all, _) = load_with(
        &http,
        args.clients,
        Duration::from_secs(args.seconds),
        1,
        move |http, c, i| {
            (
                0,
                http.post(closed_url.as_str())
                    .bearer_auth(&closed_tokens[c % closed_tokens.len()])
                    .header("Idempotency-Key", format!("bench-{c}-{i}"))
                    .json(&body(c, i)),
            )
        },
    )
    .await?;
    report(
        &format!("closed loop, {} counters, no think time", args.clients),
        &all,
    );
    for (run, rate) in args.rate.iter().copied().enumerate() {
        if rate.is_nan() || rate <= 0.0 {
            return Err(format!("--rate {rate}: must be above 0"));
        }
        let r = open_loop(
            &http,
            url_post.clone(),
            tokens.clone(),
            rate,
            Duration::from_secs(args.seconds),
            run,
        )
        .await?;
        report(
            &format!(
                "open loop, {rate} req/s offered over {} counters",
                tokens.len()
            ),
            &r,
        );
    }

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

/// The request a counter sends: a copy of 1–5 pages in 1–3 copies.
fn body(c: usize, i: usize) -> serde_json::Value {
    serde_json::json!({
        "kind": "copy",
        "requester_name": "Nguyễn Văn An",
        "requester_id": "001087012345",
        "document_name": "Bằng tốt nghiệp trung học phổ thông",
        "pages": 1 + (i % 5),
        "copies": 1 + (c % 3),
    })
}

/// Offers `rate` requests per second for `duration`: Poisson arrivals, the
/// k-th at counter k mod n. Each request is sent at its arrival time even if
/// earlier ones are still waiting, and its latency counts from that time, so a
/// slow server shows as latency, not as fewer requests (no coordinated
/// omission).
async fn open_loop(
    http: &reqwest::Client,
    url: std::sync::Arc<String>,
    tokens: std::sync::Arc<Vec<String>>,
    rate: f64,
    duration: Duration,
    run: usize,
) -> Result<LoadResult, String> {
    let started = Instant::now();
    // xorshift64*: reproducible arrivals without a dependency.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ (run as u64 + 1);
    let mut uniform = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let x = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut at = 0.0f64;
    let mut tasks = Vec::new();
    let mut k = 0usize;
    loop {
        at += -uniform().ln() / rate;
        if at >= duration.as_secs_f64() {
            break;
        }
        let due = started + Duration::from_secs_f64(at);
        tokio::time::sleep_until(due).await;
        let c = k % tokens.len();
        let req = http
            .post(url.as_str())
            .bearer_auth(&tokens[c])
            .header("Idempotency-Key", format!("open-{run}-{k}"))
            .json(&body(c, k / tokens.len()));
        k += 1;
        tasks.push(tokio::spawn(async move {
            match req.send().await {
                Ok(r) if r.status().is_success() => {
                    let _ = r.bytes().await;
                    Some(due.elapsed().as_micros().max(1) as u64)
                }
                _ => None,
            }
        }));
    }
    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
    let (mut requests, mut errors) = (0, 0);
    for t in tasks {
        match t.await.map_err(|e| e.to_string())? {
            Some(us) => {
                requests += 1;
                histogram.record(us).map_err(|e| e.to_string())?;
            }
            None => errors += 1,
        }
    }
    Ok(LoadResult {
        requests,
        errors,
        // Throughput over the offered period: what was asked for and answered.
        elapsed: duration,
        histogram,
    })
}
