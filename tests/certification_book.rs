//! Closing a certification book (a closed book takes no new number, the next
//! certification opens the next volume) and the counts page with the book's
//! workbooks. Both engines.

use jiff::Timestamp;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    clock = "2026-11-16T09:00:00+07:00".parse::<Timestamp>().expect("instant");
    a_closed_book_takes_no_number_and_the_next_volume_opens,
    counts_page_shows_counts_fees_and_workbooks,
);

fn copy() -> Value {
    json!({
        "kind": "copy",
        "requester_name": "Nguyễn Văn An",
        "requester_id": "001087012345",
        "document_name": "Bằng tốt nghiệp trung học phổ thông",
        "pages": 1,
        "copies": 1,
    })
}

async fn record(app: &TestApp, token: &str) -> Value {
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            "/api/v1/certifications",
            token,
            &copy(),
        )
        .await;
    assert_eq!(r.status(), 201);
    json(r).await
}

async fn close(app: &TestApp, token: &str, kind: &str) -> reqwest::Response {
    app.send_json(
        &app.client(),
        Method::POST,
        "/api/v1/certifications/books/close",
        token,
        &json!({ "kind": kind }),
    )
    .await
}

async fn a_closed_book_takes_no_number_and_the_next_volume_opens(app: TestApp) {
    let counter = app.token("tiepnhan").await;
    let leader = app.token("lanhdao").await;
    let first = record(&app, &counter).await;
    assert_eq!(first["book"], "01/2026-SCT/BS");
    record(&app, &counter).await;

    let r = close(&app, &counter, "copy").await;
    assert_eq!(r.status(), 403, "only a leader closes a book");
    let r = close(&app, &leader, "nonsense").await;
    assert_eq!(r.status(), 400);
    let r = close(&app, &leader, "copy").await;
    assert_eq!(r.status(), 200);
    let closed = json(r).await;
    assert_eq!(closed["book"], "01/2026-SCT/BS");
    assert_eq!(closed["last_number"], 2);
    assert_eq!(closed["next_book"], "02/2026-SCT/BS");
    let r = close(&app, &leader, "electronic_copy").await;
    assert_eq!(
        r.status(),
        409,
        "the copies' book (shared) is already closed"
    );

    let next = record(&app, &counter).await;
    assert_eq!(next["book"], "02/2026-SCT/BS");
    assert_eq!(next["number"], 1);
    // Other books are untouched.
    let mut sig = copy();
    sig["kind"] = json!("signature");
    sig["signature_mode"] = json!("signed");
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            "/api/v1/certifications",
            &counter,
            &sig,
        )
        .await;
    assert_eq!(json(r).await["book"], "01/2026-SCT/CK,ĐC");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certification_books WHERE closed = 1")
            .await,
        1
    );
}

async fn counts_page_shows_counts_fees_and_workbooks(app: TestApp) {
    let counter = app.token("tiepnhan").await;
    record(&app, &counter).await;
    record(&app, &counter).await;

    let browser = app.browser();
    app.signed_in(&browser, "tiepnhan").await;
    let html = browser
        .get(app.url("/chung-thuc/so?from=2026-11-01&to=2026-11-30"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("<td id=\"tong-so-viec\">2</td>"), "{html}");
    assert!(
        html.contains("<td id=\"tong-le-phi\">4.000 đ</td>"),
        "{html}"
    );
    assert!(html.contains("2026-11-16"));
    assert!(!html.contains("id=\"khoa-so\""), "closing is a leader's");
    let link = {
        let marker = "href=\"/chung-thuc/so/so-chung-thuc.xlsx?";
        let i = html.find(marker).expect("a workbook link") + "href=\"".len();
        html[i..]
            .split('"')
            .next()
            .unwrap_or_default()
            .replace("&amp;", "&")
    };
    let r = browser.get(app.url(&link)).send().await.expect("xlsx");
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.expect("bytes").starts_with(b"PK"));
    let r = browser
        .get(app.url("/chung-thuc/so/so-chung-thuc.xlsx?from=2026-11-01&to=2026-11-30&kind=copy"))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);

    // A leader closes the book from the page.
    let leader = app.browser();
    let csrf = app.signed_in(&leader, "lanhdao").await;
    let html = leader
        .get(app.url("/chung-thuc/so"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("id=\"khoa-so\""));
    let r = app
        .post_form(
            &leader,
            "/chung-thuc/so/khoa",
            &[("_csrf", csrf.as_str()), ("kind", "copy")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("back to the counts")
        .to_owned();
    let html = leader
        .get(app.url(&location))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Đã khóa quyển 01/2026-SCT/BS"), "{html}");
}
