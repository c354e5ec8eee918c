//! The QĐ 766 service index, counted in SQL: the same rules as
//! `motcua_domain::report::index766::Measures::tally`, one predicate per count, so
//! that a figure and its list of dossiers cannot disagree. The period's dossiers are
//! those the II.06a report sees (`reports::seen`).

use motcua_domain::report::index766::Weight;
use sqlx::{FromRow, Row};

use crate::reports::{seen_sql, CountedRow, Scope, TIMELINESS};
use crate::{Conn, Result};

pub async fn weights(conn: &mut Conn) -> Result<Vec<Weight>> {
    let rows = sqlx::query(
        "SELECT key, points, threshold, source, confirmed FROM service_index_weights ORDER BY key",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Weight {
                key: r.try_get("key")?,
                points: r.try_get("points")?,
                threshold: r.try_get("threshold")?,
                source: r.try_get("source")?,
                confirmed: r.try_get::<i64, _>("confirmed")? != 0,
            })
        })
        .collect()
}

/// Writes every value (an upsert, so a key added after the seed is stored too).
pub async fn save_weights(conn: &mut Conn, weights: &[Weight], at: i64, by: &str) -> Result<()> {
    for w in weights {
        sqlx::query(
            "INSERT INTO service_index_weights (key, points, threshold, source, confirmed, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (key) DO UPDATE SET points = excluded.points, threshold = excluded.threshold, \
             source = excluded.source, confirmed = excluded.confirmed, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(&w.key)
        .bind(w.points)
        .bind(w.threshold)
        .bind(&w.source)
        .bind(i64::from(w.confirmed))
        .bind(at)
        .bind(by)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The columns the predicates read. Whether the documents were digitised is
/// worked out for dossiers with a result only (the rest cannot count), so that a
/// period's open dossiers cost no look-up of their files. The "not satisfied"
/// ratings are few: read once as a set, not looked up for each dossier.
fn columns() -> String {
    String::from(
        "id, code, agency_id, sector, procedure_code, procedure_name, applicant_name, channel, status, \
         received_at, due_at, closed_at, timeliness, supplements, results, \
         (CASE WHEN results > 0 AND status = 'returned' THEN \
            (CASE WHEN (SELECT COUNT(*) FROM dossier_files f WHERE f.dossier_id = dossiers.id AND f.kind = 'document') \
                >= (CASE WHEN documents > 1 THEN documents ELSE 1 END) THEN 1 ELSE 0 END) \
          ELSE 0 END) AS digitised, \
         (CASE WHEN id IN (SELECT r.dossier_id FROM ratings r WHERE r.verdict = 0) \
          THEN 1 ELSE 0 END) AS dissatisfied",
    )
}

const RESOLVED: &str = "(closed_at < $2 AND status = 'returned')";
const PENDING: &str = "(closed_at IS NULL OR closed_at >= $2)";
const ONLINE: &str = "(channel IN ('online', 'assisted'))";
const FULLY_ONLINE: &str =
    "(procedure_code IN (SELECT code FROM procedures WHERE online = 'full'))";

fn handled() -> String {
    format!("({RESOLVED} OR {PENDING})")
}

/// In time for the index: resolved early or on time, or pending with its due
/// instant not before the end; and at most one supplement request.
fn in_time() -> String {
    format!(
        "((({RESOLVED} AND {TIMELINESS} IN ('early', 'on_time')) \
           OR ({PENDING} AND (due_at IS NULL OR due_at >= $2))) AND supplements <= 1)"
    )
}

/// Rated "not satisfied" by the citizen (feedback is not recorded yet).
const DISSATISFIED: &str = "(dissatisfied = 1)";

/// Which side of an indicator's fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Numerator,
    Denominator,
}

/// The condition a seen dossier meets to count in an indicator's numerator or
/// denominator; None for indicators that do not count dossiers.
pub fn condition(key: &str, part: Part) -> Option<String> {
    let received = "(received_at >= $1)";
    Some(match (key, part) {
        ("progress.on_time", Part::Numerator) => format!("({} AND {})", handled(), in_time()),
        ("progress.on_time" | "satisfaction.procedures", Part::Denominator) => handled(),
        ("satisfaction.procedures", Part::Numerator) => {
            format!("({} AND {} AND NOT {DISSATISFIED})", handled(), in_time())
        }
        ("online.eligible", Part::Numerator) => {
            format!("({received} AND {FULLY_ONLINE} AND {ONLINE})")
        }
        ("online.eligible", Part::Denominator) => format!("({received} AND {FULLY_ONLINE})"),
        ("online.share", Part::Numerator) => format!("({received} AND {ONLINE})"),
        ("online.share", Part::Denominator) => received.to_owned(),
        ("digitisation.results", Part::Numerator) => format!("({RESOLVED} AND results > 0)"),
        ("digitisation.documents", Part::Numerator) => {
            format!("({RESOLVED} AND results > 0 AND digitised = 1)")
        }
        ("digitisation.results" | "digitisation.documents", Part::Denominator) => {
            RESOLVED.to_owned()
        }
        _ => return None,
    })
}

/// The indicators counted from dossiers, in the order `dossier_measures` returns them.
pub const DOSSIER_INDICATORS: [&str; 6] = [
    "progress.on_time",
    "online.eligible",
    "online.share",
    "digitisation.results",
    "digitisation.documents",
    "satisfaction.procedures",
];

fn agency_marks(from: usize, n: usize) -> String {
    if n == 0 {
        return "NULL".into();
    }
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Numerator and denominator of each of `DOSSIER_INDICATORS`.
pub async fn dossier_measures(conn: &mut Conn, scope: &Scope<'_>) -> Result<Vec<(u64, u64)>> {
    let mut sums = Vec::new();
    for (i, key) in DOSSIER_INDICATORS.iter().enumerate() {
        for (part, name) in [(Part::Numerator, "n"), (Part::Denominator, "d")] {
            let c = condition(key, part).unwrap_or_else(|| "(1 = 0)".into());
            sums.push(format!("SUM(CASE WHEN {c} THEN 1 ELSE 0 END) AS {name}{i}"));
        }
    }
    let sql = format!(
        "SELECT {} FROM ({}) seen",
        sums.join(", "),
        seen_sql(scope, &columns())
    );
    let mut q = sqlx::query(&sql).bind(scope.start).bind(scope.end);
    for id in scope.agency_ids {
        q = q.bind(id.as_str());
    }
    let row = q.fetch_one(conn).await?;
    let get = |name: String| -> Result<u64> {
        // SUM over no row is NULL.
        let n: Option<i64> = row.try_get(name.as_str())?;
        Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
    };
    (0..DOSSIER_INDICATORS.len())
        .map(|i| Ok((get(format!("n{i}"))?, get(format!("d{i}"))?)))
        .collect()
}

/// Procedures the agencies perform with an online service (fully or partly), and
/// all the procedures they perform.
pub async fn online_procedures(conn: &mut Conn, agency_ids: &[String]) -> Result<(u64, u64)> {
    let sql = format!(
        "SELECT COUNT(*) AS total, \
         COALESCE(SUM(CASE WHEN p.online IN ('full', 'partial') THEN 1 ELSE 0 END), 0) AS online \
         FROM procedures p WHERE p.code IN \
         (SELECT code FROM agency_procedures WHERE agency_id IN ({}))",
        agency_marks(1, agency_ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in agency_ids {
        q = q.bind(id.as_str());
    }
    let row = q.fetch_one(conn).await?;
    let online: i64 = row.try_get("online")?;
    let total: i64 = row.try_get("total")?;
    Ok((
        u64::try_from(online).unwrap_or(0),
        u64::try_from(total).unwrap_or(0),
    ))
}

/// Certified copies recorded in the period, and those issued as an electronic
/// copy (an issued document with a file).
pub async fn certified_copies(conn: &mut Conn, scope: &Scope<'_>) -> Result<(u64, u64)> {
    let sql = format!(
        "SELECT COUNT(*) AS total, \
         COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM issued_documents i \
            WHERE i.token = e.issued_token AND i.sha256 IS NOT NULL) THEN 1 ELSE 0 END), 0) AS electronic \
         FROM certification_entries e WHERE e.kind = 'copy' AND e.created_at >= $1 AND e.created_at < $2 \
         AND e.agency_id IN ({})",
        agency_marks(3, scope.agency_ids.len())
    );
    let mut q = sqlx::query(&sql).bind(scope.start).bind(scope.end);
    for id in scope.agency_ids {
        q = q.bind(id.as_str());
    }
    let row = q.fetch_one(conn).await?;
    let e: i64 = row.try_get("electronic")?;
    let t: i64 = row.try_get("total")?;
    Ok((u64::try_from(e).unwrap_or(0), u64::try_from(t).unwrap_or(0)))
}

const LIST_COLUMNS: &str =
    "code, agency_id, sector, procedure_name, applicant_name, channel, status, \
                            received_at, due_at, closed_at, timeliness";

/// The dossiers counted in an indicator's numerator or denominator, oldest receipt
/// first; None when the indicator does not count dossiers.
pub async fn dossiers(
    conn: &mut Conn,
    scope: &Scope<'_>,
    key: &str,
    part: Part,
    limit: i64,
    offset: i64,
) -> Result<Option<Vec<CountedRow>>> {
    let Some(c) = condition(key, part) else {
        return Ok(None);
    };
    let next = scope.agency_ids.len() + 3;
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM ({}) seen WHERE {c} ORDER BY received_at, code LIMIT ${next} OFFSET ${}",
        seen_sql(scope, &columns()),
        next + 1
    );
    let mut q = sqlx::query_as::<_, CountedRow>(&sql)
        .bind(scope.start)
        .bind(scope.end);
    for id in scope.agency_ids {
        q = q.bind(id.as_str());
    }
    Ok(Some(q.bind(limit).bind(offset).fetch_all(conn).await?))
}

/// What one dossier costs, in points per flag (worked out by the caller from the
/// weights and the denominators).
#[derive(Debug, Clone, Copy, Default)]
pub struct Costs {
    pub late: f64,
    pub no_result: f64,
    pub not_digitised: f64,
}

/// A dossier that lost points, with why.
#[derive(Debug, Clone, FromRow)]
pub struct CostlyRow {
    pub code: String,
    pub agency_id: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub status: String,
    pub received_at: Option<i64>,
    pub due_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub supplements: i64,
    pub late: i64,
    pub no_result: i64,
    pub not_digitised: i64,
    pub cost: f64,
}

/// The dossiers that cost the most points: late (more than one supplement request
/// included), returned without an electronic result, or without their documents
/// digitised; the costliest first.
pub async fn costly(
    conn: &mut Conn,
    scope: &Scope<'_>,
    costs: Costs,
    limit: i64,
) -> Result<Vec<CostlyRow>> {
    let late = format!("({} AND NOT {})", handled(), in_time());
    let no_result = format!("({RESOLVED} AND results = 0)");
    let not_digitised = format!("({RESOLVED} AND digitised = 0)");
    let n = scope.agency_ids.len() + 3;
    let (cl, cr, cd) = (n, n + 1, n + 2);
    let sql = format!(
        "SELECT code, agency_id, procedure_name, applicant_name, status, received_at, due_at, closed_at, supplements, \
         late, no_result, not_digitised, \
         (CASE WHEN late = 1 THEN ${cl} ELSE 0.0 END + CASE WHEN no_result = 1 THEN ${cr} ELSE 0.0 END \
          + CASE WHEN not_digitised = 1 THEN ${cd} ELSE 0.0 END) AS cost \
         FROM (SELECT code, agency_id, procedure_name, applicant_name, status, received_at, due_at, closed_at, supplements, \
               CASE WHEN {late} THEN 1 ELSE 0 END AS late, \
               CASE WHEN {no_result} THEN 1 ELSE 0 END AS no_result, \
               CASE WHEN {not_digitised} THEN 1 ELSE 0 END AS not_digitised \
               FROM ({}) seen) flagged \
         WHERE late = 1 OR no_result = 1 OR not_digitised = 1 \
         ORDER BY cost DESC, received_at, code LIMIT ${}",
        seen_sql(scope, &columns()),
        n + 3
    );
    let mut q = sqlx::query_as::<_, CostlyRow>(&sql)
        .bind(scope.start)
        .bind(scope.end);
    for id in scope.agency_ids {
        q = q.bind(id.as_str());
    }
    q.bind(costs.late)
        .bind(costs.no_result)
        .bind(costs.not_digitised)
        .bind(limit)
        .fetch_all(conn)
        .await
}
