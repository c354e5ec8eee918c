//! The forms rendered with realistic data and read back with poppler-utils
//! (the read-back checks skip, with a message, where it is not installed).
//!
//! To look at the PDFs: `MOTCUA_DOCS_OUT=/tmp cargo test -p motcua-docs forms`.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use unicode_normalization::UnicodeNormalization;

use super::*;
use crate::testing;

fn engine() -> &'static PdfEngine {
    static ENGINE: OnceLock<PdfEngine> = OnceLock::new();
    ENGINE.get_or_init(PdfEngine::new)
}

const CODE: &str = "000.00.06.H56-261122-0007";
const TRACKING_URL: &str = "https://motcua.hungyen.gov.vn/tra-cuu/000.00.06.H56-261122-0007";

fn at(instant: &str) -> Timestamp {
    instant.parse().expect("a valid RFC 3339 instant")
}

fn agency() -> FormAgency {
    FormAgency {
        name: "UBND phường Phố Hiến".into(),
        parent_name: Some("UBND tỉnh Hưng Yên".into()),
        place: "Phố Hiến".into(),
    }
}

fn applicant() -> Applicant {
    Applicant {
        full_name: "Nguyễn Thị Hương".into(),
        personal_id: Some("033190004512".into()),
        phone: Some("0912 345 678".into()),
        email: Some("huong.nguyen@example.vn".into()),
        address: Some("Số 12, phố Điện Biên, phường Phố Hiến, tỉnh Hưng Yên".into()),
    }
}

fn document(
    name: &str,
    originals: u16,
    certified_copies: u16,
    photocopies: u16,
) -> ReceivedDocument {
    ReceivedDocument {
        name: name.into(),
        originals,
        certified_copies,
        photocopies,
    }
}

fn receipt() -> ReceiptForm {
    ReceiptForm {
        agency: agency(),
        code: CODE.into(),
        tracking_url: TRACKING_URL.into(),
        applicant: applicant(),
        request: "Đăng ký khai sinh".into(),
        documents: vec![
            document("Tờ khai đăng ký khai sinh", 1, 0, 0),
            document("Giấy chứng sinh", 1, 0, 0),
            document("Giấy chứng nhận kết hôn của cha, mẹ", 0, 1, 0),
        ],
        sets: 1,
        time_limit: "03 ngày làm việc".into(),
        received_at: at("2026-11-22T02:15:00Z"),
        due_at: at("2026-11-25T09:00:00Z"),
        return_method: "Nhận trực tiếp tại Bộ phận Một cửa".into(),
        fee: Some("8.000 đ (đã nộp, biên lai số 0012)".into()),
        officer_name: "Trần Văn Đức".into(),
    }
}

fn supplement() -> SupplementForm {
    SupplementForm {
        agency: agency(),
        code: CODE.into(),
        applicant: applicant(),
        request: "Đăng ký khai sinh".into(),
        received_at: at("2026-11-22T02:15:00Z"),
        missing: vec![
            "Bản sao có chứng thực Giấy chứng nhận kết hôn của cha, mẹ".into(),
            "Văn bản ủy quyền có chứng thực (người đi đăng ký không phải cha, mẹ)".into(),
        ],
        reason: "Hồ sơ thiếu giấy tờ chứng minh quan hệ cha, mẹ, con".into(),
        officer_name: "Trần Văn Đức".into(),
        issued_at: at("2026-11-23T03:40:00Z"),
    }
}

fn refusal() -> RefusalForm {
    RefusalForm {
        agency: agency(),
        code: CODE.into(),
        applicant: applicant(),
        request: "Chứng thực bản sao từ bản chính".into(),
        received_at: Some(at("2026-11-22T02:15:00Z")),
        reason: "Bản chính đã bị tẩy xóa, sửa chữa nội dung, không được dùng làm cơ sở để chứng thực bản sao (Điều 22 Nghị định 23/2015/NĐ-CP)".into(),
        officer_name: "Trần Văn Đức".into(),
        issued_at: at("2026-11-22T02:40:00Z"),
    }
}

fn apology() -> ApologyForm {
    ApologyForm {
        agency: agency(),
        code: CODE.into(),
        applicant: applicant(),
        request: "Đăng ký khai sinh".into(),
        received_at: at("2026-11-22T02:15:00Z"),
        old_due_at: at("2026-11-25T09:00:00Z"),
        new_due_at: at("2026-11-27T09:00:00Z"),
        reason: "Cần xác minh thông tin nơi cư trú của người mẹ tại địa phương khác".into(),
        signer_name: "Lê Minh Tuấn".into(),
        issued_at: at("2026-11-24T01:00:00Z"),
    }
}

