//! Importing rows already read from a legacy workbook (by `motcua-legacy`): every
//! row accounted for, nothing overwritten, the same rows twice adding nothing.

use std::collections::HashMap;

use motcua_domain::access::Action;
use motcua_domain::civil::{self, Draft, ImportRow};
use motcua_store::new_id;
use motcua_store::registers::{self as store, BookRow};
use serde::Serialize;

use super::{entry_row, kind_param, Registers, Source};
use crate::error::Error;
use crate::error::Result;
use crate::Principal;

/// A problem with one cell (or the whole row, `column` "row") of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rejected {
    pub sheet: String,
    /// As Excel shows it.
    pub row: u32,
    pub column: String,
    pub reason: String,
}

/// What an import did (or, in a dry run, would do). Every row is counted once:
/// `total_rows = imported + duplicates + blank + rejected_rows`; `rejected` lists
/// each problem, a row with several problems several times.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub total_rows: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub blank: u64,
    pub rejected_rows: u64,
    pub rejected: Vec<Rejected>,
    pub dry_run: bool,
}

/// The book an entry goes to: (year, label).
type BookKey = (i64, String);

struct Known {
    registered_on: String,
    re_registration: i64,
    fields: String,
}

impl Registers<'_> {
    /// Imports already-parsed rows of `kind` into the registers of `agency_code`.
    /// Each row must carry its `number` and `registered_on` (its book defaults to
    /// the year's first); a row equal to the entry already at its book and number
    /// is a duplicate, a row that differs from it is rejected, never written over.
    /// A dry run checks everything against the database and writes nothing.
    pub async fn import(
        &self,
        by: &Principal,
        agency_code: &str,
        kind: &str,
        rows: &[ImportRow],
        dry_run: bool,
    ) -> Result<ImportReport> {
        let kind = kind_param(kind)?;
        let mut report = ImportReport {
            total_rows: rows.len() as u64,
            dry_run,
            ..Default::default()
        };
        // Reading and checking every row needs no database: done before the write
        // lock is taken.
        let mut drafts: Vec<(&ImportRow, Draft)> = Vec::with_capacity(rows.len());
        for row in rows {
            if row.blank {
                report.blank += 1;
                continue;
            }
            match civil::read_draft(kind, false, &row.values) {
                Ok(d) if d.number.is_none() => {
                    report.rejected_rows += 1;
                    report.rejected.push(Rejected {
                        sheet: row.sheet.clone(),
                        row: row.excel_row,
                        column: civil::NUMBER.into(),
                        reason: "Thiếu số thứ tự trong sổ.".into(),
                    });
                }
                Ok(d) => drafts.push((row, d)),
                Err(errors) => {
                    report.rejected_rows += 1;
                    for e in errors.0 {
                        report.rejected.push(Rejected {
                            sheet: row.sheet.clone(),
                            row: row.excel_row,
                            column: e.field,
                            reason: e.message,
                        });
                    }
                }
            }
        }
        let mut tx = self.db.begin_write().await?;
        let agency = self.agency(&mut tx, agency_code).await?;
        by.require(Action::WriteRegister, &agency.path)?;
        // The books the rows name, with what they already hold.
        let mut books: HashMap<BookKey, Option<BookRow>> = HashMap::new();
        let mut known: HashMap<(BookKey, i64), Known> = HashMap::new();
        for (_, d) in &drafts {
            let key = (i64::from(d.year()), d.book_label());
            if books.contains_key(&key) {
                continue;
            }
            let book = store::find_book(&mut tx, &agency.id, kind.as_str(), key.0, &key.1).await?;
            if let Some(b) = &book {
                for c in store::contents_of_book(&mut tx, &b.id).await? {
                    known.insert(
                        (key.clone(), c.number),
                        Known {
                            registered_on: c.registered_on,
                            re_registration: c.re_registration,
                            fields: c.fields,
                        },
                    );
                }
            }
            books.insert(key, book);
        }
        let now = self.now_ms();
        let mut accepted: Vec<(BookKey, &Draft)> = Vec::new();
        for (row, d) in &drafts {
            let key = (i64::from(d.year()), d.book_label());
            let number = d.number.unwrap_or_default();
            let mut reject = |reason: String| {
                report.rejected_rows += 1;
                report.rejected.push(Rejected {
                    sheet: row.sheet.clone(),
                    row: row.excel_row,
                    column: civil::NUMBER.into(),
                    reason,
                });
            };
            if let Some(Some(b)) = books.get(&key) {
                if b.is_closed() {
                    reject(format!("Quyển {} năm {} đã khoá sổ.", key.1, key.0));
                    continue;
                }
            }
            let incoming = Known {
                registered_on: d.registered_on.to_string(),
                re_registration: i64::from(d.re_registration),
                fields: civil::values_to_json(&d.values),
            };
            match known.get(&(key.clone(), number)) {
                Some(k)
                    if k.fields == incoming.fields
                        && k.registered_on == incoming.registered_on
                        && k.re_registration == incoming.re_registration =>
                {
                    report.duplicates += 1;
                }
                Some(_) => reject(format!(
                    "Số {number} của quyển {} năm {} đã có một mục khác nội dung; mục đã có không bị ghi đè.",
                    key.1, key.0
                )),
                None => {
                    known.insert((key.clone(), number), incoming);
                    accepted.push((key, d));
                    report.imported += 1;
                }
            }
        }
        if dry_run {
            tx.rollback().await?;
            return Ok(report);
        }
        // Each book once, its sequence raised to the highest number it now holds.
        let mut highest: HashMap<&BookKey, i64> = HashMap::new();
        for (key, d) in &accepted {
            let n = d.number.unwrap_or_default();
            let h = highest.entry(key).or_insert(n);
            *h = (*h).max(n);
        }
        let mut ready: HashMap<BookKey, BookRow> = HashMap::new();
        for (key, n) in highest {
            let b = store::book_for_number(
                &mut tx,
                &new_id(),
                &agency.id,
                kind.as_str(),
                key.0,
                &key.1,
                n,
                now,
            )
            .await?;
            ready.insert(key.clone(), b);
        }
        let by_id = by.user_id();
        let mut batch = Vec::with_capacity(store::INSERT_BATCH);
        for (key, d) in &accepted {
            let Some(book) = ready.get(key) else { continue };
            batch.push(entry_row(
                d,
                book,
                d.number.unwrap_or_default(),
                Source::Import,
                None,
                now,
                by_id,
            ));
            if batch.len() == store::INSERT_BATCH {
                store::insert_entries(&mut tx, &batch).await?;
                batch.clear();
            }
        }
        store::insert_entries(&mut tx, &batch).await?;
        tx.commit().await?;
        Ok(report)
    }
}

