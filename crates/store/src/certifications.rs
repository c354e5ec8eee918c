//! Certification books, their entries, and issued documents for public
//! verification.

use jiff::Timestamp;
use motcua_domain::certification::{Kind, SignatureMode};
use sqlx::FromRow;

use crate::{flag, from_millis, Conn, Engine, Result};

/// The number an entry takes in its book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    pub book_id: String,
    pub volume: i64,
    pub number: i64,
}

/// Takes the next number of the open book of `book_code` for `year` at an agency,
/// opening the book (volume 1, or the one after a closed volume) when needed. Must
/// run inside the write transaction that writes the entry: the upsert takes a row
/// lock on PostgreSQL (and SQLite's write lock), so concurrent counters never share
/// a number and a rolled-back entry gives its number back.
pub async fn next_number(
    conn: &mut Conn,
    agency_id: &str,
    book_code: &str,
    year: i16,
    now_ms: i64,
) -> Result<Numbered> {
    let mut volume = open_volume(
        conn,
        BookKey {
            agency_id,
            book_code,
            year,
        },
    )
    .await?;
    // A book closed between the read above and this upsert takes no number
    // (the `WHERE` leaves it alone and nothing is returned): the next volume does.
    loop {
        let taken: Option<(String, i64)> = sqlx::query_as(
            "INSERT INTO certification_books \
             (id, agency_id, book_code, book_year, volume, last_number, closed, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, 0, $6) \
             ON CONFLICT (agency_id, book_code, book_year, volume) \
             DO UPDATE SET last_number = certification_books.last_number + 1 \
             WHERE certification_books.closed = 0 \
             RETURNING id, last_number",
        )
        .bind(crate::new_id())
        .bind(agency_id)
        .bind(book_code)
        .bind(i64::from(year))
        .bind(volume)
        .bind(now_ms)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((book_id, number)) = taken {
            return Ok(Numbered {
                book_id,
                volume,
                number,
            });
        }
        volume += 1;
    }
}

/// The number the next certification of a book would take, read without
/// locking anything: a guess that [`claim_number`] confirms or refuses. For
/// work that must print the number before the entry is written (an
/// electronic copy is rendered and signed with it) without holding the
/// book's lock meanwhile.
pub async fn peek_next_number(conn: &mut Conn, book: BookKey<'_>) -> Result<(i64, i64)> {
    let latest: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT volume, last_number, closed FROM certification_books \
         WHERE agency_id = $1 AND book_code = $2 AND book_year = $3 \
         ORDER BY volume DESC LIMIT 1",
    )
    .bind(book.agency_id)
    .bind(book.book_code)
    .bind(i64::from(book.year))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match latest {
        None => (1, 1),
        Some((v, _, closed)) if flag(closed) => (v + 1, 1),
        Some((v, last, _)) => (v, last + 1),
    })
}

/// Takes exactly `number` in `volume` of a book, if it is still the next one
/// (as [`peek_next_number`] read it) and the volume still open; `None` when
/// another certification took it, or the volume was closed, meanwhile. Run
/// it in the write transaction that writes the entry, as [`next_number`].
pub async fn claim_number(
    conn: &mut Conn,
    book: BookKey<'_>,
    volume: i64,
    number: i64,
    now_ms: i64,
) -> Result<Option<Numbered>> {
    let taken: Option<(String, i64)> = if number == 1 {
        // The volume's first number opens it; a volume opened by someone
        // else meanwhile already has its number 1.
        sqlx::query_as(
            "INSERT INTO certification_books \
             (id, agency_id, book_code, book_year, volume, last_number, closed, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, 0, $6) \
             ON CONFLICT (agency_id, book_code, book_year, volume) DO NOTHING \
             RETURNING id, last_number",
        )
        .bind(crate::new_id())
        .bind(book.agency_id)
        .bind(book.book_code)
        .bind(i64::from(book.year))
        .bind(volume)
        .bind(now_ms)
        .fetch_optional(&mut *conn)
        .await?
    } else {
        // On PostgreSQL an update that waited for another's row lock checks
        // `last_number` again on the row that one committed: a number taken
        // meanwhile is not taken twice.
        sqlx::query_as(
            "UPDATE certification_books SET last_number = last_number + 1 \
             WHERE agency_id = $1 AND book_code = $2 AND book_year = $3 AND volume = $4 \
             AND last_number = $5 AND closed = 0 \
             RETURNING id, last_number",
        )
        .bind(book.agency_id)
        .bind(book.book_code)
        .bind(i64::from(book.year))
        .bind(volume)
        .bind(number - 1)
        .fetch_optional(&mut *conn)
        .await?
    };
    Ok(taken.map(|(book_id, number)| Numbered {
        book_id,
        volume,
        number,
    }))
}

