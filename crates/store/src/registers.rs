//! Civil-status registers: books, entries and their notes.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use motcua_domain::{civil, text};

use crate::bulk::{insert_rows, is_sqlite, AnyQuery};
use crate::{Conn, Result};

/// A book of a register.
#[derive(Debug, Clone, FromRow)]
pub struct BookRow {
    pub id: String,
    pub agency_id: String,
    pub kind: String,
    pub year: i64,
    pub label: String,
    pub last_number: i64,
    pub closed: i64,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

impl BookRow {
    pub fn is_closed(&self) -> bool {
        self.closed != 0
    }
}

const BOOK_COLUMNS: &str =
    "id, agency_id, kind, year, label, last_number, closed, created_at, closed_at";

/// Takes the next number of a book, creating the book when it does not exist yet.
/// The upsert locks the book's row (PostgreSQL) or runs under the write lock
/// (SQLite) until the caller's transaction ends, so concurrent entries never share
/// a number and a rolled-back entry gives its number back. A closed book keeps its
/// sequence: the caller sees `closed` and refuses.
pub async fn next_number(
    conn: &mut Conn,
    new_id: &str,
    agency_id: &str,
    kind: &str,
    year: i64,
    label: &str,
    now: i64,
) -> Result<(BookRow, i64)> {
    let book: BookRow = sqlx::query_as(&format!(
        "INSERT INTO civil_books (id, agency_id, kind, year, label, last_number, closed, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, 0, $6) \
         ON CONFLICT (agency_id, kind, year, label) DO UPDATE SET last_number = \
         civil_books.last_number + CASE WHEN civil_books.closed = 0 THEN 1 ELSE 0 END \
         RETURNING {BOOK_COLUMNS}"
    ))
    .bind(new_id)
    .bind(agency_id)
    .bind(kind)
    .bind(year)
    .bind(label)
    .bind(now)
    .fetch_one(conn)
    .await?;
    let n = book.last_number;
    Ok((book, n))
}

/// The book for a historical entry of number `number`, created when needed; its
/// sequence is raised to at least `number`, so that the next new entry follows the
/// highest number held.
#[allow(clippy::too_many_arguments)] // the book's identity (agency, kind, year, label) and the number
pub async fn book_for_number(
    conn: &mut Conn,
    new_id: &str,
    agency_id: &str,
    kind: &str,
    year: i64,
    label: &str,
    number: i64,
    now: i64,
) -> Result<BookRow> {
    sqlx::query_as(&format!(
        "INSERT INTO civil_books (id, agency_id, kind, year, label, last_number, closed, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7) \
         ON CONFLICT (agency_id, kind, year, label) DO UPDATE SET last_number = \
         CASE WHEN civil_books.closed = 0 AND civil_books.last_number < $6 THEN $6 \
         ELSE civil_books.last_number END \
         RETURNING {BOOK_COLUMNS}"
    ))
    .bind(new_id)
    .bind(agency_id)
    .bind(kind)
    .bind(year)
    .bind(label)
    .bind(number)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn book(conn: &mut Conn, id: &str) -> Result<Option<BookRow>> {
    sqlx::query_as(&format!(
        "SELECT {BOOK_COLUMNS} FROM civil_books WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn books_of(
    conn: &mut Conn,
    agency_id: &str,
    kind: Option<&str>,
) -> Result<Vec<BookRow>> {
    sqlx::query_as(&format!(
        "SELECT {BOOK_COLUMNS} FROM civil_books WHERE agency_id = $1 AND ($2 IS NULL OR kind = $2) \
         ORDER BY year DESC, kind, label"
    ))
    .bind(agency_id)
    .bind(kind)
    .fetch_all(conn)
    .await
}

pub async fn find_book(
    conn: &mut Conn,
    agency_id: &str,
    kind: &str,
    year: i64,
    label: &str,
) -> Result<Option<BookRow>> {
    sqlx::query_as(&format!(
        "SELECT {BOOK_COLUMNS} FROM civil_books WHERE agency_id = $1 AND kind = $2 AND year = $3 AND label = $4"
    ))
    .bind(agency_id)
    .bind(kind)
    .bind(year)
    .bind(label)
    .fetch_optional(conn)
    .await
}

/// Closes a book; returns whether it was open.
pub async fn close_book(conn: &mut Conn, id: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE civil_books SET closed = 1, closed_at = $2 WHERE id = $1 AND closed = 0",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An entry's row: its original values (`fields`) and the columns derived from its
/// current values.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub id: String,
    pub book_id: String,
    pub agency_id: String,
    pub kind: String,
    pub re_registration: bool,
    pub number: i64,
    pub registered_on: String,
    pub registration_year: i64,
    pub fields: String,
    pub display_name: String,
    pub name_fold: String,
    pub given_fold: String,
    pub name_key: String,
    pub other_fold: Option<String>,
    pub date_of_birth: Option<String>,
    pub birth_year: Option<i64>,
    pub personal_id: Option<String>,
    pub mother_fold: Option<String>,
    pub father_fold: Option<String>,
    pub notes: i64,
    pub source: String,
    pub dossier_id: Option<String>,
    pub created_at: i64,
    pub created_by: Option<String>,
}

/// A boolean column of `row`, read with [`crate::flag`].
fn flag_column(row: &AnyRow, column: &str) -> Result<bool> {
    Ok(crate::flag(row.try_get(column)?))
}

impl FromRow<'_, AnyRow> for EntryRow {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(EntryRow {
            id: row.try_get("id")?,
            book_id: row.try_get("book_id")?,
            agency_id: row.try_get("agency_id")?,
            kind: row.try_get("kind")?,
            re_registration: flag_column(row, "re_registration")?,
            number: row.try_get("number")?,
            registered_on: row.try_get("registered_on")?,
            registration_year: row.try_get("registration_year")?,
            fields: row.try_get("fields")?,
            display_name: row.try_get("display_name")?,
            name_fold: row.try_get("name_fold")?,
            given_fold: row.try_get("given_fold")?,
            name_key: row.try_get("name_key")?,
            other_fold: row.try_get("other_fold")?,
            date_of_birth: row.try_get("date_of_birth")?,
            birth_year: row.try_get("birth_year")?,
            personal_id: row.try_get("personal_id")?,
            mother_fold: row.try_get("mother_fold")?,
            father_fold: row.try_get("father_fold")?,
            notes: row.try_get("notes")?,
            source: row.try_get("source")?,
            dossier_id: row.try_get("dossier_id")?,
            created_at: row.try_get("created_at")?,
            created_by: row.try_get("created_by")?,
        })
    }
}

