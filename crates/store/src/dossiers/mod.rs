//! Dossiers (the current state, a projection of their events), their hash-chained
//! events, files, the daily code sequence and idempotency keys.

mod audit_walk;
pub mod data;
mod event_rows;
mod tables;
mod typed;

pub use audit_walk::{AuditBatch, AuditWalk};
pub use event_rows::EventTerms;
pub use tables::{Query, Table, FILES};

pub use typed::{details_of_events, to_stored_precision, StoredDossier};

use crate::bulk::{insert_rows, insert_rows_of};
use crate::{Conn, Result};
use motcua_domain::dossier::{Channel, Details, Status};
use sqlx::FromRow;
use tables::{bind_dossier, NumberedDossier};

/// The procedure's name of a dossier row (stored as its term's number, migration
/// 0025), for a select list over `dossiers` (no other table of a query may have a
/// `procedure_term` column).
macro_rules! procedure_name {
    () => {
        "(SELECT pn.value FROM event_terms pn WHERE pn.no = procedure_term) AS procedure_name"
    };
}
pub(crate) use procedure_name;

/// `columns` (a select list) with the column `procedure_term` read as the name:
/// for the outer query over a subquery that carries the term.
pub(crate) fn naming_procedure(columns: &str) -> String {
    columns.replace("procedure_term", procedure_name!())
}

/// The columns of `dossiers` after the procedure's name, in table order.
macro_rules! after_name {
    () => {
        "\
    sector, channel, status, is_open, applicant_name, applicant_folded, applicant_id, \
    applicant_phone, applicant_email, return_method, fee_amount, fee_paid, \
    submitted_at, received_at, due_at, original_due_at, paused_at, supplements, extensions, \
    assignee_id, approved_at, result_ready_at, returned_at, timeliness, priority, version, \
    last_seq, last_hash, reminded_at, created_at, updated_at, results, closed_at, documents, \
    signed_results, scanned_documents"
    };
}

/// Every column of a [`DossierRow`], as read from `dossiers`.
pub(crate) const COLUMNS: &str = concat!(
    "id, code, agency_id, procedure_code, procedure_version, ",
    procedure_name!(),
    ", ",
    after_name!()
);

/// The columns of `dossiers` a row is written to, in [`COLUMNS`]' order with the
/// name's term in place of the name (the number `no` is given by the database).
macro_rules! stored_columns {
    () => {
        concat!(
            "id, code, agency_id, procedure_code, procedure_version, procedure_term, ",
            after_name!()
        )
    };
}

/// How many values `stored_columns!` binds.
const STORED_WIDTH: usize = 42;

#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct DossierRow {
    pub id: String,
    pub code: String,
    pub agency_id: String,
    pub procedure_code: String,
    pub procedure_version: i64,
    pub procedure_name: String,
    pub sector: String,
    pub channel: String,
    pub status: String,
    pub is_open: i64,
    pub applicant_name: String,
    pub applicant_folded: String,
    pub applicant_id: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub return_method: String,
    pub fee_amount: i64,
    pub fee_paid: i64,
    pub submitted_at: Option<i64>,
    pub received_at: Option<i64>,
    pub due_at: Option<i64>,
    pub original_due_at: Option<i64>,
    pub paused_at: Option<i64>,
    pub supplements: i64,
    pub extensions: i64,
    pub assignee_id: Option<String>,
    pub approved_at: Option<i64>,
    pub result_ready_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub timeliness: Option<String>,
    pub priority: i64,
    pub version: i64,
    pub last_seq: i64,
    pub last_hash: Vec<u8>,
    pub reminded_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub results: i64,
    /// Derived from the status (see `Dossier::closed_at`), for the reports.
    pub closed_at: Option<i64>,
    /// How many documents the intake declared (the details hold the list).
    pub documents: i64,
    /// Results signed digitally (the fold's `signed_results`).
    pub signed_results: i64,
    /// Document files (scans) stored with the dossier: not in the fold, files are
    /// not events (`StoredDossier::scanned_documents`).
    pub scanned_documents: i64,
}

