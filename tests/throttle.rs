//! Throttling kept in the database (issue 9): sign-in attempts per account and
//! address, per address and per account, taken before the password is verified;
//! public tracking counting every look-up; anonymous submissions per address and
//! per applicant; the client's address from a trusted proxy's `X-Forwarded-For`.
//! The server under test trusts 127.0.0.1 as its proxy (see common.rs), so a
//! request with `X-Forwarded-For` acts from that address.

use std::sync::Arc;

use motcua_app::users::UserUpdate;
use motcua_app::{Error, Principal};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    a_hundred_wrong_passwords_at_once_are_evaluated_at_most_five_times,
    the_attackers_address_is_slowed_before_the_account,
    the_account_bound_is_lifted_by_an_administrators_reset,
    every_tracking_look_up_counts_even_at_once_and_across_restarts,
    a_citizen_who_mistyped_is_not_locked_out_of_their_own_dossier,
    anonymous_submissions_are_limited_per_applicant_and_per_address,
    retries_of_an_answered_submission_are_not_counted,
    a_throttled_online_form_comes_back_filled_in_with_the_wait,
);

/// A browser-like client whose requests come from `ip` (through the trusted proxy).
fn from(ip: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_str(ip).expect("an address"),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .expect("client")
}

async fn failed_logins(app: &TestApp, username: &str) -> i64 {
    app.count(&format!(
        "SELECT failed_logins FROM users WHERE username = '{username}'"
    ))
    .await
}

async fn a_hundred_wrong_passwords_at_once_are_evaluated_at_most_five_times(app: TestApp) {
    let app = Arc::new(app);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let app = app.clone();
        tasks.spawn(async move {
            let b = from("198.51.100.7");
            app.sign_in(&b, "lanhdao", "sai-mat-khau")
                .await
                .status()
                .as_u16()
        });
    }
    let mut statuses = Vec::new();
    while let Some(s) = tasks.join_next().await {
        statuses.push(s.expect("task"));
    }
    let evaluated = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(evaluated + refused, 100, "{statuses:?}");
    assert!(
        (1..=5).contains(&evaluated),
        "{evaluated} wrong passwords were evaluated"
    );
    // Each evaluated wrong password is recorded; none beyond them.
    assert_eq!(failed_logins(&app, "lanhdao").await, evaluated as i64);

    // The attacker's address waits, even with the right password…
    let attacker = from("198.51.100.7");
    let r = app.sign_in(&attacker, "lanhdao", PASSWORD).await;
    assert_eq!(r.status(), 429);
    let wait: i64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=300).contains(&wait), "{wait}");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Đăng nhập sai nhiều lần. Vui lòng thử lại sau"),
        "{html}"
    );
    // …while the officer, from the office, signs in.
    let office = from("203.0.113.20");
    assert_eq!(
        app.sign_in(&office, "lanhdao", PASSWORD).await.status(),
        303
    );
    assert_eq!(failed_logins(&app, "lanhdao").await, 0);
}

async fn the_attackers_address_is_slowed_before_the_account(app: TestApp) {
    // Four wrong passwords for each of five accounts from one address: 20 failures,
    // the bound per address, though no account reached its own bound.
    for user in [
        "tiepnhan",
        "chuyenvien",
        "lanhdao",
        "quantri",
        "khong-co-ai",
    ] {
        for _ in 0..4 {
            let e = app
                .app
                .sign_in(user, "sai-mat-khau", Some("198.51.100.9"))
                .await
                .err()
                .expect("a wrong password");
            assert!(matches!(e, Error::Unauthenticated(_)), "{e:?}");
        }
    }
    let e = app
        .app
        .sign_in("giamsat", PASSWORD, Some("198.51.100.9"))
        .await
        .err()
        .expect("that address waits");
    let Error::Throttled {
        retry_after_secs,
        message,
    } = e
    else {
        panic!("{e:?}")
    };
    assert!(retry_after_secs > 60, "{retry_after_secs}");
    assert!(message.contains("phút"), "{message}");
    // Every account signs in from elsewhere.
    for user in ["tiepnhan", "chuyenvien", "lanhdao"] {
        app.app
            .sign_in(user, PASSWORD, Some("203.0.113.20"))
            .await
            .expect("signs in from the office");
    }
}

