//! Spawning the app for a test, and helpers shared by the tests.

use std::time::Duration;

use motcua_app::{App, Principal};
use motcua_store::Db;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Declares, for each async test function `name(app: TestApp)`, a module `name` with
/// one test per engine: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::TestApp::spawn($crate::common::Engine::Sqlite).await;
                super::$name(app.expect("SQLite is always available")).await
            }
            // Without a PostgreSQL server the test is reported as ignored, never
            // as passed (build.rs sets the cfg when TEST_DATABASE_URL is set).
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(have_test_database_url), ignore = "TEST_DATABASE_URL is not set")]
            async fn postgres() {
                let app = $crate::common::TestApp::spawn($crate::common::Engine::Postgres).await;
                super::$name(app.expect("TEST_DATABASE_URL names a reachable PostgreSQL")).await
            }
        }
    )*};
    // The same, with the app on a manual clock standing at `$start` (a Timestamp).
    (clock = $start:expr; $($name:ident),* $(,)?) => {$(
        mod $name {
            // `$start` is written in the calling module.
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::TestApp::spawn_at($crate::common::Engine::Sqlite, $start).await;
                super::$name(app.expect("SQLite is always available")).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(have_test_database_url), ignore = "TEST_DATABASE_URL is not set")]
            async fn postgres() {
                let app = $crate::common::TestApp::spawn_at($crate::common::Engine::Postgres, $start).await;
                super::$name(app.expect("TEST_DATABASE_URL names a reachable PostgreSQL")).await
            }
        }
    )*};
}

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub db: Db,
    pub database_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    cleanup: Option<Cleanup>,
    clock: Option<motcua_app::ManualClock>,
}

enum Cleanup {
    File(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

/// The demo's agencies: a province and two communes under it.
pub const PROVINCE: &str = "000.00.00.H33";
pub const WARD_A: &str = "000.01.33.H33";
pub const WARD_B: &str = "000.02.33.H33";
pub const PASSWORD: &str = motcua_app::demo::DEMO_PASSWORD;

pub fn unique() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// Test databases older than this were left by a run that was killed before it
/// could drop them (no test runs this long).
const STALE_AFTER_MS: u64 = 6 * 60 * 60 * 1000;

/// Drops the `motcua_test_*` databases whose name (a UUIDv7, time-ordered) says they
/// were created more than `STALE_AFTER_MS` ago: a killed test run cannot drop its
/// own, and they would pile up on the server. The names of running tests are
/// recent, so parallel runs are left alone. Returns the names dropped.
pub async fn drop_stale_test_databases(admin: &Db) -> Vec<String> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'motcua\\_test\\_%'",
    )
    .fetch_all(admin.pool())
    .await
    .expect("list the test databases");
    let now = jiff::Timestamp::now().as_millisecond().max(0) as u64;
    let mut dropped = Vec::new();
    for name in names {
        let created = name
            .strip_prefix("motcua_test_")
            .and_then(|id| uuid::Uuid::try_parse(id).ok())
            .and_then(|id| id.get_timestamp())
            .map(|t| {
                let (secs, nanos) = t.to_unix();
                secs * 1000 + u64::from(nanos / 1_000_000)
            });
        if created.is_some_and(|at| at + STALE_AFTER_MS < now) {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(admin.pool())
                .await
                .expect("drop a stale test database");
            dropped.push(name);
        }
    }
    dropped
}

/// `postgres://u@h:5432/db?x` → (`postgres://u@h:5432`, `?x`)
fn split_pg_url(url: &str) -> (String, String) {
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m.to_owned(), format!("?{q}")),
        None => (url.to_owned(), String::new()),
    };
    let after_scheme = main.find("://").map_or(0, |i| i + 3);
    let base = match main[after_scheme..].find('/') {
        Some(i) => main[..after_scheme + i].to_owned(),
        None => main,
    };
    (base, query)
}

impl TestApp {
    /// A fresh database with the demo data, and the server listening on a random
    /// port. `None` for PostgreSQL when no server is configured.
    pub async fn spawn(engine: Engine) -> Option<TestApp> {
        Self::spawn_with(engine, None).await
    }

    /// [`TestApp::spawn`] with the app on a manual clock standing at `start`; move it
    /// with [`TestApp::clock`].
    pub async fn spawn_at(engine: Engine, start: jiff::Timestamp) -> Option<TestApp> {
        Self::spawn_with(engine, Some(motcua_app::Clock::manual(start))).await
    }

