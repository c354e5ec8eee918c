//! The dashboard page: the rates a chairman looks at every morning, the trend by
//! month as a chart with its numbers beside it, the dossiers that need action, the
//! officers' workload, the time per procedure and, for a subtree, the units ranked.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::reports::{Dashboard, ReportAgency};
use motcua_domain::rating::Verdict;
use motcua_domain::report::Figure;

use super::ii06a::ReportForm;
use super::query_string;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::{datetime_vn, FormErrors};
use crate::session::SignedIn;
use crate::AppState;

const HERE: &str = "/bang-dieu-khien";

/// A share as Vietnamese writes it: `99,2%`; a dash when there is nothing to share.
fn percent(share: Option<f64>) -> String {
    share.map_or_else(
        || "—".to_owned(),
        |s| format!("{:.1}%", s * 100.0).replace('.', ","),
    )
}

fn count(n: i64) -> String {
    motcua_docs::format::count(n.max(0).unsigned_abs())
}

pub struct Tile {
    pub label: &'static str,
    pub value: String,
    pub detail: String,
    pub href: Option<String>,
}

pub struct MonthRow {
    pub label: String,
    pub received: String,
    pub online: String,
    pub resolved: String,
    pub in_time: String,
}

pub struct DueRow {
    pub code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub due: String,
    pub assignee: String,
}

pub struct ProcedureRow {
    pub name: String,
    pub resolved: String,
    pub mean_days: String,
    pub share_of_limit: String,
}

pub struct ComplaintRow {
    pub code: String,
    pub procedure_name: String,
    pub at: String,
    pub detail: String,
    pub comment: String,
}

pub struct UnitRow {
    pub place: usize,
    pub name: String,
    pub href: String,
    pub on_time: String,
    pub overdue: String,
    pub online: String,
}

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    form: ReportForm,
    agencies: Vec<ReportAgency>,
    errors: FormErrors,
    what: &'static str,
    heading: String,
    period: String,
    lag: Option<u64>,
    /// "09:15:02 01/12/2026": when the figures were computed.
    computed_at: String,
    tiles: Vec<Tile>,
    trend_svg: String,
    months: Vec<MonthRow>,
    overdue: Vec<DueRow>,
    overdue_more: i64,
    due_soon: Vec<DueRow>,
    due_soon_more: i64,
    workload_svg: String,
    workload: Vec<(String, String, String)>,
    procedures: Vec<ProcedureRow>,
    units: Vec<UnitRow>,
    report_link: String,
    /// (verdict, count) of the citizens' ratings of the period.
    ratings: Vec<(&'static str, String)>,
    ratings_total: i64,
    poor_attitude: String,
    complaints: Vec<ComplaintRow>,
}

fn due_rows(list: &[motcua_app::reports::DueDossier]) -> Vec<DueRow> {
    list.iter()
        .map(|d| DueRow {
            code: d.code.clone(),
            procedure_name: d.procedure_name.clone(),
            applicant_name: d.applicant_name.clone(),
            due: datetime_vn(d.due_at),
            assignee: d
                .assignee_name
                .clone()
                .unwrap_or_else(|| "Chưa phân công".into()),
        })
        .collect()
}

