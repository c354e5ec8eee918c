//! Writing an agency's registers out (`motcua registry export`): a sheet per kind
//! and book year with every entry as registered (book, number, dates, original
//! values), and one sheet of the notes that changed them since — dated, with the
//! value each replaced, which is the entries' history. Importing the export into
//! an empty database gives the same entries with the same notes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use motcua_docs::registers::{export_csv, export_xlsx, ExportCell, ExportSheet};
use motcua_domain::access::Action;
use motcua_domain::civil::columns::{entry_columns, NOTES_SHEET, NOTE_COLUMNS};
use motcua_domain::civil::{
    self, Field, Kind, Note, Value, Values, BOOK, BOOK_YEAR, NUMBER, REGISTERED_ON, RE_REGISTRATION,
};
use motcua_store::registers as store;

use super::{kind_param, note_of, Registers};
use crate::error::{Error, Result};
use crate::Principal;

/// An export, ready to be written as a workbook or as CSV files.
#[derive(Debug, Clone)]
pub struct RegisterExport {
    pub sheets: Vec<ExportSheet>,
    pub entries: usize,
    pub notes: usize,
}

fn cell(v: Option<&Value>) -> ExportCell {
    match v {
        None => ExportCell::Empty,
        Some(Value::Text(s)) => ExportCell::Text(s.clone()),
        Some(Value::Date(d)) => ExportCell::Date(*d),
        Some(Value::Year(y)) => ExportCell::Int(i64::from(*y)),
    }
}

fn text(v: Option<&Value>) -> ExportCell {
    v.map_or(ExportCell::Empty, |v| ExportCell::Text(v.display()))
}

impl RegisterExport {
    /// The workbook (.xlsx).
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        export_xlsx(&self.sheets).map_err(|e| Error::internal("register export workbook", e))
    }

    /// The CSV files: (file name, bytes), one a sheet.
    pub fn csv_files(&self) -> Vec<(String, Vec<u8>)> {
        self.sheets
            .iter()
            .map(|s| (format!("{}.csv", s.file_stem), export_csv(s)))
            .collect()
    }

    /// Writes the export to `path`: a workbook when it ends in .xlsx, otherwise
    /// CSV files in that directory (created when needed). Returns what it wrote.
    pub fn write_to(&self, path: &Path) -> Result<Vec<PathBuf>> {
        let io = |p: &Path, e: std::io::Error| {
            Error::field("file", format!("Không ghi được «{}»: {e}", p.display()))
        };
        let is_xlsx = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if is_xlsx {
            std::fs::write(path, self.xlsx()?).map_err(|e| io(path, e))?;
            return Ok(vec![path.to_owned()]);
        }
        std::fs::create_dir_all(path).map_err(|e| io(path, e))?;
        let mut written = Vec::new();
        for (name, bytes) in self.csv_files() {
            let p = path.join(name);
            std::fs::write(&p, bytes).map_err(|e| io(&p, e))?;
            written.push(p);
        }
        Ok(written)
    }
}

impl Registers<'_> {
    /// An agency's registers, of one kind and one book year when given.
    pub async fn export(
        &self,
        by: &Principal,
        agency_code: &str,
        kind: Option<&str>,
        year: Option<i64>,
    ) -> Result<RegisterExport> {
        let kind = kind
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(kind_param)
            .transpose()?;
        let mut conn = self.db.read().await?;
        let agency = self.agency(&mut conn, agency_code).await?;
        by.require(Action::ReadRegister, &agency.path)?;
        let k = kind.map(|k| k.as_str());
        let entries = store::entries_for_export(&mut conn, &agency.id, k, year).await?;
        let mut notes: BTreeMap<String, Vec<Note>> = BTreeMap::new();
        let mut note_count = 0;
        for n in store::notes_for_export(&mut conn, &agency.id, k, year).await? {
            if let Some(note) = note_of(&n) {
                note_count += 1;
                notes.entry(n.entry_id.clone()).or_default().push(note);
            }
        }
        // Sheets in the order of the kinds, then of the years.
        let mut by_sheet: BTreeMap<(usize, i64), Vec<&store::ExportEntry>> = BTreeMap::new();
        for e in &entries {
            let Some(pos) = Kind::ALL.iter().position(|k| k.as_str() == e.kind) else {
                continue;
            };
            by_sheet.entry((pos, e.book_year)).or_default().push(e);
        }
        let mut sheets = Vec::new();
        let mut note_rows = Vec::new();
        for ((pos, year), list) in by_sheet {
            let kind = Kind::ALL[pos];
            let columns = entry_columns(kind);
            let mut rows = Vec::with_capacity(list.len());
            for e in list {
                let original = civil::values_from_json(&e.fields);
                let registered_on = e.registered_on.parse().ok();
                rows.push(
                    columns
                        .iter()
                        .map(|(f, _)| match *f {
                            BOOK => ExportCell::Text(e.book_label.clone()),
                            BOOK_YEAR => ExportCell::Int(e.book_year),
                            NUMBER => ExportCell::Int(e.number),
                            REGISTERED_ON => {
                                registered_on.map_or(ExportCell::Empty, ExportCell::Date)
                            }
                            RE_REGISTRATION if e.re_registration => ExportCell::Text("Có".into()),
                            RE_REGISTRATION => ExportCell::Empty,
                            f => Field::parse(f)
                                .map_or(ExportCell::Empty, |f| cell(original.get(&f))),
                        })
                        .collect(),
                );
                if let Some(list) = notes.get(&e.id) {
                    note_rows.extend(note_lines(kind, e, &original, list));
                }
            }
            sheets.push(ExportSheet {
                name: format!("{} {year}", kind.sheet_label_vi()),
                file_stem: format!("{}-{year}", kind.as_str()),
                titles: columns.iter().map(|(_, t)| (*t).to_owned()).collect(),
                rows,
            });
        }
        sheets.push(ExportSheet {
            name: NOTES_SHEET.into(),
            file_stem: "notes".into(),
            titles: NOTE_COLUMNS.iter().map(|(_, t)| (*t).to_owned()).collect(),
            rows: note_rows,
        });
        Ok(RegisterExport {
            sheets,
            entries: entries.len(),
            notes: note_count,
        })
    }
}

/// An entry's notes as lines of the notes sheet, one per field changed, with the
/// value before (the history) and after.
fn note_lines(
    kind: Kind,
    e: &store::ExportEntry,
    original: &Values,
    notes: &[Note],
) -> Vec<Vec<ExportCell>> {
    civil::history(original, notes)
        .into_iter()
        .map(|h| {
            NOTE_COLUMNS
                .iter()
                .map(|(key, _)| match *key {
                    "kind" => ExportCell::Text(kind.label_vi().into()),
                    "book_year" => ExportCell::Int(e.book_year),
                    "book" => ExportCell::Text(e.book_label.clone()),
                    "number" => ExportCell::Int(e.number),
                    "seq" => ExportCell::Int(h.note as i64 + 1),
                    "note_kind" => ExportCell::Text(h.kind.label_vi().into()),
                    "on" => ExportCell::Date(h.on),
                    "field_label" => ExportCell::Text(h.field.label_vi().into()),
                    "field" => ExportCell::Text(h.field.as_str().into()),
                    "before" => text(h.before.as_ref()),
                    "after" => text(h.after.as_ref()),
                    "reason" => ExportCell::Text(h.reason.clone()),
                    "basis" => h.basis.clone().map_or(ExportCell::Empty, ExportCell::Text),
                    _ => ExportCell::Empty,
                })
                .collect()
        })
        .collect()
}
