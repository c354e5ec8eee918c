//! Importing rows already read from a legacy workbook (by `motcua-legacy`): every
//! row accounted for, nothing overwritten, the same rows twice adding nothing.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use motcua_domain::access::Action;
use motcua_domain::civil::{
    self, Draft, Field, ImportRow, Kind, Note, NoteKind, NoteLine, Values, RE_REGISTRATION,
};
use motcua_store::registers::{self as store, BookRow, EntryRow};
use motcua_store::{new_id, Conn};
use serde::Serialize;

use super::file::{ImportProgress, ImportStage};
use super::{kind_param, note_of, refresh_derived, Registers, Source};
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
/// each problem, a row with several problems several times. The notes of an
/// export's notes sheet are counted apart, a note once however many fields it
/// changes: `notes_total = notes_imported + notes_duplicates + notes_rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub total_rows: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub blank: u64,
    pub rejected_rows: u64,
    pub rejected: Vec<Rejected>,
    pub notes_total: u64,
    pub notes_imported: u64,
    pub notes_duplicates: u64,
    pub notes_rejected: u64,
    pub dry_run: bool,
}

/// The book an entry goes to: (year, label).
type BookKey = (i64, String);
/// An entry: its book and number.
type EntryKey = (BookKey, i64);

/// An entry already there or met earlier in the file (borrowed from its row then).
struct Known<'a> {
    registered_on: Cow<'a, str>,
    re_registration: bool,
    fields: Cow<'a, str>,
}

/// The re-registration flag taken out of a row's cells (it is no field).
fn split_flag(
    values: &BTreeMap<String, civil::Cell>,
) -> (
    Option<BTreeMap<String, civil::Cell>>,
    std::result::Result<bool, String>,
) {
    let Some(cell) = values.get(RE_REGISTRATION) else {
        return (None, Ok(false));
    };
    let mut rest = values.clone();
    rest.remove(RE_REGISTRATION);
    let text = match cell {
        civil::Cell::Text(s) => s.clone(),
        civil::Cell::Integer(i) => i.to_string(),
        other => cell_text(other),
    };
    let flag = civil::parse_re_registration(&text)
        .ok_or_else(|| format!("Đăng ký lại: «{text}» phải là «Có» hoặc để trống."));
    (Some(rest), flag)
}

/// A row read and checked, with what its entry stores: its values as JSON and
/// its search columns.
struct Checked<'a> {
    row: &'a ImportRow,
    draft: Draft,
    fields: String,
    search: civil::Searchable,
}

enum Outcome<'a> {
    Blank,
    Ready(Box<Checked<'a>>),
    Problems(Vec<(String, String)>),
}

fn check_row(kind: Kind, row: &ImportRow) -> Outcome<'_> {
    if row.blank {
        return Outcome::Blank;
    }
    let (without_flag, flag) = split_flag(&row.values);
    let read = civil::read_draft(
        kind,
        *flag.as_ref().unwrap_or(&false),
        without_flag.as_ref().unwrap_or(&row.values),
    );
    let mut problems: Vec<(String, String)> = Vec::new();
    if let Err(reason) = flag {
        problems.push((RE_REGISTRATION.into(), reason));
    }
    match read {
        Ok(d) if d.number.is_none() => {
            problems.push((civil::NUMBER.into(), "Thiếu số thứ tự trong sổ.".into()))
        }
        Ok(draft) if problems.is_empty() => {
            let fields = civil::values_to_json(&draft.values);
            let search = civil::searchable(kind, &draft.values);
            return Outcome::Ready(Box::new(Checked {
                row,
                draft,
                fields,
                search,
            }));
        }
        Ok(_) => {}
        Err(errors) => problems.extend(errors.0.into_iter().map(|e| (e.field, e.message))),
    }
    Outcome::Problems(problems)
}

