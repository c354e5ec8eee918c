//! Signing in and out, sessions, CSRF, the sign-in delay, and administration forms.

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    sign_in_and_out,
    wrong_password_is_told_in_vietnamese,
    sign_in_slows_down_after_five_failures,
    forms_without_the_csrf_token_change_nothing,
    admin_forms_create_and_edit_with_vietnamese_errors,
    audit_log_is_append_only,
    people_change_their_own_password,
);

async fn people_change_their_own_password(app: TestApp) {
    let here = app.browser();
    let csrf = app.signed_in(&here, "chuyenvien").await;
    let elsewhere = app.browser();
    app.signed_in(&elsewhere, "chuyenvien").await;

    let r = app
        .post_form(
            &here,
            "/tai-khoan/mat-khau",
            &[
                ("_csrf", &csrf),
                ("current_password", "sai"),
                ("new_password", "mat-khau-moi-2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Mật khẩu hiện tại không đúng."));
    let r = app
        .post_form(
            &here,
            "/tai-khoan/mat-khau",
            &[
                ("_csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "ngan"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("ít nhất 8 ký tự"));
    let r = app
        .post_form(
            &here,
            "/tai-khoan/mat-khau",
            &[
                ("_csrf", "gia-mao"),
                ("current_password", PASSWORD),
                ("new_password", "mat-khau-moi-2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);

    let r = app
        .post_form(
            &here,
            "/tai-khoan/mat-khau",
            &[
                ("_csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "mat-khau-moi-2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Đã đổi mật khẩu."));
    // This session goes on; the other one has ended; the new password works.
    assert_eq!(
        here.get(app.url("/tai-khoan"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        elsewhere
            .get(app.url("/tai-khoan"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(
        app.sign_in(&app.browser(), "chuyenvien", PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in(&app.browser(), "chuyenvien", "mat-khau-moi-2026")
            .await
            .status(),
        303
    );
}

async fn sign_in_and_out(app: TestApp) {
    let b = app.browser();
    let r = b.get(app.url("/tai-khoan")).send().await.unwrap();
    assert_eq!(r.status(), 303, "signed-out people are sent to sign in");
    let r = app.sign_in(&b, "  TiepNhan ", PASSWORD).await;
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("motcua_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let home = b
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Xin chào, Nguyễn Thị Hồng Nhung"));
    assert!(
        home.contains("Hồ sơ trực tuyến chờ tiếp nhận"),
        "counter officer's work"
    );
    assert!(!home.contains("Hồ sơ chờ tôi phê duyệt"), "not a leader's");
    // Only the hash of the session token is stored.
    let token = cookie
        .trim_start_matches("motcua_session=")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM sessions WHERE token_hash = '{token}'"
        ))
        .await,
        0
    );

    let csrf = hidden_csrf(&home);
    let r = app
        .post_form(&b, "/dang-xuat", &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        b.get(app.url("/tai-khoan")).send().await.unwrap().status(),
        303
    );

    // Each role gets its own home.
    let leader = app.browser();
    app.signed_in(&leader, "lanhdao").await;
    let home = leader
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Hồ sơ chờ tôi phê duyệt"));
    let sup = app.browser();
    app.signed_in(&sup, "giamsat").await;
    let home = sup
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Đơn vị trực thuộc") && home.contains("UBND phường Phố Hiến"));
}

async fn wrong_password_is_told_in_vietnamese(app: TestApp) {
    let b = app.browser();
    let r = app.sign_in(&b, "tiepnhan", "sai-mat-khau").await;
    assert_eq!(r.status(), 401);
    let html = r.text().await.unwrap();
    assert!(html.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    // An unknown username reads the same, so usernames cannot be discovered.
    let r = app.sign_in(&b, "khong-ton-tai", "sai-mat-khau").await;
    assert_eq!(r.status(), 401);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    let r = app.sign_in(&b, "", "").await;
    assert_eq!(r.status(), 400);
}

async fn sign_in_slows_down_after_five_failures(app: TestApp) {
    let b = app.browser();
    for i in 0..5 {
        let r = app.sign_in(&b, "lanhdao", "sai-mat-khau").await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    // The sixth try must wait, even with the right password.
    let r = app.sign_in(&b, "lanhdao", PASSWORD).await;
    assert_eq!(r.status(), 429);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Đăng nhập sai nhiều lần. Vui lòng thử lại sau"),
        "{html}"
    );
    assert_eq!(
        app.count("SELECT failed_logins FROM users WHERE username = 'lanhdao'")
            .await,
        5
    );
    // Other accounts are not affected.
    assert_eq!(
        app.sign_in(&app.browser(), "tiepnhan", PASSWORD)
            .await
            .status(),
        303
    );
    // Once the wait is over (moved into the past here), the right password works and
    // the count resets.
    sqlx::query(
        "UPDATE users SET last_failed_at = last_failed_at - 60000 WHERE username = 'lanhdao'",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    // The attempts are counted in the throttle's windows (issue 9): end them too.
    sqlx::query("UPDATE throttle SET expires_at = expires_at - 3600000")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(app.sign_in(&b, "lanhdao", PASSWORD).await.status(), 303);
    assert_eq!(
        app.count("SELECT failed_logins FROM users WHERE username = 'lanhdao'")
            .await,
        0
    );
}

async fn forms_without_the_csrf_token_change_nothing(app: TestApp) {
    // The sign-in form itself needs its double-submit token.
    let b = app.browser();
    let r = app
        .post_form(
            &b,
            "/dang-nhap",
            &[("username", "tiepnhan"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), 403);

    let admin = app.browser();
    app.signed_in(&admin, "quantri").await;
    let before = app.count("SELECT COUNT(*) FROM agencies").await;
    for csrf in ["", "forged"] {
        let r = app
            .post_form(
                &admin,
                "/quan-tri/co-quan",
                &[
                    ("_csrf", csrf),
                    ("code", "000.09.33.H33"),
                    ("name", "UBND xã Mới"),
                    ("level", "commune"),
                    ("parent_code", PROVINCE),
                ],
            )
            .await;
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("Biểu mẫu đã hết hạn"));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM agencies").await, before);
}

async fn admin_forms_create_and_edit_with_vietnamese_errors(app: TestApp) {
    let admin = app.browser();
    let csrf = app.signed_in(&admin, "quantri").await;
    // Errors come back on the form, next to what was typed.
    let r = app
        .post_form(
            &admin,
            "/quan-tri/co-quan",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "abc def"),
                ("name", "UBND xã Lạc Đạo"),
                ("level", "commune"),
                ("parent_code", PROVINCE),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("Vui lòng sửa các mục được đánh dấu"));
    assert!(html.contains("Mã định danh cơ quan «abc def» không hợp lệ"));
    assert!(
        html.contains("value=\"UBND xã Lạc Đạo\""),
        "typed text kept"
    );

    let r = app
        .post_form(
            &admin,
            "/quan-tri/co-quan",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "000.04.33.h33"),
                ("name", "UBND xã Lạc Đạo"),
                ("level", "commune"),
                ("parent_code", PROVINCE),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/quan-tri/co-quan/000.04.33.H33?ok=tao"
    );
    let html = admin
        .get(app.url("/quan-tri/co-quan/000.04.33.H33?ok=tao"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("UBND xã Lạc Đạo") && html.contains("Đã thêm."));

    // A duplicate username is a message on the form, not an error page.
    let r = app
        .post_form(
            &admin,
            "/quan-tri/co-quan/000.04.33.H33/nguoi-dung",
            &[
                ("_csrf", csrf.as_str()),
                ("username", "tiepnhan"),
                ("full_name", "Người Trùng Tên"),
                ("password", "12345678"),
                ("roles", "counter_officer"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Tên đăng nhập «tiepnhan» đã có người dùng."));

    let r = app
        .post_form(
            &admin,
            "/quan-tri/co-quan/000.04.33.H33/nguoi-dung",
            &[
                ("_csrf", csrf.as_str()),
                ("username", "tiepnhan.ld"),
                ("full_name", "Đinh Thị Thu"),
                ("password", "12345678"),
                ("roles", "counter_officer"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    // Edit: new name, a new role, a new password.
    let r = app
        .post_form(
            &admin,
            "/quan-tri/nguoi-dung/tiepnhan.ld",
            &[
                ("_csrf", csrf.as_str()),
                ("full_name", "Đinh Thị Thu Hà"),
                ("roles", "counter_officer"),
                ("roles", "specialist"),
                ("sectors", "chung-thuc"),
                ("active", "1"),
                ("password", "mat-khau-moi-1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let b = app.browser();
    assert_eq!(
        app.sign_in(&b, "tiepnhan.ld", "mat-khau-moi-1")
            .await
            .status(),
        303
    );
    let html = b
        .get(app.url("/tai-khoan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Đinh Thị Thu Hà") && html.contains("Chuyên viên xử lý"));
}

async fn audit_log_is_append_only(app: TestApp) {
    let admin = app.browser();
    app.signed_in(&admin, "quantri").await;
    let html = admin
        .get(app.url("/quan-tri/nhat-ky"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Thêm người dùng") && html.contains("system (command line)"));
    assert!(app.count("SELECT COUNT(*) FROM audit_log").await > 0);
    let update = sqlx::query("UPDATE audit_log SET actor_username = 'ai-do'")
        .execute(app.db.pool())
        .await;
    assert!(update.is_err(), "UPDATE must be refused");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(app.db.pool())
        .await;
    assert!(delete.is_err(), "DELETE must be refused");
    // A commune officer may not read it.
    let officer = app.browser();
    app.signed_in(&officer, "tiepnhan").await;
    assert_eq!(
        officer
            .get(app.url("/quan-tri/nhat-ky"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}
