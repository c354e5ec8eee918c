//! The QĐ 766 service index, counted in SQL: the same rules as
//! `motcua_domain::report::index766::Measures::tally`, one expression per count over
//! each dossier's flags (`condition`), so that a figure and its list of dossiers
//! cannot disagree. The period's dossiers are
//! those the II.06a report sees (`reports::seen`).

use motcua_domain::report::index766::Weight;
use sqlx::{FromRow, Row};

use crate::dossiers::{naming_procedure, procedure_name};
use crate::marks;
use crate::reports::{bind_scope, seen_sql, CountedRow, Scope};
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

/// Each predicate the indicators read, once per dossier, as 0 or 1 (PostgreSQL has
/// no arithmetic on booleans). Every figure, list and cost is a sum or product of
/// these (`condition`), so that a province's 1.5 million rows evaluate each
/// predicate once rather than once per figure. They read only columns of the
/// closed dossiers' covering index (`dossiers_closed`). `$1` is the period's
/// start, `$2` its end.
fn flags() -> String {
    format!(
        "CASE WHEN closed_at < $2 AND status = 'returned' THEN 1 ELSE 0 END AS resolved, \
         CASE WHEN closed_at IS NULL OR closed_at >= $2 THEN 1 ELSE 0 END AS pending, \
         {TIMELY} AS timely, \
         CASE WHEN due_at IS NULL OR due_at >= $2 THEN 1 ELSE 0 END AS not_due, \
         CASE WHEN supplements <= 1 THEN 1 ELSE 0 END AS few_supplements, \
         CASE WHEN received_at >= $1 THEN 1 ELSE 0 END AS received_in, \
         CASE WHEN channel IN ('online', 'assisted') THEN 1 ELSE 0 END AS online, \
         CASE WHEN procedure_code IN (SELECT code FROM procedures WHERE online = 'full') \
           THEN 1 ELSE 0 END AS fully_online, \
         CASE WHEN results > 0 THEN 1 ELSE 0 END AS with_result, \
         CASE WHEN results > 0 AND status = 'returned' \
           AND scanned_documents >= (CASE WHEN documents > 1 THEN documents ELSE 1 END) \
           THEN 1 ELSE 0 END AS digitised"
    )
}

/// Early or on time as `TIMELINESS` decides it, the common case (decided at
/// return) tested first: a tenth of the index's time at province scale.
const TIMELY: &str = "(CASE WHEN timeliness IN ('early', 'on_time') THEN 1 \
     WHEN timeliness IS NOT NULL THEN 0 WHEN due_at IS NULL THEN 1 \
     WHEN closed_at > due_at THEN 0 ELSE 1 END)";

/// Rated "not satisfied" by the citizen (feedback is not recorded yet): the few
/// such ratings read once as a set, not looked up for each dossier. Lists only; a
/// count subtracts them apart (`not_satisfied_in_time`).
const DISSATISFIED: &str =
    "CASE WHEN id IN (SELECT r.dossier_id FROM ratings r WHERE r.verdict = 0) \
     THEN 1 ELSE 0 END AS dissatisfied";

/// The columns a list shows (the procedure's name as its term: see
/// `naming_procedure`).
const LIST_COLUMNS: &str = "code, agency_id, sector, procedure_term, applicant_name, channel, \
     status, received_at, due_at, closed_at, timeliness";

/// Resolved, or pending at the end of the period.
const HANDLED: &str = "(resolved + pending)";

/// In time for the index: resolved early or on time, or pending with its due
/// instant not before the end; and at most one supplement request. Never more than
/// `HANDLED`.
const IN_TIME: &str = "((resolved * timely + pending * not_due) * few_supplements)";

/// The rows of `seen_sql` with their `flags` and `columns`, each row's flags
/// computed once: the no-op LIMIT keeps both engines from copying the flags'
/// expressions into every sum that reads them (SQLite's subquery flattening).
fn flagged(scope: &Scope<'_>, columns: &str) -> String {
    let columns = if columns.is_empty() {
        flags()
    } else {
        format!("{columns}, {}", flags())
    };
    format!("{} LIMIT 9223372036854775807", seen_sql(scope, &columns))
}

/// Which side of an indicator's fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Numerator,
    Denominator,
}

