//! The procedure poster, rendered for every seed procedure and read back.

use std::time::Instant;

use jiff::civil::date;
use motcua_docs::poster::{limit_text, poster_pdf};
use motcua_docs::{catalogue, testing};
use motcua_domain::procedure::{DocumentKind, Procedure, RequiredDocument};

use super::{engine, skip, words};

const SEED_FILES: [&str; 6] = [
    include_str!("../../../../seeds/catalogue/ho-tich.json"),
    include_str!("../../../../seeds/catalogue/chung-thuc.json"),
    include_str!("../../../../seeds/catalogue/kinh-doanh.json"),
    include_str!("../../../../seeds/catalogue/bao-tro-xa-hoi.json"),
    include_str!("../../../../seeds/catalogue/xay-dung.json"),
    include_str!("../../../../seeds/catalogue/dat-dai.json"),
];

fn seeds() -> Vec<Procedure> {
    SEED_FILES
        .iter()
        .flat_map(|text| catalogue::from_json(text.as_bytes()).expect("seed file imports"))
        .collect()
}

/// The sectors are data elsewhere; these are their names in the seeds.
fn sector_name(code: &str) -> &'static str {
    match code {
        "ho-tich" => "Hộ tịch",
        "chung-thuc" => "Chứng thực",
        "kinh-doanh" => "Thành lập và hoạt động của hộ kinh doanh",
        "bao-tro-xa-hoi" => "Bảo trợ xã hội",
        "xay-dung" => "Hoạt động xây dựng",
        "dat-dai" => "Đất đai",
        _ => "Khác",
    }
}

fn page_url(p: &Procedure) -> String {
    format!("https://motcua.example.vn/thu-tuc/{}", p.code)
}

const AGENCY: &str = "Ủy ban nhân dân phường Ỷ La";

fn render(p: &Procedure) -> Vec<u8> {
    poster_pdf(
        engine(),
        p,
        sector_name(&p.sector),
        &page_url(p),
        Some(AGENCY),
        date(2026, 3, 5),
    )
    .unwrap_or_else(|e| panic!("poster of {} renders: {e}", p.code))
}

fn pages(text: &str) -> usize {
    text.trim_end_matches('\u{c}').matches('\u{c}').count() + 1
}

#[test]
fn poster_renders_for_every_seed_procedure() {
    let procs = seeds();
    assert!(procs.len() >= 30);
    let mut page_counts = Vec::new();
    for p in &procs {
        let pdf = render(p);
        assert!(pdf.starts_with(b"%PDF-"), "{}", p.code);
        if let Some(dir) = std::env::var_os("MOTCUA_DOCS_OUT") {
            let path = std::path::Path::new(&dir).join(format!("poster-{}.pdf", p.code));
            std::fs::write(&path, &pdf).expect("writes the poster");
        }
        let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") else {
            return skip("poster_renders_for_every_seed_procedure text check");
        };
        let flat = words(&text);
        for expected in [
            p.name.clone(),
            limit_text(p.committed_limit),
            p.documents[0].name.clone(),
            "Quét mã để xem hướng dẫn chi tiết".to_owned(),
            AGENCY.to_owned(),
            "In ngày 05/03/2026".to_owned(),
        ] {
            assert!(
                flat.contains(&words(&expected)),
                "{}: missing {expected:?} in {flat}",
                p.code
            );
        }
        if p.statutory_limit != p.committed_limit {
            let statutory = format!("Theo quy định: {}", limit_text(p.statutory_limit));
            assert!(flat.contains(&statutory), "{}: {flat}", p.code);
        }
        page_counts.push((p.code.clone(), pages(&text)));
    }
    eprintln!("poster pages: {page_counts:?}");
    for (code, n) in &page_counts {
        assert_eq!(*n, 1, "the poster of {code} runs to {n} pages");
    }
}

#[test]
fn poster_words_the_fee_and_documents_for_citizens() {
    let procs = seeds();
    let copy = procs
        .iter()
        .find(|p| p.code == "2.000815")
        .expect("certified copy seed");
    let pdf = render(copy);
    let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") else {
        return skip("poster_words_the_fee_and_documents_for_citizens");
    };
    // A line may break after a slash ("đ/ trang"): that is layout, not wording.
    let flat = words(&text).replace("/ ", "/");
    for expected in [
        "Trang 1–2: 2.000 đ/trang; từ trang 3: 1.000 đ/trang; tối đa 200.000 đ mỗi bản",
        "01 bản chính",
        "01 bản chụp",
        "Trong ngày",
        "Trường hợp cần xác minh: 2 ngày làm việc",
        "Nộp trực tiếp tại Bộ phận Một cửa – Ủy ban nhân dân phường Ỷ La.",
        "Hoặc nộp trực tuyến trên Cổng Dịch vụ công",
    ] {
        assert!(flat.contains(expected), "missing {expected:?} in {flat}");
    }

    let free = procs
        .iter()
        .find(|p| p.code == "1.004837")
        .expect("guardianship seed");
    let pdf = render(free);
    if let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") {
        assert!(words(&text).contains("Miễn phí"), "{text}");
    }
}

