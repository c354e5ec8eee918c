//! The dossier's whole life over the API: intake, the workflow and its permission
//! table, the clock rules, codes under parallel intakes, idempotency, concurrent
//! officers, the hash chain, printed receipts, tracking, import and export.

use motcua_domain::calendar::TimeLimit;
use reqwest::Method;
use serde_json::{json, Value};

use crate::cli::motcua;
use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    whole_life_counter_to_return,
    a_dossier_keeps_the_steps_of_its_procedure_version,
    online_submission_is_accepted_or_refused,
    every_action_refused_to_the_wrong_role_writes_nothing,
    extension_once_with_a_later_date,
    personal_id_and_bad_input_are_explained,
    codes_stay_unique_under_parallel_intakes,
    repeated_requests_with_a_key_act_once,
    two_officers_at_once_exactly_one_succeeds,
    tampered_history_is_found_by_audit_verify,
    events_are_stored_by_number_and_read_as_text,
    a_new_term_written_at_once_by_many_is_numbered_once,
    migration_0024_keeps_every_event,
    migration_0025_keeps_every_event_and_row,
    a_row_changed_behind_the_app_is_found_by_audit_verify,
    a_dossier_row_is_never_deleted_and_orphaned_events_are_found,
    a_report_column_changed_behind_the_app_is_found_too,
    scanned_documents_are_counted_on_the_row_and_checked_against_the_files,
    the_intake_is_stored_once_and_deflated,
    files_travel_as_base64_in_json_only,
    receipt_pdf_holds_the_code_and_tracking_qr,
    public_tracking_hides_details_and_resists_guessing,
    worklists_page_by_keyset,
    import_export_round_trip_and_idempotent,
    other_agencies_cannot_see_or_act,
    immediate_procedures_print_no_receipt,
);

on_both_engines!(
    clock = "2026-11-16T09:00:00+07:00".parse::<jiff::Timestamp>().expect("a Monday morning");
    supplement_restarts_and_pause_adds_back,
);

/// A valid applicant: Hà Nội (001), male born 1987.
fn applicant() -> Value {
    json!({
        "full_name": "Nguyễn Văn An",
        "personal_id": "001087012345",
        "date_of_birth": "05/09/1987",
        "sex": "male",
        "phone": "0912 345 678",
        "email": "an.nguyen@example.vn",
        "address": "Số 5, đường Điện Biên, phường Phố Hiến"
    })
}

fn intake(procedure: &str) -> Value {
    json!({
        "procedure": procedure,
        "channel": "counter",
        "applicant": applicant(),
        "return_method": "counter",
        "fee_paid": true,
        "fee_receipt_no": "0001234"
    })
}

struct Api<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
}

impl<'a> Api<'a> {
    fn new(app: &'a TestApp) -> Self {
        Api {
            app,
            http: app.client(),
        }
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .app
            .send_json(&self.http, Method::POST, path, token, &body)
            .await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn receive(&self, token: &str, body: Value) -> Value {
        let (status, d) = self.post(token, "/api/v1/dossiers", body).await;
        assert_eq!(status, 201, "{d}");
        d
    }

    async fn act(&self, token: &str, code: &str, action: &str, body: Value) -> (u16, Value) {
        self.post(
            token,
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            body,
        )
        .await
    }

    async fn ok(&self, token: &str, code: &str, action: &str, body: Value) -> Value {
        let (status, d) = self.act(token, code, action, body).await;
        assert_eq!(status, 200, "{action}: {d}");
        d
    }
}

fn ts(v: &Value) -> jiff::Timestamp {
    v.as_str().expect("instant").parse().expect("RFC 3339")
}

async fn events_of(app: &TestApp, code: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id WHERE d.code = '{code}'"
    ))
    .await
}

async fn whole_life_counter_to_return(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let specialist = app.token("chuyenvien").await;
    let leader = app.token("lanhdao").await;

    let mut body = intake("1.000689");
    body["civil"] = civil_facts("1.000689", "Nguyễn Minh Khôi");
    let d = api.receive(&counter, body).await;
    let code = d["code"].as_str().expect("code").to_string();
    // {agency}-{yyMMdd}-{NNNN}
    let parts: Vec<&str> = code.rsplitn(3, '-').collect();
    assert_eq!(parts[2], WARD_A);
    assert_eq!(parts[1].len(), 6);
    assert_eq!(parts[0], "0001");
    assert_eq!(d["status"], "received");
    assert_eq!(d["channel"], "counter");
    assert_eq!(d["applicant"]["phone"], "0912345678");
    // The due instant is the calendar's answer for the procedure's limit.
    let cal = app
        .app
        .working_calendar(Some(WARD_A))
        .await
        .expect("calendar");
    let expected = cal
        .due_at(ts(&d["received_at"]), TimeLimit::WorkingDays(3))
        .expect("due");
    assert_eq!(ts(&d["due_at"]), expected);
    assert!(d["allowed_actions"]
        .as_array()
        .expect("actions")
        .contains(&json!("assign")));
    // The receipt announced through the outbox, one message per channel given.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'received'")
            .await,
        2
    );

    // Assigned automatically by sector and load: both specialists hold ho-tich.
    let d = api.ok(&counter, &code, "assign", json!({})).await;
    assert_eq!(d["status"], "assigned");
    let assignee = d["assignee"].as_str().expect("assignee").to_string();
    assert!(assignee == "chuyenvien" || assignee == "chuyenvien2");
    // By hand to chuyenvien, whoever the load picked.
    let d = api
        .ok(&leader, &code, "assign", json!({"assignee": "chuyenvien"}))
        .await;
    assert_eq!(d["assignee"], "chuyenvien");

    let d = api.ok(&specialist, &code, "start", json!({})).await;
    assert_eq!(d["status"], "in_review");
    let d = api
        .ok(&specialist, &code, "submit_for_approval", json!({}))
        .await;
    assert_eq!(d["status"], "awaiting_approval");
    let d = api
        .ok(
            &leader,
            &code,
            "send_back",
            json!({"reason": "Thiếu chữ ký người làm chứng"}),
        )
        .await;
    assert_eq!(d["status"], "in_review");
    api.ok(&specialist, &code, "submit_for_approval", json!({}))
        .await;
    let d = api.ok(&leader, &code, "approve", json!({})).await;
    assert_eq!(d["status"], "approved");

    // The approval wrote the birth and the recognition in their registers and
    // gave their two extracts as the results; the birth certificate is attached
    // by hand.
    let results = format!(
        "SELECT COUNT(*) FROM dossier_files f JOIN dossiers d ON d.id = f.dossier_id \
         WHERE f.kind = 'result' AND d.code = '{code}'"
    );
    assert_eq!(app.count(&results).await, 2);
    api.ok(&specialist, &code, "attach_result", json!({"result": {"name": "Giấy khai sinh bản chính", "content_type": "application/pdf", "data_base64": "JVBERi0xLjQK"}})).await;
    assert_eq!(app.count(&results).await, 3);
    let d = api.ok(&specialist, &code, "mark_ready", json!({})).await;
    assert_eq!(d["status"], "result_ready");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'result_ready'")
            .await,
        2
    );

    // Returning at the counter records who collected it.
    let (status, p) = api.act(&counter, &code, "return", json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(p["errors"][0]["field"], "collector_name", "{p}");
    let d = api
        .ok(
            &counter,
            &code,
            "return",
            json!({"collector_name": "Nguyễn Văn An", "collector_id": "001087012345"}),
        )
        .await;
    assert_eq!(d["status"], "returned");
    assert_eq!(d["handover"]["collector_name"], "Nguyễn Văn An");
    // Returned well before a 3-working-day limit.
    assert_eq!(d["timeliness"], "early");
    assert!(d["allowed_actions"].as_array().expect("actions").is_empty());

    // The history: every action an event, chained.
    let (status, events) = api
        .get(&counter, &format!("/api/v1/dossiers/{code}/events"))
        .await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        actions,
        [
            "receive",
            "assign",
            "assign",
            "start",
            "submit_for_approval",
            "send_back",
            "submit_for_approval",
            "approve",
            "attach_result",
            "attach_result",
            "attach_result",
            "mark_ready",
            "return"
        ]
    );
    assert_eq!(events[5]["reason"], "Thiếu chữ ký người làm chứng");
    let report = app.app.dossiers().verify().await.expect("verify");
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
    assert_eq!(report.events, 13);

    // The result file is stored once, by content, and can be read back.
    let files = app
        .app
        .dossiers()
        .files(&actor(&app, "tiepnhan").await, &code)
        .await
        .expect("files");
    let result = files
        .iter()
        .find(|f| f.kind == "result" && f.name == "Giấy khai sinh bản chính")
        .expect("result file");
    let (_, bytes) = app
        .app
        .dossiers()
        .file(&actor(&app, "tiepnhan").await, &code, &result.id)
        .await
        .expect("bytes");
    assert_eq!(bytes, b"%PDF-1.4\n");

    // Form 06: four internal steps, each closed by a hand-over.
    let steps = app
        .app
        .dossiers()
        .steps(&actor(&app, "tiepnhan").await, &code)
        .await
        .expect("steps");
    assert_eq!(steps.len(), 4);
    assert!(steps.iter().all(|s| s.finished_at.is_some()), "{steps:?}");
    let sheet = api
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}/forms/06.pdf")))
        .bearer_auth(&counter)
        .send()
        .await
        .expect("form 06");
    assert_eq!(sheet.status(), 200);
    audit_clean(&app).await;
}

