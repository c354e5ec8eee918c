//! The citizen's rating of a dossier (NĐ 61 art. 14): after the answer, once, with
//! the code and the applicant's last four digits; counted on the dashboard, the
//! "not satisfied" ones listed for the leader.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    a_dossier_is_rated_once_after_its_answer,
    parallel_first_ratings_record_exactly_one,
    the_tracking_page_rates_and_keeps_choices_on_error,
    ratings_reach_the_dashboard,
);

/// A dossier received at ward A, walked to `returned`; its code.
async fn returned_dossier(app: &TestApp) -> String {
    let http = app.client();
    let counter = app.token("tiepnhan").await;
    let specialist = app.token("chuyenvien").await;
    let leader = app.token("lanhdao").await;
    let post = |token: String, path: String, body: Value| {
        let http = http.clone();
        async move {
            let r = app
                .send_json(&http, Method::POST, &path, &token, &body)
                .await;
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            assert!(status == 200 || status == 201, "{path}: {status} {v}");
            v
        }
    };
    let d = post(
        counter.clone(),
        "/api/v1/dossiers".into(),
        json!({
            "procedure": "1.000689",
            "channel": "counter",
            "applicant": {
                "full_name": "Nguyễn Văn An",
                "personal_id": "001087012345",
                "date_of_birth": "05/09/1987",
                "sex": "male",
                "phone": "0912 345 678",
                "address": "Số 5, đường Điện Biên, phường Phố Hiến"
            },
            "return_method": "counter",
            "fee_paid": true,
            "fee_receipt_no": "0001234",
            "civil": civil_facts("1.000689", "Nguyễn Minh Khôi")
        }),
    )
    .await;
    let code = d["code"].as_str().expect("code").to_owned();
    let act = |token: &String, action: &str, body: Value| {
        post(
            token.clone(),
            format!("/api/v1/dossiers/{code}/actions/{action}"),
            body,
        )
    };
    if d["status"] == "received" {
        act(&leader, "assign", json!({"assignee": "chuyenvien"})).await;
    }
    act(&specialist, "start", json!({})).await;
    act(&specialist, "submit_for_approval", json!({})).await;
    act(&leader, "approve", json!({})).await;
    act(&specialist, "attach_result", json!({"result": {"name": "Trích lục", "content_type": "application/pdf", "data_base64": "JVBERi0xLjQK"}})).await;
    act(&specialist, "mark_ready", json!({})).await;
    let d = act(
        &counter,
        "return",
        json!({"collector_name": "Nguyễn Văn An", "collector_id": "001087012345"}),
    )
    .await;
    assert_eq!(d["status"], "returned");
    code
}

