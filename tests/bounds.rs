//! Bounded input (issue 9): every text, list, number and body has a limit that a
//! real dossier never reaches, answered in Vietnamese; control characters are
//! refused at the edge so that PostgreSQL (which cannot store U+0000) answers like
//! SQLite: 400, never 500.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    online_submission_texts_lists_and_numbers_are_bounded,
    counter_intake_and_actions_are_bounded,
    bodies_over_the_route_limit_are_413_in_vietnamese,
    control_characters_are_400_on_every_kind_of_input,
);

fn submission() -> Value {
    json!({
        "procedure": "1.001193",
        "agency": WARD_A,
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "personal_id": "001087012345",
            "date_of_birth": "05/09/1987",
            "sex": "male",
            "phone": "0912 345 678",
            "address": "Số 5, đường Điện Biên, phường Phố Hiến"
        },
        "return_method": "online"
    })
}

async fn post_public(app: &TestApp, body: &Value) -> (u16, Value, String) {
    // A server may answer an oversized body (413) and close the connection while
    // the client is still writing it; the client then sees a broken pipe instead of
    // the answer. That is HTTP, not a fault: try again, a few times.
    let mut attempt = 0;
    let r = loop {
        attempt += 1;
        match app
            .client()
            .post(app.url("/api/v1/public/submissions"))
            .json(body)
            .send()
            .await
        {
            Ok(r) => break r,
            Err(e) if e.is_request() && attempt < 5 => continue,
            Err(e) => panic!("submit: {e:?}"),
        }
    };
    let status = r.status().as_u16();
    let content_type = content_type(&r);
    (status, r.json().await.unwrap_or(Value::Null), content_type)
}

fn content_type(r: &reqwest::Response) -> String {
    r.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The message of `field` in a problem's `errors`.
fn message<'a>(p: &'a Value, field: &str) -> &'a str {
    p["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["field"] == field)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error on {field}: {p}"))
}

async fn online_submission_texts_lists_and_numbers_are_bounded(app: TestApp) {
    let mut body = submission();
    body["note"] = json!("x".repeat(30 * 1024));
    body["applicant"]["address"] = json!("Số 5 ".repeat(100));
    body["documents"] = json!(vec![json!({"name": "Tờ khai", "originals": 1}); 20_000]);
    body["pages"] = json!(4_294_967_295u32);
    body["copies"] = json!(4_294_967_295u32);
    let (status, p, content_type) = post_public(&app, &body).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(message(&p, "note"), "Ghi chú dài quá 2000 ký tự.");
    assert_eq!(
        message(&p, "applicant.address"),
        "Địa chỉ dài quá 300 ký tự."
    );
    assert_eq!(
        message(&p, "documents"),
        "Giấy tờ: tối đa 100 mục (đã gửi 20000)."
    );
    assert_eq!(message(&p, "pages"), "Số trang từ 1 đến 10.000.");
    assert_eq!(message(&p, "copies"), "Số bản sao từ 1 đến 1.000.");

    // Per paper: a long name and absurd counts.
    let mut body = submission();
    body["documents"] = json!([
        {"name": "T".repeat(501), "originals": 1},
        {"name": "Tờ khai", "photocopies": 65_535}
    ]);
    let (status, p, _) = post_public(&app, &body).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(
        message(&p, "documents[0].name"),
        "Tên giấy tờ dài quá 500 ký tự."
    );
    assert!(message(&p, "documents[1]").contains("tối đa 100"), "{p}");

    // Online, far fewer files than at the counter.
    let mut body = submission();
    let tiny = base64::engine::general_purpose::STANDARD.encode(b"scan");
    body["files"] = json!(vec![json!({"name": "a.jpg", "data_base64": tiny}); 6]);
    let (status, p, _) = post_public(&app, &body).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(
        message(&p, "files"),
        "Tệp đính kèm: tối đa 5 mục (đã gửi 6)."
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);

    // The largest submission within every bound is received.
    let mut body = submission();
    body["note"] = json!("Ghi chú\n".repeat(250));
    body["documents"] = json!(vec![
        json!({"name": "Tờ khai ".repeat(62), "originals": 100});
        100
    ]);
    body["pages"] = json!(10_000);
    body["copies"] = json!(1_000);
    let (status, p, _) = post_public(&app, &body).await;
    assert_eq!(status, 201, "{p}");
}