/// A new version of a procedure changes the steps of the dossiers received under
/// it, not of those received before (parsed versions are kept in memory: read
/// twice, the second time from there).
async fn a_dossier_keeps_the_steps_of_its_procedure_version(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let officer = actor(&app, "tiepnhan").await;
    let names = |steps: &[motcua_docs::forms::ControlStep]| {
        steps.iter().map(|s| s.name.clone()).collect::<Vec<_>>()
    };
    let old = api.receive(&counter, intake("1.000689")).await;
    let old_code = old["code"].as_str().expect("code").to_owned();
    let before = app
        .app
        .dossiers()
        .steps(&officer, &old_code)
        .await
        .expect("steps");
    assert!(!before.is_empty());
    let renamed = "Tiếp nhận, kiểm tra và số hóa hồ sơ (quy trình sửa đổi)";
    let mut entry = app.app.procedure("1.000689").await.expect("procedure");
    assert_ne!(entry.procedure.steps[0].name, renamed);
    entry.procedure.steps[0].name = renamed.to_owned();
    entry.procedure.effective_from = jiff::civil::date(2026, 1, 1);
    let version = app
        .app
        .save_procedure(&motcua_app::Principal::System, entry.procedure)
        .await
        .expect("save");
    assert!(version > entry.version);
    let new = api.receive(&counter, intake("1.000689")).await;
    let new_code = new["code"].as_str().expect("code").to_owned();
    for _ in 0..2 {
        let old_steps = app.app.dossiers().steps(&officer, &old_code).await;
        assert_eq!(names(&old_steps.expect("steps")), names(&before));
        let page = app.app.dossiers().detail(&officer, &old_code).await;
        assert_eq!(names(&page.expect("detail").steps), names(&before));
        let new_steps = app.app.dossiers().steps(&officer, &new_code).await;
        let new_steps = names(&new_steps.expect("steps"));
        assert_eq!(new_steps[0], renamed);
        assert_eq!(new_steps[1..], names(&before)[1..]);
    }
}

async fn actor(app: &TestApp, username: &str) -> motcua_app::Actor {
    let token = app.token(username).await;
    app.app
        .token_actor(&token, None)
        .await
        .expect("actor")
        .expect("known token")
}

async fn online_submission_is_accepted_or_refused(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let mut body = intake("1.001193");
    body["agency"] = json!(WARD_A);
    body["channel"] = Value::Null;
    body["return_method"] = json!("online");
    let r = app
        .client()
        .post(app.url("/api/v1/public/submissions"))
        .json(&body)
        .send()
        .await
        .expect("submit");
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.expect("json");
    let code = d["code"].as_str().expect("code").to_string();
    assert_eq!(d["status"], "submitted");
    assert_eq!(d["channel"], "online");
    assert!(d["due_at"].is_null(), "the clock has not started");
    // Same-day online dossiers come first in the counter's list.
    let (_, page) = api.get(&counter, "/api/v1/dossiers?list=to_accept").await;
    assert_eq!(page["items"][0]["code"], code.as_str());
    assert_eq!(page["items"][0]["priority"], 0);

    let d = api.ok(&counter, &code, "accept", json!({})).await;
    assert_eq!(d["status"], "received");
    let cal = app
        .app
        .working_calendar(Some(WARD_A))
        .await
        .expect("calendar");
    assert_eq!(
        ts(&d["due_at"]),
        cal.due_at(ts(&d["received_at"]), TimeLimit::SameDay)
            .expect("due")
    );

    // A second submission refused at intake, with the reason in writing.
    let r = app
        .client()
        .post(app.url("/api/v1/public/submissions"))
        .json(&body)
        .send()
        .await
        .expect("submit");
    let d: Value = r.json().await.expect("json");
    let code2 = d["code"].as_str().expect("code").to_string();
    let (status, p) = api.act(&counter, &code2, "not_accept", json!({})).await;
    assert_eq!(status, 400, "a reason is required: {p}");
    let d = api
        .ok(
            &counter,
            &code2,
            "not_accept",
            json!({"reason": "Hồ sơ đã nộp trùng với hồ sơ trước"}),
        )
        .await;
    assert_eq!(d["status"], "not_accepted");
    let pdf = api
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code2}/forms/03.pdf")))
        .bearer_auth(&counter)
        .send()
        .await
        .expect("form 03");
    assert_eq!(pdf.status(), 200);

    // A procedure that cannot be filed online is refused with a clear message.
    let mut offline = body.clone();
    offline["procedure"] = json!("2.000884");
    let r = app
        .client()
        .post(app.url("/api/v1/public/submissions"))
        .json(&offline)
        .send()
        .await
        .expect("submit");
    assert_eq!(r.status(), 400);
    let p: Value = r.json().await.expect("json");
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("trực tuyến"),
        "{p}"
    );
    audit_clean(&app).await;
}

async fn every_action_refused_to_the_wrong_role_writes_nothing(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let specialist = app.token("chuyenvien").await;
    let leader = app.token("lanhdao").await;
    let supervisor = app.token("giamsat").await;
    let admin = app.token("quantri.phohien").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code").to_string();
    // Only counter officers take dossiers in.
    for t in [&specialist, &leader, &supervisor, &admin] {
        let (status, _) = api.post(t, "/api/v1/dossiers", intake("1.000689")).await;
        assert_eq!(status, 403);
    }
    // In `received`: who may not, may not; nothing is written when refused.
    let body = json!({"reason": "lý do", "missing": ["Tờ khai"], "new_due_date": "30/12/2026", "collector_name": "A"});
    let refused = [
        (&specialist, "assign"),
        (&leader, "start"),
        (&counter, "approve"),
        (&specialist, "approve"),
        (&leader, "return"),
        (&specialist, "withdraw"),
        (&supervisor, "assign"),
        (&admin, "assign"),
        (&counter, "reject"),
        (&counter, "extend"),
    ];
    let before = events_of(&app, &code).await;
    for (token, action) in refused {
        let (status, p) = api.act(token, &code, action, body.clone()).await;
        assert_eq!(status, 403, "{action}: {p}");
        assert!(p["detail"].as_str().is_some_and(|s| !s.is_empty()));
    }
    // Allowed roles in the wrong state are told the state.
    let (status, p) = api.act(&leader, &code, "approve", json!({})).await;
    assert_eq!(status, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Đã tiếp nhận"),
        "{p}"
    );
    // An unknown action is not found.
    let (status, _) = api.act(&leader, &code, "teleport", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(events_of(&app, &code).await, before);

    // The specialist not assigned may not act on another's dossier; the leader may.
    api.ok(
        &counter,
        &code,
        "assign",
        json!({"assignee": "chuyenvien2"}),
    )
    .await;
    let (status, _) = api.act(&specialist, &code, "start", json!({})).await;
    assert_eq!(status, 403);
    api.ok(
        &leader,
        &code,
        "pause",
        json!({"reason": "Chờ ý kiến cơ quan khác"}),
    )
    .await;
    // Withdrawal at the citizen's request from any open state.
    let d = api
        .ok(
            &counter,
            &code,
            "withdraw",
            json!({"reason": "Công dân xin rút hồ sơ"}),
        )
        .await;
    assert_eq!(d["status"], "withdrawn");
    let (status, _) = api
        .act(&counter, &code, "withdraw", json!({"reason": "again"}))
        .await;
    assert_eq!(status, 409);
}

async fn supplement_restarts_and_pause_adds_back(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let specialist = app.token("chuyenvien").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code").to_string();
    api.ok(&counter, &code, "assign", json!({"assignee": "chuyenvien"}))
        .await;
    api.ok(&specialist, &code, "start", json!({})).await;

    // Supplement: every missing item listed, once; the clock stops.
    let (status, _) = api
        .act(
            &specialist,
            &code,
            "request_supplement",
            json!({"reason": "Thiếu giấy tờ"}),
        )
        .await;
    assert_eq!(status, 400, "the missing items are required");
    let d = api.ok(&specialist, &code, "request_supplement", json!({"reason": "Thiếu giấy tờ", "missing": ["Văn bản xác nhận của người làm chứng", "Bản sao giấy khai sinh của con"]})).await;
    assert_eq!(d["status"], "supplement_requested");
    assert_eq!(d["missing"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'supplement_requested'")
            .await,
        2
    );
    // Paused dossiers are not overdue while waiting for the citizen, however
    // long past their old due date (ten days on).
    app.clock()
        .advance(jiff::SignedDuration::from_hours(10 * 24));
    let (_, overdue) = api.get(&counter, "/api/v1/dossiers?list=overdue").await;
    assert!(
        overdue["items"].as_array().expect("items").is_empty(),
        "{overdue}"
    );
    let pdf = api
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}/forms/02.pdf")))
        .bearer_auth(&counter)
        .send()
        .await
        .expect("form 02");
    assert_eq!(pdf.status(), 200);

    // Brought back complete: the limit counts again from now.
    let d = api
        .ok(&counter, &code, "supplement_received", json!({}))
        .await;
    assert_eq!(d["status"], "in_review");
    let (_, events) = api
        .get(&counter, &format!("/api/v1/dossiers/{code}/events"))
        .await;
    let back_at = ts(&events.as_array().expect("events").last().expect("event")["at"]);
    let cal = app
        .app
        .working_calendar(Some(WARD_A))
        .await
        .expect("calendar");
    assert_eq!(
        ts(&d["due_at"]),
        cal.due_at(back_at, TimeLimit::WorkingDays(3)).expect("due")
    );
    // Only once.
    let (status, p) = api
        .act(
            &specialist,
            &code,
            "request_supplement",
            json!({"reason": "x", "missing": ["y"]}),
        )
        .await;
    assert_eq!(status, 409, "{p}");
    assert!(p["detail"].as_str().unwrap_or_default().contains("một lần"));

    // A pause of three working hours (Thursday 09:00 to 12:00) is added back.
    let d = api
        .ok(
            &specialist,
            &code,
            "pause",
            json!({"reason": "Chờ xác minh của Công an xã"}),
        )
        .await;
    let due_before = ts(&d["due_at"]);
    app.clock().advance(jiff::SignedDuration::from_hours(3));
    let paused_at: i64 = sqlx::query_scalar(&format!(
        "SELECT paused_at FROM dossiers WHERE code = '{code}'"
    ))
    .fetch_one(app.db.pool())
    .await
    .expect("paused_at");
    let d = api.ok(&specialist, &code, "resume", json!({})).await;
    let (_, events) = api
        .get(&counter, &format!("/api/v1/dossiers/{code}/events"))
        .await;
    let resumed_at = ts(&events.as_array().expect("events").last().expect("event")["at"]);
    let expected = motcua_domain::dossier::resume_due_at(
        &cal,
        TimeLimit::WorkingDays(3),
        due_before,
        jiff::Timestamp::from_millisecond(paused_at).expect("ms"),
        resumed_at,
    )
    .expect("resume");
    assert_eq!(ts(&d["due_at"]), expected);
    assert!(ts(&d["due_at"]) > due_before, "the pause is added back");
    let pdf = api
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}/forms/05.pdf")))
        .bearer_auth(&counter)
        .send()
        .await
        .expect("form 05");
    assert_eq!(pdf.status(), 200);
    audit_clean(&app).await;
}

