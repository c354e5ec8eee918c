//! Sessions and credentials in real deployments: a password reset ends every session
//! and token, a revocation on one server stops writes on another at once, personal
//! answers are never cached, `/metrics` stays private, another agency's dossier is
//! indistinguishable from none, logs carry no citizen's data and no forged lines, and
//! SQLite's durability setting is applied.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use motcua_app::notify::{NotifyConfig, Transports};
use motcua_app::Principal;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Executor;
use tracing::instrument::WithSubscriber;

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    a_password_reset_ends_every_session_and_token,
    an_own_password_change_ends_the_other_sessions_and_every_token,
    a_revocation_on_one_server_stops_writes_on_the_other,
    a_deactivation_on_one_server_stops_writes_on_the_other,
    a_role_change_on_one_server_stops_writes_as_the_old_roles_on_the_other,
    a_revocation_after_authentication_stops_the_write,
    a_revocation_waits_for_the_write_that_saw_the_credential_live,
    personal_answers_are_never_stored,
    metrics_are_for_the_local_host_or_a_token,
    another_agencys_dossier_is_answered_like_none,
    notifications_are_logged_without_personal_data,
    a_typed_username_is_logged_escaped,
);

const NEW_PASSWORD: &str = "mat-khau-moi-2026";

async fn me(app: &TestApp, base: &str, token: &str) -> u16 {
    app.client()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET /me")
        .status()
        .as_u16()
}

/// A write anyone signed in may make: creating an API token for oneself.
async fn create_own_token(app: &TestApp, base: &str, token: &str) -> u16 {
    app.client()
        .post(format!("{base}/api/v1/tokens"))
        .bearer_auth(token)
        .json(&json!({"label": "thử"}))
        .send()
        .await
        .expect("POST /tokens")
        .status()
        .as_u16()
}

/// Where a browser's GET of the account page goes: 200 signed in, else a redirect to
/// the sign-in page.
async fn account_page(app: &TestApp, browser: &reqwest::Client, base: &str) -> u16 {
    let r = browser
        .get(format!("{base}/tai-khoan"))
        .send()
        .await
        .expect("account page");
    let status = r.status().as_u16();
    if status == 303 {
        assert_eq!(r.headers()["location"], "/dang-nhap");
    }
    let _ = app;
    status
}

