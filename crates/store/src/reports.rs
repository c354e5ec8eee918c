//! The official reports, computed in SQL: the same rules as
//! `motcua_domain::report::classify` (the tests hold the two to each other), as one
//! predicate per figure, so that a figure and its drill-down list cannot disagree.

use motcua_domain::dossier::Details;
use motcua_domain::report::{Counts, Figure};
use sqlx::{FromRow, Row};

use crate::dossiers::{naming_procedure, procedure_name};
use crate::{marks, Conn, Result};

/// Where a report looks: which agencies, and the period as `[start, end)` in
/// milliseconds.
pub struct Scope<'a> {
    pub agency_ids: &'a [String],
    pub start: i64,
    pub end: i64,
}

/// The dossiers a period sees: open now, or closed since it began; either way
/// received before it ended. Two index ranges (open dossiers by agency; closed by
/// agency and instant) rather than the agency's whole history. `$1` is the start,
/// `$2` the end; the agencies follow.
pub(crate) fn seen_sql(scope: &Scope<'_>, columns: &str) -> String {
    let [open, closed] = seen_parts(scope);
    format!("SELECT {columns} {open} UNION ALL SELECT {columns} {closed}")
}

/// The two halves of [`seen_sql`] from `FROM` on: the open dossiers, and those
/// closed since the period began.
fn seen_parts(scope: &Scope<'_>) -> [String; 2] {
    let agencies = marks(3, scope.agency_ids.len());
    // `+received_at`: the unary plus keeps the planner off `dossiers_received`
    // (an index range over every dossier received before the end, history
    // included), here only a filter; the halves are read through
    // `dossiers_open_due` and `dossiers_closed`. Valid on both engines.
    [
        format!("FROM dossiers WHERE agency_id IN ({agencies}) AND is_open = 1 AND +received_at < $2"),
        format!("FROM dossiers WHERE agency_id IN ({agencies}) AND closed_at >= $1 AND +received_at < $2"),
    ]
}

/// Early, on time or late as decided at return; for a returned dossier that came
/// without it, decided as the domain decides it (local days, UTC+7 all year).
pub(crate) const TIMELINESS: &str = "(CASE WHEN timeliness IS NOT NULL THEN timeliness \
     WHEN due_at IS NULL THEN 'on_time' \
     WHEN closed_at > due_at THEN 'late' \
     WHEN (closed_at + 25200000) / 86400000 < (due_at + 25200000) / 86400000 THEN 'early' \
     ELSE 'on_time' END)";

/// Channels the form counts as online (`Channel::counts_as_online`).
const ONLINE: &str = "('online', 'assisted')";

/// The condition a seen dossier meets to count in `f`.
fn condition(f: Figure) -> String {
    let resolved = "(closed_at < $2 AND status = 'returned')";
    let pending = "(closed_at IS NULL OR closed_at >= $2)";
    match f {
        Figure::ReceivedTotal => "1 = 1".into(),
        Figure::ReceivedOnline => format!("(received_at >= $1 AND channel IN {ONLINE})"),
        Figure::ReceivedDirectOrPost => {
            format!("(received_at >= $1 AND channel NOT IN {ONLINE})")
        }
        Figure::CarriedOver => "(received_at < $1)".into(),
        Figure::ResolvedTotal => resolved.into(),
        Figure::ResolvedEarly => format!("({resolved} AND {TIMELINESS} = 'early')"),
        Figure::ResolvedOnTime => format!("({resolved} AND {TIMELINESS} = 'on_time')"),
        Figure::ResolvedLate => format!("({resolved} AND {TIMELINESS} = 'late')"),
        Figure::PendingTotal => pending.into(),
        Figure::PendingInTime => format!("({pending} AND (due_at IS NULL OR due_at >= $2))"),
        Figure::PendingOverdue => format!("({pending} AND due_at < $2)"),
        Figure::WithdrawnOrRefused => "(closed_at < $2 AND status <> 'returned')".into(),
    }
}

/// Binds `$1` (start), `$2` (end) and the agencies, in the order `seen` numbers them.
macro_rules! bind_scope {
    ($q:expr, $scope:expr) => {{
        let mut q = $q.bind($scope.start).bind($scope.end);
        for id in $scope.agency_ids {
            q = q.bind(id.as_str());
        }
        q
    }};
}
pub(crate) use bind_scope;

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Sector,
    Agency,
}

impl GroupBy {
    fn column(self) -> &'static str {
        match self {
            GroupBy::Sector => "sector",
            GroupBy::Agency => "agency_id",
        }
    }
}

