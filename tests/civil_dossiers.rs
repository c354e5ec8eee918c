//! Register entries in the dossier flow: a civil-status dossier declares its
//! entry's facts at intake, the specialist sees possible duplicates, and the
//! leader's approval writes the entry (or the correction's note) and its extract
//! as the result in the approval's transaction; on both engines.

use motcua_app::Principal;
use reqwest::Method;
use serde_json::{json, Value};

use crate::civil_extracts::{cells, principal};
use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    approving_a_birth_dossier_writes_the_next_entry_and_its_extract,
    approval_is_refused_when_the_book_is_closed_and_writes_nothing,
    a_correction_dossier_adds_a_dated_note,
    a_correction_dossier_finds_its_entry_by_book_and_number,
    declared_facts_are_checked_at_intake,
    pages_ask_for_the_facts_and_show_duplicates_and_the_entry,
    an_extract_dossier_copies_the_named_entry_and_goes_by_post,
    the_specialist_records_the_facts_the_intake_lacked,
    the_specialist_records_the_facts_on_the_page,
    a_birth_combined_with_recognition_writes_both_registers,
    a_guardianship_ends_by_a_dossier_once,
    a_refused_approval_gives_back_the_number_it_took,
);

fn birth_intake(name: &str) -> Value {
    json!({
        "procedure": "1.001193",
        "channel": "counter",
        "applicant": {"full_name": "Trần Thị Hoa", "personal_id": "001190012345", "phone": "0912345678"},
        "return_method": "counter",
        "fee_paid": true,
        "civil": {"fields": {
            "full_name": name,
            "sex": "Nam",
            "date_of_birth": format!("01/01/{}", this_year()),
            "place_of_birth": "Trạm y tế phường Phố Hiến",
            "mother_name": "Trần Thị Hoa"
        }}
    })
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let r = app
        .send_json(&app.client(), Method::POST, path, token, &body)
        .await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Receives `body` and takes it to the leader's desk; its code.
async fn to_approval(app: &TestApp, body: Value) -> String {
    let counter = app.token("tiepnhan").await;
    let specialist = app.token("chuyenvien").await;
    let (status, d) = post(app, &counter, "/api/v1/dossiers", body).await;
    assert_eq!(status, 201, "{d}");
    let code = d["code"].as_str().expect("code").to_owned();
    for (token, action, body) in [
        (&counter, "assign", json!({"assignee": "chuyenvien"})),
        (&specialist, "start", json!({})),
        (&specialist, "submit_for_approval", json!({})),
    ] {
        let (status, d) = post(
            app,
            token,
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            body,
        )
        .await;
        assert_eq!(status, 200, "{action}: {d}");
    }
    code
}

async fn approve(app: &TestApp, code: &str) -> (u16, Value) {
    let leader = app.token("lanhdao").await;
    post(
        app,
        &leader,
        &format!("/api/v1/dossiers/{code}/actions/approve"),
        json!({}),
    )
    .await
}

fn this_year() -> i16 {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").expect("tz"))
        .year()
}

async fn approving_a_birth_dossier_writes_the_next_entry_and_its_extract(app: TestApp) {
    let officer = principal(&app, "chuyenvien").await;
    // Already in this year's book: number 1, the same child as the dossier's.
    let first = app
        .app
        .registers()
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &cells(&[
                ("registered_on", &format!("02/01/{}", this_year())),
                ("full_name", "NGUYEN VAN BINH"),
                ("sex", "Nam"),
                ("date_of_birth", &format!("01/01/{}", this_year())),
            ]),
        )
        .await
        .expect("entry");
    assert_eq!(first.number, 1);
    let code = to_approval(&app, birth_intake("Nguyễn Văn Bình")).await;
    let specialist = match principal(&app, "chuyenvien").await {
        Principal::User(a) => a,
        Principal::System => unreachable!(),
    };
    let before = app
        .app
        .registers()
        .of_dossier(&specialist, &code)
        .await
        .expect("register side")
        .expect("a civil-status dossier");
    assert_eq!(before.entry_id, None);
    let dupes: Vec<i64> = before
        .possible_duplicates
        .iter()
        .map(|d| d.number)
        .collect();
    assert_eq!(dupes, [1], "the same folded name and date of birth");

    let (status, d) = approve(&app, &code).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["status"], "approved");
    let dossier_id = d["id"].as_str().expect("id").to_owned();
    let (entry_id, number, source): (String, i64, String) =
        sqlx::query_as("SELECT id, number, source FROM civil_entries WHERE dossier_id = $1")
            .bind(&dossier_id)
            .fetch_one(app.db.pool())
            .await
            .expect("the entry the approval wrote");
    assert_eq!(number, 2, "next in the open book");
    assert_eq!(source, "dossier");
    // Entry → dossier, and dossier → entry.
    let e = app
        .app
        .registers()
        .entry_as(&officer, &entry_id)
        .await
        .expect("entry");
    assert_eq!(e.dossier_id.as_deref(), Some(dossier_id.as_str()));
    assert_eq!(e.dossiers, std::slice::from_ref(&code));
    assert_eq!(e.full_name, "Nguyễn Văn Bình");
    let browser = app.browser();
    app.signed_in(&browser, "chuyenvien").await;
    let page = browser
        .get(app.url(&format!("/ho-tich/{entry_id}")))
        .send()
        .await
        .expect("entry page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains(&format!("<a href=\"/ho-so/{code}\">{code}</a>")),
        "the entry page links to its dossier: {page}"
    );
    let after = app
        .app
        .registers()
        .of_dossier(&specialist, &code)
        .await
        .expect("register side")
        .expect("civil");
    assert_eq!(after.entry_id.as_deref(), Some(entry_id.as_str()));
    // The result is the extract of that entry, issued for verification.
    let (result_sha,): (String,) = sqlx::query_as(
        "SELECT sha256 FROM dossier_files WHERE dossier_id = $1 AND kind = 'result'",
    )
    .bind(&dossier_id)
    .fetch_one(app.db.pool())
    .await
    .expect("one result");
    let (issued_sha,): (String,) = sqlx::query_as(
        "SELECT sha256 FROM issued_documents WHERE civil_entry_id = $1 AND kind = 'civil_extract'",
    )
    .bind(&entry_id)
    .fetch_one(app.db.pool())
    .await
    .expect("the extract issued");
    assert_eq!(result_sha, issued_sha);
    // Signed by the leader who approved, as a result attached by hand would be.
    let (signed_by,): (String,) =
        sqlx::query_as("SELECT signed_by FROM result_signatures WHERE dossier_id = $1")
            .bind(&dossier_id)
            .fetch_one(app.db.pool())
            .await
            .expect("the extract's signature");
    let leader = match principal(&app, "lanhdao").await {
        Principal::User(a) => a.user_id,
        Principal::System => unreachable!(),
    };
    assert_eq!(signed_by, leader);
    let html = browser
        .get(app.url(&format!("/ho-so/{code}")))
        .send()
        .await
        .expect("dossier page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Đã ký số: Đỗ Minh Tuấn"), "{html}");
    let link = {
        let marker = format!("href=\"/ho-so/{code}/tep/");
        let i = html.find(&marker).expect("the result's link") + "href=\"".len();
        html[i..].split('"').next().unwrap_or_default().to_owned()
    };
    let pdf = browser
        .get(app.url(&link))
        .send()
        .await
        .expect("file")
        .bytes()
        .await
        .expect("bytes");
    assert!(
        pdf.windows(b"/ByteRange".len()).any(|w| w == b"/ByteRange"),
        "a signed PDF"
    );
    // With its result attached the dossier goes on to the counter.
    let specialist_token = app.token("chuyenvien").await;
    let (status, d) = post(
        &app,
        &specialist_token,
        &format!("/api/v1/dossiers/{code}/actions/mark_ready"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
}

async fn approval_is_refused_when_the_book_is_closed_and_writes_nothing(app: TestApp) {
    let officer = principal(&app, "chuyenvien").await;
    let leader = principal(&app, "lanhdao").await;
    let year = this_year();
    app.app
        .registers()
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &cells(&[
                ("registered_on", &format!("02/01/{year}")),
                ("full_name", "Lê Thị Mai"),
                ("sex", "Nữ"),
                ("date_of_birth", &format!("01/01/{year}")),
            ]),
        )
        .await
        .expect("entry");
    let code = to_approval(&app, birth_intake("Phạm Văn Cường")).await;
    app.app
        .registers()
        .close_book(
            &leader,
            WARD_A,
            "birth",
            i64::from(year),
            &motcua_domain::civil::default_book_label(year),
        )
        .await
        .expect("closed");
    let events = app.count("SELECT COUNT(*) FROM dossier_events").await;
    let (status, p) = approve(&app, &code).await;
    assert_eq!(status, 409, "{p}");
    let detail = p["detail"].as_str().expect("detail");
    assert!(
        detail.contains("Không phê duyệt được") && detail.contains("khoá sổ"),
        "{detail}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM dossier_events").await,
        events,
        "no event"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM civil_entries WHERE source = 'dossier'")
            .await,
        0,
        "no entry"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM issued_documents").await,
        0,
        "no extract"
    );
    let counter = app.token("tiepnhan").await;
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(&counter)
        .send()
        .await
        .expect("dossier");
    assert_eq!(json(r).await["status"], "awaiting_approval");
}