const ENTRY_COLUMNS: &str =
    "id, book_id, agency_id, kind, re_registration, number, registered_on, \
     registration_year, fields, display_name, name_fold, given_fold, name_key, other_fold, \
     date_of_birth, birth_year, personal_id, mother_fold, father_fold, notes, source, dossier_id, \
     created_at, created_by";
const ENTRY_WIDTH: usize = 24;

/// Entries a batch, as the import and the benchmark hand them over: far below
/// both engines' limits on bound values (32,766 on SQLite, 65,535 on PostgreSQL).
pub const INSERT_BATCH: usize = 500;

/// Prefix rows a statement (4 values each).
const NAMES_BATCH: usize = 4_000;

fn bind_entry<'q>(q: AnyQuery<'q>, e: &'q EntryRow) -> AnyQuery<'q> {
    q.bind(&e.id)
        .bind(&e.book_id)
        .bind(&e.agency_id)
        .bind(&e.kind)
        .bind(i64::from(e.re_registration))
        .bind(e.number)
        .bind(&e.registered_on)
        .bind(e.registration_year)
        .bind(&e.fields)
        .bind(&e.display_name)
        .bind(&e.name_fold)
        .bind(&e.given_fold)
        .bind(&e.name_key)
        .bind(&e.other_fold)
        .bind(&e.date_of_birth)
        .bind(e.birth_year)
        .bind(&e.personal_id)
        .bind(&e.mother_fold)
        .bind(&e.father_fold)
        .bind(e.notes)
        .bind(&e.source)
        .bind(&e.dossier_id)
        .bind(e.created_at)
        .bind(&e.created_by)
}

/// Inserts entries with the rows of their name prefixes. A clash on (book,
/// number) fails the whole call: the caller checks for clashes first and the
/// transaction rolls back.
///
/// The prefix rows of all the entries are written after them, sorted by their
/// key, so that each lands beside the one before it in `civil_entry_names` and
/// a bulk import walks that b-tree once, page after page. Written in the
/// entries' order, each of the ~9 rows of an entry went to a random page: on a
/// 100,000-row import (traced with strace) every multi-row statement copied the
/// hundreds of pages it changed into SQLite's statement journal, 5.5 GB in all,
/// and the pages that no longer fitted the cache were written to the log and
/// read back again and again (1.6 GB written, 578,000 reads). Give a bulk
/// import all its entries in one call.
pub async fn insert_entries(conn: &mut Conn, rows: &[EntryRow]) -> Result<()> {
    // A bulk import's pages must stay in SQLite's cache until its commit: with
    // the writer's usual cache a 100,000-row import spilled dirty pages to the
    // log halfway and read them back, a third of its time in the kernel. About
    // 3 KiB an entry (its row, its indexes, its nine name prefixes), at most 512 MiB.
    let cache_kib = (rows.len() * 3).min(524_288);
    let grow = is_sqlite(conn) && cache_kib > crate::WRITER_CACHE_KIB;
    if grow {
        sqlx::query(&format!("PRAGMA cache_size = -{cache_kib}"))
            .execute(&mut *conn)
            .await?;
    }
    let written = write_entries(conn, rows).await;
    if grow {
        sqlx::query(&format!("PRAGMA cache_size = -{}", crate::WRITER_CACHE_KIB))
            .execute(&mut *conn)
            .await?;
    }
    written
}