fn stop() -> StopForm {
    StopForm {
        agency: agency(),
        code: CODE.into(),
        applicant: applicant(),
        request: "Đăng ký khai sinh".into(),
        received_at: at("2026-11-22T02:15:00Z"),
        reason: "Người nộp hồ sơ có văn bản đề nghị rút hồ sơ ngày 23/11/2026".into(),
        signer_name: "Lê Minh Tuấn".into(),
        issued_at: at("2026-11-23T08:00:00Z"),
    }
}

fn control_sheet() -> ControlSheetForm {
    ControlSheetForm {
        agency: agency(),
        code: CODE.into(),
        applicant: applicant(),
        request: "Đăng ký khai sinh".into(),
        received_at: at("2026-11-22T02:15:00Z"),
        due_at: at("2026-11-25T09:00:00Z"),
        steps: vec![
            ControlStep {
                name: "Tiếp nhận, kiểm tra hồ sơ".into(),
                role: "Bộ phận Một cửa".into(),
                handler: Some("Trần Văn Đức".into()),
                allowed: "4 giờ làm việc".into(),
                due_at: at("2026-11-22T06:15:00Z"),
                started_at: Some(at("2026-11-22T02:15:00Z")),
                finished_at: Some(at("2026-11-22T04:45:00Z")),
                used: Some("2 giờ 30 phút".into()),
                status: "Trước hạn".into(),
            },
            ControlStep {
                name: "Thẩm định hồ sơ, trình ký".into(),
                role: "Công chức Tư pháp – Hộ tịch".into(),
                handler: Some("Phạm Thu Trang".into()),
                allowed: "1,5 ngày làm việc".into(),
                due_at: at("2026-11-24T04:00:00Z"),
                started_at: Some(at("2026-11-22T04:45:00Z")),
                finished_at: Some(at("2026-11-24T08:30:00Z")),
                used: Some("2 ngày 3 giờ".into()),
                status: "Quá hạn".into(),
            },
            ControlStep {
                name: "Ký duyệt kết quả".into(),
                role: "Chủ tịch UBND phường".into(),
                handler: None,
                allowed: "4 giờ làm việc".into(),
                due_at: at("2026-11-25T02:00:00Z"),
                started_at: Some(at("2026-11-24T08:30:00Z")),
                finished_at: None,
                used: None,
                status: "Đang xử lý".into(),
            },
            ControlStep {
                name: "Trả kết quả".into(),
                role: "Bộ phận Một cửa".into(),
                handler: None,
                allowed: "4 giờ làm việc".into(),
                due_at: at("2026-11-25T09:00:00Z"),
                started_at: None,
                finished_at: None,
                used: None,
                status: "Chưa đến".into(),
            },
        ],
        printed_at: at("2026-11-24T09:05:00Z"),
    }
}

fn skip(what: &str) {
    eprintln!("SKIPPED {what}: poppler-utils (pdftotext/pdffonts/pdftoppm) not installed");
}

/// pdftotext breaks lines where the layout does; compare text as words.
fn words(s: &str) -> String {
    s.nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn pages(text: &str) -> usize {
    text.trim_end_matches('\u{c}').matches('\u{c}').count() + 1
}

fn save(name: &str, pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("MOTCUA_DOCS_OUT") {
        let path = std::path::Path::new(&dir).join(name);
        std::fs::write(&path, pdf).expect("writes the PDF");
        eprintln!("wrote {}", path.display());
    }
}

/// Renders, saves on request and reads the text back (None without
/// poppler).
fn text_of(name: &str, pdf: &[u8]) -> Option<String> {
    assert!(pdf.starts_with(b"%PDF-"), "{name} is not a PDF");
    save(name, pdf);
    testing::pdf_text(pdf).expect("pdftotext runs")
}

fn assert_contains_all(form: &str, text: &str, expected: &[&str]) {
    let text = words(text);
    for want in expected {
        assert!(
            text.contains(&words(want)),
            "{form}: missing {want:?} in\n{text}"
        );
    }
}

/// Every word of every expected text appears somewhere in `text`.
fn assert_words_present(form: &str, text: &str, expected: &[&str]) {
    let text = words(text);
    let present: std::collections::HashSet<&str> = text.split(' ').collect();
    for want in expected {
        for word in words(want).split(' ') {
            assert!(
                present.contains(word),
                "{form}: missing the word {word:?} of {want:?} in\n{text}"
            );
        }
    }
}

/// The header every form shares.
const HEADER: [&str; 5] = [
    "UBND TỈNH HƯNG YÊN",
    "UBND PHƯỜNG PHỐ HIẾN",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Mã hồ sơ: 000.00.06.H56-261122-0007",
];

fn assert_fonts_embedded(form: &str, pdf: &[u8]) {
    let Some(table) = testing::pdf_fonts(pdf).expect("pdffonts runs") else {
        return skip("font check");
    };
    let fonts: Vec<&str> = table.lines().skip(2).collect();
    assert!(!fonts.is_empty(), "{form}: no fonts in\n{table}");
    for font in &fonts {
        // Columns: name type encoding emb sub uni object-id.
        let cols: Vec<&str> = font.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "{form}: unexpected pdffonts line {font:?}");
        assert_eq!(cols[n - 5], "yes", "{form}: not embedded: {font}");
        assert_eq!(cols[n - 3], "yes", "{form}: no ToUnicode map: {font}");
        assert!(cols[0].contains("Noto"), "{form}: a font not ours: {font}");
    }
}

