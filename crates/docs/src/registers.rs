//! The rows an import rejected, as a workbook the officer fixes and imports again:
//! the row's cells as read, under the field names, and a reason column.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

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
}