/// The book an entry is numbered in.
#[derive(Debug, Clone, Copy)]
pub struct BookKey<'a> {
    pub agency_id: &'a str,
    pub book_code: &'a str,
    pub year: i16,
}

/// Writes a certification with its issued document, numbered in its book.
///
/// With `numbered` (a number taken earlier in this transaction with
/// [`next_number`], because the document prints it) the two rows are simply
/// written. Without, the number is taken here, as the last write of the
/// transaction: the book row lock that makes numbering gap-free is held from
/// this statement to the commit only, not across the transaction's other work.
/// On PostgreSQL the upsert and both inserts are one statement (one round trip
/// under the lock); SQLite holds its database write lock for the whole
/// transaction anyway, and its statements cost no round trip.
///
/// `entry.numbered`, `issued.number` and `issued.book` are ignored: they come
/// from the number; `book_label(volume)` names the book in the issued document.
pub async fn record_numbered(
    conn: &mut Conn,
    engine: Engine,
    book: BookKey<'_>,
    entry: &NewEntry<'_>,
    issued: &NewIssued<'_>,
    numbered: Option<&Numbered>,
    book_label: &(dyn Fn(i64) -> String + Sync),
) -> Result<Numbered> {
    if let Some(n) = numbered {
        write_numbered(conn, entry, issued, n, &book_label(n.volume)).await?;
        return Ok(n.clone());
    }
    match engine {
        Engine::Sqlite => {
            let n = next_number(
                conn,
                book.agency_id,
                book.book_code,
                book.year,
                entry.created_at,
            )
            .await?;
            write_numbered(conn, entry, issued, &n, &book_label(n.volume)).await?;
            Ok(n)
        }
        Engine::Postgres => {
            let mut volume = open_volume(conn, book).await?;
            loop {
                let label = book_label(volume);
                // A data-modifying CTE: the entry and the document see the row
                // the upsert returns; with no row (the volume was closed
                // meanwhile) nothing is written and the next volume is tried.
                let taken: Option<(String, i64)> = sqlx::query_as(
                    "WITH b AS ( \
                       INSERT INTO certification_books \
                       (id, agency_id, book_code, book_year, volume, last_number, closed, created_at) \
                       VALUES ($1, $2, $3, $4, $5, 1, 0, $6) \
                       ON CONFLICT (agency_id, book_code, book_year, volume) \
                       DO UPDATE SET last_number = certification_books.last_number + 1 \
                       WHERE certification_books.closed = 0 \
                       RETURNING id, last_number), \
                     i AS ( \
                       INSERT INTO issued_documents (token, kind, agency_id, number, book, title, \
                       issued_at, issued_by, sha256) \
                       SELECT $7, $8, $2, b.last_number, $9, $10, $11, $12, $13 FROM b), \
                     e AS ( \
                       INSERT INTO certification_entries (id, agency_id, kind, book_id, number, \
                       signature_mode, requester_name, requester_id, document_name, pages, copies, \
                       fee_total, fee_lines, signer_id, signer_title, recorded_by, disposition, \
                       dossier_id, issued_token, created_at) \
                       SELECT $14, $2, $15, b.id, b.last_number, $16, $17, $18, $19, $20, $21, $22, \
                       $23, $24, $25, $26, $27, $28, $29, $30 FROM b) \
                     SELECT id, last_number FROM b",
                )
                .bind(crate::new_id())
                .bind(book.agency_id)
                .bind(book.book_code)
                .bind(i64::from(book.year))
                .bind(volume)
                .bind(entry.created_at)
                .bind(issued.token)
                .bind(issued.kind)
                .bind(&label)
                .bind(issued.title)
                .bind(issued.issued_at)
                .bind(issued.issued_by)
                .bind(issued.sha256)
                .bind(entry.id)
                .bind(entry.kind.as_str())
                .bind(entry.signature_mode.map(|m| m.as_str()))
                .bind(entry.requester_name)
                .bind(entry.requester_id)
                .bind(entry.document_name)
                .bind(i64::from(entry.pages))
                .bind(i64::from(entry.copies))
                .bind(entry.fee_total)
                .bind(entry.fee_lines)
                .bind(entry.signer_id)
                .bind(entry.signer_title)
                .bind(entry.recorded_by)
                .bind(entry.disposition)
                .bind(entry.dossier_id)
                .bind(entry.issued_token)
                .bind(entry.created_at)
                .fetch_optional(&mut *conn)
                .await?;
                if let Some((book_id, number)) = taken {
                    return Ok(Numbered {
                        book_id,
                        volume,
                        number,
                    });
                }
                volume += 1;
            }
        }
    }
}