/// The next number of the day's sequence at an agency. The upsert takes a row lock
/// on PostgreSQL (and the write lock on SQLite), so concurrent intakes never share
/// a number.
pub async fn next_seq(conn: &mut Conn, agency_id: &str, day: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "INSERT INTO dossier_sequences (agency_id, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (agency_id, day) DO UPDATE SET last = dossier_sequences.last + 1 \
         RETURNING last",
    )
    .bind(agency_id)
    .bind(day)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// Makes sure the day's sequence is at least `n` (imported codes are taken).
pub async fn raise_seq(conn: &mut Conn, agency_id: &str, day: &str, n: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO dossier_sequences (agency_id, day, last) VALUES ($1, $2, $3) \
         ON CONFLICT (agency_id, day) DO UPDATE SET last = \
         CASE WHEN dossier_sequences.last < $3 THEN $3 ELSE dossier_sequences.last END",
    )
    .bind(agency_id)
    .bind(day)
    .bind(n)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes a new dossier row, in the transaction of its first event.
pub async fn insert(tx: &mut crate::Tx, d: &DossierRow) -> Result<()> {
    let (conn, known, learned) = tx.event_terms();
    let terms = event_rows::Numbering {
        known: Some(known),
        learned,
    };
    let term = event_rows::number_of(conn, &d.procedure_name, terms).await?;
    let row = [NumberedDossier {
        row: d,
        procedure_term: term,
    }];
    if !crate::bulk::is_sqlite(conn) {
        // PostgreSQL numbers the dossier from its sequence (the column's default).
        let head = concat!("dossiers (", stored_columns!(), ")");
        return insert_rows(conn, head, STORED_WIDTH, 1, &row, bind_dossier).await;
    }
    // SQLite numbers it in the same statement (writers take turns): the trigger
    // that numbers bulk-loaded rows would write the row a second time.
    static ROW: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let template = ROW.get_or_init(|| {
        format!(
            "({}, (SELECT COALESCE(MAX(no), 0) + 1 FROM dossiers))",
            vec!["?"; STORED_WIDTH].join(", ")
        )
    });
    let head = concat!("dossiers (", stored_columns!(), ", no)");
    insert_rows_of(conn, head, template, 1, &row, bind_dossier).await
}

/// Writes many new dossier rows (the benchmark's bulk load), 400 a statement,
/// after numbering their procedures' names; each is numbered by the database.
pub async fn insert_dossiers(conn: &mut Conn, rows: &[&DossierRow]) -> Result<()> {
    let names: Vec<&str> = rows.iter().map(|d| d.procedure_name.as_str()).collect();
    let mut learned = Vec::new();
    let terms = event_rows::Numbering {
        known: None,
        learned: &mut learned,
    };
    let numbers = event_rows::number_terms(conn, &names, terms).await?;
    let mut numbered = Vec::with_capacity(rows.len());
    for d in rows {
        numbered.push(NumberedDossier {
            row: d,
            procedure_term: event_rows::number_in(&numbers, &d.procedure_name)?,
        });
    }
    let head = concat!("dossiers (", stored_columns!(), ")");
    insert_rows(conn, head, STORED_WIDTH, 400, &numbered, bind_dossier).await
}

