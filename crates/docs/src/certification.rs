//! Certification papers: the statement printed onto the copy, and the book as a
//! workbook.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde_json::json;

use crate::{qr_svg, DocsError, Document, PdfEngine};

/// Source of the statement's template.
pub const STATEMENT_TYP: &str = include_str!("../templates/certification.typ");

/// What the statement prints.
pub struct Statement<'a> {
    pub agency: &'a str,
    /// The statement's paragraphs (`motcua_domain::certification::statement_vi`).
    pub lines: &'a [String],
    pub signer_title: &'a str,
    pub signer_name: &'a str,
    /// "Lệ phí: 5.000 đ (Năm nghìn đồng)"
    pub fee: &'a str,
    /// The public verification page, printed as a QR code.
    pub verification_url: Option<&'a str>,
}

/// The statement as a PDF.
pub fn statement_pdf(engine: &PdfEngine, s: &Statement<'_>) -> Result<Vec<u8>, DocsError> {
    let mut doc = Document::new(STATEMENT_TYP).with_inputs(json!({
        "agency": s.agency,
        "lines": s.lines,
        "signer_title": s.signer_title,
        "signer_name": s.signer_name,
        "fee": s.fee,
        "qr": s.verification_url.is_some(),
        "verification": s.verification_url.unwrap_or(""),
    }));
    if let Some(url) = s.verification_url {
        doc = doc.with_file("/qr.svg", qr_svg(url)?.into_bytes());
    }
    engine.render(&doc)
}

/// One line of the book.
pub struct BookRow {
    pub number: Option<i64>,
    pub book: String,
    /// dd/mm/yyyy
    pub date: String,
    pub kind: String,
    pub requester: String,
    pub requester_id: String,
    pub document: String,
    pub pages: i64,
    pub copies: i64,
    pub signer: String,
    pub fee: i64,
    /// The dossier a late or large request became.
    pub dossier: String,
}

/// What the book's sheet shows.
pub struct BookSheet<'a> {
    /// "Sổ chứng thực bản sao từ bản chính"
    pub title: &'a str,
    pub agency: &'a str,
    /// "Từ ngày 01/03/2026 đến ngày 31/03/2026"
    pub period: &'a str,
    pub rows: Vec<BookRow>,
}

const HEADERS: [(&str, f64); 12] = [
    ("Số chứng thực", 10.0),
    ("Quyển số", 18.0),
    ("Ngày", 12.0),
    ("Loại việc", 24.0),
    ("Người yêu cầu", 24.0),
    ("Số định danh", 15.0),
    ("Giấy tờ, văn bản", 32.0),
    ("Số trang", 8.0),
    ("Số bản", 8.0),
    ("Người ký", 20.0),
    ("Lệ phí (đ)", 12.0),
    ("Hồ sơ", 18.0),
];

/// The book as an .xlsx workbook, one row per entry and the total of fees.
pub fn book_xlsx(sheet: &BookSheet<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("So chung thuc")?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    let font = |f: Format| f.set_font_name("Times New Roman").set_font_size(12);
    let centered = font(Format::new())
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let title = centered.clone().set_bold().set_font_size(14);
    let header = centered.clone().set_bold().set_border(FormatBorder::Thin);
    let cell = font(Format::new())
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let number = cell
        .clone()
        .set_num_format("#,##0")
        .set_align(FormatAlign::Right);
    let last = (HEADERS.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last, &sheet.title.to_uppercase(), &title)?;
    ws.merge_range(1, 0, 1, last, sheet.agency, &centered)?;
    ws.merge_range(2, 0, 2, last, sheet.period, &centered.clone().set_italic())?;
    for (c, (name, width)) in HEADERS.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, *width)?;
        ws.write_with_format(4, c, *name, &header)?;
    }
    let mut total: i64 = 0;
    let mut r: u32 = 5;
    for row in &sheet.rows {
        match row.number {
            Some(n) => ws.write_with_format(r, 0, n as f64, &number)?,
            None => ws.write_with_format(r, 0, "", &cell)?,
        };
        ws.write_with_format(r, 1, row.book.as_str(), &cell)?;
        ws.write_with_format(r, 2, row.date.as_str(), &cell)?;
        ws.write_with_format(r, 3, row.kind.as_str(), &cell)?;
        ws.write_with_format(r, 4, row.requester.as_str(), &cell)?;
        ws.write_with_format(r, 5, row.requester_id.as_str(), &cell)?;
        ws.write_with_format(r, 6, row.document.as_str(), &cell)?;
        ws.write_with_format(r, 7, row.pages as f64, &number)?;
        ws.write_with_format(r, 8, row.copies as f64, &number)?;
        ws.write_with_format(r, 9, row.signer.as_str(), &cell)?;
        ws.write_with_format(r, 10, row.fee as f64, &number)?;
        ws.write_with_format(r, 11, row.dossier.as_str(), &cell)?;
        total = total.saturating_add(row.fee);
        r += 1;
    }
    ws.merge_range(r, 0, r, 9, "Tổng lệ phí", &cell.clone().set_bold())?;
    ws.write_with_format(r, 10, total as f64, &number.clone().set_bold())?;
    ws.write_with_format(r, 11, "", &cell)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_prints_its_lines_and_signer() {
        let engine = PdfEngine::new();
        let lines = vec![
            "Chứng thực bản sao đúng với bản chính.".to_owned(),
            "Số chứng thực 125, Quyển số 01/2026-SCT/BS".to_owned(),
            "Ngày 09 tháng 03 năm 2026".to_owned(),
        ];
        let pdf = statement_pdf(
            &engine,
            &Statement {
                agency: "UBND phường Phố Hiến",
                lines: &lines,
                signer_title: "Phó Chủ tịch",
                signer_name: "Đỗ Minh #Tuấn [x]*",
                fee: "Lệ phí: 5.000 đ (Năm nghìn đồng)",
                verification_url: Some("https://motcua.example/xac-minh/abc"),
            },
        )
        .expect("renders");
        assert!(pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn book_workbook_is_written() {
        let bytes = book_xlsx(&BookSheet {
            title: "Sổ chứng thực bản sao từ bản chính",
            agency: "UBND phường Phố Hiến",
            period: "Từ ngày 01/03/2026 đến ngày 31/03/2026",
            rows: vec![BookRow {
                number: Some(1),
                book: "01/2026-SCT/BS".into(),
                date: "09/03/2026".into(),
                kind: "Chứng thực bản sao từ bản chính".into(),
                requester: "Nguyễn Văn An".into(),
                requester_id: "001087012345".into(),
                document: "Bằng tốt nghiệp".into(),
                pages: 3,
                copies: 2,
                signer: "Đỗ Minh Tuấn".into(),
                fee: 10_000,
                dossier: String::new(),
            }],
        })
        .expect("writes");
        assert!(bytes.starts_with(b"PK"));
    }
}
