//! Rendering PDFs end to end and reading them back with poppler-utils.
//!
//! The read-back checks skip (with a message) when `pdftotext`, `pdffonts`
//! or `pdftoppm` is not installed (Debian package `poppler-utils`).

// The poster's tests, in this binary so that typst is linked once.
mod poster;

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use jiff::civil::date;
use motcua_docs::format::{datetime_vn, money, place_date};
use motcua_docs::{qr_svg, testing, DocsError, Document, PdfEngine, SAMPLE_TYP};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

/// One engine for the whole test binary, as in the server.
fn engine() -> &'static PdfEngine {
    static ENGINE: OnceLock<PdfEngine> = OnceLock::new();
    ENGINE.get_or_init(PdfEngine::new)
}

const TRACKING_URL: &str = "https://motcua.example.vn/tra-cuu/H37.12-260305-0007";

fn sample_document() -> Document {
    let svg = qr_svg(TRACKING_URL).expect("a tracking URL fits in a QR code");
    let received = date(2026, 3, 5).at(14, 5, 0, 0);
    Document::new(SAMPLE_TYP)
        .with_file("/qr.svg", svg)
        .with_inputs(json!({
            "parent": "UBND tỉnh Lào Cai",
            "agency": "Ủy ban nhân dân\nphường Ỷ La",
            "number": "Số: 07/GTN",
            "place_date": place_date("Phường Ỷ La", received.date()),
            "dossier_code": "H37.12-260305-0007",
            "citizen": "Nguyễn Thị Hồng Nhung",
            "procedure": "Đăng ký kết hôn",
            "documents": [
                "Tờ khai đăng ký kết hôn (bản chính)",
                "Giấy xác nhận tình trạng hôn nhân (bản chính)",
            ],
            "received_at": datetime_vn(received),
            "due_at": datetime_vn(date(2026, 3, 6).at(10, 0, 0, 0)),
            "fee": money(0),
            "qr": true,
        }))
}

fn skip(what: &str) {
    eprintln!("SKIPPED {what}: poppler-utils (pdftotext/pdffonts/pdftoppm) not installed");
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// pdftotext breaks lines where the layout does; compare text as words.
fn words(s: &str) -> String {
    nfc(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn sample_renders_to_a_one_page_pdf() {
    let pdf = engine().render(&sample_document()).expect("sample renders");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    // To look at it: MOTCUA_DOCS_OUT=/tmp cargo test -p motcua-docs sample_
    if let Some(dir) = std::env::var_os("MOTCUA_DOCS_OUT") {
        let path = std::path::Path::new(&dir).join("sample.pdf");
        std::fs::write(&path, &pdf).expect("writes the sample");
        eprintln!("wrote {}", path.display());
    }
    let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") else {
        return skip("sample_renders_to_a_one_page_pdf text check");
    };
    let text = words(&text);
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN PHƯỜNG Ỷ LA",
        "UBND TỈNH LÀO CAI",
        "Phường Ỷ La, ngày 05 tháng 3 năm 2026",
        "14:05 ngày 05/03/2026",
        "0 đ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    // A form feed separates pages: a receipt fits on one.
    assert_eq!(text.matches('\u{c}').count(), 0, "more than one page");
}

#[test]
fn user_text_with_markup_characters_prints_literally() {
    let name = "Nguyễn #Văn [Đức]* _x_ `y` $z$ <l> @r \\ // không phải chú thích";
    let doc = Document::new("#set text(font: \"Noto Serif\")\nHọ tên: #sys.inputs.name")
        .with_inputs(json!({ "name": name }));
    let pdf = engine()
        .render(&doc)
        .expect("markup characters in data are not markup");
    let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") else {
        return skip("user_text_with_markup_characters_prints_literally");
    };
    assert_eq!(words(&text), words(&format!("Họ tên: {name}")));
}

#[test]
fn vietnamese_diacritics_come_back_exactly() {
    let line = "Đăng ký kết hôn — Nguyễn Thị Hồng Nhung, Ủy ban nhân dân phường Ỷ La, ữ ỡ ợ ự ỵ";
    for font in [motcua_docs::FONT_SERIF, motcua_docs::FONT_SANS] {
        let doc = Document::new(
            "#set page(width: auto, height: auto, margin: 1cm)\n#set text(font: sys.inputs.font)\n#sys.inputs.line\n\n*#sys.inputs.line*\n\n_#sys.inputs.line _",
        )
        .with_inputs(json!({ "line": line, "font": font }));
        let pdf = engine().render(&doc).expect("renders");
        let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") else {
            return skip("vietnamese_diacritics_come_back_exactly");
        };
        let lines: Vec<String> = text
            .lines()
            .map(nfc)
            .filter(|l| !l.trim().is_empty() && !l.contains('\u{c}'))
            .collect();
        // Regular, bold and italic.
        assert_eq!(lines, vec![nfc(line); 3], "font {font}");
    }
}

