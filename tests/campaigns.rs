//! Campaigns (issue 13): a drive's list of people loaded from a spreadsheet, and
//! its progress as the dossiers of its procedures move: "3.522/3.522".

use motcua_docs::registers::{export_xlsx, ExportCell, ExportSheet};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    a_campaign_counts_its_people_as_their_dossiers_move,
    a_list_with_bad_lines_is_refused_whole_and_names_them,
    campaigns_stay_within_their_agency,
    a_leader_starts_a_campaign_from_the_menu_on_a_phone,
);

const BIRTH: &str = "1.001193";

fn today() -> jiff::civil::Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").expect("tz"))
        .date()
}

fn dmy(d: jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

fn text(s: &str) -> ExportCell {
    if s.is_empty() {
        ExportCell::Empty
    } else {
        ExportCell::Text(s.into())
    }
}

/// A list as a ward types it: STT, name, date of birth, ID, address, note.
fn list(rows: &[(&str, Option<jiff::civil::Date>, &str)]) -> Vec<u8> {
    export_xlsx(&[ExportSheet {
        name: "Danh sách".into(),
        file_stem: "danh-sach".into(),
        titles: [
            "STT",
            "Họ và tên",
            "Ngày sinh",
            "Số định danh",
            "Địa chỉ",
            "Ghi chú",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, (name, dob, id))| {
                vec![
                    ExportCell::Int(i as i64 + 1),
                    text(name),
                    dob.map_or(ExportCell::Empty, ExportCell::Date),
                    text(id),
                    text("Tổ 3, phường Phố Hiến"),
                    ExportCell::Empty,
                ]
            })
            .collect(),
    }])
    .expect("xlsx")
}