async fn extension_once_with_a_later_date(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let leader = app.token("lanhdao").await;
    // Household business registration: 3 working days, well ahead of the due date.
    let mut body = intake("1.000689");
    body["applicant"]["email"] = Value::Null;
    let d = api.receive(&counter, body).await;
    let code = d["code"].as_str().expect("code").to_string();
    let due = ts(&d["due_at"]);
    let cal = app
        .app
        .working_calendar(Some(WARD_A))
        .await
        .expect("calendar");
    // Not a working day, or not after the current due date: refused.
    let tz = motcua_domain::calendar::vietnam_time_zone();
    let due_day = due.to_zoned(tz.clone()).date();
    let (status, p) = api
        .act(
            &leader,
            &code,
            "extend",
            json!({"reason": "Cần xác minh", "new_due_date": due_day.to_string()}),
        )
        .await;
    assert_eq!(status, 400, "{p}");
    let mut later = due_day;
    for _ in 0..5 {
        later = later.tomorrow().expect("day");
        while !cal.is_working_day(later) {
            later = later.tomorrow().expect("day");
        }
    }
    let (status, p) = api
        .act(
            &leader,
            &code,
            "extend",
            json!({"new_due_date": later.to_string()}),
        )
        .await;
    assert_eq!(status, 400, "a reason (the apology) is required: {p}");
    let d = api.ok(&leader, &code, "extend", json!({"reason": "Cần xác minh thêm tại nơi cư trú trước đây", "new_due_date": format!("{:02}/{:02}/{}", later.day(), later.month(), later.year())})).await;
    let new_due = ts(&d["due_at"]);
    assert_eq!(new_due.to_zoned(tz).date(), later);
    assert_eq!(ts(&d["original_due_at"]), due);
    assert_eq!(d["extensions"], 1);
    // Only SMS here (no e-mail given): one message.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'extended'")
            .await,
        1
    );
    let (status, p) = api
        .act(
            &leader,
            &code,
            "extend",
            json!({"reason": "again", "new_due_date": later.tomorrow().expect("day").to_string()}),
        )
        .await;
    assert_eq!(status, 409, "{p}");
    let pdf = api
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}/forms/04.pdf")))
        .bearer_auth(&counter)
        .send()
        .await
        .expect("form 04");
    assert_eq!(pdf.status(), 200);
    let text =
        motcua_docs::testing::pdf_text(&pdf.bytes().await.expect("bytes")).expect("pdftotext");
    if let Some(text) = text {
        assert!(text.contains(&code), "{text}");
    }
    audit_clean(&app).await;
}

async fn personal_id_and_bad_input_are_explained(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let cases: [(&str, Value, &str); 7] = [
        (
            "applicant.personal_id",
            json!({"applicant": {"full_name": "Lê B", "personal_id": "00108701234"}}),
            "12 chữ số",
        ),
        (
            "applicant.personal_id",
            json!({"applicant": {"full_name": "Lê B", "personal_id": "099087012345"}}),
            "mã tỉnh",
        ),
        (
            "applicant.personal_id",
            json!({"applicant": {"full_name": "Lê B", "personal_id": "001087012345", "date_of_birth": "12/03/1978"}}),
            "1987",
        ),
        (
            "applicant.personal_id",
            json!({"applicant": {"full_name": "Lê B", "personal_id": "001187012345", "sex": "nam"}}),
            "Nữ",
        ),
        (
            "applicant.full_name",
            json!({"applicant": {"full_name": "  ", "personal_id": "001087012345"}}),
            "họ",
        ),
        ("procedure", json!({"procedure": "9.999999"}), "9.999999"),
        (
            "return_method",
            json!({"return_method": "pigeon"}),
            "nhận kết quả",
        ),
    ];
    for (field, patch, words) in cases {
        let mut body = intake("1.000689");
        for (k, v) in patch.as_object().expect("object") {
            if k == "applicant" {
                for (ak, av) in v.as_object().expect("applicant") {
                    body["applicant"][ak] = av.clone();
                }
            } else {
                body[k] = v.clone();
            }
        }
        let (status, p) = api.post(&counter, "/api/v1/dossiers", body).await;
        assert_eq!(status, 400, "{field}: {p}");
        let errors = p["errors"].as_array().expect("field errors");
        let e = errors
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("{field} in {p}"));
        assert!(
            e["message"].as_str().unwrap_or_default().contains(words),
            "{field}: {e}"
        );
    }
    // Malformed JSON: problem+json, not a crash.
    let r = app
        .client()
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&counter)
        .header("content-type", "application/json")
        .body("{\"procedure\":")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM dossiers").await,
        0,
        "nothing half-written"
    );
}

async fn codes_stay_unique_under_parallel_intakes(app: TestApp) {
    let counter = app.token("tiepnhan").await;
    let counter_b = app.token("tiepnhan.hht").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..24 {
        let http = app.client();
        let url = app.url("/api/v1/dossiers");
        let token = if i % 3 == 0 {
            counter_b.clone()
        } else {
            counter.clone()
        };
        tasks.spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .json(&intake("1.000689"))
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), 201);
            let d: Value = r.json().await.expect("json");
            d["code"].as_str().expect("code").to_string()
        });
    }
    let mut codes = Vec::new();
    while let Some(c) = tasks.join_next().await {
        codes.push(c.expect("task"));
    }
    for agency in [WARD_A, WARD_B] {
        let mut seqs: Vec<u32> = codes
            .iter()
            .filter(|c| c.starts_with(agency))
            .map(|c| c.rsplit('-').next().expect("seq").parse().expect("digits"))
            .collect();
        seqs.sort();
        let n = seqs.len() as u32;
        assert_eq!(
            seqs,
            (1..=n).collect::<Vec<_>>(),
            "{agency}: a gap-free sequence"
        );
    }
    assert_eq!(codes.len(), 24);
}

async fn repeated_requests_with_a_key_act_once(app: TestApp) {
    let counter = app.token("tiepnhan").await;
    let http = app.client();
    let send = |key: &'static str, body: Value| {
        http.post(app.url("/api/v1/dossiers"))
            .bearer_auth(&counter)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let a: Value = send("k-1", intake("1.000689"))
        .await
        .expect("first")
        .json()
        .await
        .expect("json");
    let b: Value = send("k-1", intake("1.000689"))
        .await
        .expect("again")
        .json()
        .await
        .expect("json");
    assert_eq!(a["code"], b["code"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 1);
    // The same key for another request is refused.
    let r = send("k-1", intake("1.001193")).await.expect("other");
    assert_eq!(r.status(), 409);
    // Actions too: a double click writes one event.
    let code = a["code"].as_str().expect("code");
    for _ in 0..2 {
        let r = http
            .post(app.url(&format!("/api/v1/dossiers/{code}/actions/assign")))
            .bearer_auth(&counter)
            .header("Idempotency-Key", "assign-1")
            .json(&json!({"assignee": "chuyenvien"}))
            .send()
            .await
            .expect("assign");
        assert_eq!(r.status(), 200);
    }
    assert_eq!(events_of(&app, code).await, 2);

    // Retries sent at once (a client whose first attempt timed out) all get the
    // first answer, on both engines: one dossier, one event each.
    let post = |url: String, key: &'static str, body: Value| {
        let request = http
            .post(url)
            .bearer_auth(&counter)
            .header("Idempotency-Key", key)
            .json(&body);
        tokio::spawn(async move {
            let r = request.send().await.expect("send");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.expect("json"))
        })
    };
    let attempts: Vec<_> = (0..10)
        .map(|_| {
            post(
                app.url("/api/v1/dossiers"),
                "k-parallel",
                intake("1.000689"),
            )
        })
        .collect();
    let mut answers = Vec::new();
    for a in attempts {
        answers.push(a.await.expect("task"));
    }
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body["code"], answers[0].1["code"], "{body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 2);
    let code = answers[0].1["code"].as_str().expect("code").to_owned();
    let assigns: Vec<_> = (0..10)
        .map(|_| {
            post(
                app.url(&format!("/api/v1/dossiers/{code}/actions/assign")),
                "assign-parallel",
                json!({"assignee": "chuyenvien"}),
            )
        })
        .collect();
    for a in assigns {
        let (status, body) = a.await.expect("task");
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(events_of(&app, &code).await, 2);
}