#[test]
fn pdf_embeds_the_noto_fonts() {
    let pdf = engine().render(&sample_document()).expect("sample renders");
    let Some(table) = testing::pdf_fonts(&pdf).expect("pdffonts runs") else {
        return skip("pdf_embeds_the_noto_fonts");
    };
    let fonts: Vec<&str> = table.lines().skip(2).collect();
    assert!(!fonts.is_empty(), "no fonts in\n{table}");
    for needed in ["NotoSerif-Regular", "NotoSerif-Bold", "NotoSerif-Italic"] {
        assert!(
            fonts.iter().any(|l| l.contains(needed)),
            "{needed} missing in\n{table}"
        );
    }
    for font in &fonts {
        // Columns: name type encoding emb sub uni object-id.
        let cols: Vec<&str> = font.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "unexpected pdffonts line {font:?}");
        assert_eq!(cols[n - 5], "yes", "not embedded: {font}");
        assert_eq!(cols[n - 3], "yes", "no ToUnicode map: {font}");
        assert!(cols[0].contains("Noto"), "a font not ours: {font}");
    }
}

#[test]
fn qr_code_in_pdf_decodes_to_its_text() {
    let pdf = engine().render(&sample_document()).expect("sample renders");
    let Some(texts) = testing::pdf_qr_texts(&pdf).expect("rasterises") else {
        return skip("qr_code_in_pdf_decodes_to_its_text");
    };
    assert_eq!(texts, vec![TRACKING_URL.to_owned()]);
}

#[test]
fn small_qr_code_still_decodes() {
    let text = "H37.12-260305-0007";
    let doc = Document::new("#image(\"/qr.svg\", width: 2cm)")
        .with_file("qr.svg", qr_svg(text).expect("fits"));
    let pdf = engine().render(&doc).expect("renders");
    let Some(texts) = testing::pdf_qr_texts(&pdf).expect("rasterises") else {
        return skip("small_qr_code_still_decodes");
    };
    assert_eq!(texts, vec![text.to_owned()]);
}

#[test]
fn template_errors_are_errors_with_messages() {
    let doc = Document::new("= Tiêu đề\n\n#khong-co-ham(1)\n");
    let err = engine().render(&doc).expect_err("unknown function");
    let DocsError::Template(messages) = &err else {
        panic!("expected a template error, got {err:?}");
    };
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("/main.typ:3:2:") && m.contains("unknown variable")),
        "{messages:?}"
    );

    let err = engine()
        .render(&Document::new("#image(\"/missing.svg\")"))
        .expect_err("missing file");
    assert!(err.to_string().contains("missing.svg"), "{err}");

    let err = engine()
        .render(&Document::new("#let x = (1, 2\n"))
        .expect_err("syntax error");
    assert!(matches!(err, DocsError::Template(_)), "{err:?}");

    let err = engine()
        .render(&Document::new("#panic(\"dừng lại\")"))
        .expect_err("panic in template");
    assert!(err.to_string().contains("dừng lại"), "{err}");
}

