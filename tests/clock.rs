//! The business clock: the app on a manual clock, set to chosen instants, so that
//! the 15:00 cut-off, the due-soon and overdue lists, reminders for uncollected
//! results and timeliness at return are checked at exact boundaries without
//! sleeping. Every expected instant is written out by hand in Vietnam's local time;
//! on the system clock each of these tests fails (the due instants would follow
//! the day the suite runs).

use jiff::{SignedDuration, Timestamp};
use motcua_app::notify::NotifyConfig;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    clock = vn("2026-11-16T08:00:00");
    same_day_cut_off_at_15_00,
    due_soon_and_overdue_follow_the_clock,
    uncollected_results_are_listed_and_reminded_after_three_days,
    timeliness_at_return_follows_the_clock,
    calendar_day_limits_count_every_day_and_end_on_a_working_one,
);

/// An instant written in Vietnam's local time (UTC+7).
fn vn(local: &str) -> Timestamp {
    format!("{local}+07:00")
        .parse()
        .expect("a valid local instant")
}

fn ts(v: &Value) -> Timestamp {
    v.as_str().expect("an instant").parse().expect("RFC 3339")
}

/// Same day (Đăng ký khai sinh) and three working days (khai sinh kết hợp nhận cha,
/// mẹ, con), from the seed catalogue.
const SAME_DAY: &str = "1.001193";
const THREE_DAYS: &str = "1.000689";

fn intake(procedure: &str) -> Value {
    json!({
        "procedure": procedure,
        "channel": "counter",
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "personal_id": "001087012345",
            "date_of_birth": "05/09/1987",
            "sex": "male",
            "phone": "0912 345 678",
            "email": "an.nguyen@example.vn",
            "address": "Số 5, đường Điện Biên, phường Phố Hiến"
        },
        "return_method": "counter",
        "fee_paid": true,
        "fee_receipt_no": "0001234",
        "civil": civil_facts(procedure, "Nguyễn Minh Khôi")
    })
}

struct Officers<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    counter: String,
    specialist: String,
    leader: String,
}

impl<'a> Officers<'a> {
    async fn new(app: &'a TestApp) -> Officers<'a> {
        Officers {
            app,
            http: app.client(),
            counter: app.token("tiepnhan").await,
            specialist: app.token("chuyenvien").await,
            leader: app.token("lanhdao").await,
        }
    }

    async fn receive(&self, procedure: &str) -> Value {
        let r = self
            .app
            .send_json(
                &self.http,
                Method::POST,
                "/api/v1/dossiers",
                &self.counter,
                &intake(procedure),
            )
            .await;
        assert_eq!(r.status(), 201);
        json(r).await
    }

    async fn act(&self, token: &str, code: &str, action: &str, body: Value) -> Value {
        let r = self
            .app
            .send_json(
                &self.http,
                Method::POST,
                format!("/api/v1/dossiers/{code}/actions/{action}"),
                token,
                &body,
            )
            .await;
        let status = r.status();
        let d = json(r).await;
        assert_eq!(status, 200, "{action}: {d}");
        d
    }

    /// Takes a received dossier to `result_ready`, at whatever the clock says.
    async fn make_ready(&self, code: &str) -> Value {
        self.act(
            &self.counter,
            code,
            "assign",
            json!({"assignee": "chuyenvien"}),
        )
        .await;
        self.act(&self.specialist, code, "start", json!({})).await;
        self.act(&self.specialist, code, "submit_for_approval", json!({}))
            .await;
        self.act(&self.leader, code, "approve", json!({})).await;
        self.act(
            &self.specialist,
            code,
            "attach_result",
            json!({"result": {"name": "Trích lục khai sinh", "content_type": "application/pdf", "data_base64": "JVBERi0xLjQK"}}),
        )
        .await;
        let d = self
            .act(&self.specialist, code, "mark_ready", json!({}))
            .await;
        assert_eq!(d["status"], "result_ready");
        d
    }

    async fn give_back(&self, code: &str) -> Value {
        self.act(
            &self.counter,
            code,
            "return",
            json!({"collector_name": "Nguyễn Văn An", "collector_id": "001087012345"}),
        )
        .await
    }

    /// The codes in a worklist, with each one's `overdue` mark.
    async fn list(&self, list: &str) -> Vec<(String, bool)> {
        let r = self
            .http
            .get(
                self.app
                    .url(&format!("/api/v1/dossiers?list={list}&limit=200")),
            )
            .bearer_auth(&self.counter)
            .send()
            .await
            .expect("GET a worklist");
        assert_eq!(r.status(), 200);
        let page = json(r).await;
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                (
                    i["code"].as_str().unwrap_or_default().to_owned(),
                    i["overdue"].as_bool().unwrap_or_default(),
                )
            })
            .collect()
    }

    async fn listed(&self, list: &str, code: &str) -> Option<bool> {
        self.list(list)
            .await
            .into_iter()
            .find(|(c, _)| c == code)
            .map(|(_, overdue)| overdue)
    }
}

