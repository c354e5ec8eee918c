//! The counter intake form's robustness (issue 10): every text field bounded in
//! the page as the server bounds it, over-long fields named in Vietnamese, and
//! every mistake of the form reported in one answer. Both engines.

use reqwest::multipart::Form;

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    every_intake_text_field_has_the_servers_maximum,
    the_intake_form_reports_every_mistake_at_once,
    files_survive_a_refused_intake,
);

on_both_engines!(
    clock = "2026-11-16T01:00:00Z".parse::<jiff::Timestamp>().expect("instant");
    kept_files_are_swept_after_a_while,
);

const BIRTH: &str = "1.001193";

async fn counter(app: &TestApp) -> (reqwest::Client, String) {
    let c = app.browser();
    app.signed_in(&c, "tiepnhan").await;
    let html = c
        .get(app.url(&format!("/ho-so/tiep-nhan?thu-tuc={BIRTH}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    (c, hidden_csrf(&html))
}

/// The `maxlength` of the input or textarea named `name`, if any.
fn maxlength(html: &str, name: &str) -> Option<usize> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.split("maxlength=\"").nth(1)?.split('"').next()?;
    v.parse().ok()
}

async fn every_intake_text_field_has_the_servers_maximum(app: TestApp) {
    use motcua_domain::limits::*;
    let (c, _) = counter(&app).await;
    let html = c
        .get(app.url(&format!("/ho-so/tiep-nhan?thu-tuc={BIRTH}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    for (name, max) in [
        ("applicant.full_name", NAME_CHARS),
        ("applicant.personal_id", SHORT_CHARS),
        ("applicant.date_of_birth", SHORT_CHARS),
        ("applicant.phone", SHORT_CHARS),
        ("applicant.email", EMAIL_CHARS),
        ("applicant.address", ADDRESS_CHARS),
        ("on_behalf_of.full_name", NAME_CHARS),
        ("on_behalf_of.address", ADDRESS_CHARS),
        ("fee_receipt_no", SHORT_CHARS),
        ("note", FREE_TEXT_CHARS),
        ("post_address", ADDRESS_CHARS),
    ] {
        assert_eq!(maxlength(&html, name), Some(max), "{name}");
    }
    // No text input or textarea of the form is left unbounded.
    let form = html
        .split("action=\"/ho-so/tiep-nhan\"")
        .nth(1)
        .and_then(|f| f.split("</form>").next())
        .expect("the form");
    for tag in form.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        let text_input = tag.starts_with("input")
            && !["hidden", "checkbox", "number", "file", "radio", "submit"]
                .iter()
                .any(|t| tag.contains(&format!("type=\"{t}\"")));
        if text_input || tag.starts_with("textarea") {
            assert!(tag.contains("maxlength=\""), "unbounded: <{tag}>");
        }
    }
}

async fn the_intake_form_reports_every_mistake_at_once(app: TestApp) {
    let (c, csrf) = counter(&app).await;
    let long_note = "x".repeat(motcua_domain::limits::FREE_TEXT_CHARS + 1);
    let long_address = "đ".repeat(motcua_domain::limits::ADDRESS_CHARS + 1);
    // Four mistakes: a form-level one (a required paper not ticked, a count that
    // is no number) and the use case's (an over-long note and address, a bad ID).
    let fields: Vec<(&str, String)> = vec![
        ("_csrf", csrf),
        ("procedure", BIRTH.into()),
        ("channel", "counter".into()),
        ("sets", "1".into()),
        ("applicant.full_name", "Lê Văn Đủ".into()),
        ("applicant.personal_id", "12345".into()),
        ("applicant.address", long_address.clone()),
        ("documents_for", BIRTH.into()),
        ("pages", "mười".into()),
        ("return_method", "counter".into()),
        ("note", long_note),
    ];
    let mut form = Form::new();
    for (k, v) in &fields {
        form = form.text(*k, v.clone());
    }
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    for message in [
        "Chưa đánh dấu đã nhận",
        "Ghi chú dài quá 2000 ký tự.",
        "Địa chỉ dài quá 300 ký tự.",
    ] {
        assert!(html.contains(message), "{message} in {html}");
    }
    assert!(html.contains("Số trang là số nguyên dương."), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);

    // Over-long fields alone still get the procedure's checks in the same answer.
    let (c, csrf) = counter(&app).await;
    let mut form = Form::new();
    for (k, v) in [
        ("_csrf", csrf),
        ("procedure", BIRTH.to_owned()),
        ("applicant.full_name", "Lê Văn Đủ".to_owned()),
        ("applicant.personal_id", "12345".to_owned()),
        ("applicant.address", long_address),
        ("return_method", "by_pigeon".to_owned()),
    ] {
        form = form.text(k, v);
    }
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    assert!(html.contains("Địa chỉ dài quá 300 ký tự."), "{html}");
    assert!(html.contains("Chọn cách nhận kết quả"), "{html}");
    assert!(html.contains("12 chữ số"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM dossiers").await, 0);
}

/// Files sent with a refused intake stay on the server for the retry: the page
/// lists them, the corrected form brings them back by token, and the dossier has
/// them without a second upload; another officer cannot redeem the token.
async fn files_survive_a_refused_intake(app: TestApp) {
    use reqwest::multipart::Part;
    let (c, csrf) = counter(&app).await;
    let scan = b"%PDF-1.4 scanned birth certificate".to_vec();
    let mut form = Form::new();
    for (k, v) in [
        ("_csrf", csrf.clone()),
        ("procedure", BIRTH.to_owned()),
        ("applicant.full_name", "Lê Văn Tệp".to_owned()),
        ("applicant.personal_id", "123".to_owned()),
        ("return_method", "counter".to_owned()),
    ] {
        form = form.text(k, v);
    }
    form = form.part(
        "files",
        Part::bytes(scan.clone())
            .file_name("giay-chung-sinh.pdf")
            .mime_str("application/pdf")
            .expect("mime"),
    );
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    assert!(html.contains("giay-chung-sinh.pdf"), "{html}");
    let token = html
        .split("name=\"pending_files\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a kept file")
        .to_owned();
    // Another officer's form cannot take it.
    let other = app
        .app
        .pending_uploads("someone-else", std::slice::from_ref(&token));
    assert!(other.expect("read").is_empty());

    let mut form = Form::new();
    for (k, v) in [
        ("_csrf", csrf),
        ("procedure", BIRTH.to_owned()),
        ("channel", "counter".to_owned()),
        ("applicant.full_name", "Lê Văn Tệp".to_owned()),
        ("applicant.personal_id", "001087012345".to_owned()),
        ("return_method", "counter".to_owned()),
        ("missing_confirmed", "1".to_owned()),
        ("documents_for", BIRTH.to_owned()),
        ("pending_files", token.clone()),
    ] {
        form = form.text(k, v);
    }
    let r = c
        .post(app.url("/ho-so/tiep-nhan"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM dossier_files WHERE name = 'giay-chung-sinh.pdf' AND kind = 'document'")
            .await,
        1
    );
    // Redeemed: the kept copy is gone.
    let pending = app.app.settings().blob_dir.join(".pending");
    let left = std::fs::read_dir(&pending).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0);
}

/// A kept file nobody came back for is deleted after `PENDING_HOURS`.
async fn kept_files_are_swept_after_a_while(app: TestApp) {
    let upload = motcua_app::dossiers::Upload {
        name: "a.pdf".into(),
        content_type: None,
        bytes: b"%PDF".to_vec(),
    };
    let kept = app.app.stash_uploads("u1", &[upload]).expect("stash");
    assert_eq!(app.app.sweep_pending().expect("sweep"), 0);
    app.clock().advance(jiff::SignedDuration::from_hours(
        motcua_app::pending::PENDING_HOURS + 1,
    ));
    assert!(app
        .app
        .pending_uploads("u1", &[kept[0].token.clone()])
        .expect("read")
        .is_empty());
    assert_eq!(app.app.sweep_pending().expect("sweep"), 1);
}
