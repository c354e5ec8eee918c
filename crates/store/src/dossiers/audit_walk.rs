//! Every dossier with its events, batch after batch, for `audit verify`.
//!
//! On an SQLite file the walk reads through a connection of its own, with
//! rusqlite, on a blocking thread. Through sqlx each row crosses from SQLite's
//! worker thread over a channel and is converted twice (to the `Any` driver's row,
//! then to ours): three quarters of the walk's time when profiled (02/12/2026),
//! while a synchronous cursor reads the same rows in a fraction of it. Both
//! crates link the same `libsqlite3-sys`. PostgreSQL (and an in-memory SQLite
//! database, which another connection cannot see) keeps the sqlx read.

use std::collections::HashMap;
use std::path::PathBuf;

use rusqlite::types::ValueRef;
use sqlx::pool::PoolConnection;

use super::{data, DossierRow, EventRow, COLUMNS, EVENT_COLUMNS};
use crate::{Conn, Db, Result, StoreError};

/// A batch of dossiers for the audit: rows in id order, their events in chain
/// order, and the document files each holds (those with none are absent).
#[derive(Debug, Default)]
pub struct AuditBatch {
    pub rows: Vec<DossierRow>,
    pub events: Vec<EventRow>,
    pub scanned_documents: HashMap<String, i64>,
}

/// Walks the dossiers in id order, `limit` at a time.
pub struct AuditWalk {
    reader: Reader,
    after: String,
    limit: i64,
}

enum Reader {
    /// Taken out while a blocking thread reads with it.
    Sqlite(Option<rusqlite::Connection>),
    Sqlx(PoolConnection<sqlx::Any>),
}

const ROWS: &str = "FROM dossiers WHERE id > $1 ORDER BY id LIMIT $2";
const EVENTS: &str =
    "FROM dossier_events WHERE dossier_id > $1 AND dossier_id <= $2 ORDER BY dossier_id, seq";
const SCANNED: &str = "SELECT dossier_id, COUNT(*) FROM dossier_files \
     WHERE dossier_id > $1 AND dossier_id <= $2 AND kind = 'document' GROUP BY dossier_id";

impl AuditWalk {
    pub async fn open(db: &Db, limit: i64) -> Result<AuditWalk> {
        let reader = match db.sqlite_file() {
            Some(path) => Reader::Sqlite(Some(open_sqlite(path.to_owned()).await?)),
            None => Reader::Sqlx(db.read().await?),
        };
        Ok(AuditWalk {
            reader,
            after: String::new(),
            limit,
        })
    }

    /// The next batch: empty when every dossier has been read.
    pub async fn next(&mut self) -> Result<AuditBatch> {
        let (after, limit) = (self.after.clone(), self.limit);
        let batch = match &mut self.reader {
            Reader::Sqlx(conn) => read_sqlx(conn, &after, limit).await?,
            Reader::Sqlite(slot) => {
                let conn = slot
                    .take()
                    .ok_or_else(|| StoreError::Protocol("an audit read was abandoned".into()))?;
                let (conn, batch) = tokio::task::spawn_blocking(move || {
                    let batch = read_sqlite(&conn, &after, limit);
                    (conn, batch)
                })
                .await
                .map_err(|e| StoreError::Protocol(format!("the audit reader failed: {e}")))?;
                *slot = Some(conn);
                batch.map_err(sqlite_error)?
            }
        };
        if let Some(last) = batch.rows.last() {
            self.after.clone_from(&last.id);
        }
        Ok(batch)
    }
}

async fn open_sqlite(path: PathBuf) -> Result<rusqlite::Connection> {
    tokio::task::spawn_blocking(move || {
        use rusqlite::OpenFlags;
        // Read-write without create: a read-only connection cannot open a WAL
        // file whose shared-memory index it would have to create. `query_only`
        // keeps it from writing.
        let conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch(
            "PRAGMA query_only = 1; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -65536;",
        )?;
        Ok(conn)
    })
    .await
    .map_err(|e| StoreError::Protocol(format!("the audit reader failed: {e}")))?
    .map_err(sqlite_error)
}

fn sqlite_error(e: rusqlite::Error) -> StoreError {
    StoreError::Protocol(format!("SQLite (audit read): {e}"))
}

