//! Mẫu số 07 of TT 03/2025/TT-VPCP, the dossier tracking book (Sổ theo dõi hồ
//! sơ), as a PDF on A4 landscape and as a workbook. The form's columns were not
//! published with the circular; they follow its predecessor (TT 01/2018, mẫu số
//! 06) and live in `templates/tracking-book.json`, so that an agency's layout is
//! changed by editing data, not code: both renderings draw the columns listed
//! there, in that order, with those headings and widths.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::format::place_date;
use crate::{DocsError, Document, PdfEngine};

const TEMPLATE: &str = include_str!("../../templates/tracking-book.typ");
const LAYOUT: &str = include_str!("../../templates/tracking-book.json");

/// One column of the book.
#[derive(Debug, Clone, Deserialize)]
pub struct Column {
    /// Which value of a row the column shows (see [`BookRow`]).
    pub key: String,
    pub heading: String,
    pub width_mm: f64,
    pub width_chars: f64,
}

/// The book's layout: its form number, title and columns.
#[derive(Debug, Clone, Deserialize)]
pub struct Layout {
    pub form: String,
    pub title: String,
    pub columns: Vec<Column>,
}

impl Layout {
    /// The layout shipped with motcua (`templates/tracking-book.json`).
    pub fn standard() -> Result<Layout, DocsError> {
        Layout::from_json(LAYOUT)
    }

    /// A layout written as JSON, checked: at least one column, each key known.
    pub fn from_json(text: &str) -> Result<Layout, DocsError> {
        let layout: Layout = serde_json::from_str(text)
            .map_err(|e| DocsError::Input(format!("tracking book layout: {e}")))?;
        if layout.columns.is_empty() {
            return Err(DocsError::Input("tracking book layout: no column".into()));
        }
        for c in &layout.columns {
            if !BookRow::KEYS.contains(&c.key.as_str()) {
                return Err(DocsError::Input(format!(
                    "tracking book layout: unknown column key «{}» (known: {})",
                    c.key,
                    BookRow::KEYS.join(", ")
                )));
            }
        }
        Ok(layout)
    }
}

/// One dossier of the book, every value already written as the paper shows it.
#[derive(Debug, Clone, Default)]
pub struct BookRow {
    pub code: String,
    pub procedure: String,
    /// The applicant's name, and address when known.
    pub applicant: String,
    pub received: String,
    pub due: String,
    /// Who the dossier was passed to (the specialist), or empty.
    pub passed_to: String,
    pub returned: String,
    pub result: String,
    pub note: String,
}

impl BookRow {
    /// The keys a layout's columns may name.
    pub const KEYS: [&'static str; 11] = [
        "number",
        "code",
        "procedure",
        "applicant",
        "received",
        "due",
        "passed_to",
        "returned",
        "result",
        "signature",
        "note",
    ];

    fn values(&self, number: usize) -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("number", number.to_string()),
            ("code", self.code.clone()),
            ("procedure", self.procedure.clone()),
            ("applicant", self.applicant.clone()),
            ("received", self.received.clone()),
            ("due", self.due.clone()),
            ("passed_to", self.passed_to.clone()),
            ("returned", self.returned.clone()),
            ("result", self.result.clone()),
            // Signed by hand on the printed book.
            ("signature", String::new()),
            ("note", self.note.clone()),
        ])
    }

    /// The row's cells in the layout's column order.
    pub fn cells(&self, number: usize, layout: &Layout) -> Vec<String> {
        let values = self.values(number);
        layout
            .columns
            .iter()
            .map(|c| values.get(c.key.as_str()).cloned().unwrap_or_default())
            .collect()
    }
}

/// What the book shows.
pub struct TrackingBook<'a> {
    pub layout: &'a Layout,
    /// The superior agency, printed above the unit (none at the top level).
    pub parent: Option<&'a str>,
    pub unit: &'a str,
    pub place: &'a str,
    pub today: Date,
    /// "Từ ngày 01/01/2026 đến ngày 31/03/2026".
    pub period: &'a str,
    pub rows: &'a [BookRow],
}

fn inputs(b: &TrackingBook<'_>) -> Value {
    json!({
        "parent": b.parent,
        "unit": b.unit,
        "place_date": place_date(b.place, b.today),
        "period": b.period,
        "form": b.layout.form,
        "title": b.layout.title,
        "columns": b.layout.columns.iter()
            .map(|c| json!({"heading": c.heading, "width_mm": c.width_mm}))
            .collect::<Vec<_>>(),
        "rows": b.rows.iter().enumerate()
            .map(|(i, r)| r.cells(i + 1, b.layout))
            .collect::<Vec<_>>(),
    })
}

/// The book as a PDF (A4 landscape, fonts embedded).
pub fn tracking_book_pdf(
    engine: &PdfEngine,
    book: &TrackingBook<'_>,
) -> Result<Vec<u8>, DocsError> {
    engine.render(&Document::new(TEMPLATE).with_inputs(inputs(book)))
}