async fn counter_intake_and_actions_are_bounded(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let http = app.client();
    let mut body = submission();
    body["channel"] = json!("counter");
    body["return_method"] = json!("counter");
    body["agency"] = Value::Null;
    body["sets"] = json!(21);
    body["pages"] = json!(0);
    body["applicant"]["full_name"] = json!("A".repeat(101));
    body["on_behalf_of"] = json!({"full_name": "B".repeat(5000)});
    let r = app
        .send_json(
            &http,
            reqwest::Method::POST,
            "/api/v1/dossiers",
            &token,
            &body,
        )
        .await;
    assert_eq!(r.status(), 400);
    let p = json(r).await;
    assert_eq!(message(&p, "sets"), "Số bộ hồ sơ từ 1 đến 20.");
    assert_eq!(message(&p, "pages"), "Số trang từ 1 đến 10.000.");
    assert_eq!(
        message(&p, "applicant.full_name"),
        "Họ tên dài quá 100 ký tự."
    );
    assert_eq!(
        message(&p, "on_behalf_of.full_name"),
        "Họ tên dài quá 100 ký tự."
    );

    // A received dossier; then an action's reason and list are bounded too.
    let mut body = submission();
    body["channel"] = json!("counter");
    body["return_method"] = json!("counter");
    body["agency"] = Value::Null;
    let r = app
        .send_json(
            &http,
            reqwest::Method::POST,
            "/api/v1/dossiers",
            &token,
            &body,
        )
        .await;
    assert_eq!(r.status(), 201);
    let code = json(r).await["code"].as_str().expect("code").to_owned();
    let r = app
        .send_json(
            &http,
            reqwest::Method::POST,
            format!("/api/v1/dossiers/{code}/actions/reject"),
            &token,
            &json!({"reason": "r".repeat(2001)}),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        message(&json(r).await, "reason"),
        "Lý do dài quá 2000 ký tự."
    );
    let r = app
        .send_json(
            &http,
            reqwest::Method::POST,
            format!("/api/v1/dossiers/{code}/actions/request_supplement"),
            &token,
            &json!({"reason": "Thiếu", "missing": vec!["Giấy"; 51]}),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        message(&json(r).await, "missing"),
        "Giấy tờ cần bổ sung: tối đa 50 mục (đã gửi 51)."
    );
}

async fn bodies_over_the_route_limit_are_413_in_vietnamese(app: TestApp) {
    // 9 MB of JSON to the anonymous endpoint: refused before it is read.
    let mut body = submission();
    body["note"] = json!("x".repeat(9 * 1024 * 1024));
    let (status, p, kind) = post_public(&app, &body).await;
    assert_eq!(status, 413, "{p}");
    assert_eq!(kind, "application/problem+json");
    assert_eq!(p["status"], 413);
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("vượt quá giới hạn"),
        "{p}"
    );

    // The same size is an officer's upload: a counter intake with 6 MB of scans.
    let token = app.token("tiepnhan").await;
    let mut body = submission();
    body["channel"] = json!("counter");
    body["return_method"] = json!("counter");
    body["agency"] = Value::Null;
    let scan = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 6 * 1024 * 1024]);
    body["files"] = json!([{"name": "scan.pdf", "data_base64": scan}]);
    let r = app
        .send_json(
            &app.client(),
            reqwest::Method::POST,
            "/api/v1/dossiers",
            &token,
            &body,
        )
        .await;
    assert_eq!(r.status(), 201);

    // The sign-in form is anonymous: 20 kB is far too much, and said in a page.
    let c = app.browser();
    let big = "x".repeat(20 * 1024);
    let r = app
        .post_form(
            &c,
            "/dang-nhap",
            &[("username", big.as_str()), ("password", "x")],
        )
        .await;
    assert_eq!(r.status(), 413);
    assert!(content_type(&r).starts_with("text/html"));
    assert!(r.text().await.expect("html").contains("vượt quá giới hạn"));

    // The online page (multipart) is bounded like the JSON submission.
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(vec![0u8; 7 * 1024 * 1024]).file_name("scan.jpg"),
    );
    let r = c
        .post(app.url("/nop-truc-tuyen"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 413);
    assert!(r.text().await.expect("html").contains("vượt quá giới hạn"));
}