async fn two_officers_at_once_exactly_one_succeeds(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let leader = app.token("lanhdao").await;
    for round in 0..3 {
        let d = api.receive(&counter, intake("1.000689")).await;
        let code = d["code"].as_str().expect("code").to_string();
        let version = d["version"].clone();
        let (a, b) = tokio::join!(
            api.act(
                &counter,
                &code,
                "assign",
                json!({"assignee": "chuyenvien", "version": version})
            ),
            api.act(
                &leader,
                &code,
                "assign",
                json!({"assignee": "chuyenvien2", "version": version})
            ),
        );
        let statuses = [a.0, b.0];
        assert!(
            statuses.contains(&200) && statuses.contains(&409),
            "round {round}: {a:?} {b:?}"
        );
        let loser = if a.0 == 409 { a.1 } else { b.1 };
        let detail = loser["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("vừa được người khác cập nhật")
                && detail.contains("Đã phân công xử lý"),
            "{detail}"
        );
        assert_eq!(events_of(&app, &code).await, 2);
    }
}

async fn tampered_history_is_found_by_audit_verify(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    for _ in 0..3 {
        let d = api.receive(&counter, intake("1.000689")).await;
        api.ok(
            &counter,
            d["code"].as_str().expect("code"),
            "assign",
            json!({}),
        )
        .await;
    }
    let out = motcua(&app, &["audit", "verify"], &[], None).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("3 dossier(s), 6 event(s)"),
        "{}",
        out.stdout
    );
    // Events are append-only for the application, as texts and as stored…
    for sql in [
        "UPDATE dossier_events SET reason = 'x'",
        "UPDATE dossier_event_rows SET reason = 'x'",
        "DELETE FROM dossier_event_rows",
        "UPDATE event_terms SET value = 'x'",
    ] {
        let refused = sqlx::query(sql).execute(app.db.pool()).await;
        assert!(refused.is_err(), "{sql}");
    }
    // …and someone with the database's keys who removes the guard is still caught.
    let drop = match app.db.engine() {
        motcua_store::Engine::Sqlite => "DROP TRIGGER dossier_events_no_update",
        motcua_store::Engine::Postgres => {
            "DROP TRIGGER dossier_events_append_only ON dossier_event_rows"
        }
    };
    sqlx::query(drop)
        .execute(app.db.pool())
        .await
        .expect("drop trigger");
    let victim: String = sqlx::query_scalar("SELECT d.code FROM dossiers d ORDER BY d.id LIMIT 1")
        .fetch_one(app.db.pool())
        .await
        .expect("victim");
    sqlx::query(&format!("UPDATE dossier_event_rows SET actor_name = action WHERE seq = 1 AND dossier_no = (SELECT no FROM dossiers WHERE code = '{victim}')")).execute(app.db.pool()).await.expect("tamper");
    let out = motcua(&app, &["audit", "verify"], &[], None).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!("BROKEN {victim} event 1")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("1 broken chain(s)"), "{}", out.stdout);
}

/// The JSON API carries files in base64; the web edge decodes them, and a file
/// that is not base64 is refused with its field named, writing nothing.
async fn files_travel_as_base64_in_json_only(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let before = app.count("SELECT COUNT(*) FROM dossiers").await;
    let mut bad = intake("1.000689");
    bad["files"] = json!([{"name": "to-khai.pdf", "data_base64": "khong phai base64!"}]);
    let (status, p) = api.post(&counter, "/api/v1/dossiers", bad).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(p["errors"][0]["field"], "files[0]", "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("base64"),
        "{p}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, before);

    let mut good = intake("1.000689");
    // "%PDF-1.4 to khai" in base64.
    good["files"] = json!([{"name": "to-khai.pdf", "content_type": "application/pdf",
                            "data_base64": "JVBERi0xLjQgdG8ga2hhaQ=="}]);
    let d = api.receive(&counter, good).await;
    let code = d["code"].as_str().expect("code").to_owned();
    let files = app
        .app
        .dossiers()
        .files(&actor(&app, "tiepnhan").await, &code)
        .await
        .expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].size, "%PDF-1.4 to khai".len() as i64);
    assert_eq!(files[0].content_type, "application/pdf");

    api.ok(&counter, &code, "assign", json!({"assignee": "chuyenvien"}))
        .await;
    let specialist = app.token("chuyenvien").await;
    let (status, p) = api
        .act(
            &specialist,
            &code,
            "attach_result",
            json!({"result": {"name": "Trích lục", "data_base64": "%%%"}}),
        )
        .await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(p["errors"][0]["field"], "result.data_base64", "{p}");
    audit_clean(&app).await;
}

/// `motcua audit verify` finds every chain intact and every row the fold of its
/// events.
async fn audit_clean(app: &TestApp) {
    let out = motcua(app, &["audit", "verify"], &[], None).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("every row the fold of its events"),
        "{}",
        out.stdout
    );
}

/// The intake lives in the first event only (deflated); the row keeps the
/// applicant's columns for the lists, and they are checked against the events.
async fn the_intake_is_stored_once_and_deflated(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code").to_owned();
    let columns: Vec<String> = match app.db.engine() {
        motcua_store::Engine::Sqlite => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info('dossiers')")
                .fetch_all(app.db.pool())
                .await
        }
        motcua_store::Engine::Postgres => {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
             WHERE table_name = 'dossiers' AND table_schema = current_schema()",
            )
            .fetch_all(app.db.pool())
            .await
        }
    }
    .expect("columns");
    assert!(
        columns.contains(&"applicant_name".to_string()),
        "{columns:?}"
    );
    assert!(!columns.contains(&"details".to_string()), "{columns:?}");
    let stored: Vec<u8> = sqlx::query_scalar(&format!(
        "SELECT e.data FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id \
         WHERE d.code = '{code}' AND e.seq = 1"
    ))
    .fetch_one(app.db.pool())
    .await
    .expect("the first event");
    let text = motcua_store::dossiers::data::decode(&stored).expect("readable");
    assert!(
        text.contains("Nguyễn Văn An") && text.contains("0001234"),
        "{text}"
    );
    assert_eq!(stored[0], 0x02, "deflated against the dictionary");
    assert!(
        stored.len() < text.len() / 2,
        "{} of {}",
        stored.len(),
        text.len()
    );
    // The details still come out whole, read from the events.
    let (status, got) = api.get(&counter, &format!("/api/v1/dossiers/{code}")).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["applicant"]["full_name"], "Nguyễn Văn An", "{got}");
    assert_eq!(got["applicant"], d["applicant"]);
    api.ok(&counter, &code, "assign", json!({})).await;
    audit_clean(&app).await;
    // The lists' copy of the applicant's name changed behind the app is drift.
    sqlx::query(&format!(
        "UPDATE dossiers SET applicant_name = 'Trần Thị Bình' WHERE code = '{code}'"
    ))
    .execute(app.db.pool())
    .await
    .expect("tamper with the row");
    let out = motcua(&app, &["audit", "verify"], &[], None).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with(&format!("DRIFT {code}:")) && l.contains("applicant_name")),
        "{}",
        out.stdout
    );
}

/// The columns a row derives for the reports (closing instant) must follow its
/// events like the rest: a report counts from them.
async fn a_report_column_changed_behind_the_app_is_found_too(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code").to_owned();
    audit_clean(&app).await;
    sqlx::query(&format!(
        "UPDATE dossiers SET closed_at = received_at WHERE code = '{code}'"
    ))
    .execute(app.db.pool())
    .await
    .expect("tamper with the row");
    let out = motcua(&app, &["audit", "verify"], &[], None).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with(&format!("DRIFT {code}:")) && l.contains("closed_at")),
        "{}",
        out.stdout
    );
}

