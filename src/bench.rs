//! The benchmark harness: `motcua bench …` builds realistic data, starts the real
//! server as a separate process, drives it over loopback and prints figures (no
//! assertion on time; the figures go to docs/benchmarks.md).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use motcua_app::{App, Principal};
use motcua_store::Db;

mod certifications;
mod dossiers;
mod legacy;
mod registers;
mod signin;
mod signing;

#[derive(clap::Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    which: Which,
}

#[derive(clap::Subcommand)]
enum Which {
    /// Binary size, cold start to /readyz, idle memory, and GET /api/v1/me against a
    /// trivial route under concurrent clients.
    Foundation {
        /// Concurrent clients.
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Seconds of load per route.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Database to measure on (default: a fresh SQLite file in a temp folder).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Due-date computations per second on one core, and the public procedure search
    /// (/thu-tuc) under concurrent clients with the full catalogue.
    Catalogue {
        #[arg(long, default_value_t = 50)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Due dates to compute.
        #[arg(long, default_value_t = 2_000_000)]
        due_dates: usize,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// A province's dossiers at scale (100 communes × 12,000 a year × 5 years by
    /// default): generation, then worklists, dossier pages, receipts and intake
    /// under concurrent clients, and the database size.
    Dossiers(dossiers::Args),
    /// Sign-in under a parallel brute force against one account: passwords
    /// evaluated per minute, from one address and from many (issue 9).
    Signin(signin::Args),
    /// Recording certifications over the API at concurrent counters (issue 12):
    /// p99 and the book's numbering checked gap-free.
    Certifications(certifications::Args),
    /// Civil-status registers (issue 11): import throughput and name search
    /// latency on a large register.
    Registers(registers::Args),
    /// Reading a generated legacy civil-status workbook (decode + validate, no
    /// database), rows per second (issue 11).
    Legacy(legacy::Args),
    /// Producing and signing a 10-page electronic certified copy (issue 12).
    Signing(signing::Args),
}

pub async fn run(args: BenchArgs) -> Result<(), String> {
    match args.which {
        Which::Foundation {
            clients,
            seconds,
            database_url,
        } => foundation(clients, seconds, database_url).await,
        Which::Catalogue {
            clients,
            seconds,
            due_dates,
            database_url,
        } => catalogue(clients, seconds, due_dates, database_url).await,
        Which::Dossiers(args) => dossiers::run(args).await,
        Which::Signin(args) => signin::run(args).await,
        Which::Certifications(args) => certifications::run(args).await,
        Which::Registers(args) => registers::run(args).await,
        Which::Legacy(args) => legacy::run(args).await,
        Which::Signing(args) => signing::run(args).await,
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Starts `motcua serve` and returns once /readyz answers, with the time it took.
async fn start_server(
    exe: &std::path::Path,
    database_url: &str,
    client: &reqwest::Client,
) -> Result<(Server, Duration), String> {
    start_server_in(exe, database_url, client, None, &[]).await
}

/// Like `start_server`, with the server's data folder (stored files) in `data_dir`
/// and settings of its own in `env` (which win over the defaults here).
async fn start_server_in(
    exe: &std::path::Path,
    database_url: &str,
    client: &reqwest::Client,
    data_dir: Option<&std::path::Path>,
    env: &[(&str, &str)],
) -> Result<(Server, Duration), String> {
    let port = free_port()?;
    let started = Instant::now();
    let mut command = Command::new(exe);
    if let Some(dir) = data_dir {
        command.env("MOTCUA_DATA_DIR", dir);
    }
    let child = command
        .arg("serve")
        .env("MOTCUA_DATABASE_URL", database_url)
        .env("MOTCUA_LISTEN", format!("127.0.0.1:{port}"))
        .env("MOTCUA_DEMO", "0")
        .env(
            "MOTCUA_LOG",
            std::env::var("MOTCUA_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = started + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await {
            if r.status().is_success() {
                return Ok((server, started.elapsed()));
            }
        }
        if Instant::now() > deadline {
            return Err("the server did not become ready within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

struct LoadResult {
    requests: u64,
    errors: u64,
    elapsed: Duration,
    histogram: Histogram<u64>,
}

/// `clients` tasks, each sending one request after another for `duration`.
async fn load(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    clients: usize,
    duration: Duration,
) -> Result<LoadResult, String> {
    load_many(client, vec![url.to_owned()], token, clients, duration).await
}

/// Like `load`, each client cycling through `urls` (starting at a different one).
async fn load_many(
    client: &reqwest::Client,
    urls: Vec<String>,
    token: Option<&str>,
    clients: usize,
    duration: Duration,
) -> Result<LoadResult, String> {
    let token = token.map(str::to_owned);
    let n = urls.len().max(1);
    let (all, _) = load_with(client, clients, duration, 1, move |http, c, i| {
        let mut req = http.get(urls[(c + i + 1) % n].as_str());
        if let Some(tok) = token.as_deref() {
            req = req.bearer_auth(tok);
        }
        (0, req)
    })
    .await?;
    Ok(all)
}

/// The general form: `clients` tasks, each sending one request after another for
/// `duration`; `make(http, client, i)` builds client `client`'s `i`-th request and
/// names which of `labels` histograms it counts in. Returns all requests together
/// and each label apart.
async fn load_with<F>(
    client: &reqwest::Client,
    clients: usize,
    duration: Duration,
    labels: usize,
    make: F,
) -> Result<(LoadResult, Vec<LoadResult>), String>
where
    F: Fn(&reqwest::Client, usize, usize) -> (usize, reqwest::RequestBuilder)
        + Send
        + Sync
        + 'static,
{
    let new_histogram =
        || Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string());
    let make = Arc::new(make);
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, make) = (client.clone(), make.clone());
        let mut hs = Vec::new();
        for _ in 0..labels {
            hs.push((new_histogram()?, 0u64, 0u64));
        }
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let (label, req) = make(&client, c, i);
                i += 1;
                let h = &mut hs[label.min(labels - 1)];
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        h.1 += 1;
                        let _ = h.0.record(t.elapsed().as_micros().max(1) as u64);
                    }
                    _ => h.2 += 1,
                }
            }
            hs
        }));
    }
    let mut per: Vec<(Histogram<u64>, u64, u64)> = Vec::new();
    for _ in 0..labels {
        per.push((new_histogram()?, 0, 0));
    }
    for t in tasks {
        for (p, (h, ok, err)) in per.iter_mut().zip(t.await.map_err(|e| e.to_string())?) {
            p.0.add(&h).map_err(|e| e.to_string())?;
            p.1 += ok;
            p.2 += err;
        }
    }
    let elapsed = started.elapsed();
    let mut all = LoadResult {
        requests: 0,
        errors: 0,
        elapsed,
        histogram: new_histogram()?,
    };
    let mut each = Vec::new();
    for (h, ok, err) in per {
        all.histogram.add(&h).map_err(|e| e.to_string())?;
        all.requests += ok;
        all.errors += err;
        each.push(LoadResult {
            requests: ok,
            errors: err,
            elapsed,
            histogram: h,
        });
    }
    Ok((all, each))
}

