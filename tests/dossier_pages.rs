//! The dossier pages as a browser uses them (HTML forms, redirects, cookies): intake
//! at the counter, the dossier page and its actions, public tracking and online
//! filing.

use reqwest::multipart::{Form, Part};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    clock = "2026-11-16T09:00:00+07:00".parse::<jiff::Timestamp>().unwrap();
    the_fee_follows_the_day_of_birth,
);

on_both_engines!(
    intake_with_a_bad_personal_id_keeps_what_was_typed,
    successful_intake_shows_the_dossier_with_its_due_date,
    tracking_by_code_alone_hides_the_name_and_wrong_digits_say_so,
    an_action_on_a_stale_page_shows_the_conflict_and_the_state_now,
    the_whole_path_through_the_pages_to_return,
    online_filing_gives_a_code_to_track,
    the_page_leads_with_the_next_action_and_the_leader_reads_the_review,
    rare_actions_ask_to_confirm_and_mark_ready_names_the_card,
    a_missing_paper_and_an_impossible_date_are_caught_at_intake,
);

const BIRTH: &str = "1.001193";
const NAME: &str = "Trần Thị Bích Ngọc";
const PHONE: &str = "0912345678";

/// A complete, valid counter intake of a birth registration.
fn intake_fields(csrf: &str, personal_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("_csrf", csrf.to_owned()),
        ("procedure", BIRTH.to_owned()),
        ("channel", "counter".to_owned()),
        ("sets", "1".to_owned()),
        ("applicant.full_name", NAME.to_owned()),
        ("applicant.personal_id", personal_id.to_owned()),
        ("applicant.date_of_birth", "05/09/1987".to_owned()),
        ("applicant.sex", "male".to_owned()),
        ("applicant.phone", PHONE.to_owned()),
        (
            "applicant.address",
            "12 Bạch Đằng, phường Phố Hiến".to_owned(),
        ),
        ("documents_for", BIRTH.to_owned()),
        ("documents[0].received", "1".to_owned()),
        ("documents[0].originals", "1".to_owned()),
        ("documents[1].received", "1".to_owned()),
        ("documents[1].originals", "1".to_owned()),
        ("exemption", "on_time_birth_registration".to_owned()),
        ("return_method", "counter".to_owned()),
        // The birth's facts: what its approval writes in the register.
        ("civil.full_name", "Trần Minh Khôi".to_owned()),
        ("civil.sex", "Nam".to_owned()),
        ("civil.date_of_birth", "01/10/2026".to_owned()),
        (
            "civil.place_of_birth",
            "Trạm y tế phường Phố Hiến".to_owned(),
        ),
        ("civil.mother_name", NAME.to_owned()),
    ]
}