/// The row counts the documents scanned at intake (the service index reads the
/// count, not the files); the audit compares it with the files stored.
async fn scanned_documents_are_counted_on_the_row_and_checked_against_the_files(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let mut scanned = intake("1.000689");
    scanned["files"] = json!([
        {"name": "to-khai.pdf", "content_type": "application/pdf", "data_base64": "JVBERi0xLjQgdG8ga2hhaQ=="},
        {"name": "cccd.pdf", "content_type": "application/pdf", "data_base64": "JVBERi0xLjQgY2NjZA=="}
    ]);
    let d = api.receive(&counter, scanned).await;
    let code = d["code"].as_str().expect("code").to_owned();
    let plain = api.receive(&counter, intake("1.000689")).await;
    let count = |code: String| {
        let app = &app;
        async move {
            app.count(&format!(
                "SELECT scanned_documents FROM dossiers WHERE code = '{code}'"
            ))
            .await
        }
    };
    assert_eq!(count(code.clone()).await, 2);
    assert_eq!(
        count(plain["code"].as_str().expect("code").to_owned()).await,
        0
    );
    // Later files of other kinds (a working file, the result) are not scans.
    api.ok(&counter, &code, "assign", json!({"assignee": "chuyenvien"}))
        .await;
    let specialist = app.token("chuyenvien").await;
    api.ok(&specialist, &code, "start", json!({})).await;
    api.ok(
        &specialist,
        &code,
        "record_review",
        json!({"opinion": "Đủ điều kiện.", "working_files": [
            {"name": "du-thao.pdf", "content_type": "application/pdf", "data_base64": "JVBERi0xLjQgZHU="}
        ]}),
    )
    .await;
    assert_eq!(count(code.clone()).await, 2);
    audit_clean(&app).await;
    // A scan removed behind the app leaves the row's count wrong: drift.
    sqlx::query(&format!(
        "DELETE FROM dossier_files WHERE name = 'cccd.pdf' AND dossier_id = \
         (SELECT id FROM dossiers WHERE code = '{code}')"
    ))
    .execute(app.db.pool())
    .await
    .expect("remove a scan");
    let out = motcua(&app, &["audit", "verify"], &[], None).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with(&format!("DRIFT {code}:")) && l.contains("scanned_documents")),
        "{}",
        out.stdout
    );
}

/// An event written straight through the store (not a workflow step: its hash
/// is no chain's), for the tests of how events are stored.
fn test_event(
    dossier_id: &str,
    seq: i64,
    actor: &str,
    agency: Option<String>,
    action: &str,
) -> motcua_store::dossiers::EventRow {
    motcua_store::dossiers::EventRow {
        dossier_id: dossier_id.to_owned(),
        seq,
        at: 1_764_547_200_000,
        actor_id: Some(actor.to_owned()),
        actor_name: "Kiểm thử".into(),
        agency_id: agency,
        action: action.to_owned(),
        from_status: None,
        to_status: "received".into(),
        reason: None,
        data: "{}".into(),
        hash: vec![7; 32],
    }
}

/// Events name their dossier and the texts they repeat by number (migration
/// 0024), and read back as texts. A term first used by a transaction that rolls
/// back is not remembered: on SQLite its number goes to the next new term, so an
/// event that reused it would name the wrong actor.
async fn events_are_stored_by_number_and_read_as_text(app: TestApp) {
    use motcua_store::dossiers::{events, insert_event};
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code").to_owned();
    api.ok(&counter, &code, "assign", json!({})).await;
    let (id, stored_action): (String, String) = sqlx::query_as(&format!(
        "SELECT d.id, t.value FROM dossier_event_rows e JOIN dossiers d ON d.no = e.dossier_no \
         JOIN event_terms t ON t.no = e.action WHERE d.code = '{code}' AND e.seq = 2"
    ))
    .fetch_one(app.db.pool())
    .await
    .expect("the stored event");
    assert_eq!(stored_action, "assign");
    let terms = app.count("SELECT COUNT(*) FROM event_terms").await;
    let row = |seq: i64, actor: &str| test_event(&id, seq, actor, None, "note");
    let mut tx = app.db.begin_write().await.expect("begin");
    insert_event(&mut tx, &row(100, "rolled-back-actor"))
        .await
        .expect("insert");
    tx.rollback().await.expect("rollback");
    assert_eq!(app.count("SELECT COUNT(*) FROM event_terms").await, terms);
    for (seq, actor) in [(100, "second-actor"), (101, "rolled-back-actor")] {
        let mut tx = app.db.begin_write().await.expect("begin");
        insert_event(&mut tx, &row(seq, actor))
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
    }
    let mut conn = app.db.read().await.expect("read");
    let read = events(&mut conn, &id).await.expect("events");
    let actors: Vec<(i64, Option<&str>)> = read
        .iter()
        .filter(|e| e.seq >= 100)
        .map(|e| (e.seq, e.actor_id.as_deref()))
        .collect();
    assert_eq!(
        actors,
        [
            (100, Some("second-actor")),
            (101, Some("rolled-back-actor"))
        ]
    );
    assert_eq!(read.last(), Some(&row(101, "rolled-back-actor")));
    // An insert into the view is refused, never silently dropped.
    let refused = sqlx::query(
        "INSERT INTO dossier_events (dossier_id, seq, at, actor_name, action, to_status, data, hash) \
         VALUES ($1, 102, 1, 'x', 'note', 'received', $2, $2)",
    )
    .bind(&id)
    .bind(vec![0u8; 32])
    .execute(app.db.pool())
    .await
    .expect_err("an insert into the view");
    assert!(refused.to_string().contains("view"), "{refused}");
}

/// Many write transactions at once, each the first to use the same new texts:
/// each term is numbered once, every write succeeds, every event reads back with
/// its texts (PostgreSQL: the later inserts wait for the first and then find it).
async fn a_new_term_written_at_once_by_many_is_numbered_once(app: TestApp) {
    use motcua_store::dossiers::{events, insert_event, EventRow};
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code");
    let id: String = sqlx::query_scalar(&format!("SELECT id FROM dossiers WHERE code = '{code}'"))
        .fetch_one(app.db.pool())
        .await
        .expect("id");
    let writes: Vec<_> = (0..8)
        .map(|i| {
            let (db, id) = (app.db.clone(), id.clone());
            tokio::spawn(async move {
                let row = test_event(
                    &id,
                    200 + i,
                    "actor-first-seen-at-once",
                    Some(format!("agency-{}", i % 2)),
                    "action-first-seen-at-once",
                );
                let mut tx = db.begin_write().await?;
                insert_event(&mut tx, &row).await?;
                tx.commit().await
            })
        })
        .collect();
    for w in writes {
        w.await.expect("joined").expect("written");
    }
    for (value, times) in [
        ("actor-first-seen-at-once", 1),
        ("action-first-seen-at-once", 1),
        ("agency-0", 1),
        ("agency-1", 1),
    ] {
        let n = app
            .count(&format!(
                "SELECT COUNT(*) FROM event_terms WHERE value = '{value}'"
            ))
            .await;
        assert_eq!(n, times, "{value}");
    }
    let mut conn = app.db.read().await.expect("read");
    let read: Vec<EventRow> = events(&mut conn, &id)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.seq >= 200)
        .collect();
    assert_eq!(read.len(), 8);
    for e in &read {
        assert_eq!(e.actor_id.as_deref(), Some("actor-first-seen-at-once"));
        assert_eq!(e.action, "action-first-seen-at-once");
        assert_eq!(
            e.agency_id.as_deref(),
            Some(format!("agency-{}", (e.seq - 200) % 2).as_str())
        );
    }
}

/// The schema as migration 0024 left it, on the data there is: 0025 can then run
/// again on dossiers and events that exist. (The terms 0025 added stay: terms are
/// never removed, and 0025 adds only the missing ones.)
const BEFORE_0025_SQLITE: &str = "
DROP VIEW dossier_events;
CREATE TABLE rows_then AS SELECT e.dossier_no, e.seq, e.at, e.actor, e.agency, e.action,
    e.from_status, e.to_status, tn.value AS actor_name, e.reason, e.data, e.hash
    FROM dossier_event_rows e JOIN event_terms tn ON tn.no = e.actor_name;
DROP TABLE dossier_event_rows;
CREATE TABLE dossier_event_rows (
    dossier_no BIGINT NOT NULL REFERENCES dossiers(no), seq BIGINT NOT NULL, at BIGINT NOT NULL,
    actor BIGINT REFERENCES event_terms(no), agency BIGINT REFERENCES event_terms(no),
    action BIGINT NOT NULL REFERENCES event_terms(no), from_status BIGINT REFERENCES event_terms(no),
    to_status BIGINT NOT NULL REFERENCES event_terms(no), actor_name TEXT NOT NULL, reason TEXT,
    data BLOB NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (dossier_no, seq)) WITHOUT ROWID;
INSERT INTO dossier_event_rows SELECT * FROM rows_then ORDER BY dossier_no, seq;
DROP TABLE rows_then;
CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_event_rows
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;
CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_event_rows
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;
CREATE VIEW dossier_events AS
SELECT d.id AS dossier_id, e.seq, e.at, ta.value AS actor_id, e.actor_name,
       tg.value AS agency_id, tc.value AS action, tf.value AS from_status,
       tt.value AS to_status, e.reason, e.data, e.hash, e.dossier_no
