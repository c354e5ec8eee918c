//! Certification (chứng thực): the fee table through the API, gap-free numbering
//! under parallel counters, the printed statement, public verification (known,
//! unknown, revoked), hostile input, and the 15:00 / large-request rule that turns
//! a request into an ordinary dossier; on both engines, on a manual clock.

use jiff::Timestamp;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    clock = vn("2026-11-16T09:00:00");
    fee_table_through_the_api,
    numbering_is_unique_and_gap_free_under_parallel_counters,
    statement_prints_number_book_date_and_signer,
    verification_page_known_unknown_and_revoked,
    hostile_input_is_refused_with_every_error,
    late_or_large_requests_become_dossiers_with_an_appointment,
    counter_page_works_without_javascript,
);

/// An instant written in Vietnam's local time (Monday 16/11/2026 is a working day).
fn vn(local: &str) -> Timestamp {
    format!("{local}+07:00")
        .parse()
        .expect("a valid local instant")
}

fn copy_request(pages: i64, copies: i64) -> Value {
    json!({
        "kind": "copy",
        "requester_name": "Nguyễn Văn An",
        "requester_id": "001087012345",
        "document_name": "Bằng tốt nghiệp trung học phổ thông",
        "pages": pages,
        "copies": copies,
    })
}

async fn fee(app: &TestApp, query: &str) -> reqwest::Response {
    app.client()
        .get(app.url(&format!("/api/v1/certification/fee?{query}")))
        .send()
        .await
        .expect("fee")
}

async fn record(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.send_json(
        &app.client(),
        Method::POST,
        "/api/v1/certifications",
        token,
        body,
    )
    .await
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn fee_table_through_the_api(app: TestApp) {
    let cases: &[(&str, i64, &str)] = &[
        ("kind=copy&pages=1", 2_000, "Hai nghìn đồng"),
        ("kind=copy&pages=2", 4_000, "Bốn nghìn đồng"),
        ("kind=copy&pages=3", 5_000, "Năm nghìn đồng"),
        ("kind=copy&pages=250", 200_000, "Hai trăm nghìn đồng"),
        ("kind=copy&pages=3&copies=2", 10_000, "Mười nghìn đồng"),
        (
            "kind=copy&pages=250&copies=3",
            600_000,
            "Sáu trăm nghìn đồng",
        ),
        ("kind=signature&copies=3", 30_000, "Ba mươi nghìn đồng"),
        ("kind=contract&pages=12", 50_000, "Năm mươi nghìn đồng"),
        ("kind=contract_amendment", 30_000, "Ba mươi nghìn đồng"),
    ];
    for (query, total, words) in cases {
        let r = fee(&app, query).await;
        assert_eq!(r.status(), 200, "{query}");
        let body = json(r).await;
        assert_eq!(body["total"], *total, "{query}: {body}");
        assert_eq!(body["in_words"], *words, "{query}");
        let sum: i64 = body["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| l["amount"].as_i64().expect("amount"))
            .sum();
        assert_eq!(sum, *total, "{query}: the lines add up");
    }
    let capped = json(fee(&app, "kind=copy&pages=250&copies=2").await).await;
    assert_eq!(
        capped["lines"][0]["label"],
        "Lệ phí chứng thực bản sao từ bản chính — 250 trang, tối đa 200.000 đ/bản"
    );

    // Nonsense: 400 problem+json naming every field at once.
    let r = fee(&app, "kind=copy&pages=0&copies=-2").await;
    assert_eq!(r.status(), 400);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("application/problem+json"));
    let problem = json(r).await;
    let f = fields(&problem);
    assert!(
        f.contains(&"pages".to_owned()) && f.contains(&"copies".to_owned()),
        "{problem}"
    );
    for query in [
        "kind=stamp&pages=1",
        "pages=1",
        "kind=copy",
        "kind=copy&pages=abc",
        "kind=copy&pages=99999999999999999999999",
        "kind=copy&pages=10001",
        "kind=copy&pages=1&copies=1001",
        "kind=co%00py&pages=1",
    ] {
        let r = fee(&app, query).await;
        assert_eq!(r.status(), 400, "{query}");
        let problem = json(r).await;
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{query}: {problem}"
        );
    }
}