#[test]
fn inputs_must_be_an_object() {
    let err = engine()
        .render(&Document::new("x").with_inputs(json!(["a"])))
        .expect_err("array inputs");
    assert!(matches!(err, DocsError::Inputs(_)), "{err:?}");
    // Null means no inputs.
    engine()
        .render(&Document::new("#assert.eq(sys.inputs, (:))"))
        .expect("null inputs are an empty dictionary");
}

#[test]
fn bad_file_paths_are_refused() {
    let err = engine()
        .render(&Document::new("x").with_file("../../etc/passwd", b"x".to_vec()))
        .expect_err("escaping path");
    assert!(matches!(err, DocsError::FilePath { .. }), "{err:?}");
    let err = engine()
        .render(&Document::new("x").with_file("/main.typ", b"x".to_vec()))
        .expect_err("main path");
    assert!(matches!(err, DocsError::FilePath { .. }), "{err:?}");
}

#[test]
fn extra_typst_files_can_be_imported() {
    let doc = Document::new("#import \"/parts/greeting.typ\": greet\n#greet(sys.inputs.who)")
        .with_file("/parts/greeting.typ", "#let greet(who) = [Xin chào #who]")
        .with_inputs(json!({ "who": "bà Ỷ" }));
    let pdf = engine().render(&doc).expect("renders");
    if let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") {
        assert_eq!(words(&text), "Xin chào bà Ỷ");
    }
}

#[test]
fn today_is_the_date_the_caller_gives() {
    let markup = "#datetime.today().display(\"[day]/[month]/[year]\")";
    let pdf = engine()
        .render(&Document::new(markup).with_today(date(2026, 3, 5)))
        .expect("renders");
    if let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") {
        assert_eq!(words(&text), "05/03/2026");
    }
    let err = engine()
        .render(&Document::new(markup))
        .expect_err("no date given");
    assert!(matches!(err, DocsError::Template(_)), "{err:?}");
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let doc = sample_document();
    assert_eq!(
        engine().render(&doc).expect("renders"),
        engine().render(&doc).expect("renders")
    );
}

#[test]
fn engine_renders_from_several_threads() {
    let engine = Arc::new(PdfEngine::new());
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let engine = Arc::clone(&engine);
            std::thread::spawn(move || {
                let doc = Document::new("Luồng #sys.inputs.i").with_inputs(json!({ "i": i }));
                engine.render(&doc)
            })
        })
        .collect();
    for handle in handles {
        let pdf = handle.join().expect("thread finished").expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}

/// Not a benchmark and asserts nothing: prints how long a warm render of the
/// one-page sample takes (`cargo test -- --nocapture render_speed`).
#[test]
fn render_speed_warm() {
    let started = Instant::now();
    let engine = PdfEngine::new();
    let built = started.elapsed();
    let doc = sample_document();
    let started = Instant::now();
    engine.render(&doc).expect("renders");
    let cold = started.elapsed();
    let runs = 20u32;
    let started = Instant::now();
    for _ in 0..runs {
        engine.render(&doc).expect("renders");
    }
    let warm = started.elapsed() / runs;
    // As at the counter: every receipt has its own citizen and QR code.
    let started = Instant::now();
    for i in 0..runs {
        let mut doc = sample_document();
        doc.inputs["citizen"] = json!(format!("Công dân số {i}"));
        doc.files[0].1 = qr_svg(&format!("{TRACKING_URL}{i}"))
            .expect("fits")
            .into_bytes();
        engine.render(&doc).expect("renders");
    }
    let varied = started.elapsed() / runs;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    eprintln!(
        "render_speed_warm: engine built in {built:?}, first render {cold:?}, \
         warm render of the same document {warm:?}, of different documents \
         {varied:?} (means of {runs}; {profile} profile)"
    );
}