/// The figures per sector (or per agency), keyed by its code (or id) in key
/// order; groups with no dossier are absent.
///
/// The two halves of what the period sees are counted apart and added here:
/// grouped by agency, the closed half is then read in the order of its covering
/// index (`dossiers_closed`) with no sort, where the union of both halves made
/// SQLite sort every row of the period first (a province-year: 1.5 million rows,
/// more than half the time).
pub async fn ii06a(
    conn: &mut Conn,
    scope: &Scope<'_>,
    group: GroupBy,
) -> Result<Vec<(String, Counts)>> {
    let sums: Vec<String> = Figure::ALL
        .iter()
        .map(|&f| {
            format!(
                "SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS {}",
                condition(f),
                f.as_str()
            )
        })
        .collect();
    let key = group.column();
    let mut out: std::collections::BTreeMap<String, Counts> = std::collections::BTreeMap::new();
    for part in seen_parts(scope) {
        let sql = format!(
            "SELECT {key} AS key, {} {part} GROUP BY {key}",
            sums.join(", ")
        );
        let rows = bind_scope!(sqlx::query(&sql), scope)
            .fetch_all(&mut *conn)
            .await?;
        for row in &rows {
            let mut counts = Counts::default();
            for f in Figure::ALL {
                let n: i64 = row.try_get(f.as_str())?;
                counts.set(f, u64::try_from(n).unwrap_or(0));
            }
            out.entry(row.try_get("key")?).or_default().add(&counts);
        }
    }
    Ok(out.into_iter().collect())
}

/// One dossier of a drill-down list.
#[derive(Debug, Clone, FromRow)]
pub struct CountedRow {
    pub code: String,
    pub agency_id: String,
    pub sector: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub channel: String,
    pub status: String,
    pub received_at: Option<i64>,
    pub due_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub timeliness: Option<String>,
}

/// The dossiers a figure counts, oldest receipt first; `within` narrows to one
/// sector (or one agency), as a row of the report does.
pub async fn ii06a_dossiers(
    conn: &mut Conn,
    scope: &Scope<'_>,
    figure: Figure,
    within: Option<(GroupBy, &str)>,
    limit: i64,
    offset: i64,
) -> Result<Vec<CountedRow>> {
    let columns = "code, agency_id, sector, procedure_term, applicant_name, channel, status, \
                   received_at, due_at, closed_at, timeliness";
    let mut next = scope.agency_ids.len() + 3;
    let mut sql = format!(
        "SELECT {} FROM ({}) seen WHERE {}",
        naming_procedure(columns),
        seen_sql(scope, columns),
        condition(figure)
    );
    if let Some((group, _)) = within {
        sql.push_str(&format!(" AND {} = ${next}", group.column()));
        next += 1;
    }
    sql.push_str(&format!(
        " ORDER BY received_at, code LIMIT ${next} OFFSET ${}",
        next + 1
    ));
    let mut q = bind_scope!(sqlx::query_as::<_, CountedRow>(&sql), scope);
    if let Some((_, value)) = within {
        q = q.bind(value);
    }
    q.bind(limit).bind(offset).fetch_all(conn).await
}

/// One dossier of the tracking book (mẫu số 07).
#[derive(Debug, Clone, FromRow)]
pub struct BookDossier {
    pub code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    /// The intake's details (the applicant's address, the handover), read from
    /// the dossier's events.
    #[sqlx(skip)]
    pub details: Option<Details>,
    pub id: String,
    pub channel: String,
    pub status: String,
    pub received_at: Option<i64>,
    pub due_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub timeliness: Option<String>,
    pub assignee_name: Option<String>,
}

/// The dossiers an agency received in `[start, end)`, in the order received, at
/// most `limit` (read through the `dossiers_received` index).
pub async fn tracking_book(
    conn: &mut Conn,
    agency_id: &str,
    start: i64,
    end: i64,
    limit: i64,
) -> Result<Vec<BookDossier>> {
    let rows = sqlx::query_as::<_, BookDossier>(concat!(
        "SELECT d.id, d.code, ",
        procedure_name!(),
        ", d.applicant_name, d.channel, d.status, \
         d.received_at, d.due_at, d.returned_at, \
         d.closed_at, \
         d.timeliness, u.full_name AS assignee_name \
         FROM dossiers d LEFT JOIN users u ON u.id = d.assignee_id \
         WHERE d.agency_id = $1 AND d.received_at >= $2 AND d.received_at < $3 \
         ORDER BY d.received_at, d.code LIMIT $4"
    ))
    .bind(agency_id)
    .bind(start)
    .bind(end)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    // The book's address and handover columns come from the intake, which lives in
    // the events since migration 0016: one read of each dossier's events.
    let mut rows = rows;
    for r in &mut rows {
        r.details = Some(crate::dossiers::details(conn, &r.id).await?);
    }
    Ok(rows)
}
