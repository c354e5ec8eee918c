//! What a dashboard reads besides the II.06a figures: monthly trends, channels,
//! the overdue and due-soon lists, the workload per officer and the time taken per
//! procedure. Every query walks an index range by agency (received, closed or open
//! and due), never an agency's whole history.

use sqlx::FromRow;

use crate::dossiers::procedure_name;
use crate::reports::TIMELINESS;
use crate::{Conn, Result};

/// `$1, $2, …` for the agencies, first in every query here; `NULL` for none (an
/// empty `IN ()` is not SQL).
fn agencies_in(n: usize) -> String {
    if n == 0 {
        return "NULL".into();
    }
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! bind_agencies {
    ($q:expr, $ids:expr) => {{
        let mut q = $q;
        for id in $ids {
            q = q.bind(id.as_str());
        }
        q
    }};
}

/// `CASE` numbering the bucket `[bounds[i], bounds[i + 1])` that `column` falls in.
/// The bounds are instants the app computed (local month starts), not input.
fn bucket(column: &str, bounds: &[i64]) -> String {
    let mut sql = String::from("CASE");
    for (i, b) in bounds.iter().skip(1).enumerate() {
        sql.push_str(&format!(" WHEN {column} < {b} THEN {i}"));
    }
    sql.push_str(" ELSE -1 END");
    sql
}

/// One month of a trend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Month {
    pub received: i64,
    pub online: i64,
    pub post: i64,
    pub home: i64,
    pub resolved: i64,
    pub resolved_in_time: i64,
}

/// Received (by channel) and resolved (in time or not) per bucket of `bounds`
/// (`n + 1` instants in milliseconds for `n` buckets).
pub async fn months(conn: &mut Conn, agency_ids: &[String], bounds: &[i64]) -> Result<Vec<Month>> {
    let mut out = vec![Month::default(); bounds.len().saturating_sub(1)];
    let (Some(&start), Some(&end)) = (bounds.first(), bounds.last()) else {
        return Ok(out);
    };
    let ids = agencies_in(agency_ids.len());
    let received = format!(
        "SELECT {} AS m, COUNT(*) AS n, \
                SUM(CASE WHEN channel IN ('online', 'assisted') THEN 1 ELSE 0 END) AS online, \
                SUM(CASE WHEN channel = 'post' THEN 1 ELSE 0 END) AS post, \
                SUM(CASE WHEN channel = 'home' THEN 1 ELSE 0 END) AS home \
         FROM dossiers WHERE agency_id IN ({ids}) AND received_at >= {start} AND received_at < {end} \
         GROUP BY 1",
        bucket("received_at", bounds)
    );
    let rows: Vec<(i64, i64, i64, i64, i64)> =
        bind_agencies!(sqlx::query_as(&received), agency_ids)
            .fetch_all(&mut *conn)
            .await?;
    for (m, n, online, post, home) in rows {
        if let Some(month) = usize::try_from(m).ok().and_then(|m| out.get_mut(m)) {
            (month.received, month.online, month.post, month.home) = (n, online, post, home);
        }
    }
    let resolved = format!(
        "SELECT {} AS m, COUNT(*) AS n, \
                SUM(CASE WHEN {TIMELINESS} <> 'late' THEN 1 ELSE 0 END) AS in_time \
         FROM dossiers WHERE agency_id IN ({ids}) AND closed_at >= {start} AND closed_at < {end} \
           AND status = 'returned' \
         GROUP BY 1",
        bucket("closed_at", bounds)
    );
    let rows: Vec<(i64, i64, i64)> = bind_agencies!(sqlx::query_as(&resolved), agency_ids)
        .fetch_all(&mut *conn)
        .await?;
    for (m, n, in_time) in rows {
        if let Some(month) = usize::try_from(m).ok().and_then(|m| out.get_mut(m)) {
            (month.resolved, month.resolved_in_time) = (n, in_time);
        }
    }
    Ok(out)
}