async fn a_correction_dossier_adds_a_dated_note(app: TestApp) {
    let officer = principal(&app, "chuyenvien").await;
    let mut c = cells(&[
        ("registered_on", "10/03/2014"),
        ("full_name", "Nguyễn Văn Đúc"),
        ("sex", "Nam"),
        ("date_of_birth", "05/03/2014"),
        ("book", "01/2014"),
    ]);
    c.insert("number".into(), motcua_domain::civil::Cell::Integer(12));
    let e = app
        .app
        .registers()
        .create(&officer, WARD_A, "birth", false, &c)
        .await
        .expect("entry");
    let body = json!({
        "procedure": "1.004859",
        "channel": "counter",
        "applicant": {"full_name": "Nguyễn Văn Đức", "personal_id": "001214012345", "phone": "0912345678"},
        "return_method": "counter",
        "fee_paid": true,
        "civil": {
            "entry_id": e.id,
            "note_kind": "correction",
            "reason": "Sai dấu trong tên",
            "fields": {"full_name": "Nguyễn Văn Đức"}
        }
    });
    // A termination is a procedure of its own, not a kind of correction.
    let counter = app.token("tiepnhan").await;
    let mut ending = body.clone();
    ending["civil"]["note_kind"] = json!("termination");
    let (status, p) = post(&app, &counter, "/api/v1/dossiers", ending).await;
    assert_eq!(status, 400, "{p}");
    assert!(p.to_string().contains("civil.note_kind"), "{p}");
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);
    let code = to_approval(&app, body).await;
    let (status, d) = approve(&app, &code).await;
    assert_eq!(status, 200, "{d}");
    let after = app
        .app
        .registers()
        .entry_as(&officer, &e.id)
        .await
        .expect("entry");
    assert_eq!(after.full_name, "Nguyễn Văn Đức");
    assert_eq!(after.number, 12, "the same entry, not a new one");
    assert_eq!(after.history.len(), 1);
    assert_eq!(after.history[0].kind, "correction");
    assert_eq!(after.history[0].before.as_deref(), Some("Nguyễn Văn Đúc"));
    assert_eq!(
        after.dossiers,
        std::slice::from_ref(&code),
        "the note's dossier"
    );
    let dossier_id = d["id"].as_str().expect("id");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM civil_entry_notes WHERE dossier_id = '{dossier_id}'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM civil_entries").await,
        1,
        "a correction writes no entry"
    );
}

