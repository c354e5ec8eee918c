//! Civil-status registers (`app.registers()`): entries by hand or from old
//! registers, notes of change/correction/supplement, books, search, import.

mod books;
mod dossier;
mod export;
mod extract;
mod file;
mod import;

pub use books::Book;
pub use dossier::DossierRegister;
pub(crate) use dossier::OnDossiers;
pub use export::RegisterExport;
pub use extract::IssuedExtract;
pub use file::{FileImport, ImportOptions, ImportProgress, ImportStage, MAX_WORKBOOK_BYTES};
pub use import::{rejected_workbook, ImportReport, Rejected};

use std::collections::BTreeMap;

use jiff::civil::Date;
use motcua_domain::access::Action;
use motcua_domain::civil::{self, Cell, Draft, Field, Kind, Note, NoteKind, Values};
use motcua_domain::text;
use motcua_store::agencies::{self, AgencyRow};
use motcua_store::registers::{self as store, BookRow, EntryRow};
use motcua_store::{new_id, Conn};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::{App, Principal};

/// The registers module's use cases (`app.registers()`).
pub struct Registers<'a> {
    app: &'a App,
}

impl App {
    pub fn registers(&self) -> Registers<'_> {
        Registers { app: self }
    }
}

impl std::ops::Deref for Registers<'_> {
    type Target = App;

    fn deref(&self) -> &App {
        self.app
    }
}

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Dossier,
    Manual,
    Import,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Dossier => "dossier",
            Source::Manual => "manual",
            Source::Import => "import",
        }
    }
}

/// A field and its value, typed for the API and written out for people.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldValue {
    pub field: String,
    pub label: String,
    /// Dates YYYY-MM-DD, years as numbers, text as text.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: serde_json::Value,
    /// As a person reads it (dates dd/mm/yyyy).
    pub text: String,
}

/// One change an entry's notes made.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryItem {
    pub note: usize,
    /// change | correction | supplement
    pub kind: String,
    pub kind_label: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    pub field: String,
    pub label: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: String,
    pub basis: Option<String>,
}

/// An entry: its current values, its original values and its history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    pub id: String,
    pub agency_code: String,
    pub agency_name: String,
    pub kind: String,
    pub kind_label: String,
    pub re_registration: bool,
    pub full_name: String,
    pub book: String,
    pub book_year: i64,
    pub number: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub registered_on: Date,
    pub source: String,
    pub dossier_id: Option<String>,
    /// The codes of the dossiers that wrote the entry and its notes, in order.
    pub dossiers: Vec<String>,
    pub current: Vec<FieldValue>,
    pub original: Vec<FieldValue>,
    pub history: Vec<HistoryItem>,
}

/// A line of a search result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntrySummary {
    pub id: String,
    pub kind: String,
    pub kind_label: String,
    pub re_registration: bool,
    pub full_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub date_of_birth: Option<Date>,
    pub book: String,
    pub book_year: i64,
    pub number: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub registered_on: Date,
}

impl From<store::Found> for EntrySummary {
    fn from(r: store::Found) -> EntrySummary {
        EntrySummary {
            id: r.id,
            kind: r.kind.as_str().to_owned(),
            kind_label: r.kind.label_vi().to_owned(),
            re_registration: r.re_registration,
            full_name: r.display_name,
            date_of_birth: r.date_of_birth,
            book: r.book_label,
            book_year: r.book_year,
            number: r.number,
            registered_on: r.registered_on,
        }
    }
}

/// A page of results and the cursor of the next, if any.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchPage {
    pub items: Vec<EntrySummary>,
    pub next: Option<String>,
}

/// What a search narrows by, as people type it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SearchQuery {
    /// A name, with or without diacritics, any case: the start of the full name,
    /// of the given name, or of the other person's name (spouse, guardian, parent).
    pub q: Option<String>,
    /// birth | death | marriage | recognition | marital_status | guardianship
    pub kind: Option<String>,
    /// Agency identifier code; the person's own when absent.
    pub agency: Option<String>,
    /// Date of birth (YYYY-MM-DD or dd/mm/yyyy) or year of birth (YYYY).
    pub born: Option<String>,
    /// Registration year (the book's year).
    pub year: Option<i64>,
    /// Mother's name (start of it, diacritics optional).
    pub mother: Option<String>,
    /// Father's name (start of it, diacritics optional).
    pub father: Option<String>,
    /// Book label (with `year` when labels repeat across years).
    pub book: Option<String>,
    /// Entry number within its book.
    pub number: Option<i64>,
    /// Personal identification number.
    pub personal_id: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Page size (default 50, at most 200).
    pub limit: Option<i64>,
}