async fn write_numbered(
    conn: &mut Conn,
    entry: &NewEntry<'_>,
    issued: &NewIssued<'_>,
    n: &Numbered,
    label: &str,
) -> Result<()> {
    insert_issued(
        conn,
        &NewIssued {
            number: Some(n.number),
            book: Some(label),
            ..issued.clone()
        },
    )
    .await?;
    insert_entry(
        conn,
        &NewEntry {
            numbered: Some(n),
            ..entry.clone()
        },
    )
    .await
}

/// The volume new numbers go to: the latest, or the one after it when closed.
async fn open_volume(conn: &mut Conn, book: BookKey<'_>) -> Result<i64> {
    let latest: Option<(i64, i64)> = sqlx::query_as(
        "SELECT volume, closed FROM certification_books \
         WHERE agency_id = $1 AND book_code = $2 AND book_year = $3 \
         ORDER BY volume DESC LIMIT 1",
    )
    .bind(book.agency_id)
    .bind(book.book_code)
    .bind(i64::from(book.year))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match latest {
        None => 1,
        Some((v, closed)) if flag(closed) => v + 1,
        Some((v, _)) => v,
    })
}

/// The book closed: its volume and last number.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ClosedBook {
    pub volume: i64,
    pub last_number: i64,
}

/// Closes the open book of an agency, symbol and year (a closed book takes no
/// new number; the next certification opens the next volume). `None` when no
/// book is open.
pub async fn close_book(
    conn: &mut Conn,
    agency_id: &str,
    book_code: &str,
    year: i16,
) -> Result<Option<ClosedBook>> {
    sqlx::query_as(
        "UPDATE certification_books SET closed = 1 \
         WHERE agency_id = $1 AND book_code = $2 AND book_year = $3 AND closed = 0 \
         RETURNING volume, last_number",
    )
    .bind(agency_id)
    .bind(book_code)
    .bind(i64::from(year))
    .fetch_optional(conn)
    .await
}

/// An entry to write.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub id: &'a str,
    pub agency_id: &'a str,
    pub kind: Kind,
    pub numbered: Option<&'a Numbered>,
    pub signature_mode: Option<SignatureMode>,
    pub requester_name: &'a str,
    pub requester_id: &'a str,
    pub document_name: &'a str,
    pub pages: u32,
    pub copies: u32,
    pub fee_total: i64,
    /// The breakdown as JSON.
    pub fee_lines: &'a str,
    pub signer_id: Option<&'a str>,
    pub signer_title: Option<&'a str>,
    pub recorded_by: &'a str,
    pub disposition: &'a str,
    pub dossier_id: Option<&'a str>,
    pub issued_token: Option<&'a str>,
    pub created_at: i64,
}