async fn declared_facts_are_checked_at_intake(app: TestApp) {
    let counter = app.token("tiepnhan").await;
    let mut body = birth_intake("Võ Thị Lan");
    body["civil"]["fields"]["date_of_birth"] = json!("31/02/2026");
    body["civil"]["fields"]["number"] = json!("5");
    let (status, p) = post(&app, &counter, "/api/v1/dossiers", body).await;
    assert_eq!(status, 400, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        fields.contains(&"civil.fields.date_of_birth") && fields.contains(&"civil.fields.number"),
        "{p}"
    );
    let (status, p) = post(
        &app,
        &counter,
        "/api/v1/dossiers",
        json!({
            "procedure": "1.004859",
            "channel": "counter",
            "applicant": {"full_name": "Nguyễn Văn Đức", "personal_id": "001214012345", "phone": "0912345678"},
            "return_method": "counter",
            "civil": {"fields": {}}
        }),
    )
    .await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);
}

async fn pages_ask_for_the_facts_and_show_duplicates_and_the_entry(app: TestApp) {
    let browser = app.browser();
    app.signed_in(&browser, "tiepnhan").await;
    let get = |path: String| {
        let browser = browser.clone();
        let url = app.url(&path);
        async move {
            browser
                .get(url)
                .send()
                .await
                .expect("page")
                .text()
                .await
                .expect("html")
        }
    };
    // The counter's form asks for the kind's fields, from the catalogue's mapping.
    let html = get("/ho-so/tiep-nhan?procedure=1.001193".into()).await;
    assert!(
        html.contains("Nội dung khai đăng ký hộ tịch")
            && html.contains(r#"name="civil.date_of_birth""#),
        "{html}"
    );
    let html = get("/ho-so/tiep-nhan?procedure=2.000815".into()).await;
    assert!(!html.contains("Nội dung khai đăng ký hộ tịch"));

    let officer = principal(&app, "chuyenvien").await;
    app.app
        .registers()
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &cells(&[
                ("registered_on", &format!("02/01/{}", this_year())),
                ("full_name", "Nguyễn Văn Bình"),
                ("sex", "Nam"),
                ("date_of_birth", &format!("01/01/{}", this_year())),
            ]),
        )
        .await
        .expect("entry");
    let code = to_approval(&app, birth_intake("nguyen van binh")).await;
    let html = get(format!("/ho-so/{code}")).await;
    assert!(
        html.contains("Sổ hộ tịch: Khai sinh") && html.contains("Có thể đã đăng ký"),
        "{html}"
    );
    let (status, _) = approve(&app, &code).await;
    assert_eq!(status, 200);
    let html = get(format!("/ho-so/{code}")).await;
    assert!(html.contains("xem trong sổ hộ tịch"), "{html}");
    assert!(!html.contains("Có thể đã đăng ký"));
}