/// Asserts a 400 problem+json naming the field.
async fn refused_as_problem(r: reqwest::Response, field: &str, what: &str) {
    assert_eq!(r.status(), 400, "{what}");
    assert_eq!(content_type(&r), "application/problem+json", "{what}");
    let p = json(r).await;
    assert!(
        message(&p, field).contains("không được phép"),
        "{what}: {p}"
    );
}

async fn control_characters_are_400_on_every_kind_of_input(app: TestApp) {
    let http = app.client();
    // A query parameter, anonymous.
    let r = http
        .get(app.url("/api/v1/calendar/days?agency=a%00b&from=2026-01-01&to=2026-01-31"))
        .send()
        .await
        .expect("days");
    refused_as_problem(r, "agency", "calendar query").await;
    // A path segment, anonymous.
    let r = http
        .get(app.url("/api/v1/public/dossiers/H33-260101-0001%00"))
        .send()
        .await
        .expect("track");
    refused_as_problem(r, "path", "tracking path").await;
    // A public submission: a JSON field, and a file's name.
    let mut body = submission();
    body["applicant"]["full_name"] = json!("Nguyễn\u{0}Văn An");
    let (status, p, _) = post_public(&app, &body).await;
    assert_eq!(status, 400);
    assert!(message(&p, "applicant.full_name").contains("U+0000"), "{p}");
    let mut body = submission();
    let data = base64::engine::general_purpose::STANDARD.encode(b"scan");
    body["files"] = json!([{"name": "to\u{0}khai.jpg", "data_base64": data}]);
    let (status, p, _) = post_public(&app, &body).await;
    assert_eq!(status, 400);
    assert!(message(&p, "files[0].name").contains("U+0000"), "{p}");
    // A line break in a one-line field is refused by the use case, per field.
    let mut body = submission();
    body["applicant"]["full_name"] = json!("Nguyễn\nVăn An");
    let (status, p, _) = post_public(&app, &body).await;
    assert_eq!(status, 400);
    assert!(
        message(&p, "applicant.full_name").contains("xuống dòng"),
        "{p}"
    );
    // An officer's action.
    let token = app.token("tiepnhan").await;
    let r = app
        .send_json(
            &http,
            reqwest::Method::POST,
            "/api/v1/dossiers/X/actions/reject",
            &token,
            &json!({"reason": "a\u{7f}"}),
        )
        .await;
    refused_as_problem(r, "reason", "action reason").await;
    // A worklist filter of an officer.
    let r = http
        .get(app.url("/api/v1/dossiers?list=all&sector=%1B%5B31m"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list");
    refused_as_problem(r, "sector", "worklist query").await;

    // Pages: the sign-in form's username, the tracking page, the online form.
    let c = app.browser();
    let r = app
        .post_form(
            &c,
            "/dang-nhap",
            &[("username", "tiep\u{0}nhan"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.expect("html").contains("U+0000"));
    let r = c
        .get(app.url("/tra-cuu?ma=%00"))
        .send()
        .await
        .expect("tracking page");
    assert_eq!(r.status(), 400);
    // (A multipart header cannot carry U+0000: a file's name is checked in JSON.)
    let form = reqwest::multipart::Form::new()
        .text("applicant.full_name", "An\u{0}")
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"scan".to_vec()).file_name("a.jpg"),
        );
    let r = c
        .post(app.url("/nop-truc-tuyen"))
        .multipart(form)
        .send()
        .await
        .expect("online form");
    assert_eq!(r.status(), 400);
    assert!(r.text().await.expect("html").contains("U+0000"));
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);
}
