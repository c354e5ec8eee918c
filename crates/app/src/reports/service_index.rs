//! The QĐ 766 service index of an agency (or its subtree) for a period, from the
//! system's own data, with the dossiers behind each figure and those that cost
//! the most points; and its weights, edited by a top-level administrator.

use jiff::civil::Date;
use jiff::Timestamp;
use motcua_domain::report::index766::{
    self as index, parse_points, GroupScore, Measures, Ratio, Weight, Weights,
};
use motcua_store::reports::Scope;
use motcua_store::service_index::{self as store, Costs, Part};
use motcua_store::to_millis;
use serde::{Deserialize, Serialize};

use super::ii06a::{counted, Resolved};
use super::{on_halves, CountedDossier, Ii06aQuery, ReportScope, Reports, MAX_PAGE};
use crate::error::{Error, Result};
use crate::{Actor, Principal};

/// The index's query, as the page's form and the API send it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ServiceIndexQuery {
    /// Agency identifier code; the person's own when absent.
    pub agency: Option<String>,
    /// First day of the period, YYYY-MM-DD (or dd/mm/yyyy).
    #[cfg_attr(feature = "openapi", param(required = true))]
    pub from: Option<String>,
    /// Last day of the period, inclusive.
    #[cfg_attr(feature = "openapi", param(required = true))]
    pub to: Option<String>,
    /// `self` (default): the agency's own dossiers; `subtree`: with every unit below.
    pub scope: Option<String>,
}

/// Whether an indicator counts dossiers, and so has lists behind its figures.
pub fn lists_dossiers(key: &str) -> bool {
    store::DOSSIER_INDICATORS.contains(&key)
}

impl ServiceIndexQuery {
    fn report(&self) -> Ii06aQuery {
        Ii06aQuery {
            agency: self.agency.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            scope: self.scope.clone(),
            by: None,
        }
    }
}

/// A dossier that lost points, and why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostlyDossier {
    pub code: String,
    pub agency_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    pub supplements: i64,
    /// Late, or more than one supplement request (`late`, `supplements`,
    /// `no_electronic_result`, `not_digitised`).
    pub reasons: Vec<String>,
    /// The points the dossier costs the unit (an estimate: its share of each
    /// indicator it fails).
    pub points_lost: f64,
}

/// The index of a unit for a period.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceIndex {
    pub agency_code: String,
    pub agency_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    pub scope: ReportScope,
    /// Out of `max_total` (100).
    pub total: f64,
    pub max_total: f64,
    /// Points of the indicators the system cannot compute yet (counted as 0).
    pub not_computed_points: f64,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub groups: Vec<GroupScore>,
    /// The dossiers that cost the most points, costliest first.
    pub costly: Vec<CostlyDossier>,
}

/// Dossiers listed as costing the most points.
const COSTLY_ROWS: i64 = 20;

fn scope_of(r: &Resolved) -> (Vec<String>, i64, i64) {
    (
        r.units.iter().map(|a| a.id.clone()).collect(),
        to_millis(r.period.start()),
        to_millis(r.period.end()),
    )
}

/// Points per dossier of a fraction: what one dossier moving out of the numerator
/// costs (the indicator's points ÷ its threshold ÷ its denominator).
fn per_dossier(w: &Weights, key: &str, r: Ratio) -> f64 {
    let Some(weight) = w.0.get(key) else {
        return 0.0;
    };
    if r.denominator == 0 {
        return 0.0;
    }
    weight.points as f64
        / 100.0
        / (weight.threshold.clamp(1, 100) as f64 / 100.0)
        / r.denominator as f64
}

