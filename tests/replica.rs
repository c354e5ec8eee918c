//! A province on two database servers: with `MOTCUA_READ_DATABASE_URL` naming a
//! PostgreSQL streaming replica, reports read from it and writes stay on the
//! primary. The test makes a real replica of the test server (`pg_basebackup` into a
//! second cluster on another port, started in hot standby), pauses its replay to
//! prove where each query goes, and reads the replica's lag.
//!
//! PostgreSQL only (a replica of an SQLite file does not exist): reported as ignored
//! without `TEST_DATABASE_URL`. The server must allow replication connections from
//! 127.0.0.1 (`host replication all 127.0.0.1/32 trust` in `pg_hba.conf`; `.ci/run`
//! adds it), and the test must run as root or as the `postgres` user.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use motcua_app::reports::Ii06aQuery;
use motcua_app::{Actor, App};
use motcua_store::Db;
use serde_json::json;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(have_test_database_url), ignore = "TEST_DATABASE_URL is not set")]
async fn reports_read_from_a_streaming_replica_and_writes_stay_on_the_primary() {
    let app = TestApp::spawn(Engine::Postgres)
        .await
        .expect("TEST_DATABASE_URL names a reachable PostgreSQL");
    // The test database exists before the copy, so the replica has it too.
    let replica = Replica::start(&app.database_url);
    let db = Db::connect(&app.database_url)
        .await
        .expect("primary")
        .with_replica(&replica.url_of(&app.database_url))
        .await
        .expect("replica");
    let reading = App::new(db.clone());

    let token = app.token("tiepnhan").await;
    let officer: Actor = app
        .app
        .token_actor_checked(&token, None)
        .await
        .expect("lookup")
        .expect("a live token");
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").expect("zone"))
        .date();
    let query = Ii06aQuery {
        agency: None,
        from: Some(today.first_of_year().to_string()),
        to: Some(today.to_string()),
        scope: None,
        by: None,
    };
    let received = |app: App| {
        let (officer, query) = (officer.clone(), query.clone());
        async move {
            app.reports()
                .ii06a(&officer, &query)
                .await
                .expect("report")
                .total
                .get(motcua_domain::report::Figure::ReceivedTotal)
        }
    };

    // The replica has caught up with the demo data.
    let start = received(app.app.clone()).await;
    wait_for("the replica to catch up", || async {
        received(reading.clone()).await == start
    })
    .await;

    // Replay stops; a dossier received on the primary is not in the replica's report
    // yet, while the primary counts it.
    replica.sql("SELECT pg_wal_replay_pause()");
    import_one_dossier(&app).await;
    assert_eq!(received(app.app.clone()).await, start + 1);
    assert_eq!(
        received(reading.clone()).await,
        start,
        "the report reads the replica"
    );
    wait_for("the lag to show", || async {
        db.replica_lag()
            .await
            .expect("lag")
            .is_some_and(|lag| lag > Duration::ZERO)
    })
    .await;

    // Once the replica is more than a few seconds behind, the dashboard says so.
    wait_for("the lag to pass five seconds", || async {
        reading
            .reports()
            .replica_lag_shown()
            .await
            .expect("lag")
            .is_some()
    })
    .await;
    let dashboard = reading
        .reports()
        .dashboard(&officer, &query)
        .await
        .expect("dashboard");
    assert!(dashboard.replica_lag_seconds.is_some_and(|s| s >= 5));

    // Replay resumes: the replica's report counts it, and the lag is gone.
    replica.sql("SELECT pg_wal_replay_resume()");
    wait_for("the replica to replay the dossier", || async {
        received(reading.clone()).await == start + 1
    })
    .await;
    // The replica is the whole server: other tests' writes keep streaming in, so
    // "caught up" is a lag the pages no longer mention, not exactly zero.
    wait_for("the lag to fall below what the pages mention", || async {
        reading
            .reports()
            .replica_lag_shown()
            .await
            .expect("lag")
            .is_none()
    })
    .await;

    // A write through the app that has a replica lands on the primary (the replica
    // is read-only and would refuse it).
    let made = reading
        .create_token(
            &motcua_app::Principal::User(officer.clone()),
            "tiepnhan",
            "ghi",
        )
        .await;
    assert!(made.is_ok(), "{made:?}");
    db.close().await;
}