async fn a_password_reset_ends_every_session_and_token(app: TestApp) {
    let officer = app.browser();
    app.signed_in(&officer, "tiepnhan").await;
    let token = app.token("tiepnhan").await;
    assert_eq!(me(&app, &app.base, &token).await, 200);
    assert_eq!(account_page(&app, &officer, &app.base).await, 200);

    let admin = app.token("quantri.phohien").await;
    let r = app
        .send_json(
            &app.client(),
            Method::PATCH,
            "/api/v1/users/tiepnhan",
            &admin,
            &json!({"password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), 200);

    assert_eq!(
        me(&app, &app.base, &token).await,
        401,
        "the token is revoked"
    );
    assert_eq!(create_own_token(&app, &app.base, &token).await, 401);
    assert_eq!(
        account_page(&app, &officer, &app.base).await,
        303,
        "the old session is signed out"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'tiepnhan' AND t.revoked_at IS NULL")
            .await,
        0
    );
    let audit: String = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE action = 'user.update' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("the audit record");
    assert!(audit.contains("\"tokens_revoked\":1"), "{audit}");
    // The new password signs in, and a new token works.
    assert_eq!(
        app.sign_in(&app.browser(), "tiepnhan", NEW_PASSWORD)
            .await
            .status(),
        303
    );
    let fresh = app.token("tiepnhan").await;
    assert_eq!(me(&app, &app.base, &fresh).await, 200);
}

async fn an_own_password_change_ends_the_other_sessions_and_every_token(app: TestApp) {
    let here = app.browser();
    let csrf = app.signed_in(&here, "chuyenvien").await;
    let elsewhere = app.browser();
    app.signed_in(&elsewhere, "chuyenvien").await;
    let token = app.token("chuyenvien").await;
    assert_eq!(me(&app, &app.base, &token).await, 200);

    let r = app
        .post_form(
            &here,
            "/tai-khoan/mat-khau",
            &[
                ("_csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert!(
        r.status().is_success() || r.status() == 303,
        "{}",
        r.status()
    );

    assert_eq!(
        account_page(&app, &here, &app.base).await,
        200,
        "this session stays"
    );
    assert_eq!(account_page(&app, &elsewhere, &app.base).await, 303);
    assert_eq!(
        me(&app, &app.base, &token).await,
        401,
        "the token is revoked"
    );
}

// ------------------------------------------------------------ a second server

/// Another server process on the same database (the same SQLite file, or the same
/// PostgreSQL database): its own `App`, its own cache, its own router.
struct Server {
    base: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn second_server(app: &TestApp) -> Server {
    let db = motcua_store::Db::connect(&app.database_url)
        .await
        .expect("connect the second server");
    let other = motcua_app::App::new(db);
    serve(
        motcua_web::router(
            other,
            motcua_web::WebConfig {
                secure_cookies: false,
                public_url: app.base.clone(),
                metrics_token: None,
                trusted_proxies: Default::default(),
            },
        ),
        None,
    )
    .await
}

/// Serves `router`; with `peer`, every request appears to come from that address.
async fn serve(router: axum::Router, peer: Option<SocketAddr>) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        let _ = match peer {
            Some(peer) => {
                let router = router.layer(axum::extract::connect_info::MockConnectInfo(peer));
                axum::serve(listener, router)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            None => {
                axum::serve(
                    listener,
                    router.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(shutdown)
                .await
            }
        };
    });
    Server { base, _stop: stop }
}

async fn a_revocation_on_one_server_stops_writes_on_the_other(app: TestApp) {
    let other = second_server(&app).await;
    let token = app.token("tiepnhan").await;
    // The other server knows the token (and remembers it for a moment).
    assert_eq!(me(&app, &other.base, &token).await, 200);
    assert_eq!(create_own_token(&app, &other.base, &token).await, 201);

    // Revoked on this server.
    let listed = json(
        app.client()
            .get(app.url("/api/v1/tokens"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("list tokens"),
    )
    .await;
    let ids: Vec<String> = listed["items"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_owned))
        .collect();
    let admin = app.token("quantri.phohien").await;
    for id in &ids {
        let r = app
            .client()
            .delete(app.url(&format!("/api/v1/tokens/{id}")))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("revoke");
        assert_eq!(r.status(), 204);
    }
    let before = app.count("SELECT COUNT(*) FROM api_tokens").await;
    // The other server's very next write is refused, within its cache's time.
    assert_eq!(create_own_token(&app, &other.base, &token).await, 401);
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, before);
}

/// A request authenticated a moment before its credential was revoked writes
/// nothing: the credential is checked again inside the write transaction.
async fn a_revocation_after_authentication_stops_the_write(app: TestApp) {
    let tokens = || app.count("SELECT COUNT(*) FROM api_tokens");

    let token = app.token("tiepnhan").await;
    let by_token = app
        .app
        .token_actor_checked(&token, None)
        .await
        .expect("token lookup")
        .expect("a live token");
    let signed_in = app
        .app
        .sign_in("tiepnhan", PASSWORD, None)
        .await
        .expect("sign in");
    let (by_session, _) = app
        .app
        .session_checked(&signed_in.session_token, None)
        .await
        .expect("session lookup")
        .expect("a live session");

    // Both are authenticated; now the token is revoked and the session ends.
    app.db
        .pool()
        .execute("UPDATE api_tokens SET revoked_at = 1")
        .await
        .expect("revoke");
    app.app
        .sign_out(&signed_in.session_token)
        .await
        .expect("sign out");

    let before = tokens().await;
    for by in [by_token, by_session] {
        // The certification module's writes check the credential too.
        let revoked = app
            .app
            .certifications()
            .revoke(&by, "khong-co-ma-nay", "Cấp nhầm")
            .await;
        assert!(
            matches!(revoked, Err(motcua_app::Error::Unauthenticated(_))),
            "{revoked:?}"
        );
        let r = app
            .app
            .create_token(&Principal::User(by), "tiepnhan", "sau khi thu hồi")
            .await;
        assert!(
            matches!(r, Err(motcua_app::Error::Unauthenticated(_))),
            "{r:?}"
        );
    }
    assert_eq!(tokens().await, before);
}

/// The other half of the guarantee: once a write transaction has seen the session
/// live, a sign-out (or reset, or deactivation) commits only after that write, so
/// nothing is written "after" a revocation. The revocation runs in its own
/// transaction and then looks for the write's row: it finds it because it waited.
async fn a_revocation_waits_for_the_write_that_saw_the_credential_live(app: TestApp) {
    let signed_in = app
        .app
        .sign_in("tiepnhan", PASSWORD, None)
        .await
        .expect("sign in");
    let hash = motcua_app::secrets::token_hash(&signed_in.session_token);
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis(),
    )
    .expect("millis");

    let mut write = app.db.begin_write().await.expect("write transaction");
    let live = motcua_store::sessions::hold(&mut write, app.db.engine(), &hash, now)
        .await
        .expect("hold")
        .is_some();
    assert!(live, "the session is live when the write begins");

    let pool = app.db.pool().clone();
    let revoking_hash = hash.clone();
    let revocation = tokio::spawn(async move {
        let mut tx = pool.begin().await.expect("revocation transaction");
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&revoking_hash)
            .execute(&mut *tx)
            .await
            .expect("delete session");
        let seen: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE label = 'ghi trước'")
                .fetch_one(&mut *tx)
                .await
                .expect("look for the write");
        tx.commit().await.expect("commit revocation");
        seen
    });
    // Give the revocation time to reach the session's row before the write ends.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let user_id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = 'tiepnhan'")
        .fetch_one(&mut *write)
        .await
        .expect("user id");
    motcua_store::tokens::insert(
        &mut write,
        &motcua_store::new_id(),
        &user_id,
        "write-under-test",
        "ghi trước",
        now,
    )
    .await
    .expect("the write");
    write.commit().await.expect("commit write");

    assert_eq!(
        revocation.await.expect("revocation task"),
        1,
        "the revocation committed after the write that saw the session live"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = 'tiepnhan')")
            .await,
        0
    );
}

async fn a_deactivation_on_one_server_stops_writes_on_the_other(app: TestApp) {
    let other = second_server(&app).await;
    let officer = app.browser();
    app.signed_in(&officer, "tiepnhan").await;
    let token = app.token("tiepnhan").await;
    // The other server serves the same session (cookies do not tell ports apart) and
    // the token, and remembers both for a moment.
    let html = officer
        .get(format!("{}/tai-khoan", other.base))
        .send()
        .await
        .expect("account page")
        .text()
        .await
        .expect("html");
    let csrf = hidden_csrf(&html);
    assert!(!csrf.is_empty(), "signed in on the other server");
    assert_eq!(me(&app, &other.base, &token).await, 200);

    let admin = app.token("quantri.phohien").await;
    let r = app
        .send_json(
            &app.client(),
            Method::PATCH,
            "/api/v1/users/tiepnhan",
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(r.status(), 200);

    let before = app.count("SELECT COUNT(*) FROM api_tokens").await;
    let r = officer
        .post(format!("{}/tai-khoan/ma-truy-cap", other.base))
        .form(&[("_csrf", csrf.as_str()), ("label", "máy khác")])
        .send()
        .await
        .expect("a form");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/dang-nhap", "signed out");
    assert_eq!(create_own_token(&app, &other.base, &token).await, 401);
    assert_eq!(app.count("SELECT COUNT(*) FROM api_tokens").await, before);
}

/// The other server answers from its cache for a moment, writes included; the
/// write transaction finds the person again and refuses to act with roles they no
/// longer have. The refusal forgets the cached person, so the retry is judged on
/// the roles they have now.
async fn a_role_change_on_one_server_stops_writes_as_the_old_roles_on_the_other(app: TestApp) {
    let other = second_server(&app).await;
    let token = app.token("tiepnhan").await;
    assert_eq!(me(&app, &other.base, &token).await, 200, "cached there");

    let admin = app.token("quantri.phohien").await;
    let r = app
        .send_json(
            &app.client(),
            Method::PATCH,
            "/api/v1/users/tiepnhan",
            &admin,
            &json!({"roles": ["specialist"]}),
        )
        .await;
    assert_eq!(r.status(), 200);

    let intake = json!({
        "procedure": "1.000689",
        "channel": "counter",
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "personal_id": "001087012345",
            "date_of_birth": "05/09/1987",
            "sex": "male",
            "phone": "0912 345 678",
            "address": "Số 5, đường Điện Biên, phường Phố Hiến"
        },
        "return_method": "counter",
        "fee_paid": true,
        "fee_receipt_no": "0001234"
    });
    let before = app.count("SELECT COUNT(*) FROM dossiers").await;
    let post = || {
        app.client()
            .post(format!("{}/api/v1/dossiers", other.base))
            .bearer_auth(&token)
            .json(&intake)
            .send()
    };
    let r = post().await.expect("intake");
    assert_eq!(r.status(), 409, "written as the counter officer they were");
    let body: Value = r.json().await.expect("problem");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("vừa được thay đổi"),
        "{body}"
    );
    let r = post().await.expect("intake again");
    assert_eq!(r.status(), 403, "judged on the roles they have now");
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, before);
}

