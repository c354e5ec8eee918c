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

use super::{data, DossierRow, EventRow, COLUMNS, EVENT_COLUMNS};
use crate::{Conn, Db, Engine, Result, StoreError};

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
    /// With the texts of the event terms read so far, by number.
    Sqlx(Conn, Engine, HashMap<i64, String>),
}

const ROWS: &str = "FROM dossiers WHERE id > $1 ORDER BY id LIMIT $2";
const EVENTS: &str =
    "FROM dossier_events WHERE dossier_id > $1 AND dossier_id <= $2 ORDER BY dossier_id, seq";
/// What both stored-event reads select: a [`StoredEvent`].
macro_rules! stored_event_columns {
    () => {
        "SELECT d.id, e.seq, e.at, e.actor, e.actor_name, e.agency, e.action, \
         e.from_status, e.to_status, e.reason, e.data, e.hash"
    };
}
/// The events as stored, their terms by number, resolved by the walk: through
/// the view (five joins with `event_terms` an event) PostgreSQL took four times
/// as long and spilled a sort to disk (20,000 dossiers, 165,000 events: 411 ms
/// against 108 ms). Read so on an SQLite database in memory.
const STORED_EVENTS: &str = concat!(
    stored_event_columns!(),
    " FROM dossiers d JOIN dossier_event_rows e ON e.dossier_no = d.no \
     WHERE d.id > $1 AND d.id <= $2 ORDER BY d.id, e.seq"
);
/// [`STORED_EVENTS`] for PostgreSQL, each dossier's events read by its key in
/// turn. Left to choose, its planner guessed the batch's size from the id
/// histogram, and for some ranges hashed the whole events table (1.6 s and
/// 640,000 blocks a batch at 6 million dossiers); `OFFSET 0` keeps both sides
/// as written.
const STORED_EVENTS_POSTGRES: &str = concat!(
    stored_event_columns!(),
    " FROM (SELECT id, no FROM dossiers WHERE id > $1 AND id <= $2 ORDER BY id OFFSET 0) d \
     CROSS JOIN LATERAL (SELECT * FROM dossier_event_rows r WHERE r.dossier_no = d.no \
                         ORDER BY r.seq OFFSET 0) e \
     ORDER BY d.id, e.seq"
);
const SCANNED: &str = "SELECT dossier_id, COUNT(*) FROM dossier_files \
     WHERE dossier_id > $1 AND dossier_id <= $2 AND kind = 'document' GROUP BY dossier_id";

impl AuditWalk {
    pub async fn open(db: &Db, limit: i64) -> Result<AuditWalk> {
        let reader = match db.sqlite_file() {
            Some(path) => Reader::Sqlite(Some(open_sqlite(path.to_owned()).await?)),
            None => Reader::Sqlx(db.read().await?, db.engine(), HashMap::new()),
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
            Reader::Sqlx(conn, engine, terms) => {
                read_sqlx(conn, *engine, terms, &after, limit).await?
            }
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

async fn read_sqlx(
    conn: &mut Conn,
    engine: Engine,
    terms: &mut HashMap<i64, String>,
    after: &str,
    limit: i64,
) -> Result<AuditBatch> {
    let rows: Vec<DossierRow> = sqlx::query_as(&format!("SELECT {COLUMNS} {ROWS}"))
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let Some(last) = rows.last() else {
        return Ok(AuditBatch::default());
    };
    let last = last.id.clone();
    let stored_events = match engine {
        Engine::Postgres => STORED_EVENTS_POSTGRES,
        Engine::Sqlite => STORED_EVENTS,
    };
    let stored: Vec<StoredEvent> = sqlx::query_as(stored_events)
        .bind(after)
        .bind(&last)
        .fetch_all(&mut *conn)
        .await?;
    learn_terms(conn, terms, &stored).await?;
    let events = stored
        .into_iter()
        .map(|e| event_of(e, terms))
        .collect::<Result<Vec<_>>>()?;
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

/// A row of `STORED_EVENTS`: dossier id, seq, at, the actor's id, name, agency,
/// action, from and to status (terms), reason, data, hash.
type StoredEvent = (
    String,
    i64,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    i64,
    Option<String>,
    Vec<u8>,
    Vec<u8>,
);

/// At most this many terms are kept between batches (citizens' names are
/// terms: a province has millions); past it the next batch reads its own again.
const TERMS_KEPT: usize = 200_000;

/// Reads the texts of the terms `events` name that are not known yet. A term
/// is never changed once committed, so what is read stays true for the walk.
async fn learn_terms(
    conn: &mut Conn,
    terms: &mut HashMap<i64, String>,
    events: &[StoredEvent],
) -> Result<()> {
    if terms.len() > TERMS_KEPT {
        terms.clear();
    }
    let mut missing: Vec<i64> = events
        .iter()
        .flat_map(|e| [e.3, Some(e.4), e.5, Some(e.6), e.7, Some(e.8)])
        .flatten()
        .filter(|no| !terms.contains_key(no))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    for chunk in missing.chunks(500) {
        let sql = format!(
            "SELECT no, value FROM event_terms WHERE no IN ({})",
            crate::marks(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
        for no in chunk {
            query = query.bind(*no);
        }
        terms.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(())
}

/// The event as the view reads it. A term that is not there (which the schema
/// forbids) reads as empty: the event's hash then fails, and the audit names
/// the dossier instead of stopping.
fn event_of(e: StoredEvent, terms: &HashMap<i64, String>) -> Result<EventRow> {
    let text = |no: i64| terms.get(&no).cloned().unwrap_or_default();
    Ok(EventRow {
        dossier_id: e.0,
        seq: e.1,
        at: e.2,
        actor_id: e.3.map(text),
        actor_name: text(e.4),
        agency_id: e.5.map(text),
        action: text(e.6),
        from_status: e.7.map(text),
        to_status: text(e.8),
        reason: e.9,
        data: data::decode(&e.10)
            .map_err(|err| StoreError::Decode(format!("event data: {err}").into()))?,
        hash: e.11,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sqlx walk's read of the stored events (PostgreSQL's, and an SQLite
    /// database in memory) compiles against the SQLite schema and reads the
    /// events by their key, a range of dossiers at a time: no scan of either.
    #[tokio::test]
    async fn the_stored_events_are_read_by_their_keys() {
        let temp = crate::TempSqlite::new("walk").await;
        temp.db.migrate().await.expect("migrate");
        let mut conn = temp.db.read().await.expect("read");
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {STORED_EVENTS}"))
                .bind("a")
                .bind("b")
                .fetch_all(&mut conn)
                .await
                .expect("plan");
        let plan: Vec<String> = plan.into_iter().map(|r| r.3).collect();
        assert!(plan.iter().all(|p| !p.starts_with("SCAN")), "{plan:?}");
        assert!(
            plan.iter()
                .any(|p| p.starts_with("SEARCH d USING INDEX") && p.contains("(id>? AND id<?)")),
            "{plan:?}"
        );
        assert!(
            plan.iter()
                .any(|p| p.starts_with("SEARCH e USING PRIMARY KEY (dossier_no=?)")),
            "{plan:?}"
        );
        drop(conn);
        temp.remove().await;
    }
}