pub async fn insert_entry(conn: &mut Conn, e: &NewEntry<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO certification_entries (id, agency_id, kind, book_id, number, signature_mode, \
         requester_name, requester_id, document_name, pages, copies, fee_total, fee_lines, \
         signer_id, signer_title, recorded_by, disposition, dossier_id, issued_token, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
    )
    .bind(e.id)
    .bind(e.agency_id)
    .bind(e.kind.as_str())
    .bind(e.numbered.map(|n| n.book_id.clone()))
    .bind(e.numbered.map(|n| n.number))
    .bind(e.signature_mode.map(|m| m.as_str()))
    .bind(e.requester_name)
    .bind(e.requester_id)
    .bind(e.document_name)
    .bind(i64::from(e.pages))
    .bind(i64::from(e.copies))
    .bind(e.fee_total)
    .bind(e.fee_lines)
    .bind(e.signer_id)
    .bind(e.signer_title)
    .bind(e.recorded_by)
    .bind(e.disposition)
    .bind(e.dossier_id)
    .bind(e.issued_token)
    .bind(e.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct RawEntry {
    id: String,
    agency_id: String,
    agency_code: String,
    agency_name: String,
    kind: String,
    book_code: Option<String>,
    book_year: Option<i64>,
    volume: Option<i64>,
    number: Option<i64>,
    signature_mode: Option<String>,
    requester_name: String,
    requester_id: String,
    document_name: String,
    pages: i64,
    copies: i64,
    fee_total: i64,
    fee_lines: String,
    signer_name: Option<String>,
    signer_title: Option<String>,
    recorded_by_name: String,
    disposition: String,
    dossier_code: Option<String>,
    dossier_due_at: Option<i64>,
    issued_token: Option<String>,
    created_at: i64,
}

/// An entry as read back, with its book, signer and dossier.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub agency_id: String,
    pub agency_code: String,
    pub agency_name: String,
    pub kind: Kind,
    /// (book symbol, year, volume)
    pub book: Option<(String, i16, i64)>,
    pub number: Option<i64>,
    pub signature_mode: Option<SignatureMode>,
    pub requester_name: String,
    pub requester_id: String,
    pub document_name: String,
    pub pages: i64,
    pub copies: i64,
    pub fee_total: i64,
    pub fee_lines: String,
    pub signer_name: Option<String>,
    pub signer_title: Option<String>,
    pub recorded_by_name: String,
    pub disposition: String,
    pub dossier_code: Option<String>,
    pub dossier_due_at: Option<Timestamp>,
    pub issued_token: Option<String>,
    pub created_at: Timestamp,
}

impl From<RawEntry> for Entry {
    fn from(r: RawEntry) -> Self {
        let book = match (r.book_code, r.book_year, r.volume) {
            (Some(c), Some(y), Some(v)) => Some((c, i16::try_from(y).unwrap_or(0), v)),
            _ => None,
        };
        Entry {
            id: r.id,
            agency_id: r.agency_id,
            agency_code: r.agency_code,
            agency_name: r.agency_name,
            // Only the app writes kinds, from `Kind::as_str`.
            kind: Kind::parse(&r.kind).unwrap_or(Kind::Copy),
            book,
            number: r.number,
            signature_mode: r.signature_mode.as_deref().and_then(SignatureMode::parse),
            requester_name: r.requester_name,
            requester_id: r.requester_id,
            document_name: r.document_name,
            pages: r.pages,
            copies: r.copies,
            fee_total: r.fee_total,
            fee_lines: r.fee_lines,
            signer_name: r.signer_name,
            signer_title: r.signer_title,
            recorded_by_name: r.recorded_by_name,
            disposition: r.disposition,
            dossier_code: r.dossier_code,
            dossier_due_at: r.dossier_due_at.map(from_millis),
            issued_token: r.issued_token,
            created_at: from_millis(r.created_at),
        }
    }
}

const SELECT_ENTRY: &str = "SELECT e.id, e.agency_id, a.code AS agency_code, a.name AS agency_name, \
     e.kind, b.book_code, b.book_year, b.volume, e.number, e.signature_mode, e.requester_name, \
     e.requester_id, e.document_name, e.pages, e.copies, e.fee_total, e.fee_lines, \
     s.full_name AS signer_name, e.signer_title, r.full_name AS recorded_by_name, \
     e.disposition, d.code AS dossier_code, d.due_at AS dossier_due_at, e.issued_token, e.created_at \
     FROM certification_entries e \
     JOIN agencies a ON a.id = e.agency_id \
     JOIN users r ON r.id = e.recorded_by \
     LEFT JOIN users s ON s.id = e.signer_id \
     LEFT JOIN certification_books b ON b.id = e.book_id \
     LEFT JOIN dossiers d ON d.id = e.dossier_id";

pub async fn entry(conn: &mut Conn, id: &str) -> Result<Option<Entry>> {
    let row: Option<RawEntry> = sqlx::query_as(&format!("{SELECT_ENTRY} WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Entry::from))
}

/// Entries of `agency_ids` recorded in `[start, end)` (ms), of `kind` if given, in
/// the order they were written; at most `limit`.
pub async fn list(
    conn: &mut Conn,
    agency_ids: &[String],
    start: i64,
    end: i64,
    kind: Option<Kind>,
    limit: i64,
) -> Result<Vec<Entry>> {
    let sql = format!(
        "{SELECT_ENTRY} WHERE e.agency_id IN ({}) AND e.created_at >= $1 AND e.created_at < $2 \
         AND ($3 = '' OR e.kind = $3) ORDER BY e.created_at, e.number LIMIT $4",
        crate::marks(5, agency_ids.len())
    );
    let mut q = sqlx::query_as::<_, RawEntry>(&sql)
        .bind(start)
        .bind(end)
        .bind(kind.map_or("", |k| k.as_str()))
        .bind(limit);
    for id in agency_ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(conn)
        .await?
        .into_iter()
        .map(Entry::from)
        .collect())
}

/// Per local day (days since the epoch, UTC+7), kind: how many requests, copies
/// and fees collected.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DayCount {
    pub day: i64,
    pub kind: String,
    pub requests: i64,
    pub copies: i64,
    pub fees: i64,
}

pub async fn counts(
    conn: &mut Conn,
    agency_ids: &[String],
    start: i64,
    end: i64,
) -> Result<Vec<DayCount>> {
    let sql = format!(
        // PostgreSQL sums BIGINT into NUMERIC, which the Any driver cannot decode.
        "SELECT (created_at + 25200000) / 86400000 AS day, kind, COUNT(*) AS requests, \
         CAST(SUM(copies) AS BIGINT) AS copies, CAST(SUM(fee_total) AS BIGINT) AS fees FROM certification_entries \
         WHERE agency_id IN ({}) AND created_at >= $1 AND created_at < $2 \
         GROUP BY (created_at + 25200000) / 86400000, kind ORDER BY day, kind",
        crate::marks(3, agency_ids.len())
    );
    let mut q = sqlx::query_as::<_, DayCount>(&sql).bind(start).bind(end);
    for id in agency_ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await
}

/// A document issued for public verification.
#[derive(Debug, Clone)]
pub struct NewIssued<'a> {
    pub token: &'a str,
    pub kind: &'a str,
    pub agency_id: &'a str,
    pub number: Option<i64>,
    pub book: Option<&'a str>,
    pub title: &'a str,
    pub issued_at: i64,
    pub issued_by: &'a str,
    pub sha256: Option<&'a str>,
}