fn correction_by_number(book: &str, number: i64) -> Value {
    json!({
        "procedure": "1.004859",
        "channel": "counter",
        "applicant": {"full_name": "Nguyễn Văn Đức", "personal_id": "001214012345", "phone": "0912345678"},
        "return_method": "counter",
        "fee_paid": true,
        "civil": {
            "entry_book": book,
            "entry_number": number,
            "note_kind": "correction",
            "reason": "Sai dấu trong tên",
            "fields": {"full_name": "Nguyễn Văn Đức"}
        }
    })
}

async fn a_correction_dossier_finds_its_entry_by_book_and_number(app: TestApp) {
    let officer = principal(&app, "chuyenvien").await;
    let mut c = cells(&[
        ("registered_on", "10/03/2014"),
        ("full_name", "Nguyễn Văn Đúc"),
        ("sex", "Nam"),
        ("date_of_birth", "05/03/2014"),
        ("book", "01/2014"),
    ]);
    c.insert("number".into(), motcua_domain::civil::Cell::Integer(12));
    let e = app
        .app
        .registers()
        .create(&officer, WARD_A, "birth", false, &c)
        .await
        .expect("entry");
    // An entry number the book does not hold: the approval is refused, nothing
    // written.
    let code = to_approval(&app, correction_by_number("01/2014", 13)).await;
    let (status, p) = approve(&app, &code).await;
    assert_eq!(status, 409, "{p}");
    let detail = p["detail"].as_str().expect("detail");
    assert!(detail.contains("không có mục số 13"), "{detail}");
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entry_notes").await, 0);
    // The book and number of the paper the applicant brings find the entry.
    let code = to_approval(&app, correction_by_number("01/2014", 12)).await;
    let (status, d) = approve(&app, &code).await;
    assert_eq!(status, 200, "{d}");
    let after = app
        .app
        .registers()
        .entry_as(&officer, &e.id)
        .await
        .expect("entry");
    assert_eq!(after.full_name, "Nguyễn Văn Đức");
    assert_eq!(after.history.len(), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 1);
    // Neither an id nor a book and number: refused at intake.
    let counter = app.token("tiepnhan").await;
    let mut body = correction_by_number("01/2014", 12);
    body["civil"]["entry_book"] = Value::Null;
    let (status, p) = post(&app, &counter, "/api/v1/dossiers", body).await;
    assert_eq!(status, 400, "{p}");
    assert!(p.to_string().contains("civil.entry_id"), "{p}");
}

/// An entry of 2014's book 01 at number 12, as typed from the paper register.
async fn entry_of_2014(app: &TestApp) -> String {
    let officer = principal(app, "chuyenvien").await;
    let mut c = cells(&[
        ("registered_on", "10/03/2014"),
        ("full_name", "Nguyễn Văn Đức"),
        ("sex", "Nam"),
        ("date_of_birth", "05/03/2014"),
        ("book", "01/2014"),
    ]);
    c.insert("number".into(), motcua_domain::civil::Cell::Integer(12));
    app.app
        .registers()
        .create(&officer, WARD_A, "birth", false, &c)
        .await
        .expect("entry")
        .id
}

fn extract_intake(copies: u32, civil: Value) -> Value {
    json!({
        "procedure": "2.000635",
        "channel": "counter",
        "applicant": {"full_name": "Nguyễn Văn Đức", "personal_id": "001214012345", "phone": "0912345678"},
        "return_method": "post",
        "post_address": "12 Lê Lợi, phường Hiến Nam, Hưng Yên",
        "copies": copies,
        "fee_paid": true,
        "civil": civil
    })
}

/// The action `action` on `code` by `username`.
async fn act(app: &TestApp, username: &str, code: &str, action: &str, body: Value) -> (u16, Value) {
    let token = app.token(username).await;
    post(
        app,
        &token,
        &format!("/api/v1/dossiers/{code}/actions/{action}"),
        body,
    )
    .await
}

/// Assigns `code` to the specialist, who starts it; the dossier as it then is.
async fn into_review(app: &TestApp, code: &str) -> Value {
    let (status, d) = act(
        app,
        "tiepnhan",
        code,
        "assign",
        json!({"assignee": "chuyenvien"}),
    )
    .await;
    assert_eq!(status, 200, "assign: {d}");
    let (status, d) = act(app, "chuyenvien", code, "start", json!({})).await;
    assert_eq!(status, 200, "start: {d}");
    d
}

