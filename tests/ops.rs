//! Health, readiness, metrics, static assets and the page shell.

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    health_readiness_and_metrics,
    assets_are_served_from_the_binary
);

async fn health_readiness_and_metrics(app: TestApp) {
    let c = app.client();
    assert_eq!(
        c.get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        c.get(app.url("/readyz")).send().await.unwrap().status(),
        200
    );
    let token = app.token("tiepnhan").await;
    for _ in 0..3 {
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
    }
    let r = c.get(app.url("/metrics")).send().await.unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let text = r.text().await.unwrap();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/api/v1/me",status="200"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_request_duration_seconds_bucket{le="#)
            || text.contains("http_request_duration_seconds_count{")
    );
    assert!(text.contains("db_pool_connections_open"));
    // SQLite's writer counts the transactions it committed and the commits that
    // held them (group commit); PostgreSQL has no such writer.
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<i64>().ok())
            .unwrap_or_else(|| panic!("{name} in {text}"))
    };
    let (units, commits) = (
        value("db_sqlite_writer_units "),
        value("db_sqlite_writer_commits "),
    );
    match app.db.engine() {
        motcua_store::Engine::Sqlite => {
            assert!(commits > 0 && units >= commits, "{units} in {commits}")
        }
        motcua_store::Engine::Postgres => assert_eq!((units, commits), (0, 0)),
    }
    // A 404 page is Vietnamese.
    let r = c.get(app.url("/khong-co-trang-nay")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Không tìm thấy trang"));
}

async fn assets_are_served_from_the_binary(app: TestApp) {
    let c = app.client();
    let html = c
        .get(app.url("/dang-nhap"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"vi\">"));
    assert!(!html.contains("https://"), "no external CDN");
    for (path, mime) in [
        ("/static/app.css", "text/css; charset=utf-8"),
        ("/static/htmx.min.js", "text/javascript; charset=utf-8"),
        (
            "/static/fonts/be-vietnam-pro-vietnamese-400-normal.woff2",
            "font/woff2",
        ),
    ] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], mime);
    }
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
}
