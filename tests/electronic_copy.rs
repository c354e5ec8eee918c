//! Electronic certified copies (`POST /api/v1/certifications/electronic`): the
//! scan numbered in the book, rendered with its certification page, signed so
//! that poppler's `pdfsig` accepts it (and rejects a changed byte), stored, and
//! verifiable at `/xac-minh/{token}` until revoked; bad uploads refused in
//! Vietnamese with nothing written. Both engines.

use std::path::PathBuf;
use std::process::Command;

use jiff::Timestamp;
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    clock = "2026-11-16T09:00:00+07:00".parse::<Timestamp>().expect("instant");
    electronic_copy_is_signed_stored_and_verifiable,
    electronic_copy_of_an_image_is_pdf_a,
    bad_scans_are_refused_with_nothing_written,
    the_counter_page_uploads_a_scan_and_shows_the_signed_copy,
    electronic_and_counter_copies_in_parallel_share_one_gap_free_book,
    a_real_identity_from_the_settings_signs_the_copy,
    a_paper_certification_is_recorded_while_an_electronic_copy_is_signed,
    a_copy_that_keeps_losing_its_number_takes_it_before_signing,
    electronic_copies_of_two_servers_in_parallel_number_without_a_gap,
);

fn form(scan: Vec<u8>, file_name: &str, content_type: &str) -> Form {
    Form::new()
        .text("requester_name", "Nguyễn Văn An")
        .text("requester_id", "001087012345")
        .text("document_name", "Bằng tốt nghiệp trung học phổ thông")
        .text("copies", "1")
        .part(
            "scan",
            Part::bytes(scan)
                .file_name(file_name.to_owned())
                .mime_str(content_type)
                .expect("a MIME type"),
        )
}

async fn upload(app: &TestApp, token: &str, form: Form) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/certifications/electronic"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn download(app: &TestApp, token: &str, url: &str) -> Vec<u8> {
    let r = app
        .client()
        .get(app.url(url))
        .bearer_auth(token)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    r.bytes().await.expect("bytes").to_vec()
}

/// `pdfsig`'s report on `pdf` (poppler-utils is required: the issue's
/// acceptance is pdfsig's word).
fn pdfsig(pdf: &[u8]) -> String {
    let path: PathBuf = std::env::temp_dir().join(format!("motcua-pdfsig-{}.pdf", unique()));
    std::fs::write(&path, pdf).expect("write the PDF");
    let out = Command::new("pdfsig")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("pdfsig could not run ({e}): install poppler-utils"));
    let _ = std::fs::remove_file(&path);
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.client().get(app.url(path)).send().await.expect("page");
    (r.status().as_u16(), r.text().await.expect("html"))
}