pub const MAX_PAGE: i64 = 200;

fn kind_param(s: &str) -> Result<Kind> {
    Kind::parse(s).ok_or_else(|| {
        Error::field(
            "kind",
            format!("«{s}» không phải là loại sự kiện hộ tịch (birth, death, marriage, recognition, marital_status, guardianship)."),
        )
    })
}

fn fields_of(values: &Values) -> Vec<FieldValue> {
    let json: serde_json::Value =
        serde_json::from_str(&civil::values_to_json(values)).unwrap_or_default();
    values
        .iter()
        .map(|(f, v)| FieldValue {
            field: f.as_str().to_owned(),
            label: f.label_vi().to_owned(),
            value: json.get(f.as_str()).cloned().unwrap_or_default(),
            text: v.display(),
        })
        .collect()
}

fn parse_day(s: &str) -> Option<Date> {
    civil::parse_date_text(s)
}

/// The store's row for a new entry of `draft`, numbered `number` in `book`.
pub(crate) fn entry_row(
    draft: &Draft,
    book: &BookRow,
    number: i64,
    source: Source,
    dossier_id: Option<&str>,
    now: i64,
    by: Option<&str>,
) -> EntryRow {
    let s = civil::searchable(draft.kind, &draft.values);
    EntryRow {
        id: new_id(),
        book_id: book.id.clone(),
        agency_id: book.agency_id.clone(),
        kind: draft.kind.as_str().to_owned(),
        re_registration: draft.re_registration,
        number,
        registered_on: draft.registered_on.to_string(),
        registration_year: i64::from(draft.registered_on.year()),
        fields: civil::values_to_json(&draft.values),
        display_name: s.display_name,
        name_fold: s.name_fold,
        given_fold: s.given_fold,
        name_key: s.name_key,
        other_fold: s.other_fold,
        date_of_birth: s.date_of_birth.map(|d| d.to_string()),
        birth_year: s.birth_year.map(i64::from),
        personal_id: s.personal_id,
        mother_fold: s.mother_fold,
        father_fold: s.father_fold,
        notes: 0,
        source: source.as_str().to_owned(),
        dossier_id: dossier_id.map(str::to_owned),
        created_at: now,
        created_by: by.map(str::to_owned),
    }
}

fn closed_book(book: &BookRow) -> Error {
    Error::Conflict(format!(
        "Quyển {} năm {} đã khoá sổ, không ghi thêm được.",
        book.label, book.year
    ))
}

/// Rewrites the columns an entry is searched by from its `current` values, after
/// a note changed them; `notes` is how many notes it now has.
pub(crate) async fn refresh_derived(
    conn: &mut Conn,
    entry_id: &str,
    kind: Kind,
    current: &Values,
    notes: i64,
) -> Result<()> {
    let s = civil::searchable(kind, current);
    let dob = s.date_of_birth.map(|d| d.to_string());
    let old = store::entry(&mut *conn, entry_id)
        .await?
        .ok_or_else(|| Error::Internal("noted entry vanished".into()))?;
    store::update_derived(
        conn,
        &old,
        &store::Derived {
            display_name: &s.display_name,
            name_fold: &s.name_fold,
            given_fold: &s.given_fold,
            name_key: &s.name_key,
            other_fold: s.other_fold.as_deref(),
            date_of_birth: dob.as_deref(),
            birth_year: s.birth_year.map(i64::from),
            personal_id: s.personal_id.as_deref(),
            mother_fold: s.mother_fold.as_deref(),
            father_fold: s.father_fold.as_deref(),
        },
        notes,
    )
    .await?;
    Ok(())
}

pub(crate) fn note_of(n: &store::NoteRow) -> Option<Note> {
    Some(Note {
        kind: NoteKind::parse(&n.kind)?,
        on: n.noted_on.parse().ok()?,
        changes: civil::changes_from_json(&n.changes),
        reason: n.reason.clone(),
        basis: n.basis.clone(),
    })
}

