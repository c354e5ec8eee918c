//! The JSON API: bearer tokens, problem+json errors, validation, the OpenAPI document.

use crate::common::*;
use crate::on_both_engines;
use serde_json::json;

on_both_engines!(
    me_needs_a_live_token,
    bad_input_is_a_vietnamese_problem_and_writes_nothing,
    deactivating_a_user_ends_sessions_and_tokens_at_once,
    openapi_describes_every_endpoint,
    tokens_are_created_listed_and_revoked,
    a_change_made_elsewhere_is_seen_within_the_auth_cache_ttl,
    malformed_requests_are_vietnamese_problems,
    openapi_states_errors_and_required_parameters,
    an_empty_catalogue_filter_is_no_filter,
);

/// Found by the generated requests: `?agency=` (an emptied field) searched for an
/// agency with an empty code and answered 404, which the document did not list.
async fn an_empty_catalogue_filter_is_no_filter(app: TestApp) {
    let c = app.client();
    let all = json(c.get(app.url("/api/v1/procedures")).send().await.unwrap()).await;
    let r = c
        .get(app.url("/api/v1/procedures?q=&agency=&sector="))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["items"], all["items"]);
    let r = c
        .get(app.url("/api/v1/procedures?agency=000.99.99.H99"))
        .send()
        .await
        .unwrap();
    assert_problem(r, 404, "Không tìm thấy").await;
}

/// A problem+json answer with the status given and a Vietnamese `detail` holding
/// `needle`; returns the response's headers for further checks.
async fn assert_problem(
    r: reqwest::Response,
    status: u16,
    needle: &str,
) -> reqwest::header::HeaderMap {
    let url = r.url().to_string();
    assert_eq!(r.status(), status, "{url}");
    let headers = r.headers().clone();
    assert_eq!(headers["content-type"], "application/problem+json", "{url}");
    let p = json(r).await;
    assert_eq!(p["status"], status, "{url}");
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains(needle), "{url}: {detail}");
    headers
}