impl Reports<'_> {
    /// The weights in force (stored over the reference values).
    pub async fn service_index_weights(&self) -> Result<Weights> {
        let mut conn = self.db.read_replica().await?;
        Ok(Weights::with_stored(store::weights(&mut conn).await?))
    }

    /// The index of an agency (and, with `scope=subtree`, every unit below) over a
    /// period of whole days.
    pub async fn service_index(
        &self,
        actor: &Actor,
        q: &ServiceIndexQuery,
    ) -> Result<ServiceIndex> {
        let r = self.resolve(actor, &q.report()).await?;
        let (ids, start, end) = scope_of(&r);
        let scope = Scope {
            agency_ids: &ids,
            start,
            end,
        };
        let weights = self.service_index_weights().await?;
        let mut counted: Vec<(u64, u64)> = Vec::new();
        for part in on_halves(&ids, |units| self.dossier_measures(units, start, end)).await? {
            counted.resize(part.len(), (0, 0));
            for (sum, (n, d)) in counted.iter_mut().zip(part) {
                *sum = (sum.0 + n, sum.1 + d);
            }
        }
        let ratio = |key: &str| {
            store::DOSSIER_INDICATORS
                .iter()
                .position(|k| *k == key)
                .and_then(|i| counted.get(i))
                .map(|&(n, d)| Ratio::new(n, d))
                .unwrap_or_default()
        };
        // A connection is held only between the halves, which take one each.
        let ((online, procedures), (electronic, copies)) = {
            let mut conn = self.db.read_replica().await?;
            (
                store::online_procedures(&mut conn, &ids).await?,
                store::certified_copies(&mut conn, &scope).await?,
            )
        };
        let measures = Measures {
            progress: ratio("progress.on_time"),
            online_eligible: ratio("online.eligible"),
            online_procedures: Ratio::new(online, procedures),
            online_share: ratio("online.share"),
            electronic_results: ratio("digitisation.results"),
            digitised_documents: ratio("digitisation.documents"),
            certified_copies: Ratio::new(electronic, copies),
            satisfied: ratio("satisfaction.procedures"),
        };
        // A subtree counts as a commune's only when it is one commune.
        let is_commune = r.agency.level == "commune";
        let score = index::score(&weights, &measures, is_commune);
        let costs = Costs {
            late: per_dossier(&weights, "progress.on_time", measures.progress)
                + per_dossier(&weights, "satisfaction.procedures", measures.satisfied),
            no_result: per_dossier(
                &weights,
                "digitisation.results",
                measures.electronic_results,
            ),
            not_digitised: per_dossier(
                &weights,
                "digitisation.documents",
                measures.digitised_documents,
            ),
        };
        let received = on_halves(&ids, |units| {
            self.costliest_receipts(units, start, end, costs)
        })
        .await?;
        let mut conn = self.db.read_replica().await?;
        let costly = store::costly(&mut conn, &scope, costs, &received.concat(), COSTLY_ROWS)
            .await?
            .into_iter()
            .map(|d| {
                let mut reasons = Vec::new();
                if d.late {
                    reasons.push(
                        if d.supplements > 1 {
                            "supplements"
                        } else {
                            "late"
                        }
                        .to_owned(),
                    );
                }
                if d.no_result {
                    reasons.push("no_electronic_result".to_owned());
                }
                if d.not_digitised && !d.no_result {
                    reasons.push("not_digitised".to_owned());
                }
                CostlyDossier {
                    agency_code: r
                        .units
                        .iter()
                        .find(|a| a.id == d.agency_id)
                        .map(|a| a.code.clone())
                        .unwrap_or_default(),
                    code: d.code,
                    procedure_name: d.procedure_name,
                    applicant_name: d.applicant_name,
                    status: d.status,
                    received_at: d.received_at,
                    due_at: d.due_at,
                    closed_at: d.closed_at,
                    supplements: d.supplements,
                    reasons,
                    points_lost: (d.cost * 10_000.0).round() / 10_000.0,
                }
            })
            .collect();
        Ok(ServiceIndex {
            agency_code: r.agency.code.clone(),
            agency_name: r.agency.name.clone(),
            from: r.period.from,
            to: r.period.to,
            scope: r.scope,
            total: score.total,
            max_total: score.max_total,
            not_computed_points: score.not_computed_points,
            groups: score.groups,
            costly,
        })
    }

    async fn dossier_measures(
        &self,
        agency_ids: &[String],
        start: i64,
        end: i64,
    ) -> Result<Vec<(u64, u64)>> {
        let scope = Scope {
            agency_ids,
            start,
            end,
        };
        let mut conn = self.db.read_replica().await?;
        Ok(store::dossier_measures(&mut conn, &scope).await?)
    }

    async fn costliest_receipts(
        &self,
        agency_ids: &[String],
        start: i64,
        end: i64,
        costs: Costs,
    ) -> Result<Vec<i64>> {
        let scope = Scope {
            agency_ids,
            start,
            end,
        };
        let mut conn = self.db.read_replica().await?;
        Ok(store::costliest_receipts(&mut conn, &scope, costs, COSTLY_ROWS).await?)
    }

    /// The dossiers an indicator counts in its numerator (`part` = `numerator`)
    /// or denominator: as many in all as the figure.
    pub async fn service_index_dossiers(
        &self,
        actor: &Actor,
        q: &ServiceIndexQuery,
        indicator: &str,
        part: &str,
        page: (i64, i64),
    ) -> Result<Vec<CountedDossier>> {
        let part = match part.trim() {
            "numerator" | "tu-so" => Part::Numerator,
            "denominator" | "mau-so" => Part::Denominator,
            other => {
                return Err(Error::field(
                    "part",
                    format!("«{other}» không phải là tử số (numerator) hay mẫu số (denominator)."),
                ))
            }
        };
        let (limit, offset) = page;
        if !(1..=MAX_PAGE).contains(&limit) || offset < 0 {
            return Err(Error::field(
                "limit",
                format!("Mỗi trang từ 1 đến {MAX_PAGE} hồ sơ."),
            ));
        }
        let indicator = indicator.trim();
        if store::condition(indicator, part).is_none() {
            return Err(Error::field(
                "indicator",
                format!("Chỉ số «{indicator}» không đếm theo hồ sơ hoặc không có."),
            ));
        }
        let r = self.resolve(actor, &q.report()).await?;
        let (ids, start, end) = scope_of(&r);
        let scope = Scope {
            agency_ids: &ids,
            start,
            end,
        };
        let mut conn = self.db.read_replica().await?;
        let rows = store::dossiers(&mut conn, &scope, indicator, part, limit, offset)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(|d| counted(&r.units, d)).collect())
    }

    /// Replaces the weights: `values` holds, per key, the points as typed
    /// ("12,5"), the threshold in percent and the source. Only a top-level
    /// administrator may; every value is checked before any is written.
    pub async fn save_service_index_weights(
        &self,
        actor: &Actor,
        values: &[(String, String, String, String)],
    ) -> Result<()> {
        let by = Principal::from(actor);
        by.require_top()?;
        let current = self.service_index_weights().await?;
        let mut next = current.clone();
        let mut errors = motcua_domain::validation::Errors::new();
        for (key, points, threshold, source) in values {
            let Some(slot) = next.0.get_mut(key.as_str()) else {
                errors.push(key, "Không có chỉ số này.".to_string());
                continue;
            };
            let label = index::indicator(key)
                .map(|i| i.label_vi)
                .or_else(|| {
                    index::Group::ALL
                        .iter()
                        .find(|g| g.key() == key)
                        .map(|g| g.label_vi())
                })
                .unwrap_or_default();
            match parse_points(points) {
                Some(p) => slot.points = p,
                None => errors.push(
                    key,
                    format!(
                        "«{label}»: số điểm «{}» không hợp lệ (ví dụ 12,5).",
                        points.trim()
                    ),
                ),
            }
            match threshold.trim().trim_end_matches('%').trim().parse::<i64>() {
                Ok(t) => slot.threshold = t,
                Err(_) => errors.push(
                    key,
                    format!(
                        "«{label}»: ngưỡng «{}» phải là số nguyên phần trăm.",
                        threshold.trim()
                    ),
                ),
            }
            let source = motcua_domain::text::clean(source);
            if source.chars().count() > 300 {
                errors.push(key, format!("«{label}»: nguồn dài quá 300 ký tự."));
            }
            if source != slot.source {
                // A value whose source was changed by hand is the administrator's
                // decision, not the reference's.
                slot.source = source;
            }
        }
        if let Err(found) = next.validate() {
            for e in found {
                errors.push(&e.field, e.message);
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let changed: Vec<Weight> = next
            .0
            .values()
            .filter(|w| current.0.get(&w.key) != Some(*w))
            .cloned()
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write_as(actor).await?;
        store::save_weights(&mut tx, &changed, self.now_ms(), by.audit_name()).await?;
        self.record_audit(
            &mut tx,
            &by,
            Some(&actor.agency.id),
            "service_index.set_weights",
            "service_index",
            serde_json::json!({ "changed": changed }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