impl Registers<'_> {
    async fn agency(&self, conn: &mut Conn, code: &str) -> Result<AgencyRow> {
        agencies::by_code(conn, &code.trim().to_ascii_uppercase())
            .await?
            .ok_or_else(|| Error::field("agency", "Không tìm thấy cơ quan này."))
    }

    /// Writes an entry inside the caller's transaction: a historical entry keeps
    /// its book and number (a number already taken is refused, never overwritten);
    /// a new one takes the next number of the current book.
    pub(crate) async fn write_entry(
        &self,
        conn: &mut Conn,
        agency: &AgencyRow,
        draft: &Draft,
        source: Source,
        dossier_id: Option<&str>,
        by: Option<&str>,
    ) -> Result<EntryRow> {
        let now = self.now_ms();
        let year = i64::from(draft.year());
        let kind = draft.kind.as_str();
        let label = match (&draft.book, draft.number) {
            (None, None) => {
                books::current_book(conn, &agency.id, draft.kind, year)
                    .await?
                    .0
            }
            _ => draft.book_label(),
        };
        let (book, number) = match draft.number {
            Some(n) => {
                let book =
                    store::book_for_number(conn, &new_id(), &agency.id, kind, year, &label, n, now)
                        .await?;
                if book.is_closed() {
                    return Err(closed_book(&book));
                }
                if store::entry_by_number(conn, &book.id, n).await?.is_some() {
                    return Err(Error::Conflict(format!(
                        "Số {n} của quyển {label} năm {year} đã có trong sổ; mục đã có không bị ghi đè."
                    )));
                }
                (book, n)
            }
            None => {
                let (book, n) =
                    store::next_number(conn, &new_id(), &agency.id, kind, year, &label, now)
                        .await?;
                if book.is_closed() {
                    return Err(closed_book(&book));
                }
                (book, n)
            }
        };
        let row = entry_row(draft, &book, number, source, dossier_id, now, by);
        store::insert_entries(conn, std::slice::from_ref(&row)).await?;
        Ok(row)
    }

    /// An officer enters an entry by hand: a historical one with its original
    /// `book` and `number` (and `book_year` when it differs from the year of
    /// registration), or a new one numbered next in the current book.
    pub async fn create(
        &self,
        by: &Principal,
        agency_code: &str,
        kind: &str,
        re_registration: bool,
        cells: &BTreeMap<String, Cell>,
    ) -> Result<Entry> {
        let kind = kind_param(kind)?;
        let draft = civil::read_draft(kind, re_registration, cells)?;
        let mut tx = self.begin_write_by(by).await?;
        let agency = self.agency(&mut tx, agency_code).await?;
        by.require(Action::WriteRegister, &agency.path)?;
        let row = self
            .write_entry(&mut tx, &agency, &draft, Source::Manual, None, by.user_id())
            .await?;
        tx.commit().await?;
        self.entry_as(by, &row.id).await
    }

    /// Adds a dated note of change, correction or supplement; the entry's original
    /// values stay as they were.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_note(
        &self,
        by: &Principal,
        entry_id: &str,
        kind: &str,
        on: &str,
        cells: &BTreeMap<String, Cell>,
        reason: &str,
        basis: Option<&str>,
    ) -> Result<Entry> {
        let mut tx = self.begin_write_by(by).await?;
        self.note_in(&mut tx, by, entry_id, kind, on, cells, reason, basis, None)
            .await?;
        tx.commit().await?;
        self.entry_as(by, entry_id).await
    }

    /// [`Registers::add_note`] inside the caller's transaction; `dossier_id` names
    /// the dossier whose approval adds it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn note_in(
        &self,
        tx: &mut Conn,
        by: &Principal,
        entry_id: &str,
        kind: &str,
        on: &str,
        cells: &BTreeMap<String, Cell>,
        reason: &str,
        basis: Option<&str>,
        dossier_id: Option<&str>,
    ) -> Result<()> {
        let note_kind = NoteKind::parse(kind).ok_or_else(|| {
            Error::field("kind", "Loại ghi chú là change (thay đổi), correction (cải chính), supplement (bổ sung) hoặc termination (chấm dứt).")
        })?;
        let on = parse_day(on).ok_or_else(|| {
            Error::field(
                "on",
                "Ngày ghi chú không phải là một ngày có thật (dd/mm/yyyy).",
            )
        })?;
        let row = store::entry(&mut *tx, entry_id)
            .await?
            .ok_or_else(|| Error::NotFound("Không tìm thấy mục đăng ký này.".into()))?;
        let agency = agencies::by_id(&mut *tx, &row.agency_id)
            .await?
            .ok_or_else(|| Error::Internal("entry without agency".into()))?;
        by.require(Action::WriteRegister, &agency.path)?;
        let kind = Kind::parse(&row.kind).ok_or_else(|| Error::Internal("bad kind".into()))?;
        let registered_on: Date = row
            .registered_on
            .parse()
            .map_err(|e| Error::internal("registered_on", e))?;
        let original = civil::values_from_json(&row.fields);
        let notes: Vec<Note> = store::notes_of(&mut *tx, entry_id)
            .await?
            .iter()
            .filter_map(note_of)
            .collect();
        let current = civil::current(&original, &notes);
        let note = civil::read_note(
            kind,
            &current,
            registered_on,
            note_kind,
            on,
            cells,
            reason,
            basis,
        )?;
        if notes.last().is_some_and(|n| n.on > note.on) {
            return Err(Error::field(
                "on",
                "Ngày ghi chú không thể trước ghi chú gần nhất.",
            ));
        }
        let seq = notes.len() as i64 + 1;
        store::insert_note(
            &mut *tx,
            &store::NoteRow {
                id: new_id(),
                entry_id: entry_id.to_owned(),
                seq,
                kind: note.kind.as_str().to_owned(),
                noted_on: note.on.to_string(),
                changes: civil::changes_to_json(&note.changes),
                reason: note.reason.clone(),
                basis: note.basis.clone(),
                dossier_id: dossier_id.map(str::to_owned),
                created_at: self.now_ms(),
                created_by: by.user_id().map(str::to_owned),
            },
        )
        .await?;
        let mut all = notes;
        all.push(note);
        refresh_derived(
            &mut *tx,
            entry_id,
            kind,
            &civil::current(&original, &all),
            seq,
        )
        .await?;
        Ok(())
    }

    /// An entry with its current values and history.
    pub async fn entry_as(&self, by: &Principal, id: &str) -> Result<Entry> {
        let mut conn = self.db.read().await?;
        let not_found = || Error::NotFound("Không tìm thấy mục đăng ký này.".into());
        let (entry, agency) = load_entry(&mut conn, id).await?.ok_or_else(not_found)?;
        // An entry of another unit is as absent as an unknown one.
        by.require(Action::ReadRegister, &agency.path)
            .map_err(|_| not_found())?;
        Ok(entry)
    }

    /// Searches an agency's registers; see [`SearchQuery`].
    pub async fn search(&self, by: &Principal, q: &SearchQuery) -> Result<SearchPage> {
        let mut conn = self.db.read().await?;
        let agency = self
            .agency_or_own(&mut conn, by, q.agency.as_deref())
            .await?;
        by.require(Action::ReadRegister, &agency.path)?;
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let too_long = |field: &str, s: &Option<String>| -> Result<()> {
            if s.as_deref()
                .is_some_and(|s| text::char_len(s) > motcua_domain::limits::NAME_CHARS)
            {
                return Err(Error::field(field, "Nội dung tìm kiếm quá dài."));
            }
            Ok(())
        };
        too_long("q", &q.q)?;
        too_long("mother", &q.mother)?;
        too_long("father", &q.father)?;
        too_long("book", &q.book)?;
        too_long("personal_id", &q.personal_id)?;
        too_long("after", &q.after)?;
        let mut f = store::Filter {
            agency_id: agency.id.clone(),
            name: nonempty(&q.q)
                .map(|s| text::fold(&s))
                .filter(|s| !s.is_empty()),
            kind: nonempty(&q.kind)
                .map(|k| kind_param(&k).map(|k| k.as_str().to_owned()))
                .transpose()?,
            mother: nonempty(&q.mother).map(|s| text::fold(&s)),
            father: nonempty(&q.father).map(|s| text::fold(&s)),
            number: q.number,
            personal_id: nonempty(&q.personal_id),
            ..Default::default()
        };
        if let Some(born) = nonempty(&q.born) {
            if born.len() == 4 && born.bytes().all(|b| b.is_ascii_digit()) {
                f.birth_year = born.parse().ok();
            } else {
                let d = parse_day(&born).ok_or_else(|| {
                    Error::field(
                        "born",
                        format!(
                            "«{born}» không phải là ngày sinh (dd/mm/yyyy) hay năm sinh (yyyy)."
                        ),
                    )
                })?;
                f.date_of_birth = Some(d.to_string());
            }
        }
        if let Some(label) = nonempty(&q.book) {
            // A book named without a year is looked for in the registration year
            // given, or in the label's own "…/yyyy".
            let year = q
                .year
                .or_else(|| label.rsplit('/').next().and_then(|y| y.parse::<i64>().ok()));
            let kind = f.kind.clone();
            let books = store::books_of(&mut conn, &agency.id, kind.as_deref()).await?;
            let found: Vec<&BookRow> = books
                .iter()
                .filter(|b| {
                    civil::names_book(&label, &b.label, b.year) && year.is_none_or(|y| b.year == y)
                })
                .collect();
            match found.as_slice() {
                [b] => f.book_id = Some(b.id.clone()),
                [] => {
                    return Ok(SearchPage {
                        items: vec![],
                        next: None,
                    })
                }
                _ => {
                    return Err(Error::field(
                        "year",
                        "Có nhiều quyển cùng số hiệu: hãy chọn năm và loại sổ.",
                    ))
                }
            }
        } else {
            f.registration_year = q.year;
        }
        let limit = q.limit.unwrap_or(50).clamp(1, MAX_PAGE);
        let after = q
            .after
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.split_once('.')
                    .and_then(|(k, no)| Some((k, no.parse::<i64>().ok()?)))
                    .filter(|(k, _)| !k.is_empty())
                    .ok_or_else(|| Error::field("after", "Con trỏ trang không hợp lệ."))
            })
            .transpose()?;
        let rows = store::search(&mut conn, &f, after, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        let mut items = Vec::with_capacity(rows.len());
        let mut next = None;
        for (i, r) in rows.into_iter().enumerate() {
            if i as i64 == limit {
                break;
            }
            if more && i as i64 == limit - 1 {
                next = Some(format!("{}.{}", r.name_key, r.no));
            }
            items.push(EntrySummary::from(r));
        }
        Ok(SearchPage { items, next })
    }
}