#[test]
fn receipt_prints_every_field_on_one_page() {
    let pdf = receipt_pdf(engine(), &receipt()).expect("receipt renders");
    assert_fonts_embedded("receipt", &pdf);
    let Some(text) = text_of("form-01-receipt.pdf", &pdf) else {
        return skip("receipt_prints_every_field_on_one_page");
    };
    assert_contains_all("receipt", &text, &HEADER);
    assert_contains_all(
        "receipt",
        &text,
        &[
            "Phố Hiến, ngày 22 tháng 11 năm 2026",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "Bộ phận Một cửa UBND phường Phố Hiến tiếp nhận hồ sơ của:",
            "Họ và tên: Nguyễn Thị Hương",
            "Số định danh cá nhân: 033190004512",
            "Địa chỉ: Số 12, phố Điện Biên, phường Phố Hiến, tỉnh Hưng Yên",
            "Số điện thoại: 0912 345 678",
            "Thư điện tử: huong.nguyen@example.vn",
            "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
            "Bản chính",
            "Bản sao chứng thực",
            "Bản photo",
            "Tờ khai đăng ký khai sinh",
            "Giấy chứng nhận kết hôn của cha, mẹ",
            "Số lượng hồ sơ: 01 bộ",
            "Thời hạn giải quyết hồ sơ theo quy định: 03 ngày làm việc",
            "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 22/11/2026",
            "Thời gian trả kết quả: 16 giờ 00 phút, ngày 25/11/2026",
            "Hình thức nhận kết quả: Nhận trực tiếp tại Bộ phận Một cửa",
            "Phí, lệ phí: 8.000 đ (đã nộp, biên lai số 0012)",
            "nhập mã hồ sơ 000.00.06.H56-261122-0007 tại",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN",
            "Trần Văn Đức",
        ],
    );
    // The address may break across lines after a slash.
    let squeezed: String = text.split_whitespace().collect();
    assert!(
        squeezed.contains("tạihttps://motcua.hungyen.gov.vn/tra-cuu."),
        "{text}"
    );
    assert_eq!(pages(&text), 1, "an ordinary receipt fits on one page");
}

#[test]
fn receipt_qr_code_is_exactly_the_tracking_url() {
    let pdf = receipt_pdf(engine(), &receipt()).expect("receipt renders");
    let Some(texts) = testing::pdf_qr_texts(&pdf).expect("rasterises") else {
        return skip("receipt_qr_code_is_exactly_the_tracking_url");
    };
    assert_eq!(texts, vec![TRACKING_URL.to_owned()]);
}

#[test]
fn receipt_without_optional_values_prints_blanks_to_fill() {
    let mut form = receipt();
    form.applicant.personal_id = None;
    form.applicant.phone = Some("   ".into());
    form.applicant.email = None;
    form.fee = None;
    form.documents.clear();
    let pdf = receipt_pdf(engine(), &form).expect("receipt renders");
    let Some(text) = text_of("form-01-receipt-blanks.pdf", &pdf) else {
        return skip("receipt_without_optional_values_prints_blanks_to_fill");
    };
    let text = words(&text);
    // The dotted leaders come back as spaced dots.
    assert!(text.contains("Số định danh cá nhân: . . . ."), "{text}");
    assert!(text.contains("Số điện thoại: . . . ."), "{text}");
    assert!(text.contains("Thư điện tử: . . . ."), "{text}");
    assert!(text.contains("Không có giấy tờ kèm theo"), "{text}");
    assert!(
        !text.contains("Phí, lệ phí"),
        "no fee line without a fee: {text}"
    );
}

