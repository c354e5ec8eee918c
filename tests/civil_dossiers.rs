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
    let code = to_approval(
        &app,
        json!({
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
        }),
    )
    .await;
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