#[test]
fn poster_qr_decodes_to_the_page_url() {
    let procs = seeds();
    // The shortest and the longest name: the QR keeps its size either way.
    let shortest = procs
        .iter()
        .min_by_key(|p| p.name.chars().count())
        .expect("seeds");
    let longest = procs
        .iter()
        .max_by_key(|p| p.name.chars().count())
        .expect("seeds");
    for p in [shortest, longest] {
        let pdf = render(p);
        let Some(texts) = testing::pdf_qr_texts(&pdf).expect("rasterises") else {
            return skip("poster_qr_decodes_to_the_page_url");
        };
        assert_eq!(texts, vec![page_url(p)], "{}", p.code);
    }
}

#[test]
fn poster_prints_markup_characters_literally() {
    let mut p = seeds().remove(0);
    p.name = "Đăng ký #khai sinh [thử] *đậm* _nghiêng_ $x$ <nhãn> @ref // chú thích".into();
    p.documents[0].name = "Tờ khai = #panic(\"x\")".into();
    let pdf = render(&p);
    let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") else {
        return skip("poster_prints_markup_characters_literally");
    };
    let flat = words(&text);
    assert!(flat.contains(&words(&p.name)), "{flat}");
    assert!(flat.contains(&p.documents[0].name), "{flat}");
}

#[test]
fn a_long_poster_flows_onto_a_second_page() {
    let mut p = seeds()
        .into_iter()
        .find(|p| p.code == "1.000689")
        .expect("seed");
    for i in 1..=14 {
        p.documents.push(RequiredDocument {
            name: format!("Giấy tờ bổ sung số {i} chứng minh quan hệ cha, mẹ, con"),
            kind: DocumentKind::CertifiedCopy,
            count: 1,
            form_name: None,
            form_url: None,
            note: Some("Nộp khi cơ quan đăng ký hộ tịch yêu cầu để xác minh.".into()),
        });
    }
    let pdf = render(&p);
    let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") else {
        return skip("a_long_poster_flows_onto_a_second_page");
    };
    let n = pages(&text);
    assert!(n >= 2, "expected a second page, got {n}");
    let flat = words(&text);
    assert!(flat.contains(&format!("Trang 2/{n}")), "{flat}");
    assert!(
        flat.contains("Giấy tờ bổ sung số 14 chứng minh quan hệ cha, mẹ, con"),
        "{flat}"
    );
    assert!(flat.contains("NHẬN KẾT QUẢ"), "{flat}");
}

#[test]
fn poster_without_agency_names_the_commune_desk() {
    let p = seeds().remove(0);
    let pdf = poster_pdf(
        engine(),
        &p,
        "Hộ tịch",
        &page_url(&p),
        None,
        date(2026, 3, 5),
    )
    .expect("renders");
    if let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") {
        assert!(
            words(&text).contains("Bộ phận Một cửa của Ủy ban nhân dân xã, phường"),
            "{text}"
        );
    }
}

/// Not a benchmark and asserts nothing: prints how long a warm poster takes
/// (`cargo test -p motcua-docs -- --nocapture poster_speed`).
#[test]
fn poster_speed_warm() {
    let procs = seeds();
    let p = procs
        .iter()
        .find(|p| p.code == "1.001193")
        .expect("birth registration");
    render(p);
    let runs = 10u32;
    let started = Instant::now();
    for _ in 0..runs {
        render(p);
    }
    let same = started.elapsed() / runs;
    let started = Instant::now();
    for p in procs.iter().take(runs as usize) {
        render(p);
    }
    let varied = started.elapsed() / runs;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    eprintln!(
        "poster_speed_warm: same poster {same:?}, different posters {varied:?} \
         (means of {runs}; {profile} profile)"
    );
}

/// Every seed procedure's fee reads as the procedure page's plain sentence, and
/// every poster is one A4 page as `pdfinfo` counts it.
#[test]
fn every_seed_poster_words_its_fees_in_sentences_on_one_page() {
    use motcua_docs::poster::poster_fee_sentence;
    let procs = seeds();
    let birth = procs
        .iter()
        .find(|p| p.code == "1.001193")
        .expect("birth seed");
    assert!(
        poster_fee_sentence(&birth.fees[0]).starts_with(
            "Miễn lệ phí nếu đăng ký trong 60 ngày kể từ ngày sinh; quá hạn: 8.000 đ."
        ),
        "{}",
        poster_fee_sentence(&birth.fees[0])
    );
    if !testing::tool_available("pdfinfo") || !testing::tool_available("pdftotext") {
        return skip("every_seed_poster_words_its_fees_in_sentences_on_one_page");
    }
    let dir = std::env::temp_dir().join(format!("motcua-posters-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let mut with_exemptions = 0;
    for p in &procs {
        let pdf = render(p);
        let path = dir.join(format!("{}.pdf", p.code));
        std::fs::write(&path, &pdf).expect("write");
        let info = std::process::Command::new("pdfinfo")
            .arg(&path)
            .output()
            .expect("pdfinfo");
        let info = String::from_utf8_lossy(&info.stdout);
        let pages = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .map(str::trim);
        assert_eq!(pages, Some("1"), "{}: {info}", p.code);
        let text = testing::pdf_text(&pdf)
            .expect("pdftotext")
            .expect("installed");
        let flat = words(&text).replace("/ ", "/");
        for f in p.fees.iter().filter(|f| !f.exemptions.is_empty()) {
            with_exemptions += 1;
            let sentence = words(&poster_fee_sentence(f)).replace("/ ", "/");
            assert!(
                flat.contains(&sentence),
                "{}: {sentence:?} in {flat}",
                p.code
            );
            assert!(!flat.contains("Miễn cho:"), "{}", p.code);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(with_exemptions >= 5, "{with_exemptions}");
}