#[test]
fn receipt_with_many_long_documents_flows_onto_another_page() {
    let mut form = receipt();
    form.applicant.full_name =
        "Tôn Nữ Hoàng Thị Thanh Xuân Nguyễn Phước Bảo Ngọc Huyền Trân Diệu Hương".into();
    form.request = "Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con, xác định dân tộc và cấp bản sao trích lục khai sinh cho trẻ em sinh ra ở nước ngoài chưa được đăng ký khai sinh ở nước ngoài về cư trú tại Việt Nam".into();
    form.documents = (1..=12)
        .map(|i| {
            document(
                &format!(
                    "Giấy tờ số {i}: bản sao có chứng thực văn bản xác nhận của cơ quan có thẩm quyền về việc trẻ em cư trú tại Việt Nam, kèm bản dịch có chứng thực chữ ký người dịch sang tiếng Việt"
                ),
                (i % 3) as u16,
                1,
                (i % 2) as u16 * 2,
            )
        })
        .collect();
    form.sets = 2;
    let pdf = receipt_pdf(engine(), &form).expect("a long receipt still renders");
    let Some(text) = text_of("form-01-receipt-long.pdf", &pdf) else {
        return skip("receipt_with_many_long_documents_flows_onto_another_page");
    };
    let n = pages(&text);
    assert!((1..=3).contains(&n), "{n} pages");
    let flat = words(&text);
    for i in 1..=12 {
        assert!(
            flat.contains(&format!("Giấy tờ số {i}:")),
            "document {i} missing"
        );
    }
    assert_contains_all(
        "long receipt",
        &text,
        &[
            "Số lượng hồ sơ: 02 bộ",
            "Thời gian trả kết quả: 16 giờ 00 phút, ngày 25/11/2026",
            "NGƯỜI TIẾP NHẬN",
        ],
    );
    if n > 1 {
        assert!(
            flat.contains(&format!("Mã hồ sơ: {CODE} · Trang 2/{n}")),
            "{flat}"
        );
    }
    let Some(qr) = testing::pdf_qr_texts(&pdf).expect("rasterises") else {
        return skip("long receipt QR check");
    };
    assert_eq!(qr, vec![TRACKING_URL.to_owned()]);
}

#[test]
fn supplement_lists_what_is_missing() {
    let pdf = supplement_pdf(engine(), &supplement()).expect("supplement renders");
    assert_fonts_embedded("supplement", &pdf);
    let Some(text) = text_of("form-02-supplement.pdf", &pdf) else {
        return skip("supplement_lists_what_is_missing");
    };
    assert_contains_all("supplement", &text, &HEADER);
    assert_contains_all(
        "supplement",
        &text,
        &[
            "Phố Hiến, ngày 23 tháng 11 năm 2026",
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Hồ sơ của: Nguyễn Thị Hương",
            "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
            "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 22/11/2026",
            "Ngày 22/11/2026, Bộ phận Một cửa UBND phường Phố Hiến đã tiếp nhận hồ sơ",
            "1. Bản sao có chứng thực Giấy chứng nhận kết hôn của cha, mẹ",
            "2. Văn bản ủy quyền có chứng thực",
            "Lý do: Hồ sơ thiếu giấy tờ chứng minh quan hệ cha, mẹ, con.",
            "NGƯỜI HƯỚNG DẪN",
            "Trần Văn Đức",
        ],
    );
    assert_eq!(pages(&text), 1);
}

#[test]
fn refusal_states_the_reason() {
    let pdf = refusal_pdf(engine(), &refusal()).expect("refusal renders");
    assert_fonts_embedded("refusal", &pdf);
    let Some(text) = text_of("form-03-refusal.pdf", &pdf) else {
        return skip("refusal_states_the_reason");
    };
    assert_contains_all("refusal", &text, &HEADER);
    assert_contains_all(
        "refusal",
        &text,
        &[
            "Phố Hiến, ngày 22 tháng 11 năm 2026",
            "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
            "Họ và tên: Nguyễn Thị Hương",
            "Nội dung yêu cầu giải quyết: Chứng thực bản sao từ bản chính",
            "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 22/11/2026",
            "UBND phường Phố Hiến thông báo không tiếp nhận, giải quyết hồ sơ này",
            "Bản chính đã bị tẩy xóa, sửa chữa nội dung",
            "(Điều 22 Nghị định 23/2015/NĐ-CP).",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Trần Văn Đức",
        ],
    );
    assert_eq!(pages(&text), 1);

    // Refused before being received: no time of receipt is printed.
    let mut form = refusal();
    form.received_at = None;
    let pdf = refusal_pdf(engine(), &form).expect("refusal renders");
    if let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") {
        assert!(!words(&text).contains("Thời gian nhận hồ sơ"), "{text}");
    }
}