async fn rate(app: &TestApp, http: &reqwest::Client, code: &str, body: Value) -> (u16, Value) {
    let r = http
        .post(app.url(&format!("/api/v1/public/dossiers/{code}/rating")))
        .json(&body)
        .send()
        .await
        .expect("rate");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn full_rating() -> Value {
    json!({"digits": "5678", "verdict": "dissatisfied", "attitude": "poor",
           "return_visits": 2, "comment": "Phải quay lại hai lần vì thiếu hướng dẫn."})
}

async fn a_dossier_is_rated_once_after_its_answer(app: TestApp) {
    let http = app.client();
    let counter = app.token("tiepnhan").await;
    // A dossier still being handled has nothing to rate yet.
    let r = app
        .send_json(
            &http,
            Method::POST,
            "/api/v1/dossiers",
            &counter,
            &json!({"procedure": "1.000689", "channel": "counter",
                    "applicant": {"full_name": "Trần Thị Bình", "personal_id": "001190012345",
                                  "date_of_birth": "01/01/1990", "sex": "female", "phone": "0987 000 111",
                                  "address": "Phố Hiến"},
                    "return_method": "counter", "fee_paid": true, "fee_receipt_no": "1",
                    "civil": civil_facts("1.000689", "Trần Minh Khôi")}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let open: Value = r.json().await.expect("json");
    let open_code = open["code"].as_str().expect("code");
    let (status, p) = rate(
        &app,
        &http,
        open_code,
        json!({"digits": "0111", "verdict": "satisfied", "attitude": "courteous", "return_visits": 0}),
    )
    .await;
    assert_eq!(status, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("chỉ đánh giá được sau khi có kết quả"),
        "{p}"
    );

    let code = returned_dossier(&app).await;
    // Every missing answer at once, each named; nothing written.
    let (status, p) = rate(&app, &http, &code, json!({"digits": "5678"})).await;
    assert_eq!(status, 400, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["verdict", "attitude", "return_visits"], "{p}");
    // Without the digits, or with wrong ones, nobody can rate for the applicant.
    let mut no_digits = full_rating();
    no_digits["digits"] = Value::Null;
    let (status, p) = rate(&app, &http, &code, no_digits).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(p["errors"][0]["field"], "digits", "{p}");
    let mut wrong = full_rating();
    wrong["digits"] = json!("0000");
    let (status, _) = rate(&app, &http, &code, wrong).await;
    assert_eq!(status, 404);
    // An unknown verdict is refused by name; a NUL in the comment too.
    let mut odd = full_rating();
    odd["verdict"] = json!("ecstatic");
    let (status, p) = rate(&app, &http, &code, odd).await;
    assert_eq!(status, 400, "{p}");
    let mut nul = full_rating();
    nul["comment"] = json!("tốt\u{0}");
    let (status, p) = rate(&app, &http, &code, nul).await;
    assert_eq!(status, 400, "{p}");
    let mut long = full_rating();
    long["comment"] = json!("ạ".repeat(2001));
    let (status, p) = rate(&app, &http, &code, long).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(p["errors"][0]["field"], "comment", "{p}");
    assert_eq!(app.count("SELECT COUNT(*) FROM ratings").await, 0);

    // The longest comment allowed, in Vietnamese, fits the body limit.
    let mut longest = full_rating();
    longest["comment"] = json!("ạ".repeat(2000));
    let (status, given) = rate(&app, &http, &code, longest).await;
    assert_eq!(status, 201, "{given}");
    assert_eq!(given["verdict"], "dissatisfied");
    assert_eq!(given["attitude"], "poor");
    assert_eq!(given["return_visits"], 2);

    // Tracking shows the rating and offers no second one; a second is refused.
    let t: Value = http
        .get(app.url(&format!("/api/v1/public/dossiers/{code}?digits=5678")))
        .send()
        .await
        .expect("track")
        .json()
        .await
        .expect("json");
    assert_eq!(t["details"]["rating"]["verdict"], "dissatisfied", "{t}");
    assert_eq!(t["details"]["can_rate"], false);
    let (status, p) = rate(&app, &http, &code, full_rating()).await;
    assert_eq!(status, 409, "{p}");
    assert!(p["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("đã được đánh giá"));
    assert_eq!(app.count("SELECT COUNT(*) FROM ratings").await, 1);
    // Rating changed nothing in the dossier's history.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM dossiers WHERE code = '{code}' AND status = 'returned'"
        ))
        .await,
        1
    );
}

async fn parallel_first_ratings_record_exactly_one(app: TestApp) {
    let code = returned_dossier(&app).await;
    let http = app.client();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let mut body = full_rating();
        body["comment"] = json!(format!("lần gửi {i}"));
        let (http, url) = (
            http.clone(),
            app.url(&format!("/api/v1/public/dossiers/{code}/rating")),
        );
        tasks.spawn(async move {
            http.post(url)
                .json(&body)
                .send()
                .await
                .expect("rate")
                .status()
                .as_u16()
        });
    }
    let answers: Vec<u16> = tasks.join_all().await;
    assert_eq!(
        answers.iter().filter(|s| **s == 201).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|s| **s == 409).count(),
        7,
        "{answers:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM ratings").await, 1);
}