async fn write_entries(conn: &mut Conn, rows: &[EntryRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let agencies = agency_numbers(conn, rows).await?;
    let numbers = entry_numbers(conn, rows.len()).await?;
    let mut numbered = Vec::with_capacity(rows.len());
    for (row, no) in rows.iter().zip(numbers) {
        let agency_no = agencies
            .get(row.agency_id.as_str())
            .copied()
            .ok_or_else(|| {
                sqlx::Error::Protocol(format!("no agency {} for a register entry", row.agency_id))
            })?;
        numbered.push(Numbered { row, no, agency_no });
    }
    // A bulk import's prefix rows are put in order on another core while the
    // entries are written (half a second of 100,000 entries' import).
    let sources: Vec<NameSource> = numbered.iter().map(NameSource::of).collect();
    let (mut order, task) = if sources.len() >= PARALLEL_ORDER {
        let task = tokio::task::spawn_blocking(move || names_in_key_order(&sources));
        (Vec::new(), Some(task))
    } else {
        (names_in_key_order(&sources), None)
    };
    let head = format!("civil_entries ({ENTRY_COLUMNS}, no)");
    insert_rows(
        conn,
        &head,
        ENTRY_WIDTH + 1,
        INSERT_BATCH,
        &numbered,
        bind_numbered,
    )
    .await?;
    if let Some(task) = task {
        order = task
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("ordering name prefixes: {e}")))?;
    }
    let names: Vec<NameRow<'_>> = order.iter().map(|r| r.row_of(&numbered)).collect();
    insert_names(conn, &names).await
}

/// Entries from which their prefix rows are ordered on a thread of their own.
const PARALLEL_ORDER: usize = 2_000;

/// An entry to insert with its number and its agency's (the name-prefix rows'
/// key is made of them).
struct Numbered<'a> {
    row: &'a EntryRow,
    no: i64,
    agency_no: i64,
}

fn bind_numbered<'q>(q: AnyQuery<'q>, n: &'q Numbered<'_>) -> AnyQuery<'q> {
    bind_entry(q, n.row).bind(n.no)
}

/// What the order of an entry's prefix rows depends on, owned, so that it can be
/// worked out on another thread.
struct NameSource {
    agency_no: i64,
    no: i64,
    name_key: String,
    /// The folded whole name, given name and other person's name.
    terms: [String; 3],
}

impl NameSource {
    fn of(n: &Numbered<'_>) -> NameSource {
        let r = n.row;
        NameSource {
            agency_no: n.agency_no,
            no: n.no,
            name_key: r.name_key.clone(),
            terms: [
                r.name_fold.clone(),
                r.given_fold.clone(),
                r.other_fold.clone().unwrap_or_default(),
            ],
        }
    }
}

/// A prefix row by position: the `len` first bytes of term `term` of entry `entry`.
struct NameRef {
    entry: u32,
    term: u8,
    len: u32,
}

impl NameRef {
    fn row_of<'a>(&self, numbered: &[Numbered<'a>]) -> NameRow<'a> {
        let n = &numbered[self.entry as usize];
        let r: &'a EntryRow = n.row;
        let term: &'a str = match self.term {
            0 => &r.name_fold,
            1 => &r.given_fold,
            _ => r.other_fold.as_deref().unwrap_or_default(),
        };
        NameRow {
            agency_no: n.agency_no,
            prefix: term.get(..self.len as usize).unwrap_or_default(),
            name_key: &r.name_key,
            entry_no: n.no,
        }
    }
}

/// The numbers of the agencies `rows` belong to (an import's are all one).
async fn agency_numbers<'r>(
    conn: &mut Conn,
    rows: &'r [EntryRow],
) -> Result<HashMap<&'r str, i64>> {
    let mut ids: Vec<&str> = rows.iter().map(|r| r.agency_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut numbers = HashMap::with_capacity(ids.len());
    for id in ids {
        let no: i64 = sqlx::query_scalar("SELECT no FROM agencies WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        numbers.insert(id, no);
    }
    Ok(numbers)
}

/// `n` new entry numbers, taken at once. SQLite's writers take turns, so the
/// numbers after the highest are the transaction's own; PostgreSQL's writers run
/// together and take theirs from the sequence.
async fn entry_numbers(conn: &mut Conn, n: usize) -> Result<Vec<i64>> {
    if is_sqlite(conn) {
        let highest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(no), 0) FROM civil_entries")
            .fetch_one(&mut *conn)
            .await?;
        Ok((1..=n as i64).map(|i| highest + i).collect())
    } else {
        sqlx::query_scalar("SELECT nextval('civil_entries_no_seq') FROM generate_series(1, $1)")
            .bind(n as i64)
            .fetch_all(&mut *conn)
            .await
    }
}