/// The page's figures, each linked to the II.06a list of the dossiers it counts.
fn tiles(d: &Dashboard, report_link: &str) -> Vec<Tile> {
    let t = &d.report.total;
    let figure = |f: Figure| {
        Some(format!(
            "/bao-cao/ho-so?{report_link}&figure={}",
            f.as_str()
        ))
    };
    let new = t.received_online + t.received_direct_or_post;
    let (post, home) = d
        .months
        .iter()
        .fold((0, 0), |(p, h), m| (p + m.post, h + m.home));
    vec![
        Tile {
            label: "Trả trước hạn và đúng hạn",
            value: percent(d.rates.on_time_rate),
            detail: format!(
                "{} / {} hồ sơ đã giải quyết",
                count((t.resolved_early + t.resolved_on_time) as i64),
                count(t.resolved_total as i64)
            ),
            href: figure(Figure::ResolvedTotal),
        },
        Tile {
            label: "Trả trước hạn",
            value: percent(d.rates.early_rate),
            detail: format!("{} hồ sơ", count(t.resolved_early as i64)),
            href: figure(Figure::ResolvedEarly),
        },
        Tile {
            label: "Nộp trực tuyến",
            value: percent(d.rates.online_share),
            detail: format!(
                "{} / {} hồ sơ mới tiếp nhận",
                count(t.received_online as i64),
                count(new as i64)
            ),
            href: figure(Figure::ReceivedOnline),
        },
        Tile {
            label: "Qua dịch vụ bưu chính",
            value: count(post),
            detail: "hồ sơ tiếp nhận trong kỳ".into(),
            href: None,
        },
        Tile {
            label: "Tiếp nhận tại nhà",
            value: count(home),
            detail: "hồ sơ tiếp nhận trong kỳ".into(),
            href: None,
        },
        Tile {
            label: "Kết quả được ký số",
            value: percent(
                (d.results_total > 0).then(|| d.signed_results as f64 / d.results_total as f64),
            ),
            detail: format!(
                "{} / {} kết quả của hồ sơ đã trả",
                count(d.signed_results),
                count(d.results_total)
            ),
            href: None,
        },
        Tile {
            label: "Người dân hài lòng",
            value: percent(d.ratings.satisfied_share()),
            detail: format!(
                "{} / {} lượt đánh giá hài lòng trở lên",
                count(d.ratings.very_satisfied + d.ratings.satisfied),
                count(d.ratings.total())
            ),
            href: Some("#danh-gia".into()),
        },
        Tile {
            label: "Quá hạn cuối kỳ",
            value: count(t.pending_overdue as i64),
            detail: format!(
                "trong {} hồ sơ đang giải quyết",
                count(t.pending_total as i64)
            ),
            href: figure(Figure::PendingOverdue),
        },
    ]
}

pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Query(form): Query<ReportForm>,
) -> Result<Response, PageError> {
    let err = |error| PageError {
        error,
        chrome: Box::new(Chrome::for_user(&s, HERE)),
    };
    let reports = state.app.reports();
    let agencies = reports.agencies(&s.actor).await.map_err(err)?;
    let today = state.app.today();
    // A dashboard opened without a period shows this year so far.
    let form = form.with_period_default(today, 2);
    let mut page = DashboardPage {
        chrome: Chrome::for_user(&s, HERE),
        agencies,
        errors: FormErrors::default(),
        what: "xem bảng điều khiển",
        heading: "Bảng điều khiển".into(),
        period: String::new(),
        lag: None,
        computed_at: String::new(),
        tiles: Vec::new(),
        trend_svg: String::new(),
        months: Vec::new(),
        overdue: Vec::new(),
        overdue_more: 0,
        due_soon: Vec::new(),
        due_soon_more: 0,
        workload_svg: String::new(),
        workload: Vec::new(),
        procedures: Vec::new(),
        units: Vec::new(),
        report_link: String::new(),
        ratings: Vec::new(),
        ratings_total: 0,
        poor_attitude: String::new(),
        complaints: Vec::new(),
        form,
    };
    let status = match reports.dashboard(&s.actor, &page.form.query()).await {
        Ok(d) => {
            let report_link = query_string(&[
                ("agency", d.report.agency_code.as_str()),
                ("from", &d.report.from.to_string()),
                ("to", &d.report.to.to_string()),
                ("scope", d.report.scope.as_str()),
                ("by", d.report.by.as_str()),
            ]);
            page.tiles = tiles(&d, &report_link);
            page.heading = d.report.agency_name.clone();
            page.period = d.report.period().label_vi();
            page.lag = d.replica_lag_seconds;
            page.computed_at = d
                .computed_at
                .to_zoned(motcua_domain::calendar::vietnam_time_zone())
                .strftime("%H:%M:%S %d/%m/%Y")
                .to_string();
            let labels: Vec<String> = d.months.iter().map(|m| m.label.clone()).collect();
            let values: Vec<Vec<i64>> = d
                .months
                .iter()
                .map(|m| vec![m.received, m.resolved])
                .collect();
            page.trend_svg = motcua_docs::charts::columns(
                "Hồ sơ tiếp nhận và đã giải quyết theo tháng",
                &["Tiếp nhận", "Đã giải quyết"],
                &labels,
                &values,
            );
            page.months = d
                .months
                .iter()
                .map(|m| MonthRow {
                    label: m.label.clone(),
                    received: count(m.received),
                    online: count(m.online),
                    resolved: count(m.resolved),
                    in_time: count(m.resolved_in_time),
                })
                .collect();
            page.ratings = Verdict::ALL
                .iter()
                .map(|v| {
                    let n = match v {
                        Verdict::VerySatisfied => d.ratings.very_satisfied,
                        Verdict::Satisfied => d.ratings.satisfied,
                        Verdict::Dissatisfied => d.ratings.dissatisfied,
                    };
                    (v.label_vi(), count(n))
                })
                .collect();
            page.ratings_total = d.ratings.total();
            page.poor_attitude = count(d.ratings.poor_attitude);
            page.complaints = d
                .complaints
                .iter()
                .map(|c| ComplaintRow {
                    code: c.code.clone(),
                    procedure_name: c.procedure_name.clone(),
                    at: datetime_vn(c.rated_at),
                    detail: [
                        c.poor_attitude
                            .then(|| "thái độ cán bộ chưa tốt".to_owned()),
                        (c.return_visits > 0)
                            .then(|| format!("phải đi lại {} lần", c.return_visits)),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("; "),
                    comment: c.comment.clone().unwrap_or_default(),
                })
                .collect();
            page.overdue = due_rows(&d.overdue);
            page.overdue_more = d.overdue_total - d.overdue.len() as i64;
            page.due_soon = due_rows(&d.due_soon);
            page.due_soon_more = d.due_soon_total - d.due_soon.len() as i64;
            page.workload_svg = motcua_docs::charts::bars(
                "Hồ sơ đang xử lý của từng cán bộ",
                &d.workload
                    .iter()
                    .map(|w| (w.full_name.clone(), w.open))
                    .collect::<Vec<_>>(),
            );
            page.workload = d
                .workload
                .iter()
                .map(|w| (w.full_name.clone(), count(w.open), count(w.overdue)))
                .collect();
            page.procedures = d
                .procedures
                .iter()
                .map(|p| ProcedureRow {
                    name: p.procedure_name.clone(),
                    resolved: count(p.resolved),
                    mean_days: p
                        .mean_days
                        .map(|x| format!("{x:.1}").replace('.', ","))
                        .unwrap_or_else(|| "—".into()),
                    share_of_limit: percent(p.mean_share_of_limit),
                })
                .collect();
            page.units = d
                .units
                .iter()
                .map(|u| UnitRow {
                    place: u.place,
                    name: u.agency_name.clone(),
                    href: format!(
                        "{HERE}?{}",
                        query_string(&[
                            ("agency", u.agency_code.as_str()),
                            ("from", &d.report.from.to_string()),
                            ("to", &d.report.to.to_string()),
                            ("scope", "subtree"),
                        ])
                    ),
                    on_time: percent(u.on_time_rate),
                    overdue: count(u.overdue as i64),
                    online: percent(u.online_share),
                })
                .collect();
            page.report_link = report_link;
            StatusCode::OK
        }
        Err(e) => {
            let (status, errors) = super::ii06a::page_message(e).map_err(err)?;
            page.errors = errors;
            status
        }
    };
    Ok(render(status, &page))
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn shares_are_written_the_vietnamese_way() {
        assert_eq!(percent(Some(0.99184)), "99,2%");
        assert_eq!(percent(Some(1.0)), "100,0%");
        assert_eq!(percent(None), "—");
    }
}