async fn the_tracking_page_rates_and_keeps_choices_on_error(app: TestApp) {
    let code = returned_dossier(&app).await;
    let browser = app.browser();
    let page = |path: String| {
        let browser = browser.clone();
        let url = app.url(&path);
        async move {
            let r = browser.get(url).send().await.expect("GET");
            (r.status().as_u16(), r.text().await.expect("html"))
        }
    };
    // Without the digits the page shows no form: only the applicant may rate.
    let (_, html) = page(format!("/tra-cuu?ma={code}")).await;
    assert!(!html.contains("Đánh giá mức độ hài lòng"));
    let (status, html) = page(format!("/tra-cuu?ma={code}&so=5678")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Đánh giá mức độ hài lòng"), "{html}");
    assert!(html.contains("action=\"/tra-cuu/danh-gia\""));

    // One answer given: the page says what is missing and keeps the choice.
    let r = app
        .post_form(
            &browser,
            "/tra-cuu/danh-gia",
            &[("ma", &code), ("so", "5678"), ("muc-do", "satisfied")],
        )
        .await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    assert!(html.contains("Chưa gửi đánh giá được"), "{html}");
    assert!(html.contains("Vui lòng chọn nhận xét về thái độ của cán bộ."));
    assert!(html.contains("Vui lòng cho biết ông/bà đã phải đi lại bao nhiêu lần."));
    assert!(html.contains("value=\"satisfied\" checked"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM ratings").await, 0);

    // Complete: back to the tracking page, which thanks and shows the rating.
    let r = app
        .post_form(
            &browser,
            "/tra-cuu/danh-gia",
            &[
                ("ma", &code),
                ("so", "5678"),
                ("muc-do", "satisfied"),
                ("thai-do", "courteous"),
                ("so-lan", "0"),
                ("gop-y", "Cán bộ hướng dẫn tận tình."),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.starts_with("/tra-cuu?"), "{location}");
    assert!(location.contains("da-danh-gia=1"), "{location}");
    let (status, html) = page(location).await;
    assert_eq!(status, 200);
    assert!(html.contains("Cảm ơn ông/bà đã đánh giá."), "{html}");
    assert!(
        html.contains("id=\"muc-do-da-danh-gia\">Hài lòng<"),
        "{html}"
    );
    assert!(!html.contains("action=\"/tra-cuu/danh-gia\""));

    // Wrong digits on the form: the tracking page's own message, nothing written.
    let r = app
        .post_form(
            &browser,
            "/tra-cuu/danh-gia",
            &[
                ("ma", &code),
                ("so", "0000"),
                ("muc-do", "dissatisfied"),
                ("thai-do", "poor"),
                ("so-lan", "3"),
            ],
        )
        .await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.expect("html").contains("không khớp"));
    assert_eq!(app.count("SELECT COUNT(*) FROM ratings").await, 1);
}

async fn ratings_reach_the_dashboard(app: TestApp) {
    let unhappy = returned_dossier(&app).await;
    let happy = returned_dossier(&app).await;
    let http = app.client();
    let (status, _) = rate(&app, &http, &unhappy, full_rating()).await;
    assert_eq!(status, 201);
    let (status, _) = rate(
        &app,
        &http,
        &happy,
        json!({"digits": "2345", "verdict": "very_satisfied", "attitude": "courteous", "return_visits": 0}),
    )
    .await;
    assert_eq!(status, 201);

    let browser = app.browser();
    app.signed_in(&browser, "lanhdao").await;
    let r = browser
        .get(app.url(&format!("/bang-dieu-khien?agency={WARD_A}")))
        .send()
        .await
        .expect("dashboard");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("1 / 2 lượt đánh giá hài lòng trở lên"),
        "{html}"
    );
    let section = html
        .split("id=\"danh-gia\"")
        .nth(1)
        .expect("the ratings section");
    assert!(section.contains("Trong đó 1 lượt nhận xét thái độ cán bộ chưa tốt."));
    assert!(
        section.contains(&format!("href=\"/ho-so/{unhappy}\"")),
        "{section}"
    );
    assert!(!section.contains(&format!("href=\"/ho-so/{happy}\"")));
    assert!(section.contains("phải đi lại 2 lần"));
    assert!(section.contains("Phải quay lại hai lần vì thiếu hướng dẫn."));
}
