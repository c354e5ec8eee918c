//! A workbook's rows as the registers' import takes them (`app.registers().import`):
//! the same typed values under the same field names, with the sheet's year standing
//! in for a book year that no column gives.

use std::collections::BTreeMap;

use motcua_domain::civil::{Cell, ImportRow, BOOK_YEAR};

use crate::{Value, Workbook};

impl From<Value> for Cell {
    fn from(value: Value) -> Cell {
        match value {
            Value::Text(t) => Cell::Text(t),
            Value::Date(d) => Cell::Date(d),
            Value::Year(y) => Cell::Year(y),
            Value::Integer(n) => Cell::Integer(n),
            Value::Invalid { raw, reason } => Cell::Invalid { raw, reason },
        }
    }
}

/// Every row of every sheet, in order, blank ones included, so that the import
/// accounts for each of them.
pub fn import_rows(workbook: &Workbook) -> Vec<ImportRow> {
    workbook
        .sheets
        .iter()
        .flat_map(|sheet| {
            sheet.rows.iter().map(move |row| {
                let mut values: BTreeMap<String, Cell> = row
                    .values
                    .iter()
                    .map(|(field, value)| (field.clone(), Cell::from(value.clone())))
                    .collect();
                if let (Some(year), false) = (sheet.book_year, row.blank) {
                    values
                        .entry(BOOK_YEAR.to_owned())
                        .or_insert(Cell::Year(year));
                }
                ImportRow {
                    sheet: sheet.name.clone(),
                    excel_row: row.excel_row,
                    blank: row.blank,
                    values,
                }
            })
        })
        .collect()
}