// ------------------------------------------------------------ caching, metrics

fn cache_control(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn personal_answers_are_never_stored(app: TestApp) {
    let anonymous = app.client();
    for path in [
        "/thu-tuc",
        "/api/v1/procedures",
        "/api/v1/calendar/lunar?date=2026-02-17",
    ] {
        let r = anonymous.get(app.url(path)).send().await.expect("GET");
        assert_eq!(r.status(), 200, "{path}");
        assert_ne!(cache_control(&r).as_deref(), Some("no-store"), "{path}");
    }

    let officer = app.browser();
    let r = app.sign_in(&officer, "tiepnhan", PASSWORD).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        cache_control(&r).as_deref(),
        Some("no-store"),
        "sets a cookie"
    );
    for path in [
        "/",
        "/tai-khoan",
        "/ho-so",
        "/thu-tuc",
        "/khong-co-trang-nay",
    ] {
        let r = officer.get(app.url(path)).send().await.expect("GET");
        assert_eq!(cache_control(&r).as_deref(), Some("no-store"), "{path}");
    }
    let r = officer
        .get(app.url("/static/app.css"))
        .send()
        .await
        .expect("asset");
    assert_eq!(r.status(), 200);
    assert_eq!(cache_control(&r).as_deref(), Some("public, max-age=86400"));

    let token = app.token("tiepnhan").await;
    for (path, status) in [
        ("/api/v1/me", 200),
        ("/api/v1/dossiers", 200),
        ("/api/v1/procedures", 200),
        ("/api/v1/dossiers/KHONG-CO", 404),
    ] {
        let r = anonymous
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), status, "{path}");
        assert_eq!(cache_control(&r).as_deref(), Some("no-store"), "{path}");
    }
    let r = anonymous
        .get(app.url("/api/v1/me"))
        .bearer_auth("mc_not-a-token")
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 401);
    assert_eq!(cache_control(&r).as_deref(), Some("no-store"));
}