/// An open dossier on a due list.
#[derive(Debug, Clone, FromRow)]
pub struct DueRow {
    pub code: String,
    pub agency_id: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub status: String,
    pub due_at: i64,
    pub assignee_name: Option<String>,
}

/// Open dossiers due in `[from, until)`, soonest first (`from` = `i64::MIN` for
/// every overdue one).
pub async fn due(
    conn: &mut Conn,
    agency_ids: &[String],
    from: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<DueRow>> {
    let ids = agencies_in(agency_ids.len());
    let n = agency_ids.len();
    let sql = format!(
        "SELECT d.code, d.agency_id, {}, d.applicant_name, d.status, d.due_at, \
                u.full_name AS assignee_name \
         FROM dossiers d LEFT JOIN users u ON u.id = d.assignee_id \
         WHERE d.agency_id IN ({ids}) AND d.is_open = 1 AND d.due_at >= ${} AND d.due_at < ${} \
         ORDER BY d.due_at, d.id LIMIT ${}",
        procedure_name!(),
        n + 1,
        n + 2,
        n + 3
    );
    bind_agencies!(sqlx::query_as::<_, DueRow>(&sql), agency_ids)
        .bind(from)
        .bind(until)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// How many open dossiers are due in `[from, until)`.
pub async fn due_count(
    conn: &mut Conn,
    agency_ids: &[String],
    from: i64,
    until: i64,
) -> Result<i64> {
    let ids = agencies_in(agency_ids.len());
    let n = agency_ids.len();
    let sql = format!(
        "SELECT COUNT(*) FROM dossiers WHERE agency_id IN ({ids}) AND is_open = 1 \
         AND due_at >= ${} AND due_at < ${}",
        n + 1,
        n + 2
    );
    bind_agencies!(sqlx::query_scalar(&sql), agency_ids)
        .bind(from)
        .bind(until)
        .fetch_one(conn)
        .await
}

/// One officer's open work.
#[derive(Debug, Clone, FromRow)]
pub struct Workload {
    pub full_name: String,
    pub open: i64,
    pub overdue: i64,
}

/// Open dossiers per assigned officer, busiest first.
pub async fn workload(
    conn: &mut Conn,
    agency_ids: &[String],
    now: i64,
    limit: i64,
) -> Result<Vec<Workload>> {
    let ids = agencies_in(agency_ids.len());
    let n = agency_ids.len();
    let sql = format!(
        "SELECT u.full_name, COUNT(*) AS open, \
                SUM(CASE WHEN d.due_at < ${} THEN 1 ELSE 0 END) AS overdue \
         FROM dossiers d JOIN users u ON u.id = d.assignee_id \
         WHERE d.agency_id IN ({ids}) AND d.is_open = 1 \
         GROUP BY d.assignee_id, u.full_name ORDER BY open DESC, u.full_name LIMIT ${}",
        n + 1,
        n + 2
    );
    bind_agencies!(sqlx::query_as::<_, Workload>(&sql), agency_ids)
        .bind(now)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The time one procedure's returned dossiers took.
#[derive(Debug, Clone, FromRow)]
pub struct ProcedureTime {
    pub procedure_code: String,
    pub procedure_name: String,
    pub resolved: i64,
    /// Mean days from receipt to return.
    pub mean_days: Option<f64>,
    /// Mean share of the time allowed (receipt to due instant) that was used.
    pub mean_share_of_limit: Option<f64>,
}

/// Per procedure, the dossiers returned in `[start, end)` and how long they took,
/// most frequent first.
pub async fn procedure_times(
    conn: &mut Conn,
    agency_ids: &[String],
    start: i64,
    end: i64,
    limit: i64,
) -> Result<Vec<ProcedureTime>> {
    let ids = agencies_in(agency_ids.len());
    let n = agency_ids.len();
    // DOUBLE PRECISION is REAL to SQLite and float8 to PostgreSQL. Grouped from
    // `dossiers_closed` alone; the name is the catalogue's, read for the few
    // procedures kept, not from 1.5 million rows.
    let sql = format!(
        "SELECT t.procedure_code, COALESCE(p.name, t.procedure_code) AS procedure_name, \
                t.resolved, t.mean_days, t.mean_share_of_limit \
         FROM (SELECT procedure_code, COUNT(*) AS resolved, \
                AVG(CAST(closed_at - received_at AS DOUBLE PRECISION) / 86400000.0) AS mean_days, \
                AVG(CAST(closed_at - received_at AS DOUBLE PRECISION) \
                    / CAST(NULLIF(due_at - received_at, 0) AS DOUBLE PRECISION)) AS mean_share_of_limit \
               FROM dossiers \
               WHERE agency_id IN ({ids}) AND closed_at >= ${} AND closed_at < ${} \
                 AND status = 'returned' AND received_at IS NOT NULL \
               GROUP BY procedure_code \
               ORDER BY resolved DESC, procedure_code LIMIT ${}) t \
         LEFT JOIN procedures p ON p.code = t.procedure_code \
         ORDER BY t.resolved DESC, t.procedure_code",
        n + 1,
        n + 2,
        n + 3
    );
    bind_agencies!(sqlx::query_as::<_, ProcedureTime>(&sql), agency_ids)
        .bind(start)
        .bind(end)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// The ratings given in `[start, end)`, counted by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromRow)]
pub struct RatingCounts {
    pub very_satisfied: i64,
    pub satisfied: i64,
    pub dissatisfied: i64,
    pub poor_attitude: i64,
}

pub async fn rating_counts(
    conn: &mut Conn,
    agency_ids: &[String],
    start: i64,
    end: i64,
) -> Result<RatingCounts> {
    let ids = agencies_in(agency_ids.len());
    let n = agency_ids.len();
    // COALESCE: SUM over no row is NULL on both engines.
    let sql = format!(
        "SELECT COALESCE(SUM(CASE WHEN verdict = 2 THEN 1 ELSE 0 END), 0) AS very_satisfied, \
                COALESCE(SUM(CASE WHEN verdict = 1 THEN 1 ELSE 0 END), 0) AS satisfied, \
                COALESCE(SUM(CASE WHEN verdict = 0 THEN 1 ELSE 0 END), 0) AS dissatisfied, \
                COALESCE(SUM(CASE WHEN attitude = 0 THEN 1 ELSE 0 END), 0) AS poor_attitude \
         FROM ratings WHERE agency_id IN ({ids}) AND rated_at >= ${} AND rated_at < ${}",
        n + 1,
        n + 2
    );
    bind_agencies!(sqlx::query_as::<_, RatingCounts>(&sql), agency_ids)
        .bind(start)
        .bind(end)
        .fetch_one(conn)
        .await
}

/// A "not satisfied" rating, for the list a leader reads.
#[derive(Debug, Clone, FromRow)]
pub struct Complaint {
    pub code: String,
    pub procedure_name: String,
    pub rated_at: i64,
    pub attitude: i64,
    pub return_visits: i64,
    pub comment: Option<String>,
}

/// The latest "not satisfied" ratings given in `[start, end)`.
pub async fn complaints(
    conn: &mut Conn,
    agency_ids: &[String],
    start: i64,
    end: i64,
    limit: i64,
) -> Result<Vec<Complaint>> {
    let ids = agencies_in(agency_ids.len());
    let n = agency_ids.len();
    let sql = format!(
        "SELECT d.code, {}, r.rated_at, r.attitude, r.return_visits, r.comment \
         FROM ratings r JOIN dossiers d ON d.id = r.dossier_id \
         WHERE r.agency_id IN ({ids}) AND r.rated_at >= ${} AND r.rated_at < ${} \
           AND r.verdict = 0 \
         ORDER BY r.rated_at DESC, r.dossier_id LIMIT ${}",
        procedure_name!(),
        n + 1,
        n + 2,
        n + 3
    );
    bind_agencies!(sqlx::query_as::<_, Complaint>(&sql), agency_ids)
        .bind(start)
        .bind(end)
        .bind(limit)
        .fetch_all(conn)
        .await
}
