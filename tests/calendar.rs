//! The working calendar over the API and the administration page.

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    lunar_and_days_and_due_dates_follow_the_law,
    bad_calendar_input_is_a_problem_not_a_crash,
    agencies_inherit_and_extend_the_calendar,
);

async fn get(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let r = app.client().get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, json(r).await)
}

async fn lunar_and_days_and_due_dates_follow_the_law(app: TestApp) {
    let (status, l) = get(&app, "/api/v1/calendar/lunar?date=2026-02-17").await;
    assert_eq!(status, 200);
    assert_eq!(
        l,
        serde_json::json!({"lunar_day": 1, "lunar_month": 1, "lunar_year": 2026, "leap_month": false, "year_name": "Bính Ngọ"})
    );
    let (_, l) = get(&app, "/api/v1/calendar/lunar?date=1985-01-21").await;
    assert_eq!(
        (l["lunar_day"].as_u64(), l["lunar_month"].as_u64()),
        (Some(1), Some(1)),
        "Tết 1985 in Vietnam"
    );

    let (status, days) = get(&app, "/api/v1/calendar/days?from=2026-02-13&to=2026-02-23").await;
    assert_eq!(status, 200);
    let kinds: Vec<(&str, &str)> = days["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["date"].as_str().unwrap(), d["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds[0], ("2026-02-13", "working"));
    assert_eq!(kinds[1], ("2026-02-14", "day_off"));
    assert_eq!(kinds[3], ("2026-02-16", "holiday"));
    assert_eq!(kinds[10], ("2026-02-23", "working"));
    assert!(days["items"][4]["name"].as_str().unwrap().contains("Tết"));
    let (_, days) = get(
        &app,
        &format!("/api/v1/calendar/days?agency={WARD_A}&from=2026-04-25&to=2026-05-04"),
    )
    .await;
    let off: Vec<&str> = days["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] != "working")
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        off,
        vec![
            "2026-04-25",
            "2026-04-26",
            "2026-04-27",
            "2026-04-30",
            "2026-05-01",
            "2026-05-02",
            "2026-05-03"
        ]
    );

    for (received, limit, due) in [
        (
            "2026-02-13T10:00:00%2B07:00",
            "3wd",
            "2026-02-25T17:00:00+07:00",
        ),
        (
            "2026-02-13T15:30:00%2B07:00",
            "same_day",
            "2026-02-23T17:00:00+07:00",
        ),
        (
            "2026-04-24T10:00:00%2B07:00",
            "3wd",
            "2026-05-04T17:00:00+07:00",
        ),
        (
            "2026-03-02T10:00:00%2B07:00",
            "same_day",
            "2026-03-02T17:00:00+07:00",
        ),
        (
            "2026-03-02T03:00:00Z",
            "immediate",
            "2026-03-02T10:00:00+07:00",
        ),
        (
            "2026-03-02T16:00:00%2B07:00",
            "8wh",
            "2026-03-03T16:30:00+07:00",
        ),
        // 15 days (Civil Code art. 147–148) from 2/2 end on 17/2, inside Tết:
        // the period ends at the close of the first working day after it.
        (
            "2026-02-02T10:00:00%2B07:00",
            "15cd",
            "2026-02-23T17:00:00+07:00",
        ),
    ] {
        let (status, body) = get(
            &app,
            &format!("/api/v1/calendar/due?agency={WARD_A}&received_at={received}&limit={limit}"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["due_at"], due, "{received} {limit}");
    }
}

async fn bad_calendar_input_is_a_problem_not_a_crash(app: TestApp) {
    for (path, status, field) in [
        ("/api/v1/calendar/lunar?date=2026-02-30", 400, "date"),
        ("/api/v1/calendar/lunar", 400, "date"),
        ("/api/v1/calendar/lunar?date=1700-01-01", 400, "date"),
        (
            "/api/v1/calendar/days?from=2026-01-10&to=2026-01-01",
            400,
            "to",
        ),
        (
            "/api/v1/calendar/days?from=2026-01-01&to=2029-01-01",
            400,
            "to",
        ),
        (
            "/api/v1/calendar/days?agency=999.99.99.H99&from=2026-01-01&to=2026-01-02",
            404,
            "",
        ),
        (
            "/api/v1/calendar/due?received_at=hôm-qua&limit=3wd",
            400,
            "received_at",
        ),
        (
            "/api/v1/calendar/due?received_at=2026-03-02T10:00:00Z&limit=3xd",
            400,
            "limit",
        ),
        (
            "/api/v1/calendar/due?received_at=2026-03-02T10:00:00Z&limit=0wd",
            400,
            "limit",
        ),
        (
            "/api/v1/calendar/due?received_at=2026-03-02T10:00:00Z",
            400,
            "limit",
        ),
        (
            "/api/v1/calendar/due?received_at=2099-12-31T10:00:00Z&limit=30wd",
            400,
            "received_at",
        ),
    ] {
        let (s, body) = get(&app, path).await;
        assert_eq!(s, status, "{path}: {body}");
        assert!(!body["detail"].as_str().unwrap().is_empty());
        if !field.is_empty() {
            assert_eq!(body["errors"][0]["field"], field, "{path}");
        }
    }
}

async fn agencies_inherit_and_extend_the_calendar(app: TestApp) {
    let due = |agency: &'static str| {
        let app = &app;
        async move {
            get(app, &format!("/api/v1/calendar/due?agency={agency}&received_at=2026-03-06T10:00:00%2B07:00&limit=1wd")).await.1["due_at"].clone()
        }
    };
    assert_eq!(due(WARD_A).await, "2026-03-09T17:00:00+07:00");

    // The ward closes Monday 9/3 (its own decision): only its calendar changes.
    let ward_admin = app.browser();
    let csrf = app.signed_in(&ward_admin, "quantri.phohien").await;
    let r = app
        .post_form(
            &ward_admin,
            "/quan-tri/lich",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", WARD_A),
                ("ngay", "2026-03-09"),
                ("loai", "day_off"),
                ("ten", "Nghỉ theo quyết định của UBND phường"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(due(WARD_A).await, "2026-03-10T17:00:00+07:00");
    assert_eq!(due(WARD_B).await, "2026-03-09T17:00:00+07:00");
    // A ward administrator cannot change the national layer, nor another ward's.
    let r = app
        .post_form(
            &ward_admin,
            "/quan-tri/lich",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", ""),
                ("ngay", "2026-03-12"),
                ("loai", "day_off"),
                ("ten", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post_form(
            &ward_admin,
            "/quan-tri/lich",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", WARD_B),
                ("ngay", "2026-03-12"),
                ("loai", "day_off"),
                ("ten", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post_form(
            &ward_admin,
            "/quan-tri/lich",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", WARD_A),
                ("ngay", "31/02/2020"),
                ("loai", "makeup_working"),
                ("ten", "Làm bù"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(
            "Ngày «31/02/2020» không tồn tại: tháng 2/2020 chỉ có 29 ngày, không có ngày 31."
        ),
        "{html}"
    );
    // What was typed is kept.
    assert!(html.contains("value=\"31/02/2020\""), "{html}");
    assert!(html.contains("value=\"Làm bù\""), "{html}");
    assert!(
        html.contains("<option value=\"makeup_working\" selected>"),
        "{html}"
    );
    // dd/mm/yyyy like every other form.
    let r = app
        .post_form(
            &ward_admin,
            "/quan-tri/lich",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", WARD_A),
                ("ngay", "10/03/2026"),
                ("loai", "day_off"),
                ("ten", "Nghỉ thêm"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = ward_admin
        .get(app.url(&format!("/quan-tri/lich?co-quan={WARD_A}&nam=2026")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<td>10/03/2026</td>"), "{html}");

    // The province administrator opens Saturday 7/3 nationally as a make-up day:
    // every ward inherits it.
    let admin = app.browser();
    let csrf = app.signed_in(&admin, "quantri").await;
    let r = app
        .post_form(
            &admin,
            "/quan-tri/lich",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", ""),
                ("ngay", "2026-03-07"),
                ("loai", "makeup_working"),
                ("ten", "Làm bù"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(due(WARD_B).await, "2026-03-07T17:00:00+07:00");
    assert_eq!(due(WARD_A).await, "2026-03-07T17:00:00+07:00");
    let html = admin
        .get(app.url("/quan-tri/lich"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("07/03/2026") && html.contains("Làm bù"));
    // The national page lists every day off of a year, the fixed-date holidays
    // and the day given back when one falls on a weekend (1/5/2027 is a Saturday).
    let html = admin
        .get(app.url("/quan-tri/lich?nam=2027"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let table = html
        .split("id=\"lich-nam\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("the year's table");
    for day in [
        "01/01/2027",
        "30/04/2027",
        "01/05/2027",
        "03/05/2027",
        "02/09/2027",
    ] {
        assert!(
            table.contains(&format!("<td>{day}</td>")),
            "{day} in {table}"
        );
    }
    assert!(table.contains("Ngày lễ, Tết"), "{table}");
    // Removing it restores the rule; every change is in the audit log.
    let r = app
        .post_form(
            &admin,
            "/quan-tri/lich",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", ""),
                ("ngay", "2026-03-07"),
                ("loai", ""),
                ("ten", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(due(WARD_B).await, "2026-03-09T17:00:00+07:00");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.set_day'")
            .await,
        4
    );
}

on_both_engines!(an_agency_sets_its_working_hours);

async fn an_agency_sets_its_working_hours(app: TestApp) {
    let admin = app.browser();
    let csrf = app.signed_in(&admin, "quantri.phohien").await;
    let hours = |from: &'static str| {
        let app = &app;
        async move {
            get(
                app,
                &format!("/api/v1/calendar/due?agency={WARD_A}&received_at={from}&limit=2wh"),
            )
            .await
            .1["due_at"]
                .clone()
        }
    };
    // Friday 16:00 + 2 working hours: Monday 08:30 by default…
    assert_eq!(
        hours("2026-03-06T16:00:00%2B07:00").await,
        "2026-03-09T08:30:00+07:00"
    );
    let r = app
        .post_form(
            &admin,
            "/quan-tri/lich/gio-lam-viec",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", WARD_A),
                ("sang_bd", "7h00"),
                ("sang_kt", "11:00"),
                ("chieu_bd", "13:00"),
                ("chieu_kt", "16:30"),
                ("thu_bay", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    // …then the ward closes at 16:30 and opens Saturday mornings from 07:00: half an
    // hour on Friday, an hour and a half on Saturday.
    assert_eq!(
        hours("2026-03-06T16:00:00%2B07:00").await,
        "2026-03-07T08:30:00+07:00"
    );
    let html = admin
        .get(app.url(&format!("/quan-tri/lich?co-quan={WARD_A}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Sáng 07:00–11:00, chiều 13:00–16:30, có làm việc sáng thứ Bảy"));
    // Nonsense is refused in Vietnamese.
    let r = app
        .post_form(
            &admin,
            "/quan-tri/lich/gio-lam-viec",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", WARD_A),
                ("sang_bd", "25:00"),
                ("sang_kt", "11:00"),
                ("chieu_bd", "13:00"),
                ("chieu_kt", "16:30"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Giờ bắt đầu buổi sáng «25:00» không hợp lệ"));
    let r = app
        .post_form(
            &admin,
            "/quan-tri/lich/gio-lam-viec",
            &[
                ("_csrf", csrf.as_str()),
                ("co-quan", WARD_A),
                ("sang_bd", "11:00"),
                ("sang_kt", "07:00"),
                ("chieu_bd", "13:00"),
                ("chieu_kt", "16:30"),
            ],
        )
        .await;
    assert_eq!(r.status(), 400);
    // Ward B is untouched.
    let b = get(&app, &format!("/api/v1/calendar/due?agency={WARD_B}&received_at=2026-03-06T16:00:00%2B07:00&limit=2wh")).await.1;
    assert_eq!(b["due_at"], "2026-03-09T08:30:00+07:00");
}