/// What a seen dossier counts in an indicator's numerator or denominator, 0 or 1,
/// over the columns of `flagged`; None for indicators that do not count dossiers.
pub fn condition(key: &str, part: Part) -> Option<String> {
    Some(match (key, part) {
        ("progress.on_time", Part::Numerator) => IN_TIME.to_owned(),
        ("progress.on_time" | "satisfaction.procedures", Part::Denominator) => HANDLED.to_owned(),
        ("satisfaction.procedures", Part::Numerator) => format!("({IN_TIME} * (1 - dissatisfied))"),
        ("online.eligible", Part::Numerator) => "(received_in * fully_online * online)".into(),
        ("online.eligible", Part::Denominator) => "(received_in * fully_online)".into(),
        ("online.share", Part::Numerator) => "(received_in * online)".into(),
        ("online.share", Part::Denominator) => "received_in".into(),
        ("digitisation.results", Part::Numerator) => "(resolved * with_result)".into(),
        ("digitisation.documents", Part::Numerator) => "(resolved * digitised)".into(),
        ("digitisation.results" | "digitisation.documents", Part::Denominator) => "resolved".into(),
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

/// Numerator and denominator of each of `DOSSIER_INDICATORS`.
///
/// Counted from the covering indexes: every flag but "not satisfied" reads indexed
/// columns only. The satisfied are counted as those in time less those in time
/// whom the citizen rated "not satisfied", the latter found from the few such
/// ratings (`ratings_dissatisfied`) rather than by matching each dossier's id.
pub async fn dossier_measures(conn: &mut Conn, scope: &Scope<'_>) -> Result<Vec<(u64, u64)>> {
    let satisfied = DOSSIER_INDICATORS
        .iter()
        .position(|k| *k == "satisfaction.procedures");
    let mut sums = Vec::new();
    for (i, key) in DOSSIER_INDICATORS.iter().enumerate() {
        for (part, name) in [(Part::Numerator, "n"), (Part::Denominator, "d")] {
            let c = if Some(i) == satisfied && part == Part::Numerator {
                IN_TIME.to_owned()
            } else {
                condition(key, part).unwrap_or_else(|| "0".into())
            };
            sums.push(format!("SUM({c}) AS {name}{i}"));
        }
    }
    let sql = format!(
        "SELECT {} FROM ({}) seen",
        sums.join(", "),
        flagged(scope, "")
    );
    let row = bind_scope!(sqlx::query(&sql), scope)
        .fetch_one(&mut *conn)
        .await?;
    let get = |name: String| -> Result<u64> {
        // SUM over no row is NULL.
        let n: Option<i64> = row.try_get(name.as_str())?;
        Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
    };
    let mut out = (0..DOSSIER_INDICATORS.len())
        .map(|i| Ok((get(format!("n{i}"))?, get(format!("d{i}"))?)))
        .collect::<Result<Vec<_>>>()?;
    if let Some(i) = satisfied {
        let not = not_satisfied_in_time(conn, scope).await?;
        out[i].0 = out[i].0.saturating_sub(not);
    }
    Ok(out)
}

/// The dossiers a period sees, in one condition: open, or closed since it began;
/// received before it ended (the union of `seen_sql`'s halves).
fn seen_where(scope: &Scope<'_>) -> String {
    format!(
        "agency_id IN ({}) AND (is_open = 1 OR closed_at >= $1) AND +received_at < $2",
        marks(3, scope.agency_ids.len())
    )
}

/// Handled in time but rated "not satisfied": the dossiers of the agencies' "not
/// satisfied" ratings, looked up by id, that the period sees.
async fn not_satisfied_in_time(conn: &mut Conn, scope: &Scope<'_>) -> Result<u64> {
    let marks = marks(3, scope.agency_ids.len());
    let sql = format!(
        "SELECT COALESCE(SUM({IN_TIME}), 0) FROM (SELECT {} FROM dossiers \
           WHERE id IN (SELECT dossier_id FROM ratings WHERE verdict = 0 AND agency_id IN ({marks})) \
           AND {}) seen",
        flags(),
        seen_where(scope),
    );
    let (n,): (i64,) = bind_scope!(sqlx::query_as(&sql), scope)
        .fetch_one(conn)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Procedures the agencies perform with an online service (fully or partly), and
/// all the procedures they perform.
pub async fn online_procedures(conn: &mut Conn, agency_ids: &[String]) -> Result<(u64, u64)> {
    let sql = format!(
        "SELECT COUNT(*) AS total, \
         COALESCE(SUM(CASE WHEN p.online IN ('full', 'partial') THEN 1 ELSE 0 END), 0) AS online \
         FROM procedures p WHERE p.code IN \
         (SELECT code FROM agency_procedures WHERE agency_id IN ({}))",
        marks(1, agency_ids.len())
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
        marks(3, scope.agency_ids.len())
    );
    let row = bind_scope!(sqlx::query(&sql), scope)
        .fetch_one(conn)
        .await?;
    let e: i64 = row.try_get("electronic")?;
    let t: i64 = row.try_get("total")?;
    Ok((u64::try_from(e).unwrap_or(0), u64::try_from(t).unwrap_or(0)))
}

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
        "SELECT {} FROM ({}) seen WHERE {c} = 1 ORDER BY received_at, code LIMIT ${next} OFFSET ${}",
        naming_procedure(LIST_COLUMNS),
        flagged(scope, &format!("{LIST_COLUMNS}, {DISSATISFIED}")),
        next + 1
    );
    Ok(Some(
        bind_scope!(sqlx::query_as::<_, CountedRow>(&sql), scope)
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await?,
    ))
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
#[derive(Debug, Clone)]
pub struct CostlyRow {
    pub code: String,
    pub agency_id: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub status: String,
    pub received_at: Option<jiff::Timestamp>,
    pub due_at: Option<jiff::Timestamp>,
    pub closed_at: Option<jiff::Timestamp>,
    pub supplements: i64,
    /// Handled late (or not known in time).
    pub late: bool,
    /// Resolved without an electronic result.
    pub no_result: bool,
    /// Resolved with its documents not digitised.
    pub not_digitised: bool,
    pub cost: f64,
}

/// [`CostlyRow`] as its columns hold it (flags 0/1, instants in milliseconds).
#[derive(FromRow)]
struct CostlyColumns {
    code: String,
    agency_id: String,
    procedure_name: String,
    applicant_name: String,
    status: String,
    received_at: Option<i64>,
    due_at: Option<i64>,
    closed_at: Option<i64>,
    supplements: i64,
    late: i64,
    no_result: i64,
    not_digitised: i64,
    cost: f64,
}

impl From<CostlyColumns> for CostlyRow {
    fn from(r: CostlyColumns) -> CostlyRow {
        CostlyRow {
            code: r.code,
            agency_id: r.agency_id,
            procedure_name: r.procedure_name,
            applicant_name: r.applicant_name,
            status: r.status,
            received_at: r.received_at.map(crate::from_millis),
            due_at: r.due_at.map(crate::from_millis),
            closed_at: r.closed_at.map(crate::from_millis),
            supplements: r.supplements,
            late: r.late != 0,
            no_result: r.no_result != 0,
            not_digitised: r.not_digitised != 0,
            cost: r.cost,
        }
    }
}

/// The flagged rows of `source` (rows with the `flags`) with what each costs:
/// `$1`, `$2` and the agencies bound first, then the three costs from `$n`.
fn costed(source: &str, columns: &str, n: usize) -> String {
    costed_where(
        source,
        columns,
        n,
        "late = 1 OR no_result = 1 OR not_digitised = 1",
    )
}

fn costed_where(source: &str, columns: &str, n: usize, which: &str) -> String {
    let (cl, cr, cd) = (n, n + 1, n + 2);
    format!(
        "SELECT {columns}, late, no_result, not_digitised, \
         (CASE WHEN late = 1 THEN ${cl} ELSE 0.0 END + CASE WHEN no_result = 1 THEN ${cr} ELSE 0.0 END \
          + CASE WHEN not_digitised = 1 THEN ${cd} ELSE 0.0 END) AS cost \
         FROM (SELECT {columns}, {HANDLED} - {IN_TIME} AS late, \
               resolved * (1 - with_result) AS no_result, resolved * (1 - digitised) AS not_digitised \
               FROM ({source}) seen) flags \
         WHERE {which}"
    )
}

/// The dossiers of the period that may be late, from three index ranges: the open
/// ones, those closed in the period late (or with more than one supplement
/// request, or without a recorded timeliness) through their partial index
/// `dossiers_late`, and those closed after it (pending at its end). A few
/// percent of what the period sees.
fn maybe_late(scope: &Scope<'_>, columns: &str) -> String {
    let agencies = marks(3, scope.agency_ids.len());
    let columns = format!("{columns}, {}", flags());
    format!(
        "SELECT {columns} FROM dossiers WHERE agency_id IN ({agencies}) AND is_open = 1 AND +received_at < $2 \
         UNION ALL SELECT {columns} FROM dossiers WHERE agency_id IN ({agencies}) \
           AND closed_at >= $1 AND closed_at < $2 AND {LATE_OR_UNKNOWN} AND +received_at < $2 \
         UNION ALL SELECT {columns} FROM dossiers WHERE agency_id IN ({agencies}) \
           AND closed_at >= $2 AND +received_at < $2 \
         LIMIT 9223372036854775807"
    )
}

/// The predicate of the partial index `dossiers_late` (migration 0023), as both
/// engines must read it to use the index.
const LATE_OR_UNKNOWN: &str = "(timeliness = 'late' OR timeliness IS NULL OR supplements > 1)";

/// The instants of receipt of the `limit` dossiers that cost the most points
/// (late, more than one supplement request included; returned without an
/// electronic result; or without their documents scanned), the costliest first,
/// then the earliest received. Read from the indexes alone: the first step of
/// [`costly`], which a caller may take on several parts of a scope at once.
pub async fn costliest_receipts(
    conn: &mut Conn,
    scope: &Scope<'_>,
    costs: Costs,
    limit: i64,
) -> Result<Vec<i64>> {
    let n = scope.agency_ids.len() + 3;
    let ranked = |costed: String| {
        format!(
            "SELECT received_at FROM ({costed}) costed ORDER BY cost DESC, received_at LIMIT ${}",
            n + 3
        )
    };
    // A late dossier costs more than any other can when lateness alone outweighs
    // both other flags: then, if there are enough late ones, the costliest are
    // among them, found through their small index instead of every row.
    if costs.late > costs.no_result + costs.not_digitised {
        let late = ranked(costed_where(
            &maybe_late(scope, "received_at"),
            "received_at",
            n,
            "late = 1",
        ));
        let found = receipts(conn, scope, costs, limit, &late).await?;
        if i64::try_from(found.len()).unwrap_or(i64::MAX) >= limit {
            return Ok(found);
        }
    }
    let all = ranked(costed(&flagged(scope, "received_at"), "received_at", n));
    receipts(conn, scope, costs, limit, &all).await
}

async fn receipts(
    conn: &mut Conn,
    scope: &Scope<'_>,
    costs: Costs,
    limit: i64,
    sql: &str,
) -> Result<Vec<i64>> {
    let rows: Vec<(Option<i64>,)> = bind_scope!(sqlx::query_as(sql), scope)
        .bind(costs.late)
        .bind(costs.no_result)
        .bind(costs.not_digitised)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().filter_map(|(r,)| r).collect())
}

/// The dossiers that cost the most points, the costliest first, among those
/// received at one of `received` (what [`costliest_receipts`] found): a few index
/// look-ups by instant of receipt rather than a read of every flagged row. Every
/// dossier received at one of those instants is ranked, so that one sharing its
/// instant with another is not lost.
pub async fn costly(
    conn: &mut Conn,
    scope: &Scope<'_>,
    costs: Costs,
    received: &[i64],
    limit: i64,
) -> Result<Vec<CostlyRow>> {
    if received.is_empty() {
        return Ok(Vec::new());
    }
    let n = scope.agency_ids.len() + 3;
    let source = format!(
        "SELECT {LIST_COLUMNS}, supplements, {} FROM dossiers WHERE {} AND received_at IN ({})",
        flags(),
        seen_where(scope),
        marks(n + 4, received.len())
    );
    let sql = format!(
        "SELECT code, agency_id, {}, applicant_name, status, received_at, due_at, \
         closed_at, supplements, late, no_result, not_digitised, cost FROM ({}) costed \
         ORDER BY cost DESC, received_at, code LIMIT ${}",
        procedure_name!(),
        costed(
            &source,
            "code, agency_id, procedure_term, applicant_name, status, received_at, due_at, \
             closed_at, supplements",
            n
        ),
        n + 3
    );
    let mut q = bind_scope!(sqlx::query_as::<_, CostlyColumns>(&sql), scope)
        .bind(costs.late)
        .bind(costs.no_result)
        .bind(costs.not_digitised)
        .bind(limit);
    for at in received {
        q = q.bind(*at);
    }
    Ok(q.fetch_all(conn)
        .await?
        .into_iter()
        .map(CostlyRow::from)
        .collect())
}
