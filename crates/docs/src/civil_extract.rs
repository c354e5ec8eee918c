//! The certified extract of a civil-status register entry (trích lục hộ tịch,
//! bản sao), in the layout of the Ministry of Justice's extract forms.

use serde_json::json;

use crate::{qr_svg, DocsError, Document, PdfEngine};

/// Source of the extract's template.
pub const CIVIL_EXTRACT_TYP: &str = include_str!("../templates/civil_extract.typ");

/// What the extract prints. Every string is data, printed literally.
pub struct Extract<'a> {
    pub parent_agency: Option<&'a str>,
    pub agency: &'a str,
    /// "Số: 12/TLKS-BS"
    pub number_line: &'a str,
    /// "Phường Phố Hiến, ngày 05 tháng 3 năm 2026"
    pub place_date: &'a str,
    /// "Trích lục khai sinh (bản sao)"
    pub title: &'a str,
    /// (label, value) of the entry's current values, in the form's order.
    pub fields: &'a [(String, String)],
    /// "Sổ đăng ký khai sinh"
    pub register: &'a str,
    pub book: &'a str,
    pub number: i64,
    /// dd/mm/yyyy
    pub registered_on: &'a str,
    pub registered_at: &'a str,
    /// One line per change, correction or supplement recorded on the entry.
    pub notes: &'a [String],
    pub signer_title: &'a str,
    pub signer_name: &'a str,
    pub copies: i64,
    /// "Lệ phí: 8.000 đ (Tám nghìn đồng)"
    pub fee: &'a str,
    /// The public verification page, printed as a QR code and in full.
    pub verification_url: &'a str,
    /// The date of issue (the document's date).
    pub date: jiff::civil::Date,
}

/// The extract as a PDF.
pub fn extract_pdf(engine: &PdfEngine, e: &Extract<'_>) -> Result<Vec<u8>, DocsError> {
    let fields: Vec<_> = e
        .fields
        .iter()
        .map(|(label, value)| json!({ "label": label, "value": value }))
        .collect();
    let doc = Document::new(CIVIL_EXTRACT_TYP)
        .with_inputs(json!({
            "parent": e.parent_agency.unwrap_or(""),
            "agency": e.agency,
            "number_line": e.number_line,
            "place_date": e.place_date,
            "title": e.title,
            "fields": fields,
            "register": e.register,
            "book": e.book,
            "number": e.number.to_string(),
            "registered_on": e.registered_on,
            "registered_at": e.registered_at,
            "notes": e.notes,
            "signer_title": e.signer_title,
            "signer_name": e.signer_name,
            "copies_line": format!("Số bản sao: {:02}", e.copies),
            "fee": e.fee,
            "verification": e.verification_url,
        }))
        .with_file("/qr.svg", qr_svg(e.verification_url)?.into_bytes())
        .with_today(e.date);
    engine.render(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{pdf_qr_texts, pdf_text};

    #[test]
    fn extract_prints_motto_values_book_and_a_readable_qr() {
        let engine = PdfEngine::new();
        let fields = vec![
            (
                "Họ, chữ đệm, tên".to_owned(),
                "Nguyễn #Văn [An]*".to_owned(),
            ),
            ("Ngày, tháng, năm sinh".to_owned(), "05/03/2014".to_owned()),
        ];
        let url = "https://motcua.example/xac-minh/AbC-123_x";
        let pdf = extract_pdf(
            &engine,
            &Extract {
                parent_agency: Some("UBND tỉnh Hưng Yên"),
                agency: "UBND phường Phố Hiến",
                number_line: "Số: 7/TLKS-BS",
                place_date: "Phường Phố Hiến, ngày 05 tháng 3 năm 2026",
                title: "Trích lục khai sinh (bản sao)",
                fields: &fields,
                register: "Sổ đăng ký khai sinh",
                book: "01/2014",
                number: 7,
                registered_on: "10/03/2014",
                registered_at: "UBND phường Phố Hiến",
                notes: &[],
                signer_title: "Chủ tịch",
                signer_name: "Đỗ Minh Tuấn",
                copies: 2,
                fee: "Lệ phí: 16.000 đ (Mười sáu nghìn đồng)",
                verification_url: url,
                date: jiff::civil::date(2026, 3, 5),
            },
        )
        .expect("renders");
        if let Some(text) = pdf_text(&pdf).expect("pdftotext") {
            for needle in [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
                "TRÍCH LỤC KHAI SINH (BẢN SAO)",
                "Nguyễn #Văn [An]*",
                "01/2014",
                "Số bản sao: 02",
            ] {
                assert!(text.contains(needle), "{needle} missing in:\n{text}");
            }
        }
        if let Some(codes) = pdf_qr_texts(&pdf).expect("rasterise") {
            assert_eq!(codes, [url]);
        }
    }
}