    async fn spawn_with(engine: Engine, clock: Option<motcua_app::ManualClock>) -> Option<TestApp> {
        let (database_url, cleanup) = match engine {
            Engine::Sqlite => {
                let path = std::env::temp_dir().join(format!("motcua-test-{}.sqlite3", unique()));
                (format!("sqlite://{}", path.display()), Cleanup::File(path))
            }
            Engine::Postgres => {
                let admin_url = std::env::var("TEST_DATABASE_URL").ok()?;
                let name = format!("motcua_test_{}", unique());
                let admin = Db::connect(&admin_url)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
                SWEPT
                    .get_or_init(|| async {
                        drop_stale_test_databases(&admin).await;
                    })
                    .await;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(admin.pool())
                    .await
                    .expect("create a test database");
                admin.close().await;
                let (base, query) = split_pg_url(&admin_url);
                (
                    format!("{base}/{name}{query}"),
                    Cleanup::Database { admin_url, name },
                )
            }
        };
        let db = Db::connect(&database_url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let blob_dir = std::env::temp_dir().join(format!("motcua-test-blobs-{}", unique()));
        let app = App::with_clock(
            db.clone(),
            motcua_app::Settings {
                public_url: base.clone(),
                blob_dir: blob_dir.clone(),
                remind_after_days: 3,
                signing_dir: blob_dir.with_extension("signing"),
                signer: motcua_app::signing::SignerConfig::DemoCa,
            },
            clock
                .as_ref()
                .map_or_else(motcua_app::Clock::system, motcua_app::ManualClock::clock),
        );
        app.seed_reference_data().await.expect("reference data");
        app.load_demo_if_empty().await.expect("demo data");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server_app = app.clone();
        let public_url = base.clone();
        tokio::spawn(async move {
            let _ = motcua_web::serve(
                listener,
                server_app,
                motcua_web::WebConfig {
                    secure_cookies: false,
                    public_url,
                    metrics_token: None,
                    // As if behind a reverse proxy on the same machine: requests
                    // without `X-Forwarded-For` are the peer's, as before; a test
                    // sends the header to act from another address.
                    trusted_proxies: motcua_web::TrustedProxies::parse("127.0.0.1")
                        .expect("a valid list"),
                },
                async {
                    let _ = rx.await;
                },
            )
            .await;
        });
        Some(TestApp {
            base,
            app,
            db,
            database_url,
            shutdown: Some(tx),
            cleanup: Some(cleanup),
            clock,
        })
    }

    /// The manual clock of an app spawned with [`TestApp::spawn_at`].
    pub fn clock(&self) -> &motcua_app::ManualClock {
        self.clock
            .as_ref()
            .expect("the app was spawned with TestApp::spawn_at, on a manual clock")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (so tests see
    /// them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client")
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client")
    }

    pub async fn token(&self, username: &str) -> String {
        self.app
            .create_token(&Principal::System, username, "test")
            .await
            .expect("token")
    }

    /// Signs in through the real form (CSRF cookie and field included); returns the
    /// response to the POST.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let page = client
            .get(self.url("/dang-nhap"))
            .send()
            .await
            .expect("sign-in page");
        let html = page.text().await.expect("html");
        let csrf = hidden_csrf(&html);
        client
            .post(self.url("/dang-nhap"))
            .form(&[
                ("username", username),
                ("password", password),
                ("_csrf", &csrf),
            ])
            .send()
            .await
            .expect("sign in")
    }

    /// Signs in and returns the CSRF token of the new session, read from a page.
    pub async fn signed_in(&self, client: &reqwest::Client, username: &str) -> String {
        let r = self.sign_in(client, username, PASSWORD).await;
        assert_eq!(r.status(), 303, "sign-in of {username} should redirect");
        let html = client
            .get(self.url("/tai-khoan"))
            .send()
            .await
            .expect("account page")
            .text()
            .await
            .expect("html");
        hidden_csrf(&html)
    }

    /// Sends a JSON body to the API with a bearer token.
    pub async fn send_json(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: impl AsRef<str>,
        token: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        client
            .request(method, self.url(path.as_ref()))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("send JSON")
    }

    /// Posts a form as a browser would.
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        path: impl AsRef<str>,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(path.as_ref()))
            .form(fields)
            .send()
            .await
            .expect("post a form")
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.db.pool())
            .await
            .expect("count query")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = std::fs::remove_dir_all(self.app.settings().blob_dir.clone());
        let _ = std::fs::remove_dir_all(self.app.settings().signing_dir.clone());
        match self.cleanup.take() {
            Some(Cleanup::File(path)) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Some(Cleanup::Database { admin_url, name }) => {
                let pool = self.db.pool().clone();
                // Drop cannot await; a thread with its own runtime drops the database.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(rt) = rt {
                        rt.block_on(async move {
                            pool.close().await;
                            if let Ok(admin) = Db::connect(&admin_url).await {
                                let _ = sqlx::query(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .execute(admin.pool())
                                .await;
                                admin.close().await;
                            }
                        });
                    }
                })
                .join();
            }
            None => {}
        }
    }
}

/// The value of the first `<input name="_csrf" value="…">` of a page.
pub fn hidden_csrf(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    html.find(marker)
        .map(|i| &html[i + marker.len()..])
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

pub async fn json(r: reqwest::Response) -> serde_json::Value {
    r.json().await.expect("a JSON body")
}

/// What a birth dossier of `procedure` (1.001193, or 1.000689 which also
/// registers the father's recognition) declares for its register entries: an
/// approval of a civil-status dossier without them is refused.
pub fn civil_facts(procedure: &str, child: &str) -> serde_json::Value {
    let mut fields = serde_json::json!({
        "full_name": child,
        "sex": "Nam",
        "date_of_birth": "01/10/2026",
        "place_of_birth": "Trạm y tế phường Phố Hiến",
        "mother_name": "Trần Thị Hoa"
    });
    if procedure == "1.000689" {
        fields["parent_name"] = "Nguyễn Văn An".into();
        fields["parent_residence"] = "Số 5, đường Điện Biên, phường Phố Hiến".into();
    }
    serde_json::json!({ "fields": fields })
}