async fn an_extract_dossier_copies_the_named_entry_and_goes_by_post(app: TestApp) {
    let entry_id = entry_of_2014(&app).await;
    let counter = app.token("tiepnhan").await;
    let (status, d) = post(
        &app,
        &counter,
        "/api/v1/dossiers",
        extract_intake(2, json!({"entry_book": "01/2014", "entry_number": 12})),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["fee_amount"], 16000, "8.000 đ a copy: {d}");
    let code = d["code"].as_str().expect("code").to_owned();
    into_review(&app, &code).await;
    let (status, d) = act(&app, "chuyenvien", &code, "submit_for_approval", json!({})).await;
    assert_eq!(status, 200, "{d}");
    let specialist = match principal(&app, "chuyenvien").await {
        Principal::User(a) => a,
        Principal::System => unreachable!(),
    };
    let side = app
        .app
        .registers()
        .of_dossier(&specialist, &code)
        .await
        .expect("register side")
        .expect("an extract is a civil-status dossier");
    assert_eq!(
        side.entry_id.as_deref(),
        Some(entry_id.as_str()),
        "found by book and number"
    );
    assert_eq!(side.writes_label, "Cấp bản sao trích lục hộ tịch");

    let (status, d) = approve(&app, &code).await;
    assert_eq!(status, 200, "{d}");
    let dossier_id = d["id"].as_str().expect("id").to_owned();
    // The result is the extract of that entry, in the copies paid for; nothing
    // is written in the register.
    let (name, result_sha): (String, String) = sqlx::query_as(
        "SELECT name, sha256 FROM dossier_files WHERE dossier_id = $1 AND kind = 'result'",
    )
    .bind(&dossier_id)
    .fetch_one(app.db.pool())
    .await
    .expect("one result");
    assert_eq!(name, "Trích lục khai sinh (bản sao)");
    let (issued_sha, copies, token): (String, i64, String) = sqlx::query_as(
        "SELECT sha256, copies, token FROM issued_documents WHERE civil_entry_id = $1 AND kind = 'civil_extract'",
    )
    .bind(&entry_id)
    .fetch_one(app.db.pool())
    .await
    .expect("the extract issued");
    assert_eq!((issued_sha, copies), (result_sha, 2));
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entry_notes").await, 0);
    let page = app
        .client()
        .get(app.url(&format!("/xac-minh/{token}")))
        .send()
        .await
        .expect("verification page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Nguyễn Văn Đức"), "{html}");

    // By post: the result leaves with its tracking number, and not without one.
    let (status, d) = act(&app, "chuyenvien", &code, "mark_ready", json!({})).await;
    assert_eq!(status, 200, "{d}");
    let (status, p) = act(&app, "tiepnhan", &code, "return", json!({})).await;
    assert_eq!(status, 400, "{p}");
    assert!(p.to_string().contains("tracking_number"), "{p}");
    let (status, d) = act(
        &app,
        "tiepnhan",
        &code,
        "return",
        json!({"tracking_number": "EB123456789VN"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["status"], "returned");
    assert_eq!(d["handover"]["tracking_number"], "EB123456789VN");
}

async fn the_specialist_records_the_facts_the_intake_lacked(app: TestApp) {
    let entry_id = entry_of_2014(&app).await;
    // An extract asked for by name and date of birth: the entry is not named.
    let counter = app.token("tiepnhan").await;
    let (status, d) = post(
        &app,
        &counter,
        "/api/v1/dossiers",
        extract_intake(
            3,
            json!({"fields": {"full_name": "Nguyễn Văn Đức", "date_of_birth": "05/03/2014"}}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["fee_amount"], 24000, "{d}");
    let code = d["code"].as_str().expect("code").to_owned();
    let d = into_review(&app, &code).await;
    assert!(
        d["allowed_actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == "record_civil")),
        "{d}"
    );
    // An extract of no entry cannot go to the leader, who could not approve it.
    let events = app.count("SELECT COUNT(*) FROM dossier_events").await;
    let (status, p) = act(&app, "chuyenvien", &code, "submit_for_approval", json!({})).await;
    assert_eq!(status, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Chưa trình lãnh đạo được: hồ sơ chưa chọn mục đăng ký")),
        "{p}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM dossier_events").await,
        events
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM issued_documents").await, 0);
    // A fact that does not read is refused, and nothing is recorded.
    let (status, p) = act(
        &app,
        "chuyenvien",
        &code,
        "record_civil",
        json!({"civil": {"entry_book": "01/2014", "entry_number": 0}}),
    )
    .await;
    assert_eq!(status, 400, "{p}");
    assert!(p.to_string().contains("civil.entry_number"), "{p}");
    let (status, p) = act(&app, "chuyenvien", &code, "record_civil", json!({})).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM dossier_events").await,
        events
    );
    // The specialist finds the entry and records it; the copies stay those paid.
    let (status, d) = act(
        &app,
        "chuyenvien",
        &code,
        "record_civil",
        json!({"civil": {"entry_id": entry_id, "fields": {"full_name": "Nguyễn Văn Đức"}}}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["civil"]["entry_id"], entry_id.as_str());
    assert_eq!(d["civil"]["copies"], 3);
    assert_eq!(d["status"], "in_review", "recording facts keeps the state");
    let (status, _) = act(&app, "chuyenvien", &code, "submit_for_approval", json!({})).await;
    assert_eq!(status, 200);
    let (status, d) = approve(&app, &code).await;
    assert_eq!(status, 200, "{d}");
    let (copies,): (i64,) =
        sqlx::query_as("SELECT copies FROM issued_documents WHERE civil_entry_id = $1")
            .bind(&entry_id)
            .fetch_one(app.db.pool())
            .await
            .expect("the extract issued");
    assert_eq!(copies, 3);

    // A birth dossier received without its facts: the specialist records them,
    // and the approval writes the entry.
    let mut body = birth_intake("x");
    body.as_object_mut().expect("object").remove("civil");
    let (status, d) = post(&app, &counter, "/api/v1/dossiers", body).await;
    assert_eq!(status, 201, "{d}");
    let code = d["code"].as_str().expect("code").to_owned();
    into_review(&app, &code).await;
    // Approved without them, it would register nothing: it cannot go to the
    // leader until they are recorded.
    let (status, p) = act(&app, "chuyenvien", &code, "submit_for_approval", json!({})).await;
    assert_eq!(status, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("hồ sơ chưa có nội dung đăng ký hộ tịch")),
        "{p}"
    );
    let facts = birth_intake("Lê Minh Khang")["civil"].clone();
    let mut wrong = facts.clone();
    wrong["fields"]["date_of_birth"] = json!("31/02/2026");
    let (status, p) = act(
        &app,
        "chuyenvien",
        &code,
        "record_civil",
        json!({"civil": wrong}),
    )
    .await;
    assert_eq!(status, 400, "{p}");
    assert!(p.to_string().contains("civil.fields.date_of_birth"), "{p}");
    let (status, d) = act(
        &app,
        "chuyenvien",
        &code,
        "record_civil",
        json!({"civil": facts}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let (status, _) = act(&app, "chuyenvien", &code, "submit_for_approval", json!({})).await;
    assert_eq!(status, 200);
    let (status, d) = approve(&app, &code).await;
    assert_eq!(status, 200, "{d}");
    let (name,): (String,) =
        sqlx::query_as("SELECT display_name FROM civil_entries WHERE dossier_id = $1")
            .bind(d["id"].as_str().expect("id"))
            .fetch_one(app.db.pool())
            .await
            .expect("the entry the approval wrote");
    assert_eq!(name, "Lê Minh Khang");
    // The dossier's row is still the fold of its events.
    let report = app.app.dossiers().verify().await.expect("verify");
    assert!(
        report.breaks.is_empty() && report.drifts.is_empty(),
        "{:?} {:?}",
        report.breaks,
        report.drifts
    );

    // A procedure that writes no register offers no civil facts.
    let (status, d) = post(
        &app,
        &counter,
        "/api/v1/dossiers",
        json!({
            "procedure": "2.000815",
            "channel": "counter",
            "applicant": {"full_name": "Trần Văn An", "personal_id": "001190012346", "phone": "0912345679"},
            "return_method": "counter",
            "fee_paid": true
        }),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    let code = d["code"].as_str().expect("code").to_owned();
    let d = into_review(&app, &code).await;
    assert!(
        !d["allowed_actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == "record_civil")),
        "{d}"
    );
    let (status, p) = act(
        &app,
        "chuyenvien",
        &code,
        "record_civil",
        json!({"civil": {"entry_id": entry_id}}),
    )
    .await;
    assert_eq!(status, 400, "{p}");
}

async fn the_specialist_records_the_facts_on_the_page(app: TestApp) {
    let entry_id = entry_of_2014(&app).await;
    let counter = app.token("tiepnhan").await;
    let (status, d) = post(
        &app,
        &counter,
        "/api/v1/dossiers",
        extract_intake(1, json!({"fields": {"full_name": "Nguyễn Văn Đức"}})),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    let code = d["code"].as_str().expect("code").to_owned();
    into_review(&app, &code).await;
    let browser = app.browser();
    let csrf = app.signed_in(&browser, "chuyenvien").await;
    let page = |browser: reqwest::Client, url: String| async move {
        browser
            .get(url)
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html")
    };
    let html = page(browser.clone(), app.url(&format!("/ho-so/{code}"))).await;
    assert!(
        html.contains(r#"id="thao-tac-record_civil""#)
            && html.contains(r#"name="civil_entry_book""#)
            && html.contains(r#"value="Nguyễn Văn Đức""#),
        "the form, with the facts declared so far: {html}"
    );
    assert!(
        html.contains(r#"id="chua-chon-muc""#)
            && html.contains("Chưa chọn mục đăng ký cần cấp bản sao"),
        "no entry named yet, said before approval: {html}"
    );
    // Submitting would be refused: recording the entry is what the page leads with.
    let next = &html[html
        .find(r#"id="viec-can-lam""#)
        .expect("the next-step card")..];
    let first_card = next
        .split(r#"id="thao-tac-"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next());
    assert_eq!(first_card, Some("record_civil"), "{html}");
    let path = format!("/ho-so/{code}/thao-tac/record_civil");
    // A number that is no number: the form comes back with the message.
    let r = app
        .post_form(
            &browser,
            &path,
            &[
                ("_csrf", &csrf),
                ("civil_entry_book", "01/2014"),
                ("civil_entry_number", "mười hai"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let html = page(browser.clone(), app.url(&back)).await;
    assert!(
        html.contains("Số của mục đăng ký phải lớn hơn 0.") && html.contains(r#"value="mười hai""#),
        "{html}"
    );
    let r = app
        .post_form(
            &browser,
            &path,
            &[
                ("_csrf", &csrf),
                ("civil_entry_book", "01/2014"),
                ("civil_entry_number", "12"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let back = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(back.contains("ok=record_civil"), "{back}");
    let html = page(browser.clone(), app.url(&format!("/ho-so/{code}"))).await;
    assert!(!html.contains(r#"id="chua-chon-muc""#), "{html}");
    assert!(
        html.contains(&format!(
            r#"<a href="/ho-tich/{entry_id}">xem trong sổ hộ tịch</a>"#
        )),
        "the entry found: {html}"
    );
}

/// 1.000689: one approval writes the birth and the recognition of the parent,
/// each in its register, and gives both extracts as results.
async fn a_birth_combined_with_recognition_writes_both_registers(app: TestApp) {
    let counter = app.token("tiepnhan").await;
    let mut body = birth_intake("Lò Văn Sơn");
    body["procedure"] = json!("1.000689");
    // A field neither register has is refused at intake, naming it.
    body["civil"]["fields"]["husband_name"] = json!("Lò Văn Cha");
    let (status, p) = post(&app, &counter, "/api/v1/dossiers", body.clone()).await;
    assert_eq!(status, 400, "{p}");
    assert!(p.to_string().contains("civil.fields.husband_name"), "{p}");
    // The recognition's own required field is asked for.
    body["civil"]["fields"]
        .as_object_mut()
        .expect("fields")
        .remove("husband_name");
    let (status, p) = post(&app, &counter, "/api/v1/dossiers", body.clone()).await;
    assert_eq!(status, 400, "{p}");
    assert!(p.to_string().contains("civil.fields.parent_name"), "{p}");
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);
    body["civil"]["fields"]["parent_name"] = json!("Lò Văn Cha");
    body["civil"]["fields"]["parent_residence"] = json!("Bản Mường, xã Chiềng Cơi");
    let code = to_approval(&app, body).await;
    let (status, d) = approve(&app, &code).await;
    assert_eq!(status, 200, "{d}");
    let dossier_id = d["id"].as_str().expect("id").to_owned();
    let written: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, display_name FROM civil_entries WHERE dossier_id = $1 ORDER BY kind",
    )
    .bind(&dossier_id)
    .fetch_all(app.db.pool())
    .await
    .expect("entries");
    assert_eq!(
        written,
        [
            ("birth".to_owned(), "Lò Văn Sơn".to_owned()),
            ("recognition".to_owned(), "Lò Văn Sơn".to_owned())
        ]
    );
    let results: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM dossier_files WHERE dossier_id = $1 AND kind = 'result' ORDER BY name",
    )
    .bind(&dossier_id)
    .fetch_all(app.db.pool())
    .await
    .expect("results");
    let names: Vec<&str> = results.iter().map(|(n,)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Trích lục khai sinh (bản sao)",
            "Trích lục nhận cha, mẹ, con (bản sao)"
        ]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM issued_documents WHERE kind = 'civil_extract'")
            .await,
        2
    );
    let specialist = match principal(&app, "chuyenvien").await {
        Principal::User(a) => a,
        Principal::System => unreachable!(),
    };
    let side = app
        .app
        .registers()
        .of_dossier(&specialist, &code)
        .await
        .expect("register side")
        .expect("civil");
    assert!(
        side.entry_id.is_some() && side.also_entry_id.is_some(),
        "{side:?}"
    );
    assert_eq!(side.writes_label, "Khai sinh kết hợp nhận cha, mẹ, con");
    let (status, d) = act(&app, "chuyenvien", &code, "mark_ready", json!({})).await;
    assert_eq!(status, 200, "{d}");
}

/// 1.004845: ending a guardianship writes a dated termination note on its entry
/// (the day of approval in «Ngày chấm dứt giám hộ»), once; the extract of the
/// entry, which shows it, is the result.
async fn a_guardianship_ends_by_a_dossier_once(app: TestApp) {
    let officer = principal(&app, "chuyenvien").await;
    let mut c = cells(&[
        ("registered_on", "12/05/2020"),
        ("ward_name", "Hà Văn Nhỏ"),
        ("ward_date_of_birth", "01/02/2008"),
        ("guardian_name", "Hà Văn Lớn"),
        ("book", "01/2020"),
    ]);
    c.insert("number".into(), motcua_domain::civil::Cell::Integer(3));
    let entry = app
        .app
        .registers()
        .create(&officer, WARD_A, "guardianship", false, &c)
        .await
        .expect("entry");
    let body = json!({
        "procedure": "1.004845",
        "channel": "counter",
        "applicant": {"full_name": "Hà Văn Lớn", "personal_id": "001180012345", "phone": "0912345678"},
        "return_method": "counter",
        "fee_paid": true,
        "civil": {"entry_book": "01/2020", "entry_number": 3, "reason": "Người được giám hộ đã thành niên"}
    });
    // Without its ground, refused at intake.
    let counter = app.token("tiepnhan").await;
    let mut no_reason = body.clone();
    no_reason["civil"]["reason"] = Value::Null;
    let (status, p) = post(&app, &counter, "/api/v1/dossiers", no_reason).await;
    assert_eq!(status, 400, "{p}");
    assert!(p.to_string().contains("civil.reason"), "{p}");
    let code = to_approval(&app, body.clone()).await;
    let (status, d) = approve(&app, &code).await;
    assert_eq!(status, 200, "{d}");
    let after = app
        .app
        .registers()
        .entry_as(&officer, &entry.id)
        .await
        .expect("entry");
    let ended = after
        .current
        .iter()
        .find(|v| v.field == "guardianship_ended_on")
        .map(|v| v.value.clone());
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").expect("tz"))
        .date();
    assert_eq!(ended, Some(json!(today.to_string())));
    assert_eq!(after.history.len(), 1);
    assert_eq!(after.dossiers, std::slice::from_ref(&code));
    let results = app
        .count("SELECT COUNT(*) FROM dossier_files f JOIN dossiers d ON d.id = f.dossier_id WHERE f.kind = 'result'")
        .await;
    assert_eq!(results, 1);
    // Once: a second termination is refused and writes nothing.
    let code = to_approval(&app, body).await;
    let (status, p) = approve(&app, &code).await;
    assert_eq!(status, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Đã ghi chấm dứt")),
        "{p}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entry_notes").await, 1);
}

/// Numbers have no gaps even when a transaction fails after taking one: a birth
/// combined with recognition takes the birth book's next number, then finds the
/// recognitions' book closed; the approval is refused, and the next birth gets
/// that same number.
async fn a_refused_approval_gives_back_the_number_it_took(app: TestApp) {
    let officer = principal(&app, "chuyenvien").await;
    let leader = principal(&app, "lanhdao").await;
    let year = this_year();
    let regs = app.app.registers();
    for (kind, name_field, other) in [
        ("birth", "full_name", ("sex", "Nữ")),
        ("recognition", "full_name", ("parent_name", "Lê Văn Cha")),
    ] {
        regs.create(
            &officer,
            WARD_A,
            kind,
            false,
            &cells(&[
                ("registered_on", &format!("02/01/{year}")),
                (name_field, "Lê Thị Một"),
                ("date_of_birth", &format!("01/01/{year}")),
                other,
            ]),
        )
        .await
        .unwrap_or_else(|e| panic!("{kind}: {e:?}"));
    }
    regs.close_book(
        &leader,
        WARD_A,
        "recognition",
        i64::from(year),
        &motcua_domain::civil::default_book_label(year),
    )
    .await
    .expect("closed");
    let mut combined = birth_intake("Lò Văn Hai");
    combined["procedure"] = json!("1.000689");
    combined["civil"]["fields"]["parent_name"] = json!("Lò Văn Cha");
    let code = to_approval(&app, combined).await;
    let (status, p) = approve(&app, &code).await;
    assert_eq!(status, 409, "{p}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM civil_entries WHERE source = 'dossier'")
            .await,
        0,
        "the birth written first is rolled back with the refusal"
    );
    let code = to_approval(&app, birth_intake("Lò Văn Ba")).await;
    let (status, d) = approve(&app, &code).await;
    assert_eq!(status, 200, "{d}");
    let (number,): (i64,) =
        sqlx::query_as("SELECT number FROM civil_entries WHERE dossier_id = $1")
            .bind(d["id"].as_str().expect("id"))
            .fetch_one(app.db.pool())
            .await
            .expect("entry");
    assert_eq!(number, 2, "number 2, taken and given back, is the next");
}