/// Every name-prefix row of `entries`, in the order of the table's key (agency,
/// prefix, name_key, entry), so that the inserts walk the b-tree once. The
/// entries are sorted (a tenth as many as the prefix rows) and dealt into one
/// bucket per agency and prefix, each of which is then in key order: comparing
/// the 900,000 rows of a 100,000-entry import took a second.
fn names_in_key_order(entries: &[NameSource]) -> Vec<NameRef> {
    let mut order: Vec<u32> = (0..entries.len() as u32).collect();
    let at = |i: u32| &entries[i as usize];
    order.sort_unstable_by(|&a, &b| {
        let (a, b) = (at(a), at(b));
        (a.agency_no, &a.name_key, a.no).cmp(&(b.agency_no, &b.name_key, b.no))
    });
    let mut buckets: HashMap<(i64, &str), Vec<(u32, u8)>> = HashMap::new();
    for i in order {
        let e = at(i);
        let [name, given, other] = &e.terms;
        let other = Some(other.as_str()).filter(|o| !o.is_empty());
        for prefix in civil::name_key_slices(name, given, other) {
            // Which term the prefix is the start of (the empty one: any).
            let term = e
                .terms
                .iter()
                .position(|t| t.as_ptr() == prefix.as_ptr())
                .unwrap_or(0) as u8;
            buckets
                .entry((e.agency_no, prefix))
                .or_default()
                .push((i, term));
        }
    }
    let mut keys: Vec<(i64, &str)> = buckets.keys().copied().collect();
    keys.sort_unstable();
    let mut names = Vec::with_capacity(buckets.values().map(Vec::len).sum());
    for key in keys {
        for (entry, term) in buckets.remove(&key).unwrap_or_default() {
            names.push(NameRef {
                entry,
                term,
                len: key.1.len() as u32,
            });
        }
    }
    names
}

/// A row of `civil_entry_names`.
struct NameRow<'a> {
    agency_no: i64,
    prefix: &'a str,
    name_key: &'a str,
    entry_no: i64,
}

const NAMES_HEAD: &str = "civil_entry_names (agency_no, prefix, name_key, entry_no)";

fn bind_name<'q>(q: AnyQuery<'q>, n: &'q NameRow<'_>) -> AnyQuery<'q> {
    q.bind(n.agency_no)
        .bind(n.prefix)
        .bind(n.name_key)
        .bind(n.entry_no)
}

async fn insert_names(conn: &mut Conn, names: &[NameRow<'_>]) -> Result<()> {
    insert_rows(conn, NAMES_HEAD, 4, NAMES_BATCH, names, bind_name).await
}

pub async fn entry(conn: &mut Conn, id: &str) -> Result<Option<EntryRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM civil_entries WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn entry_by_number(
    conn: &mut Conn,
    book_id: &str,
    number: i64,
) -> Result<Option<EntryRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM civil_entries WHERE book_id = $1 AND number = $2"
    ))
    .bind(book_id)
    .bind(number)
    .fetch_optional(conn)
    .await
}

/// What an import compares an incoming row with: every entry of a book, by number.
#[derive(Debug, Clone)]
pub struct EntryContent {
    pub number: i64,
    pub registered_on: String,
    pub re_registration: bool,
    pub fields: String,
}

impl FromRow<'_, AnyRow> for EntryContent {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(EntryContent {
            number: row.try_get("number")?,
            registered_on: row.try_get("registered_on")?,
            re_registration: flag_column(row, "re_registration")?,
            fields: row.try_get("fields")?,
        })
    }
}

pub async fn contents_of_book(conn: &mut Conn, book_id: &str) -> Result<Vec<EntryContent>> {
    sqlx::query_as(
        "SELECT number, registered_on, re_registration, fields FROM civil_entries WHERE book_id = $1",
    )
    .bind(book_id)
    .fetch_all(conn)
    .await
}

/// The columns derived from an entry's current values, rewritten when a note
/// changes them (the original `fields` never are).
pub struct Derived<'a> {
    pub display_name: &'a str,
    pub name_fold: &'a str,
    pub given_fold: &'a str,
    pub name_key: &'a str,
    pub other_fold: Option<&'a str>,
    pub date_of_birth: Option<&'a str>,
    pub birth_year: Option<i64>,
    pub personal_id: Option<&'a str>,
    pub mother_fold: Option<&'a str>,
    pub father_fold: Option<&'a str>,
}

