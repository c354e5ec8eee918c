//! Certified extracts of civil-status entries: the PDF (text and QR), the issued
//! document and its public verification page, on both engines.

use std::collections::BTreeMap;

use motcua_app::Principal;
use motcua_domain::civil::Cell;
use reqwest::Method;
use serde_json::json;
use sha2::Digest as _;

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    extract_prints_current_values_and_verifies,
    extract_input_is_checked_and_scoped,
);

pub(crate) async fn principal(app: &TestApp, username: &str) -> Principal {
    let token = app.token(username).await;
    Principal::User(
        app.app
            .token_actor(&token, None)
            .await
            .expect("actor")
            .expect("known token"),
    )
}

pub(crate) fn cells(pairs: &[(&str, &str)]) -> BTreeMap<String, Cell> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Cell::Text((*v).to_owned())))
        .collect()
}

async fn historical_birth(app: &TestApp) -> String {
    let officer = principal(app, "chuyenvien").await;
    let mut c = cells(&[
        ("registered_on", "10/03/2014"),
        ("full_name", "Nguyễn Văn Đúc"),
        ("sex", "Nam"),
        ("date_of_birth", "05/03/2014"),
        ("mother_name", "Trần Thị Hoa"),
        ("book", "01/2014"),
    ]);
    c.insert("number".into(), Cell::Integer(37));
    let e = app
        .app
        .registers()
        .create(&officer, WARD_A, "birth", false, &c)
        .await
        .expect("entry");
    app.app
        .registers()
        .add_note(
            &officer,
            &e.id,
            "correction",
            "02/01/2015",
            &cells(&[("full_name", "Nguyễn Văn Đức")]),
            "Viết sai dấu",
            None,
        )
        .await
        .expect("correction");
    e.id
}

async fn extract_prints_current_values_and_verifies(app: TestApp) {
    let id = historical_birth(&app).await;
    let token = app.token("chuyenvien").await;
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            format!("/api/v1/civil-events/{id}/extracts"),
            &token,
            &json!({"copies": 2}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["x-fee-total"], "16000", "8.000 đ a copy");
    let url = r.headers()["x-verification-url"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let pdf = r.bytes().await.expect("pdf").to_vec();
    assert!(pdf.starts_with(b"%PDF"));
    match motcua_docs::testing::pdf_text(&pdf).expect("pdftotext") {
        None => eprintln!("pdftotext is not installed: extract text not checked"),
        Some(text) => {
            for needle in [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
                "TRÍCH LỤC KHAI SINH (BẢN SAO)",
                // The current name, after the correction, not the one first written.
                "Nguyễn Văn Đức",
                "05/03/2014",
                "Trần Thị Hoa",
                "01/2014",
                "Số: 37",
                "10/03/2014",
                "Số bản sao: 02",
                "16.000 đ",
            ] {
                assert!(text.contains(needle), "«{needle}» missing in:\n{text}");
            }
            assert!(!text.contains("Nguyễn Văn Đúc\n"), "{text}");
        }
    }
    match motcua_docs::testing::pdf_qr_texts(&pdf).expect("rasterise") {
        None => eprintln!("pdftoppm is not installed: QR not decoded"),
        Some(codes) => assert_eq!(codes, std::slice::from_ref(&url)),
    }
    let path = url
        .strip_prefix(&app.base)
        .expect("on this server")
        .to_owned();
    assert!(path.starts_with("/xac-minh/"));
    let page = app.client().get(app.url(&path)).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    for needle in [
        "Trích lục khai sinh (bản sao)",
        "Nguyễn Văn Đức",
        "05/03/2014",
        "01/2014 (2014)",
        ">37<",
        "Số đăng ký",
        "UBND phường Phố Hiến",
        "chưa bị thu hồi",
        &hex::encode(sha2::Sha256::digest(&pdf)),
    ] {
        assert!(html.contains(needle), "«{needle}» missing in:\n{html}");
    }
    // Only what is needed to compare: not the mother's name.
    assert!(!html.contains("Trần Thị Hoa"), "{html}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM issued_documents WHERE kind = 'civil_extract'")
            .await,
        1
    );

    let unknown = app
        .client()
        .get(app.url("/xac-minh/khong-co-trich-luc-nay"))
        .send()
        .await
        .expect("unknown");
    assert_eq!(unknown.status(), 404);
    assert!(unknown
        .text()
        .await
        .expect("html")
        .contains("Không tìm thấy giấy tờ có mã xác minh này"));

    let leader = app.token("lanhdao").await;
    let revoke = format!(
        "/api/v1/issued/{}/revoke",
        path.trim_start_matches("/xac-minh/")
    );
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            &revoke,
            &leader,
            &json!({"reason": "In sai số bản"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = app
        .client()
        .get(app.url(&path))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("đã bị thu hồi") && html.contains("In sai số bản"));
}

async fn extract_input_is_checked_and_scoped(app: TestApp) {
    let id = historical_birth(&app).await;
    let token = app.token("chuyenvien").await;
    let post = |token: String, id: String, body: serde_json::Value| {
        let app = &app;
        async move {
            app.send_json(
                &app.client(),
                Method::POST,
                format!("/api/v1/civil-events/{id}/extracts"),
                &token,
                &body,
            )
            .await
        }
    };
    let r = post(token.clone(), id.clone(), json!({"copies": 0})).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = post(token.clone(), "khong-co".into(), json!({"copies": 1})).await;
    assert_eq!(r.status(), 404);
    // A counter officer reads the registers but does not issue from them.
    let counter = app.token("tiepnhan").await;
    let r = post(counter, id.clone(), json!({"copies": 1})).await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM issued_documents WHERE kind = 'civil_extract'")
            .await,
        0,
        "nothing issued by a refused request"
    );

    // The entry page offers the extract with its fee, and the form prints it.
    let browser = app.browser();
    let csrf = app.signed_in(&browser, "chuyenvien").await;
    let html = browser
        .get(app.url(&format!("/ho-tich/{id}")))
        .send()
        .await
        .expect("entry page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("Cấp bản sao trích lục") && html.contains("8.000 đ"),
        "{html}"
    );
    let r = app
        .post_form(
            &browser,
            format!("/ho-tich/{id}/trich-luc"),
            &[("_csrf", &csrf), ("copies", "hai")],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .expect("html")
        .contains("Số bản sao phải là một số nguyên"));
    let r = app
        .post_form(
            &browser,
            format!("/ho-tich/{id}/trich-luc"),
            &[("_csrf", &csrf), ("copies", "1")],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
}