/// Writes the changed state of `d`, whose `version` is already the new one, only if
/// the row still holds `previous` (the version the events were appended to: one
/// less per event). False when someone else changed it first.
pub async fn update(conn: &mut Conn, d: &DossierRow, previous: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE dossiers SET status = $1, is_open = $2, received_at = $3, \
         due_at = $4, original_due_at = $5, paused_at = $6, supplements = $7, extensions = $8, \
         assignee_id = $9, approved_at = $10, result_ready_at = $11, returned_at = $12, \
         timeliness = $13, version = $14, last_seq = $15, last_hash = $16, updated_at = $17, \
         fee_paid = $18, priority = $19, results = $20, closed_at = $21, documents = $22, \
         signed_results = $23, scanned_documents = $24 \
         WHERE id = $25 AND version = $26",
    )
    .bind(&d.status)
    .bind(d.is_open)
    .bind(d.received_at)
    .bind(d.due_at)
    .bind(d.original_due_at)
    .bind(d.paused_at)
    .bind(d.supplements)
    .bind(d.extensions)
    .bind(&d.assignee_id)
    .bind(d.approved_at)
    .bind(d.result_ready_at)
    .bind(d.returned_at)
    .bind(&d.timeliness)
    .bind(d.version)
    .bind(d.last_seq)
    .bind(&d.last_hash)
    .bind(d.updated_at)
    .bind(d.fee_paid)
    .bind(d.priority)
    .bind(d.results)
    .bind(d.closed_at)
    .bind(d.documents)
    .bind(d.signed_results)
    .bind(d.scanned_documents)
    .bind(&d.id)
    .bind(previous)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn by_code(conn: &mut Conn, code: &str) -> Result<Option<DossierRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM dossiers WHERE code = $1"))
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// The dossier `code` as the domain knows it, with its chain head (its details
/// are the fold of its events).
pub async fn load(conn: &mut Conn, code: &str) -> Result<Option<StoredDossier>> {
    Ok(load_with_events(conn, code).await?.map(|(d, _)| d))
}

/// [`load`], with the events it was folded from: a page that shows the history
/// reads them once.
pub async fn load_with_events(
    conn: &mut Conn,
    code: &str,
) -> Result<Option<(StoredDossier, Vec<EventRow>)>> {
    let Some(row) = by_code(conn, code).await? else {
        return Ok(None);
    };
    let events = events(conn, &row.id).await?;
    let stored = StoredDossier::from_row_and_events(&row, &events)?;
    Ok(Some((stored, events)))
}

/// The codes of at most `limit` dossiers whose code is some agency's code
/// followed by `-{suffix}` (`yyMMdd-NNNN`): one exact look-up per agency on the
/// code's unique index, never a scan of the dossiers.
pub async fn codes_with_suffix(conn: &mut Conn, suffix: &str, limit: i64) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT d.code FROM agencies a JOIN dossiers d ON d.code = a.code || '-' || $1 \
         ORDER BY d.code LIMIT $2",
    )
    .bind(suffix)
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<DossierRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM dossiers WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Which list of an agency's dossiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    /// In one open state (the worklists' indexes hold open dossiers only).
    Status(String),
    /// In one state and assigned to one person.
    Assigned {
        status: Vec<String>,
        user_id: String,
    },
    /// Open, with the clock running, due in [from, before) (due soon, overdue).
    OpenDue { from: Option<i64>, before: i64 },
    /// Ready to return since before an instant (not collected).
    ReadySince(i64),
    /// Every dossier, newest first (by the dossier's number).
    All,
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub agency_id: String,
    pub kind: ListKind,
    pub sector: Option<String>,
    pub procedure_code: Option<String>,
    /// Keyset: the (priority, due_at, id) of the last row of the previous page.
    pub after: Option<(i64, i64, String)>,
    pub limit: i64,
}

/// How many events are stored, whatever dossier they name.
pub async fn event_count(conn: &mut Conn) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM dossier_event_rows")
        .fetch_one(conn)
        .await
}

/// Events whose dossier row is gone (deleted behind the foreign key and the
/// trigger that forbid it): (the dossier's number, its events), the first
/// `limit`.
pub async fn orphan_events(conn: &mut Conn, limit: i64) -> Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT r.dossier_no, COUNT(*) FROM dossier_event_rows r \
         WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.no = r.dossier_no) \
         GROUP BY r.dossier_no ORDER BY r.dossier_no LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// One line of a worklist: the columns a list shows and pages by, without the
/// row's JSON details, which a list never needs and would read, copy and decode
/// fifty times a page. Typed here: nothing above the store sees the columns.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub id: String,
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub sector: String,
    pub channel: Channel,
    pub status: Status,
    pub is_open: bool,
    pub applicant_name: String,
    pub received_at: Option<jiff::Timestamp>,
    pub due_at: Option<jiff::Timestamp>,
    pub priority: i64,
}

