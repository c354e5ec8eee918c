//! The rows an import rejected, as a workbook the officer fixes and imports again:
//! the row's cells as read, under the field names, and a reason column.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// One rejected row: where it was, its cells as text (by column), why.
pub struct RejectedRow {
    pub sheet: String,
    pub excel_row: u32,
    pub values: Vec<(String, String)>,
    pub reason: String,
}

/// The workbook: one sheet "Bị từ chối", columns "Trang tính", "Dòng", then every
/// field column met in the rows (in the order given), then "Lý do".
pub fn rejected_rows_xlsx(columns: &[String], rows: &[RejectedRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Bị từ chối")?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    sheet.write_string_with_format(0, 0, "Trang tính", &bold)?;
    sheet.write_string_with_format(0, 1, "Dòng", &bold)?;
    for (i, c) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16 + 2, c, &bold)?;
    }
    let reason_col = columns.len() as u16 + 2;
    sheet.write_string_with_format(0, reason_col, "Lý do", &bold)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, &row.sheet)?;
        sheet.write_number(r, 1, f64::from(row.excel_row))?;
        for (name, value) in &row.values {
            if let Some(i) = columns.iter().position(|c| c == name) {
                // As text: an identity number keeps its leading zeros.
                sheet.write_string_with_format(r, i as u16 + 2, value, &text)?;
            }
        }
        sheet.write_string(r, reason_col, &row.reason)?;
    }
    sheet.set_column_width(reason_col, 60)?;
    book.save_to_buffer()
}

/// A cell of a register export.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportCell {
    Empty,
    Text(String),
    Int(i64),
    Date(jiff::civil::Date),
}

/// One sheet of a register export: its name (also the CSV file's stem), its
/// column titles, its rows.
#[derive(Debug, Clone)]
pub struct ExportSheet {
    pub name: String,
    pub file_stem: String,
    pub titles: Vec<String>,
    pub rows: Vec<Vec<ExportCell>>,
}

/// The export as one workbook, a sheet per [`ExportSheet`]: bold titles on the
/// first row (frozen), text as text (an identity number keeps its zeros, "=…" is
/// no formula), dates as dates shown dd/mm/yyyy (as text before 1900, which
/// Excel cannot hold).
pub fn export_xlsx(sheets: &[ExportSheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let day = Format::new().set_num_format("dd/mm/yyyy");
    for s in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(&s.name)?;
        for (c, t) in s.titles.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, t, &bold)?;
            sheet.set_column_width(c as u16, 18)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    ExportCell::Empty => {}
                    ExportCell::Text(t) => {
                        sheet.write_string_with_format(r, c, t, &text)?;
                    }
                    ExportCell::Int(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    ExportCell::Date(d) if d.year() >= 1900 => {
                        let dt = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )?;
                        sheet.write_datetime_with_format(r, c, &dt, &day)?;
                    }
                    ExportCell::Date(d) => {
                        sheet.write_string_with_format(r, c, dmy(*d), &text)?;
                    }
                }
            }
        }
    }
    book.save_to_buffer()
}

fn dmy(d: jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

/// One sheet as CSV (RFC 4180: comma-separated, CRLF, fields with a comma, a
/// quote or a line break quoted, quotes doubled), UTF-8 with a byte-order mark so
/// that Excel opens the Vietnamese text right; dates dd/mm/yyyy.
pub fn export_csv(sheet: &ExportSheet) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        let fields: Vec<String> = cells.map(|c| csv_field(&c)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    };
    line(&mut sheet.titles.iter().cloned());
    for row in &sheet.rows {
        line(&mut row.iter().map(|c| match c {
            ExportCell::Empty => String::new(),
            ExportCell::Text(t) => t.clone(),
            ExportCell::Int(n) => n.to_string(),
            ExportCell::Date(d) => dmy(*d),
        }));
    }
    out.into_bytes()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn rejected_rows_read_back_with_their_reason() {
        let bytes = rejected_rows_xlsx(
            &["number".into(), "full_name".into(), "personal_id".into()],
            &[RejectedRow {
                sheet: "2014".into(),
                excel_row: 9,
                values: vec![
                    ("full_name".into(), "Phạm Thị Ba".into()),
                    ("personal_id".into(), "001090000123".into()),
                ],
                reason: "Ngày đăng ký: «31/02/2014» không phải là một ngày có thật.".into(),
            }],
        )
        .expect("workbook");
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
        let range = book.worksheet_range("Bị từ chối").expect("sheet");
        assert_eq!(range.get((0, 5)), Some(&Data::String("Lý do".into())));
        assert_eq!(range.get((1, 3)), Some(&Data::String("Phạm Thị Ba".into())));
        assert_eq!(
            range.get((1, 4)),
            Some(&Data::String("001090000123".into()))
        );
        assert_eq!(range.get((1, 1)), Some(&Data::Float(9.0)));
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let sheet = ExportSheet {
            name: "Khai sinh 2014".into(),
            file_stem: "birth-2014".into(),
            titles: vec!["Số".into(), "Họ, chữ đệm, tên".into()],
            rows: vec![vec![
                ExportCell::Int(7),
                ExportCell::Text("Lê \"Bé\", Hai\ndòng".into()),
            ]],
        };
        let csv = String::from_utf8(export_csv(&sheet)).expect("utf-8");
        assert_eq!(
            csv,
            "\u{feff}Số,\"Họ, chữ đệm, tên\"\r\n7,\"Lê \"\"Bé\"\", Hai\ndòng\"\r\n"
        );
    }
}
