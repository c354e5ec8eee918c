//! Authorization, proven over both the API and the HTML pages: a user of commune A
//! can neither read nor change anything of commune B; a supervisor of the province
//! reads both and changes neither.

use crate::common::*;
use crate::on_both_engines;
use serde_json::json;

on_both_engines!(
    api_commune_users_cannot_touch_another_commune,
    api_supervisor_reads_everything_below_and_changes_nothing,
    api_admin_manages_only_its_subtree,
    pages_commune_users_cannot_touch_another_commune,
    pages_supervisor_reads_and_cannot_change,
);

async fn api_commune_users_cannot_touch_another_commune(app: TestApp) {
    let c = app.client();
    for username in ["tiepnhan", "quantri.phohien"] {
        let token = app.token(username).await;
        let users_before = app.count("SELECT COUNT(*) FROM users").await;

        let r = c
            .get(app.url(&format!("/api/v1/agencies/{WARD_B}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{username} reads agency B");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body = json(r).await;
        assert_eq!(body["status"], 403);
        assert!(
            body["detail"].as_str().unwrap().contains("không có quyền"),
            "{body}"
        );

        let r = c
            .get(app.url(&format!("/api/v1/agencies/{WARD_B}/users")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{username} lists users of B");

        let r = c
            .get(app.url("/api/v1/users/tiepnhan.hht"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{username} reads a user of B");

        let r = app.send_json(&c, reqwest::Method::POST, &format!("/api/v1/agencies/{WARD_B}/users"), &token, &json!({"username": "xam.nhap", "full_name": "Kẻ Xâm Nhập", "password": "12345678", "roles": ["admin"]})).await;
        assert_eq!(r.status(), 403, "{username} creates a user in B");

        let r = app
            .send_json(
                &c,
                reqwest::Method::PATCH,
                &format!("/api/v1/agencies/{WARD_B}"),
                &token,
                &json!({"name": "Đổi tên trái phép"}),
            )
            .await;
        assert_eq!(r.status(), 403, "{username} renames B");

        let r = app
            .send_json(
                &c,
                reqwest::Method::PATCH,
                "/api/v1/users/tiepnhan.hht",
                &token,
                &json!({"active": false}),
            )
            .await;
        assert_eq!(r.status(), 403, "{username} deactivates a user of B");

        // The list of agencies holds only what the person may see.
        let list = json(
            c.get(app.url("/api/v1/agencies"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let codes: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, vec![WARD_A], "{username} sees only A");

        assert_eq!(
            app.count("SELECT COUNT(*) FROM users").await,
            users_before,
            "nothing written"
        );
    }
    let b = app.count(&format!("SELECT COUNT(*) FROM agencies WHERE name LIKE 'Đổi%' OR code = '{WARD_B}' AND active = 0")).await;
    assert_eq!(b, 0);
}

async fn api_supervisor_reads_everything_below_and_changes_nothing(app: TestApp) {
    let c = app.client();
    let token = app.token("giamsat").await;
    let list = json(
        c.get(app.url("/api/v1/agencies"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&PROVINCE) && codes.contains(&WARD_A) && codes.contains(&WARD_B),
        "{codes:?}"
    );
    assert_eq!(
        list["items"][0]["code"], PROVINCE,
        "tree order starts at the province"
    );

    for ward in [WARD_A, WARD_B] {
        let r = c
            .get(app.url(&format!("/api/v1/agencies/{ward}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = c
            .get(app.url(&format!("/api/v1/agencies/{ward}/users")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(!json(r).await["items"].as_array().unwrap().is_empty());

        let r = app
            .send_json(
                &c,
                reqwest::Method::PATCH,
                &format!("/api/v1/agencies/{ward}"),
                &token,
                &json!({"active": false}),
            )
            .await;
        assert_eq!(r.status(), 403);
        let r = app.send_json(&c, reqwest::Method::POST, &format!("/api/v1/agencies/{ward}/users"), &token, &json!({"username": "moi.tao", "full_name": "Người Mới", "password": "12345678", "roles": ["specialist"]})).await;
        assert_eq!(r.status(), 403);
    }
    let r = app.send_json(&c, reqwest::Method::POST, "/api/v1/agencies", &token, &json!({"code": "000.09.33.H33", "name": "UBND xã Mới", "level": "commune", "parent_code": PROVINCE})).await;
    assert_eq!(r.status(), 403);
    let r = app
        .send_json(
            &c,
            reqwest::Method::PATCH,
            "/api/v1/users/tiepnhan",
            &token,
            &json!({"full_name": "Tên Khác"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM agencies WHERE active = 0")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username = 'moi.tao'")
            .await,
        0
    );
    // The audit log is readable by a supervisor.
    let r = c
        .get(app.url("/api/v1/audit"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn api_admin_manages_only_its_subtree(app: TestApp) {
    let c = app.client();
    let ward_admin = app.token("quantri.phohien").await;
    let r = app.send_json(&c, reqwest::Method::POST, &format!("/api/v1/agencies/{WARD_A}/users"), &ward_admin, &json!({"username": "ChuyenVien3", "full_name": " Trần  Thị Mai ", "password": "mat-khau-dai", "roles": ["specialist"], "sectors": ["ho-tich"]})).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["location"], "/api/v1/users/chuyenvien3");
    let u = json(r).await;
    assert_eq!(u["username"], "chuyenvien3");
    assert_eq!(u["full_name"], "Trần Thị Mai");
    assert_eq!(u["roles"], json!(["specialist"]));
    assert_eq!(u["sectors"], json!(["ho-tich"]));

    // A ward administrator cannot create agencies beside or above its own ward.
    let r = app.send_json(&c, reqwest::Method::POST, "/api/v1/agencies", &ward_admin, &json!({"code": "000.09.33.H33", "name": "UBND xã Mới", "level": "commune", "parent_code": PROVINCE})).await;
    assert_eq!(r.status(), 403);

    // The province administrator builds an older three-level tree below it.
    let admin = app.token("quantri").await;
    let r = app.send_json(&c, reqwest::Method::POST, "/api/v1/agencies", &admin, &json!({"code": "000.00.10.H33", "name": "UBND huyện Văn Lâm", "level": "district", "parent_code": PROVINCE})).await;
    assert_eq!(r.status(), 201);
    let r = app.send_json(&c, reqwest::Method::POST, "/api/v1/agencies", &admin, &json!({"code": "000.10.10.H33", "name": "UBND xã Như Quỳnh", "level": "commune", "parent_code": "000.00.10.H33"})).await;
    assert_eq!(r.status(), 201);
    let body = json(r).await;
    assert_eq!(body["parent_code"], "000.00.10.H33");
    // A commune cannot sit under a commune.
    let r = app.send_json(&c, reqwest::Method::POST, "/api/v1/agencies", &admin, &json!({"code": "000.11.10.H33", "name": "UBND thôn", "level": "commune", "parent_code": "000.10.10.H33"})).await;
    assert_eq!(r.status(), 400);
    let body = json(r).await;
    assert_eq!(body["errors"][0]["field"], "level");
    // The supervisor of the province sees the new commune at depth 2.
    let list = json(
        c.get(app.url("/api/v1/agencies"))
            .bearer_auth(&app.token("giamsat").await)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let nq = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "000.10.10.H33")
        .unwrap()
        .clone();
    assert_eq!(nq["depth"], 2);
}

async fn pages_commune_users_cannot_touch_another_commune(app: TestApp) {
    let officer = app.browser();
    app.signed_in(&officer, "tiepnhan").await;
    let r = officer
        .get(app.url(&format!("/quan-tri/co-quan/{WARD_B}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("không có quyền"));
    let r = officer
        .get(app.url("/quan-tri/nguoi-dung/tiepnhan.hht"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let ward_admin = app.browser();
    let csrf = app.signed_in(&ward_admin, "quantri.phohien").await;
    let users_before = app.count("SELECT COUNT(*) FROM users").await;
    let r = app
        .post_form(
            &ward_admin,
            &format!("/quan-tri/co-quan/{WARD_B}/nguoi-dung"),
            &[
                ("_csrf", csrf.as_str()),
                ("username", "xam.nhap"),
                ("full_name", "Kẻ Xâm Nhập"),
                ("password", "12345678"),
                ("roles", "admin"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post_form(
            &ward_admin,
            &format!("/quan-tri/co-quan/{WARD_B}"),
            &[("_csrf", csrf.as_str()), ("name", "Đổi tên trái phép")],
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post_form(
            &ward_admin,
            "/quan-tri/nguoi-dung/tiepnhan.hht",
            &[
                ("_csrf", csrf.as_str()),
                ("full_name", "Tên Khác"),
                ("roles", "counter_officer"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users_before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM agencies WHERE name LIKE 'Đổi%'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE full_name = 'Tên Khác'")
            .await,
        0
    );

    // Within its own ward the same administrator succeeds, through the same form.
    let r = app
        .post_form(
            &ward_admin,
            &format!("/quan-tri/co-quan/{WARD_A}/nguoi-dung"),
            &[
                ("_csrf", csrf.as_str()),
                ("username", "lanhdao2"),
                ("full_name", "Ngô Thị Phó"),
                ("password", "12345678"),
                ("roles", "leader"),
                ("roles", "specialist"),
                ("sectors", "ho-tich"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let roles = app.count("SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.username = 'lanhdao2'").await;
    assert_eq!(roles, 2);
}

async fn pages_supervisor_reads_and_cannot_change(app: TestApp) {
    let sup = app.browser();
    let csrf = app.signed_in(&sup, "giamsat").await;
    for ward in [WARD_A, WARD_B] {
        let r = sup
            .get(app.url(&format!("/quan-tri/co-quan/{ward}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Cán bộ, công chức"), "users listed");
        assert!(!html.contains("Thêm người dùng"), "no change offered");
        let r = app
            .post_form(
                &sup,
                &format!("/quan-tri/co-quan/{ward}"),
                &[("_csrf", csrf.as_str()), ("name", "Đổi tên trái phép")],
            )
            .await;
        assert_eq!(r.status(), 403);
    }
    let html = sup
        .get(app.url("/quan-tri/co-quan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("UBND phường Phố Hiến") && html.contains("UBND xã Hoàng Hoa Thám"));
    assert!(!html.contains("Thêm cơ quan trực thuộc"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM agencies WHERE name LIKE 'Đổi%'")
            .await,
        0
    );
}