FROM dossier_event_rows e
JOIN dossiers d ON d.no = e.dossier_no
LEFT JOIN event_terms ta ON ta.no = e.actor
LEFT JOIN event_terms tg ON tg.no = e.agency
JOIN event_terms tc ON tc.no = e.action
LEFT JOIN event_terms tf ON tf.no = e.from_status
JOIN event_terms tt ON tt.no = e.to_status;
ALTER TABLE dossiers ADD COLUMN procedure_name TEXT NOT NULL DEFAULT '';
UPDATE dossiers SET procedure_name = (SELECT value FROM event_terms WHERE no = procedure_term);
ALTER TABLE dossiers DROP COLUMN procedure_term;
ALTER TABLE dossiers ADD COLUMN last_hash_text TEXT NOT NULL DEFAULT '';
UPDATE dossiers SET last_hash_text = lower(hex(last_hash));
ALTER TABLE dossiers DROP COLUMN last_hash;
ALTER TABLE dossiers RENAME COLUMN last_hash_text TO last_hash;
DROP INDEX dossiers_worklist;
CREATE INDEX dossiers_worklist ON dossiers (agency_id, status, priority, due_at, id);
DROP INDEX dossiers_assignee;
CREATE INDEX dossiers_assignee ON dossiers (assignee_id, status, priority, due_at, id);
DROP INDEX dossiers_open_due;
CREATE INDEX dossiers_open_due ON dossiers (agency_id, is_open, due_at, id);
DROP INDEX dossiers_uncollected;
CREATE INDEX dossiers_uncollected ON dossiers (status, result_ready_at) WHERE reminded_at IS NULL;
DROP INDEX dossiers_newest;
CREATE INDEX dossiers_newest ON dossiers (agency_id, id);
DROP INDEX dossiers_ready;
DELETE FROM _sqlx_migrations WHERE version = 25;
";

const BEFORE_0025_POSTGRES: &str = "
DROP VIEW dossier_events;
CREATE TABLE rows_then AS SELECT e.dossier_no, e.seq, e.at, e.actor, e.agency, e.action,
    e.from_status, e.to_status, tn.value AS actor_name, e.reason, e.data, e.hash
    FROM dossier_event_rows e JOIN event_terms tn ON tn.no = e.actor_name;
DROP TABLE dossier_event_rows;
CREATE TABLE dossier_event_rows (
    dossier_no BIGINT NOT NULL REFERENCES dossiers(no), seq BIGINT NOT NULL, at BIGINT NOT NULL,
    actor BIGINT REFERENCES event_terms(no), agency BIGINT REFERENCES event_terms(no),
    action BIGINT NOT NULL REFERENCES event_terms(no), from_status BIGINT REFERENCES event_terms(no),
    to_status BIGINT NOT NULL REFERENCES event_terms(no), actor_name TEXT NOT NULL, reason TEXT,
    data BYTEA NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (dossier_no, seq));
INSERT INTO dossier_event_rows SELECT * FROM rows_then ORDER BY dossier_no, seq;
DROP TABLE rows_then;
CREATE TRIGGER dossier_events_append_only BEFORE UPDATE OR DELETE ON dossier_event_rows
    FOR EACH ROW EXECUTE FUNCTION forbid_dossier_event_change();
CREATE VIEW dossier_events AS
SELECT d.id AS dossier_id, e.seq, e.at, ta.value AS actor_id, e.actor_name,
       tg.value AS agency_id, tc.value AS action, tf.value AS from_status,
       tt.value AS to_status, e.reason, e.data, e.hash, e.dossier_no
FROM dossier_event_rows e
JOIN dossiers d ON d.no = e.dossier_no
LEFT JOIN event_terms ta ON ta.no = e.actor
LEFT JOIN event_terms tg ON tg.no = e.agency
JOIN event_terms tc ON tc.no = e.action
LEFT JOIN event_terms tf ON tf.no = e.from_status
JOIN event_terms tt ON tt.no = e.to_status;
ALTER TABLE dossiers ADD COLUMN procedure_name TEXT;
UPDATE dossiers d SET procedure_name = t.value FROM event_terms t WHERE t.no = d.procedure_term;
ALTER TABLE dossiers ALTER COLUMN procedure_name SET NOT NULL;
ALTER TABLE dossiers DROP COLUMN procedure_term;
ALTER TABLE dossiers ALTER COLUMN last_hash TYPE TEXT USING encode(last_hash, 'hex');
DROP INDEX dossiers_worklist;
CREATE INDEX dossiers_worklist ON dossiers (agency_id, status, priority, due_at, id);
DROP INDEX dossiers_assignee;
CREATE INDEX dossiers_assignee ON dossiers (assignee_id, status, priority, due_at, id);
DROP INDEX dossiers_open_due;
CREATE INDEX dossiers_open_due ON dossiers (agency_id, is_open, due_at, id);
DROP INDEX dossiers_uncollected;
CREATE INDEX dossiers_uncollected ON dossiers (status, result_ready_at) WHERE reminded_at IS NULL;
DROP INDEX dossiers_newest;
CREATE INDEX dossiers_newest ON dossiers (agency_id, id);
DROP INDEX dossiers_ready;
DELETE FROM _sqlx_migrations WHERE version = 25;
";

/// The events table as migration 0023 left it, rebuilt from the view, with the
/// schema changes of 0024 undone: 0024 can then run again on dossiers that exist.
const BEFORE_0024_SQLITE: &str = "
CREATE TABLE events_then AS SELECT dossier_id, seq, at, actor_id, actor_name, agency_id,
    action, from_status, to_status, reason, data, hash FROM dossier_events;
DROP VIEW dossier_events;
DROP TABLE dossier_event_rows;
DROP TABLE event_terms;
DROP TRIGGER dossiers_number;
DROP INDEX dossiers_no;
ALTER TABLE dossiers DROP COLUMN no;
CREATE TABLE dossier_events (
    dossier_id TEXT NOT NULL REFERENCES dossiers(id), seq BIGINT NOT NULL, at BIGINT NOT NULL,
    actor_id TEXT, actor_name TEXT NOT NULL, agency_id TEXT, action TEXT NOT NULL,
    from_status TEXT, to_status TEXT NOT NULL, reason TEXT, data BLOB NOT NULL,
    hash BLOB NOT NULL, PRIMARY KEY (dossier_id, seq)) WITHOUT ROWID;
INSERT INTO dossier_events SELECT * FROM events_then ORDER BY dossier_id, seq;
DROP TABLE events_then;
CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;
CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_events
BEGIN SELECT RAISE(ABORT, 'dossier_events is append-only'); END;
DELETE FROM _sqlx_migrations WHERE version = 24;
";

const BEFORE_0024_POSTGRES: &str = "
CREATE TABLE events_then AS SELECT dossier_id, seq, at, actor_id, actor_name, agency_id,
    action, from_status, to_status, reason, data, hash FROM dossier_events;
DROP VIEW dossier_events;
DROP TABLE dossier_event_rows;
DROP TABLE event_terms;
DROP FUNCTION forbid_event_term_change();
DROP INDEX dossiers_no;
ALTER TABLE dossiers DROP COLUMN no;
CREATE TABLE dossier_events (
    dossier_id TEXT NOT NULL REFERENCES dossiers(id), seq BIGINT NOT NULL, at BIGINT NOT NULL,
    actor_id TEXT, actor_name TEXT NOT NULL, agency_id TEXT, action TEXT NOT NULL,
    from_status TEXT, to_status TEXT NOT NULL, reason TEXT, data BYTEA NOT NULL,
    hash BYTEA NOT NULL, PRIMARY KEY (dossier_id, seq));
INSERT INTO dossier_events SELECT * FROM events_then ORDER BY dossier_id, seq;
DROP TABLE events_then;
CREATE TRIGGER dossier_events_append_only BEFORE UPDATE OR DELETE ON dossier_events
    FOR EACH ROW EXECUTE FUNCTION forbid_dossier_event_change();
DELETE FROM _sqlx_migrations WHERE version = 24;
";

/// How many distinct texts the events and the dossier rows name by term.
const DISTINCT_TERMS: &str = "SELECT COUNT(*) FROM (SELECT actor_id AS v FROM dossier_events \
     UNION SELECT agency_id FROM dossier_events UNION SELECT action FROM dossier_events \
     UNION SELECT from_status FROM dossier_events UNION SELECT to_status FROM dossier_events \
     UNION SELECT actor_name FROM dossier_events \
     UNION SELECT (SELECT value FROM event_terms WHERE no = procedure_term) FROM dossiers) t \
     WHERE v IS NOT NULL";

/// Migration 0024 on a database that already holds dossiers: every event reads
/// back as it was, every chain verifies, every row is still the fold of its
/// events, and dossiers made afterwards are numbered after the old ones.
async fn migration_0024_keeps_every_event(app: TestApp) {
    use motcua_store::dossiers::{events, EventRow};
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    for i in 0..4 {
        let d = api.receive(&counter, intake("1.000689")).await;
        let code = d["code"].as_str().expect("code").to_owned();
        if i % 2 == 0 {
            api.ok(&counter, &code, "assign", json!({})).await;
        }
    }
    async fn all_events(app: &TestApp) -> Vec<EventRow> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM dossiers ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .expect("ids");
        let mut conn = app.db.read().await.expect("read");
        let mut all = Vec::new();
        for id in ids {
            all.extend(events(&mut conn, &id).await.expect("events"));
        }
        all
    }
    let before = all_events(&app).await;
    assert!(before.len() >= 6, "{}", before.len());
    let undo = match app.db.engine() {
        motcua_store::Engine::Sqlite => [BEFORE_0025_SQLITE, BEFORE_0024_SQLITE],
        motcua_store::Engine::Postgres => [BEFORE_0025_POSTGRES, BEFORE_0024_POSTGRES],
    };
    for step in undo {
        sqlx::raw_sql(step)
            .execute(app.db.pool())
            .await
            .expect("the schema before 0024");
    }
    app.db.migrate().await.expect("0024 and 0025 again");
    assert_eq!(all_events(&app).await, before);
    let distinct = app.count(DISTINCT_TERMS).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM event_terms").await,
        distinct
    );
    audit_clean(&app).await;
    let highest = app.count("SELECT MAX(no) FROM dossiers").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code");
    assert_eq!(
        app.count(&format!("SELECT no FROM dossiers WHERE code = '{code}'"))
            .await,
        highest + 1
    );
    api.ok(&counter, code, "assign", json!({})).await;
    audit_clean(&app).await;
}

