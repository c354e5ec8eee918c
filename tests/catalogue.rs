//! The procedure catalogue: public pages, search without diacritics, API, versions.

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    search_finds_procedures_with_or_without_diacritics,
    procedure_page_has_everything_to_prepare_and_a_qr,
    procedure_pages_speak_plainly_and_the_closest_name_comes_first,
    catalogue_api_and_versions,
    an_older_install_gets_the_seed_civil_rules_an_administrator_did_not_change,
);

const MARRIAGE: &str = "Đăng ký kết hôn";

async fn search_finds_procedures_with_or_without_diacritics(app: TestApp) {
    let c = app.client();
    for q in [
        "dang ky ket hon",
        MARRIAGE,
        "ĐĂNG KÝ KẾT HÔN",
        "D\u{0306}a\u{0306}ng ky\u{0301} ke\u{0302}\u{0301}t ho\u{0302}n",
        "  kết   hôn  ",
    ] {
        let html = c
            .get(app.url("/thu-tuc"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(&format!(">{MARRIAGE}</a>")), "{q:?}");
        let api = json(
            c.get(app.url("/api/v1/procedures"))
                .query(&[("q", q)])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            api["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == MARRIAGE),
            "{q:?}"
        );
    }
    // Filtering by sector.
    let html = c
        .get(app.url("/thu-tuc"))
        .query(&[("linh-vuc", "chung-thuc")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Chứng thực bản sao từ bản chính") || html.contains("bản sao"),
        "certification listed"
    );
    assert!(!html.contains(&format!(">{MARRIAGE}</a>")));
    let html = c
        .get(app.url("/thu-tuc"))
        .query(&[("q", "xyzzy khong co")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Không tìm thấy thủ tục nào"));
    // All of the seed catalogue is there: civil status, certification and other sectors.
    let all = json(c.get(app.url("/api/v1/procedures")).send().await.unwrap()).await;
    let items = all["items"].as_array().unwrap();
    assert!(items.len() >= 30, "{}", items.len());
    let sectors: std::collections::HashSet<&str> = items
        .iter()
        .map(|p| p["sector"].as_str().unwrap())
        .collect();
    assert!(sectors.len() >= 5, "{sectors:?}");
    // A ward performs the commune-level procedures.
    let ward = json(
        c.get(app.url("/api/v1/procedures"))
            .query(&[("agency", WARD_A)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!ward["items"].as_array().unwrap().is_empty());
}

/// Search ranks the closest name first; the page says who does each step and in
/// about how long, the fees in sentences, and no note meant for administrators.
async fn procedure_pages_speak_plainly_and_the_closest_name_comes_first(app: TestApp) {
    let c = app.client();
    let names = |html: &str| -> Vec<String> {
        html.split("<td><a href=\"/thu-tuc/")
            .skip(1)
            .filter_map(|s| s.split_once("\">")?.1.split("</a>").next())
            .map(str::to_owned)
            .collect()
    };
    for q in ["khai sinh", "Khai Sinh"] {
        let html = c
            .get(app.url("/thu-tuc"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let found = names(&html);
        assert_eq!(
            found.first().map(String::as_str),
            Some("Đăng ký khai sinh"),
            "{found:?}"
        );
        let copy = found
            .iter()
            .position(|n| n.starts_with("Cấp bản sao Trích lục"))
            .expect("the extract copy is found too");
        assert!(copy > 0);
        let api = json(
            c.get(app.url("/api/v1/procedures"))
                .query(&[("q", q)])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(api["items"][0]["name"], "Đăng ký khai sinh", "{api}");
    }
    let html = c
        .get(app.url("/thu-tuc/1.001193"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Miễn lệ phí nếu đăng ký trong 60 ngày kể từ ngày sinh; quá hạn: 8.000 đ."),
        "{html}"
    );
    assert!(
        html.contains("<strong>Bộ phận một cửa</strong>: Tiếp nhận, kiểm tra hồ sơ"),
        "{html}"
    );
    assert!(html.contains("giờ làm việc)"), "{html}");
    for internal in ["Mức thu mẫu", "mức thu mẫu", "quản trị viên", "10%", "60%"] {
        assert!(!html.contains(internal), "{internal} shown to citizens");
    }
    // No seed procedure shows an administrator's note.
    let all = json(c.get(app.url("/api/v1/procedures")).send().await.unwrap()).await;
    for p in all["items"].as_array().unwrap() {
        let code = p["code"].as_str().unwrap();
        let html = c
            .get(app.url(&format!("/thu-tuc/{code}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("ức thu mẫu"), "{code}");
        assert!(!html.contains("quản trị viên"), "{code}");
    }
}

async fn procedure_page_has_everything_to_prepare_and_a_qr(app: TestApp) {
    let c = app.client();
    let list = json(
        c.get(app.url("/api/v1/procedures"))
            .query(&[("q", "dang ky ket hon")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let marriage = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == MARRIAGE)
        .unwrap()
        .clone();
    let code = marriage["code"].as_str().unwrap();
    let r = c
        .get(app.url(&format!("/thu-tuc/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    for needle in [
        "Giấy tờ cần chuẩn bị",
        "Thời hạn giải quyết",
        "Lệ phí",
        "Trình tự thực hiện",
        "Căn cứ pháp lý",
        "<svg",
        "poster.pdf",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    let first_doc = marriage["documents"][0]["name"].as_str().unwrap();
    assert!(html.contains(first_doc), "{first_doc}");
    let r = c.get(app.url("/thu-tuc/9.999999")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Không tìm thấy thủ tục"));
}

async fn catalogue_api_and_versions(app: TestApp) {
    let c = app.client();
    let r = c
        .get(app.url("/api/v1/procedures/9.999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let all = json(
        c.get(app.url("/api/v1/procedures"))
            .query(&[("linh-vuc", "")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let code = all["items"][0]["code"].as_str().unwrap().to_owned();
    let p = json(
        c.get(app.url(&format!("/api/v1/procedures/{code}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p["version"], 1);

    // An edit makes a new version; saving the same again adds nothing.
    let mut entry = app.app.procedure(&code).await.unwrap();
    let old_name = entry.procedure.name.clone();
    entry.procedure.name = format!("{old_name} (sửa đổi)");
    entry.procedure.effective_from = "2027-03-01".parse().unwrap();
    let v = app
        .app
        .save_procedure(&motcua_app::Principal::System, entry.procedure.clone())
        .await
        .unwrap();
    assert_eq!(v, 2);
    let v = app
        .app
        .save_procedure(&motcua_app::Principal::System, entry.procedure.clone())
        .await
        .unwrap();
    assert_eq!(v, 2);
    let versions = app.app.procedure_versions(&code).await.unwrap();
    assert_eq!(versions.len(), 2);
    // Citizens keep seeing the version in force today; the administrator edits the
    // latest.
    let public = json(
        c.get(app.url(&format!("/api/v1/procedures/{code}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(public["version"], 1);
    assert_eq!(public["name"], old_name.as_str());
    assert_eq!(app.app.procedure_latest(&code).await.unwrap().version, 2);
    // The version in force before its effective date is still the old one.
    let mut conn = app.db.read().await.unwrap();
    let (version, body) = motcua_store::procedures::body_in_force(&mut conn, &code, "2026-12-31")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(version, 1);
    assert!(body.contains(&old_name));
    // Invalid procedures are refused with Vietnamese messages, nothing written.
    let mut bad = entry.procedure.clone();
    bad.steps.clear();
    bad.name = String::new();
    let err = app
        .app
        .save_procedure(&motcua_app::Principal::System, bad)
        .await
        .unwrap_err();
    assert!(matches!(err, motcua_app::Error::Invalid(_)), "{err:?}");
    assert_eq!(app.app.procedure_versions(&code).await.unwrap().len(), 2);
    // Ward administrators may not edit the catalogue.
    let ward_admin = app.token("quantri.phohien").await;
    let actor = app
        .app
        .token_actor(&ward_admin, None)
        .await
        .unwrap()
        .unwrap();
    let err = app
        .app
        .save_procedure(&motcua_app::Principal::User(actor), entry.procedure)
        .await
        .unwrap_err();
    assert!(matches!(err, motcua_app::Error::Forbidden(_)));
}

on_both_engines!(
    poster_pdf_prints_the_procedure_with_a_working_qr,
    catalogue_round_trips_through_the_command_line
);

async fn poster_pdf_prints_the_procedure_with_a_working_qr(app: TestApp) {
    let list = json(
        app.client()
            .get(app.url("/api/v1/procedures"))
            .query(&[("q", "dang ky ket hon")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let code = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == MARRIAGE)
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .client()
        .get(app.url(&format!("/thu-tuc/{code}/poster.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    match motcua_docs::testing::pdf_text(&pdf).unwrap() {
        Some(text) => {
            let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(text.contains(MARRIAGE), "{text}");
        }
        None => eprintln!("skipped the text check: pdftotext not installed"),
    }
    match motcua_docs::testing::pdf_qr_texts(&pdf).unwrap() {
        Some(codes) => assert!(
            codes.contains(&app.url(&format!("/thu-tuc/{code}"))),
            "{codes:?}"
        ),
        None => eprintln!("skipped the QR check: pdftoppm not installed"),
    }
    // Printed for a commune, it names the commune.
    let pdf = app
        .client()
        .get(app.url(&format!("/thu-tuc/{code}/poster.pdf?co-quan={WARD_A}")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    if let Some(text) = motcua_docs::testing::pdf_text(&pdf).unwrap() {
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("UBND phường Phố Hiến"), "{text}");
    }
    assert_eq!(
        app.client()
            .get(app.url("/thu-tuc/9.999999/poster.pdf"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

async fn catalogue_round_trips_through_the_command_line(app: TestApp) {
    let dir = std::env::temp_dir().join(format!(
        "motcua-catalogue-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: Vec<String>| {
        let url = app.database_url.clone();
        async move {
            let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
                .args(&args)
                .env("MOTCUA_DATABASE_URL", url)
                .env("MOTCUA_LOG", "warn")
                .output()
                .await
                .unwrap();
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
    };
    let total = app.count("SELECT COUNT(*) FROM procedures").await;
    for ext in ["json", "xlsx"] {
        let file = dir.join(format!("danh-muc.{ext}")).display().to_string();
        let (code, _, err) = run(vec!["catalogue".into(), "export".into(), file.clone()]).await;
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = run(vec!["catalogue".into(), "import".into(), file]).await;
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out.trim(),
            format!("thêm mới: 0, cập nhật: 0, không đổi: {total}"),
            "a round trip loses nothing"
        );
    }
    // An edited file makes one new version.
    let json_file = dir.join("danh-muc.json");
    let mut procs: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    procs[0]["name"] =
        serde_json::Value::String(format!("{} – sửa", procs[0]["name"].as_str().unwrap()));
    std::fs::write(&json_file, serde_json::to_vec(&procs).unwrap()).unwrap();
    let (code, out, err) = run(vec![
        "catalogue".into(),
        "import".into(),
        json_file.display().to_string(),
    ])
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        format!("thêm mới: 0, cập nhật: 1, không đổi: {}", total - 1)
    );
    // A broken file is refused with a clear message, and nothing changes.
    let versions = app.count("SELECT COUNT(*) FROM procedure_versions").await;
    procs[1]["committed_limit"] = serde_json::Value::String("ba ngày".into());
    std::fs::write(&json_file, serde_json::to_vec(&procs).unwrap()).unwrap();
    let (code, _, err) = run(vec![
        "catalogue".into(),
        "import".into(),
        json_file.display().to_string(),
    ])
    .await;
    assert_ne!(code, 0);
    assert!(err.contains("ba ngày"), "{err}");
    let bad = dir.join("hong.xlsx");
    std::fs::write(&bad, b"not a workbook").unwrap();
    let (code, _, err) = run(vec![
        "catalogue".into(),
        "import".into(),
        bad.display().to_string(),
    ])
    .await;
    assert_ne!(code, 0);
    assert!(!err.is_empty());
    let (code, _, err) = run(vec![
        "catalogue".into(),
        "export".into(),
        dir.join("x.csv").display().to_string(),
    ])
    .await;
    assert_ne!(code, 0);
    assert!(err.contains(".json hoặc .xlsx"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM procedure_versions").await,
        versions
    );
    let _ = std::fs::remove_dir_all(&dir);
}

on_both_engines!(
    administrators_manage_the_catalogue_in_pages,
    the_catalogue_page_searches_and_shows_which_communes_perform_each,
);

/// The administrators' catalogue has a search and a sector filter; a province
/// administrator sees which communes perform each procedure, a ward's does not.
async fn the_catalogue_page_searches_and_shows_which_communes_perform_each(app: TestApp) {
    let admin = app.browser();
    let csrf = app.signed_in(&admin, "quantri").await;
    let get = |c: &reqwest::Client, path: &str| {
        let (c, url) = (c.clone(), app.url(path));
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let html = get(&admin, "/quan-tri/thu-tuc?q=khai+sinh").await;
    let table = html.split("id=\"danh-muc\"").nth(1).expect("the table");
    assert!(table.contains(">Đăng ký khai sinh</a>"), "{table}");
    assert!(!table.contains(">Đăng ký kết hôn</a>"), "{table}");
    assert!(html.contains("Xã, phường thực hiện"));
    let birth_row = table
        .split("<tr>")
        .find(|r| r.contains(">Đăng ký khai sinh</a>"))
        .expect("the birth row");
    assert!(birth_row.contains("UBND phường Phố Hiến"), "{birth_row}");
    assert!(birth_row.contains("<td>Hộ tịch</td>"), "{birth_row}");
    let html = get(&admin, "/quan-tri/thu-tuc?linh-vuc=chung-thuc").await;
    let table = html.split("id=\"danh-muc\"").nth(1).expect("the table");
    assert!(!table.contains("Hộ tịch"), "{table}");
    assert!(table.contains("Chứng thực"), "{table}");

    // Sectors are shown by name, added and renamed on the page.
    let r = app
        .post_form(
            &admin,
            "/quan-tri/linh-vuc",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "tu-phap"),
                ("name", "Tư pháp"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app
        .post_form(
            &admin,
            "/quan-tri/linh-vuc",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "tu-phap"),
                ("name", "Tư pháp – hộ tịch"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = get(&admin, "/quan-tri/thu-tuc").await;
    assert!(html.contains("value=\"Tư pháp – hộ tịch\""), "{html}");
    let r = app
        .post_form(
            &admin,
            "/quan-tri/linh-vuc",
            &[("_csrf", csrf.as_str()), ("code", "Tư pháp"), ("name", "X")],
        )
        .await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("Chưa lưu lĩnh vực"), "{html}");
    assert!(html.contains("chỉ gồm chữ thường không dấu"), "{html}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'sector.save'")
            .await,
        2
    );
    // The audit log names who did it by full name.
    let html = get(&admin, "/quan-tri/nhat-ky").await;
    assert!(
        html.contains("<td>Trần Văn Quản<br><small>quantri</small></td>"),
        "{html}"
    );
    assert!(html.contains("Thêm, đổi tên lĩnh vực"), "{html}");

    let ward = app.browser();
    let ward_csrf = app.signed_in(&ward, "quantri.phohien").await;
    let html = get(&ward, "/quan-tri/thu-tuc?q=khai+sinh").await;
    assert!(html.contains(">Đăng ký khai sinh</a>"));
    assert!(!html.contains("Xã, phường thực hiện"));
    let r = app
        .post_form(
            &ward,
            "/quan-tri/linh-vuc",
            &[
                ("_csrf", ward_csrf.as_str()),
                ("code", "tu-phap"),
                ("name", "Khác"),
            ],
        )
        .await;
    assert_eq!(r.status(), 403);
}

async fn administrators_manage_the_catalogue_in_pages(app: TestApp) {
    let admin = app.browser();
    let csrf = app.signed_in(&admin, "quantri").await;
    let r = admin
        .get(app.url("/quan-tri/danh-muc/danh-muc-thu-tuc.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("danh-muc-thu-tuc.xlsx"));
    let xlsx = r.bytes().await.unwrap().to_vec();
    let upload = |bytes: Vec<u8>, name: &'static str, csrf: String| {
        reqwest::multipart::Form::new().text("_csrf", csrf).part(
            "tep",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        )
    };
    let total = app.count("SELECT COUNT(*) FROM procedures").await;
    let r = admin
        .post(app.url("/quan-tri/thu-tuc/nhap"))
        .multipart(upload(xlsx.clone(), "danh-muc.xlsx", csrf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains(&format!("thêm mới 0, cập nhật 0, không đổi {total}")));
    let r = admin
        .post(app.url("/quan-tri/thu-tuc/nhap"))
        .multipart(upload(b"rac".to_vec(), "danh-muc.xlsx", csrf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Tệp chưa được nhập"));
    let r = admin
        .post(app.url("/quan-tri/thu-tuc/nhap"))
        .multipart(upload(xlsx.clone(), "danh-muc.xlsx", "gia-mao".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // The full editor makes a new version, and refuses broken content in Vietnamese.
    let code = app
        .app
        .search_procedures("ket hon", Some("ho-tich"), None, 1)
        .await
        .unwrap()[0]
        .procedure
        .code
        .clone();
    let html = admin
        .get(app.url(&format!("/quan-tri/thu-tuc/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Lưu phiên bản mới"));
    let mut p = app.app.procedure(&code).await.unwrap().procedure;
    p.time_limit_note = Some("Ghi chú mới của tỉnh".into());
    p.documents[0].form_name = Some("Mẫu tờ khai".into());
    p.documents[0].form_url = Some("https://dichvucong.gov.vn/mau/to-khai.docx".into());
    let body = serde_json::to_string_pretty(&p).unwrap();
    let r = app
        .post_form(
            &admin,
            &format!("/quan-tri/thu-tuc/{code}"),
            &[("_csrf", csrf.as_str()), ("noi_dung", body.as_str())],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(app.app.procedure(&code).await.unwrap().version, 2);
    let public = app
        .client()
        .get(app.url(&format!("/thu-tuc/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        public.contains(
            r#"<a href="https://dichvucong.gov.vn/mau/to-khai.docx">Tải mẫu: Mẫu tờ khai</a>"#
        ),
        "the form can be downloaded"
    );
    assert!(public.contains("Ghi chú mới của tỉnh"));
    let r = app
        .post_form(
            &admin,
            &format!("/quan-tri/thu-tuc/{code}"),
            &[("_csrf", csrf.as_str()), ("noi_dung", "{\"code\": ")],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Nội dung không đúng cấu trúc thủ tục"));

    // A ward administrator chooses what the ward performs, and nothing more.
    let ward = app.browser();
    let ward_csrf = app.signed_in(&ward, "quantri.phohien").await;
    let html = ward
        .get(app.url("/quan-tri/thu-tuc"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Nhập danh mục"), "no import for a ward");
    let r = ward
        .post(app.url("/quan-tri/thu-tuc/nhap"))
        .multipart(upload(xlsx, "danh-muc.xlsx", ward_csrf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .post_form(
            &ward,
            &format!("/quan-tri/thu-tuc/{code}"),
            &[("_csrf", ward_csrf.as_str()), ("noi_dung", body.as_str())],
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post_form(
            &ward,
            &format!("/quan-tri/thu-tuc/{code}/ap-dung"),
            &[("_csrf", ward_csrf.as_str()), ("bat", "0")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let performs = |agency: &'static str| {
        let app = &app;
        let code = code.clone();
        async move {
            let list = json(
                app.client()
                    .get(app.url("/api/v1/procedures"))
                    .query(&[("agency", agency)])
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["code"] == code.as_str())
        }
    };
    assert!(!performs(WARD_A).await);
    assert!(performs(WARD_B).await);
}

/// An install from before the extract and termination rules shipped: at start,
/// the procedures the system wrote get the seed's rule as a new version; the one
/// an administrator saved keeps theirs; a second start adds nothing.
async fn an_older_install_gets_the_seed_civil_rules_an_administrator_did_not_change(app: TestApp) {
    let system = motcua_app::Principal::System;
    let admin = crate::civil_extracts::principal(&app, "quantri").await;
    let without = |code: &str| {
        let app = &app;
        let code = code.to_owned();
        async move {
            let mut p = app.app.procedure_latest(&code).await.unwrap().procedure;
            assert!(p.civil_register.is_some(), "{code}");
            p.civil_register = None;
            p
        }
    };
    let extract = app
        .app
        .save_procedure(&system, without("2.000635").await)
        .await
        .unwrap();
    let ending = app
        .app
        .save_procedure(&admin, without("1.004845").await)
        .await
        .unwrap();
    app.app.seed_reference_data().await.unwrap();
    let latest = app.app.procedure_latest("2.000635").await.unwrap();
    assert_eq!(latest.version, extract + 1);
    assert_eq!(
        latest.procedure.civil_register.map(|r| r.writes.as_str()),
        Some("extract")
    );
    let latest = app.app.procedure_latest("1.004845").await.unwrap();
    assert_eq!(latest.version, ending, "the administrator's version stays");
    assert!(latest.procedure.civil_register.is_none());
    assert_eq!(app.app.add_missing_civil_rules().await.unwrap(), 0);
}