async fn numbering_is_unique_and_gap_free_under_parallel_counters(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let client = app.client();
        let url = app.url("/api/v1/certifications");
        let token = token.clone();
        let body = copy_request(1 + i % 4, 1);
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", format!("parallel-{i}"))
                .json(&body)
                .send()
                .await
                .expect("record");
            let status = r.status();
            let body = r.json::<Value>().await.expect("json");
            assert_eq!(status, 201, "{body}");
            body
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        let c = t.await.expect("task");
        assert_eq!(c["disposition"], "same_day", "{c}");
        assert_eq!(c["book"], "01/2026-SCT/BS");
        numbers.push(c["number"].as_i64().expect("a number"));
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<i64>>());

    // A repeat with the same key answers the first answer; no number is taken.
    let again = app
        .client()
        .post(app.url("/api/v1/certifications"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "parallel-3")
        .json(&copy_request(4, 1))
        .send()
        .await
        .expect("repeat");
    assert_eq!(again.status(), 201);
    let again = json(again).await;
    assert!(again["number"]
        .as_i64()
        .is_some_and(|n| (1..=20).contains(&n)));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certification_entries")
            .await,
        20
    );

    // Another book (signatures) starts at 1; another ward has its own books.
    let mut sig = copy_request(2, 1);
    sig["kind"] = json!("signature");
    sig["signature_mode"] = json!("fingerprint");
    let s = json(record(&app, &token, &sig).await).await;
    assert_eq!(
        (s["number"].as_i64(), s["book"].as_str()),
        (Some(1), Some("01/2026-SCT/CK,ĐC"))
    );
    let other = app.token("tiepnhan.hht").await;
    let r = record(&app, &other, &copy_request(1, 1)).await;
    // That ward has no leader to sign: told so, in Vietnamese, naming the field.
    if r.status() == 201 {
        assert_eq!(json(r).await["number"], 1);
    } else {
        assert_eq!(r.status(), 400);
        assert_eq!(fields(&json(r).await), vec!["signer".to_owned()]);
    }

    // The book lists them in order, and as a workbook.
    let list = app
        .client()
        .get(app.url("/api/v1/certifications?from=2026-11-16&to=2026-11-16&kind=copy"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list");
    assert_eq!(list.status(), 200);
    let list = json(list).await;
    let listed: Vec<i64> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["number"].as_i64())
        .collect();
    assert_eq!(listed, (1..=20).collect::<Vec<i64>>());
    let xlsx = app
        .client()
        .get(app.url("/api/v1/certifications?from=16/11/2026&kind=copy&format=xlsx"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.expect("bytes").starts_with(b"PK"));

    // Counts per day with fees, for the ward and, for the supervisor, the province.
    let supervisor = app.token("giamsat").await;
    let counts = app
        .client()
        .get(app.url(&format!(
            "/api/v1/certifications/counts?agency={PROVINCE}&from=2026-11-01&to=2026-11-30&by=month&scope=subtree"
        )))
        .bearer_auth(&supervisor)
        .send()
        .await
        .expect("counts");
    assert_eq!(counts.status(), 200);
    let counts = json(counts).await;
    let copies = counts["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["kind"] == "copy")
        .cloned()
        .expect("a copy row");
    assert_eq!(copies["period"], "2026-11");
    assert!(copies["requests"].as_i64().is_some_and(|n| n >= 20));
    // 20 requests of 1–4 pages: 5 × (2.000 + 4.000 + 5.000 + 6.000) = 85.000 đ.
    assert!(
        copies["fees"].as_i64().is_some_and(|f| f >= 85_000),
        "{copies}"
    );
    // An officer of another ward may not read this one's book.
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/certifications?agency={WARD_A}")))
        .bearer_auth(&other)
        .send()
        .await
        .expect("foreign list");
    assert_eq!(r.status(), 403);
}

async fn statement_prints_number_book_date_and_signer(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let c = json(record(&app, &token, &copy_request(3, 2)).await).await;
    assert_eq!(c["number"], 1);
    assert_eq!(c["fee"]["total"], 10_000);
    assert_eq!(
        c["statement"],
        json!([
            "Chứng thực bản sao đúng với bản chính.",
            "Số chứng thực 1, Quyển số 01/2026-SCT/BS",
            "Ngày 16 tháng 11 năm 2026"
        ])
    );
    let pdf = app
        .client()
        .get(app.url(&format!(
            "/api/v1/certifications/{}/statement.pdf",
            c["id"].as_str().expect("id")
        )))
        .bearer_auth(&token)
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), 200);
    let bytes = pdf.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"%PDF"));
    match motcua_docs::testing::pdf_text(&bytes).expect("pdftotext") {
        None => eprintln!("pdftotext is not installed: statement text not checked"),
        Some(text) => {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for expected in [
                "Chứng thực bản sao đúng với bản chính.",
                "Số chứng thực 1, Quyển số 01/2026-SCT/BS",
                "Ngày 16 tháng 11 năm 2026",
                "NGƯỜI THỰC HIỆN CHỨNG THỰC",
                "CHỦ TỊCH",
                "Đỗ Minh Tuấn",
                "Lệ phí: 10.000 đ (Mười nghìn đồng)",
            ] {
                assert!(flat.contains(expected), "{expected:?} in {flat:?}");
            }
        }
    }
    // A signature by someone who can neither sign nor fingerprint.
    let mut sig = copy_request(1, 1);
    sig["kind"] = json!("signature");
    sig["signature_mode"] = json!("neither");
    sig["signer_title"] = json!("Phó Chủ tịch");
    let s = json(record(&app, &token, &sig).await).await;
    assert!(s["statement"][1]
        .as_str()
        .is_some_and(|t| t.contains("không ký, không điểm chỉ được")));
    assert_eq!(s["signer_title"], "Phó Chủ tịch");
}