/// Rewrites the derived columns of `old` (the entry as it stands) and its name
/// prefixes: the old prefixes' rows are deleted by their whole key, the new ones
/// written.
pub async fn update_derived(
    conn: &mut Conn,
    old: &EntryRow,
    d: &Derived<'_>,
    notes: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE civil_entries SET display_name = $2, name_fold = $3, given_fold = $4, name_key = $5, \
         other_fold = $6, date_of_birth = $7, birth_year = $8, personal_id = $9, mother_fold = $10, \
         father_fold = $11, notes = $12 WHERE id = $1",
    )
    .bind(&old.id)
    .bind(d.display_name)
    .bind(d.name_fold)
    .bind(d.given_fold)
    .bind(d.name_key)
    .bind(d.other_fold)
    .bind(d.date_of_birth)
    .bind(d.birth_year)
    .bind(d.personal_id)
    .bind(d.mother_fold)
    .bind(d.father_fold)
    .bind(notes)
    .execute(&mut *conn)
    .await?;
    let (agency_no, entry_no): (i64, i64) = sqlx::query_as(
        "SELECT a.no, e.no FROM civil_entries e JOIN agencies a ON a.id = e.agency_id WHERE e.id = $1",
    )
    .bind(&old.id)
    .fetch_one(&mut *conn)
    .await?;
    for prefix in civil::name_key_slices(&old.name_fold, &old.given_fold, old.other_fold.as_deref())
    {
        sqlx::query(
            "DELETE FROM civil_entry_names WHERE agency_no = $1 AND prefix = $2 \
             AND name_key = $3 AND entry_no = $4",
        )
        .bind(agency_no)
        .bind(prefix)
        .bind(&old.name_key)
        .bind(entry_no)
        .execute(&mut *conn)
        .await?;
    }
    let names: Vec<NameRow<'_>> = civil::name_key_slices(d.name_fold, d.given_fold, d.other_fold)
        .into_iter()
        .map(|prefix| NameRow {
            agency_no,
            prefix,
            name_key: d.name_key,
            entry_no,
        })
        .collect();
    insert_names(conn, &names).await
}

#[derive(Debug, Clone, FromRow)]
pub struct NoteRow {
    pub id: String,
    pub entry_id: String,
    pub seq: i64,
    pub kind: String,
    pub noted_on: String,
    pub changes: String,
    pub reason: String,
    pub basis: Option<String>,
    pub dossier_id: Option<String>,
    pub created_at: i64,
    pub created_by: Option<String>,
}

const NOTE_COLUMNS: &str =
    "id, entry_id, seq, kind, noted_on, changes, reason, basis, dossier_id, created_at, created_by";

pub async fn notes_of(conn: &mut Conn, entry_id: &str) -> Result<Vec<NoteRow>> {
    sqlx::query_as(&format!(
        "SELECT {NOTE_COLUMNS} FROM civil_entry_notes WHERE entry_id = $1 ORDER BY seq"
    ))
    .bind(entry_id)
    .fetch_all(conn)
    .await
}

pub async fn insert_note(conn: &mut Conn, n: &NoteRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO civil_entry_notes ({NOTE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(&n.id)
    .bind(&n.entry_id)
    .bind(n.seq)
    .bind(&n.kind)
    .bind(&n.noted_on)
    .bind(&n.changes)
    .bind(&n.reason)
    .bind(&n.basis)
    .bind(&n.dossier_id)
    .bind(n.created_at)
    .bind(&n.created_by)
    .execute(conn)
    .await?;
    Ok(())
}

/// An entry as an export writes it: its book, number, dates and original values.
#[derive(Debug, Clone)]
pub struct ExportEntry {
    pub id: String,
    pub kind: String,
    pub book_label: String,
    pub book_year: i64,
    pub number: i64,
    pub registered_on: String,
    pub re_registration: bool,
    pub fields: String,
}

impl FromRow<'_, AnyRow> for ExportEntry {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(ExportEntry {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            book_label: row.try_get("book_label")?,
            book_year: row.try_get("book_year")?,
            number: row.try_get("number")?,
            registered_on: row.try_get("registered_on")?,
            re_registration: flag_column(row, "re_registration")?,
            fields: row.try_get("fields")?,
        })
    }
}

/// An agency's entries, of one kind and one book year when given, in book order
/// (kind, year, book, number).
pub async fn entries_for_export(
    conn: &mut Conn,
    agency_id: &str,
    kind: Option<&str>,
    year: Option<i64>,
) -> Result<Vec<ExportEntry>> {
    sqlx::query_as(
        "SELECT e.id, e.kind, b.label AS book_label, b.year AS book_year, e.number, \
         e.registered_on, e.re_registration, e.fields \
         FROM civil_entries e JOIN civil_books b ON b.id = e.book_id \
         WHERE e.agency_id = $1 AND ($2 IS NULL OR e.kind = $2) AND ($3 IS NULL OR b.year = $3) \
         ORDER BY e.kind, b.year, b.label, e.number",
    )
    .bind(agency_id)
    .bind(kind)
    .bind(year)
    .fetch_all(conn)
    .await
}

