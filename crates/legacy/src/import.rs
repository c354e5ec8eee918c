//! A workbook's rows as the registers' import takes them (`app.registers().import`):
//! the same typed values under the same field names, with the sheet's year standing
//! in for a book year that no column gives.

use motcua_domain::civil::{Cell, ImportRow, BOOK_YEAR};

use crate::Workbook;

/// Every row of every sheet, in order, blank ones included, so that the import
/// accounts for each of them. The rows are moved out of `workbook` (a large
/// register's values are not copied); its sheets keep their names, headers and
/// columns, and its notes stay.
pub fn import_rows(workbook: &mut Workbook) -> Vec<ImportRow> {
    let mut out = Vec::with_capacity(workbook.sheets.iter().map(|s| s.rows.len()).sum());
    for sheet in &mut workbook.sheets {
        for row in std::mem::take(&mut sheet.rows) {
            let mut values = row.values;
            if let (Some(year), false) = (sheet.book_year, row.blank) {
                values
                    .entry(BOOK_YEAR.to_owned())
                    .or_insert(Cell::Year(year));
            }
            out.push(ImportRow {
                sheet: sheet.name.clone(),
                excel_row: row.excel_row,
                blank: row.blank,
                values,
            });
        }
    }
    out
}