async fn verification_page_known_unknown_and_revoked(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let c = json(record(&app, &token, &copy_request(1, 1)).await).await;
    let url = c["verification_url"].as_str().expect("a verification URL");
    let path = url.strip_prefix(&app.base).expect("on this server");
    let page = app.client().get(app.url(path)).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("UBND phường Phố Hiến"), "{html}");
    assert!(html.contains("01/2026-SCT/BS"));
    assert!(html.contains("chưa bị thu hồi"));

    let unknown = app
        .client()
        .get(app.url("/xac-minh/khong-co-ma-nay"))
        .send()
        .await
        .expect("unknown");
    assert_eq!(unknown.status(), 404);
    assert!(unknown
        .text()
        .await
        .expect("html")
        .contains("Không tìm thấy giấy tờ có mã xác minh này"));

    let token_part = path.trim_start_matches("/xac-minh/");
    let revoke = format!("/api/v1/issued/{token_part}/revoke");
    let body = json!({"reason": "Cấp nhầm người yêu cầu"});
    let r = app
        .send_json(&app.client(), Method::POST, &revoke, &token, &body)
        .await;
    assert_eq!(r.status(), 403, "a counter officer may not revoke");
    let leader = app.token("lanhdao").await;
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            &revoke,
            &leader,
            &json!({"reason": " "}),
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = app
        .send_json(&app.client(), Method::POST, &revoke, &leader, &body)
        .await;
    assert_eq!(r.status(), 200);
    assert!(json(r).await["revoked_at"].is_string());
    let r = app
        .send_json(&app.client(), Method::POST, &revoke, &leader, &body)
        .await;
    assert_eq!(r.status(), 409);
    let html = app
        .client()
        .get(app.url(path))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("đã bị thu hồi") && html.contains("Cấp nhầm người yêu cầu"));
}

async fn hostile_input_is_refused_with_every_error(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let r = record(
        &app,
        &token,
        &json!({
            "kind": "stamp",
            "requester_name": "",
            "requester_id": "12345",
            "document_name": "",
            "pages": 0,
            "copies": -1,
        }),
    )
    .await;
    assert_eq!(r.status(), 400);
    let f = fields(&json(r).await);
    for field in [
        "kind",
        "requester_name",
        "requester_id",
        "document_name",
        "copies",
    ] {
        assert!(f.contains(&field.to_owned()), "{field} in {f:?}");
    }
    let mut nul = copy_request(1, 1);
    nul["requester_name"] = json!("Nguyễn\u{0}An");
    assert_eq!(record(&app, &token, &nul).await.status(), 400);
    let mut huge = copy_request(1, 1);
    huge["document_name"] = json!("x".repeat(5_000));
    assert_eq!(record(&app, &token, &huge).await.status(), 400);
    let mut many = copy_request(1, 1);
    many["pages"] = json!(i64::MAX);
    assert_eq!(record(&app, &token, &many).await.status(), 400);
    let mut signer = copy_request(1, 1);
    signer["signer"] = json!("chuyenvien");
    let r = record(&app, &token, &signer).await;
    assert_eq!(r.status(), 400, "only a leader signs");
    assert_eq!(fields(&json(r).await), vec!["signer".to_owned()]);
    // A specialist may record (the table allows it); a supervisor may not.
    let supervisor = app.token("giamsat").await;
    assert_eq!(
        record(&app, &supervisor, &copy_request(1, 1))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certification_entries")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM issued_documents").await, 0);
}

