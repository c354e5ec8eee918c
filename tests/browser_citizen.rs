//! Browser tests of the citizen's side, at a desktop's 1366×900 and a phone's
//! 390×844: the public pages fit the phone's width, a citizen files online from a
//! procedure's page and tracks the dossier with the code they were given.

use std::time::Duration;

use fantoccini::Locator;

use crate::browser::{browser, Browser};
use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    no_public_page_scrolls_sideways_on_a_phone,
    a_citizen_files_online_on_a_phone_and_tracks_with_the_short_code,
    an_administrator_edits_a_procedure_in_the_form_field_by_field,
    the_calendar_form_takes_dd_mm_yyyy_and_names_an_impossible_day,
    an_administrator_sets_who_gets_a_sector_at_intake,
);

const BIRTH: &str = "1.001193";
const NAME: &str = "Trần Thị Bích Ngọc";
const PHONE: &str = "0912345678";

const DESKTOP: (u32, u32) = (1366, 900);
const PHONE_SCREEN: (u32, u32) = (390, 844);

impl Browser {
    /// The page's width and the window's: a page wider than its window scrolls
    /// sideways.
    async fn widths(&self) -> (i64, i64) {
        let v = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let n = |i: usize| v[i].as_i64().expect("a width");
        (n(0), n(1))
    }

    async fn resize(&self, (w, h): (u32, u32)) {
        self.client.set_window_size(w, h).await.unwrap();
    }

    /// The largest font size (px) of any element showing text of its own, and the
    /// text of that element.
    async fn largest_text(&self) -> (f64, String) {
        let v = self
            .client
            .execute(
                "let best = [0, ''];
                 for (const e of document.body.querySelectorAll('*')) {
                   const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
                   if (!own || e.offsetParent === null) continue;
                   const size = parseFloat(getComputedStyle(e).fontSize);
                   if (size > best[0]) best = [size, e.textContent.trim()];
                 }
                 return best;",
                vec![],
            )
            .await
            .unwrap();
        (
            v[0].as_f64().expect("a size"),
            v[1].as_str().unwrap_or_default().to_owned(),
        )
    }