/// Posts the new-campaign form as a browser does; the status and the page (or
/// the address it sends to).
async fn create(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    name: &str,
    file: (&str, Vec<u8>),
) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_owned())
        .text("name", name.to_owned())
        .text("procedures", BIRTH)
        .text("starts_on", dmy(today()))
        .text("ends_on", "")
        .part(
            "tep",
            reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_owned()),
        );
    let r = client
        .post(app.url("/chien-dich/moi"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    if status == 303 {
        let to = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        return (status, to);
    }
    (status, r.text().await.unwrap_or_default())
}

/// A birth dossier at ward A declaring `child` born on `dob`, filed by `mother`;
/// its code.
async fn birth_dossier(app: &TestApp, mother: (&str, &str), child: &str, dob: &str) -> String {
    let counter = app.token("tiepnhan").await;
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            "/api/v1/dossiers",
            &counter,
            &json!({
                "procedure": BIRTH,
                "channel": "counter",
                "applicant": {"full_name": mother.0, "personal_id": mother.1, "phone": "0912345678"},
                "return_method": "counter",
                "fee_paid": true,
                "civil": {"fields": {
                    "full_name": child,
                    "sex": "Nam",
                    "date_of_birth": dob,
                    "place_of_birth": "Trạm y tế phường Phố Hiến",
                    "mother_name": mother.0
                }}
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    json(r).await["code"].as_str().expect("code").to_owned()
}

async fn act(app: &TestApp, user: &str, code: &str, action: &str, body: Value) {
    let token = app.token(user).await;
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            format!("/api/v1/dossiers/{code}/actions/{action}"),
            &token,
            &body,
        )
        .await;
    let status = r.status().as_u16();
    assert_eq!(status, 200, "{action}: {}", json(r).await);
}

/// Takes a received dossier to the leader's approval.
async fn approve(app: &TestApp, code: &str) {
    act(
        app,
        "tiepnhan",
        code,
        "assign",
        json!({"assignee": "chuyenvien"}),
    )
    .await;
    act(app, "chuyenvien", code, "start", json!({})).await;
    act(app, "chuyenvien", code, "submit_for_approval", json!({})).await;
    act(app, "lanhdao", code, "approve", json!({})).await;
}

async fn progress(app: &TestApp, id: &str, query: &str) -> (u16, Value) {
    let token = app.token("lanhdao").await;
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/campaigns/{id}{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let status = r.status().as_u16();
    (status, json(r).await)
}

async fn a_campaign_counts_its_people_as_their_dossiers_move(app: TestApp) {
    let year = today().year();
    let khang_dob = jiff::civil::date(year, 1, 1);
    // Four people: a child found by name and date of birth in the declared
    // facts; an adult found by her number as the applicant; one whose dossier is
    // refused; one who never came.
    let book = list(&[
        ("Lê Minh Khang", Some(khang_dob), ""),
        ("Trần Thị Hoa", None, "001190012345"),
        ("Phạm Gia Bảo", Some(khang_dob), ""),
        (
            "Vũ Thị Lan",
            Some(jiff::civil::date(1990, 5, 6)),
            "034190000777",
        ),
    ]);
    let khang = birth_dossier(
        &app,
        ("Nguyễn Thị Mơ", "001190054321"),
        "LÊ MINH KHANG",
        &format!("01/01/{year}"),
    )
    .await;
    let hoa = birth_dossier(
        &app,
        ("Trần Thị Hoa", "001190012345"),
        "Trần Văn Tí",
        &format!("02/01/{year}"),
    )
    .await;
    let bao = birth_dossier(
        &app,
        ("Đinh Thị Nga", "001190011111"),
        "Phạm Gia Bảo",
        &format!("01/01/{year}"),
    )
    .await;
    // Someone the list forgot.
    birth_dossier(
        &app,
        ("Cao Thị Yến", "001190022222"),
        "Cao Văn Sơn",
        &format!("03/01/{year}"),
    )
    .await;
    approve(&app, &khang).await;
    act(
        &app,
        "tiepnhan",
        &bao,
        "assign",
        json!({"assignee": "chuyenvien"}),
    )
    .await;
    act(
        &app,
        "chuyenvien",
        &bao,
        "reject",
        json!({"reason": "Đã đăng ký khai sinh tại nơi khác."}),
    )
    .await;

    let client = app.browser();
    let csrf = app.signed_in(&client, "chuyenvien").await;
    let (status, to) = create(
        &app,
        &client,
        &csrf,
        "Đăng ký lại khai sinh năm 2026",
        ("danh-sach.xlsx", book),
    )
    .await;
    assert_eq!(status, 303, "{to}");
    let id = to.trim_start_matches("/chien-dich/").to_owned();
    assert_eq!(app.count("SELECT COUNT(*) FROM campaign_targets").await, 4);

    let (status, p) = progress(&app, &id, "").await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        p["summary"],
        json!({"total": 4, "done": 1, "in_progress": 1, "stopped": 1, "not_filed": 1})
    );
    assert_eq!(p["percent_done"], 25.0);
    assert_eq!(p["unmatched_dossiers"], 1);
    let stages: Vec<(&str, &str, Option<&str>)> = p["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| {
            (
                t["full_name"].as_str().unwrap_or_default(),
                t["stage"].as_str().unwrap_or_default(),
                t["dossier_code"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("Lê Minh Khang", "done", Some(khang.as_str())),
            ("Trần Thị Hoa", "in_progress", Some(hoa.as_str())),
            ("Phạm Gia Bảo", "stopped", Some(bao.as_str())),
            ("Vũ Thị Lan", "not_filed", None),
        ]
    );
    let (_, only) = progress(&app, &id, "?stage=not_filed").await;
    assert_eq!(only["targets"].as_array().map(Vec::len), Some(1));
    assert_eq!(only["summary"]["total"], 4, "the counts stay whole");
    let (status, bad) = progress(&app, &id, "?stage=xong").await;
    assert_eq!(status, 400, "{bad}");

    // The figure follows the dossiers: Hoa's is approved.
    approve(&app, &hoa).await;
    let (_, p) = progress(&app, &id, "").await;
    assert_eq!(p["summary"]["done"], 2);

    let html = client
        .get(app.url(&to))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("<strong>2/4</strong>"), "{html}");
    assert!(html.contains("50,0%"));
    assert!(html.contains(&format!("href=\"/ho-so/{khang}\"")));
    let list_page = client
        .get(app.url("/chien-dich"))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("html");
    assert!(list_page.contains("Đăng ký lại khai sinh năm 2026"));

    // The workbook lists every person with their stage, the ID as text.
    let r = client
        .get(app.url(&format!("{to}/tien-do.xlsx")))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx");
    let range = wb.worksheet_range("Tiến độ").expect("sheet");
    let cell = |r: u32, c: u32| {
        range
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(range.height(), 5);
    assert_eq!(cell(2, 3), "001190012345");
    assert_eq!(cell(1, 5), "Đã hoàn thành");
    assert_eq!(cell(4, 5), "Chưa nộp hồ sơ");
    assert_eq!(cell(1, 6), khang);
}

async fn a_list_with_bad_lines_is_refused_whole_and_names_them(app: TestApp) {
    let client = app.browser();
    let csrf = app.signed_in(&client, "lanhdao").await;
    // Row 3: a number with letters; row 4: the same number as row 2; row 5: no name.
    let book = list(&[
        ("Nguyễn Văn An", None, "001087012345"),
        ("Lê Văn Tám", None, "00108701234X"),
        ("Lê Thị Na", None, "001087012345"),
        ("", Some(jiff::civil::date(2000, 1, 1)), ""),
        ("Hồ Văn Chín", None, ""),
    ]);
    let (status, html) = create(&app, &client, &csrf, "Rà soát", ("ds.xlsx", book)).await;
    assert_eq!(status, 422);
    assert!(html.contains("3 dòng không hợp lệ"), "{html}");
    assert!(
        html.contains("dòng 3: số định danh «00108701234X»"),
        "{html}"
    );
    assert!(
        html.contains("dòng 4: số định danh 001087012345 trùng với trang «Danh sách», dòng 2"),
        "{html}"
    );
    assert!(html.contains("dòng 5: thiếu họ và tên"), "{html}");
    // What was typed stays in the form.
    assert!(html.contains("value=\"Rà soát\""));

    // No name column; not a workbook; an empty name; a control character.
    let no_name = export_xlsx(&[ExportSheet {
        name: "DS".into(),
        file_stem: "ds".into(),
        titles: vec!["STT".into(), "Số định danh".into()],
        rows: vec![vec![ExportCell::Int(1), text("001087012345")]],
    }])
    .expect("xlsx");
    let (status, html) = create(&app, &client, &csrf, "Rà soát", ("ds.xlsx", no_name)).await;
    assert_eq!(status, 422);
    assert!(html.contains("Không tìm thấy cột «Họ và tên»"), "{html}");
    let (status, html) = create(
        &app,
        &client,
        &csrf,
        "Rà soát",
        ("ds.xlsx", b"\0\0not excel".to_vec()),
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("không phải bảng tính Excel"), "{html}");
    let good = list(&[("Hồ Văn Chín", None, "")]);
    let (status, html) = create(&app, &client, &csrf, "", ("ds.xlsx", good.clone())).await;
    assert_eq!(status, 422);
    assert!(html.contains("Nhập tên chiến dịch."), "{html}");
    let (status, html) = create(
        &app,
        &client,
        &csrf,
        "Rà\u{0}soát",
        ("ds.xlsx", good.clone()),
    )
    .await;
    // Refused before any use case reads it, as every form does.
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("ký tự điều khiển U+0000"), "{html}");
    let long = "x".repeat(5_000);
    let (status, html) = create(&app, &client, &csrf, &long, ("ds.xlsx", good)).await;
    assert_eq!(status, 422);
    assert!(html.contains("Tên chiến dịch dài quá 200 ký tự."), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM campaigns").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM campaign_targets").await, 0);
}

async fn campaigns_stay_within_their_agency(app: TestApp) {
    let client = app.browser();
    let csrf = app.signed_in(&client, "lanhdao").await;
    let (status, to) = create(
        &app,
        &client,
        &csrf,
        "Đăng ký lại khai sinh",
        ("ds.xlsx", list(&[("Hồ Văn Chín", None, "")])),
    )
    .await;
    assert_eq!(status, 303, "{to}");
    let id = to.trim_start_matches("/chien-dich/").to_owned();

    // The counter officer of ward A follows it but may not start one.
    let counter = app.browser();
    app.signed_in(&counter, "tiepnhan").await;
    let r = counter.get(app.url(&to)).send().await.expect("page");
    assert_eq!(r.status(), 200);
    let r = counter
        .get(app.url("/chien-dich/moi"))
        .send()
        .await
        .expect("form");
    assert_eq!(r.status(), 403);

    // Another ward does not see it exist.
    let other = app.token("tiepnhan.hht").await;
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/campaigns/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    let r = app
        .client()
        .get(app.url("/api/v1/campaigns"))
        .bearer_auth(&other)
        .send()
        .await
        .expect("list");
    assert_eq!(json(r).await["items"], json!([]));

    // The province's supervisor sees it among the units below.
    let supervisor = app.token("giamsat").await;
    let r = app
        .client()
        .get(app.url("/api/v1/campaigns"))
        .bearer_auth(&supervisor)
        .send()
        .await
        .expect("list");
    let v = json(r).await;
    assert_eq!(v["items"][0]["id"], id.as_str(), "{v}");
    assert_eq!(v["items"][0]["targets"], 1);
}

/// In the browser at a phone's 390 px: the menu leads to the campaigns, the form
/// takes the list, and the campaign page shows its progress without sideways
/// scrolling; the same page fits the desktop.
async fn a_leader_starts_a_campaign_from_the_menu_on_a_phone(app: TestApp) {
    use fantoccini::Locator;
    let Some(b) = crate::browser::browser().await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("motcua-campaign-{}", unique()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("danh-sach.xlsx");
    std::fs::write(
        &file,
        list(&[
            ("Nguyễn Văn An", None, "001087012345"),
            ("Trần Thị Bình", None, "001087012346"),
        ]),
    )
    .expect("write");
    b.client.set_window_size(390, 844).await.expect("resize");
    b.switch_to(&app, "lanhdao").await;
    b.client
        .find(Locator::Css("nav a[href='/chien-dich']"))
        .await
        .expect("the menu names the campaigns")
        .click()
        .await
        .expect("click");
    b.wait_for_url("/chien-dich").await;
    b.client
        .goto(&app.url("/chien-dich/moi"))
        .await
        .expect("form");
    b.fill("name", "Đăng ký lại khai sinh 2026").await;
    b.client
        .find(Locator::Css(&format!(
            "input[name=procedures][value='{BIRTH}']"
        )))
        .await
        .expect("the procedure")
        .click()
        .await
        .expect("tick");
    b.fill("starts_on", &dmy(today())).await;
    b.client
        .find(Locator::Id("tep"))
        .await
        .expect("file input")
        .send_keys(file.to_str().expect("path"))
        .await
        .expect("choose the file");
    b.client
        .find(Locator::Id("tao"))
        .await
        .expect("button")
        .click()
        .await
        .expect("create");
    let progress = b.text_of("#tien-do").await;
    assert!(progress.contains("0/2"), "{progress}");
    for (w, h) in [(390, 844), (1366, 900)] {
        b.client.set_window_size(w, h).await.expect("resize");
        let v = b
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .expect("widths");
        let (page, window) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
        assert!(page <= window, "{page} px in a {window} px window at {w}");
    }
    b.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
