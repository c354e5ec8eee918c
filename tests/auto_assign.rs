//! Automatic assignment at intake (issue 10): an agency's rule per sector, applied
//! in the intake's own transaction through the one dossier write path, and the
//! confirmation that says who has the dossier now. Both engines.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    intake_assigns_by_the_agency_rule_and_says_to_whom,
    auto_assignment_rules_are_checked_and_kept_to_administrators,
    the_agency_page_shows_the_rules_and_only_administrators_change_them,
);

async fn receive(app: &TestApp, token: &str, procedure: &str) -> Value {
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            "/api/v1/dossiers",
            token,
            &json!({
                "procedure": procedure,
                "channel": "counter",
                "applicant": {"full_name": "Phạm Thị Tự", "personal_id": "001087012345", "phone": "0912345678"},
                "return_method": "counter",
                "fee_paid": true,
            }),
        )
        .await;
    let status = r.status().as_u16();
    let d: Value = r.json().await.expect("json");
    assert_eq!(status, 201, "{d}");
    d
}

async fn admin(app: &TestApp, username: &str) -> motcua_app::Principal {
    let token = app.token(username).await;
    let actor = app
        .app
        .token_actor(&token, None)
        .await
        .expect("actor")
        .expect("known token");
    motcua_app::Principal::User(actor)
}

async fn intake_assigns_by_the_agency_rule_and_says_to_whom(app: TestApp) {
    let counter = app.token("tiepnhan").await;
    // No rule: received, waiting for someone to assign (as before).
    let d = receive(&app, &counter, "1.000689").await;
    assert_eq!(d["status"], "received");
    assert!(d["assignee"].is_null(), "{d}");

    let by = admin(&app, "quantri.phohien").await;
    // Hộ tịch has two specialists: "the only specialist" names nobody.
    app.app
        .set_auto_assignment(&by, WARD_A, "ho-tich", "sole_specialist", None)
        .await
        .expect("rule");
    let d = receive(&app, &counter, "1.000689").await;
    assert_eq!(d["status"], "received", "{d}");
    // A default specialist for Hộ tịch: assigned at intake.
    app.app
        .set_auto_assignment(
            &by,
            WARD_A,
            "ho-tich",
            "default_assignee",
            Some("chuyenvien2"),
        )
        .await
        .expect("rule");
    let d = receive(&app, &counter, "1.000689").await;
    assert_eq!(d["status"], "assigned", "{d}");
    assert_eq!(d["assignee"], "chuyenvien2");
    let code = d["code"].as_str().expect("code").to_owned();
    // Two events, one transaction: received, then assigned by the rule.
    let events: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT e.action, e.reason FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id \
         WHERE d.code = $1 ORDER BY e.seq",
    )
    .bind(&code)
    .fetch_all(app.db.pool())
    .await
    .expect("events");
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1].0, "assign");
    assert!(events[1]
        .1
        .as_deref()
        .is_some_and(|r| r.contains("tự động")));
    // The specialist can start at once.
    let specialist = app.token("chuyenvien2").await;
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            &format!("/api/v1/dossiers/{code}/actions/start"),
            &specialist,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);

    // The confirmation after intake says it was assigned, to whom, and offers the
    // receipt.
    let d = receive(&app, &counter, "1.000689").await;
    let code = d["code"].as_str().expect("code").to_owned();
    let browser = app.browser();
    app.signed_in(&browser, "tiepnhan").await;
    let html = browser
        .get(app.url(&format!("/ho-so/{code}?ok=tiep-nhan")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let notice = html
        .split("id=\"thong-bao\"")
        .nth(1)
        .and_then(|r| r.split("</div>").next())
        .expect("the confirmation");
    assert!(notice.contains("phân công tự động"), "{notice}");
    assert!(notice.contains("chuyenvien2"), "{notice}");
    assert!(notice.contains("/mau/01.pdf"), "{notice}");

    // Chứng thực has one specialist: "the only specialist" takes it.
    app.app
        .set_auto_assignment(&by, WARD_A, "chung-thuc", "sole_specialist", None)
        .await
        .expect("rule");
    let d = receive(&app, &counter, "2.000815").await;
    assert_eq!(d["status"], "assigned", "{d}");
    assert_eq!(d["assignee"], "chuyenvien");
    // Rule removed: by hand again.
    app.app
        .set_auto_assignment(&by, WARD_A, "ho-tich", "none", None)
        .await
        .expect("cleared");
    let d = receive(&app, &counter, "1.000689").await;
    assert_eq!(d["status"], "received");
    // Without a rule the confirmation still says who assigns.
    let html = browser
        .get(app.url(&format!(
            "/ho-so/{}?ok=tiep-nhan",
            d["code"].as_str().expect("code")
        )))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("Việc tiếp theo: phân công chuyên viên"),
        "{html}"
    );
}