/// The field names an entry of `kind` takes, for forms.
pub fn fields_for(kind: Kind) -> Vec<Field> {
    kind.required()
        .iter()
        .chain(kind.optional())
        .copied()
        .collect()
}

/// An entry read on `conn` (a write transaction sees what it wrote), with its
/// agency; none when there is no such entry.
pub(crate) async fn load_entry(conn: &mut Conn, id: &str) -> Result<Option<(Entry, AgencyRow)>> {
    let Some(row) = store::entry(conn, id).await? else {
        return Ok(None);
    };
    let agency = agencies::by_id(conn, &row.agency_id)
        .await?
        .ok_or_else(|| Error::Internal("entry without agency".into()))?;
    let book = store::book(conn, &row.book_id)
        .await?
        .ok_or_else(|| Error::Internal("entry without book".into()))?;
    let note_rows = store::notes_of(conn, id).await?;
    let notes: Vec<Note> = note_rows.iter().filter_map(note_of).collect();
    // The dossiers behind the entry and its notes, for links both ways.
    let mut dossiers = Vec::new();
    for dossier_id in row
        .dossier_id
        .iter()
        .chain(note_rows.iter().filter_map(|n| n.dossier_id.as_ref()))
    {
        if let Some(d) = motcua_store::dossiers::by_id(conn, dossier_id).await? {
            if !dossiers.contains(&d.code) {
                dossiers.push(d.code);
            }
        }
    }
    let kind = Kind::parse(&row.kind).ok_or_else(|| Error::Internal("bad kind".into()))?;
    let original = civil::values_from_json(&row.fields);
    let current = civil::current(&original, &notes);
    let history = civil::history(&original, &notes)
        .into_iter()
        .map(|h| HistoryItem {
            note: h.note + 1,
            kind: h.kind.as_str().to_owned(),
            kind_label: h.kind.label_vi().to_owned(),
            on: h.on,
            field: h.field.as_str().to_owned(),
            label: h.field.label_vi().to_owned(),
            before: h.before.map(|v| v.display()),
            after: h.after.map(|v| v.display()),
            reason: h.reason,
            basis: h.basis,
        })
        .collect();
    let entry = Entry {
        id: row.id,
        agency_code: agency.code.clone(),
        agency_name: agency.name.clone(),
        kind: kind.as_str().to_owned(),
        kind_label: kind.label_vi().to_owned(),
        re_registration: row.re_registration,
        full_name: row.display_name,
        book: book.label,
        book_year: book.year,
        number: row.number,
        registered_on: row
            .registered_on
            .parse()
            .map_err(|e| Error::internal("registered_on", e))?,
        source: row.source,
        dossier_id: row.dossier_id,
        dossiers,
        current: fields_of(&current),
        original: fields_of(&original),
        history,
    };
    Ok(Some((entry, agency)))
}
