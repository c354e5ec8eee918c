//! Browser tests in headless Chromium through ChromeDriver (Debian's chromium and
//! chromium-driver). Without them the tests say so and pass; under CI they must run.

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    counter_officer_signs_in_and_sees_home,
    wrong_password_shows_the_vietnamese_error,
    a_birth_registration_from_the_counter_to_its_return,
    register_workbook_upload_shows_progress_then_the_report,
);

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub(crate) struct Browser {
    pub(crate) client: fantoccini::Client,
    driver: tokio::process::Child,
}

pub(crate) async fn browser() -> Option<Browser> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser tests: install chromium and chromium-driver"
        );
        eprintln!("skipped: {CHROMEDRIVER} not found (apt-get install chromium chromium-driver)");
        return None;
    }
    // Two TLS providers are linked in (aws-lc-rs, ring); rustls needs one named.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = tokio::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1366,768"]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if let Ok(client) = ClientBuilder::rustls()
            .expect("tls setup")
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return Some(Browser { client, driver });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

impl Browser {
    pub(crate) async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }

    pub(crate) async fn sign_in(&self, app: &TestApp, username: &str, password: &str) {
        self.client.goto(&app.url("/dang-nhap")).await.unwrap();
        self.client
            .find(Locator::Id("username"))
            .await
            .unwrap()
            .send_keys(username)
            .await
            .unwrap();
        self.client
            .find(Locator::Id("password"))
            .await
            .unwrap()
            .send_keys(password)
            .await
            .unwrap();
        self.client
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

impl Browser {
    /// Waits until the address holds `part` (after a form's redirect).
    pub(crate) async fn wait_for_url(&self, part: &str) {
        for _ in 0..150 {
            if let Ok(url) = self.client.current_url().await {
                if url.as_str().contains(part) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = self.client.current_url().await.unwrap();
        panic!("waited for an address with {part:?}; still at {url}");
    }

    /// The text of the first element matching `css`. An element found while a
    /// new page replaces the old one can go stale before it is read: read again.
    pub(crate) async fn text_of(&self, css: &str) -> String {
        for _ in 0..50 {
            let element = self
                .client
                .wait()
                .for_element(Locator::Css(css))
                .await
                .unwrap();
            match element.text().await {
                Ok(text) => return text,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("reading {css}: {e}"),
            }
        }
        panic!("{css} kept going stale");
    }

    async fn click(&self, id: &str) {
        self.client
            .wait()
            .for_element(Locator::Id(id))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    pub(crate) async fn fill(&self, id: &str, value: &str) {
        let field = self.client.find(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Types a birth's facts, which the leader's approval writes in the register.
    /// The date of birth first: leaving it refreshes the fee part (it proposes an
    /// exemption), which draws these fields again; the rest is typed after that.
    pub(crate) async fn fill_birth_facts(&self, child: &str, born: &str) {
        self.fill("civil-date_of_birth", born).await;
        self.click("applicant-full_name").await;
        self.settled().await;
        for (id, value) in [
            ("civil-full_name", child),
            ("civil-sex", "Nam"),
            ("civil-place_of_birth", "Trạm y tế phường Phố Hiến"),
            ("civil-mother_name", "Trần Thị Hoa"),
        ] {
            self.fill(id, value).await;
        }
    }

    /// Waits until htmx has no request in flight and nothing left to settle.
    pub(crate) async fn settled(&self) {
        for _ in 0..100 {
            let busy = self
                .client
                .execute(
                    "return document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping') !== null",
                    vec![],
                )
                .await
                .unwrap();
            if busy == serde_json::Value::Bool(false) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Signs in as someone else: a fresh session.
    pub(crate) async fn switch_to(&self, app: &TestApp, username: &str) {
        self.client.delete_all_cookies().await.unwrap();
        self.sign_in(app, username, PASSWORD).await;
        self.wait_for_url(&format!("{}/", app.base)).await;
        self.client
            .wait()
            .for_element(Locator::Css("main h1"))
            .await
            .unwrap();
    }

    /// Takes the action `verb` on the dossier page shown, and waits for its result.
    async fn act(&self, verb: &str) {
        self.client
            .find(Locator::Css(&format!(
                "#thao-tac-{verb} button[type=submit]"
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.wait_for_url(&format!("ok={verb}")).await;
    }
}

/// A birth registration through the pages: the counter receives it, the specialist
/// processes it, the leader approves it, the counter gives the paper result back.
async fn a_birth_registration_from_the_counter_to_its_return(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.switch_to(&app, "tiepnhan").await;
    b.client.goto(&app.url("/ho-so/tiep-nhan")).await.unwrap();
    // Searching without diacritics narrows the list of procedures.
    let all = b
        .client
        .find_all(Locator::Css("#procedure option"))
        .await
        .unwrap()
        .len();
    b.fill("tim", "dang ky khai sinh").await;
    let mut narrowed = false;
    for _ in 0..100 {
        let n = b
            .client
            .find_all(Locator::Css("#procedure option"))
            .await
            .unwrap()
            .len();
        if n < all {
            narrowed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(narrowed, "the search narrows the procedures");
    b.client
        .find(Locator::Id("procedure"))
        .await
        .unwrap()
        .select_by_value("1.001193")
        .await
        .unwrap();
    // The procedure's checklist comes in.
    let first = b.text_of("label[for=doc-0]").await;
    assert_eq!(first, "Tờ khai đăng ký khai sinh");
    b.fill("applicant-full_name", "Lê Văn Hùng").await;
    b.fill("applicant-personal_id", "001087012345").await;
    b.fill("applicant-phone", "0912345678").await;
    b.fill_birth_facts("Lê Minh Khôi", "01/10/2026").await;
    // Each paper is ticked as it is checked.
    b.click("doc-0").await;
    b.click("doc-1").await;
    b.client
        .find(Locator::Id("nut-tiep-nhan"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for_url("ok=tiep-nhan").await;
    let code = b.text_of("#ma-ho-so").await;
    assert!(code.starts_with(WARD_A), "{code}");
    let notice = b.text_of("#thong-bao").await;
    assert!(
        notice.contains(&format!("Đã tiếp nhận hồ sơ mã {code}")),
        "{notice}"
    );
    assert!(notice.contains("In giấy tiếp nhận"));
    // Assigned automatically: the specialist of the sector with the least work.
    b.act("assign").await;
    assert_eq!(b.text_of("#trang-thai-ho-so").await, "Đã phân công xử lý");

    b.switch_to(&app, "chuyenvien").await;
    let home = b.text_of("main").await;
    assert!(home.contains("Hồ sơ tôi đang xử lý"), "{home}");
    b.client
        .find(Locator::Css(&format!("a[href='/ho-so/{code}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_for_url(&format!("/ho-so/{code}")).await;
    b.act("start").await;
    assert_eq!(b.text_of("#trang-thai-ho-so").await, "Đang xử lý");
    b.act("submit_for_approval").await;
    assert_eq!(
        b.text_of("#trang-thai-ho-so").await,
        "Chờ lãnh đạo phê duyệt"
    );

    b.switch_to(&app, "lanhdao").await;
    b.client
        .goto(&app.url(&format!("/ho-so/{code}")))
        .await
        .unwrap();
    b.act("approve").await;
    assert_eq!(b.text_of("#trang-thai-ho-so").await, "Đã phê duyệt");

    b.switch_to(&app, "tiepnhan").await;
    b.client
        .goto(&app.url(&format!("/ho-so/{code}")))
        .await
        .unwrap();
    b.fill("attach_result-result_name", "Giấy khai sinh bản chính")
        .await;
    b.act("attach_result").await;
    b.act("mark_ready").await;
    assert_eq!(b.text_of("#trang-thai-ho-so").await, "Có kết quả, chờ trả");
    b.fill("return-collector_name", "Lê Văn Hùng").await;
    b.act("return").await;
    assert_eq!(b.text_of("#trang-thai-ho-so").await, "Đã trả kết quả");
    let timeliness = b.text_of("#dung-han").await;
    assert!(
        ["Trước hạn", "Đúng hạn", "Quá hạn"].contains(&timeliness.as_str()),
        "{timeliness}"
    );
    let history = b.text_of("#lich-su").await;
    for step in [
        "Tiếp nhận hồ sơ",
        "Phân công xử lý",
        "Phê duyệt",
        "Đính kèm kết quả",
        "Trả kết quả",
    ] {
        assert!(history.contains(step), "{step} in {history}");
    }
    b.close().await;
}

async fn counter_officer_signs_in_and_sees_home(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.sign_in(&app, "tiepnhan", PASSWORD).await;
    assert_eq!(
        b.text_of("main h1").await,
        "Xin chào, Nguyễn Thị Hồng Nhung"
    );
    let body = b.text_of("main").await;
    assert!(body.contains("Hồ sơ trực tuyến chờ tiếp nhận"), "{body}");
    assert!(body.contains("UBND phường Phố Hiến"));
    // Keyboard users can reach the content directly.
    let skip = b.client.find(Locator::Css("a.skip-link")).await.unwrap();
    assert_eq!(
        skip.attr("href").await.unwrap().as_deref(),
        Some("#noi-dung")
    );
    b.close().await;
}

async fn wrong_password_shows_the_vietnamese_error(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.sign_in(&app, "tiepnhan", "sai-mat-khau").await;
    let alert = b
        .client
        .wait()
        .for_element(Locator::Id("loi-dang-nhap"))
        .await
        .unwrap();
    assert_eq!(
        alert.text().await.unwrap(),
        "Tên đăng nhập hoặc mật khẩu không đúng."
    );
    let url = b.client.current_url().await.unwrap();
    assert!(url.path().ends_with("/dang-nhap"));
    b.close().await;
}

on_both_engines!(
    clock = vn_morning();
    certification_counter_is_keyboard_first,
);

/// 09:00 on a working Monday, Vietnam time: before the 15:00 cut-off.
fn vn_morning() -> jiff::Timestamp {
    "2026-11-16T09:00:00+07:00".parse().expect("an instant")
}

/// The certification counter: the name field has the focus, the fee follows pages
/// and copies as they are typed, Enter certifies, and the focus lands on "next case".
async fn certification_counter_is_keyboard_first(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.switch_to(&app, "tiepnhan").await;
    b.client.goto(&app.url("/chung-thuc")).await.unwrap();
    let focused = |b: &Browser| {
        let client = b.client.clone();
        async move {
            client
                .execute(
                    "return document.activeElement && document.activeElement.id;",
                    vec![],
                )
                .await
                .unwrap()
        }
    };
    assert_eq!(focused(&b).await, serde_json::json!("requester_name"));
    b.fill("pages", "3").await;
    b.fill("copies", "2").await;
    let mut fee = String::new();
    for _ in 0..100 {
        fee = b.text_of("#le-phi").await;
        if fee == "10.000 đ (Mười nghìn đồng)" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(fee, "10.000 đ (Mười nghìn đồng)");
    b.fill("requester_name", "Nguyễn Văn An").await;
    b.fill("requester_id", "001087012345").await;
    b.fill("document_name", "Bằng tốt nghiệp\n").await;
    let done = b.text_of("#da-chung-thuc").await;
    assert_eq!(done, "Đã chứng thực: số 1, quyển số 01/2026-SCT/BS");
    assert_eq!(focused(&b).await, serde_json::json!("viec-tiep-theo"));
    b.close().await;
}

/// `/ho-tich/nhap` in a browser: a 5,000-row register workbook chosen and sent;
/// "Đang nhập…" shows while it is sent, then where the import stands while it is
/// read, checked and written (the page does not look frozen), then the report
/// replaces it on the same page.
async fn register_workbook_upload_shows_progress_then_the_report(app: TestApp) {
    let Some(b) = browser().await else { return };
    let dir = std::env::temp_dir().join(format!("motcua-upload-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("so-khai-sinh.xlsx");
    std::fs::write(&file, motcua_legacy::sample::birth_register(5000).unwrap()).unwrap();
    b.switch_to(&app, "chuyenvien").await;
    b.client.goto(&app.url("/ho-tich/nhap")).await.unwrap();
    let indicator = b.client.find(Locator::Id("dang-nhap")).await.unwrap();
    assert!(
        !indicator.is_displayed().await.unwrap(),
        "hidden before a request"
    );
    b.client
        .find(Locator::Id("tep"))
        .await
        .unwrap()
        .send_keys(&file.to_string_lossy())
        .await
        .unwrap();
    b.client
        .find(Locator::Id("nhap"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut saw_progress = false;
    for _ in 0..1200 {
        if b.client.find(Locator::Id("total_rows")).await.is_ok() {
            break;
        }
        // Shown, with its words: the indicator may hide between two questions to
        // the browser (the report arrived), so only both answers together count.
        // While the upload is sent the form's indicator shows; then the import's
        // own progress, which the page follows.
        if let Ok(el) = b.client.find(Locator::Id("dang-nhap")).await {
            if el.is_displayed().await.unwrap_or(false)
                && el.text().await.unwrap_or_default().contains("Đang nhập…")
            {
                saw_progress = true;
            }
        }
        if let Ok(el) = b.client.find(Locator::Id("tien-trinh")).await {
            if el.is_displayed().await.unwrap_or(false)
                && el.text().await.unwrap_or_default().starts_with("Đ")
            {
                saw_progress = true;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(saw_progress, "«Đang nhập…» was never shown");
    assert_eq!(b.text_of("#total_rows").await, "5000");
    assert!(b.text_of("#ket-qua h2").await.contains("Kết quả kiểm tra"));
    let indicator = b.client.find(Locator::Id("dang-nhap")).await.unwrap();
    assert!(!indicator.is_displayed().await.unwrap(), "hidden again");
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .ends_with("/ho-tich/nhap"));
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 0);
    b.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

on_both_engines!(
    clock = vn_morning();
    each_person_is_guided_by_the_next_action_alone,
    the_intake_form_names_every_mistake_at_once_and_keeps_the_files,
);

impl Browser {
    /// The first action of the "what to do now" card: the verb it is for.
    async fn next_verb(&self) -> String {
        let id = self
            .client
            .wait()
            .for_element(Locator::Css("#viec-can-lam section.card.action"))
            .await
            .unwrap()
            .attr("id")
            .await
            .unwrap()
            .unwrap_or_default();
        id.strip_prefix("thao-tac-").unwrap_or_default().to_owned()
    }

    /// Presses the button of the card's first action, after checking it is `verb`.
    async fn press_next(&self, verb: &str) {
        assert_eq!(self.next_verb().await, verb, "the page leads with {verb}");
        self.client
            .find(Locator::Css(
                "#viec-can-lam section.card.action button[type=submit]",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.wait_for_url(&format!("ok={verb}")).await;
    }
}

/// Counter → specialist → leader → counter, each pressing only the button the page
/// leads with (at 1366×900), and the card usable on a 390 px phone.
async fn each_person_is_guided_by_the_next_action_alone(app: TestApp) {
    let Some(b) = browser().await else { return };
    b.client.set_window_size(1366, 900).await.unwrap();
    b.switch_to(&app, "tiepnhan").await;
    b.client.goto(&app.url("/ho-so/tiep-nhan")).await.unwrap();
    b.client
        .find(Locator::Id("procedure"))
        .await
        .unwrap()
        .select_by_value("1.001193")
        .await
        .unwrap();
    b.text_of("label[for=doc-0]").await;
    // The fee follows the facts: a child born 15 days ago is registered free.
    assert!(b.text_of("#phi-phai-nop").await.contains("8.000 đ"));
    b.fill_birth_facts("Lê Minh Khôi", "01/11/2026").await;
    let mut free = String::new();
    for _ in 0..100 {
        free = b.text_of("#phi-phai-nop").await;
        if free.contains("Không thu") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(free.contains("Không thu (0 đ)"), "{free}");
    assert!(b
        .text_of("#de-xuat-mien")
        .await
        .contains("Đăng ký khai sinh đúng hạn"));
    b.fill("applicant-full_name", "Lê Văn Hùng").await;
    b.fill("applicant-personal_id", "001087012345").await;
    b.fill("applicant-phone", "0912345678").await;
    // Nothing is ticked in advance: confirming with a paper missing asks first.
    assert!(!b
        .client
        .find(Locator::Id("doc-0"))
        .await
        .unwrap()
        .is_selected()
        .await
        .unwrap());
    b.click("doc-0").await;
    b.click("nut-tiep-nhan").await;
    let missing = b.text_of("#documents-loi").await;
    assert!(
        missing.contains("Chưa đánh dấu đã nhận: «Giấy chứng sinh»."),
        "{missing}"
    );
    assert!(
        !missing.contains("Văn bản ủy quyền"),
        "only when someone acts for another"
    );
    b.client
        .find(Locator::Css("#thieu-giay-to input"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.click("nut-tiep-nhan").await;
    b.wait_for_url("ok=tiep-nhan").await;
    let code = b.text_of("#ma-ho-so").await;
    let papers = b.text_of("#giay-to-da-nhan").await;
    assert!(papers.contains("Tờ khai đăng ký khai sinh"), "{papers}");
    assert!(!papers.contains("Giấy chứng sinh"), "{papers}");
    let hint = b.text_of("#buoc-tiep-theo").await;
    assert!(hint.contains("phân công chuyên viên xử lý"), "{hint}");
    assert!(b.text_of("#thong-bao").await.contains("In giấy tiếp nhận"));
    // Withdrawing is folded away below, not next to the expected step.
    let rare = b.client.find(Locator::Css("#thao-tac-hiem")).await.unwrap();
    assert_eq!(rare.attr("open").await.unwrap(), None);
    assert!(!b
        .client
        .find(Locator::Css("#thao-tac-withdraw"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    b.press_next("assign").await;
    assert!(b
        .text_of("#thong-bao")
        .await
        .contains("Hồ sơ đã giao cho Phạm Văn Đức"));

    b.switch_to(&app, "chuyenvien").await;
    b.client
        .goto(&app.url(&format!("/ho-so/{code}")))
        .await
        .unwrap();
    b.press_next("start").await;
    b.fill("record_review-opinion", "Đủ điều kiện đăng ký khai sinh.")
        .await;
    b.fill(
        "record_review-draft_result",
        "Giấy khai sinh của cháu Lê Minh An",
    )
    .await;
    b.press_next("record_review").await;
    // Recorded; submitting is now what the page leads with.
    b.press_next("submit_for_approval").await;
    assert_eq!(
        b.text_of("#dang-cho").await,
        "Hồ sơ chờ lãnh đạo phê duyệt."
    );

    b.switch_to(&app, "lanhdao").await;
    b.client
        .goto(&app.url(&format!("/ho-so/{code}")))
        .await
        .unwrap();
    assert_eq!(
        b.text_of("#y-kien-tham-dinh").await,
        "Đủ điều kiện đăng ký khai sinh."
    );
    let send_back = b.text_of("#thao-tac-send_back").await;
    assert!(
        send_back.contains("người nộp hồ sơ không nhìn thấy"),
        "{send_back}"
    );
    b.press_next("approve").await;

    b.switch_to(&app, "tiepnhan").await;
    b.client
        .goto(&app.url(&format!("/ho-so/{code}")))
        .await
        .unwrap();
    // The approval gave the birth's extract as the result: ready to hand over.
    b.press_next("mark_ready").await;
    // On a phone the card that hands the result over fits the screen.
    b.client.set_window_size(390, 844).await.unwrap();
    let right: f64 = b
        .client
        .execute(
            "return document.querySelector('#viec-can-lam button[type=submit]').getBoundingClientRect().right;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    let inner: f64 = b
        .client
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(right <= inner, "the button ends at {right} px of {inner}");
    b.client.set_window_size(1366, 900).await.unwrap();
    b.fill("return-collector_name", "Lê Văn Hùng").await;
    b.press_next("return").await;
    assert_eq!(b.text_of("#trang-thai-ho-so").await, "Đã trả kết quả");
    assert_eq!(
        b.text_of("#dang-cho").await,
        "Hồ sơ đã kết thúc; không còn việc cần làm."
    );
    let history = b.text_of("#lich-su").await;
    for who in [
        "Nguyễn Thị Hồng Nhung — Cán bộ tiếp nhận (một cửa)",
        "Phạm Văn Đức — Chuyên viên xử lý",
        "Đỗ Minh Tuấn — Lãnh đạo",
        "Người xử lý: Phạm Văn Đức (chuyên viên xử lý)",
    ] {
        assert!(history.contains(who), "{who} in {history}");
    }
    b.close().await;
}

/// The counter's intake form in the browser: every field carries its maximum; one
/// press names every mistake at once (a wrong ID, a day that does not exist, a
/// paper not ticked) with what was typed kept; the scan chosen before the error is
/// listed as kept, so the corrected form files it without choosing it again.
async fn the_intake_form_names_every_mistake_at_once_and_keeps_the_files(app: TestApp) {
    let Some(b) = browser().await else { return };
    let dir = std::env::temp_dir().join(format!("motcua-intake-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let scan = dir.join("giay-chung-sinh.pdf");
    std::fs::write(&scan, b"%PDF-1.4 scanned birth certificate").unwrap();
    b.client.set_window_size(1366, 900).await.unwrap();
    b.switch_to(&app, "tiepnhan").await;
    b.client.goto(&app.url("/ho-so/tiep-nhan")).await.unwrap();
    b.client
        .find(Locator::Id("procedure"))
        .await
        .unwrap()
        .select_by_value("1.001193")
        .await
        .unwrap();
    b.text_of("label[for=doc-0]").await;
    for id in ["applicant-full_name", "applicant-address", "note"] {
        let max = b
            .client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .attr("maxlength")
            .await
            .unwrap();
        assert!(
            max.as_deref()
                .and_then(|m| m.parse::<usize>().ok())
                .is_some(),
            "{id} has a maximum length"
        );
    }
    b.fill("applicant-full_name", "Lê Văn Tệp").await;
    b.fill("applicant-personal_id", "123").await;
    b.fill_birth_facts("Lê Văn Con", "31/02/2026").await;
    b.client
        .find(Locator::Id("files"))
        .await
        .unwrap()
        .send_keys(scan.to_str().unwrap())
        .await
        .unwrap();
    b.click("nut-tiep-nhan").await;
    let kept = b.text_of("#tep-da-giu").await;
    assert!(kept.contains("giay-chung-sinh.pdf"), "{kept}");
    let page = b.text_of("main").await;
    for message in [
        "12 chữ số",
        "không tồn tại: tháng 2/2026 chỉ có 28 ngày",
        "Chưa đánh dấu đã nhận",
    ] {
        assert!(page.contains(message), "{message} in {page}");
    }
    let typed = b
        .client
        .find(Locator::Id("applicant-full_name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("Lê Văn Tệp"));
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);

    b.fill("applicant-personal_id", "001087012345").await;
    // Clearing the day would refresh the fee part under the cursor: select what is
    // there and type over it, then leave the field and wait for the refresh.
    b.client
        .find(Locator::Id("civil-date_of_birth"))
        .await
        .unwrap()
        .send_keys("\u{E009}a\u{E000}01/11/2026")
        .await
        .unwrap();
    b.click("applicant-full_name").await;
    for _ in 0..100 {
        if b.client
            .find(Locator::Id("civil-date_of_birth-loi"))
            .await
            .is_err()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(b
        .text_of("#de-xuat-mien")
        .await
        .contains("Đăng ký khai sinh đúng hạn"));
    // Both papers received this time.
    b.click("doc-0").await;
    b.click("doc-1").await;
    b.click("nut-tiep-nhan").await;
    b.wait_for_url("ok=tiep-nhan").await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM dossier_files WHERE name = 'giay-chung-sinh.pdf' AND kind = 'document'"
        )
        .await,
        1
    );
    b.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
