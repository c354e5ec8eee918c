//! The dashboard of an agency or a supervisor's subtree, and the ranking of the
//! units below: the II.06a figures turned into rates, the monthly trend, the lists
//! that need action today, the officers' workload and the time per procedure.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use motcua_domain::rating::Tally;
use motcua_domain::report::{rank, Counts, RankBy, Rates};
use motcua_store::dashboard as store;
use motcua_store::{from_millis, to_millis};
use serde::Serialize;

use super::ii06a::Resolved;
use super::{Grouping, Ii06a, Ii06aQuery, Reports, DASHBOARD_TTL};
use crate::error::{Error, Result};
use crate::Actor;

/// A dossier is "due soon" when its due instant falls within this much from now.
const DUE_SOON: SignedDuration = SignedDuration::from_hours(72);
/// Rows of each list on the dashboard.
const LIST_ROWS: i64 = 20;
/// A replica further behind than this is named on the page.
const LAG_SHOWN_FROM: std::time::Duration = std::time::Duration::from_secs(5);

/// One unit of a supervisor's ranking.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankedUnit {
    /// 1 for the best; units equal on every criterion share their place.
    pub place: usize,
    pub agency_code: String,
    pub agency_name: String,
    /// Resolved early or on time / resolved (absent when none was resolved).
    pub on_time_rate: Option<f64>,
    pub early_rate: Option<f64>,
    /// Received online / received in the period (absent when none was received).
    pub online_share: Option<f64>,
    /// Pending past their due instant at the end of the period.
    pub overdue: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub counts: Counts,
}

/// The units directly below an agency, ranked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRanking {
    pub agency_code: String,
    pub agency_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    /// `on_time`, `overdue` or `online`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub by: RankBy,
    pub items: Vec<RankedUnit>,
}

/// One month of the trend.
#[derive(Debug, Clone, Serialize)]
pub struct MonthFigures {
    /// `mm/yyyy`.
    pub label: String,
    pub from: Date,
    pub to: Date,
    pub received: i64,
    pub online: i64,
    pub post: i64,
    pub home: i64,
    pub resolved: i64,
    pub resolved_in_time: i64,
}