/// Migration 0025 on a database that already holds dossiers: every event and
/// every row reads back as it was (the actor's and the procedure's names now by
/// term), every chain verifies, the terms are exactly the texts named, and the
/// worklists list what they listed.
async fn migration_0025_keeps_every_event_and_row(app: TestApp) {
    use motcua_store::dossiers::{by_id, events, DossierRow, EventRow};
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    for i in 0..4 {
        let d = api.receive(&counter, intake("1.000689")).await;
        let code = d["code"].as_str().expect("code").to_owned();
        if i % 2 == 0 {
            api.ok(&counter, &code, "assign", json!({})).await;
        }
    }
    async fn everything(app: &TestApp) -> Vec<(DossierRow, Vec<EventRow>)> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM dossiers ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .expect("ids");
        let mut conn = app.db.read().await.expect("read");
        let mut all = Vec::new();
        for id in ids {
            let row = by_id(&mut conn, &id).await.expect("row").expect("found");
            all.push((row, events(&mut conn, &id).await.expect("events")));
        }
        all
    }
    let before = everything(&app).await;
    assert!(before.len() >= 4, "{}", before.len());
    let lists_before = [
        api.get(&counter, "/api/v1/dossiers?list=all").await,
        api.get(&counter, "/api/v1/dossiers?list=to_assign").await,
    ];
    let undo = match app.db.engine() {
        motcua_store::Engine::Sqlite => BEFORE_0025_SQLITE,
        motcua_store::Engine::Postgres => BEFORE_0025_POSTGRES,
    };
    sqlx::raw_sql(undo)
        .execute(app.db.pool())
        .await
        .expect("the schema before 0025");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM dossiers WHERE procedure_name <> ''")
            .await,
        before.len() as i64
    );
    app.db.migrate().await.expect("0025 again");
    assert_eq!(everything(&app).await, before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM event_terms").await,
        app.count(DISTINCT_TERMS).await
    );
    let lists_after = [
        api.get(&counter, "/api/v1/dossiers?list=all").await,
        api.get(&counter, "/api/v1/dossiers?list=to_assign").await,
    ];
    assert_eq!(lists_after, lists_before);
    audit_clean(&app).await;
    // A dossier received afterwards is written and listed first.
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code");
    let (_, all) = api.get(&counter, "/api/v1/dossiers?list=all").await;
    assert_eq!(all["items"][0]["code"].as_str(), Some(code), "{all}");
    api.ok(&counter, code, "assign", json!({})).await;
    audit_clean(&app).await;
}

async fn a_row_changed_behind_the_app_is_found_by_audit_verify(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        let d = api.receive(&counter, intake("1.000689")).await;
        let code = d["code"].as_str().expect("code").to_owned();
        api.ok(&counter, &code, "assign", json!({})).await;
        codes.push(code);
    }
    audit_clean(&app).await;
    // The row is changed, its events are not: a later due date and a fee marked paid.
    let victim = &codes[1];
    sqlx::query(&format!(
        "UPDATE dossiers SET due_at = due_at + 86400000, fee_paid = 1 - fee_paid WHERE code = '{victim}'"
    ))
    .execute(app.db.pool())
    .await
    .expect("tamper with the row");
    let out = motcua(&app, &["audit", "verify"], &[], None).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with(&format!("DRIFT {victim}:")))
        .unwrap_or_else(|| panic!("the changed dossier is named: {}", out.stdout));
    assert!(
        line.contains("fee_paid") && line.contains("due_at"),
        "{line}"
    );
    assert!(
        !line.contains("status"),
        "only what changed is named: {line}"
    );
    assert_eq!(out.stdout.matches("DRIFT").count(), 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("0 broken chain(s), 1 dossier row(s) not matching their events"),
        "{}",
        out.stdout
    );
}

/// The database refuses to delete a dossier row; one deleted behind that (and the
/// foreign key) leaves events without their dossier, which `audit verify` names.
async fn a_dossier_row_is_never_deleted_and_orphaned_events_are_found(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let mut codes = Vec::new();
    for _ in 0..2 {
        let d = api.receive(&counter, intake("1.000689")).await;
        codes.push(d["code"].as_str().expect("code").to_owned());
    }
    audit_clean(&app).await;
    let victim = &codes[0];
    let delete = format!("DELETE FROM dossiers WHERE code = '{victim}'");
    let refused = sqlx::query(&delete).execute(app.db.pool()).await;
    assert!(refused.is_err(), "the delete is refused");
    let (no,): (i64,) = sqlx::query_as(&format!("SELECT no FROM dossiers WHERE code = '{victim}'"))
        .fetch_one(app.db.pool())
        .await
        .expect("still there");
    // Behind the trigger and the foreign key, as only someone at the database could.
    let mut conn = app.db.pool().acquire().await.expect("a connection");
    let bypass: &[&str] = match app.db.engine() {
        motcua_store::Engine::Sqlite => &[
            "PRAGMA foreign_keys = OFF",
            "DROP TRIGGER dossiers_no_delete",
            &delete,
            "PRAGMA foreign_keys = ON",
        ],
        motcua_store::Engine::Postgres => &[
            "SET session_replication_role = replica",
            &delete,
            "RESET session_replication_role",
        ],
    };
    for sql in bypass {
        sqlx::query(sql)
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    drop(conn);
    let out = motcua(&app, &["audit", "verify"], &[], None).await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with(&format!("ORPHAN dossier no {no}:"))
                && l.contains("without their dossier row")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("checked 1 dossier(s)")
            && out.stdout.contains("1 dossier(s) whose row is gone"),
        "{}",
        out.stdout
    );
}

async fn receipt_pdf_holds_the_code_and_tracking_qr(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code");
    let r = api
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}/receipt.pdf")))
        .bearer_auth(&counter)
        .send()
        .await
        .expect("receipt");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.expect("bytes");
    assert!(pdf.starts_with(b"%PDF"));
    let Some(text) = motcua_docs::testing::pdf_text(&pdf).expect("pdftotext") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have poppler-utils"
        );
        return;
    };
    assert!(text.contains(code), "{text}");
    assert!(text.contains("Nguyễn Văn An"), "{text}");
    assert!(text.contains("GIẤY TIẾP NHẬN HỒ SƠ"), "{text}");
    let fonts = motcua_docs::testing::pdf_fonts(&pdf)
        .expect("pdffonts")
        .unwrap_or_default();
    assert!(fonts.contains("yes"), "fonts embedded: {fonts}");
    let qr = motcua_docs::testing::pdf_qr_texts(&pdf)
        .expect("qr")
        .expect("pdftoppm");
    assert_eq!(qr, vec![app.url(&format!("/tra-cuu?ma={code}"))]);
}

