//! One request, one id: every answer carries `X-Request-Id`, a sane id sent by the
//! caller comes back, any other is replaced, and a fault shows the id to the person.

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    every_response_has_a_request_id,
    a_sane_id_is_echoed_and_an_insane_one_replaced,
    a_fault_of_the_api_shows_the_request_id,
    a_fault_on_a_page_shows_the_request_id
);

fn id_of(r: &reqwest::Response) -> String {
    r.headers()
        .get("x-request-id")
        .expect("an X-Request-Id header")
        .to_str()
        .expect("an ASCII id")
        .to_owned()
}

async fn every_response_has_a_request_id(app: TestApp) {
    let c = app.client();
    let mut seen = Vec::new();
    for path in [
        "/healthz",
        "/dang-nhap",
        "/thu-tuc",
        "/khong-co-trang-nay",
        "/api/v1/me",
        "/api/v1/khong-co",
    ] {
        let r = c.get(app.url(path)).send().await.expect("a response");
        let id = id_of(&r);
        let parsed = uuid::Uuid::parse_str(&id).expect("a generated id is a UUID");
        assert_eq!(parsed.get_version_num(), 7, "{path}: {id}");
        seen.push(id);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6, "one id per request");
}

async fn a_sane_id_is_echoed_and_an_insane_one_replaced(app: TestApp) {
    let c = app.client();
    let sane = "lb-7f3a:42/req_0001";
    let r = c
        .get(app.url("/healthz"))
        .header("x-request-id", sane)
        .send()
        .await
        .expect("a response");
    assert_eq!(id_of(&r), sane);
    let longest = "a".repeat(128);
    let r = c
        .get(app.url("/healthz"))
        .header("x-request-id", &longest)
        .send()
        .await
        .expect("a response");
    assert_eq!(id_of(&r), longest);

    let too_long = "a".repeat(129);
    for insane in [too_long.as_str(), "hai từ", "with space", ""] {
        let value = reqwest::header::HeaderValue::from_bytes(insane.as_bytes())
            .expect("sendable header bytes");
        let r = c
            .get(app.url("/healthz"))
            .header("x-request-id", value)
            .send()
            .await
            .expect("a response");
        let id = id_of(&r);
        assert_ne!(id, insane);
        assert!(
            uuid::Uuid::parse_str(&id).is_ok(),
            "{insane:?} replaced by a fresh id, got {id}"
        );
    }
}

async fn a_fault_of_the_api_shows_the_request_id(app: TestApp) {
    // A real fault: the table the bearer token is looked up in is gone.
    sqlx::query("DROP TABLE api_tokens")
        .execute(app.db.pool())
        .await
        .expect("drop a table");
    let c = app.client();
    let r = c
        .get(app.url("/api/v1/dossiers"))
        .bearer_auth("any-token")
        .send()
        .await
        .expect("a response");
    assert_eq!(r.status(), 500);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let id = id_of(&r);
    let p = json(r).await;
    assert_eq!(p["type"], "urn:motcua:problem:internal");
    assert_eq!(p["request_id"], id.as_str());
    assert_eq!(p["instance"], format!("urn:motcua:request:{id}").as_str());
    let detail = p["detail"].as_str().expect("a detail");
    assert!(!detail.contains("api_tokens"), "no internals: {detail}");

    // The caller's own id is the one shown.
    let r = c
        .get(app.url("/api/v1/dossiers"))
        .bearer_auth("any-token")
        .header("x-request-id", "support-case-17")
        .send()
        .await
        .expect("a response");
    assert_eq!(r.status(), 500);
    assert_eq!(json(r).await["request_id"], "support-case-17");
}

async fn a_fault_on_a_page_shows_the_request_id(app: TestApp) {
    sqlx::query("DROP TABLE sessions")
        .execute(app.db.pool())
        .await
        .expect("drop a table");
    let r = app
        .client()
        .get(app.url("/"))
        .header("cookie", "motcua_session=whatever")
        .send()
        .await
        .expect("a response");
    assert_eq!(r.status(), 500);
    let id = id_of(&r);
    let html = r.text().await.expect("html");
    assert!(html.contains("Lỗi hệ thống"), "{html}");
    assert!(
        html.contains(&format!("Mã yêu cầu: <code>{id}</code>")),
        "{html}"
    );
    assert!(html.contains("vui lòng cung cấp mã này khi liên hệ hỗ trợ"));

    // An error of the request, not a fault, shows no id.
    let r = app
        .client()
        .get(app.url("/khong-co-trang-nay"))
        .send()
        .await
        .expect("a response");
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.expect("html").contains("Mã yêu cầu"));
}
