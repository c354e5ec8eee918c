//! Form II.06a on a page: choose the agency, period, scope and rows; read the
//! table in the official layout; follow any figure to its dossiers.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_app::reports::{
    CountedDossier, Grouping, Ii06a, Ii06aQuery, ReportAgency, TrackingBookQuery,
};
use motcua_app::Error;
use motcua_domain::report::{presets, Figure};
use serde::Deserialize;

use super::query_string;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::{datetime_vn, FormErrors};
use crate::session::SignedIn;
use crate::AppState;

const HERE: &str = "/bao-cao";

/// Dossiers on one page of a drill-down list.
const PAGE: i64 = 50;

/// What the form holds, as typed (shown back when it is wrong).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportForm {
    pub agency: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub scope: Option<String>,
    pub by: Option<String>,
}

impl ReportForm {
    /// A page opened without a period shows this month.
    fn with_defaults(self, today: jiff::civil::Date) -> ReportForm {
        self.with_period_default(today, 0)
    }

    /// A page opened without a period shows the `preset`-th of `presets`.
    pub(super) fn with_period_default(
        mut self,
        today: jiff::civil::Date,
        preset: usize,
    ) -> ReportForm {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&self.from) && blank(&self.to) {
            if let Some((_, p)) = presets(today).into_iter().nth(preset) {
                self.from = Some(p.from.to_string());
                self.to = Some(p.to.to_string());
            }
        }
        self
    }

    fn value(v: &Option<String>) -> &str {
        v.as_deref().map(str::trim).unwrap_or_default()
    }

    pub fn agency(&self) -> &str {
        Self::value(&self.agency)
    }
    pub fn from(&self) -> &str {
        Self::value(&self.from)
    }
    pub fn to(&self) -> &str {
        Self::value(&self.to)
    }
    pub fn scope(&self) -> &str {
        Self::value(&self.scope)
    }
    pub fn by(&self) -> &str {
        Self::value(&self.by)
    }

    pub fn query(&self) -> Ii06aQuery {
        Ii06aQuery {
            agency: self.agency.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            scope: self.scope.clone(),
            by: self.by.clone(),
        }
    }

    /// The tracking book's query: this agency and period.
    pub fn book(&self) -> TrackingBookQuery {
        TrackingBookQuery {
            agency: self.agency.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }

    /// The tracking book's links: the agency and period only.
    pub fn book_link(&self) -> String {
        query_string(&[
            ("agency", self.agency()),
            ("from", self.from()),
            ("to", self.to()),
        ])
    }

    /// The form as a query string, for links that keep its filters.
    pub fn link(&self) -> String {
        query_string(&[
            ("agency", self.agency()),
            ("from", self.from()),
            ("to", self.to()),
            ("scope", self.scope()),
            ("by", self.by()),
        ])
    }
}

/// One figure of the table and where its dossiers are listed.
pub struct Cell {
    pub value: u64,
    pub href: String,
}

pub struct TableRow {
    pub name: String,
    pub cells: Vec<Cell>,
}

pub struct Preset {
    pub label: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "reports/ii06a.html")]
struct ReportPage {
    chrome: Chrome,
    form: ReportForm,
    agencies: Vec<ReportAgency>,
    presets: Vec<Preset>,
    errors: FormErrors,
    what: &'static str,
    report: Option<Ii06a>,
    row_heading: &'static str,
    rows: Vec<TableRow>,
    total: Option<TableRow>,
    link: String,
    /// Seconds the replica the report read is behind, when more than a few.
    lag: Option<u64>,
}

fn figure_href(link: &str, figure: Figure, row: Option<&str>) -> String {
    let mut href = format!("{HERE}/ho-so?{link}&figure={}", figure.as_str());
    if let Some(row) = row {
        href.push('&');
        href.push_str(&query_string(&[("row", row)]));
    }
    href
}

fn table_row(
    link: &str,
    name: &str,
    row: Option<&str>,
    counts: &motcua_domain::report::Counts,
) -> TableRow {
    TableRow {
        name: name.to_owned(),
        cells: Figure::ALL
            .iter()
            .map(|&f| Cell {
                value: counts.get(f),
                href: figure_href(link, f, row),
            })
            .collect(),
    }
}