async fn auto_assignment_rules_are_checked_and_kept_to_administrators(app: TestApp) {
    let by = admin(&app, "quantri.phohien").await;
    for (sector, rule, assignee, field) in [
        ("khong-co", "sole_specialist", None, "sector"),
        ("ho-tich", "round_robin", None, "rule"),
        ("ho-tich", "default_assignee", None, "assignee"),
        // Chuyên viên holds Hộ tịch and Chứng thực, not Đất đai.
        (
            "dat-dai",
            "default_assignee",
            Some("chuyenvien"),
            "assignee",
        ),
        ("ho-tich", "default_assignee", Some("tiepnhan"), "assignee"),
    ] {
        let err = app
            .app
            .set_auto_assignment(&by, WARD_A, sector, rule, assignee)
            .await
            .expect_err(rule);
        match err {
            motcua_app::Error::Invalid(e) => assert_eq!(e.0[0].field, field, "{sector} {rule}"),
            other => panic!("{sector} {rule}: {other:?}"),
        }
    }
    // The command line sets and clears a rule, and says why it refuses one.
    let out = crate::cli::motcua(
        &app,
        &[
            "agency",
            "auto-assign",
            "--code",
            WARD_A,
            "--sector",
            "dat-dai",
            "--rule",
            "default_assignee",
            "--assignee",
            "chuyenvien2",
        ],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout.trim(), "dat-dai\tdefault_assignee\tchuyenvien2");
    let out = crate::cli::motcua(
        &app,
        &[
            "agency",
            "auto-assign",
            "--code",
            WARD_A,
            "--sector",
            "dat-dai",
            "--rule",
            "anyone",
        ],
        &[],
        None,
    )
    .await;
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("không phải là quy tắc phân công"),
        "{}",
        out.stderr
    );
    let out = crate::cli::motcua(
        &app,
        &[
            "agency",
            "auto-assign",
            "--code",
            WARD_A,
            "--sector",
            "dat-dai",
            "--rule",
            "none",
        ],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let counter = admin(&app, "tiepnhan").await;
    let err = app
        .app
        .set_auto_assignment(&counter, WARD_A, "ho-tich", "sole_specialist", None)
        .await
        .expect_err("not an administrator");
    assert!(matches!(err, motcua_app::Error::Forbidden(_)), "{err:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM auto_assignments").await, 0);
}

/// A leader reads the rules on the agency page without a form to change them; a
/// leader's or a counter officer's post is refused and changes nothing; an
/// administrator's post is kept and audited.
async fn the_agency_page_shows_the_rules_and_only_administrators_change_them(app: TestApp) {
    let path = format!("/quan-tri/co-quan/{WARD_A}/phan-cong-tu-dong");
    let leader = app.browser();
    let csrf = app.signed_in(&leader, "lanhdao").await;
    let html = leader
        .get(app.url(&format!("/quan-tri/co-quan/{WARD_A}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("id=\"phan-cong-ho-tich\""), "{html}");
    assert!(!html.contains(&path), "a leader gets no form");
    let form = [
        ("_csrf", csrf.as_str()),
        ("sector", "ho-tich"),
        ("rule", "default_assignee"),
        ("assignee", "chuyenvien2"),
    ];
    let r = app.post_form(&leader, &path, &form).await;
    assert_eq!(r.status(), 403);
    let counter = app.browser();
    let csrf = app.signed_in(&counter, "tiepnhan").await;
    let mut refused = form;
    refused[0].1 = &csrf;
    let r = app.post_form(&counter, &path, &refused).await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM auto_assignments").await, 0);

    let admin = app.browser();
    let csrf = app.signed_in(&admin, "quantri.phohien").await;
    let mut kept = form;
    kept[0].1 = &csrf;
    let r = app.post_form(&admin, &path, &kept).await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().expect("location");
    assert!(to.ends_with("?ok=phan-cong#phan-cong-ho-tich"), "{to}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM auto_assignments WHERE rule = 'default_assignee'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auto_assignment.set'")
            .await,
        1
    );
    // A name that is not one of the sector's specialists: 400, the page again.
    let mut wrong = kept;
    wrong[3].1 = "tiepnhan";
    let r = app.post_form(&admin, &path, &wrong).await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("không phải chuyên viên phụ trách lĩnh vực này"),
        "{html}"
    );
}