#[test]
fn apology_gives_the_new_appointment() {
    let pdf = apology_pdf(engine(), &apology()).expect("apology renders");
    assert_fonts_embedded("apology", &pdf);
    let Some(text) = text_of("form-04-apology.pdf", &pdf) else {
        return skip("apology_gives_the_new_appointment");
    };
    assert_contains_all("apology", &text, &HEADER);
    assert_contains_all(
        "apology",
        &text,
        &[
            "Phố Hiến, ngày 24 tháng 11 năm 2026",
            "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            "Kính gửi: Ông/bà Nguyễn Thị Hương",
            "Ngày 22/11/2026, UBND phường Phố Hiến đã tiếp nhận hồ sơ",
            "Đăng ký khai sinh",
            "16 giờ 00 phút, ngày 25/11/2026",
            "Lý do: Cần xác minh thông tin nơi cư trú của người mẹ tại địa phương khác.",
            "xin lỗi ông/bà",
            "16 giờ 00 phút, ngày 27/11/2026",
            "THỦ TRƯỞNG CƠ QUAN",
            "Lê Minh Tuấn",
        ],
    );
    assert_eq!(pages(&text), 1);
}

#[test]
fn stop_notice_states_the_reason() {
    let pdf = stop_pdf(engine(), &stop()).expect("stop notice renders");
    assert_fonts_embedded("stop", &pdf);
    let Some(text) = text_of("form-05-stop.pdf", &pdf) else {
        return skip("stop_notice_states_the_reason");
    };
    assert_contains_all("stop", &text, &HEADER);
    assert_contains_all(
        "stop",
        &text,
        &[
            // 08:00 UTC is 15:00 in Vietnam, the same day.
            "Phố Hiến, ngày 23 tháng 11 năm 2026",
            "THÔNG BÁO VỀ VIỆC DỪNG GIẢI QUYẾT HỒ SƠ",
            "Kính gửi: Ông/bà Nguyễn Thị Hương",
            "thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 22/11/2026",
            "UBND phường Phố Hiến thông báo dừng giải quyết hồ sơ nêu trên",
            "Lý do: Người nộp hồ sơ có văn bản đề nghị rút hồ sơ ngày 23/11/2026.",
            "THỦ TRƯỞNG CƠ QUAN",
            "Lê Minh Tuấn",
        ],
    );
    assert_eq!(pages(&text), 1);
}

#[test]
fn control_sheet_tabulates_the_steps() {
    let pdf = control_sheet_pdf(engine(), &control_sheet()).expect("control sheet renders");
    assert_fonts_embedded("control sheet", &pdf);
    let Some(text) = text_of("form-06-control-sheet.pdf", &pdf) else {
        return skip("control_sheet_tabulates_the_steps");
    };
    assert_contains_all("control sheet", &text, &HEADER);
    assert_contains_all(
        "control sheet",
        &text,
        &[
            "Phố Hiến, ngày 24 tháng 11 năm 2026",
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            "Hồ sơ của: Nguyễn Thị Hương",
            "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 22/11/2026",
            "Thời gian hẹn trả kết quả: 16 giờ 00 phút, ngày 25/11/2026",
            "In lúc 16 giờ 05 phút, ngày 24/11/2026",
        ],
    );
    // Cells wrap inside their column, so pdftotext may interleave the
    // lines of neighbouring cells: check the table word by word.
    assert_words_present(
        "control sheet",
        &text,
        &[
            "STT Bước xử lý Người thực hiện Nhận hồ sơ Thời hạn Hoàn thành Kết quả",
            "Tiếp nhận, kiểm tra hồ sơ",
            "Thẩm định hồ sơ, trình ký",
            "Phạm Thu Trang",
            "Công chức Tư pháp – Hộ tịch",
            "4 giờ làm việc",
            "(2 giờ 30 phút)",
            "Trước hạn",
            "Quá hạn",
            "Đang xử lý",
            "Chưa đến",
        ],
    );
    // Times in the table are Vietnam time too: 04:45 UTC is 11:45.
    let flat = words(&text);
    assert!(flat.contains("11:45"), "{flat}");
    assert!(flat.contains("22/11/2026"), "{flat}");
    assert_eq!(pages(&text), 1);
}