    async fn click_css(&self, css: &str) {
        self.client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

/// Every public page, at both sizes: nothing wider than the window.
async fn no_public_page_scrolls_sideways_on_a_phone(app: TestApp) {
    let Some(b) = browser().await else { return };
    let pages = [
        "/".to_owned(),
        "/thu-tuc".to_owned(),
        format!("/thu-tuc/{BIRTH}"),
        "/nop-truc-tuyen".to_owned(),
        format!("/nop-truc-tuyen?co-quan={WARD_A}&thu-tuc={BIRTH}"),
        "/tra-cuu".to_owned(),
        format!("/tra-cuu?ma={WARD_A}-250101-9999&so=1234"),
        "/xac-minh/khong-co-ma-nay".to_owned(),
        "/dang-nhap".to_owned(),
    ];
    for size in [PHONE_SCREEN, DESKTOP] {
        b.resize(size).await;
        for path in &pages {
            b.client.goto(&app.url(path)).await.unwrap();
            b.client
                .wait()
                .for_element(Locator::Css("main h1"))
                .await
                .unwrap();
            let (page, window) = b.widths().await;
            assert!(window <= size.0 as i64, "{path}: window {window}");
            assert!(
                page <= window,
                "{path} at {}×{}: the page is {page} px wide in a {window} px window",
                size.0,
                size.1
            );
        }
    }
    b.close().await;
}

/// From the procedure's page to the online form with the procedure chosen, filed
/// on a phone; the code is shown large with its short form; tracking by the short
/// code with wrong digits says the digits do not match, and the status is the
/// largest text on the page.
async fn a_citizen_files_online_on_a_phone_and_tracks_with_the_short_code(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.resize(PHONE_SCREEN).await;
    b.client
        .goto(&app.url(&format!("/thu-tuc/{BIRTH}")))
        .await
        .unwrap();
    b.click_css("#nop-truc-tuyen").await;
    b.wait_for_url("/nop-truc-tuyen").await;
    // The commune comes first; the procedure stays chosen once it is picked.
    let label = b.text_of("label[for=co-quan]").await;
    assert!(label.starts_with("Xã, phường nhận hồ sơ"), "{label}");
    let options = b.text_of("#co-quan").await;
    assert!(options.contains("UBND phường Phố Hiến"), "{options}");
    assert!(
        !options.contains("UBND tỉnh"),
        "the province receives no dossier online: {options}"
    );
    if b.client.find(Locator::Id("bieu-mau-nop")).await.is_err() {
        b.client
            .find(Locator::Css(&format!("#co-quan option[value='{WARD_A}']")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    b.client
        .wait()
        .for_element(Locator::Id("bieu-mau-nop"))
        .await
        .unwrap();
    let chosen = b.text_of("#thu-tuc option:checked").await;
    assert!(chosen.starts_with("Đăng ký khai sinh"), "{chosen}");
    let (page, window) = b.widths().await;
    assert!(page <= window, "the form is {page} px wide in {window}");

    b.fill("applicant-full_name", NAME).await;
    b.fill("applicant-personal_id", "001087012345").await;
    b.fill("applicant-phone", PHONE).await;
    b.fill("applicant-email", "ngoc@example.vn").await;
    b.click_css("#nut-nop").await;
    let code = b.text_of("#ma-ho-so").await;
    assert!(code.starts_with(WARD_A), "{code}");
    let short = b.text_of("#ma-ngan").await;
    assert!(code.ends_with(&short), "{short} is the end of {code}");
    let body = b.text_of("main").await;
    assert!(
        body.contains("tin nhắn") && body.contains("ngoc@example.vn"),
        "{body}"
    );
    let (size, text) = b.largest_text().await;
    assert_eq!(text, code, "the code is the largest text ({size}px)");
    let (page, window) = b.widths().await;
    assert!(
        page <= window,
        "the confirmation is {page} px wide in {window}"
    );

    // Tracking by the short code, with the wrong digits.
    b.client.goto(&app.url("/tra-cuu")).await.unwrap();
    b.fill("ma", &short).await;
    b.fill("so", "0000").await;
    b.click_css("form[role=search] button[type=submit]").await;
    let alert = b.text_of("#loi-tra-cuu").await;
    assert_eq!(
        alert,
        "Các chữ số vừa nhập không khớp với số điện thoại hoặc số định danh của người nộp hồ sơ này."
    );
    assert!(!b.text_of("main").await.contains(NAME));
    // Then the right ones: not locked out, and the status stands out.
    b.fill("so", "5678").await;
    b.click_css("form[role=search] button[type=submit]").await;
    for _ in 0..50 {
        if b.client.find(Locator::Id("nguoi-nop")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(b.text_of("#nguoi-nop").await, NAME);
    let status = b.text_of("#trang-thai-ho-so").await;
    assert_eq!(status, "Đã nộp trực tuyến, chờ tiếp nhận");
    let (size, text) = b.largest_text().await;
    assert_eq!(text, status, "the status is the largest text ({size}px)");
    let (page, window) = b.widths().await;
    assert!(page <= window, "tracking is {page} px wide in {window}");
    b.close().await;
}

/// The procedure editor is a form: wrong fields are each marked with their own
/// Vietnamese message and keep what was typed; once fixed, a new version is
/// saved and listed with the saver's name.
async fn an_administrator_edits_a_procedure_in_the_form_field_by_field(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.resize(DESKTOP).await;
    b.switch_to(&app, "quantri").await;
    b.client
        .goto(&app.url(&format!("/quan-tri/thu-tuc/{BIRTH}")))
        .await
        .unwrap();
    assert_eq!(b.text_of("label[for=f-name]").await, "Tên thủ tục");
    // The JSON is there, folded away as the advanced view.
    let details = b.client.find(Locator::Id("nang-cao")).await.unwrap();
    assert_eq!(details.attr("open").await.unwrap(), None);
    b.fill("documents-0-count", "0").await;
    b.fill("fees-0-amount", "tám nghìn").await;
    b.fill("steps-0-share", "150%").await;
    b.fill("f-effective", "31/02/2026").await;
    b.click_css("#luu-bieu-mau").await;
    let summary = b.text_of("#loi-thu-tuc").await;
    assert!(summary.contains("Có 4 mục cần sửa"), "{summary}");
    assert_eq!(
        b.text_of("#documents-0-count-loi").await,
        "Số lượng giấy tờ phải lớn hơn 0."
    );
    assert_eq!(
        b.text_of("#fees-0-amount-loi").await,
        "Mức thu ghi bằng số đồng, ví dụ 8000 hoặc 8.000."
    );
    assert!(b
        .text_of("#steps-0-share-loi")
        .await
        .starts_with("Tỷ lệ thời gian «150%» không hợp lệ."));
    assert_eq!(
        b.text_of("#f-effective-loi").await,
        "Ngày «31/02/2026» không tồn tại: tháng 2/2026 chỉ có 28 ngày, không có ngày 31."
    );
    let kept = b
        .client
        .find(Locator::Id("fees-0-amount"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("tám nghìn"));
    // Fixed, it saves a new version under the administrator's name.
    b.fill("documents-0-count", "1").await;
    b.fill("fees-0-amount", "10.000").await;
    b.fill("steps-0-share", "10%").await;
    b.fill("f-effective", "01/01/2026").await;
    b.click_css("#luu-bieu-mau").await;
    b.wait_for_url("ok=luu").await;
    let versions = b.text_of("main table").await;
    assert!(versions.contains("Trần Văn Quản"), "{versions}");
    assert!(versions.contains("01/01/2026"), "{versions}");
    let p = app.app.procedure_latest(BIRTH).await.unwrap();
    assert_eq!(p.version, 2);
    assert_eq!(
        p.procedure.fees[0].rule,
        motcua_domain::procedure::FeeRule::Fixed { amount: 10_000 }
    );
    // What the form does not show is kept.
    assert!(!p.procedure.fees[0].exemptions.is_empty());
    b.close().await;
}

/// The calendar form takes dd/mm/yyyy; an impossible day is named, and what was
/// typed stays in the form.
async fn the_calendar_form_takes_dd_mm_yyyy_and_names_an_impossible_day(app: TestApp) {
    let Some(b) = browser().await else { return };
    for size in [PHONE_SCREEN, DESKTOP] {
        b.resize(size).await;
        b.switch_to(&app, "quantri.phohien").await;
        b.client
            .goto(&app.url(&format!("/quan-tri/lich?co-quan={WARD_A}")))
            .await
            .unwrap();
        b.fill("ngay", "31/02/2020").await;
        b.fill("ten", "Nghỉ thêm").await;
        b.click_css("form.stack button[type=submit]").await;
        assert_eq!(
            b.text_of("#loi-lich").await,
            "Ngày «31/02/2020» không tồn tại: tháng 2/2020 chỉ có 29 ngày, không có ngày 31."
        );
        let typed = |id: &'static str| {
            let c = b.client.clone();
            async move {
                c.find(Locator::Id(id))
                    .await
                    .unwrap()
                    .prop("value")
                    .await
                    .unwrap()
                    .unwrap_or_default()
            }
        };
        assert_eq!(typed("ngay").await, "31/02/2020");
        assert_eq!(typed("ten").await, "Nghỉ thêm");
        let (page, window) = b.widths().await;
        assert!(page <= window, "the calendar is {page} px wide in {window}");
        b.fill("ngay", "13/03/2026").await;
        b.click_css("form.stack button[type=submit]").await;
        b.wait_for_url("ok=1").await;
        let table = b.text_of("main").await;
        assert!(table.contains("13/03/2026"), "{table}");
    }
    b.close().await;
}

/// The agency page's «Phân công hồ sơ khi tiếp nhận»: a default specialist chosen
/// without naming one is refused next to the list, with the choice kept; named, the
/// page says who gets the sector's next dossier, and the counter's next intake goes
/// there. At both sizes, without sideways scrolling.
async fn an_administrator_sets_who_gets_a_sector_at_intake(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.switch_to(&app, "quantri.phohien").await;
    let page = app.url(&format!("/quan-tri/co-quan/{WARD_A}"));
    for size in [PHONE_SCREEN, DESKTOP] {
        b.resize(size).await;
        b.client.goto(&page).await.unwrap();
        assert_eq!(
            b.text_of("#phan-cong-ho-tich .hien-nay").await,
            "Phân công thủ công."
        );
        let holders = b.text_of("#phan-cong-ho-tich .muted").await;
        assert!(holders.contains("Ngô Thị Mai"), "{holders}");
        assert!(holders.contains("Phạm Văn Đức"), "{holders}");
        let (wide, window) = b.widths().await;
        assert!(wide <= window, "{wide} px in a {window} px window");
    }
    b.click_css("#rule-ho-tich-default_assignee").await;
    b.click_css("#luu-phan-cong-ho-tich").await;
    assert_eq!(
        b.text_of("#assignee-ho-tich-loi").await,
        "Chọn chuyên viên nhận hồ sơ của lĩnh vực."
    );
    let kept = b
        .client
        .find(Locator::Id("rule-ho-tich-default_assignee"))
        .await
        .unwrap()
        .is_selected()
        .await
        .unwrap();
    assert!(kept, "the rule chosen stays chosen");
    assert_eq!(app.count("SELECT COUNT(*) FROM auto_assignments").await, 0);
    b.client
        .find(Locator::Id("assignee-ho-tich"))
        .await
        .unwrap()
        .select_by_value("chuyenvien2")
        .await
        .unwrap();
    b.click_css("#luu-phan-cong-ho-tich").await;
    b.wait_for_url("ok=phan-cong").await;
    assert_eq!(
        b.text_of("#phan-cong-ho-tich .hien-nay").await,
        "Hồ sơ mới được giao ngay cho Ngô Thị Mai."
    );
    // Chứng thực has one specialist: the sole-specialist rule names him.
    b.click_css("#rule-chung-thuc-sole_specialist").await;
    b.click_css("#luu-phan-cong-chung-thuc").await;
    b.wait_for_url("#phan-cong-chung-thuc").await;
    assert_eq!(
        b.text_of("#phan-cong-chung-thuc .hien-nay").await,
        "Hồ sơ mới được giao ngay cho Phạm Văn Đức."
    );
    // What the page says is what intake does.
    let counter = app.token("tiepnhan").await;
    let r = app
        .send_json(
            &app.client(),
            reqwest::Method::POST,
            "/api/v1/dossiers",
            &counter,
            &serde_json::json!({
                "procedure": "1.000689",
                "channel": "counter",
                "applicant": {"full_name": NAME, "personal_id": "001087012345", "phone": PHONE},
                "return_method": "counter",
                "fee_paid": true,
            }),
        )
        .await;
    let d = json(r).await;
    assert_eq!(d["assignee"], "chuyenvien2", "{d}");
    b.close().await;
}