fn multipart(fields: &[(&'static str, String)]) -> Form {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(*k, v.clone());
    }
    form
}

/// The counter officer's session, its CSRF token read from the intake page.
async fn counter(app: &TestApp) -> (reqwest::Client, String) {
    let c = app.browser();
    app.signed_in(&c, "tiepnhan").await;
    let page = c.get(app.url("/ho-so/tiep-nhan")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csrf = hidden_csrf(&page.text().await.unwrap());
    (c, csrf)
}

/// Receives a dossier through the form; returns its code.
async fn receive(app: &TestApp, c: &reqwest::Client, csrf: &str) -> String {
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(multipart(&intake_fields(csrf, "001087012345")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let code = location
        .strip_prefix("/ho-so/")
        .and_then(|rest| rest.split('?').next())
        .unwrap()
        .to_owned();
    assert!(code.starts_with(WARD_A), "{code}");
    code
}

async fn page(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of the hidden `name` input of the form whose action ends in `action`.
fn hidden_in_form(html: &str, action: &str, name: &str) -> String {
    let start = html
        .find(&format!("thao-tac/{action}\""))
        .unwrap_or_else(|| panic!("no form for {action}"));
    let rest = &html[start..];
    let marker = format!("name=\"{name}\" value=\"");
    let i = rest.find(&marker).expect("hidden field") + marker.len();
    rest[i..].split('"').next().unwrap().to_owned()
}

/// A failed action redirects back to the dossier page (never staying on the
/// action's address); the page it leads to, with its address.
async fn follow(app: &TestApp, c: &reqwest::Client, r: reqwest::Response) -> (String, String) {
    assert_eq!(r.status(), 303, "an action always redirects");
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(!location.contains("/thao-tac/"), "{location}");
    let (status, html) = page(c, app.url(&location)).await;
    assert_eq!(status, 200);
    (location, html)
}

async fn act(
    app: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    code: &str,
    verb: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = page(c, app.url(&format!("/ho-so/{code}"))).await;
    let version = hidden_in_form(&html, verb, "version");
    let mut fields: Vec<(&str, &str)> = vec![("_csrf", csrf), ("version", &version)];
    fields.extend_from_slice(extra);
    app.post_form(c, format!("/ho-so/{code}/thao-tac/{verb}"), &fields)
        .await
}

async fn intake_with_a_bad_personal_id_keeps_what_was_typed(app: TestApp) {
    let (c, csrf) = counter(&app).await;
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(multipart(&intake_fields(&csrf, "12345")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Số định danh cá nhân phải gồm đúng 12 chữ số; số đã nhập có 5 chữ số."),
        "{html}"
    );
    // The message sits next to its field, and what was typed is still there.
    assert!(html.contains("id=\"applicant-personal_id-loi\""));
    assert!(html.contains(&format!("value=\"{NAME}\"")), "{html}");
    assert!(html.contains("value=\"12345\""));
    assert!(html.contains("value=\"05/09/1987\""));
    assert!(html.contains("<option value=\"1.001193\" selected>"));
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);

    // The same through an ordinary URL-encoded form, and a typed count that is no number.
    let mut fields = intake_fields(&csrf, "001087012345");
    fields.push(("documents[1].photocopies", "hai".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post_form(&c, "/ho-so/tiep-nhan", &pairs).await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("Giấy tờ «Giấy chứng sinh»: số bản là số nguyên từ 0 đến 99."));
    assert!(html.contains("value=\"hai\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);

    // Only counter officers receive dossiers.
    let s = app.browser();
    app.signed_in(&s, "chuyenvien").await;
    let (status, html) = page(&s, app.url("/ho-so/tiep-nhan")).await;
    assert_eq!(status, 403);
    assert!(html.contains("Chỉ cán bộ tiếp nhận"));
}

async fn successful_intake_shows_the_dossier_with_its_due_date(app: TestApp) {
    let (c, csrf) = counter(&app).await;
    // A scan larger than the 2 MB other forms accept.
    let form = multipart(&intake_fields(&csrf, "001087012345"))
        .part(
            "files",
            Part::bytes(b"%PDF-1.4 giay chung sinh".to_vec())
                .file_name("giấy chứng sinh.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
        .part(
            "files",
            Part::bytes(vec![b'x'; 3 * 1024 * 1024]).file_name("to-khai.tif"),
        );
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("?ok=tiep-nhan"), "{location}");
    let code = location[7..location.len() - 13].to_owned();

    let (status, html) = page(&c, app.url(&location)).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("Hồ sơ <span id=\"ma-ho-so\">{code}</span>")));
    assert!(html.contains(&format!("Đã tiếp nhận hồ sơ mã {code}.")));
    assert!(html.contains(&format!("href=\"/ho-so/{code}/mau/01.pdf\"")));
    assert!(html.contains("In giấy tiếp nhận"));
    let due_ms: i64 = sqlx::query_scalar("SELECT due_at FROM dossiers WHERE code = $1")
        .bind(&code)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let due = jiff::Timestamp::from_millisecond(due_ms)
        .unwrap()
        .to_zoned(motcua_domain::calendar::vietnam_time_zone())
        .strftime("%H:%M %d/%m/%Y")
        .to_string();
    assert!(html.contains(&format!("Hẹn trả kết quả: {due}.")), "{due}");
    assert!(html.contains(NAME));
    assert!(html.contains("Giấy chứng sinh"));
    assert!(
        html.contains("Không thu (0 đ)"),
        "on-time birth registration is free"
    );
    assert!(html.contains("Tiếp nhận hồ sơ"));
    assert!(html.contains("Thẩm định hồ sơ, đối chiếu dữ liệu, dự thảo kết quả"));
    // The notice by SMS is in the outbox and shown.
    assert!(html.contains("Tin nhắn SMS"));
    assert!(html.contains(PHONE));

    // The scan downloads as it was sent.
    let marker = format!("href=\"/ho-so/{code}/tep/");
    let i = html.find(&marker).expect("file link") + 6;
    let href = html[i..].split('"').next().unwrap().to_owned();
    let r = c.get(app.url(&href)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(&r.bytes().await.unwrap()[..], b"%PDF-1.4 giay chung sinh");

    // The receipt prints; a form that does not exist is a page, not a fault.
    let r = c
        .get(app.url(&format!("/ho-so/{code}/mau/01.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));
    let (status, html) = page(&c, app.url(&format!("/ho-so/{code}/mau/09.pdf"))).await;
    assert_eq!(status, 404);
    assert!(html.contains("Không có mẫu phiếu này"));

    // It waits in the counter's list of dossiers to assign.
    let (status, html) = page(&c, app.url("/?ds=to_assign")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("<a href=\"/ho-so/{code}\">{code}</a>")));
    assert!(html.contains("aria-current=\"page\">Chờ phân công</a>"));
    let (_, html) = page(&c, app.url("/?ds=to_assign&linh-vuc=dat-dai")).await;
    assert!(!html.contains(&format!("/ho-so/{code}")));
    assert!(html.contains("Không có hồ sơ nào trong danh sách này."));
}

async fn tracking_by_code_alone_hides_the_name_and_wrong_digits_say_so(app: TestApp) {
    let (c, csrf) = counter(&app).await;
    let code = receive(&app, &c, &csrf).await;
    let public = app.browser();

    let (status, html) = page(&public, app.url(&format!("/tra-cuu?ma={code}"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("Đã tiếp nhận"));
    assert!(html.contains("Đăng ký khai sinh"));
    assert!(html.contains("UBND phường Phố Hiến"));
    assert!(!html.contains(NAME), "the name needs the digits");

    let (status, html) = page(&public, app.url(&format!("/tra-cuu?ma={code}&so=5678"))).await;
    assert_eq!(status, 200);
    assert!(html.contains(NAME));
    assert!(html.contains("Quá trình xử lý"));

    let alert = |html: &str| {
        let i = html.find("id=\"loi-tra-cuu\">").expect("an alert") + 17;
        html[i..].split('<').next().unwrap().to_owned()
    };
    let (status, wrong_digits) =
        page(&public, app.url(&format!("/tra-cuu?ma={code}&so=0000"))).await;
    assert_eq!(status, 404);
    assert!(!wrong_digits.contains(NAME));
    let (status, wrong_code) = page(
        &public,
        app.url(&format!("/tra-cuu?ma={WARD_A}-250101-9999&so=5678")),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        alert(&wrong_digits),
        "Các chữ số vừa nhập không khớp với số điện thoại hoặc số định danh của người nộp hồ sơ này."
    );
    assert!(alert(&wrong_code).starts_with("Không tìm thấy hồ sơ"));
    // The status is set apart, in large type.
    assert!(html.contains("class=\"status-big status-received\" id=\"trang-thai-ho-so\""));

    // Guessing is slowed down: after a few failures, a friendly 429.
    let mut last = 0;
    for i in 0..12 {
        let r = public
            .get(app.url(&format!("/tra-cuu?ma=KHONG-CO-{i}")))
            .send()
            .await
            .unwrap();
        last = r.status().as_u16();
        if last == 429 {
            assert!(r.headers().contains_key("retry-after"));
            assert!(r.text().await.unwrap().contains("Vui lòng thử lại sau"));
            break;
        }
        assert_eq!(last, 404);
    }
    assert_eq!(last, 429);
}

async fn an_action_on_a_stale_page_shows_the_conflict_and_the_state_now(app: TestApp) {
    let (c, csrf) = counter(&app).await;
    let code = receive(&app, &c, &csrf).await;
    let (_, html) = page(&c, app.url(&format!("/ho-so/{code}"))).await;
    let stale = hidden_in_form(&html, "assign", "version");

    let r = app
        .post_form(
            &c,
            format!("/ho-so/{code}/thao-tac/assign"),
            &[("_csrf", &csrf), ("version", &stale), ("assignee", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let (_, html) = page(&c, app.url(&format!("/ho-so/{code}?ok=assign"))).await;
    assert!(html.contains("Đã thực hiện: «Phân công xử lý»."));
    assert!(html.contains("Chuyên viên xử lý"));

    // The same page, still open elsewhere, assigns again with what it saw.
    let r = app
        .post_form(
            &c,
            format!("/ho-so/{code}/thao-tac/assign"),
            &[
                ("_csrf", &csrf),
                ("version", &stale),
                ("assignee", "chuyenvien2"),
            ],
        )
        .await;
    let (location, html) = follow(&app, &c, r).await;
    assert!(
        location.starts_with(&format!("/ho-so/{code}?loi=")),
        "{location}"
    );
    assert!(html.contains("id=\"xung-dot\""));
    assert!(
        html.contains(&format!(
            "Hồ sơ {code} vừa được người khác cập nhật; trạng thái hiện nay: «Đã phân công xử lý»."
        )),
        "{html}"
    );
    assert!(html.contains("Trạng thái hiện nay của hồ sơ: <strong>Đã phân công xử lý</strong>"));

    // A form from another site (no CSRF token) changes nothing.
    let r = app
        .post_form(
            &c,
            format!("/ho-so/{code}/thao-tac/withdraw"),
            &[("reason", "giả mạo")],
        )
        .await;
    assert_eq!(r.status(), 403);

    // Field errors come back on the action's own form.
    let r = act(
        &app,
        &c,
        &csrf,
        &code,
        "request_supplement",
        &[("reason", "Thiếu giấy tờ")],
    )
    .await;
    let (_, html) = follow(&app, &c, r).await;
    assert!(html.contains("id=\"request_supplement-missing-loi\""));
    assert!(html.contains("Thiếu giấy tờ</textarea>"));

    // Acting outside one's role shows the forbidden page.
    let s = app.browser();
    let s_csrf = app.signed_in(&s, "chuyenvien2").await;
    let r = app
        .post_form(
            &s,
            format!("/ho-so/{code}/thao-tac/return"),
            &[("_csrf", &s_csrf), ("collector_name", "Ai đó")],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Không có quyền"));
}

/// Every step through the forms, each person in their own session.
async fn the_whole_path_through_the_pages_to_return(app: TestApp) {
    let (c, csrf) = counter(&app).await;
    let code = receive(&app, &c, &csrf).await;
    let r = act(
        &app,
        &c,
        &csrf,
        &code,
        "assign",
        &[("assignee", "chuyenvien")],
    )
    .await;
    assert_eq!(r.status(), 303);

    let s = app.browser();
    let s_csrf = app.signed_in(&s, "chuyenvien").await;
    let (_, home) = page(&s, app.url("/")).await;
    assert!(home.contains("aria-current=\"page\">Hồ sơ tôi đang xử lý</a>"));
    assert!(home.contains(&format!("/ho-so/{code}")));
    for verb in ["start", "submit_for_approval"] {
        let r = act(&app, &s, &s_csrf, &code, verb, &[]).await;
        assert_eq!(r.status(), 303, "{verb}");
    }
    let l = app.browser();
    let l_csrf = app.signed_in(&l, "lanhdao").await;
    let (_, home) = page(&l, app.url("/?ds=awaiting_approval")).await;
    assert!(home.contains(&format!("/ho-so/{code}")));
    assert_eq!(
        act(&app, &l, &l_csrf, &code, "approve", &[]).await.status(),
        303
    );

    // A result file, through the multipart form.
    let (_, html) = page(&c, app.url(&format!("/ho-so/{code}"))).await;
    let version = hidden_in_form(&html, "attach_result", "version");
    let form = Form::new()
        .text("_csrf", csrf.clone())
        .text("version", version)
        .text("result_name", "Giấy khai sinh bản chính (bản điện tử)")
        .part(
            "result_file",
            Part::bytes(b"%PDF-1.4 ket qua".to_vec()).file_name("giay-khai-sinh.pdf"),
        );
    let r = c
        .post(app.url(&format!("/ho-so/{code}/thao-tac/attach_result")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        act(&app, &c, &csrf, &code, "mark_ready", &[])
            .await
            .status(),
        303
    );
    let r = act(&app, &c, &csrf, &code, "return", &[]).await;
    let (_, html) = follow(&app, &c, r).await;
    assert!(
        html.contains("Ghi họ tên người nhận kết quả."),
        "the collector's name is needed"
    );
    let r = act(
        &app,
        &c,
        &csrf,
        &code,
        "return",
        &[("collector_name", NAME), ("collector_id", "001087012345")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = page(&c, app.url(&format!("/ho-so/{code}"))).await;
    assert!(html.contains("id=\"trang-thai-ho-so\">Đã trả kết quả</span>"));
    assert!(html.contains("Giấy khai sinh bản chính (bản điện tử)"));
    assert!(html.contains(&format!("Người nhận: {NAME}")));
    assert!(
        ["Trước hạn", "Đúng hạn", "Quá hạn"]
            .iter()
            .any(|t| html.contains(&format!("id=\"dung-han\">{t}</span>"))),
        "timeliness shown"
    );
    assert!(
        !html.contains("id=\"tieu-de-thao-tac\""),
        "nothing left to do"
    );
    assert!(html.contains("/mau/06.pdf"));
}

async fn online_filing_gives_a_code_to_track(app: TestApp) {
    let c = app.browser();
    let (status, html) = page(&c, app.url("/nop-truc-tuyen")).await;
    assert_eq!(status, 200);
    assert!(html.contains("UBND phường Phố Hiến"));
    // Only agencies that receive dossiers online: the province performs none.
    assert!(!html.contains(&format!("value=\"{PROVINCE}\"")), "{html}");
    // A procedure offered online links to the form with it chosen; one that is
    // not, does not.
    let (_, proc_page) = page(&c, app.url(&format!("/thu-tuc/{BIRTH}"))).await;
    assert!(proc_page.contains(&format!(
        "href=\"/nop-truc-tuyen?thu-tuc={BIRTH}\">Nộp trực tuyến</a>"
    )));
    let (_, mobile) = page(&c, app.url("/thu-tuc/1.003583")).await;
    assert!(mobile.contains("Đăng ký khai sinh lưu động"));
    assert!(!mobile.contains("Nộp trực tuyến</a>"));
    let (_, form_page) = page(&c, app.url(&format!("/nop-truc-tuyen?thu-tuc={BIRTH}"))).await;
    assert!(
        form_page.contains(&format!("value=\"{BIRTH}\"")),
        "{form_page}"
    );
    let (_, html) = page(
        &c,
        app.url(&format!("/nop-truc-tuyen?co-quan={WARD_A}&thu-tuc={BIRTH}")),
    )
    .await;
    assert!(html.contains("id=\"bieu-mau-nop\""), "{html}");
    let csrf = hidden_csrf(&html);
    // Searching without diacritics finds the procedure.
    let (_, options) = page(
        &c,
        app.url(&format!(
            "/nop-truc-tuyen/thu-tuc?co-quan={WARD_A}&tim=dang+ky+khai+sinh"
        )),
    )
    .await;
    assert!(options.contains("Đăng ký khai sinh (1.001193)"));

    let fields = [
        ("_csrf", csrf.as_str()),
        ("agency", WARD_A),
        ("procedure", BIRTH),
        ("applicant.full_name", NAME),
        ("applicant.personal_id", "001087012345"),
        ("return_method", "online"),
    ];
    let form = |fields: &[(&'static str, &str)]| {
        let mut f = Form::new();
        for (k, v) in fields {
            f = f.text(*k, v.to_string());
        }
        f
    };
    // No way to reach the applicant: refused, on the phone field.
    let r = c
        .post(app.url("/nop-truc-tuyen"))
        .multipart(form(&fields))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"applicant-phone-loi\""));
    assert!(html.contains(&format!("value=\"{NAME}\"")));

    let mut fields = fields.to_vec();
    fields.push(("applicant.phone", PHONE));
    let r = c
        .post(app.url("/nop-truc-tuyen"))
        .multipart(form(&fields).part(
            "files",
            Part::bytes(b"to khai".to_vec()).file_name("to-khai.jpg"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let i = html.find("id=\"ma-ho-so\">").expect("the code") + 14;
    let code = html[i..]
        .replacen("<wbr>", "", 1)
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(code.starts_with(WARD_A), "{code} in {html}");
    assert!(html.contains(&format!("href=\"/tra-cuu?ma={code}\"")));
    let (_, html) = page(&c, app.url(&format!("/tra-cuu?ma={code}"))).await;
    assert!(html.contains("Đã nộp trực tuyến, chờ tiếp nhận"));
    // The code also went out by SMS (no e-mail was given), with its short form.
    let short = &code[WARD_A.len() + 1..];
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'submitted' AND channel = 'sms' \
             AND recipient = '{PHONE}' AND body LIKE '%{code} (mã ngắn {short})%'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE kind = 'submitted'")
            .await,
        1
    );

    // Without the form's cookie (another site), nothing is filed.
    let other = app.browser();
    let r = other
        .post(app.url("/nop-truc-tuyen"))
        .multipart(form(&fields))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 1);

    // The counter sees it waiting.
    let (c2, _) = counter(&app).await;
    let (_, home) = page(&c2, app.url("/")).await;
    assert!(home.contains(&format!("/ho-so/{code}")));
    assert!(home.contains("Trực tuyến</span>"));
}

/// The HTML of the "what to do now" card of a page.
fn next_card(html: &str) -> &str {
    let start = html
        .find("id=\"viec-can-lam\"")
        .expect("the next-step card");
    let rest = &html[start..];
    let end = rest.find("</section>\n\n").unwrap_or(rest.len());
    &rest[..end]
}

async fn the_page_leads_with_the_next_action_and_the_leader_reads_the_review(app: TestApp) {
    let (c, csrf) = counter(&app).await;
    let code = receive(&app, &c, &csrf).await;
    // After the intake: what happens now, and the assignment is the next step.
    let (_, html) = page(&c, app.url(&format!("/ho-so/{code}?ok=tiep-nhan"))).await;
    assert!(
        html.contains("Việc tiếp theo: phân công chuyên viên xử lý"),
        "{html}"
    );
    assert!(next_card(&html).contains("thao-tac/assign\""));
    assert!(!next_card(&html).contains("thao-tac/withdraw\""));
    // Withdrawing sits below, folded, behind a confirmation.
    assert!(html.contains("id=\"thao-tac-hiem\""));
    assert!(html.contains("name=\"confirm\" value=\"1\" required id=\"withdraw-confirm\""));

    // A specialist is offered nothing on a dossier nobody assigned yet.
    let s = app.browser();
    let s_csrf = app.signed_in(&s, "chuyenvien").await;
    let (_, html) = page(&s, app.url(&format!("/ho-so/{code}"))).await;
    for verb in ["reject", "extend", "request_supplement", "start"] {
        assert!(!html.contains(&format!("thao-tac/{verb}\"")), "{verb}");
    }
    assert!(next_card(&html).contains("Hồ sơ chờ phân công chuyên viên xử lý"));

    let r = act(
        &app,
        &c,
        &csrf,
        &code,
        "assign",
        &[("assignee", "chuyenvien")],
    )
    .await;
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = page(&c, app.url(&location)).await;
    assert!(html.contains("Hồ sơ đã giao cho Phạm Văn Đức"), "{html}");
    assert!(next_card(&html).contains("Hồ sơ đang chờ chuyên viên Phạm Văn Đức"));

    let (_, html) = page(&s, app.url(&format!("/ho-so/{code}"))).await;
    assert!(next_card(&html).contains("thao-tac/start\""));
    assert_eq!(
        act(&app, &s, &s_csrf, &code, "start", &[]).await.status(),
        303
    );
    let (_, html) = page(&s, app.url(&format!("/ho-so/{code}"))).await;
    let card = next_card(&html);
    assert!(card.contains("thao-tac/record_review\""), "{card}");
    assert!(card.contains("thao-tac/submit_for_approval\""));

    // The review: an opinion is required, kept with what was typed.
    let r = act(
        &app,
        &s,
        &s_csrf,
        &code,
        "record_review",
        &[("draft_result", "Dự thảo")],
    )
    .await;
    let (location, html) = follow(&app, &s, r).await;
    assert!(location.ends_with("#thao-tac-record_review"), "{location}");
    assert!(html.contains("id=\"record_review-opinion-loi\""));
    assert!(html.contains(">Dự thảo</textarea>"));
    // With a working file.
    let (_, html) = page(&s, app.url(&format!("/ho-so/{code}"))).await;
    let version = hidden_in_form(&html, "record_review", "version");
    let form = Form::new()
        .text("_csrf", s_csrf.clone())
        .text("version", version)
        .text("opinion", "Hồ sơ đầy đủ, đủ điều kiện đăng ký khai sinh.")
        .text("draft_result", "Giấy khai sinh của cháu Lê Minh An")
        .part(
            "working_files",
            Part::bytes(b"%PDF-1.4 du thao".to_vec()).file_name("du-thao.pdf"),
        );
    let r = s
        .post(app.url(&format!("/ho-so/{code}/thao-tac/record_review")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        act(&app, &s, &s_csrf, &code, "submit_for_approval", &[])
            .await
            .status(),
        303
    );

    // The leader reads the review where they approve or send back.
    let l = app.browser();
    let l_csrf = app.signed_in(&l, "lanhdao").await;
    let (_, html) = page(&l, app.url(&format!("/ho-so/{code}"))).await;
    let card = next_card(&html);
    assert!(card.contains("thao-tac/approve\""));
    assert!(card.contains("thao-tac/send_back\""));
    assert!(card.contains("người nộp hồ sơ không nhìn thấy"), "{card}");
    assert!(html.contains("Hồ sơ đầy đủ, đủ điều kiện đăng ký khai sinh."));
    assert!(html.contains("Giấy khai sinh của cháu Lê Minh An"));
    assert!(html.contains(">du-thao.pdf</a>"));
    assert!(html.contains("Phạm Văn Đức — Chuyên viên xử lý"));
    // The working file downloads for the leader.
    let file_link = html
        .split("href=\"")
        .find(|p| p.starts_with(&format!("/ho-so/{code}/tep/")) && p.contains("\">du-thao.pdf"))
        .and_then(|p| p.split('"').next())
        .unwrap()
        .to_owned();
    let r = l.get(app.url(&file_link)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4 du thao");
    assert_eq!(
        act(
            &app,
            &l,
            &l_csrf,
            &code,
            "send_back",
            &[("reason", "Ghi rõ quê quán")]
        )
        .await
        .status(),
        303
    );
    // The history names people with their titles, never by username.
    let (_, html) = page(&l, app.url(&format!("/ho-so/{code}"))).await;
    let history = &html[html.find("id=\"lich-su\"").unwrap()..];
    assert!(history.contains("Nguyễn Thị Hồng Nhung — Cán bộ tiếp nhận (một cửa)"));
    assert!(history.contains("Người xử lý: Phạm Văn Đức (chuyên viên xử lý)"));
    assert!(history.contains("Đỗ Minh Tuấn — Lãnh đạo"));
    assert!(!history.contains("chuyenvien"), "{history}");
}

async fn rare_actions_ask_to_confirm_and_mark_ready_names_the_card(app: TestApp) {
    let (c, csrf) = counter(&app).await;
    let code = receive(&app, &c, &csrf).await;
    // Withdrawing without ticking the confirmation changes nothing.
    let r = act(
        &app,
        &c,
        &csrf,
        &code,
        "withdraw",
        &[("reason", "Công dân xin rút")],
    )
    .await;
    let (location, html) = follow(&app, &c, r).await;
    assert!(location.ends_with("#thao-tac-withdraw"), "{location}");
    assert!(html.contains("Đánh dấu ô xác nhận để «Rút hồ sơ theo yêu cầu»"));
    assert!(html.contains("id=\"thao-tac-hiem\" open"));
    assert!(html.contains("Công dân xin rút</textarea>"));
    assert!(html.contains("id=\"trang-thai-ho-so\">Đã tiếp nhận</span>"));
    // A token of someone else's (or an expired one) says nothing was done.
    let l = app.browser();
    let l_csrf = app.signed_in(&l, "lanhdao").await;
    let (status, html) = page(&l, app.url(&location)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Thao tác vừa rồi chưa được thực hiện"));
    assert!(!html.contains("Công dân xin rút"));

    // Approved, no result yet: attaching one is what comes next, and marking it
    // ready says which card to use. (A birth's approval gives its extract as the
    // result: a procedure without a register, received through the API.)
    let token = app.token("tiepnhan").await;
    let r = app
        .send_json(
            &app.client(),
            reqwest::Method::POST,
            "/api/v1/dossiers",
            &token,
            &serde_json::json!({
                "procedure": "2.000815",
                "channel": "counter",
                "applicant": {"full_name": NAME, "personal_id": "001087012345", "phone": PHONE},
                "return_method": "counter",
                "fee_paid": true
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let d: serde_json::Value = r.json().await.unwrap();
    let code = d["code"].as_str().unwrap().to_owned();
    let s = app.browser();
    let s_csrf = app.signed_in(&s, "chuyenvien").await;
    act(
        &app,
        &c,
        &csrf,
        &code,
        "assign",
        &[("assignee", "chuyenvien")],
    )
    .await;
    for verb in ["start", "submit_for_approval"] {
        assert_eq!(act(&app, &s, &s_csrf, &code, verb, &[]).await.status(), 303);
    }
    assert_eq!(
        act(&app, &l, &l_csrf, &code, "approve", &[]).await.status(),
        303
    );
    let (_, html) = page(&c, app.url(&format!("/ho-so/{code}"))).await;
    assert!(next_card(&html).contains("thao-tac/attach_result\""));
    let r = act(&app, &c, &csrf, &code, "mark_ready", &[]).await;
    let (_, html) = follow(&app, &c, r).await;
    assert!(
        html.contains("ghi tên kết quả (hoặc chọn tệp) ở thẻ «Đính kèm kết quả»"),
        "{html}"
    );
}

async fn a_missing_paper_and_an_impossible_date_are_caught_at_intake(app: TestApp) {
    let (c, csrf) = counter(&app).await;
    // A fresh form presumes nothing received.
    let (_, html) = page(&c, app.url(&format!("/ho-so/tiep-nhan?procedure={BIRTH}"))).await;
    if html.contains("id=\"doc-0\"") {
        assert!(
            !html.contains("value=\"1\" checked"),
            "nothing ticked in advance"
        );
    }
    let without =
        |fields: Vec<(&'static str, String)>, drop: &str| -> Vec<(&'static str, String)> {
            fields.into_iter().filter(|(k, _)| *k != drop).collect()
        };
    // The birth certificate not ticked: refused until the officer confirms.
    let fields = without(
        intake_fields(&csrf, "001087012345"),
        "documents[1].received",
    );
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(multipart(&fields))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Chưa đánh dấu đã nhận: «Giấy chứng sinh»."),
        "{html}"
    );
    assert!(html.contains("id=\"thieu-giay-to\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);
    // Acting for someone else, the authorisation is expected too.
    let mut proxy = fields.clone();
    proxy.push(("on_behalf_of.full_name", "Lê Văn Hùng".into()));
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(multipart(&proxy))
        .send()
        .await
        .unwrap();
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("«Giấy chứng sinh», «Văn bản ủy quyền»"));
    // An impossible birth date says why.
    let mut bad_date = fields.clone();
    bad_date.retain(|(k, _)| *k != "applicant.date_of_birth");
    bad_date.push(("applicant.date_of_birth", "31/02/2020".into()));
    bad_date.push(("missing_confirmed", "1".into()));
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(multipart(&bad_date))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Ngày 31 không có trong tháng 2/2020 (tháng này có 29 ngày)."),
        "{html}"
    );
    // Confirmed: received, and the dossier lists only what was received.
    let mut confirmed = fields;
    confirmed.push(("missing_confirmed", "1".into()));
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(multipart(&confirmed))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = page(&c, app.url(&location)).await;
    let papers = &html[html.find("id=\"giay-to-da-nhan\"").unwrap()..];
    let papers = &papers[..papers.find("</table>").unwrap()];
    assert!(papers.contains("Tờ khai đăng ký khai sinh"));
    assert!(!papers.contains("Giấy chứng sinh"));
}

/// The day of birth entered, the exemption the law grants is proposed and the fee
/// follows; what was ticked stays.
async fn the_fee_follows_the_day_of_birth(app: TestApp) {
    let (c, _) = counter(&app).await;
    let fragment = |day: &str, exemption: &str| {
        app.url(&format!(
            "/ho-so/tiep-nhan/giay-to?procedure={BIRTH}&documents_for={BIRTH}\
             &documents%5B0%5D.received=1&civil.date_of_birth={day}&exemption={exemption}"
        ))
    };
    let get = |url: String, trigger: &'static str| {
        let c = c.clone();
        async move {
            let r = c
                .get(url)
                .header("HX-Trigger-Name", trigger)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    // Fresh: the fee before any fact.
    let (_, html) = page(
        &c,
        app.url(&format!("/ho-so/tiep-nhan/giay-to?procedure={BIRTH}")),
    )
    .await;
    // The child's date of birth, typed once for the register, is the day that
    // proposes the exemption: no second field for it.
    let day_field = &html[html.find("id=\"civil-date_of_birth\"").expect("the field")..];
    assert!(
        day_field[..day_field.find('>').unwrap()].contains("hx-get=\"/ho-so/tiep-nhan/giay-to\""),
        "{html}"
    );
    assert!(!html.contains("id=\"event_date\""), "{html}");
    assert!(
        html.contains("Số tiền phải nộp (dự tính): <strong>8.000 đ</strong>"),
        "{html}"
    );
    // Born 15 days ago: exempt, proposed, nothing to pay; the ticked paper stays.
    let html = get(fragment("01%2F11%2F2026", ""), "civil.date_of_birth").await;
    assert!(
        html.contains("<option value=\"on_time_birth_registration\" selected>"),
        "{html}"
    );
    assert!(html.contains("Đề xuất miễn lệ phí: Đăng ký khai sinh đúng hạn"));
    assert!(html.contains("<strong>Không thu (0 đ)</strong>"));
    assert!(html.contains("id=\"doc-0\" name=\"documents[0].received\" value=\"1\" checked"));
    // Born in August: late, the proposal is withdrawn and the fee is due.
    let html = get(
        fragment("01%2F08%2F2026", "on_time_birth_registration"),
        "civil.date_of_birth",
    )
    .await;
    assert!(!html.contains("value=\"on_time_birth_registration\" selected"));
    assert!(html.contains("Quá thời hạn được miễn lệ phí theo luật"));
    assert!(html.contains("<strong>8.000 đ</strong>"));
    // The officer's own choice of exemption is kept; only the fee follows it.
    let html = get(fragment("01%2F08%2F2026", "poor_household"), "exemption").await;
    assert!(html.contains("<option value=\"poor_household\" selected>"));
    assert!(html.contains("<strong>Không thu (0 đ)</strong>"));
}