/// The notes of the entries [`entries_for_export`] returns, by entry and order.
pub async fn notes_for_export(
    conn: &mut Conn,
    agency_id: &str,
    kind: Option<&str>,
    year: Option<i64>,
) -> Result<Vec<NoteRow>> {
    sqlx::query_as(&format!(
        "SELECT {} FROM civil_entry_notes n JOIN civil_entries e ON e.id = n.entry_id \
         JOIN civil_books b ON b.id = e.book_id \
         WHERE e.agency_id = $1 AND ($2 IS NULL OR e.kind = $2) AND ($3 IS NULL OR b.year = $3) \
         ORDER BY n.entry_id, n.seq",
        NOTE_COLUMNS
            .split(", ")
            .map(|c| format!("n.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(agency_id)
    .bind(kind)
    .bind(year)
    .fetch_all(conn)
    .await
}

/// What a search narrows by; names already folded.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub agency_id: String,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub date_of_birth: Option<String>,
    pub birth_year: Option<i64>,
    pub mother: Option<String>,
    pub father: Option<String>,
    pub book_id: Option<String>,
    pub number: Option<i64>,
    pub personal_id: Option<String>,
    pub registration_year: Option<i64>,
}

/// A line of a search result.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: String,
    pub no: i64,
    pub kind: civil::Kind,
    pub re_registration: bool,
    pub display_name: String,
    pub name_key: String,
    pub date_of_birth: Option<jiff::civil::Date>,
    pub book_label: String,
    pub book_year: i64,
    pub number: i64,
    pub registered_on: jiff::civil::Date,
}

/// [`Found`] as its columns hold it.
#[derive(FromRow)]
struct FoundColumns {
    id: String,
    no: i64,
    kind: String,
    re_registration: i64,
    display_name: String,
    name_key: String,
    date_of_birth: Option<String>,
    book_label: String,
    book_year: i64,
    number: i64,
    registered_on: String,
}

impl TryFrom<FoundColumns> for Found {
    type Error = sqlx::Error;

    fn try_from(r: FoundColumns) -> Result<Found> {
        let bad = |what: &str, v: &str| sqlx::Error::Decode(format!("{what}: {v}").into());
        let day = |what: &str, v: &str| v.parse().map_err(|_| bad(what, v));
        Ok(Found {
            kind: civil::Kind::parse(&r.kind).ok_or_else(|| bad("kind", &r.kind))?,
            re_registration: r.re_registration != 0,
            date_of_birth: match r.date_of_birth.as_deref() {
                Some(d) => Some(day("date_of_birth", d)?),
                None => None,
            },
            registered_on: day("registered_on", &r.registered_on)?,
            id: r.id,
            no: r.no,
            display_name: r.display_name,
            name_key: r.name_key,
            book_label: r.book_label,
            book_year: r.book_year,
            number: r.number,
        })
    }
}

fn found(rows: Vec<FoundColumns>) -> Result<Vec<Found>> {
    rows.into_iter().map(Found::try_from).collect()
}

/// The end of a prefix range: every text starting with the prefix sorts below it
/// under both engines' byte order.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Entries matching `f` in Vietnamese order of name (then number), after the
/// keyset `after` = (name_key, no), at most `limit`. A name matches by prefix of the whole
/// folded name, of the given name, or of the other person's name.
///
/// The read starts from what narrows most: an identity number, a date of birth
/// or a book's entry number is an index of its own, and its few entries are
/// sorted. Otherwise the entries are read from `civil_entry_names` under one
/// prefix (the name's [`text::prefix_bucket`], or the empty prefix that lists
/// them all), already in Vietnamese order, and the read stops after `limit`
/// entries that meet the other conditions.
pub async fn search(
    conn: &mut Conn,
    f: &Filter,
    after: Option<(&str, i64)>,
    limit: i64,
) -> Result<Vec<Found>> {
    let mut binds: Vec<Bind> = vec![Bind::Text(f.agency_id.clone())];
    let mut conds: Vec<String> = Vec::new();
    let push = |binds: &mut Vec<Bind>, b: Bind| -> String {
        binds.push(b);
        format!("${}", binds.len())
    };
    if let Some(k) = &f.kind {
        let p = push(&mut binds, Bind::Text(k.clone()));
        conds.push(format!("e.kind = {p}"));
    }
    if let Some(d) = &f.date_of_birth {
        // The year column first: the index (agency, birth_year, date_of_birth).
        let y = d.get(0..4).and_then(|y| y.parse::<i64>().ok()).unwrap_or(0);
        let py = push(&mut binds, Bind::Int(y));
        let pd = push(&mut binds, Bind::Text(d.clone()));
        conds.push(format!("e.birth_year = {py} AND e.date_of_birth = {pd}"));
    }
    if let Some(y) = f.birth_year {
        let p = push(&mut binds, Bind::Int(y));
        conds.push(format!("e.birth_year = {p}"));
    }
    for (col, v) in [("mother_fold", &f.mother), ("father_fold", &f.father)] {
        if let Some(v) = v {
            let lo = push(&mut binds, Bind::Text(v.clone()));
            let hi = push(&mut binds, Bind::Text(prefix_end(v)));
            conds.push(format!("e.{col} >= {lo} AND e.{col} < {hi}"));
        }
    }
    if let Some(b) = &f.book_id {
        let p = push(&mut binds, Bind::Text(b.clone()));
        conds.push(format!("e.book_id = {p}"));
    }
    if let Some(n) = f.number {
        let p = push(&mut binds, Bind::Int(n));
        conds.push(format!("e.number = {p}"));
    }
    if let Some(id) = &f.personal_id {
        let p = push(&mut binds, Bind::Text(id.clone()));
        conds.push(format!("e.personal_id = {p}"));
    }
    if let Some(y) = f.registration_year {
        let p = push(&mut binds, Bind::Int(y));
        conds.push(format!("e.registration_year = {p}"));
    }
    let name = f.name.as_deref().filter(|n| !n.is_empty());
    let narrow = f.personal_id.is_some()
        || f.date_of_birth.is_some()
        || (f.book_id.is_some() && f.number.is_some());
    let (bucket, exact) = match name {
        Some(n) => text::prefix_bucket(n),
        None => (String::new(), true),
    };
    if let Some(n) = name.filter(|_| narrow || !exact) {
        let lo = push(&mut binds, Bind::Text(n.to_owned()));
        let hi = push(&mut binds, Bind::Text(prefix_end(n)));
        conds.push(format!(
            "((e.name_fold >= {lo} AND e.name_fold < {hi}) OR (e.given_fold >= {lo} AND e.given_fold < {hi}) \
             OR (e.other_fold >= {lo} AND e.other_fold < {hi}))"
        ));
    }
    let (key_col, no_col) = if narrow {
        ("e.name_key", "e.no")
    } else {
        ("n.name_key", "n.entry_no")
    };
    if let Some((key, no)) = after {
        let pk = push(&mut binds, Bind::Text(key.to_owned()));
        let pn = push(&mut binds, Bind::Int(no));
        conds.push(format!("({key_col}, {no_col}) > ({pk}, {pn})"));
    }
    let rest: String = conds.iter().map(|c| format!(" AND {c}")).collect();
    let columns =
        "e.id, e.no, e.kind, e.re_registration, e.display_name, e.name_key, e.date_of_birth, \
                   b.label AS book_label, b.year AS book_year, e.number, e.registered_on";
    let limit_p = push(&mut binds, Bind::Int(limit));
    let sql = if narrow {
        format!(
            "SELECT {columns} FROM civil_entries e JOIN civil_books b ON b.id = e.book_id \
             WHERE e.agency_id = $1{rest} ORDER BY e.name_key, e.no LIMIT {limit_p}"
        )
    } else {
        // CROSS JOIN keeps SQLite reading the prefix's rows first, in their order.
        let pb = push(&mut binds, Bind::Text(bucket));
        format!(
            "SELECT {columns} FROM civil_entry_names n CROSS JOIN civil_entries e \
             JOIN civil_books b ON b.id = e.book_id \
             WHERE n.agency_no = (SELECT no FROM agencies WHERE id = $1) AND n.prefix = {pb} \
             AND e.no = n.entry_no{rest} ORDER BY n.name_key, n.entry_no LIMIT {limit_p}"
        )
    };
    let mut q = sqlx::query_as::<_, FoundColumns>(&sql);
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
        };
    }
    found(q.fetch_all(conn).await?)
}

