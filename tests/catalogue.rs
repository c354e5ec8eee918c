//! The procedure catalogue: public pages, search without diacritics, API, versions.

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    search_finds_procedures_with_or_without_diacritics,
    procedure_page_has_everything_to_prepare_and_a_qr,
    catalogue_api_and_versions,
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