/// The book as a workbook, laid out like the paper, ready to print on A4
/// landscape.
pub fn tracking_book_xlsx(book: &TrackingBook<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("So theo doi ho so")?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    let font = |f: Format| f.set_font_name("Times New Roman").set_font_size(12);
    let centered = font(Format::new())
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let title = centered.clone().set_bold().set_font_size(14);
    let italic = centered.clone().set_italic();
    let header = centered.clone().set_bold().set_border(FormatBorder::Thin);
    let number_header = centered.clone().set_italic().set_border(FormatBorder::Thin);
    let cell = font(Format::new())
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();

    let columns = &book.layout.columns;
    let last = u16::try_from(columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    for (i, c) in columns.iter().enumerate() {
        ws.set_column_width(i as u16, c.width_chars)?;
    }
    ws.merge_range(0, 0, 0, last, &book.layout.form, &italic)?;
    ws.merge_range(1, 0, 1, last, &book.layout.title.to_uppercase(), &title)?;
    ws.merge_range(2, 0, 2, last, &format!("Đơn vị: {}", book.unit), &centered)?;
    ws.merge_range(3, 0, 3, last, book.period, &centered)?;
    let head = 5;
    for (i, c) in columns.iter().enumerate() {
        ws.write_with_format(head, i as u16, &c.heading, &header)?;
        ws.write_with_format(head + 1, i as u16, format!("({})", i + 1), &number_header)?;
    }
    ws.set_row_height(head, 48)?;
    for (n, r) in book.rows.iter().enumerate() {
        let row = head + 2 + n as u32;
        for (i, (value, column)) in r.cells(n + 1, book.layout).iter().zip(columns).enumerate() {
            if column.key == "number" {
                ws.write_number_with_format(row, i as u16, (n + 1) as f64, &cell)?;
            } else {
                ws.write_with_format(row, i as u16, value, &cell)?;
            }
        }
    }
    ws.set_freeze_panes(head + 2, 0)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    fn row() -> BookRow {
        BookRow {
            code: "000.01.56.H56-260105-0001".into(),
            procedure: "Đăng ký khai sinh".into(),
            applicant: "Nguyễn Văn An, thôn Đông, phường Phố Hiến".into(),
            received: "08:15 05/01/2026".into(),
            due: "17:00 05/01/2026".into(),
            passed_to: "Trần Thị Bình".into(),
            returned: "16:30 05/01/2026".into(),
            result: "Đã trả kết quả: đúng hạn".into(),
            note: "#[x] *".into(),
        }
    }

    #[test]
    fn the_standard_layout_follows_form_06_of_2018() {
        let layout = Layout::standard().expect("layout");
        let keys: Vec<&str> = layout.columns.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, BookRow::KEYS);
        assert!(Layout::from_json(r#"{"form":"x","title":"y","columns":[{"key":"nope","heading":"h","width_mm":1,"width_chars":1}]}"#).is_err());
    }

    #[test]
    fn a_layout_with_fewer_columns_draws_only_those() {
        let layout = Layout::from_json(
            r#"{"form":"Mẫu","title":"Sổ","columns":[
                {"key":"code","heading":"Mã","width_mm":40,"width_chars":20},
                {"key":"applicant","heading":"Người nộp","width_mm":60,"width_chars":30}]}"#,
        )
        .expect("layout");
        let r = row();
        assert_eq!(
            r.cells(1, &layout),
            vec![r.code.clone(), r.applicant.clone()]
        );
    }

    #[test]
    fn renders_and_reads_back() {
        let layout = Layout::standard().expect("layout");
        let rows = vec![
            row(),
            BookRow {
                passed_to: String::new(),
                ..row()
            },
        ];
        let book = TrackingBook {
            layout: &layout,
            parent: Some("UBND tỉnh Hưng Yên"),
            unit: "UBND phường Phố Hiến",
            place: "Phố Hiến",
            today: jiff::civil::date(2026, 2, 1),
            period: "Từ ngày 01/01/2026 đến ngày 31/01/2026",
            rows: &rows,
        };
        let pdf = tracking_book_pdf(&PdfEngine::new(), &book).expect("pdf");
        assert!(pdf.starts_with(b"%PDF"));
        let bytes = tracking_book_xlsx(&book).expect("xlsx");
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("opens");
        let range = wb.worksheet_range("So theo doi ho so").expect("sheet");
        let text = |r: u32, c: u32| match range.get_value((r, c)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Float(f)) => f.to_string(),
            None | Some(Data::Empty) => String::new(),
            other => format!("{other:?}"),
        };
        assert_eq!(text(1, 0), "SỔ THEO DÕI HỒ SƠ");
        assert_eq!(text(5, 0), "STT");
        assert_eq!(text(5, 3), "Tên cá nhân, tổ chức nộp hồ sơ và địa chỉ");
        assert_eq!(text(6, 10), "(11)");
        assert_eq!(text(7, 0), "1");
        assert_eq!(text(7, 1), "000.01.56.H56-260105-0001");
        assert_eq!(text(8, 6), "");
    }
}
