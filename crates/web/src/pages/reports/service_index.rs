//! The QĐ 766 service index on a page: the total out of 100, every group and
//! indicator with its numerator and denominator linked to their dossiers, the
//! dossiers that cost the most points; and the page where a top-level
//! administrator edits the weights.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use motcua_app::reports::{CountedDossier, ReportAgency, ServiceIndex, ServiceIndexQuery};
use motcua_app::Error;
use motcua_domain::report::index766::{self as index, show_points};
use motcua_domain::report::presets;
use serde::Deserialize;

use super::ii06a::{page_message, Preset, ReportForm};
use super::query_string;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::{datetime_vn, FormErrors};
use crate::session::SignedIn;
use crate::AppState;

const HERE: &str = "/chi-so-phuc-vu";
const ADMIN: &str = "/quan-tri/chi-so-phuc-vu";
const PAGE: i64 = 50;

fn query(form: &ReportForm) -> ServiceIndexQuery {
    ServiceIndexQuery {
        agency: form.agency.clone(),
        from: form.from.clone(),
        to: form.to.clone(),
        scope: form.scope.clone(),
    }
}

fn link(form: &ReportForm) -> String {
    query_string(&[
        ("agency", form.agency()),
        ("from", form.from()),
        ("to", form.to()),
        ("scope", form.scope()),
    ])
}

/// One indicator as the table shows it.
pub struct Line {
    pub label: &'static str,
    pub counts: &'static str,
    pub numerator: Option<(u64, Option<String>)>,
    pub denominator: Option<(u64, Option<String>)>,
    pub rate: String,
    pub points: String,
    pub max: String,
    pub threshold: Option<i64>,
    pub reason: Option<&'static str>,
    pub confirmed: bool,
    pub source: String,
}

pub struct GroupView {
    pub label: &'static str,
    pub points: String,
    pub max: String,
    pub lines: Vec<Line>,
}

pub struct CostlyView {
    pub code: String,
    pub agency_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub reasons: String,
    pub points_lost: String,
    pub received: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "reports/service_index.html")]
struct IndexPage {
    chrome: Chrome,
    form: ReportForm,
    agencies: Vec<ReportAgency>,
    presets: Vec<Preset>,
    errors: FormErrors,
    what: &'static str,
    index: Option<ServiceIndex>,
    total: String,
    max_total: String,
    not_computed: String,
    groups: Vec<GroupView>,
    costly: Vec<CostlyView>,
    link: String,
    lag: Option<u64>,
}

fn reason_vi(r: &str) -> &'static str {
    match r {
        "late" => "Quá hạn",
        "supplements" => "Yêu cầu bổ sung quá một lần",
        "no_electronic_result" => "Không có kết quả điện tử",
        "not_digitised" => "Chưa số hóa đủ thành phần hồ sơ",
        _ => "",
    }
}

fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{} %", show_points(r * 100.0)),
        None => "—".into(),
    }
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
    let form = form.with_period_default(today, 0);
    let presets = presets(today)
        .into_iter()
        .map(|(label, p)| Preset {
            label,
            href: format!(
                "{HERE}?{}",
                query_string(&[
                    ("agency", form.agency()),
                    ("from", &p.from.to_string()),
                    ("to", &p.to.to_string()),
                    ("scope", form.scope()),
                ])
            ),
        })
        .collect();
    let link = link(&form);
    let (status, errors, found) = match reports.service_index(&s.actor, &query(&form)).await {
        Ok(r) => (StatusCode::OK, FormErrors::default(), Some(r)),
        Err(e) => {
            let (status, errors) = page_message(e).map_err(err)?;
            (status, errors, None)
        }
    };
    let lag = reports.replica_lag_shown().await.map_err(err)?;
    let href = |key: &str, part: &str| {
        format!(
            "{HERE}/ho-so?{link}&{}",
            query_string(&[("indicator", key), ("part", part)])
        )
    };
    let groups = found
        .iter()
        .flat_map(|r| r.groups.iter())
        .map(|g| GroupView {
            label: g.label,
            points: show_points(g.points),
            max: show_points(g.max_points),
            lines: g
                .indicators
                .iter()
                .map(|i| {
                    let listed = motcua_app::reports::lists_dossiers(i.key);
                    Line {
                        label: i.label,
                        counts: i.counts,
                        numerator: i
                            .ratio
                            .map(|r| (r.numerator, listed.then(|| href(i.key, "numerator")))),
                        denominator: i
                            .ratio
                            .map(|r| (r.denominator, listed.then(|| href(i.key, "denominator")))),
                        rate: percent(i.rate),
                        points: show_points(i.points),
                        max: show_points(i.max_points),
                        threshold: (i.threshold < 100).then_some(i.threshold),
                        reason: i.reason,
                        confirmed: i.confirmed,
                        source: i.source.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    let costly = found
        .iter()
        .flat_map(|r| r.costly.iter())
        .map(|d| CostlyView {
            code: d.code.clone(),
            agency_code: d.agency_code.clone(),
            procedure_name: d.procedure_name.clone(),
            applicant_name: d.applicant_name.clone(),
            reasons: d
                .reasons
                .iter()
                .map(|r| reason_vi(r))
                .collect::<Vec<_>>()
                .join("; "),
            points_lost: show_points(d.points_lost),
            received: d.received_at.map(datetime_vn).unwrap_or_default(),
            due: d.due_at.map(datetime_vn).unwrap_or_default(),
        })
        .collect();
    let (total, max_total, not_computed) = found.as_ref().map_or_else(Default::default, |r| {
        (
            show_points(r.total),
            show_points(r.max_total),
            show_points(r.not_computed_points),
        )
    });
    Ok(render(
        status,
        &IndexPage {
            chrome: Chrome::for_user(&s, HERE),
            form,
            agencies,
            presets,
            errors,
            what: "tính chỉ số",
            index: found,
            total,
            max_total,
            not_computed,
            groups,
            costly,
            link,
            lag,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct DrillQuery {
    indicator: Option<String>,
    part: Option<String>,
    trang: Option<String>,
}

#[derive(Template)]
#[template(path = "reports/dossiers.html")]
struct DossiersPage {
    chrome: Chrome,
    errors: FormErrors,
    what: &'static str,
    back: String,
    heading: String,
    subheading: String,
    count: u64,
    page: i64,
    pages: i64,
    items: Vec<(CountedDossier, String, String, String)>,
    prev: Option<String>,
    next: Option<String>,
}

/// The dossiers behind an indicator's numerator or denominator, a page at a time:
/// as many in all as the figure.
pub async fn dossiers(
    State(state): State<AppState>,
    s: SignedIn,
    Query(form): Query<ReportForm>,
    Query(d): Query<DrillQuery>,
) -> Result<Response, PageError> {
    let err = |error| PageError {
        error,
        chrome: Box::new(Chrome::for_user(&s, HERE)),
    };
    let reports = state.app.reports();
    let link = link(&form);
    let key = d.indicator.as_deref().unwrap_or_default().trim().to_owned();
    let part = d.part.as_deref().unwrap_or_default().trim().to_owned();
    let page: i64 = match d.trang.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => 1,
        Some(t) => t
            .parse()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .unwrap_or(0),
    };
    let mut view = DossiersPage {
        chrome: Chrome::for_user(&s, HERE),
        errors: FormErrors::default(),
        what: "xem danh sách",
        back: format!("{HERE}?{link}"),
        heading: "Hồ sơ của chỉ số".into(),
        subheading: String::new(),
        count: 0,
        page,
        pages: 0,
        items: Vec::new(),
        prev: None,
        next: None,
    };
    let result = async {
        if page < 1 {
            return Err(Error::field("trang", "Số trang phải là số nguyên dương."));
        }
        let q = query(&form);
        let found = reports.service_index(&s.actor, &q).await?;
        let line = found
            .groups
            .iter()
            .flat_map(|g| g.indicators.iter())
            .find(|i| i.key == key)
            .ok_or_else(|| Error::field("indicator", "Chỉ số được chọn không có."))?;
        let label = line.label;
        let ratio = line
            .ratio
            .ok_or_else(|| Error::field("indicator", "Chỉ số này chưa tính được."))?;
        let (count, side) = match part.as_str() {
            "numerator" => (ratio.numerator, "tử số"),
            "denominator" => (ratio.denominator, "mẫu số"),
            _ => return Err(Error::field("part", "Chọn tử số hoặc mẫu số.")),
        };
        let items = reports
            .service_index_dossiers(&s.actor, &q, &key, &part, (PAGE, (page - 1) * PAGE))
            .await?;
        Ok::<_, Error>((found, label, side, count, items))
    }
    .await;
    let status = match result {
        Ok((found, label, side, count, items)) => {
            view.heading = format!("{label} ({side}): {count} hồ sơ");
            view.subheading = format!(
                "{} · {}",
                found.agency_name,
                motcua_domain::report::Period {
                    from: found.from,
                    to: found.to
                }
                .label_vi()
            );
            view.count = count;
            view.pages = (count as i64 + PAGE - 1) / PAGE;
            let here = |p: i64| {
                format!(
                    "{HERE}/ho-so?{link}&{}",
                    query_string(&[
                        ("indicator", key.as_str()),
                        ("part", part.as_str()),
                        ("trang", &p.to_string()),
                    ])
                )
            };
            view.prev = (page > 1).then(|| here(page - 1));
            view.next = (page < view.pages).then(|| here(page + 1));
            view.items = items
                .into_iter()
                .map(|d| {
                    let shown = |t: Option<jiff::Timestamp>| t.map(datetime_vn).unwrap_or_default();
                    let (r, due, closed) =
                        (shown(d.received_at), shown(d.due_at), shown(d.closed_at));
                    (d, r, due, closed)
                })
                .collect();
            StatusCode::OK
        }
        Err(e) => {
            let (status, errors) = page_message(e).map_err(err)?;
            view.errors = errors;
            status
        }
    };
    Ok(render(status, &view))
}

/// One editable row of the weights page.
pub struct WeightRow {
    pub key: String,
    pub label: String,
    pub group: bool,
    pub points: String,
    pub threshold: String,
    pub source: String,
    pub confirmed: bool,
}

#[derive(Template)]
#[template(path = "reports/service_index_weights.html")]
struct WeightsPage {
    chrome: Chrome,
    errors: FormErrors,
    what: &'static str,
    rows: Vec<WeightRow>,
    can_edit: bool,
    saved: bool,
}

fn weight_rows(w: &index::Weights) -> Vec<WeightRow> {
    let mut rows = Vec::new();
    for g in index::Group::ALL {
        let row = |key: &str, label: &str, group: bool| {
            let v = w.0.get(key);
            WeightRow {
                key: key.to_owned(),
                label: label.to_owned(),
                group,
                points: v
                    .map(|v| show_points(v.points as f64 / 100.0))
                    .unwrap_or_default(),
                threshold: v.map(|v| v.threshold.to_string()).unwrap_or_default(),
                source: v.map(|v| v.source.clone()).unwrap_or_default(),
                confirmed: v.is_some_and(|v| v.confirmed),
            }
        };
        rows.push(row(g.key(), g.label_vi(), true));
        for i in index::INDICATORS.iter().filter(|i| i.group == g) {
            rows.push(row(i.key, i.label_vi, false));
        }
    }
    rows
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    ok: Option<String>,
}

pub async fn weights(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let w = state
        .app
        .reports()
        .service_index_weights()
        .await
        .map_err(|error| PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, ADMIN)),
        })?;
    Ok(render(
        StatusCode::OK,
        &WeightsPage {
            chrome: Chrome::for_user(&s, ADMIN),
            errors: FormErrors::default(),
            what: "lưu",
            rows: weight_rows(&w),
            can_edit: s.actor.is_top_admin(),
            saved: q.ok.is_some(),
        },
    ))
}

/// The form posts, per key, `points.KEY`, `threshold.KEY` and `source.KEY`.
pub async fn save_weights(
    State(state): State<AppState>,
    s: SignedIn,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    s.check_csrf(&csrf)?;
    let field = |prefix: &str, key: &str| {
        fields
            .iter()
            .find(|(k, _)| k.strip_prefix(prefix) == Some(key))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let keys: Vec<String> = fields
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("points.").map(str::to_owned))
        .collect();
    let values: Vec<(String, String, String, String)> = keys
        .iter()
        .map(|k| {
            (
                k.clone(),
                field("points.", k),
                field("threshold.", k),
                field("source.", k),
            )
        })
        .collect();
    let reports = state.app.reports();
    match reports.save_service_index_weights(&s.actor, &values).await {
        Ok(()) => Ok(Redirect::to(&format!("{ADMIN}?ok=1")).into_response()),
        Err(e) => {
            let err = |error| PageError {
                error,
                chrome: Box::new(Chrome::for_user(&s, ADMIN)),
            };
            let (status, errors) = page_message(e).map_err(err)?;
            // Show back what was typed, so that one wrong value is fixed, not all retyped.
            let current = reports.service_index_weights().await.map_err(err)?;
            let mut rows = weight_rows(&current);
            for row in &mut rows {
                if let Some((_, p, t, src)) = values.iter().find(|v| v.0 == row.key) {
                    row.points = p.clone();
                    row.threshold = t.clone();
                    row.source = src.clone();
                }
            }
            Ok(render(
                status,
                &WeightsPage {
                    chrome: Chrome::for_user(&s, ADMIN),
                    errors,
                    what: "lưu",
                    rows,
                    can_edit: s.actor.is_top_admin(),
                    saved: false,
                },
            ))
        }
    }
}