enum Bind {
    Text(String),
    Int(i64),
}

/// A certified extract of an entry, issued for public verification
/// (`issued_documents`, kind `civil_extract`).
#[derive(Debug, Clone)]
pub struct NewExtract<'a> {
    pub token: &'a str,
    pub agency_id: &'a str,
    pub entry_id: &'a str,
    pub number: i64,
    /// "01/2026" (the book's label and year, as printed).
    pub book: &'a str,
    pub title: &'a str,
    pub subject_name: &'a str,
    /// YYYY-MM-DD
    pub subject_born: Option<&'a str>,
    pub copies: i64,
    pub issued_at: i64,
    pub issued_by: &'a str,
    pub sha256: &'a str,
}

pub async fn insert_extract(conn: &mut Conn, d: &NewExtract<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO issued_documents (token, kind, agency_id, number, book, title, issued_at, \
         issued_by, sha256, civil_entry_id, subject_name, subject_born, copies) \
         VALUES ($1, 'civil_extract', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(d.token)
    .bind(d.agency_id)
    .bind(d.number)
    .bind(d.book)
    .bind(d.title)
    .bind(d.issued_at)
    .bind(d.issued_by)
    .bind(d.sha256)
    .bind(d.entry_id)
    .bind(d.subject_name)
    .bind(d.subject_born)
    .bind(d.copies)
    .execute(conn)
    .await?;
    Ok(())
}

/// The hash of an issued extract's file, once it is signed (the file given out).
pub async fn set_extract_sha256(conn: &mut Conn, token: &str, sha256: &str) -> Result<()> {
    sqlx::query("UPDATE issued_documents SET sha256 = $1 WHERE token = $2")
        .bind(sha256)
        .bind(token)
        .execute(conn)
        .await?;
    Ok(())
}

/// The entries a dossier's approval wrote (one per register), if any.
pub async fn entries_of_dossier(conn: &mut Conn, dossier_id: &str) -> Result<Vec<EntryRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM civil_entries WHERE dossier_id = $1 ORDER BY kind"
    ))
    .bind(dossier_id)
    .fetch_all(conn)
    .await
}