/// The three reads in one snapshot.
fn read_sqlite(
    conn: &rusqlite::Connection,
    after: &str,
    limit: i64,
) -> rusqlite::Result<AuditBatch> {
    let tx = conn.unchecked_transaction()?;
    let rows = tx
        .prepare_cached(&format!("SELECT {COLUMNS} {ROWS}"))?
        .query_map(rusqlite::params![after, limit], dossier_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let Some(last) = rows.last().map(|r| r.id.clone()) else {
        return Ok(AuditBatch::default());
    };
    let events = tx
        .prepare_cached(&format!("SELECT {EVENT_COLUMNS} {EVENTS}"))?
        .query_map(rusqlite::params![after, last], event_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let scanned_documents = tx
        .prepare_cached(SCANNED)?
        .query_map(rusqlite::params![after, last], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<HashMap<_, _>>>()?;
    tx.commit()?;
    Ok(AuditBatch {
        rows,
        events,
        scanned_documents,
    })
}

/// A row of `EVENT_COLUMNS`, in that order.
fn event_row(r: &rusqlite::Row) -> rusqlite::Result<EventRow> {
    // Data stored before compression may be TEXT; either way its bytes decode.
    let data = match r.get_ref(10)? {
        ValueRef::Text(b) | ValueRef::Blob(b) => data::decode(b).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(10, rusqlite::types::Type::Blob, Box::new(e))
        })?,
        other => {
            return Err(rusqlite::Error::InvalidColumnType(
                10,
                "data".into(),
                other.data_type(),
            ))
        }
    };
    Ok(EventRow {
        dossier_id: r.get(0)?,
        seq: r.get(1)?,
        at: r.get(2)?,
        actor_id: r.get(3)?,
        actor_name: r.get(4)?,
        agency_id: r.get(5)?,
        action: r.get(6)?,
        from_status: r.get(7)?,
        to_status: r.get(8)?,
        reason: r.get(9)?,
        data,
        hash: r.get(11)?,
    })
}

/// A row of `COLUMNS`, in that order.
fn dossier_row(r: &rusqlite::Row) -> rusqlite::Result<DossierRow> {
    Ok(DossierRow {
        id: r.get(0)?,
        code: r.get(1)?,
        agency_id: r.get(2)?,
        procedure_code: r.get(3)?,
        procedure_version: r.get(4)?,
        procedure_name: r.get(5)?,
        sector: r.get(6)?,
        channel: r.get(7)?,
        status: r.get(8)?,
        is_open: r.get(9)?,
        applicant_name: r.get(10)?,
        applicant_folded: r.get(11)?,
        applicant_id: r.get(12)?,
        applicant_phone: r.get(13)?,
        applicant_email: r.get(14)?,
        return_method: r.get(15)?,
        fee_amount: r.get(16)?,
        fee_paid: r.get(17)?,
        submitted_at: r.get(18)?,
        received_at: r.get(19)?,
        due_at: r.get(20)?,
        original_due_at: r.get(21)?,
        paused_at: r.get(22)?,
        supplements: r.get(23)?,
        extensions: r.get(24)?,
        assignee_id: r.get(25)?,
        approved_at: r.get(26)?,
        result_ready_at: r.get(27)?,
        returned_at: r.get(28)?,
        timeliness: r.get(29)?,
        priority: r.get(30)?,
        version: r.get(31)?,
        last_seq: r.get(32)?,
        last_hash: r.get(33)?,
        reminded_at: r.get(34)?,
        created_at: r.get(35)?,
        updated_at: r.get(36)?,
        results: r.get(37)?,
        closed_at: r.get(38)?,
        documents: r.get(39)?,
        signed_results: r.get(40)?,
        scanned_documents: r.get(41)?,
    })
}

async fn read_sqlx(conn: &mut Conn, after: &str, limit: i64) -> Result<AuditBatch> {
    let rows: Vec<DossierRow> = sqlx::query_as(&format!("SELECT {COLUMNS} {ROWS}"))
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let Some(last) = rows.last() else {
        return Ok(AuditBatch::default());
    };
    let last = last.id.clone();
    let events = sqlx::query_as(&format!("SELECT {EVENT_COLUMNS} {EVENTS}"))
        .bind(after)
        .bind(&last)
        .fetch_all(&mut *conn)
        .await?;
    let scanned: Vec<(String, i64)> = sqlx::query_as(SCANNED)
        .bind(after)
        .bind(&last)
        .fetch_all(conn)
        .await?;
    Ok(AuditBatch {
        rows,
        events,
        scanned_documents: scanned.into_iter().collect(),
    })
}
