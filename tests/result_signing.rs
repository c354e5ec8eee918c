//! Dossier results signed on approval: a PDF result attached to an approved
//! dossier is signed with the approving leader's certificate (pdfsig accepts
//! it), the dossier shows who signed and when, and the signing rate counts
//! signed results among all results. Both engines.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    pdf_results_are_signed_by_the_approving_leader,
    a_retried_pdf_result_is_attached_and_signed_once,
);

async fn act(app: &TestApp, token: &str, code: &str, action: &str, body: Value) -> Value {
    let r = app
        .send_json(
            &app.client(),
            reqwest::Method::POST,
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            token,
            &body,
        )
        .await;
    assert_eq!(r.status(), 200, "{action}");
    json(r).await
}

/// A dossier approved by the leader, awaiting its result.
async fn approved_dossier(app: &TestApp) -> String {
    let counter = app.token("tiepnhan").await;
    let specialist = app.token("chuyenvien").await;
    let leader = app.token("lanhdao").await;
    let r = app
        .send_json(
            &app.client(),
            reqwest::Method::POST,
            "/api/v1/dossiers",
            &counter,
            &json!({
                "procedure": "2.000815",
                "channel": "counter",
                "applicant": {
                    "full_name": "Nguyễn Văn An",
                    "personal_id": "001087012345",
                    "address": "Số 5, đường Điện Biên, phường Phố Hiến"
                },
                "return_method": "counter",
                "fee_paid": true
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let code = json(r).await["code"].as_str().expect("code").to_owned();
    act(
        app,
        &counter,
        &code,
        "assign",
        json!({"assignee": "chuyenvien"}),
    )
    .await;
    act(app, &specialist, &code, "start", json!({})).await;
    act(app, &specialist, &code, "submit_for_approval", json!({})).await;
    act(app, &leader, &code, "approve", json!({})).await;
    code
}

async fn pdf_results_are_signed_by_the_approving_leader(app: TestApp) {
    let counter = app.token("tiepnhan").await;
    let specialist = app.token("chuyenvien").await;
    let leader = app.token("lanhdao").await;
    let code = approved_dossier(&app).await;

    let engine = motcua_docs::PdfEngine::new();
    let result = motcua_docs::testing::sample_scan_pdf(&engine, 1).expect("pdf");
    let data = base64::engine::general_purpose::STANDARD.encode(&result);
    act(
        &app,
        &specialist,
        &code,
        "attach_result",
        json!({"result": {"name": "Bản sao có chứng thực", "content_type": "application/pdf", "data_base64": data}}),
    )
    .await;
    // A paper result: counted, not signed.
    act(
        &app,
        &specialist,
        &code,
        "attach_result",
        json!({"result": {"name": "Bản sao có chứng thực (bản giấy)"}}),
    )
    .await;

    let rows = app.count("SELECT COUNT(*) FROM result_signatures").await;
    assert_eq!(rows, 1);

    // The dossier page shows the signature on the PDF result.
    let browser = app.browser();
    app.signed_in(&browser, "chuyenvien").await;
    let html = browser
        .get(app.url(&format!("/ho-so/{code}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Đã ký số: Đỗ Minh Tuấn"), "{html}");
    assert_eq!(html.matches("Đã ký số:").count(), 1);

    // The stored result is the signed PDF.
    let link = {
        let marker = format!("href=\"/ho-so/{code}/tep/");
        let i = html.find(&marker).expect("the result's link") + "href=\"".len();
        html[i..].split('"').next().unwrap_or_default().to_owned()
    };
    let signed = browser
        .get(app.url(&link))
        .send()
        .await
        .expect("file")
        .bytes()
        .await
        .expect("bytes");
    assert!(signed.starts_with(&result), "an incremental update");
    let path = std::env::temp_dir().join(format!("motcua-result-{}.pdf", unique()));
    std::fs::write(&path, &signed).expect("write");
    let out = std::process::Command::new("pdfsig")
        .arg(&path)
        .output()
        .expect("pdfsig (poppler-utils)");
    let _ = std::fs::remove_file(&path);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("Đỗ Minh Tuấn"), "{report}");

    // The signing rate, as the dashboard reads it: the results of the dossiers
    // returned in the period; none before the dossier is returned.
    let actor = app
        .app
        .token_actor(&leader, None)
        .await
        .expect("actor")
        .expect("known token");
    let today = app
        .app
        .now()
        .to_zoned(motcua_domain::calendar::vietnam_time_zone())
        .date()
        .to_string();
    let query = motcua_app::reports::Ii06aQuery {
        from: Some(today.clone()),
        to: Some(today),
        ..Default::default()
    };
    let rate = |app: motcua_app::App| {
        let (actor, query) = (actor.clone(), query.clone());
        async move {
            let d = app
                .reports()
                .dashboard(&actor, &query)
                .await
                .expect("dashboard");
            (d.results_total, d.signed_results)
        }
    };
    assert_eq!(rate(app.app.clone()).await, (0, 0));
    act(&app, &specialist, &code, "mark_ready", json!({})).await;
    act(
        &app,
        &counter,
        &code,
        "return",
        json!({"collector_name": "Nguyễn Văn An", "collector_id": "001087012345"}),
    )
    .await;
    assert_eq!(rate(app.app.clone()).await, (2, 1));
    // Counted on the dossier's row, as the fold of its events.
    assert_eq!(
        app.count(&format!(
            "SELECT signed_results FROM dossiers WHERE code = '{code}'"
        ))
        .await,
        1
    );
    let html = browser
        .get(app.url(&format!(
            "/bang-dieu-khien?from={}&to={}",
            query.from.as_deref().unwrap_or_default(),
            query.to.as_deref().unwrap_or_default()
        )))
        .send()
        .await
        .expect("dashboard")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Kết quả được ký số"), "{html}");
    assert!(html.contains("1 / 2 kết quả của hồ sơ đã trả"), "{html}");
}

/// A PDF result sent twice with one Idempotency-Key (a retry after a lost
/// answer; the PDF is signed before the write transaction): the same answer, one
/// result, one signature.
async fn a_retried_pdf_result_is_attached_and_signed_once(app: TestApp) {
    let specialist = app.token("chuyenvien").await;
    let code = approved_dossier(&app).await;
    let engine = motcua_docs::PdfEngine::new();
    let pdf = motcua_docs::testing::sample_scan_pdf(&engine, 1).expect("pdf");
    let data = base64::engine::general_purpose::STANDARD.encode(&pdf);
    let body = json!({"result": {"name": "Bản sao trích lục", "content_type": "application/pdf", "data_base64": data}});
    let results = format!(
        "SELECT COUNT(*) FROM dossier_files f JOIN dossiers d ON d.id = f.dossier_id \
         WHERE d.code = '{code}' AND f.kind = 'result'"
    );
    let mut answers = Vec::new();
    for _ in 0..2 {
        let r = app
            .client()
            .post(app.url(&format!("/api/v1/dossiers/{code}/actions/attach_result")))
            .bearer_auth(&specialist)
            .header("idempotency-key", "attach-once")
            .json(&body)
            .send()
            .await
            .expect("attach");
        assert_eq!(r.status(), 200);
        answers.push(json(r).await);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(app.count("SELECT COUNT(*) FROM result_signatures").await, 1);
    assert_eq!(app.count(&results).await, 1);
}