/// The entry a correction dossier's approval added a note to, if any.
pub async fn noted_entry_of_dossier(conn: &mut Conn, dossier_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT entry_id FROM civil_entry_notes WHERE dossier_id = $1 ORDER BY created_at LIMIT 1",
    )
    .bind(dossier_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Possible duplicates of a declared entry: same kind in the agency, the same
/// folded name, and the same date of birth or the same mother's folded name.
/// Read under the name's prefix, in Vietnamese order.
pub async fn possible_duplicates(
    conn: &mut Conn,
    agency_id: &str,
    kind: &str,
    name_fold: &str,
    date_of_birth: Option<&str>,
    mother_fold: Option<&str>,
) -> Result<Vec<Found>> {
    let (bucket, _) = text::prefix_bucket(name_fold);
    let rows = sqlx::query_as(
        "SELECT e.id, e.no, e.kind, e.re_registration, e.display_name, e.name_key, e.date_of_birth, \
         b.label AS book_label, b.year AS book_year, e.number, e.registered_on \
         FROM civil_entry_names n CROSS JOIN civil_entries e JOIN civil_books b ON b.id = e.book_id \
         WHERE n.agency_no = (SELECT no FROM agencies WHERE id = $1) AND n.prefix = $6 \
         AND e.no = n.entry_no AND e.kind = $2 \
         AND e.name_fold = $3 AND (e.date_of_birth = $4 OR e.mother_fold = $5) \
         ORDER BY n.name_key, n.entry_no LIMIT 20",
    )
    .bind(agency_id)
    .bind(kind)
    .bind(name_fold)
    .bind(date_of_birth)
    .bind(mother_fold)
    .bind(bucket)
    .fetch_all(conn)
    .await?;
    found(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, agency: &str, name: &str, given: &str, other: Option<&str>) -> EntryRow {
        EntryRow {
            id: id.into(),
            book_id: "b".into(),
            agency_id: agency.into(),
            kind: "birth".into(),
            re_registration: false,
            number: 1,
            registered_on: "2014-01-01".into(),
            registration_year: 2014,
            fields: "{}".into(),
            display_name: name.into(),
            name_fold: name.into(),
            given_fold: given.into(),
            // Not the name: the key order must come from this column.
            name_key: format!("{given}|{id}"),
            other_fold: other.map(str::to_owned),
            date_of_birth: None,
            birth_year: None,
            personal_id: None,
            mother_fold: None,
            father_fold: None,
            notes: 0,
            source: "import".into(),
            dossier_id: None,
            created_at: 0,
            created_by: None,
        }
    }

    #[test]
    fn prefix_rows_come_in_the_order_of_the_key() {
        let rows = [
            entry("e3", "a2", "tran thi an", "an", None),
            entry("e1", "a1", "nguyen van duc", "duc", Some("le thi hoa")),
            entry("e2", "a1", "nguyen van an", "an", None),
            entry("e4", "a1", "nguyen duc", "duc", None),
            entry("e5", "a2", "le an", "an", Some("tran van binh")),
        ];
        // Entry numbers in another order than the rows', agencies numbered apart.
        let numbered: Vec<Numbered<'_>> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| Numbered {
                row,
                no: 10 - i as i64,
                agency_no: if row.agency_id == "a1" { 2 } else { 1 },
            })
            .collect();
        let sources: Vec<NameSource> = numbered.iter().map(NameSource::of).collect();
        let got: Vec<(i64, &str, &str, i64)> = names_in_key_order(&sources)
            .iter()
            .map(|r| r.row_of(&numbered))
            .map(|n| (n.agency_no, n.prefix, n.name_key, n.entry_no))
            .collect();
        let mut want: Vec<(i64, &str, &str, i64)> = numbered
            .iter()
            .flat_map(|e| {
                let r = e.row;
                civil::name_key_slices(&r.name_fold, &r.given_fold, r.other_fold.as_deref())
                    .into_iter()
                    .map(move |p| (e.agency_no, p, r.name_key.as_str(), e.no))
            })
            .collect();
        want.sort_unstable();
        assert_eq!(got, want);
    }
}