async fn metrics_are_for_the_local_host_or_a_token(app: TestApp) {
    let c = app.client();
    // The test server's peer is 127.0.0.1.
    let r = c.get(app.url("/metrics")).send().await.expect("metrics");
    assert_eq!(r.status(), 200);
    // Through a reverse proxy on the same host: from outside, after all.
    for header in ["x-forwarded-for", "forwarded", "x-real-ip"] {
        let r = c
            .get(app.url("/metrics"))
            .header(header, "203.0.113.7")
            .send()
            .await
            .expect("metrics");
        assert_eq!(r.status(), 403, "{header}");
    }

    let config = |token: Option<&str>| motcua_web::WebConfig {
        secure_cookies: false,
        public_url: app.base.clone(),
        metrics_token: token.map(str::to_owned),
        trusted_proxies: Default::default(),
    };
    let stranger: SocketAddr = ([203, 0, 113, 7], 40_000).into();
    let open = serve(
        motcua_web::router(app.app.clone(), config(None)),
        Some(stranger),
    )
    .await;
    let r = c
        .get(format!("{}/metrics", open.base))
        .bearer_auth("anything-at-all-0123")
        .send()
        .await
        .expect("metrics");
    assert_eq!(r.status(), 403, "no token configured: local only");
    assert_eq!(
        c.get(format!("{}/healthz", open.base))
            .send()
            .await
            .expect("health")
            .status(),
        200
    );

    let token = "scrape-token-0123456789";
    let guarded = serve(
        motcua_web::router(app.app.clone(), config(Some(token))),
        Some(stranger),
    )
    .await;
    let url = format!("{}/metrics", guarded.base);
    let r = c.get(&url).send().await.expect("metrics");
    assert_eq!(r.status(), 403);
    let r = c
        .get(&url)
        .bearer_auth("scrape-token-wrong-000")
        .send()
        .await
        .expect("metrics");
    assert_eq!(r.status(), 401);
    let r = c
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .expect("metrics");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("text").contains("http_requests"));
}