/// Every row checked, in order, the rows split between the machine's cores: the
/// checks are pure and a large import spends most of its time outside the
/// database in them.
fn check_rows(kind: Kind, rows: &[ImportRow]) -> Vec<(&ImportRow, Outcome<'_>)> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || rows.len() < 2_000 {
        return rows.iter().map(|r| (r, check_row(kind, r))).collect();
    }
    let per = rows.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(per)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|r| (r, check_row(kind, r)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
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
        self.import_with_notes(by, agency_code, kind, rows, &[], dry_run)
            .await
    }

    /// [`Registers::import`], with the lines of an export's notes sheet: the
    /// notes of `kind` are checked against their entry (imported now or already
    /// there) in order and added after it; a note already there is a duplicate,
    /// one that differs from it is rejected.
    pub async fn import_with_notes(
        &self,
        by: &Principal,
        agency_code: &str,
        kind: &str,
        rows: &[ImportRow],
        note_lines: &[NoteLine],
        dry_run: bool,
    ) -> Result<ImportReport> {
        self.import_reporting(by, agency_code, kind, rows, note_lines, dry_run, None)
            .await
    }

    /// [`Registers::import_with_notes`], saying on `progress` where it stands.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn import_reporting(
        &self,
        by: &Principal,
        agency_code: &str,
        kind: &str,
        rows: &[ImportRow],
        note_lines: &[NoteLine],
        dry_run: bool,
        progress: Option<&ImportProgress>,
    ) -> Result<ImportReport> {
        let kind = kind_param(kind)?;
        if let Some(p) = progress {
            p.set(ImportStage::Checking, rows.len() as u64);
        }
        let mut report = ImportReport {
            total_rows: rows.len() as u64,
            dry_run,
            ..Default::default()
        };
        // Reading and checking every row needs no database: done before the write
        // lock is taken, on every core, each row's JSON and search columns with it.
        let mut drafts: Vec<Checked<'_>> = Vec::with_capacity(rows.len());
        for (row, outcome) in check_rows(kind, rows) {
            match outcome {
                Outcome::Blank => report.blank += 1,
                Outcome::Ready(c) => drafts.push(*c),
                Outcome::Problems(problems) => {
                    report.rejected_rows += 1;
                    for (column, reason) in problems {
                        report.rejected.push(Rejected {
                            sheet: row.sheet.clone(),
                            row: row.excel_row,
                            column,
                            reason,
                        });
                    }
                }
            }
        }
        let mut tx = self.begin_bulk_write_by(by).await?;
        let agency = self.agency(&mut tx, agency_code).await?;
        by.require(Action::WriteRegister, &agency.path)?;
        // The books the rows name, with what they already hold.
        let mut books: HashMap<BookKey, Option<BookRow>> = HashMap::new();
        let mut known: HashMap<EntryKey, Known> = HashMap::new();
        for c in &drafts {
            let d = &c.draft;
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
                            registered_on: Cow::Owned(c.registered_on),
                            re_registration: c.re_registration,
                            fields: Cow::Owned(c.fields),
                        },
                    );
                }
            }
            books.insert(key, book);
        }
        let now = self.now_ms();
        // The rows to write: their book, their place in `drafts`, their new id.
        let mut accepted: Vec<(BookKey, usize, String)> = Vec::new();
        for (at, c) in drafts.iter().enumerate() {
            let (row, d) = (c.row, &c.draft);
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
            let registered_on = d.registered_on.to_string();
            let re_registration = d.re_registration;
            match known.get(&(key.clone(), number)) {
                Some(k)
                    if k.fields == c.fields.as_str()
                        && k.registered_on == registered_on
                        && k.re_registration == re_registration =>
                {
                    report.duplicates += 1;
                }
                Some(_) => reject(format!(
                    "Số {number} của quyển {} năm {} đã có một mục khác nội dung; mục đã có không bị ghi đè.",
                    key.1, key.0
                )),
                None => {
                    known.insert(
                        (key.clone(), number),
                        Known {
                            registered_on: Cow::Owned(registered_on),
                            re_registration,
                            fields: Cow::Borrowed(&c.fields),
                        },
                    );
                    accepted.push((key, at, new_id()));
                    report.imported += 1;
                }
            }
        }
        drop(known);
        if let Some(p) = progress {
            p.set(ImportStage::Writing, accepted.len() as u64);
        }
        let new_entries: HashMap<EntryKey, (&Draft, &str)> = if note_lines.is_empty() {
            HashMap::new()
        } else {
            accepted
                .iter()
                .map(|(key, at, id)| {
                    let d = &drafts[*at].draft;
                    (
                        (key.clone(), d.number.unwrap_or_default()),
                        (d, id.as_str()),
                    )
                })
                .collect()
        };
        let notes = self
            .check_notes(
                &mut tx,
                &agency.id,
                kind,
                note_lines,
                &new_entries,
                &mut report,
            )
            .await?;
        if dry_run {
            tx.rollback().await?;
            return Ok(report);
        }
        // Each book once, its sequence raised to the highest number it now holds.
        let mut highest: HashMap<&BookKey, i64> = HashMap::new();
        for (key, at, _) in &accepted {
            let n = drafts[*at].draft.number.unwrap_or_default();
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
        // All in one call: the store writes the name prefixes of the whole import
        // sorted by their key.
        // The rows' texts are moved into the entries, not copied: a large
        // import's JSON alone is tens of megabytes.
        let mut batch = Vec::with_capacity(accepted.len());
        for (key, at, id) in accepted {
            let Some(book) = ready.get(&key) else {
                continue;
            };
            let c = &mut drafts[at];
            let d = &c.draft;
            let search = &mut c.search;
            batch.push(EntryRow {
                id,
                book_id: book.id.clone(),
                agency_id: book.agency_id.clone(),
                kind: d.kind.as_str().to_owned(),
                re_registration: d.re_registration,
                number: d.number.unwrap_or_default(),
                registered_on: d.registered_on.to_string(),
                registration_year: i64::from(d.registered_on.year()),
                fields: std::mem::take(&mut c.fields),
                display_name: std::mem::take(&mut search.display_name),
                name_fold: std::mem::take(&mut search.name_fold),
                given_fold: std::mem::take(&mut search.given_fold),
                name_key: std::mem::take(&mut search.name_key),
                other_fold: search.other_fold.take(),
                date_of_birth: search.date_of_birth.map(|d| d.to_string()),
                birth_year: search.birth_year.map(i64::from),
                personal_id: search.personal_id.take(),
                mother_fold: search.mother_fold.take(),
                father_fold: search.father_fold.take(),
                notes: 0,
                source: Source::Import.as_str().to_owned(),
                dossier_id: None,
                created_at: now,
                created_by: by_id.map(str::to_owned),
            });
        }
        store::insert_entries(&mut tx, &batch).await?;
        for entry in notes {
            for (seq, note) in &entry.added {
                store::insert_note(
                    &mut tx,
                    &store::NoteRow {
                        id: new_id(),
                        entry_id: entry.id.clone(),
                        seq: *seq,
                        kind: note.kind.as_str().to_owned(),
                        noted_on: note.on.to_string(),
                        changes: civil::changes_to_json(&note.changes),
                        reason: note.reason.clone(),
                        basis: note.basis.clone(),
                        dossier_id: None,
                        created_at: now,
                        created_by: by_id.map(str::to_owned),
                    },
                )
                .await?;
            }
            let count = entry.added.last().map_or(0, |(seq, _)| *seq);
            refresh_derived(&mut tx, &entry.id, kind, &entry.current, count).await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Checks the notes of `kind` among `lines`, entry by entry in order, and
    /// returns the ones to add; every note is counted in `report`.
    async fn check_notes(
        &self,
        tx: &mut Conn,
        agency_id: &str,
        kind: Kind,
        lines: &[NoteLine],
        new_entries: &HashMap<EntryKey, (&Draft, &str)>,
        report: &mut ImportReport,
    ) -> Result<Vec<NotesToAdd>> {
        // Lines grouped by entry and note; a line that names no entry or note is a
        // note of its own, rejected.
        let mut groups: BTreeMap<EntryKey, BTreeMap<i64, Vec<&NoteLine>>> = BTreeMap::new();
        for line in lines {
            let Some(k) = civil::Kind::parse_label(&line.kind) else {
                report.notes_total += 1;
                reject_note(
                    report,
                    &[line],
                    "kind",
                    format!("«{}» không phải là loại sổ.", line.kind),
                );
                continue;
            };
            if k != kind {
                continue;
            }
            let int = |s: &str| s.trim().parse::<i64>().ok();
            match (int(&line.book_year), int(&line.number), int(&line.seq)) {
                (Some(y), Some(n), Some(seq)) if !line.book.trim().is_empty() && seq > 0 => {
                    groups
                        .entry(((y, civil::book_label_in(&line.book, y)), n))
                        .or_default()
                        .entry(seq)
                        .or_default()
                        .push(line);
                }
                _ => {
                    report.notes_total += 1;
                    reject_note(
                        report,
                        &[line],
                        "number",
                        "Dòng ghi chú thiếu năm của sổ, quyển số, số hoặc thứ tự ghi chú.".into(),
                    );
                }
            }
        }
        let mut out = Vec::new();
        for (key, notes) in groups {
            report.notes_total += notes.len() as u64;
            // The entry the notes belong to: imported now, or already there.
            let target = match new_entries.get(&key) {
                Some((d, id)) => Some((
                    id.to_string(),
                    d.registered_on,
                    d.values.clone(),
                    Vec::new(),
                )),
                None => self.stored_entry(tx, agency_id, kind, &key).await?,
            };
            let Some((id, registered_on, original, existing)) = target else {
                for lines in notes.values() {
                    reject_note(
                        report,
                        lines,
                        "number",
                        format!(
                            "Không có mục số {} quyển {} năm {} để ghi chú (mục bị từ chối hoặc chưa có).",
                            key.1, key.0 .1, key.0 .0
                        ),
                    );
                }
                continue;
            };
            let mut all: Vec<Note> = existing.clone();
            let mut added = Vec::new();
            let mut broken = false;
            for (seq, lines) in &notes {
                if broken {
                    reject_note(
                        report,
                        lines,
                        "seq",
                        "Ghi chú trước đó của mục này bị từ chối.".into(),
                    );
                    continue;
                }
                let upto = (*seq as usize - 1).min(all.len());
                let before = civil::current(&original, &all[..upto]);
                let read = read_note_lines(kind, &before, registered_on, lines);
                let at = *seq as usize;
                let problem = match read {
                    Err((column, reason)) => Some((column, reason)),
                    Ok(note) if at <= existing.len() => {
                        if existing[at - 1] == note {
                            report.notes_duplicates += 1;
                            None
                        } else {
                            Some(("seq".into(), format!("Ghi chú thứ {seq} của mục này đã có với nội dung khác; ghi chú đã có không bị ghi đè.")))
                        }
                    }
                    Ok(_) if at != all.len() + 1 => Some((
                        "seq".into(),
                        format!("Thiếu ghi chú thứ {} của mục này.", all.len() + 1),
                    )),
                    Ok(note) if all.last().is_some_and(|l| l.on > note.on) => Some((
                        "on".into(),
                        "Ngày ghi chú không thể trước ghi chú gần nhất.".into(),
                    )),
                    Ok(note) => {
                        all.push(note.clone());
                        added.push((*seq, note));
                        report.notes_imported += 1;
                        None
                    }
                };
                if let Some((column, reason)) = problem {
                    reject_note(report, lines, &column, reason);
                    broken = true;
                }
            }
            if !added.is_empty() {
                out.push(NotesToAdd {
                    id,
                    current: civil::current(&original, &all),
                    added,
                });
            }
        }
        Ok(out)
    }

    /// An entry already in the registers, with its notes.
    async fn stored_entry(
        &self,
        tx: &mut Conn,
        agency_id: &str,
        kind: Kind,
        ((year, label), number): &EntryKey,
    ) -> Result<Option<(String, Date, Values, Vec<Note>)>> {
        let Some(book) = store::find_book(tx, agency_id, kind.as_str(), *year, label).await? else {
            return Ok(None);
        };
        let Some(row) = store::entry_by_number(tx, &book.id, *number).await? else {
            return Ok(None);
        };
        let registered_on: Date = row
            .registered_on
            .parse()
            .map_err(|e| Error::internal("registered_on", e))?;
        let notes = store::notes_of(tx, &row.id)
            .await?
            .iter()
            .filter_map(note_of)
            .collect();
        Ok(Some((
            row.id,
            registered_on,
            civil::values_from_json(&row.fields),
            notes,
        )))
    }
}

/// Notes an import adds to one entry, and the entry's values after them.
struct NotesToAdd {
    id: String,
    current: Values,
    added: Vec<(i64, Note)>,
}

fn reject_note(report: &mut ImportReport, lines: &[&NoteLine], column: &str, reason: String) {
    report.notes_rejected += 1;
    for line in lines {
        report.rejected.push(Rejected {
            sheet: line.sheet.clone(),
            row: line.excel_row,
            column: column.to_owned(),
            reason: reason.clone(),
        });
    }
}

/// One note from its lines (one a field), checked against the entry as it stood.
fn read_note_lines(
    kind: Kind,
    before: &Values,
    registered_on: Date,
    lines: &[&NoteLine],
) -> std::result::Result<Note, (String, String)> {
    let first = lines[0];
    if lines.iter().any(|l| {
        (&l.note_kind, &l.on, &l.reason, &l.basis)
            != (&first.note_kind, &first.on, &first.reason, &first.basis)
    }) {
        return Err((
            "seq".into(),
            "Các dòng của cùng một ghi chú ghi khác nhau về loại, ngày, lý do hoặc căn cứ.".into(),
        ));
    }
    let note_kind = NoteKind::parse_label(&first.note_kind).ok_or_else(|| {
        (
            "note_kind".to_owned(),
            format!(
                "«{}» không phải là thay đổi, cải chính hay bổ sung.",
                first.note_kind
            ),
        )
    })?;
    let on = civil::parse_date_text(&first.on).ok_or_else(|| {
        (
            "on".to_owned(),
            format!(
                "Ngày ghi chú «{}» không phải là một ngày có thật (dd/mm/yyyy).",
                first.on
            ),
        )
    })?;
    let mut cells = BTreeMap::new();
    for l in lines {
        let field = Field::parse_label(&l.field).ok_or_else(|| {
            (
                "field".to_owned(),
                format!("«{}» không phải là một mục của sổ.", l.field),
            )
        })?;
        cells.insert(
            field.as_str().to_owned(),
            civil::Cell::Text(l.after.clone()),
        );
    }
    let basis = Some(first.basis.as_str()).filter(|b| !b.trim().is_empty());
    civil::read_note(
        kind,
        before,
        registered_on,
        note_kind,
        on,
        &cells,
        &first.reason,
        basis,
    )
    .map_err(|e| {
        let first = e.0.into_iter().next();
        (
            first.as_ref().map_or("changes".into(), |f| f.field.clone()),
            first.map_or_else(String::new, |f| f.message),
        )
    })
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

/// The rows a report rejected, as an .xlsx: each row's cells under the titles an
/// import reads back ("Họ, chữ đệm, tên", "Ngày đăng ký"…) and a reason column,
/// to fix and import again.
pub fn rejected_workbook(rows: &[ImportRow], report: &ImportReport) -> Result<Vec<u8>> {
    use motcua_docs::registers::{rejected_rows_xlsx, RejectedRow};
    let title = |name: &str| {
        civil::columns::title_of(name)
            .map(str::to_owned)
            .unwrap_or_else(|| name.to_owned())
    };
    let mut reasons: std::collections::BTreeMap<(&str, u32), Vec<String>> = Default::default();
    for r in &report.rejected {
        reasons
            .entry((r.sheet.as_str(), r.row))
            .or_default()
            .push(format!("{}: {}", title(&r.column), r.reason));
    }
    let mut columns: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for row in rows {
        let Some(why) = reasons.get(&(row.sheet.as_str(), row.excel_row)) else {
            continue;
        };
        for name in row.values.keys() {
            let t = title(name);
            if !columns.contains(&t) {
                columns.push(t);
            }
        }
        out.push(RejectedRow {
            sheet: row.sheet.clone(),
            excel_row: row.excel_row,
            values: row
                .values
                .iter()
                .map(|(k, v)| (title(k), cell_text(v)))
                .collect(),
            reason: why.join(" "),
        });
    }
    rejected_rows_xlsx(&columns, &out).map_err(|e| Error::internal("rejected rows workbook", e))
}
