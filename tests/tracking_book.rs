//! Form 07 of TT 03/2025/TT-VPCP, the dossier tracking book, as PDF and .xlsx, from
//! the API and from the report page, on both engines.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    tracking_book_lists_the_period_as_pdf_and_workbook,
    tracking_book_refuses_bad_input_and_other_agencies,
);

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app
        .send_json(&app.client(), Method::POST, path, token, &body)
        .await;
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status < 300, "{path}: {status} {v}");
    v
}

fn today(app: &TestApp) -> String {
    app.app.today().to_string()
}

async fn get_bytes(app: &TestApp, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let r = app
        .client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, ct, r.bytes().await.expect("body").to_vec())
}

async fn tracking_book_lists_the_period_as_pdf_and_workbook(app: TestApp) {
    let counter = app.token("tiepnhan").await;
    let leader = app.token("lanhdao").await;
    let mut codes = Vec::new();
    for (name, address) in [
        ("Nguyễn Văn Sổ", "Số 7, phố Chợ Gạo, phường Phố Hiến"),
        ("Trần Thị Theo", "Thôn Đông, phường Phố Hiến"),
    ] {
        let d = post(
            &app,
            &counter,
            "/api/v1/dossiers",
            json!({
                "procedure": "1.000689",
                "channel": "counter",
                "applicant": {"full_name": name, "personal_id": "001087012345", "address": address, "phone": "0912345678"},
                "return_method": "counter",
                "fee_paid": true,
            }),
        )
        .await;
        codes.push(d["code"].as_str().expect("code").to_owned());
    }
    // The first is passed to a specialist: the book names whom.
    post(
        &app,
        &leader,
        &format!("/api/v1/dossiers/{}/actions/assign", codes[0]),
        json!({"assignee": "chuyenvien"}),
    )
    .await;
    let specialist_name: String =
        sqlx::query_scalar("SELECT full_name FROM users WHERE username = 'chuyenvien'")
            .fetch_one(app.db.pool())
            .await
            .expect("name");
    let day = today(&app);
    let query = format!("agency={WARD_A}&from={day}&to={day}");

    let (status, ct, pdf) = get_bytes(
        &app,
        &counter,
        &format!("/api/v1/reports/tracking-book?{query}&format=pdf"),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF"));
    match motcua_docs::testing::pdf_text(&pdf).expect("pdftotext") {
        Some(text) => {
            let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for want in [
                "SỔ THEO DÕI HỒ SƠ",
                "Mẫu số 07",
                codes[0].as_str(),
                codes[1].as_str(),
                "Nguyễn Văn Sổ",
                "Chợ Gạo",
                specialist_name.as_str(),
                "Ký nhận",
            ] {
                assert!(
                    text.to_lowercase().contains(&want.to_lowercase()),
                    "{want} in {text}"
                );
            }
        }
        None => eprintln!("skipped the text check: pdftotext not installed"),
    }
    // The paper is A4 landscape.
    if motcua_docs::testing::tool_available("pdfinfo") {
        let path = std::env::temp_dir().join(format!("book-{}.pdf", unique()));
        std::fs::write(&path, &pdf).expect("write");
        let out = std::process::Command::new("pdfinfo")
            .arg(&path)
            .output()
            .expect("pdfinfo");
        let _ = std::fs::remove_file(&path);
        let info = String::from_utf8_lossy(&out.stdout);
        assert!(
            info.contains("841.89 x 595.276") || info.contains("842 x 595"),
            "{info}"
        );
    }

    let (status, ct, bytes) = get_bytes(
        &app,
        &counter,
        &format!("/api/v1/reports/tracking-book?{query}&format=xlsx"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let range = wb.worksheet_range("So theo doi ho so").expect("sheet");
    let text = |r: u32, c: u32| match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        None | Some(Data::Empty) => String::new(),
        other => format!("{other:?}"),
    };
    let headings: Vec<String> = (0..11).map(|c| text(5, c)).collect();
    assert_eq!(headings[0], "STT");
    assert_eq!(headings[1], "Mã hồ sơ");
    assert!(headings[6].starts_with("Chuyển hồ sơ"), "{headings:?}");
    assert!(headings[9].starts_with("Ký nhận"), "{headings:?}");
    assert_eq!((text(7, 0), text(7, 1)), ("1".into(), codes[0].clone()));
    assert!(text(7, 3).contains("Nguyễn Văn Sổ") && text(7, 3).contains("Chợ Gạo"));
    assert_eq!(text(7, 6), specialist_name);
    assert_eq!((text(8, 0), text(8, 1)), ("2".into(), codes[1].clone()));
    assert_eq!(text(8, 6), "");
    assert!(matches!(range.get_value((9, 1)), None | Some(Data::Empty)));

    // The report page offers the book for its agency and period; it downloads.
    let browser = app.browser();
    app.signed_in(&browser, "tiepnhan").await;
    let html = browser
        .get(app.url(&format!("/bao-cao?{query}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Sổ theo dõi hồ sơ (mẫu số 07)"), "{html}");
    assert!(html.contains("/bao-cao/so-theo-doi.pdf?"), "{html}");
    for ext in ["pdf", "xlsx"] {
        let r = browser
            .get(app.url(&format!("/bao-cao/so-theo-doi.{ext}?{query}")))
            .send()
            .await
            .expect("download");
        assert_eq!(r.status(), 200, "{ext}");
        assert!(r.headers()["content-disposition"]
            .to_str()
            .expect("header")
            .contains(&format!(".{ext}")));
    }
}

async fn tracking_book_refuses_bad_input_and_other_agencies(app: TestApp) {
    let officer = app.token("tiepnhan").await;
    for (query, field) in [
        ("from=2025-13-01&to=2025-12-31", "from"),
        ("to=2025-12-31", "from"),
        ("from=31/02/2025&to=2025-12-31", "from"),
        ("from=2025-02-01&to=2025-01-31", "to"),
        ("from=2025-01-01&to=2025-01-31&format=docx", "format"),
    ] {
        let r = app
            .client()
            .get(app.url(&format!("/api/v1/reports/tracking-book?{query}")))
            .bearer_auth(&officer)
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 400, "{query}");
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{query}"
        );
        let p: Value = r.json().await.expect("problem");
        assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    let r = app
        .client()
        .get(app.url(&format!(
            "/api/v1/reports/tracking-book?agency={WARD_B}&from=2025-01-01&to=2025-01-31"
        )))
        .bearer_auth(&officer)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = app
        .client()
        .get(app.url("/api/v1/reports/tracking-book?from=2025-01-01&to=2025-01-31"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 401);
    // The OpenAPI document describes it.
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    assert!(doc["paths"]["/api/v1/reports/tracking-book"]["get"].is_object());
}