// ------------------------------------------------------------ another agency

/// A problem without what differs per request or per code.
fn shape(mut p: Value, code: &str) -> Value {
    let map = p.as_object_mut().expect("a problem object");
    map.remove("request_id");
    map.remove("instance");
    if let Some(detail) = map.get_mut("detail") {
        *detail = Value::String(detail.as_str().unwrap_or_default().replace(code, "CODE"));
    }
    p
}

async fn another_agencys_dossier_is_answered_like_none(app: TestApp) {
    let c = app.client();
    let counter = app.token("tiepnhan").await;
    let counter_b = app.token("tiepnhan.hht").await;
    let r = app
        .send_json(
            &c,
            Method::POST,
            "/api/v1/dossiers",
            &counter,
            &json!({
                "procedure": "1.000689",
                "channel": "counter",
                "applicant": {
                    "full_name": "Nguyễn Văn An",
                    "personal_id": "001087012345",
                    "date_of_birth": "05/09/1987",
                    "sex": "male",
                    "address": "Số 5, đường Điện Biên, phường Phố Hiến"
                },
                "return_method": "counter",
                "fee_paid": true,
                "fee_receipt_no": "0001234"
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let code = json(r).await["code"].as_str().expect("code").to_owned();
    let missing = format!("{}9999", &code[..code.len() - 4]);

    for (method, suffix, body) in [
        (Method::GET, "", None),
        (Method::GET, "/events", None),
        (Method::GET, "/receipt.pdf", None),
        (Method::POST, "/actions/assign", Some(json!({}))),
    ] {
        let ask = |code: &str| {
            let mut r = c
                .request(
                    method.clone(),
                    app.url(&format!("/api/v1/dossiers/{code}{suffix}")),
                )
                .bearer_auth(&counter_b);
            if let Some(body) = &body {
                r = r.json(body);
            }
            r.send()
        };
        let theirs = ask(&code).await.expect("a response");
        let none = ask(&missing).await.expect("a response");
        assert_eq!(theirs.status(), 404, "{method} {suffix}");
        assert_eq!(none.status(), 404, "{method} {suffix}");
        assert_eq!(
            shape(json(theirs).await, &code),
            shape(json(none).await, &missing),
            "{method} {suffix}"
        );
    }

    // Pages: the same page, but for the code.
    let officer_b = app.browser();
    app.signed_in(&officer_b, "tiepnhan.hht").await;
    let page = |code: String| {
        let officer_b = officer_b.clone();
        let url = app.url(&format!("/ho-so/{code}"));
        async move {
            let r = officer_b.get(url).send().await.expect("page");
            (r.status().as_u16(), r.text().await.expect("html"))
        }
    };
    let (s1, theirs) = page(code.clone()).await;
    let (s2, none) = page(missing.clone()).await;
    assert_eq!((s1, s2), (404, 404));
    assert!(
        theirs.contains(&format!("Không tìm thấy hồ sơ mã «{code}»")),
        "{theirs}"
    );
    assert_eq!(
        theirs.replace(&code, "CODE"),
        none.replace(&missing, "CODE")
    );

    // Within one's own agency a refusal stays a refusal: the administrator, who
    // handles no dossiers, is told so.
    let admin = app.token("quantri.phohien").await;
    let r = c
        .get(app.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 403);

    // The owner still reads it.
    let r = c
        .get(app.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(&counter)
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 200);
}

// ------------------------------------------------------------ logs

/// Everything logged (at INFO and above) while a future runs, as text lines.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync {
        let out = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || out.clone())
            .finish()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

async fn notifications_are_logged_without_personal_data(app: TestApp) {
    sqlx::query("DELETE FROM outbox")
        .execute(app.db.pool())
        .await
        .expect("clear the outbox");
    let counter = app.token("tiepnhan").await;
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            "/api/v1/dossiers",
            &counter,
            &json!({
                "procedure": "1.000689",
                "channel": "counter",
                "applicant": {
                    "full_name": "Lê Thị Riêng Tư",
                    "personal_id": "001187054321",
                    "date_of_birth": "05/09/1987",
                    "sex": "female",
                    "phone": "0987 654 321",
                    "email": "rieng.tu@example.vn",
                    "address": "Số 9, đường Điện Biên, phường Phố Hiến"
                },
                "return_method": "counter",
                "fee_paid": true,
                "fee_receipt_no": "0001235"
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let code = json(r).await["code"].as_str().expect("code").to_owned();
    let queued: Vec<(String, String)> =
        sqlx::query_as("SELECT id, recipient FROM outbox ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .expect("the outbox");
    assert!(queued.len() >= 2, "an e-mail and an SMS: {queued:?}");

    let logs = Captured::default();
    let cfg = NotifyConfig::default();
    let transports = Transports::new(&cfg).expect("transports");
    let report = app
        .app
        .deliver_due_messages(&transports, &cfg)
        .with_subscriber(logs.subscriber())
        .await
        .expect("a delivery pass");
    assert_eq!(report.logged, queued.len(), "{report:?}");

    let text = logs.text();
    for (id, _) in &queued {
        assert!(text.contains(id.as_str()), "the fact, by id: {text}");
    }
    assert!(
        text.contains("channel=sms") && text.contains("channel=email"),
        "{text}"
    );
    for personal in [
        "0987 654 321",
        "0987654321",
        "rieng.tu@example.vn",
        "Lê Thị Riêng Tư",
        "Riêng Tư",
        code.as_str(),
    ] {
        assert!(!text.contains(personal), "{personal} in the log: {text}");
    }
    for (_, recipient) in &queued {
        assert!(!text.contains(recipient.as_str()), "{recipient}: {text}");
    }
}

async fn a_typed_username_is_logged_escaped(app: TestApp) {
    let logs = Captured::default();
    // Usernames are matched in lower case, and logged so.
    let forged = "ke-gian\n2026-12-01t00:00:00z  info signed in username=\"quantri\"";
    let r = app
        .app
        .sign_in(forged, "sai-mat-khau", Some("203.0.113.7"))
        .with_subscriber(logs.subscriber())
        .await;
    assert!(r.is_err());
    // And a known user's failure, for the other line.
    let r = app
        .app
        .sign_in("tiepnhan", "sai-mat-khau", Some("203.0.113.7"))
        .with_subscriber(logs.subscriber())
        .await;
    assert!(r.is_err());
    let text = logs.text();
    assert!(text.contains("sign-in failed"), "{text}");
    assert!(
        text.contains(
            r#"username="ke-gian\n2026-12-01t00:00:00z  info signed in username=\"quantri\"""#
        ),
        "the typed name, quoted and escaped: {text}"
    );
    assert_eq!(text.lines().count(), 2, "one line per event: {text}");
    assert!(
        !text.lines().any(|l| l.starts_with("2026-12-01t00:00:00z")),
        "no forged line: {text}"
    );
}

// ------------------------------------------------------------ SQLite durability

#[tokio::test]
async fn sqlite_synchronous_is_applied_to_every_connection() {
    let path = std::env::temp_dir().join(format!(
        "motcua-sync-{}.sqlite3",
        uuid::Uuid::now_v7().simple()
    ));
    let url = format!("sqlite://{}", path.display());
    for (setting, expected) in [
        (motcua_store::SqliteSynchronous::Normal, 1_i64),
        (motcua_store::SqliteSynchronous::Full, 2),
    ] {
        let db = motcua_store::Db::connect_with(&url, setting)
            .await
            .expect("connect");
        let read: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(db.pool())
            .await
            .expect("pragma");
        assert_eq!(read, expected, "{setting:?}, read connection");
        let mut tx = db.begin_write().await.expect("write transaction");
        let write: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *tx)
            .await
            .expect("pragma");
        assert_eq!(write, expected, "{setting:?}, write connection");
        tx.rollback().await.expect("rollback");
        db.close().await;
    }
    // The default is NORMAL.
    let db = motcua_store::Db::connect(&url).await.expect("connect");
    let read: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(db.pool())
        .await
        .expect("pragma");
    assert_eq!(read, 1);
    db.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