/// [`ListRow`] as its columns hold it.
#[derive(FromRow)]
struct ListColumns {
    id: String,
    code: String,
    procedure_code: String,
    procedure_name: String,
    sector: String,
    channel: String,
    status: String,
    is_open: i64,
    applicant_name: String,
    received_at: Option<i64>,
    due_at: Option<i64>,
    priority: i64,
}

impl TryFrom<ListColumns> for ListRow {
    type Error = sqlx::Error;

    fn try_from(r: ListColumns) -> Result<ListRow> {
        let bad = |what: &str, v: &str| sqlx::Error::Decode(format!("{what}: {v}").into());
        Ok(ListRow {
            channel: Channel::parse(&r.channel).ok_or_else(|| bad("channel", &r.channel))?,
            status: Status::parse(&r.status).ok_or_else(|| bad("status", &r.status))?,
            is_open: r.is_open != 0,
            received_at: r.received_at.map(crate::from_millis),
            due_at: r.due_at.map(crate::from_millis),
            id: r.id,
            code: r.code,
            procedure_code: r.procedure_code,
            procedure_name: r.procedure_name,
            sector: r.sector,
            applicant_name: r.applicant_name,
            priority: r.priority,
        })
    }
}

const LIST_COLUMNS: &str = concat!(
    "id, code, procedure_code, ",
    procedure_name!(),
    ", sector, channel, status, is_open, applicant_name, received_at, due_at, priority"
);

/// One page of a worklist, ordered by (priority, due instant, id) so that same-day
/// online dossiers come first and the next page starts where this one ended.
pub async fn list(conn: &mut Conn, q: &ListQuery) -> Result<Vec<ListRow>> {
    let (sql, binds) = list_sql(q);
    let mut query = sqlx::query_as::<_, ListColumns>(&sql);
    for b in binds {
        query = match b {
            Bind::Text(s) => query.bind(s),
            Bind::Int(i) => query.bind(i),
        };
    }
    query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(ListRow::try_from)
        .collect()
}

/// The statement of [`list`] and the values it binds.
fn list_sql(q: &ListQuery) -> (String, Vec<Bind>) {
    let mut sql = format!("SELECT {LIST_COLUMNS} FROM dossiers WHERE ");
    let mut binds: Vec<Bind> = Vec::new();
    let arg = |binds: &mut Vec<Bind>, b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    match &q.kind {
        ListKind::Assigned { status, user_id } => {
            let p = arg(&mut binds, Bind::Text(user_id.clone()));
            sql.push_str(&format!("assignee_id = {p} AND status IN ("));
            let ps: Vec<String> = status
                .iter()
                .map(|s| arg(&mut binds, Bind::Text(s.clone())))
                .collect();
            sql.push_str(&ps.join(", "));
            // The worklist indexes hold open dossiers only (migration 0025): the
            // predicate lets the planner use them, and every listed status is open.
            sql.push_str(") AND is_open = 1");
            let p = arg(&mut binds, Bind::Text(q.agency_id.clone()));
            sql.push_str(&format!(" AND agency_id = {p}"));
        }
        other => {
            let p = arg(&mut binds, Bind::Text(q.agency_id.clone()));
            sql.push_str(&format!("agency_id = {p}"));
            match other {
                ListKind::Status(s) => {
                    let p = arg(&mut binds, Bind::Text(s.clone()));
                    sql.push_str(&format!(" AND status = {p} AND is_open = 1"));
                }
                ListKind::OpenDue { from, before } => {
                    let p = arg(&mut binds, Bind::Int(*before));
                    sql.push_str(&format!(
                        " AND is_open = 1 AND due_at < {p} \
                         AND status NOT IN ('submitted', 'supplement_requested', 'paused')"
                    ));
                    if let Some(f) = from {
                        let p = arg(&mut binds, Bind::Int(*f));
                        sql.push_str(&format!(" AND due_at >= {p}"));
                    }
                }
                ListKind::ReadySince(t) => {
                    let p = arg(&mut binds, Bind::Int(*t));
                    sql.push_str(&format!(
                        " AND status = 'result_ready' AND result_ready_at < {p}"
                    ));
                }
                _ => {}
            }
        }
    }
    if let Some(s) = &q.sector {
        let p = arg(&mut binds, Bind::Text(s.clone()));
        sql.push_str(&format!(" AND sector = {p}"));
    }
    if let Some(c) = &q.procedure_code {
        let p = arg(&mut binds, Bind::Text(c.clone()));
        sql.push_str(&format!(" AND procedure_code = {p}"));
    }
    // Lists by due instant run on the (…, priority, due_at, id) indexes; the
    // open-and-due lists on (agency_id, is_open, due_at, id), without priority.
    let by_priority = matches!(q.kind, ListKind::Status(_) | ListKind::Assigned { .. });
    if matches!(q.kind, ListKind::All) {
        // Newest first is by the dossier's number, given in the order dossiers
        // were written; the cursor still names the last row by its id.
        if let Some((_, _, id)) = &q.after {
            let p = arg(&mut binds, Bind::Text(id.clone()));
            sql.push_str(&format!(
                " AND no < (SELECT c.no FROM dossiers c WHERE c.id = {p})"
            ));
        }
        sql.push_str(" ORDER BY no DESC");
    } else if by_priority {
        if let Some((prio, due, id)) = &q.after {
            let a = arg(&mut binds, Bind::Int(*prio));
            let b = arg(&mut binds, Bind::Int(*due));
            let c = arg(&mut binds, Bind::Text(id.clone()));
            sql.push_str(&format!(
                " AND (priority > {a} OR (priority = {a} AND (due_at > {b} OR (due_at = {b} AND id > {c}))))"
            ));
        }
        sql.push_str(" ORDER BY priority, due_at, id");
    } else {
        if let Some((_, due, id)) = &q.after {
            let b = arg(&mut binds, Bind::Int(*due));
            let c = arg(&mut binds, Bind::Text(id.clone()));
            sql.push_str(&format!(
                " AND (due_at > {b} OR (due_at = {b} AND id > {c}))"
            ));
        }
        sql.push_str(" ORDER BY due_at, id");
    }
    let p = arg(&mut binds, Bind::Int(q.limit));
    sql.push_str(&format!(" LIMIT {p}"));
    (sql, binds)
}