fn code_of(d: &Value) -> String {
    d["code"].as_str().expect("a code").to_owned()
}

async fn same_day_cut_off_at_15_00(app: TestApp) {
    let o = Officers::new(&app).await;
    // Friday 20 November 2026, a working day; the next one is Monday the 23rd.
    app.clock().set(vn("2026-11-20T14:59:00"));
    let before = o.receive(SAME_DAY).await;
    assert_eq!(ts(&before["received_at"]), vn("2026-11-20T14:59:00"));
    assert_eq!(ts(&before["due_at"]), vn("2026-11-20T17:00:00"), "{before}");
    assert!(code_of(&before).contains("-261120-"), "{before}");

    app.clock().set(vn("2026-11-20T15:01:00"));
    let after = o.receive(SAME_DAY).await;
    assert_eq!(ts(&after["received_at"]), vn("2026-11-20T15:01:00"));
    assert_eq!(ts(&after["due_at"]), vn("2026-11-23T17:00:00"), "{after}");
    // The code carries the day of receipt, not the due day.
    assert!(code_of(&after).contains("-261120-"), "{after}");
}

async fn due_soon_and_overdue_follow_the_clock(app: TestApp) {
    let o = Officers::new(&app).await;
    // Monday: three working days end at Thursday's close.
    app.clock().set(vn("2026-11-16T09:00:00"));
    let d = o.receive(THREE_DAYS).await;
    let code = code_of(&d);
    assert_eq!(ts(&d["due_at"]), vn("2026-11-19T17:00:00"), "{d}");

    // Just after Tuesday's close, one working day reaches only Wednesday's close.
    app.clock().set(vn("2026-11-17T17:00:01"));
    assert_eq!(o.listed("due_soon", &code).await, None);
    assert_eq!(o.listed("overdue", &code).await, None);

    // Wednesday morning, one working day reaches Thursday's close: due soon.
    app.clock().set(vn("2026-11-18T08:00:00"));
    assert_eq!(o.listed("due_soon", &code).await, Some(false));
    assert_eq!(o.listed("overdue", &code).await, None);

    // At the due instant itself it is still in time.
    app.clock().set(vn("2026-11-19T17:00:00"));
    assert_eq!(o.listed("due_soon", &code).await, Some(false));
    assert_eq!(o.listed("overdue", &code).await, None);

    // One millisecond later it is overdue, and no longer "due soon".
    app.clock().advance(SignedDuration::from_millis(1));
    assert_eq!(o.listed("due_soon", &code).await, None);
    assert_eq!(o.listed("overdue", &code).await, Some(true));
    assert_eq!(o.listed("all", &code).await, Some(true));
}

async fn reminders_of(app: &TestApp, code: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM outbox o JOIN dossiers d ON d.id = o.dossier_id \
         WHERE d.code = '{code}' AND o.kind = 'not_collected'"
    ))
    .await
}