fn cell_text(cell: &civil::Cell) -> String {
    match cell {
        civil::Cell::Text(s) => s.clone(),
        civil::Cell::Date(d) => d.strftime("%d/%m/%Y").to_string(),
        civil::Cell::Year(y) => y.to_string(),
        civil::Cell::Integer(i) => i.to_string(),
        civil::Cell::Invalid { raw, .. } => raw.clone(),
    }
}

/// The rows a report rejected, as an .xlsx: each row's cells as read under their
/// field names and a reason column, to fix and import again.
pub fn rejected_workbook(rows: &[ImportRow], report: &ImportReport) -> Result<Vec<u8>> {
    use motcua_docs::registers::{rejected_rows_xlsx, RejectedRow};
    let mut reasons: std::collections::BTreeMap<(&str, u32), Vec<String>> = Default::default();
    for r in &report.rejected {
        reasons
            .entry((r.sheet.as_str(), r.row))
            .or_default()
            .push(format!("{}: {}", r.column, r.reason));
    }
    let mut columns: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for row in rows {
        let Some(why) = reasons.get(&(row.sheet.as_str(), row.excel_row)) else {
            continue;
        };
        for name in row.values.keys() {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
        out.push(RejectedRow {
            sheet: row.sheet.clone(),
            excel_row: row.excel_row,
            values: row
                .values
                .iter()
                .map(|(k, v)| (k.clone(), cell_text(v)))
                .collect(),
            reason: why.join(" "),
        });
    }
    rejected_rows_xlsx(&columns, &out).map_err(|e| Error::internal("rejected rows workbook", e))
}