enum Bind {
    Text(String),
    Int(i64),
}

/// Open dossiers per specialist of an agency and sector: the load that automatic
/// assignment balances. Specialists without any open dossier are included.
pub async fn specialist_load(
    conn: &mut Conn,
    agency_id: &str,
    sector: &str,
) -> Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT u.id, (SELECT COUNT(*) FROM dossiers d \
                        WHERE d.assignee_id = u.id AND d.is_open = 1) AS load \
         FROM users u \
         JOIN user_roles r ON r.user_id = u.id AND r.role = 'specialist' \
         JOIN user_sectors s ON s.user_id = u.id AND s.sector_code = $2 \
         WHERE u.agency_id = $1 AND u.active = 1 \
         ORDER BY load, u.created_at, u.username",
    )
    .bind(agency_id)
    .bind(sector)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub dossier_id: String,
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub agency_id: Option<String>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: Option<String>,
    /// The change as JSON text: what the hash covers. Stored by `data::encode`.
    pub data: String,
    /// SHA-256, 32 bytes.
    pub hash: Vec<u8>,
}

impl<'r> FromRow<'r, sqlx::any::AnyRow> for EventRow {
    fn from_row(row: &'r sqlx::any::AnyRow) -> Result<Self> {
        use sqlx::Row;
        let stored: Vec<u8> = row.try_get("data")?;
        Ok(EventRow {
            dossier_id: row.try_get("dossier_id")?,
            seq: row.try_get("seq")?,
            at: row.try_get("at")?,
            actor_id: row.try_get("actor_id")?,
            actor_name: row.try_get("actor_name")?,
            agency_id: row.try_get("agency_id")?,
            action: row.try_get("action")?,
            from_status: row.try_get("from_status")?,
            to_status: row.try_get("to_status")?,
            reason: row.try_get("reason")?,
            data: data::decode(&stored)
                .map_err(|e| sqlx::Error::Decode(format!("event data: {e}").into()))?,
            hash: row.try_get("hash")?,
        })
    }
}