async fn import_one_dossier(app: &TestApp) {
    let now = jiff::Timestamp::now();
    let line = json!({
        "agency": WARD_A,
        "procedure": "1.001193",
        "channel": "counter",
        "status": "received",
        "applicant": {"full_name": "Người nộp qua máy chủ chính"},
        "received_at": now,
        "due_at": now + jiff::SignedDuration::from_hours(72),
    });
    let report = app
        .app
        .dossiers()
        .import(Cursor::new(format!("{line}\n")))
        .await
        .expect("import");
    assert_eq!(report.imported, 1, "{:?}", report.rejected);
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "waited a minute for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A hot-standby copy of the test server, stopped and deleted when dropped.
struct Replica {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Replica {
    fn start(primary_url: &str) -> Replica {
        let (user, host, port) = server_of(primary_url);
        let bin = postgres_bin();
        let dir = std::env::temp_dir().join(format!("motcua-replica-{}", unique()));
        std::fs::create_dir_all(&dir).expect("replica directory");
        as_postgres_owner(&dir);
        run_as_postgres(
            &bin.join("pg_basebackup"),
            &[
                "-h",
                &host,
                "-p",
                &port.to_string(),
                "-U",
                &user,
                "-D",
                &dir.to_string_lossy(),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
            "pg_basebackup (does pg_hba.conf allow `host replication all 127.0.0.1/32 trust`?)",
        );
        let replica_port = free_port();
        // Debian keeps the configuration outside the data directory: the copy gets
        // its own.
        std::fs::write(
            dir.join("postgresql.conf"),
            format!(
                "port = {replica_port}\nlisten_addresses = '127.0.0.1'\n\
                 unix_socket_directories = '{}'\nhot_standby = on\n\
                 shared_buffers = 32MB\n",
                dir.display()
            ),
        )
        .expect("postgresql.conf");
        std::fs::write(
            dir.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        )
        .expect("pg_hba.conf");
        std::fs::write(dir.join("pg_ident.conf"), "").expect("pg_ident.conf");
        as_postgres_owner(&dir);
        let replica = Replica {
            dir,
            bin,
            port: replica_port,
        };
        run_as_postgres(
            &replica.bin.join("pg_ctl"),
            &[
                "-D",
                &replica.dir.to_string_lossy(),
                "-l",
                &replica.dir.join("server.log").to_string_lossy(),
                "-w",
                "-t",
                "60",
                "start",
            ],
            "pg_ctl start",
        );
        replica
    }

    /// `url` (of the primary) with the replica's port.
    fn url_of(&self, url: &str) -> String {
        let (_, host, port) = server_of(url);
        url.replacen(
            &format!("{host}:{port}"),
            &format!("127.0.0.1:{}", self.port),
            1,
        )
    }

    fn sql(&self, statement: &str) {
        let out = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-Atqc",
                statement,
            ])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "{statement}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = postgres_command(&self.bin.join("pg_ctl"))
            .args(["-D", &self.dir.to_string_lossy(), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// (user, host, port) of a `postgres://user@host:port/db` URL.
fn server_of(url: &str) -> (String, String, u16) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (user, rest) = rest.split_once('@').unwrap_or(("postgres", rest));
    let user = user.split(':').next().unwrap_or("postgres").to_owned();
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "5432"));
    (user, host.to_owned(), port.parse().expect("a port"))
}

/// The newest PostgreSQL's programs (Debian installs them by major version).
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's programs under /usr/lib/postgresql")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("pg_basebackup").exists())
        .collect();
    versions.sort();
    versions.pop().expect("pg_basebackup")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A command run as the `postgres` user when the test runs as root (PostgreSQL
/// refuses to run as root), as is otherwise.
fn postgres_command(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run_as_postgres(program: &Path, args: &[&str], what: &str) {
    let out = postgres_command(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn as_postgres_owner(dir: &Path) {
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chown {}", dir.display());
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).expect("chmod 700");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
