//! Campaigns and the people on their lists; the dossiers that may count for them.

use sqlx::FromRow;

use crate::bulk::{insert_sql, is_sqlite};
use crate::dossiers::{details_of_events, EventRow, EVENT_COLUMNS};
use crate::{Conn, Result};
use motcua_domain::dossier::Details;

#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct CampaignRow {
    pub id: String,
    pub agency_id: String,
    pub name: String,
    /// Procedure codes, one per line.
    pub procedures: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub targets: i64,
    pub source_file: Option<String>,
    pub created_at: i64,
    pub created_by: Option<String>,
}

const COLUMNS: &str = "id, agency_id, name, procedures, starts_on, ends_on, targets, \
    source_file, created_at, created_by";

#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct TargetRow {
    pub line: i64,
    pub full_name: String,
    pub date_of_birth: Option<String>,
    pub personal_id: Option<String>,
    pub address: Option<String>,
    pub note: Option<String>,
}

const TARGET_HEAD: &str =
    "campaign_targets (campaign_id, line, full_name, date_of_birth, personal_id, address, note)";
const TARGET_WIDTH: usize = 7;
/// Rows a statement: 7 × 1,000 values stay under SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters.
const TARGET_BATCH: usize = 1_000;

/// Writes a campaign and its list (in the caller's transaction).
pub async fn insert(conn: &mut Conn, c: &CampaignRow, targets: &[TargetRow]) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO campaigns ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&c.id)
    .bind(&c.agency_id)
    .bind(&c.name)
    .bind(&c.procedures)
    .bind(&c.starts_on)
    .bind(&c.ends_on)
    .bind(c.targets)
    .bind(&c.source_file)
    .bind(c.created_at)
    .bind(&c.created_by)
    .execute(&mut *conn)
    .await?;
    let sqlite = is_sqlite(conn);
    for chunk in targets.chunks(TARGET_BATCH) {
        let sql = insert_sql(TARGET_HEAD, chunk.len(), TARGET_WIDTH, sqlite);
        let mut q = sqlx::query(&sql);
        for t in chunk {
            q = q
                .bind(&c.id)
                .bind(t.line)
                .bind(&t.full_name)
                .bind(&t.date_of_birth)
                .bind(&t.personal_id)
                .bind(&t.address)
                .bind(&t.note);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The campaigns of some agencies, newest first.
pub async fn of_agencies(conn: &mut Conn, agency_ids: &[String]) -> Result<Vec<CampaignRow>> {
    if agency_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=agency_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM campaigns WHERE agency_id IN ({}) \
         ORDER BY created_at DESC, id DESC",
        marks.join(", ")
    );
    let mut q = sqlx::query_as(&sql);
    for id in agency_ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await
}

pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<CampaignRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn targets(conn: &mut Conn, campaign_id: &str) -> Result<Vec<TargetRow>> {
    sqlx::query_as(
        "SELECT line, full_name, date_of_birth, personal_id, address, note \
         FROM campaign_targets WHERE campaign_id = $1 ORDER BY line",
    )
    .bind(campaign_id)
    .fetch_all(conn)
    .await
}

/// A dossier that may count for a campaign, with its details as its intake stated
/// them (who applied, for whom, the civil-status facts declared; what later events
/// add, the missing items and the handover, is left out).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub code: String,
    pub status: String,
    pub received_at: Option<i64>,
    pub applicant_name: String,
    pub details: Details,
}

#[derive(FromRow)]
struct CandidateRow {
    id: String,
    code: String,
    status: String,
    received_at: Option<i64>,
    applicant_name: String,
}

/// The dossiers of `procedures` that an agency received in `[start, end)`
/// (milliseconds), in order of receipt, each with its details. Two statements
/// whatever the number of dossiers: the rows, then the events that state an intake
/// (`receive`, `submit`, `import`: the people are named there and nowhere later) in
/// chain order, on SQLite one range of the events' clustered key per dossier. The
/// other events, seven in eight, are not read: a commune's year of five procedures
/// is 11,200 dossiers.
pub async fn candidates(
    conn: &mut Conn,
    agency_id: &str,
    procedures: &[String],
    start: i64,
    end: i64,
) -> Result<Vec<Candidate>> {
    if procedures.is_empty() {
        return Ok(Vec::new());
    }
    let filter = format!(
        "agency_id = $1 AND received_at >= $2 AND received_at < $3 AND procedure_code IN ({})",
        crate::bulk::numbered_list(4, procedures.len())
    );
    let sql = format!(
        "SELECT id, code, status, received_at, applicant_name FROM dossiers WHERE {filter} \
         ORDER BY received_at, id"
    );
    let mut q = sqlx::query_as::<_, CandidateRow>(&sql)
        .bind(agency_id)
        .bind(start)
        .bind(end);
    for p in procedures {
        q = q.bind(p);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM dossier_events WHERE dossier_id IN \
         (SELECT id FROM dossiers WHERE {filter}) AND action IN ('receive', 'submit', 'import') \
         ORDER BY dossier_id, seq"
    );
    let mut q = sqlx::query_as::<_, EventRow>(&sql)
        .bind(agency_id)
        .bind(start)
        .bind(end);
    for p in procedures {
        q = q.bind(p);
    }
    let events = q.fetch_all(&mut *conn).await?;
    let mut by_dossier: std::collections::HashMap<&str, std::ops::Range<usize>> =
        std::collections::HashMap::new();
    let mut at = 0;
    while at < events.len() {
        let id = events[at].dossier_id.as_str();
        let from = at;
        while at < events.len() && events[at].dossier_id == id {
            at += 1;
        }
        by_dossier.insert(id, from..at);
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let range = by_dossier.get(r.id.as_str()).cloned().unwrap_or(0..0);
        let details = details_of_events(&r.id, &events[range])?;
        out.push(Candidate {
            code: r.code,
            status: r.status,
            received_at: r.received_at,
            applicant_name: r.applicant_name,
            details,
        });
    }
    Ok(out)
}