/// Requests refused before any handler runs (query string, path, body, method,
/// route) are problem+json in Vietnamese like every other API error, not axum's
/// plain English text.
async fn malformed_requests_are_vietnamese_problems(app: TestApp) {
    let c = app.client();
    let token = app.token("tiepnhan").await;
    let get = |path: &str| c.get(app.url(path)).bearer_auth(&token).send();

    let r = get("/api/v1/dossiers?limit=abc").await.unwrap();
    assert_problem(r, 400, "Tham số truy vấn không hợp lệ").await;
    let r = get("/api/v1/calendar/lunar?date=2026-02-13&date=2026-02-14")
        .await
        .unwrap();
    assert_problem(r, 400, "chỉ được gửi một lần").await;
    let r = get("/api/v1/audit?limit=1.5").await.unwrap();
    assert_problem(r, 400, "Tham số truy vấn").await;

    let r = get("/api/v1/dossiers/%FF").await.unwrap();
    assert_problem(r, 400, "không phải UTF-8").await;
    let r = get("/api/v1/dossiers/%C3%28/events").await.unwrap();
    assert_problem(r, 400, "không phải UTF-8").await;

    let r = c
        .post(app.url("/api/v1/dossiers"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"procedure\": ")
        .send()
        .await
        .unwrap();
    assert_problem(r, 400, "không phải JSON hợp lệ").await;
    let r = c
        .post(app.url("/api/v1/public/submissions"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(r, 400, "Content-Type: application/json").await;

    let r = c.put(app.url("/api/v1/me")).send().await.unwrap();
    let headers = assert_problem(r, 405, "phương thức").await;
    assert_eq!(headers["allow"], "GET,HEAD");
    let r = c
        .delete(app.url("/api/v1/dossiers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(r, 405, "phương thức").await;

    let r = get("/api/v1/no-such-thing").await.unwrap();
    assert_problem(r, 404, "Không có địa chỉ API này").await;
    let r = get("/api/v2/dossiers").await.unwrap();
    assert_problem(r, 404, "Không có địa chỉ API này").await;
}

/// The document clients are generated from says what the server does: 401 on
/// every operation that needs a token, 400 wherever input is read, 429 where
/// anonymous callers are limited, required parameters as required, with their
/// formats and ranges; every error answer is problem+json.
async fn openapi_states_errors_and_required_parameters(app: TestApp) {
    let doc = json(
        app.client()
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut authenticated = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let anonymous = op["security"] == json!([{}]);
            if !anonymous {
                authenticated += 1;
                assert!(responses.contains_key("401"), "{method} {path}: no 401");
            }
            let reads_input = op.get("requestBody").is_some()
                || op["parameters"].as_array().is_some_and(|p| !p.is_empty());
            if reads_input {
                assert!(responses.contains_key("400"), "{method} {path}: no 400");
            }
            for (status, r) in responses {
                if status.starts_with('4') {
                    assert_eq!(
                        r["content"]["application/problem+json"]["schema"]["$ref"],
                        "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    assert!(authenticated >= 18, "{authenticated}");
    for (path, method) in [
        ("/api/v1/public/submissions", "post"),
        ("/api/v1/public/dossiers/{code}", "get"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"]["429"].is_object(),
            "{method} {path}: no 429"
        );
    }

    let param = |path: &str, name: &str| {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} {name}"))
            .clone()
    };
    for (path, name, format) in [
        ("/api/v1/calendar/lunar", "date", Some("date")),
        ("/api/v1/calendar/days", "from", Some("date")),
        ("/api/v1/calendar/days", "to", Some("date")),
        ("/api/v1/calendar/due", "received_at", Some("date-time")),
        ("/api/v1/calendar/due", "limit", None),
    ] {
        let p = param(path, name);
        assert_eq!(p["in"], "query", "{path} {name}");
        assert_eq!(p["required"], true, "{path} {name}");
        if let Some(format) = format {
            assert_eq!(p["schema"]["format"], format, "{path} {name}");
        }
    }
    assert_eq!(param("/api/v1/calendar/days", "agency")["required"], false);
    for (path, max) in [("/api/v1/dossiers", 200), ("/api/v1/audit", 500)] {
        let limit = param(path, "limit");
        assert_eq!(limit["in"], "query", "{path}");
        assert_eq!(limit["required"], false, "{path}");
        assert_eq!(limit["schema"]["minimum"], 1, "{path}");
        assert_eq!(limit["schema"]["maximum"], max, "{path}");
    }
}

/// Another server process sharing the database revokes a token: this process, which
/// remembered the token for a moment, refuses it once the cache's time is up.
async fn a_change_made_elsewhere_is_seen_within_the_auth_cache_ttl(app: TestApp) {
    let c = app.client();
    let token = app.token("chuyenvien").await;
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    sqlx::query("UPDATE api_tokens SET revoked_at = 1")
        .execute(app.db.pool())
        .await
        .unwrap();
    tokio::time::sleep(motcua_app::auth::AUTH_CACHE_TTL + std::time::Duration::from_millis(300))
        .await;
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn me_needs_a_live_token(app: TestApp) {
    let c = app.client();
    let r = c.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p = json(r).await;
    assert_eq!(p["type"], "urn:motcua:problem:unauthenticated");
    assert!(p["detail"].as_str().unwrap().contains("mã truy cập"));

    let r = c
        .get(app.url("/api/v1/me"))
        .bearer_auth("mc_not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let token = app.token("chuyenvien").await;
    let me = json(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["username"], "chuyenvien");
    assert_eq!(me["full_name"], "Phạm Văn Đức");
    assert_eq!(me["agency"]["code"], WARD_A);
    assert_eq!(me["roles"], json!(["specialist"]));
    assert_eq!(me["sectors"], json!(["chung-thuc", "ho-tich"]));
    // Only hashes of tokens are stored.
    let stored = app
        .count(&format!(
            "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{token}'"
        ))
        .await;
    assert_eq!(stored, 0);
}

async fn bad_input_is_a_vietnamese_problem_and_writes_nothing(app: TestApp) {
    let c = app.client();
    let admin = app.token("quantri").await;
    let agencies = app.count("SELECT COUNT(*) FROM agencies").await;
    let users = app.count("SELECT COUNT(*) FROM users").await;
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;

    // Every field wrong at once: every field named.
    let r = app
        .send_json(
            &c,
            reqwest::Method::POST,
            "/api/v1/agencies",
            &admin,
            &json!({"code": "phường 1", "name": " ", "level": "thôn", "parent_code": PROVINCE}),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p = json(r).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["code", "name", "level"]);
    assert!(p["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Mã định danh"));

    // Malformed JSON, wrong types, no content type.
    let r = c
        .post(app.url("/api/v1/agencies"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(json(r).await["detail"].as_str().unwrap().contains("JSON"));
    let r = app
        .send_json(
            &c,
            reqwest::Method::POST,
            "/api/v1/agencies",
            &admin,
            &json!({"code": 5}),
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = c
        .post(app.url("/api/v1/agencies"))
        .bearer_auth(&admin)
        .body("code=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(json(r).await["detail"]
        .as_str()
        .unwrap()
        .contains("Content-Type"));

    // Unknown parent, duplicate code, duplicate username, unknown role, unknown sector.
    let r = app.send_json(&c, reqwest::Method::POST, "/api/v1/agencies", &admin, &json!({"code": "000.09.33.H33", "name": "UBND xã Mới", "level": "commune", "parent_code": "999.99.99.H99"})).await;
    assert_eq!(r.status(), 404);
    let r = app.send_json(&c, reqwest::Method::POST, "/api/v1/agencies", &admin, &json!({"code": WARD_B.to_lowercase(), "name": "UBND xã Trùng", "level": "commune", "parent_code": PROVINCE})).await;
    assert_eq!(r.status(), 409);
    assert!(json(r).await["detail"]
        .as_str()
        .unwrap()
        .contains("đã được dùng"));
    let new_user = |username: &str, roles: serde_json::Value, sectors: serde_json::Value| json!({"username": username, "full_name": "Người Dùng", "password": "12345678", "roles": roles, "sectors": sectors});
    for (body, status, field) in [
        (
            new_user("TiepNhan", json!(["counter_officer"]), json!([])),
            409,
            None,
        ),
        (
            new_user("moi", json!(["boss"]), json!([])),
            400,
            Some("roles"),
        ),
        (new_user("moi", json!([]), json!([])), 400, Some("roles")),
        (
            new_user("moi", json!(["specialist"]), json!(["thien-van"])),
            400,
            Some("sectors"),
        ),
        (
            json!({"username": "moi", "full_name": "Người Dùng", "password": "ngắn", "roles": ["leader"]}),
            400,
            Some("password"),
        ),
    ] {
        let r = app
            .send_json(
                &c,
                reqwest::Method::POST,
                &format!("/api/v1/agencies/{WARD_A}/users"),
                &admin,
                &body,
            )
            .await;
        assert_eq!(r.status(), status, "{body}");
        let p = json(r).await;
        if let Some(field) = field {
            assert_eq!(p["errors"][0]["field"], field, "{p}");
        }
    }
    let r = c
        .get(app.url("/api/v1/agencies/khong-co"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(json(r).await["detail"]
        .as_str()
        .unwrap()
        .contains("Không tìm thấy cơ quan"));
    let r = c
        .get(app.url("/api/v1/khong-co"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    assert_eq!(app.count("SELECT COUNT(*) FROM agencies").await, agencies);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, audit);
}

async fn deactivating_a_user_ends_sessions_and_tokens_at_once(app: TestApp) {
    let officer = app.browser();
    app.signed_in(&officer, "tiepnhan").await;
    let officer_token = app.token("tiepnhan").await;
    let r = officer.get(app.url("/")).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("Nguyễn Thị Hồng Nhung"));

    let admin = app.token("quantri.phohien").await;
    let c = app.client();
    let r = app
        .send_json(
            &c,
            reqwest::Method::PATCH,
            "/api/v1/users/tiepnhan",
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["active"], false);

    let r = officer.get(app.url("/tai-khoan")).send().await.unwrap();
    assert_eq!(r.status(), 303, "the session ended");
    assert_eq!(r.headers()["location"], "/dang-nhap");
    let r = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&officer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "the token stopped working");
    let r = app.sign_in(&app.browser(), "tiepnhan", PASSWORD).await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("vô hiệu hóa"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'tiepnhan'").await, 0);

    // An administrator cannot lock themselves out.
    let r = app
        .send_json(
            &c,
            reqwest::Method::PATCH,
            "/api/v1/users/quantri.phohien",
            &admin,
            &json!({"active": false}),
        )
        .await;
    assert_eq!(r.status(), 400);

    // Reactivated, the person signs in again.
    let r = app
        .send_json(
            &c,
            reqwest::Method::PATCH,
            "/api/v1/users/tiepnhan",
            &admin,
            &json!({"active": true}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.sign_in(&app.browser(), "tiepnhan", PASSWORD)
            .await
            .status(),
        303
    );

    // The audit log recorded who did it and from where.
    let audit = json(
        c.get(app.url("/api/v1/audit"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let entry = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.update" && e["target"] == "tiepnhan")
        .unwrap()
        .clone();
    assert_eq!(entry["actor"], "quantri.phohien");
    assert_eq!(entry["ip"], "127.0.0.1");
    assert!(entry["details"]
        .as_str()
        .unwrap()
        .contains("sessions_ended"));
}

async fn openapi_describes_every_endpoint(app: TestApp) {
    let doc = json(
        app.client()
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/me", &["get"][..]),
        ("/api/v1/agencies", &["get", "post"]),
        ("/api/v1/agencies/{code}", &["get", "patch"]),
        ("/api/v1/agencies/{code}/users", &["get", "post"]),
        ("/api/v1/users/{username}", &["get", "patch"]),
        ("/api/v1/tokens", &["get", "post"]),
        ("/api/v1/tokens/{id}", &["delete"]),
        ("/api/v1/audit", &["get"]),
    ] {
        let p = paths.get(path).unwrap_or_else(|| panic!("{path} missing"));
        for m in methods {
            assert!(p.get(*m).is_some(), "{m} {path} missing");
        }
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

async fn tokens_are_created_listed_and_revoked(app: TestApp) {
    let c = app.client();
    let first = app.token("lanhdao").await;
    let r = app
        .send_json(
            &c,
            reqwest::Method::POST,
            "/api/v1/tokens",
            &first,
            &json!({"label": "Cổng dịch vụ công"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let second = json(r).await["token"].as_str().unwrap().to_owned();
    let list = json(
        c.get(app.url("/api/v1/tokens"))
            .bearer_auth(&second)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let id = items
        .iter()
        .find(|t| t["label"] == "Cổng dịch vụ công")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Someone else cannot revoke it; its owner can.
    let other = app.token("tiepnhan").await;
    let r = c
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A leader cannot mint tokens for colleagues.
    let r = app
        .send_json(
            &c,
            reqwest::Method::POST,
            "/api/v1/tokens",
            &first,
            &json!({"username": "tiepnhan"}),
        )
        .await;
    assert_eq!(r.status(), 403);
}