fn report(name: &str, r: &LoadResult) {
    let ms = |q: f64| r.histogram.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "| {name} | {:.0} req/s | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
        r.requests as f64 / r.elapsed.as_secs_f64(),
        ms(0.5),
        ms(0.99),
        r.histogram.max() as f64 / 1000.0,
        r.errors
    );
}

async fn foundation(
    clients: usize,
    seconds: u64,
    database_url: Option<String>,
) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let size = std::fs::metadata(&exe).map_err(|e| e.to_string())?.len();
    let dir = std::env::temp_dir().join(format!("motcua-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url =
        database_url.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.sqlite3").display()));

    // A migrated database with the demo agencies and users, and a token.
    let token = {
        let app = prepare(&url).await?;
        let token = app
            .create_token(&Principal::System, "tiepnhan", "bench")
            .await
            .map_err(|e| e.to_string())?;
        app.db.close().await;
        token
    };

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .map_err(|e| e.to_string())?;

    println!(
        "motcua bench foundation — {} on {} cores",
        url.split(':').next().unwrap_or("?"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!(
        "release binary size: {:.1} MiB ({size} bytes)",
        size as f64 / 1_048_576.0
    );

    let mut starts = Vec::new();
    for _ in 0..5 {
        let (server, took) = start_server(&exe, &url, &client).await?;
        starts.push(took);
        drop(server);
    }
    starts.sort();
    println!(
        "cold start to /readyz (migrated database, 5 runs): median {:.0} ms, min {:.0} ms, max {:.0} ms",
        starts[2].as_secs_f64() * 1000.0,
        starts[0].as_secs_f64() * 1000.0,
        starts[4].as_secs_f64() * 1000.0
    );

    let (server, _) = start_server(&exe, &url, &client).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = rss_kib(server.child.id());
    println!(
        "idle resident memory: {}",
        idle.map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
    );

    let duration = Duration::from_secs(seconds);
    println!();
    println!("load: {clients} concurrent clients on loopback, {seconds} s per route, load generator on the same 2 cores");
    println!();
    println!("| route | throughput | p50 | p99 | max | errors |");
    println!("|---|---|---|---|---|---|");
    // Warm the connection pool and caches first.
    let _ = load(
        &client,
        &format!("{}/healthz", server.base),
        None,
        clients,
        Duration::from_secs(1),
    )
    .await?;
    let trivial = load(
        &client,
        &format!("{}/healthz", server.base),
        None,
        clients,
        duration,
    )
    .await?;
    report("GET /healthz (trivial)", &trivial);
    let me = load(
        &client,
        &format!("{}/api/v1/me", server.base),
        Some(&token),
        clients,
        duration,
    )
    .await?;
    report("GET /api/v1/me (bearer)", &me);
    let after = rss_kib(server.child.id());
    println!();
    println!(
        "resident memory after load: {}",
        after.map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Prepares a database with the reference data and the demo, for a benchmark.
async fn prepare(url: &str) -> Result<App, String> {
    let db = Db::connect(url).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let app = App::new(db);
    app.seed_reference_data().await.map_err(|e| e.to_string())?;
    app.load_demo_if_empty().await.map_err(|e| e.to_string())?;
    Ok(app)
}

async fn catalogue(
    clients: usize,
    seconds: u64,
    due_dates: usize,
    database_url: Option<String>,
) -> Result<(), String> {
    use motcua_domain::calendar::TimeLimit;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("motcua-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url =
        database_url.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.sqlite3").display()));
    let app = prepare(&url).await?;
    let procedures = app
        .search_procedures("", None, None, 1000)
        .await
        .map_err(|e| e.to_string())?
        .len();

    // Due dates: receipts spread over 2026 at every minute of office hours, limits
    // from 1 to 250 working days (up to a year), on one core.
    let cal = app
        .working_calendar(Some(motcua_app::demo::COMMUNES[0].0))
        .await
        .map_err(|e| e.to_string())?;
    let start = jiff::Timestamp::from_second(1_767_200_400).map_err(|e| e.to_string())?; // 2026-01-01 00:00 +07
    let inputs: Vec<(jiff::Timestamp, TimeLimit)> = (0..due_dates)
        .map(|i| {
            let minute = (i as i64 * 7919) % (365 * 24 * 60);
            let at = start + jiff::SignedDuration::from_mins(minute);
            (at, TimeLimit::WorkingDays(1 + (i % 250) as u16))
        })
        .collect();
    let started = Instant::now();
    let mut checksum = 0i64;
    for (at, limit) in &inputs {
        if let Ok(due) = cal.due_at(*at, *limit) {
            checksum = checksum.wrapping_add(due.as_second());
        }
    }
    let took = started.elapsed();
    app.db.close().await;

    println!(
        "motcua bench catalogue — {} on {} cores",
        url.split(':').next().unwrap_or("?"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!(
        "due dates (working days 1–250, receipts across 2026, one core): {:.2} million/s ({} in {:.0} ms; checksum {checksum})",
        due_dates as f64 / took.as_secs_f64() / 1e6,
        due_dates,
        took.as_secs_f64() * 1000.0
    );

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .map_err(|e| e.to_string())?;
    let (server, _) = start_server(&exe, &url, &client).await?;
    let queries = [
        "dang ky ket hon",
        "Đăng ký khai sinh",
        "CHỨNG THỰC",
        "ho kinh doanh",
        "tro cap",
        "",
        "xac nhan tinh trang hon nhan",
    ];
    let urls: Vec<String> = queries
        .iter()
        .map(|q| format!("{}/thu-tuc?q={}", server.base, q.replace(' ', "+")))
        .collect();
    println!();
    println!("load: {clients} concurrent clients on loopback, {seconds} s, catalogue of {procedures} procedures, queries cycling over {} searches", queries.len());
    println!();
    println!("| route | throughput | p50 | p99 | max | errors |");
    println!("|---|---|---|---|---|---|");
    let _ = load_many(&client, urls.clone(), None, clients, Duration::from_secs(1)).await?;
    let r = load_many(&client, urls, None, clients, Duration::from_secs(seconds)).await?;
    report("GET /thu-tuc?q=… (search page)", &r);
    let code = app_code(&server, &client).await;
    if let Some(code) = code {
        let r = load(
            &client,
            &format!("{}/thu-tuc/{code}", server.base),
            None,
            clients,
            Duration::from_secs(seconds),
        )
        .await?;
        report("GET /thu-tuc/{code} (page with QR)", &r);
        let r = load(
            &client,
            &format!(
                "{}/api/v1/calendar/due?received_at=2026-02-13T10:00:00%2B07:00&limit=3wd",
                server.base
            ),
            None,
            clients,
            Duration::from_secs(seconds),
        )
        .await?;
        report("GET /api/v1/calendar/due", &r);
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The code of one procedure, read over the API like any client would.
async fn app_code(server: &Server, client: &reqwest::Client) -> Option<String> {
    let v: serde_json::Value = client
        .get(format!("{}/api/v1/procedures?q=ket+hon", server.base))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    v["items"][0]["code"].as_str().map(str::to_owned)
}