/// The columns of the view `dossier_events` that make an [`EventRow`].
pub(crate) const EVENT_COLUMNS: &str =
    "dossier_id, seq, at, actor_id, actor_name, agency_id, action, \
    from_status, to_status, reason, data, hash";

/// Appends an event to its dossier's history, in a write transaction: the
/// numbers of its terms come from what the database's committed transactions
/// have learned, and what this one learns joins them when it commits.
pub async fn insert_event(tx: &mut crate::Tx, e: &EventRow) -> Result<()> {
    let (conn, known, learned) = tx.event_terms();
    let terms = event_rows::Numbering {
        known: Some(known),
        learned,
    };
    event_rows::write(conn, &[e], terms).await
}

/// Appends many events at once (a bulk load), their terms looked up by the load.
pub async fn insert_events(conn: &mut Conn, rows: &[&EventRow]) -> Result<()> {
    let mut learned = Vec::new();
    let terms = event_rows::Numbering {
        known: None,
        learned: &mut learned,
    };
    event_rows::write(conn, rows, terms).await
}

pub async fn events(conn: &mut Conn, dossier_id: &str) -> Result<Vec<EventRow>> {
    sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM dossier_events WHERE dossier_id = $1 ORDER BY seq"
    ))
    .bind(dossier_id)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct FileRow {
    pub id: String,
    pub dossier_id: String,
    pub kind: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

pub async fn insert_file(conn: &mut Conn, f: &FileRow) -> Result<()> {
    FILES.insert_one(conn, f).await
}

pub async fn files(conn: &mut Conn, dossier_id: &str) -> Result<Vec<FileRow>> {
    sqlx::query_as(
        "SELECT id, dossier_id, kind, name, content_type, size, sha256, created_at \
         FROM dossier_files WHERE dossier_id = $1 ORDER BY id",
    )
    .bind(dossier_id)
    .fetch_all(conn)
    .await
}

pub async fn file(conn: &mut Conn, dossier_id: &str, id: &str) -> Result<Option<FileRow>> {
    sqlx::query_as(
        "SELECT id, dossier_id, kind, name, content_type, size, sha256, created_at \
         FROM dossier_files WHERE dossier_id = $1 AND id = $2",
    )
    .bind(dossier_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A stored answer to a request made with an idempotency key.
#[derive(Debug, Clone, FromRow)]
pub struct IdempotentAnswer {
    pub fingerprint: String,
    pub status: i64,
    pub body: String,
}

pub async fn idempotent_answer(
    conn: &mut Conn,
    user_id: &str,
    key: &str,
) -> Result<Option<IdempotentAnswer>> {
    sqlx::query_as(
        "SELECT fingerprint, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(conn)
    .await
}

/// Claims a key for a request about to be made: a row with no answer yet
/// (status 0). False when the key is taken. On PostgreSQL a concurrent claim of
/// the same key waits here until the first transaction ends, and then finds it
/// taken (committed) or free (rolled back); on SQLite writers take turns anyway.
pub async fn claim_idempotency_key(
    conn: &mut Conn,
    user_id: &str,
    key: &str,
    fingerprint: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at) \
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (user_id, key) DO NOTHING",
    )
    .bind(user_id)
    .bind(key)
    .bind(fingerprint)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims a key with its answer already written (an answer known before the
/// transaction's last write): one statement instead of a claim and an update.
/// False when the key was claimed before.
pub async fn claim_idempotency_key_answered(
    conn: &mut Conn,
    user_id: &str,
    key: &str,
    answer: &IdempotentAnswer,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, key) DO NOTHING",
    )
    .bind(user_id)
    .bind(key)
    .bind(&answer.fingerprint)
    .bind(answer.status)
    .bind(&answer.body)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores the answer of a request whose key this transaction claimed.
pub async fn save_idempotent_answer(
    conn: &mut Conn,
    user_id: &str,
    key: &str,
    answer: &IdempotentAnswer,
) -> Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET fingerprint = $1, status = $2, body = $3 \
         WHERE user_id = $4 AND key = $5",
    )
    .bind(&answer.fingerprint)
    .bind(answer.status)
    .bind(&answer.body)
    .bind(user_id)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Codes already present, of those given (for idempotent imports).
pub async fn existing_codes(conn: &mut Conn, codes: &[String]) -> Result<Vec<String>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let ps: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT code FROM dossiers WHERE code IN ({})",
        ps.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String,)>(&sql);
    for c in codes {
        q = q.bind(c);
    }
    Ok(q.fetch_all(conn).await?.into_iter().map(|(c,)| c).collect())
}