async fn late_or_large_requests_become_dossiers_with_an_appointment(app: TestApp) {
    let token = app.token("tiepnhan").await;
    // 300 pages in the morning: large, +2 working days (Wednesday 18/11).
    let large = json(record(&app, &token, &copy_request(300, 1)).await).await;
    assert_eq!(large["disposition"], "large", "{large}");
    assert!(large["number"].is_null());
    assert_eq!(large["fee"]["total"], 200_000);
    let due: Timestamp = large["due_at"]
        .as_str()
        .expect("due")
        .parse()
        .expect("instant");
    assert_eq!(
        due.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
            .date(),
        jiff::civil::date(2026, 11, 18)
    );
    let code = large["dossier_code"]
        .as_str()
        .expect("a dossier")
        .to_owned();
    let d = app
        .client()
        .get(app.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("dossier");
    assert_eq!(d.status(), 200);
    let d = json(d).await;
    assert_eq!(d["procedure"], "2.000815");
    assert_eq!(d["status"], "received");

    // 15:30: received after the cut-off, due the next working day (Tuesday 17/11).
    app.clock().set(vn("2026-11-16T15:30:00"));
    let r = app
        .client()
        .post(app.url("/api/v1/certifications"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "late-1")
        .json(&copy_request(2, 1))
        .send()
        .await
        .expect("late");
    assert_eq!(r.status(), 201);
    let late = json(r).await;
    assert_eq!(late["disposition"], "late", "{late}");
    let due: Timestamp = late["due_at"]
        .as_str()
        .expect("due")
        .parse()
        .expect("instant");
    assert_eq!(
        due.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
            .date(),
        jiff::civil::date(2026, 11, 17)
    );
    // Retried: the same dossier, one entry.
    let again = app
        .client()
        .post(app.url("/api/v1/certifications"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "late-1")
        .json(&copy_request(2, 1))
        .send()
        .await
        .expect("late again");
    assert_eq!(json(again).await["dossier_code"], late["dossier_code"]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certification_entries")
            .await,
        2
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certification_books").await,
        0
    );

    // Checked later, the large request is certified: it takes the book's next number.
    let certify = format!(
        "/api/v1/certifications/{}/certify",
        large["id"].as_str().expect("id")
    );
    let r = app
        .send_json(&app.client(), Method::POST, &certify, &token, &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let done = json(r).await;
    assert_eq!(done["number"], 1);
    assert_eq!(done["book"], "01/2026-SCT/BS");
    assert_eq!(done["dossier_code"], large["dossier_code"]);
    assert!(done["verification_url"].is_string());
    let r = app
        .send_json(&app.client(), Method::POST, &certify, &token, &json!({}))
        .await;
    assert_eq!(r.status(), 409, "certified once");
}

async fn counter_page_works_without_javascript(app: TestApp) {
    let browser = app.browser();
    let csrf = app.signed_in(&browser, "tiepnhan").await;
    let page = browser
        .get(app.url("/chung-thuc"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("id=\"requester_name\"") && html.contains("autofocus"));
    assert!(
        html.contains("2.000 đ (Hai nghìn đồng)"),
        "the fee of one page shows"
    );
    let idem = {
        let marker = "name=\"_idem\" value=\"";
        let i = html.find(marker).expect("an idempotency key") + marker.len();
        html[i..].split('"').next().unwrap_or_default().to_owned()
    };

    // The fee fragment htmx asks for as pages and copies change.
    let fragment = browser
        .get(app.url("/chung-thuc/le-phi?kind=copy&pages=3&copies=1"))
        .send()
        .await
        .expect("fee")
        .text()
        .await
        .expect("text");
    assert_eq!(fragment, "5.000 đ (Năm nghìn đồng)");

    // Without JavaScript: "Tính lệ phí" shows the fee, nothing is recorded.
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("_idem", idem.as_str()),
        ("kind", "copy"),
        ("signature_mode", "signed"),
        ("requester_name", "Trần Thị Bình"),
        ("requester_id", "001187012345"),
        ("document_name", "Giấy khai sinh"),
        ("pages", "3"),
        ("copies", "2"),
        ("signer_title", "Chủ tịch"),
    ];
    let mut with_step = fields.clone();
    with_step.push(("_buoc", "tinh-le-phi"));
    let r = app.post_form(&browser, "/chung-thuc", &with_step).await;
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .expect("html")
        .contains("10.000 đ (Mười nghìn đồng)"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certification_entries")
            .await,
        0
    );

    let r = app.post_form(&browser, "/chung-thuc", &fields).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Đã chứng thực: số 1, quyển số 01/2026-SCT/BS"),
        "{html}"
    );
    assert!(html.contains("id=\"viec-tiep-theo\" href=\"/chung-thuc\" autofocus"));
    let pdf_link = {
        let marker = "href=\"/chung-thuc/";
        let i = html.find(marker).expect("the statement link") + "href=\"".len();
        html[i..].split('"').next().unwrap_or_default().to_owned()
    };
    let pdf = browser.get(app.url(&pdf_link)).send().await.expect("pdf");
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF"));

    // Every error at once, in Vietnamese, the typed values kept.
    fields[5] = ("requester_id", "12");
    fields[6] = ("document_name", "");
    fields[7] = ("pages", "0");
    fields[1] = ("_idem", "another-key");
    let r = app.post_form(&browser, "/chung-thuc", &fields).await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    for id in ["requester_id-loi", "document_name-loi", "pages-loi"] {
        assert!(html.contains(id), "{id}");
    }
    assert!(html.contains("Trần Thị Bình"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certification_entries")
            .await,
        1
    );
}