/// Mistakes a person can correct stay on the page as a message; only a fault of
/// ours becomes an error page.
pub(super) fn page_message(e: Error) -> Result<(StatusCode, FormErrors), Error> {
    let status = crate::error::status_of(&e);
    match e {
        Error::Forbidden(_) | Error::NotFound(_) => {
            Ok((status, FormErrors::with_general(e.message_vi())))
        }
        other => FormErrors::from_error(other).map(|f| (status, f)),
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
    let form = form.with_defaults(today);
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
                    ("by", form.by()),
                ])
            ),
        })
        .collect();
    let link = form.link();
    let (status, errors, report) = match reports.ii06a(&s.actor, &form.query()).await {
        Ok(r) => (StatusCode::OK, FormErrors::default(), Some(r)),
        Err(e) => {
            let (status, errors) = page_message(e).map_err(err)?;
            (status, errors, None)
        }
    };
    let lag = reports.replica_lag_shown().await.map_err(err)?;
    let rows = report
        .iter()
        .flat_map(|r| r.rows.iter())
        .map(|row| table_row(&link, row.name(), Some(row.key()), &row.counts))
        .collect();
    let total = report
        .as_ref()
        .map(|r| table_row(&link, "Tổng cộng", None, &r.total));
    Ok(render(
        status,
        &ReportPage {
            chrome: Chrome::for_user(&s, HERE),
            row_heading: report
                .as_ref()
                .map_or(Grouping::Sector, |r| r.by)
                .row_heading_vi(),
            form,
            agencies,
            presets,
            errors,
            what: "lập báo cáo",
            report,
            rows,
            total,
            link,
            lag,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct DrillQuery {
    figure: Option<String>,
    row: Option<String>,
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

/// The dossiers one figure counts, a page at a time: as many in all as the figure.
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
    let link = form.link();
    let back = format!("{HERE}?{link}");
    let figure_name = d.figure.as_deref().unwrap_or_default().trim().to_owned();
    let row = d.row.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let page: i64 = match d.trang.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => 1,
        Some(t) => t
            .parse()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .unwrap_or(0),
    };
    let mut page_view = DossiersPage {
        chrome: Chrome::for_user(&s, HERE),
        errors: FormErrors::default(),
        what: "xem danh sách",
        back,
        heading: String::new(),
        subheading: String::new(),
        count: 0,
        page,
        pages: 0,
        items: Vec::new(),
        prev: None,
        next: None,
    };
    let figure = Figure::parse(&figure_name);
    let result = async {
        let figure = figure
            .ok_or_else(|| Error::field("figure", "Cột được chọn không có trong mẫu II.06a."))?;
        if page < 1 {
            return Err(Error::field("trang", "Số trang phải là số nguyên dương."));
        }
        let report = reports.ii06a(&s.actor, &form.query()).await?;
        let (row_name, counts) = match row {
            None => ("Tổng cộng".to_owned(), report.total),
            Some(key) => report
                .rows
                .iter()
                .find(|r| r.key().eq_ignore_ascii_case(key))
                .map(|r| (r.name().to_owned(), r.counts))
                .ok_or_else(|| Error::field("row", "Dòng được chọn không có trong báo cáo."))?,
        };
        let items = reports
            .ii06a_dossiers(
                &s.actor,
                &form.query(),
                figure.as_str(),
                row,
                (PAGE, (page - 1) * PAGE),
            )
            .await?;
        Ok::<_, Error>((figure, report, row_name, counts.get(figure), items))
    }
    .await;
    let status = match result {
        Ok((figure, report, row_name, count, items)) => {
            page_view.heading = format!("{}: {count} hồ sơ", figure.label_vi());
            page_view.subheading = format!(
                "{} · {} · {}",
                report.agency_name,
                row_name,
                report.period().label_vi()
            );
            page_view.count = count;
            page_view.pages = (count as i64 + PAGE - 1) / PAGE;
            let here = |p: i64| {
                format!(
                    "{HERE}/ho-so?{link}&{}",
                    query_string(&[
                        ("figure", figure.as_str()),
                        ("row", row.unwrap_or_default()),
                        ("trang", &p.to_string()),
                    ])
                )
            };
            page_view.prev = (page > 1).then(|| here(page - 1));
            page_view.next = (page < page_view.pages).then(|| here(page + 1));
            page_view.items = items
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
            page_view.errors = errors;
            page_view.heading = "Danh sách hồ sơ của báo cáo".into();
            status
        }
    };
    Ok(render(status, &page_view))
}

/// A download that failed becomes the report page's error page.
fn download_error(s: &SignedIn) -> impl FnOnce(motcua_app::Error) -> PageError + '_ {
    move |error| PageError {
        error,
        chrome: Box::new(Chrome::for_user(s, HERE)),
    }
}

/// The report as the official workbook, from the page's session.
pub async fn xlsx(
    State(state): State<AppState>,
    s: SignedIn,
    Query(form): Query<ReportForm>,
) -> Result<Response, PageError> {
    let (name, bytes) = state
        .app
        .reports()
        .ii06a_workbook(&s.actor, &form.query())
        .await
        .map_err(download_error(&s))?;
    Ok(crate::api::reports::workbook(&name, bytes).into_response())
}

/// The report as the official paper, from the page's session.
pub async fn pdf(
    State(state): State<AppState>,
    s: SignedIn,
    Query(form): Query<ReportForm>,
) -> Result<Response, PageError> {
    let (name, bytes) = state
        .app
        .reports()
        .ii06a_pdf(&s.actor, &form.query())
        .await
        .map_err(download_error(&s))?;
    Ok(crate::api::reports::pdf(&name, bytes).into_response())
}

/// Form 07, the tracking book of the form's agency and period, as PDF.
pub async fn book_pdf(
    State(state): State<AppState>,
    s: SignedIn,
    Query(form): Query<ReportForm>,
) -> Result<Response, PageError> {
    let (name, bytes) = state
        .app
        .reports()
        .tracking_book_pdf(&s.actor, &form.book())
        .await
        .map_err(download_error(&s))?;
    Ok(crate::api::reports::pdf(&name, bytes).into_response())
}

/// Form 07 as a workbook.
pub async fn book_xlsx(
    State(state): State<AppState>,
    s: SignedIn,
    Query(form): Query<ReportForm>,
) -> Result<Response, PageError> {
    let (name, bytes) = state
        .app
        .reports()
        .tracking_book_xlsx(&s.actor, &form.book())
        .await
        .map_err(download_error(&s))?;
    Ok(crate::api::reports::workbook(&name, bytes).into_response())
}