async fn electronic_copy_is_signed_stored_and_verifiable(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let engine = motcua_docs::PdfEngine::new();
    let scan = motcua_docs::testing::sample_scan_pdf(&engine, 3).expect("scan");
    let r = upload(&app, &token, form(scan, "bang.pdf", "application/pdf")).await;
    assert_eq!(r.status(), 201);
    let copy = json(r).await;
    let c = &copy["certification"];
    assert_eq!(c["kind"], "electronic_copy");
    assert_eq!(c["number"], 1);
    assert_eq!(c["book"], "01/2026-SCT/BS");
    assert_eq!(c["pages"], 3);
    assert_eq!(c["fee"]["total"], 5_000, "3 pages: 2.000 + 2.000 + 1.000");
    assert_eq!(copy["signed_by"], "Đỗ Minh Tuấn");
    // A PDF scan too: its pages are converted so that the copy is PDF/A.
    assert_eq!(copy["pdf_a"], true);

    let pdf = download(&app, &token, copy["file_url"].as_str().expect("url")).await;
    assert_eq!(copy["sha256"], sha256_hex(&pdf));
    assert!(String::from_utf8_lossy(&pdf).contains("pdfaid:part"));
    assert_eq!(copy["size"], pdf.len());
    // The issued document records the signed file's hash.
    let stored = app
        .count(&format!(
            "SELECT COUNT(*) FROM issued_documents WHERE sha256 = '{}'",
            sha256_hex(&pdf)
        ))
        .await;
    assert_eq!(stored, 1);

    let report = pdfsig(&pdf);
    assert!(report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("Đỗ Minh Tuấn"), "{report}");
    if let Some(text) = motcua_docs::testing::pdf_text(&pdf).expect("pdftotext") {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        // Three pages of the scan (drawn as outlines), then the
        // certification page.
        assert_eq!(text.matches('\u{c}').count(), 4, "{text}");
        for needle in [
            "Số chứng thực: 1",
            "Quyển số: 01/2026-SCT/BS",
            "Đỗ Minh Tuấn",
        ] {
            assert!(flat.contains(needle), "{needle} in {flat}");
        }
    }

    // One byte of the signed range changed (the header's binary marker, in the
    // first range): the digest no longer matches.
    let mut tampered = pdf.clone();
    let at = tampered
        .iter()
        .position(|b| *b >= 0x80)
        .expect("the header's binary comment");
    tampered[at] ^= 0x01;
    let report = pdfsig(&tampered);
    assert!(!report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Digest Mismatch"), "{report}");

    // The verification page shows the copy, its number and hash.
    let url = c["verification_url"].as_str().expect("verification URL");
    let path = url
        .strip_prefix(&app.base)
        .expect("on this server")
        .to_owned();
    let (status, html) = page(&app, &path).await;
    assert_eq!(status, 200);
    assert!(html.contains("chưa bị thu hồi"), "{html}");
    assert!(html.contains(&sha256_hex(&pdf)), "{html}");
    assert!(html.contains("01/2026-SCT/BS"));
    assert!(html.contains("Chứng thực bản sao điện tử từ bản chính"));

    // Revoked: the page says so.
    let leader = app.token("lanhdao").await;
    let token_part = path.trim_start_matches("/xac-minh/");
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            &format!("/api/v1/issued/{token_part}/revoke"),
            &leader,
            &json!({"reason": "Bản chụp không đúng bản chính"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let (_, html) = page(&app, &path).await;
    assert!(html.contains("đã bị thu hồi"), "{html}");
    assert!(html.contains("Bản chụp không đúng bản chính"));

    // The next copy takes the next number of the same book.
    let scan = motcua_docs::testing::sample_scan_pdf(&engine, 1).expect("scan");
    let next = json(upload(&app, &token, form(scan, "b.pdf", "application/pdf")).await).await;
    assert_eq!(next["certification"]["number"], 2);
}

async fn electronic_copy_of_an_image_is_pdf_a(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let png = motcua_docs::testing::sample_png(400, 560);
    let r = upload(&app, &token, form(png, "scan.png", "image/png")).await;
    assert_eq!(r.status(), 201);
    let copy = json(r).await;
    assert_eq!(copy["pdf_a"], true);
    let pdf = download(&app, &token, copy["file_url"].as_str().expect("url")).await;
    let raw = String::from_utf8_lossy(&pdf);
    // The XMP metadata declares PDF/A-2b, and signing (an incremental update)
    // kept it.
    assert!(
        raw.contains("<pdfaid:part>2</pdfaid:part>") || raw.contains("pdfaid:part=\"2\""),
        "PDF/A part in the XMP metadata"
    );
    assert!(
        raw.contains("<pdfaid:conformance>B</pdfaid:conformance>")
            || raw.contains("pdfaid:conformance=\"B\""),
        "PDF/A conformance in the XMP metadata"
    );
    let report = pdfsig(&pdf);
    assert!(report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
}

fn scan_error(problem: &Value) -> String {
    problem["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == "scan"))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn bad_scans_are_refused_with_nothing_written(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let refused = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 400);
        assert_eq!(
            r.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        scan_error(&r.json::<Value>().await.expect("problem"))
    };
    let gif = b"GIF89a\x01\x00\x01\x00".to_vec();
    let msg = refused(upload(&app, &token, form(gif, "a.gif", "image/gif")).await).await;
    assert_eq!(msg, "Tệp bản chụp phải là PDF, JPEG hoặc PNG.");
    // A PNG declared as a PDF.
    let png = motcua_docs::testing::sample_png(4, 4);
    let msg = refused(upload(&app, &token, form(png, "a.pdf", "application/pdf")).await).await;
    assert_eq!(msg, "Tệp bản chụp phải là PDF, JPEG hoặc PNG.");
    let msg =
        refused(upload(&app, &token, form(Vec::new(), "a.pdf", "application/pdf")).await).await;
    assert_eq!(msg, "Tệp bản chụp trống hoặc không có trang nào.");
    // A PDF without a page.
    let empty = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nxref\n0 3\n0000000000 65535 f\r\n0000000009 00000 n\r\n0000000058 00000 n\r\ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n109\n%%EOF\n".to_vec();
    let msg = refused(upload(&app, &token, form(empty, "a.pdf", "application/pdf")).await).await;
    assert!(
        msg == "Tệp bản chụp trống hoặc không có trang nào."
            || msg == "Không đọc được tệp PDF của bản chụp.",
        "{msg}"
    );
    // Over the size limit.
    let mut huge = b"%PDF-1.7\n".to_vec();
    huge.resize(motcua_domain::limits::SCAN_BYTES + 1, b' ');
    let msg = refused(upload(&app, &token, form(huge, "a.pdf", "application/pdf")).await).await;
    assert_eq!(msg, "Tệp bản chụp vượt quá 50 MB.");
    // No scan at all, and not a multipart body.
    let no_scan = Form::new().text("requester_name", "Nguyễn Văn An");
    let msg = refused(upload(&app, &token, no_scan).await).await;
    assert!(msg.contains("Chọn tệp bản chụp"), "{msg}");
    let r = app
        .send_json(
            &app.client(),
            Method::POST,
            "/api/v1/certifications/electronic",
            &token,
            &json!({"scan": "x"}),
        )
        .await;
    assert!(refused(r).await.contains("multipart/form-data"));
    // Good scan, bad metadata: every error at once, no number taken.
    let engine = motcua_docs::PdfEngine::new();
    let scan = motcua_docs::testing::sample_scan_pdf(&engine, 1).expect("scan");
    let bad = Form::new()
        .text("requester_name", "")
        .text("requester_id", "123")
        .text("document_name", "Giấy khai sinh")
        .part(
            "scan",
            Part::bytes(scan.clone())
                .file_name("a.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let r = upload(&app, &token, bad).await;
    assert_eq!(r.status(), 400);
    let fields: Vec<String> = json(r).await["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(fields.contains(&"requester_name".to_owned()), "{fields:?}");
    assert!(fields.contains(&"requester_id".to_owned()), "{fields:?}");

    assert_eq!(
        app.count("SELECT COUNT(*) FROM certification_entries")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM issued_documents").await, 0);
    // Nothing numbered: the first good copy is number 1.
    let ok = json(upload(&app, &token, form(scan, "a.pdf", "application/pdf")).await).await;
    assert_eq!(ok["certification"]["number"], 1);
}

async fn the_counter_page_uploads_a_scan_and_shows_the_signed_copy(app: TestApp) {
    let browser = app.browser();
    let csrf = app.signed_in(&browser, "tiepnhan").await;
    let html = browser
        .get(app.url("/chung-thuc"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("href=\"/chung-thuc/ban-sao-dien-tu\""));
    let r = browser
        .get(app.url("/chung-thuc/ban-sao-dien-tu"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .expect("html")
        .contains("enctype=\"multipart/form-data\""));

    // A GIF: refused on the page, in Vietnamese, the typed values kept.
    let gif = form(b"GIF89a\x01\x00".to_vec(), "a.gif", "image/gif")
        .text("_csrf", csrf.clone())
        .text("_idem", unique());
    let r = browser
        .post(app.url("/chung-thuc/ban-sao-dien-tu"))
        .multipart(gif)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Tệp bản chụp phải là PDF, JPEG hoặc PNG."),
        "{html}"
    );
    assert!(html.contains("value=\"Nguyễn Văn An\""));

    let png = motcua_docs::testing::sample_png(300, 400);
    let good = form(png, "scan.png", "image/png")
        .text("_csrf", csrf.clone())
        .text("_idem", unique());
    let r = browser
        .post(app.url("/chung-thuc/ban-sao-dien-tu"))
        .multipart(good)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("Đã chứng thực và ký số: số 1, quyển số 01/2026-SCT/BS"),
        "{html}"
    );
    let link = {
        let marker = "id=\"tai-ban-sao\" href=\"";
        let i = html.find(marker).expect("the copy's link") + marker.len();
        html[i..].split('"').next().unwrap_or_default().to_owned()
    };
    let pdf = browser.get(app.url(&link)).send().await.expect("pdf");
    assert_eq!(pdf.status(), 200);
    let pdf = pdf.bytes().await.expect("bytes");
    let report = pdfsig(&pdf);
    assert!(report.contains("Signature is Valid."), "{report}");
}

/// The electronic copy writes through the counter's record path: copies of
/// both kinds sent at once share the book (SCT/BS) and number 1..n without a
/// gap or a repeat; a refused scan in between takes no number.
async fn electronic_and_counter_copies_in_parallel_share_one_gap_free_book(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (client, token) = (app.client(), token.clone());
        let base = app.base.clone();
        tasks.push(tokio::spawn(async move {
            let r = if i % 2 == 0 {
                let scan = motcua_docs::testing::sample_png(120, 160);
                client
                    .post(format!("{base}/api/v1/certifications/electronic"))
                    .bearer_auth(&token)
                    .multipart(form(scan, "bang.png", "image/png"))
                    .send()
                    .await
            } else if i == 3 {
                // Refused: takes no number.
                client
                    .post(format!("{base}/api/v1/certifications/electronic"))
                    .bearer_auth(&token)
                    .multipart(form(b"GIF89a".to_vec(), "bang.gif", "image/gif"))
                    .send()
                    .await
            } else {
                client
                    .post(format!("{base}/api/v1/certifications"))
                    .bearer_auth(&token)
                    .json(&json!({
                        "kind": "copy",
                        "requester_name": "Nguyễn Văn An",
                        "requester_id": "001087012345",
                        "document_name": "Giấy khai sinh",
                        "pages": 1,
                        "copies": 1,
                    }))
                    .send()
                    .await
            };
            let r = r.expect("request");
            (
                i,
                r.status().as_u16(),
                r.json::<Value>().await.expect("json"),
            )
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        let (i, status, body) = t.await.expect("task");
        if i == 3 {
            assert_eq!(status, 400, "{body}");
            continue;
        }
        assert!(status == 200 || status == 201, "{i}: {status} {body}");
        let c = if i % 2 == 0 {
            &body["certification"]
        } else {
            &body
        };
        assert_eq!(c["book"], "01/2026-SCT/BS", "{body}");
        numbers.push(c["number"].as_i64().expect("a number"));
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=7).collect::<Vec<i64>>());
    // The book and the verification documents agree with the answers.
    assert_eq!(
        app.count(
            "SELECT COUNT(DISTINCT number) FROM certification_entries WHERE number IS NOT NULL"
        )
        .await,
        7
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM issued_documents WHERE number BETWEEN 1 AND 7")
            .await,
        7
    );
}

/// The token set up once per test process: SoftHSM reads its configuration
/// when the module is first initialised, and both engines' runs share it.
fn softhsm_token() -> &'static (std::path::PathBuf, Vec<Vec<u8>>) {
    static TOKEN: std::sync::OnceLock<(std::path::PathBuf, Vec<Vec<u8>>)> =
        std::sync::OnceLock::new();
    TOKEN.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("motcua-test-softhsm-{}", std::process::id()));
        let ca = motcua_sign::DemoCa::open_or_create(&dir.join("ca"), "CA thử nghiệm")
            .expect("a CA standing in for a real one");
        let (key, chain) = ca
            .issue("Lê Văn Token", "Chủ tịch UBND xã")
            .expect("an identity");
        motcua_sign::softhsm::token_with(&dir, "motcua-app-test", "246810", &key, &chain)
            .expect("a SoftHSM2 token (apt-get install -y softhsm2)");
        (dir, chain)
    })
}

/// `Settings::signer` names a real CA's identity: the copy is signed by it
/// (its certificate in the signature, pdfsig valid over the whole document),
/// not by the leader's demo identity; first from a PKCS#12 file, then from a
/// PKCS#11 token.
async fn a_real_identity_from_the_settings_signs_the_copy(app: TestApp) {
    use motcua_app::signing::SignerConfig;
    let token = app.token("tiepnhan").await;
    let actor = app
        .app
        .token_actor(&token, None)
        .await
        .expect("actor")
        .expect("known token");
    let dir = std::env::temp_dir().join(format!("motcua-test-real-signer-{}", unique()));
    let ca = motcua_sign::DemoCa::open_or_create(&dir.join("ca"), "CA thật (thử)")
        .expect("a CA standing in for a real one");
    let p12 = dir.join("chu-tich.p12");
    std::fs::write(
        &p12,
        ca.issue_pkcs12("Trần Thị Mười Hai", "Chủ tịch UBND xã", "mật khẩu")
            .expect("PKCS#12"),
    )
    .expect("write the PKCS#12 file");
    let module = std::path::PathBuf::from(motcua_sign::softhsm::MODULE);
    softhsm_token();
    let configs = [
        (
            SignerConfig::Pkcs12 {
                path: p12.clone(),
                password: "mật khẩu".into(),
            },
            "Trần Thị Mười Hai",
        ),
        (
            SignerConfig::Pkcs11 {
                module,
                token_label: Some("motcua-app-test".into()),
                slot: None,
                pin: "246810".into(),
                key_label: Some("signer".into()),
            },
            "Lê Văn Token",
        ),
    ];
    let scan = motcua_docs::testing::sample_png(120, 160);
    for (n, (signer, common_name)) in configs.into_iter().enumerate() {
        let configured = motcua_app::App::with_clock(
            app.db.clone(),
            motcua_app::Settings {
                public_url: app.base.clone(),
                blob_dir: dir.join("blobs"),
                remind_after_days: 3,
                signing_dir: dir.join("signing"),
                signer,
            },
            app.clock().clock(),
        );
        tokio::task::spawn_blocking({
            let configured = configured.clone();
            move || configured.open_configured_signer()
        })
        .await
        .expect("task")
        .expect("the configured identity opens");
        let copy = configured
            .certifications()
            .record_electronic(
                &actor,
                &motcua_app::certifications::ElectronicInput {
                    requester_name: "Nguyễn Văn An".into(),
                    requester_id: "001087012345".into(),
                    document_name: "Giấy khai sinh".into(),
                    ..Default::default()
                },
                &motcua_app::dossiers::Upload {
                    name: "giay.png".into(),
                    content_type: Some("image/png".into()),
                    bytes: scan.clone(),
                },
                None,
            )
            .await
            .expect("a signed copy");
        assert_eq!(copy.certification.number, Some(n as i64 + 1));
        let (_, pdf) = configured
            .certifications()
            .copy_pdf(&actor, &copy.certification.id)
            .await
            .expect("the stored copy");
        let report = pdfsig(&pdf);
        assert!(report.contains("Signature is Valid."), "{report}");
        assert!(report.contains("Total document signed"), "{report}");
        assert!(
            report.contains(&format!("Signer Certificate Common Name: {common_name}")),
            "{report}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A signer that holds its first `holds` signatures until the test releases
/// each one: a USB token waiting for its owner, as long as the test likes.
struct HeldSigner {
    inner: motcua_sign::Pkcs12Signer,
    holds: std::sync::Mutex<usize>,
    entered: std::sync::Mutex<std::sync::mpsc::Sender<()>>,
    release: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
}

impl motcua_sign::Signer for HeldSigner {
    fn certificate_chain(&self) -> &[Vec<u8>] {
        self.inner.certificate_chain()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, motcua_sign::SignError> {
        let hold = {
            let mut holds = self.holds.lock().expect("holds");
            let hold = *holds > 0;
            *holds = holds.saturating_sub(1);
            hold
        };
        if hold {
            let _ = self.entered.lock().expect("entered").send(());
            // A deadlock guard, not a timing: the test releases every hold.
            let _ = self
                .release
                .lock()
                .expect("release")
                .recv_timeout(std::time::Duration::from_secs(120));
        }
        self.inner.sign(message)
    }
}

/// An app on the test's database and clock whose signatures the test holds:
/// (the app, "a signature is being held", "release one").
fn app_with_held_signer(
    app: &TestApp,
    holds: usize,
    dir: &std::path::Path,
) -> (
    motcua_app::App,
    std::sync::mpsc::Receiver<()>,
    std::sync::mpsc::Sender<()>,
) {
    let ca = motcua_sign::DemoCa::open_or_create(&dir.join("ca"), "CA thử nghiệm").expect("a CA");
    let (key, chain) = ca
        .issue("Đỗ Minh Tuấn", "Chủ tịch UBND xã")
        .expect("an identity");
    let (entered_tx, entered) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel();
    let signer = HeldSigner {
        inner: motcua_sign::Pkcs12Signer::from_key(key, chain),
        holds: std::sync::Mutex::new(holds),
        entered: std::sync::Mutex::new(entered_tx),
        release: std::sync::Mutex::new(release_rx),
    };
    let held = motcua_app::App::with_clock(
        app.db.clone(),
        motcua_app::Settings {
            public_url: app.base.clone(),
            blob_dir: dir.join("blobs"),
            remind_after_days: 3,
            signing_dir: dir.join("signing"),
            signer: motcua_app::signing::SignerConfig::Given(std::sync::Arc::new(signer)),
        },
        app.clock().clock(),
    );
    (held, entered, release)
}

/// Waits (bounded, as a deadlock guard) until a signature is being held.
async fn signing_held(entered: &std::sync::Arc<std::sync::Mutex<std::sync::mpsc::Receiver<()>>>) {
    let entered = entered.clone();
    tokio::task::spawn_blocking(move || {
        entered
            .lock()
            .expect("entered")
            .recv_timeout(std::time::Duration::from_secs(120))
    })
    .await
    .expect("task")
    .expect("the electronic copy reaches its signature");
}

fn electronic_input() -> motcua_app::certifications::ElectronicInput {
    motcua_app::certifications::ElectronicInput {
        requester_name: "Nguyễn Văn An".into(),
        requester_id: "001087012345".into(),
        document_name: "Giấy khai sinh".into(),
        ..Default::default()
    }
}

fn png_upload() -> motcua_app::dossiers::Upload {
    motcua_app::dossiers::Upload {
        name: "giay.png".into(),
        content_type: Some("image/png".into()),
        bytes: motcua_docs::testing::sample_png(120, 160),
    }
}

/// A paper copy's certification at the counter, bounded by a deadlock guard
/// (a generous one: the point is that it does not wait for the signature).
async fn paper_copy(app: &TestApp, token: &str) -> Value {
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(25),
        app.send_json(
            &app.client(),
            Method::POST,
            "/api/v1/certifications",
            token,
            &json!({
                "kind": "copy",
                "requester_name": "Trần Thị Bình",
                "requester_id": "001087012345",
                "document_name": "Giấy khai sinh",
                "pages": 1,
                "copies": 1,
            }),
        ),
    )
    .await
    .expect("a paper certification does not wait for an electronic copy's signature");
    let status = r.status().as_u16();
    let body = json(r).await;
    assert!(status == 200 || status == 201, "{status} {body}");
    body
}

/// The number the signed copy prints on its certification page.
fn printed_number(pdf: &[u8]) -> Option<i64> {
    let text = motcua_docs::testing::pdf_text(pdf).expect("pdftotext")?;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let rest = &flat[flat.find("Số chứng thực: ")? + "Số chứng thực: ".len()..];
    rest.split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
}

/// While an electronic copy of the book waits for its signature, a paper
/// copy of the same book (and agency) is recorded: the book is not held by
/// the copy being signed. The copy, which had been rendered for number 1,
/// is made again for number 2 and prints it; the book stays gap-free, and a
/// repeat of the request answers the same copy.
async fn a_paper_certification_is_recorded_while_an_electronic_copy_is_signed(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let actor = app
        .app
        .token_actor(&token, None)
        .await
        .expect("actor")
        .expect("known token");
    let dir = std::env::temp_dir().join(format!("motcua-test-held-{}", unique()));
    let (held, entered, release) = app_with_held_signer(&app, 1, &dir);
    let entered = std::sync::Arc::new(std::sync::Mutex::new(entered));
    let copy = tokio::spawn({
        let (held, actor) = (held.clone(), actor.clone());
        async move {
            held.certifications()
                .record_electronic(&actor, &electronic_input(), &png_upload(), Some("copy-1"))
                .await
        }
    });
    signing_held(&entered).await;

    let paper = paper_copy(&app, &token).await;
    assert_eq!(paper["number"], 1, "{paper}");
    assert_eq!(paper["book"], "01/2026-SCT/BS", "{paper}");

    release.send(()).expect("release the signature");
    let copy = tokio::time::timeout(std::time::Duration::from_secs(120), copy)
        .await
        .expect("the electronic copy ends")
        .expect("task")
        .expect("a signed copy");
    assert_eq!(copy.certification.number, Some(2));
    assert_eq!(copy.certification.book.as_deref(), Some("01/2026-SCT/BS"));
    let (_, pdf) = held
        .certifications()
        .copy_pdf(&actor, &copy.certification.id)
        .await
        .expect("the stored copy");
    assert_eq!(copy.sha256, sha256_hex(&pdf));
    let report = pdfsig(&pdf);
    assert!(report.contains("Signature is Valid."), "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    if motcua_docs::testing::pdf_text(&pdf)
        .expect("pdftotext")
        .is_some()
    {
        assert_eq!(printed_number(&pdf), Some(2));
    }

    // A repeat of the request: the same copy, nothing written again.
    let again = held
        .certifications()
        .record_electronic(&actor, &electronic_input(), &png_upload(), Some("copy-1"))
        .await
        .expect("the first answer");
    assert_eq!(again.certification.id, copy.certification.id);
    assert_eq!(again.sha256, copy.sha256);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certification_entries WHERE number IS NOT NULL")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT number) FROM issued_documents WHERE number IN (1, 2)")
            .await,
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An electronic copy whose number is taken by a paper certification every
/// time it is signed gives up guessing after
/// `OPTIMISTIC_ATTEMPTS` tries: it takes the next number first and is
/// signed for it, so it ends; the book is 1..n without a gap.
async fn a_copy_that_keeps_losing_its_number_takes_it_before_signing(app: TestApp) {
    use motcua_app::certifications::OPTIMISTIC_ATTEMPTS;
    let token = app.token("tiepnhan").await;
    let actor = app
        .app
        .token_actor(&token, None)
        .await
        .expect("actor")
        .expect("known token");
    let dir = std::env::temp_dir().join(format!("motcua-test-held-{}", unique()));
    let (held, entered, release) = app_with_held_signer(&app, OPTIMISTIC_ATTEMPTS, &dir);
    let entered = std::sync::Arc::new(std::sync::Mutex::new(entered));
    let copy = tokio::spawn({
        let (held, actor) = (held.clone(), actor.clone());
        async move {
            held.certifications()
                .record_electronic(&actor, &electronic_input(), &png_upload(), None)
                .await
        }
    });
    for n in 1..=OPTIMISTIC_ATTEMPTS {
        signing_held(&entered).await;
        let paper = paper_copy(&app, &token).await;
        assert_eq!(paper["number"], n as i64, "{paper}");
        release.send(()).expect("release the signature");
    }
    let copy = tokio::time::timeout(std::time::Duration::from_secs(120), copy)
        .await
        .expect("the electronic copy ends")
        .expect("task")
        .expect("a signed copy");
    let last = OPTIMISTIC_ATTEMPTS as i64 + 1;
    assert_eq!(copy.certification.number, Some(last));
    let (_, pdf) = held
        .certifications()
        .copy_pdf(&actor, &copy.certification.id)
        .await
        .expect("the stored copy");
    assert!(pdfsig(&pdf).contains("Signature is Valid."));
    if motcua_docs::testing::pdf_text(&pdf)
        .expect("pdftotext")
        .is_some()
    {
        assert_eq!(printed_number(&pdf), Some(last));
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(DISTINCT number) FROM certification_entries WHERE number IS NOT NULL"
        )
        .await,
        last
    );
    assert_eq!(
        app.count("SELECT MAX(number) FROM certification_entries")
            .await,
        last
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two servers on one database (a province runs several): electronic copies
/// sent to both at once race for the book's numbers, which only the database
/// arbitrates. They number 1..n without a gap or a repeat, and each signed
/// file prints the number its entry has.
async fn electronic_copies_of_two_servers_in_parallel_number_without_a_gap(app: TestApp) {
    let token = app.token("tiepnhan").await;
    let actor = app
        .app
        .token_actor(&token, None)
        .await
        .expect("actor")
        .expect("known token");
    let dir = std::env::temp_dir().join(format!("motcua-test-second-{}", unique()));
    let second = motcua_app::App::with_clock(
        app.db.clone(),
        motcua_app::Settings {
            public_url: app.base.clone(),
            blob_dir: dir.join("blobs"),
            remind_after_days: 3,
            signing_dir: dir.join("signing"),
            signer: motcua_app::signing::SignerConfig::DemoCa,
        },
        app.clock().clock(),
    );
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (server, actor) = (
            if i % 2 == 0 {
                app.app.clone()
            } else {
                second.clone()
            },
            actor.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let copy = server
                .certifications()
                .record_electronic(&actor, &electronic_input(), &png_upload(), None)
                .await
                .expect("a signed copy");
            let (_, pdf) = server
                .certifications()
                .copy_pdf(&actor, &copy.certification.id)
                .await
                .expect("the stored copy");
            (copy.certification.number, pdf)
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        let (number, pdf) = tokio::time::timeout(std::time::Duration::from_secs(300), t)
            .await
            .expect("the copies end")
            .expect("task");
        let number = number.expect("a number");
        if motcua_docs::testing::pdf_text(&pdf)
            .expect("pdftotext")
            .is_some()
        {
            assert_eq!(printed_number(&pdf), Some(number));
        }
        numbers.push(number);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=6).collect::<Vec<i64>>());
    assert_eq!(
        app.count(
            "SELECT COUNT(DISTINCT number) FROM issued_documents WHERE number BETWEEN 1 AND 6"
        )
        .await,
        6
    );
    let _ = std::fs::remove_dir_all(&dir);
}