pub async fn insert_issued(conn: &mut Conn, d: &NewIssued<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO issued_documents (token, kind, agency_id, number, book, title, issued_at, \
         issued_by, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(d.token)
    .bind(d.kind)
    .bind(d.agency_id)
    .bind(d.number)
    .bind(d.book)
    .bind(d.title)
    .bind(d.issued_at)
    .bind(d.issued_by)
    .bind(d.sha256)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct RawIssued {
    token: String,
    kind: String,
    agency_id: String,
    agency_code: String,
    agency_name: String,
    agency_path: String,
    number: Option<i64>,
    book: Option<String>,
    title: String,
    issued_at: i64,
    issued_by_name: String,
    sha256: Option<String>,
    revoked_at: Option<i64>,
    revocation_reason: Option<String>,
    subject_name: Option<String>,
    subject_born: Option<String>,
    copies: Option<i64>,
}

/// An issued document as its verification page shows it.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub kind: String,
    pub agency_id: String,
    pub agency_code: String,
    pub agency_name: String,
    pub agency_path: String,
    pub number: Option<i64>,
    pub book: Option<String>,
    pub title: String,
    pub issued_at: Timestamp,
    pub issued_by_name: String,
    pub sha256: Option<String>,
    pub revoked_at: Option<Timestamp>,
    pub revocation_reason: Option<String>,
    /// A civil-status extract: the registrant's name and date of birth (YYYY-MM-DD).
    pub subject_name: Option<String>,
    pub subject_born: Option<String>,
    pub copies: Option<i64>,
}

pub async fn issued(conn: &mut Conn, token: &str) -> Result<Option<Issued>> {
    let row: Option<RawIssued> = sqlx::query_as(
        "SELECT i.token, i.kind, i.agency_id, a.code AS agency_code, a.name AS agency_name, \
         a.path AS agency_path, i.number, i.book, i.title, i.issued_at, u.full_name AS issued_by_name, \
         i.sha256, i.revoked_at, i.revocation_reason, i.subject_name, i.subject_born, i.copies \
         FROM issued_documents i \
         JOIN agencies a ON a.id = i.agency_id JOIN users u ON u.id = i.issued_by \
         WHERE i.token = $1",
    )
    .bind(token)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Issued {
        token: r.token,
        kind: r.kind,
        agency_id: r.agency_id,
        agency_code: r.agency_code,
        agency_name: r.agency_name,
        agency_path: r.agency_path,
        number: r.number,
        book: r.book,
        title: r.title,
        issued_at: from_millis(r.issued_at),
        issued_by_name: r.issued_by_name,
        sha256: r.sha256,
        revoked_at: r.revoked_at.map(from_millis),
        revocation_reason: r.revocation_reason,
        subject_name: r.subject_name,
        subject_born: r.subject_born,
        copies: r.copies,
    }))
}

/// Revokes a document not yet revoked; false when it already was.
pub async fn revoke(
    conn: &mut Conn,
    token: &str,
    by: &str,
    reason: &str,
    now_ms: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE issued_documents SET revoked_at = $1, revoked_by = $2, revocation_reason = $3 \
         WHERE token = $4 AND revoked_at IS NULL",
    )
    .bind(now_ms)
    .bind(by)
    .bind(reason)
    .bind(token)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The entry written for a dossier, if any (a repeated request finds it).
pub async fn entry_of_dossier(conn: &mut Conn, dossier_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM certification_entries WHERE dossier_id = $1")
            .bind(dossier_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// Gives a waiting entry (one that became a dossier) its book, number and signer;
/// false when it already had a number.
pub async fn number_entry(
    conn: &mut Conn,
    id: &str,
    numbered: &Numbered,
    signer_id: &str,
    signer_title: &str,
    issued_token: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE certification_entries SET book_id = $1, number = $2, signer_id = $3, \
         signer_title = $4, issued_token = $5 WHERE id = $6 AND number IS NULL",
    )
    .bind(&numbered.book_id)
    .bind(numbered.number)
    .bind(signer_id)
    .bind(signer_title)
    .bind(issued_token)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