/// The details of one dossier (the fold of its events).
pub async fn details(conn: &mut Conn, dossier_id: &str) -> Result<Details> {
    let events = events(conn, dossier_id).await?;
    details_of_events(dossier_id, &events)
}

/// Every dossier of one agency (in the order of their numbers) or of all (in id
/// order) after the dossier whose id is `after`,
/// each with its events (which hold its details).
pub async fn page_for_export(
    conn: &mut Conn,
    agency_id: Option<&str>,
    after: &str,
    limit: i64,
) -> Result<Vec<(StoredDossier, Vec<EventRow>)>> {
    let rows: Vec<DossierRow> = match agency_id {
        Some(a) => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM dossiers WHERE agency_id = $1 \
             AND no > COALESCE((SELECT c.no FROM dossiers c WHERE c.id = $2), 0) \
             ORDER BY no LIMIT $3"
            ))
            .bind(a)
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM dossiers WHERE id > $1 ORDER BY id LIMIT $2"
            ))
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let events = events(conn, &row.id).await?;
        out.push((StoredDossier::from_row_and_events(row, &events)?, events));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_width_counts_the_stored_columns() {
        assert_eq!(stored_columns!().split(',').count(), STORED_WIDTH);
        assert_eq!(COLUMNS.matches(',').count(), STORED_WIDTH - 1);
    }

    /// Each worklist is read through its index (in the index's order where one
    /// status is listed), and the indexes hold open dossiers only (migration
    /// 0025): without the predicate its query states (`is_open = 1`, or the
    /// status), the planner could not use them.
    #[tokio::test]
    async fn every_worklist_reads_its_own_index() {
        let temp = crate::TempSqlite::new("lists").await;
        temp.db.migrate().await.expect("migrate");
        let mut conn = temp.db.read().await.expect("read");
        let query = |kind: ListKind, after: bool| ListQuery {
            agency_id: "a".into(),
            kind,
            sector: None,
            procedure_code: None,
            after: after.then(|| (1, 2, "x".into())),
            limit: 50,
        };
        let cases = [
            (
                ListKind::Status("received".into()),
                &["dossiers_worklist"][..],
                true,
            ),
            // Two statuses, and a due order the index does not keep: a sort of
            // the (few) open rows, as before.
            (
                ListKind::Assigned {
                    status: vec!["assigned".into(), "in_review".into()],
                    user_id: "u".into(),
                },
                &["dossiers_assignee"],
                false,
            ),
            (
                ListKind::OpenDue {
                    from: Some(1),
                    before: 2,
                },
                &["dossiers_open_due"],
                true,
            ),
            (ListKind::ReadySince(5), &["dossiers_ready"], true),
            (ListKind::All, &["dossiers_newest"], true),
        ];
        for (kind, indexes, in_order) in cases {
            for after in [false, true] {
                let (sql, binds) = list_sql(&query(kind.clone(), after));
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
                for b in binds {
                    q = match b {
                        Bind::Text(s) => q.bind(s),
                        Bind::Int(i) => q.bind(i),
                    };
                }
                let plan: Vec<String> = q
                    .fetch_all(&mut conn)
                    .await
                    .expect("plan")
                    .into_iter()
                    .map(|r| r.3)
                    .collect();
                let plan = plan.join("\n");
                assert!(
                    indexes
                        .iter()
                        .any(|i| plan.contains(&format!("dossiers USING INDEX {i} "))),
                    "{kind:?}: {plan}"
                );
                if in_order {
                    assert!(!plan.contains("TEMP B-TREE"), "{kind:?}: {plan}");
                }
            }
        }
        drop(conn);
        temp.remove().await;
    }
}