/// An open dossier on the overdue or due-soon list.
#[derive(Debug, Clone, Serialize)]
pub struct DueDossier {
    pub code: String,
    pub agency_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub status: String,
    pub due_at: Timestamp,
    pub assignee_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OfficerLoad {
    pub full_name: String,
    pub open: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcedureTime {
    pub procedure_code: String,
    pub procedure_name: String,
    pub resolved: i64,
    pub mean_days: Option<f64>,
    pub mean_share_of_limit: Option<f64>,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// II.06a by sector for one agency, by unit below for a subtree.
    pub report: Ii06a,
    pub rates: Rates,
    pub months: Vec<MonthFigures>,
    pub overdue: Vec<DueDossier>,
    pub overdue_total: i64,
    pub due_soon: Vec<DueDossier>,
    pub due_soon_total: i64,
    pub workload: Vec<OfficerLoad>,
    pub procedures: Vec<ProcedureTime>,
    /// The results of the dossiers returned in the period, and how many of them
    /// were signed digitally.
    pub results_total: i64,
    pub signed_results: i64,
    /// For a subtree: the units directly below, ranked by on-time rate.
    pub units: Vec<RankedUnit>,
    /// The citizens' ratings given in the period.
    pub ratings: Tally,
    /// The latest "not satisfied" ratings of the period.
    pub complaints: Vec<Complaint>,
    /// Seconds the read replica is behind, when that is more than a few.
    pub replica_lag_seconds: Option<u64>,
    /// When these figures were computed: a dashboard is served to everyone who
    /// asks for the same units and period within `DASHBOARD_TTL`, unless a
    /// dossier of one of them changes meanwhile.
    pub computed_at: Timestamp,
}

/// A "not satisfied" rating, for the leader to follow up.
#[derive(Debug, Clone, Serialize)]
pub struct Complaint {
    pub code: String,
    pub procedure_name: String,
    pub rated_at: Timestamp,
    pub poor_attitude: bool,
    pub return_visits: i64,
    pub comment: Option<String>,
}

fn ranked(report: &Ii06a, by: RankBy) -> Vec<RankedUnit> {
    let counts: Vec<Counts> = report.rows.iter().map(|r| r.counts).collect();
    rank(&counts, by)
        .into_iter()
        .map(|(i, place)| {
            let row = &report.rows[i];
            let rates = Rates::of(&row.counts);
            RankedUnit {
                place,
                agency_code: row.agency_code.clone().unwrap_or_default(),
                agency_name: row.agency_name.clone().unwrap_or_default(),
                on_time_rate: rates.on_time_rate,
                early_rate: rates.early_rate,
                online_share: rates.online_share,
                overdue: rates.overdue,
                counts: row.counts,
            }
        })
        .collect()
}

impl Reports<'_> {
    /// Seconds the read replica that reports read is behind the primary, when
    /// that is more than a few: the pages say so rather than show old figures as
    /// current.
    pub async fn replica_lag_shown(&self) -> Result<Option<u64>> {
        Ok(self
            .db
            .replica_lag()
            .await?
            .filter(|l| *l > LAG_SHOWN_FROM)
            .map(|l| l.as_secs()))
    }

    /// The units directly below the agency (its own dossiers as a row of their
    /// own when it has any), ranked by `by` (`on_time` when absent).
    pub async fn units(
        &self,
        actor: &Actor,
        q: &Ii06aQuery,
        by: Option<&str>,
    ) -> Result<UnitRanking> {
        let by = match by.map(str::trim).filter(|s| !s.is_empty()) {
            None => RankBy::OnTime,
            Some(s) => RankBy::parse(s).ok_or_else(|| {
                Error::field(
                    "sort",
                    format!(
                        "«{s}» không phải là tiêu chí xếp hạng (on_time, overdue hoặc online)."
                    ),
                )
            })?,
        };
        let q = Ii06aQuery {
            scope: Some("subtree".into()),
            by: Some(Grouping::Child.as_str().into()),
            ..q.clone()
        };
        let report = self.ii06a(actor, &q).await?;
        Ok(UnitRanking {
            items: ranked(&report, by),
            agency_code: report.agency_code,
            agency_name: report.agency_name,
            from: report.from,
            to: report.to,
            by,
        })
    }

    /// The dashboard of an agency, or with `scope=subtree` of it and every unit
    /// below it the person may read.
    pub async fn dashboard(&self, actor: &Actor, q: &Ii06aQuery) -> Result<Dashboard> {
        let subtree = q.scope.as_deref().map(str::trim) == Some("subtree");
        let by = if subtree {
            Grouping::Child
        } else {
            Grouping::Sector
        };
        let q = Ii06aQuery {
            by: Some(by.as_str().into()),
            ..q.clone()
        };
        let r = self.resolve(actor, &q).await?;
        let ids: Vec<String> = r.units.iter().map(|a| a.id.clone()).collect();
        // Who asks only decides which units are counted: the same units and
        // period make the same dashboard for everyone.
        let key = format!(
            "{}|{}|{}|{}|{}",
            r.agency.id,
            r.period.from,
            r.period.to,
            by.as_str(),
            ids.join(",")
        );
        let d = self
            .dashboards
            .get_or_compute(key, &ids, DASHBOARD_TTL, || {
                self.compute_dashboard(r, subtree)
            })
            .await?;
        Ok((*d).clone())
    }

    async fn compute_dashboard(&self, r: Resolved, subtree: bool) -> Result<Dashboard> {
        let report = self.ii06a_of(&r).await?;
        let ids: Vec<String> = r.units.iter().map(|a| a.id.clone()).collect();
        let code_of = |id: &str| {
            r.units
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.code.clone())
                .unwrap_or_default()
        };
        let months = r.period.months();
        let mut bounds: Vec<i64> = months.iter().map(|m| to_millis(m.start())).collect();
        bounds.push(to_millis(r.period.end()));
        let now = self.now();
        let soon = now.checked_add(DUE_SOON).unwrap_or(now);
        let due = |d: store::DueRow| DueDossier {
            agency_code: code_of(&d.agency_id),
            code: d.code,
            procedure_name: d.procedure_name,
            applicant_name: d.applicant_name,
            status: d.status,
            due_at: from_millis(d.due_at),
            assignee_name: d.assignee_name,
        };
        let (now_ms, soon_ms) = (to_millis(now), to_millis(soon));
        let mut conn = self.db.read_replica().await?;
        let figures = store::months(&mut conn, &ids, &bounds).await?;
        let overdue = store::due(&mut conn, &ids, i64::MIN, now_ms, LIST_ROWS).await?;
        let overdue_total = store::due_count(&mut conn, &ids, i64::MIN, now_ms).await?;
        let due_soon = store::due(&mut conn, &ids, now_ms, soon_ms, LIST_ROWS).await?;
        let due_soon_total = store::due_count(&mut conn, &ids, now_ms, soon_ms).await?;
        let workload = store::workload(&mut conn, &ids, now_ms, 50).await?;
        let (start_ms, end_ms) = (to_millis(r.period.start()), to_millis(r.period.end()));
        let procedures = store::procedure_times(&mut conn, &ids, start_ms, end_ms, 30).await?;
        let signing =
            motcua_store::result_signatures::signing_rate(&mut conn, &ids, start_ms, end_ms)
                .await?;
        let rated = store::rating_counts(&mut conn, &ids, start_ms, end_ms).await?;
        let complaints = store::complaints(&mut conn, &ids, start_ms, end_ms, LIST_ROWS).await?;
        drop(conn);
        let lag = self.replica_lag_shown().await?;
        Ok(Dashboard {
            rates: Rates::of(&report.total),
            units: if subtree {
                ranked(&report, RankBy::OnTime)
            } else {
                Vec::new()
            },
            months: months
                .iter()
                .zip(figures)
                .map(|(m, f)| MonthFigures {
                    label: m.from.strftime("%m/%Y").to_string(),
                    from: m.from,
                    to: m.to,
                    received: f.received,
                    online: f.online,
                    post: f.post,
                    home: f.home,
                    resolved: f.resolved,
                    resolved_in_time: f.resolved_in_time,
                })
                .collect(),
            overdue: overdue.into_iter().map(due).collect(),
            overdue_total,
            due_soon: due_soon.into_iter().map(due).collect(),
            due_soon_total,
            workload: workload
                .into_iter()
                .map(|w| OfficerLoad {
                    full_name: w.full_name,
                    open: w.open,
                    overdue: w.overdue,
                })
                .collect(),
            procedures: procedures
                .into_iter()
                .map(|p| ProcedureTime {
                    procedure_code: p.procedure_code,
                    procedure_name: p.procedure_name,
                    resolved: p.resolved,
                    mean_days: p.mean_days,
                    mean_share_of_limit: p.mean_share_of_limit,
                })
                .collect(),
            results_total: signing.results_total,
            signed_results: signing.signed_results,
            ratings: Tally {
                very_satisfied: rated.very_satisfied,
                satisfied: rated.satisfied,
                dissatisfied: rated.dissatisfied,
                poor_attitude: rated.poor_attitude,
            },
            complaints: complaints
                .into_iter()
                .map(|c| Complaint {
                    code: c.code,
                    procedure_name: c.procedure_name,
                    rated_at: from_millis(c.rated_at),
                    poor_attitude: c.attitude == 0,
                    return_visits: c.return_visits,
                    comment: c.comment,
                })
                .collect(),
            replica_lag_seconds: lag,
            computed_at: now,
            report,
        })
    }
}