async fn uncollected_results_are_listed_and_reminded_after_three_days(app: TestApp) {
    let o = Officers::new(&app).await;
    let cfg = NotifyConfig::default();
    assert_eq!(cfg.remind_after_days, 3);
    assert_eq!(app.app.settings().remind_after_days, 3);

    app.clock().set(vn("2026-11-23T08:00:00"));
    let code = code_of(&o.receive(SAME_DAY).await);
    let ready_at = vn("2026-11-23T10:00:00");
    app.clock().set(ready_at);
    let d = o.make_ready(&code).await;
    assert_eq!(ts(&d["result_ready_at"]), ready_at, "{d}");

    // Three days are 72 hours, weekends included; a millisecond short is not yet.
    let threshold = vn("2026-11-26T10:00:00");
    app.clock().set(threshold - SignedDuration::from_millis(1));
    assert_eq!(o.listed("not_collected", &code).await, None);
    app.app.enqueue_reminders(&cfg).await.expect("reminders");
    assert_eq!(reminders_of(&app, &code).await, 0);

    app.clock().set(threshold);
    assert!(o.listed("not_collected", &code).await.is_some());
    let queued = app.app.enqueue_reminders(&cfg).await.expect("reminders");
    let sent = reminders_of(&app, &code).await;
    assert!(sent > 0, "a reminder is queued");
    assert_eq!(queued as i64, sent);
    let reminded_at = app
        .count(&format!(
            "SELECT reminded_at FROM dossiers WHERE code = '{code}'"
        ))
        .await;
    assert_eq!(reminded_at, motcua_store::to_millis(threshold));

    // Once only, however long it then waits; it stays on the list until returned.
    app.clock().advance(SignedDuration::from_hours(24));
    assert_eq!(app.app.enqueue_reminders(&cfg).await.expect("reminders"), 0);
    assert_eq!(reminders_of(&app, &code).await, sent);
    assert!(o.listed("not_collected", &code).await.is_some());
    o.give_back(&code).await;
    assert_eq!(o.listed("not_collected", &code).await, None);
}

async fn timeliness_at_return_follows_the_clock(app: TestApp) {
    let o = Officers::new(&app).await;
    app.clock().set(vn("2026-11-16T09:00:00"));
    let mut codes = Vec::new();
    for _ in 0..3 {
        let d = o.receive(THREE_DAYS).await;
        assert_eq!(ts(&d["due_at"]), vn("2026-11-19T17:00:00"), "{d}");
        codes.push(code_of(&d));
    }
    app.clock().set(vn("2026-11-16T10:00:00"));
    for code in &codes {
        o.make_ready(code).await;
    }

    // The day before the due day: early.
    app.clock().set(vn("2026-11-18T16:00:00"));
    let d = o.give_back(&codes[0]).await;
    assert_eq!(ts(&d["returned_at"]), vn("2026-11-18T16:00:00"));
    assert_eq!(d["timeliness"], "early", "{d}");

    // On the due day, before the due instant: on time.
    app.clock().set(vn("2026-11-19T16:59:00"));
    let d = o.give_back(&codes[1]).await;
    assert_eq!(d["timeliness"], "on_time", "{d}");

    // After the due instant: late.
    app.clock().set(vn("2026-11-19T17:01:00"));
    let d = o.give_back(&codes[2]).await;
    assert_eq!(ts(&d["returned_at"]), vn("2026-11-19T17:01:00"));
    assert_eq!(d["timeliness"], "late", "{d}");
}

/// The construction permit's 15 days and land mediation's 30 are calendar days
/// in law (Civil Code art. 147-148): counted from the day after receipt whatever
/// the hour, weekends included, and a last day off moves to the next working day.
async fn calendar_day_limits_count_every_day_and_end_on_a_working_one(app: TestApp) {
    let o = Officers::new(&app).await;
    // Monday 16 November 2026, after the 15:00 cut-off: 15 days later is
    // Tuesday 1 December, a working day.
    app.clock().set(vn("2026-11-16T16:00:00"));
    let permit = o.receive("1.013225").await;
    assert_eq!(ts(&permit["due_at"]), vn("2026-12-01T17:00:00"), "{permit}");
    // Friday 20 November: 30 days later is Sunday 20 December; it ends on
    // Monday the 21st.
    app.clock().set(vn("2026-11-20T09:00:00"));
    let mediation = o.receive("1.013975").await;
    assert_eq!(
        ts(&mediation["due_at"]),
        vn("2026-12-21T17:00:00"),
        "{mediation}"
    );
}