#[test]
fn user_text_is_never_markup() {
    let mut form = receipt();
    form.applicant.full_name = "Nguyễn #Văn [Đức]* _x_ $y$ <z> @w // ghi chú".into();
    form.request = "#panic(\"không\") = Tiêu đề".into();
    form.documents = vec![document("Giấy `tờ` \\ #include \"/etc/passwd\"", 1, 0, 0)];
    let pdf = receipt_pdf(engine(), &form).expect("markup characters are only text");
    let Some(text) = testing::pdf_text(&pdf).expect("pdftotext runs") else {
        return skip("user_text_is_never_markup");
    };
    assert_contains_all(
        "markup receipt",
        &text,
        &[
            "Nguyễn #Văn [Đức]* _x_ $y$ <z> @w // ghi chú",
            "#panic(\"không\") = Tiêu đề",
            "Giấy `tờ` \\ #include \"/etc/passwd\"",
        ],
    );
}

#[test]
fn a_tracking_url_too_long_for_a_qr_code_is_an_error() {
    let mut form = receipt();
    form.tracking_url = format!("https://motcua.example.vn/{}", "x".repeat(5_000));
    assert!(matches!(
        receipt_pdf(engine(), &form),
        Err(DocsError::Qr(_))
    ));
}

#[test]
fn helpers_clean_and_word_values() {
    assert_eq!(
        one_line("  UBND phường\nPhố   Hiến "),
        "UBND phường Phố Hiến"
    );
    // Decomposed input (e + combining marks) comes out composed.
    assert_eq!(text("Nguye\u{302}\u{303}n"), "Nguyễn");
    assert_eq!(optional(Some("  ")), None);
    assert_eq!(optional(None), None);
    assert_eq!(sentence("Thiếu giấy tờ"), "Thiếu giấy tờ.");
    assert_eq!(sentence("Thiếu giấy tờ."), "Thiếu giấy tờ.");
    assert_eq!(sentence(""), "");
    assert_eq!(count(0), "–");
    assert_eq!(count(12), "12");
    assert_eq!(
        lookup_url("https://x.vn/tra-cuu/H56-261122-0007", "H56-261122-0007"),
        "https://x.vn/tra-cuu"
    );
    assert_eq!(
        lookup_url("https://x.vn/tra-cuu?ma=H56-261122-0007", "H56-261122-0007"),
        "https://x.vn/tra-cuu?ma=H56-261122-0007"
    );
    assert_eq!(
        lookup_url("https://x.vn/tra-cuu", "H56"),
        "https://x.vn/tra-cuu"
    );
    assert_eq!(short_time(at("2026-11-22T17:05:00Z")), "00:05\n23/11/2026");
}

/// Render times of every form, warm (after a first render that loads the
/// fonts); printed, not asserted. See them with `--nocapture`.
#[test]
fn render_times_are_reported() {
    type Render = Box<dyn Fn() -> Result<Vec<u8>, DocsError>>;
    let forms: Vec<(&str, Render)> = vec![
        ("01 receipt", Box::new(|| receipt_pdf(engine(), &receipt()))),
        (
            "02 supplement",
            Box::new(|| supplement_pdf(engine(), &supplement())),
        ),
        ("03 refusal", Box::new(|| refusal_pdf(engine(), &refusal()))),
        ("04 apology", Box::new(|| apology_pdf(engine(), &apology()))),
        ("05 stop", Box::new(|| stop_pdf(engine(), &stop()))),
        (
            "06 control sheet",
            Box::new(|| control_sheet_pdf(engine(), &control_sheet())),
        ),
    ];
    const RUNS: u32 = 5;
    for (name, render) in &forms {
        let cold = Instant::now();
        let pdf = render().expect("renders");
        let cold = cold.elapsed();
        let mut warm = Duration::ZERO;
        for _ in 0..RUNS {
            let start = Instant::now();
            render().expect("renders");
            warm += start.elapsed();
        }
        eprintln!(
            "form {name}: first {cold:?}, then {:?} per render, {} bytes",
            warm / RUNS,
            pdf.len()
        );
    }
}