async fn the_account_bound_is_lifted_by_an_administrators_reset(app: TestApp) {
    // Guessing spread over ten addresses, five wrong passwords each: the account's
    // own bound (50) is reached.
    let mut tasks = tokio::task::JoinSet::new();
    for a in 0..10 {
        let app = app.app.clone();
        tasks.spawn(async move {
            for _ in 0..5 {
                let r = app
                    .sign_in("lanhdao", "sai-mat-khau", Some(&format!("198.51.100.{a}")))
                    .await;
                assert!(matches!(r, Err(Error::Unauthenticated(_))), "{:?}", r.err());
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.expect("task");
    }
    let r = app
        .app
        .sign_in("lanhdao", PASSWORD, Some("203.0.113.20"))
        .await;
    assert!(matches!(r, Err(Error::Throttled { .. })), "{:?}", r.err());
    // The agency's administrator sets a new password: the counters go with the
    // old one, from every address.
    app.app
        .update_user(
            &Principal::System,
            "lanhdao",
            UserUpdate {
                full_name: None,
                roles: None,
                sectors: None,
                active: None,
                password: Some("mat-khau-moi-2026".into()),
            },
        )
        .await
        .expect("reset");
    app.app
        .sign_in("lanhdao", "mat-khau-moi-2026", Some("203.0.113.20"))
        .await
        .expect("signs in after the reset");
    app.app
        .sign_in("lanhdao", "mat-khau-moi-2026", Some("198.51.100.3"))
        .await
        .expect("the addresses' counts for the account went too");
}

/// A dossier received at the counter; its code.
async fn received(app: &TestApp) -> String {
    let token = app.token("tiepnhan").await;
    let body = json!({
        "procedure": "1.000689",
        "channel": "counter",
        "applicant": applicant("001087012345", "0912 345 678"),
        "return_method": "counter",
        "fee_paid": true,
        "fee_receipt_no": "0001234"
    });
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
    let d: Value = r.json().await.expect("json");
    d["code"].as_str().expect("code").to_owned()
}

fn applicant(personal_id: &str, phone: &str) -> Value {
    json!({
        "full_name": "Nguyễn Văn An",
        "personal_id": personal_id,
        "date_of_birth": "05/09/1987",
        "sex": "male",
        "phone": phone,
        "address": "Số 5, đường Điện Biên, phường Phố Hiến"
    })
}

async fn every_tracking_look_up_counts_even_at_once_and_across_restarts(app: TestApp) {
    let code = received(&app).await;
    let limit = motcua_app::throttle::TRACKING_PER_CODE_AND_ADDRESS.hits;
    // Answered look-ups count: reading one code again and again stops.
    let c = from("198.51.100.7");
    for i in 0..limit {
        let r = c
            .get(app.url(&format!("/api/v1/public/dossiers/{code}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "look-up {i}");
    }
    let r = c
        .get(app.url(&format!("/api/v1/public/dossiers/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let p: Value = r.json().await.unwrap();
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Vui lòng thử lại sau"),
        "{p}"
    );
    // The page counts against the same bound.
    let r = c
        .get(app.url(&format!("/tra-cuu?ma={code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);

    // Look-ups sent at once: no more than the limit are answered.
    let c = from("198.51.100.8");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..300 {
        let (c, url) = (
            c.clone(),
            app.url(&format!("/api/v1/public/dossiers/{code}")),
        );
        tasks.spawn(async move { c.get(url).send().await.unwrap().status().as_u16() });
    }
    let mut answered = 0;
    while let Some(s) = tasks.join_next().await {
        match s.expect("task") {
            200 => answered += 1,
            429 => {}
            other => panic!("status {other}"),
        }
    }
    assert_eq!(answered, limit, "answered at once");

    // The count lives in the database: another server (or this one restarted)
    // on the same database refuses too.
    let other = motcua_app::App::new(app.db.clone());
    let r = other
        .dossiers()
        .track(&code, None, None, "198.51.100.8")
        .await;
    assert!(matches!(r, Err(Error::Throttled { .. })), "{:?}", r.err());
    // Other addresses are not affected.
    assert!(other
        .dossiers()
        .track(&code, None, None, "198.51.100.9")
        .await
        .is_ok());
}

/// Every new code counts against the address; the citizen's own code, once
/// looked up, is counted apart: wrong digits a few times, and codes mistyped, do
/// not lock them out, while a guesser walking through codes is stopped.
async fn a_citizen_who_mistyped_is_not_locked_out_of_their_own_dossier(app: TestApp) {
    let code = received(&app).await;
    let distinct = motcua_app::throttle::TRACKING_PER_ADDRESS.hits;
    let c = from("198.51.100.20");
    let get = |path: String| c.get(app.url(&path)).send();
    // Their own code first, with wrong digits three times.
    for digits in ["0000", "5687", "6578"] {
        let r = get(format!("/tra-cuu?ma={code}&so={digits}"))
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let html = r.text().await.unwrap();
        assert!(html.contains("không khớp"), "{html}");
    }
    // Then mistyped codes, up to the address's bound of different codes.
    for i in 1..distinct {
        let r = get(format!("/tra-cuu?ma={WARD_A}-991231-{i:04}"))
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "mistyped code {i}");
    }
    // A new code is refused now…
    let r = get(format!("/tra-cuu?ma={WARD_A}-991231-9999"))
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // …but their own dossier still opens, with the right digits.
    let r = get(format!("/tra-cuu?ma={code}&so=5678")).await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"nguoi-nop\""), "{html}");
}

async fn submit(
    c: &reqwest::Client,
    app: &TestApp,
    personal_id: &str,
    phone: &str,
) -> reqwest::Response {
    let body = json!({
        "agency": WARD_A,
        "procedure": "1.001193",
        "applicant": applicant(personal_id, phone),
        "return_method": "online",
    });
    c.post(app.url("/api/v1/public/submissions"))
        .json(&body)
        .send()
        .await
        .expect("submit")
}

async fn anonymous_submissions_are_limited_per_applicant_and_per_address(app: TestApp) {
    let per_applicant = motcua_app::throttle::SUBMISSIONS_PER_APPLICANT.hits;
    let per_address = motcua_app::throttle::SUBMISSIONS_PER_ADDRESS.hits;
    // One person, from home: the same ID number, phones written differently.
    let home = from("198.51.100.7");
    for i in 0..per_applicant {
        let phone = if i % 2 == 0 {
            "0912 345 678"
        } else {
            "+84912345678"
        };
        let r = submit(&home, &app, "001087012345", phone).await;
        assert_eq!(r.status(), 201, "submission {i}");
    }
    // The same ID number from another address, with another phone: refused.
    let elsewhere = from("198.51.100.99");
    let r = submit(&elsewhere, &app, "001087012345", "0987 000 111").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let p: Value = r.json().await.unwrap();
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Vui lòng thử lại sau"),
        "{p}"
    );
    // The same phone under another ID number: refused too.
    let r = submit(&elsewhere, &app, "001087000777", "0912345678").await;
    assert_eq!(r.status(), 429);
    // Other members of the family, from home, until the address's bound.
    for i in per_applicant..per_address {
        let r = submit(
            &home,
            &app,
            &format!("001087{:06}", 100 + i),
            &format!("0913{:06}", 100 + i),
        )
        .await;
        assert_eq!(r.status(), 201, "submission {i}");
    }
    let r = submit(&home, &app, "001087999999", "0913999999").await;
    assert_eq!(r.status(), 429);
    // Refused submissions stored nothing.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM dossiers").await,
        per_address
    );
}

/// A citizen on a bad connection sends the same submission again and again (the
/// same `Idempotency-Key`): each retry gets the first answer, and none uses up
/// the applicant's allowance.
async fn retries_of_an_answered_submission_are_not_counted(app: TestApp) {
    let per_applicant = motcua_app::throttle::SUBMISSIONS_PER_APPLICANT.hits;
    let home = from("198.51.100.7");
    let body = json!({
        "agency": WARD_A,
        "procedure": "1.001193",
        "applicant": applicant("001087012345", "0912345678"),
        "return_method": "online",
    });
    let send = |key: String| {
        home.post(app.url("/api/v1/public/submissions"))
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let first = send("retry-1".into()).await.expect("submit");
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    for i in 0..per_applicant + 2 {
        let r = send("retry-1".into()).await.expect("retry");
        assert_eq!(r.status(), 201, "retry {i}");
        let again: Value = r.json().await.unwrap();
        assert_eq!(again["code"], first["code"], "retry {i}");
    }
    // The allowance is whole: as many new submissions as before any retry.
    for i in 1..per_applicant {
        let r = send(format!("new-{i}")).await.expect("submit");
        assert_eq!(r.status(), 201, "submission {i}");
    }
    let r = send("one-too-many".into()).await.expect("submit");
    assert_eq!(r.status(), 429);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM dossiers").await,
        per_applicant
    );
}

async fn a_throttled_online_form_comes_back_filled_in_with_the_wait(app: TestApp) {
    let api = from("198.51.100.7");
    for i in 0..motcua_app::throttle::SUBMISSIONS_PER_APPLICANT.hits {
        let r = submit(&api, &app, "001087012345", "0912 345 678").await;
        assert_eq!(r.status(), 201, "submission {i}");
    }
    let c = from("198.51.100.8");
    let html = c
        .get(app.url(&format!(
            "/nop-truc-tuyen?co-quan={WARD_A}&thu-tuc=1.001193"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_csrf(&html);
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in [
        ("_csrf", csrf.as_str()),
        ("agency", WARD_A),
        ("procedure", "1.001193"),
        ("applicant.full_name", "Nguyễn Văn An"),
        ("applicant.personal_id", "001087012345"),
        ("applicant.phone", "0977 111 222"),
        ("return_method", "online"),
    ] {
        form = form.text(k, v.to_owned());
    }
    let r = c
        .post(app.url("/nop-truc-tuyen"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let html = r.text().await.unwrap();
    assert!(html.contains("Vui lòng thử lại sau"), "{html}");
    assert!(html.contains("value=\"Nguyễn Văn An\""), "{html}");
}