async fn public_tracking_hides_details_and_resists_guessing(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code");
    let http = app.client();
    let get = |path: String| http.get(app.url(&path)).send();
    let r = get(format!("/api/v1/public/dossiers/{code}"))
        .await
        .expect("track");
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.expect("json");
    assert_eq!(t["status"], "received");
    assert!(t["due_at"].is_string());
    assert!(t["details"].is_null());
    assert!(!t.to_string().contains("Nguyễn Văn An"));
    // The last four digits of the phone (or of the ID number) open the details.
    for digits in ["5678", "2345"] {
        let t: Value = get(format!("/api/v1/public/dossiers/{code}?digits={digits}"))
            .await
            .expect("track")
            .json()
            .await
            .expect("json");
        assert_eq!(t["details"]["applicant_name"], "Nguyễn Văn An", "{t}");
    }
    // Wrong digits say so, and nothing more; a wrong code says it is unknown.
    let wrong_digits = get(format!("/api/v1/public/dossiers/{code}?digits=0000"))
        .await
        .expect("track");
    let wrong_code = get(format!(
        "/api/v1/public/dossiers/{WARD_A}-991231-0001?digits=5678"
    ))
    .await
    .expect("track");
    assert_eq!(wrong_digits.status(), 404);
    assert_eq!(wrong_code.status(), 404);
    let a: Value = wrong_digits.json().await.expect("json");
    let b: Value = wrong_code.json().await.expect("json");
    assert_eq!(
        a["detail"],
        "Các chữ số vừa nhập không khớp với số điện thoại hoặc số định danh của người nộp hồ sơ này."
    );
    assert!(!a.to_string().contains("Nguyễn Văn An"), "{a}");
    assert!(b["detail"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Không tìm thấy hồ sơ có mã này"));
    // The short code, without the agency, finds the same dossier.
    let short = code.rsplitn(3, '-').take(2).collect::<Vec<_>>();
    let short = format!("{}-{}", short[1], short[0]);
    let t: Value = get(format!("/api/v1/public/dossiers/{short}?digits=5678"))
        .await
        .expect("track")
        .json()
        .await
        .expect("json");
    assert_eq!(t["code"], code, "{t}");
    assert_eq!(t["details"]["applicant_name"], "Nguyễn Văn An");
    // Guessing is limited per address.
    let mut last = 0;
    for i in 0..12 {
        last = get(format!("/api/v1/public/dossiers/{WARD_A}-260101-{i:04}"))
            .await
            .expect("guess")
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
}

async fn worklists_page_by_keyset(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let specialist = app.token("chuyenvien").await;
    let mut codes = Vec::new();
    for p in ["1.000689", "1.001193", "1.000689", "1.013975", "1.000689"] {
        let d = api.receive(&counter, intake(p)).await;
        codes.push(d["code"].as_str().expect("code").to_string());
    }
    let mut seen = Vec::new();
    let mut dues = Vec::new();
    let mut after = String::new();
    loop {
        let (status, page) = api
            .get(
                &counter,
                &format!("/api/v1/dossiers?list=to_assign&limit=2&after={after}"),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        for item in page["items"].as_array().expect("items") {
            seen.push(item["code"].as_str().expect("code").to_string());
            dues.push(ts(&item["due_at"]));
        }
        match page["next"].as_str() {
            Some(n) => after = n.to_string(),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    let mut all = codes.clone();
    all.sort();
    assert_eq!(sorted, all, "every dossier once");
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "by due instant");
    // Filters.
    let (_, page) = api
        .get(
            &counter,
            "/api/v1/dossiers?list=to_assign&procedure=1.001193",
        )
        .await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    let (_, page) = api
        .get(&counter, "/api/v1/dossiers?list=to_assign&sector=dat-dai")
        .await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    // Mine: only what is assigned to me.
    api.ok(
        &counter,
        &codes[0],
        "assign",
        json!({"assignee": "chuyenvien"}),
    )
    .await;
    api.ok(
        &counter,
        &codes[1],
        "assign",
        json!({"assignee": "chuyenvien2"}),
    )
    .await;
    let (_, page) = api.get(&specialist, "/api/v1/dossiers?list=mine").await;
    let mine: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["code"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(mine, [codes[0].as_str()]);
    // Overdue: the clock runs and the due instant passed.
    sqlx::query(&format!(
        "UPDATE dossiers SET due_at = 1000 WHERE code = '{}'",
        codes[2]
    ))
    .execute(app.db.pool())
    .await
    .expect("age");
    let (_, page) = api.get(&counter, "/api/v1/dossiers?list=overdue").await;
    assert_eq!(page["items"][0]["code"], codes[2].as_str());
    assert_eq!(page["items"][0]["overdue"], true);
    let (status, p) = api.get(&counter, "/api/v1/dossiers?list=nonsense").await;
    assert_eq!(status, 400, "{p}");
    let (status, _) = api.get(&counter, "/api/v1/dossiers?after=garbage").await;
    assert_eq!(status, 400);
}

async fn import_export_round_trip_and_idempotent(app: TestApp) {
    let dir = std::env::temp_dir().join(format!("motcua-import-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("legacy.jsonl");
    let lines = [
        json!({"code": format!("{WARD_A}-240315-0007"), "agency": WARD_A, "procedure": "1.001193", "channel": "counter",
               "applicant": {"full_name": "Trần Thị Bích", "personal_id": "033185001234", "phone": "0987654321"},
               "received_at": "2024-03-15T02:00:00Z", "returned_at": "2024-03-15T08:00:00Z", "status": "returned",
               "so_bien_nhan_cu": "BN-2024-0007"}),
        json!({"agency": WARD_A, "procedure": "1.000689", "channel": "post",
               "applicant": {"full_name": "Lê Văn Cường", "personal_id": "033090001111", "phone": "0977000111"},
               "received_at": "2024-05-20T03:00:00Z", "returned_at": null, "status": "in_review"}),
        json!({"agency": "KHONG.CO", "procedure": "1.001193", "channel": "counter", "applicant": {"full_name": "X"}, "received_at": "2024-01-01T00:00:00Z", "status": "received"}),
        json!({"agency": WARD_A, "procedure": "1.001193", "channel": "fax", "applicant": {"full_name": "X"}, "received_at": "2024-01-01T00:00:00Z", "status": "received"}),
        json!({"agency": WARD_A, "procedure": "1.001193", "channel": "counter", "applicant": {"full_name": "X"}, "received_at": "2024-01-01T00:00:00Z", "status": "closed"}),
    ];
    let mut text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    text.push_str("not json at all\n");
    std::fs::write(&file, text).expect("write");
    let path = file.to_string_lossy().to_string();
    let out = motcua(&app, &["dossier", "import", &path], &[], None).await;
    assert_eq!(out.code, 1, "rejected lines make the exit code non-zero");
    assert!(
        out.stdout
            .contains("imported 2, already present 0, rejected 4"),
        "{}",
        out.stdout
    );
    for (line, word) in [(3, "KHONG.CO"), (4, "fax"), (5, "closed"), (6, "JSON")] {
        assert!(
            out.stderr.contains(&format!("legacy.jsonl:{line}: ")) && out.stderr.contains(word),
            "{}",
            out.stderr
        );
    }
    // Importing the same file again adds nothing.
    let out = motcua(&app, &["dossier", "import", &path], &[], None).await;
    assert!(
        out.stdout
            .contains("imported 0, already present 2, rejected 4"),
        "{}",
        out.stdout
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 2);
    // Due computed from the calendar; timeliness decided; unknown fields kept.
    let d = app
        .app
        .dossiers()
        .get(
            &actor(&app, "tiepnhan").await,
            &format!("{WARD_A}-240315-0007"),
        )
        .await
        .expect("imported");
    assert_eq!(d.timeliness.as_deref(), Some("on_time"));
    assert_eq!(d.details.extra["so_bien_nhan_cu"], "BN-2024-0007");
    // A new intake today continues the sequence of codes without collision, and
    // a generated code exists for the line without one.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM dossiers WHERE code LIKE '{WARD_A}-240520-%'"
        ))
        .await,
        1
    );

    // Live dossiers too: export, import into a fresh database, export again: equal.
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let live = api.receive(&counter, intake("1.000689")).await;
    api.ok(
        &counter,
        live["code"].as_str().expect("code"),
        "assign",
        json!({"assignee": "chuyenvien"}),
    )
    .await;
    let first = dir.join("first.jsonl");
    let out = motcua(
        &app,
        &["dossier", "export", &first.to_string_lossy()],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let other = TestApp::spawn(match app.db.engine() {
        motcua_store::Engine::Sqlite => Engine::Sqlite,
        motcua_store::Engine::Postgres => Engine::Postgres,
    })
    .await
    .expect("second database");
    let out = motcua(
        &other,
        &["dossier", "import", &first.to_string_lossy()],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("imported 3"), "{}", out.stdout);
    let second = dir.join("second.jsonl");
    let out = motcua(
        &other,
        &["dossier", "export", &second.to_string_lossy()],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let a = std::fs::read_to_string(&first).expect("first");
    let b = std::fs::read_to_string(&second).expect("second");
    assert_eq!(a.lines().count(), 3);
    assert_eq!(a, b, "the round trip loses nothing");
    let report = other.app.dossiers().verify().await.expect("verify");
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
    let _ = std::fs::remove_dir_all(dir);
}

async fn other_agencies_cannot_see_or_act(app: TestApp) {
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let counter_b = app.token("tiepnhan.hht").await;
    let supervisor = app.token("giamsat").await;
    let d = api.receive(&counter, intake("1.000689")).await;
    let code = d["code"].as_str().expect("code");
    // Another commune's officer learns nothing: answered like a code that does not
    // exist (issue 9).
    let (status, _) = api
        .get(&counter_b, &format!("/api/v1/dossiers/{code}"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = api.act(&counter_b, code, "assign", json!({})).await;
    assert_eq!(status, 404);
    // The province's supervisor reads it, and acts on nothing.
    let (status, seen) = api
        .get(&supervisor, &format!("/api/v1/dossiers/{code}"))
        .await;
    assert_eq!(status, 200);
    assert!(seen["allowed_actions"]
        .as_array()
        .expect("actions")
        .is_empty());
    let (status, page) = api
        .get(&supervisor, &format!("/api/v1/dossiers?agency={WARD_A}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    let (status, _) = api
        .get(&counter_b, &format!("/api/v1/dossiers?agency={WARD_A}"))
        .await;
    assert_eq!(status, 403);
}

async fn immediate_procedures_print_no_receipt(app: TestApp) {
    let mut p = app
        .app
        .procedure_latest("2.000884")
        .await
        .expect("procedure")
        .procedure;
    p.code = "2.999001".into();
    p.name = "Chứng thực chữ ký (trả ngay, thử nghiệm)".into();
    p.statutory_limit = TimeLimit::Immediate;
    p.committed_limit = TimeLimit::Immediate;
    p.verification_limit = None;
    app.app
        .save_procedure(&motcua_app::Principal::System, p)
        .await
        .expect("save");
    let api = Api::new(&app);
    let counter = app.token("tiepnhan").await;
    let d = api.receive(&counter, intake("2.999001")).await;
    assert_eq!(d["due_at"], d["received_at"], "due at once");
    let code = d["code"].as_str().expect("code");
    let r = api
        .http
        .get(app.url(&format!("/api/v1/dossiers/{code}/receipt.pdf")))
        .bearer_auth(&counter)
        .send()
        .await
        .expect("receipt");
    assert_eq!(r.status(), 404);
    let p: Value = r.json().await.expect("problem");
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("không in giấy hẹn"),
        "{p}"
    );
}
