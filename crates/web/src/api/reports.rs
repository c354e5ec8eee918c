//! Reports: form II.06a as JSON (or the official workbook), and the dossiers behind
//! each of its figures.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use motcua_app::reports::{
    CountedDossier, Ii06a, Ii06aQuery, ServiceIndex, ServiceIndexQuery, TrackingBookQuery,
    UnitRanking,
};
use motcua_app::Error;
use serde::Deserialize;
use utoipa::IntoParams;

use super::admin::List;
use super::extract::ApiQuery;
use crate::error::{ApiError, Problem};
use crate::session::ApiUser;
use crate::AppState;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Format {
    /// `json` (default), `xlsx` (the workbook laid out like the official form) or
    /// `pdf` (the official paper, A4 landscape).
    pub format: Option<String>,
}

/// Form II.06a/VPCP/KSTT for an agency and a period: one row per sector (or per
/// unit with `by=unit`), and the total. Every dossier received is counted once:
/// `received_total = resolved_total + pending_total + withdrawn_or_refused`.
#[utoipa::path(get, path = "/api/v1/reports/ii06a", tag = "reports", params(Ii06aQuery, Format),
    responses(
        (status = 200, description = "The report; with `format=xlsx` the workbook laid out like the official form",
            content((Ii06a = "application/json"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "application/pdf"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ii06a(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<Ii06aQuery>,
    ApiQuery(f): ApiQuery<Format>,
) -> ApiResult<Response> {
    match f.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => {
            Ok(Json(s.app.reports().ii06a(&actor, &q).await?).into_response())
        }
        Some("xlsx") => {
            let (name, bytes) = s.app.reports().ii06a_workbook(&actor, &q).await?;
            Ok(workbook(&name, bytes))
        }
        Some("pdf") => {
            let (name, bytes) = s.app.reports().ii06a_pdf(&actor, &q).await?;
            Ok(pdf(&name, bytes))
        }
        Some(other) => Err(ApiError(Error::field(
            "format",
            format!("«{other}» không phải là định dạng báo cáo (json, xlsx hoặc pdf)."),
        ))),
    }
}

/// An .xlsx download.
pub(crate) fn workbook(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A PDF download.
pub(crate) fn pdf(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DrillDown {
    /// The figure's column: received_total, received_online, … withdrawn_or_refused.
    pub figure: String,
    /// One row of the report: a sector code (or an agency code with `by=unit`).
    pub row: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The dossiers one figure of the report counts (the same query as the report,
/// plus `figure` and optionally `row`): as many as the figure says.
#[utoipa::path(get, path = "/api/v1/reports/ii06a/dossiers", tag = "reports", params(Ii06aQuery, DrillDown),
    responses(
        (status = 200, body = List<CountedDossier>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ii06a_dossiers(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<Ii06aQuery>,
    ApiQuery(d): ApiQuery<DrillDown>,
) -> ApiResult<Json<List<CountedDossier>>> {
    let items = s
        .app
        .reports()
        .ii06a_dossiers(
            &actor,
            &q,
            &d.figure,
            d.row.as_deref(),
            (d.limit.unwrap_or(100), d.offset.unwrap_or(0)),
        )
        .await?;
    Ok(Json(List { items }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// Agency identifier code; the person's own when absent.
    pub agency: Option<String>,
    /// First day of the period, YYYY-MM-DD (or dd/mm/yyyy).
    #[param(required = true)]
    pub from: Option<String>,
    /// Last day of the period, inclusive.
    #[param(required = true)]
    pub to: Option<String>,
    /// `on_time` (default: resolved early or on time / resolved, highest first),
    /// `overdue` (pending overdue, fewest first) or `online` (online share, highest
    /// first); the other two criteria break ties.
    pub sort: Option<String>,
}

/// The units directly below an agency (and the agency's own dossiers as a row of
/// their own when it has any), each with its II.06a figures and rates, ranked.
#[utoipa::path(get, path = "/api/v1/reports/units", tag = "reports", params(UnitsQuery),
    responses(
        (status = 200, body = UnitRanking),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn units(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<UnitsQuery>,
) -> ApiResult<Json<UnitRanking>> {
    let report = Ii06aQuery {
        agency: q.agency,
        from: q.from,
        to: q.to,
        ..Ii06aQuery::default()
    };
    Ok(Json(
        s.app
            .reports()
            .units(&actor, &report, q.sort.as_deref())
            .await?,
    ))
}

/// The real-time service index of QĐ 766/QĐ-TTg for an agency (or its subtree)
/// and a period, out of 100: each group and indicator with its numerator,
/// denominator, rate and points; indicators the system cannot compute from its own
/// data have `computed: false`, 0 points and a `reason`; the dossiers that cost the
/// most points are in `costly`.
#[utoipa::path(get, path = "/api/v1/reports/service-index", tag = "reports", params(ServiceIndexQuery),
    responses(
        (status = 200, body = ServiceIndex),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn service_index(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<ServiceIndexQuery>,
) -> ApiResult<Json<ServiceIndex>> {
    Ok(Json(s.app.reports().service_index(&actor, &q).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndexDrillDown {
    /// The indicator's key, e.g. `progress.on_time`, `online.share`,
    /// `digitisation.results`, `satisfaction.procedures`.
    pub indicator: String,
    /// `numerator` or `denominator`.
    pub part: String,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The dossiers counted in an indicator's numerator or denominator (the same
/// query as the index, plus `indicator` and `part`): as many as the figure says.
#[utoipa::path(get, path = "/api/v1/reports/service-index/dossiers", tag = "reports", params(ServiceIndexQuery, IndexDrillDown),
    responses(
        (status = 200, body = List<CountedDossier>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn service_index_dossiers(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<ServiceIndexQuery>,
    ApiQuery(d): ApiQuery<IndexDrillDown>,
) -> ApiResult<Json<List<CountedDossier>>> {
    let items = s
        .app
        .reports()
        .service_index_dossiers(
            &actor,
            &q,
            &d.indicator,
            &d.part,
            (d.limit.unwrap_or(100), d.offset.unwrap_or(0)),
        )
        .await?;
    Ok(Json(List { items }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookFormat {
    /// `pdf` (default: the paper, A4 landscape) or `xlsx` (the same columns as a
    /// workbook).
    pub format: Option<String>,
}

/// Form 07 of TT 03/2025/TT-VPCP, the dossier tracking book (Sổ theo dõi hồ sơ):
/// every dossier the agency received in the period, in the order received, with
/// the applicant and address, the appointment, whom it was passed to, when it was
/// returned and how. At most 5,000 dossiers: a longer period is refused (400).
#[utoipa::path(get, path = "/api/v1/reports/tracking-book", tag = "reports", params(TrackingBookQuery, BookFormat),
    responses(
        (status = 200, description = "The book as PDF or as a workbook",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn tracking_book(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<TrackingBookQuery>,
    ApiQuery(f): ApiQuery<BookFormat>,
) -> ApiResult<Response> {
    match f.format.as_deref().map(str::trim) {
        None | Some("") | Some("pdf") => {
            let (name, bytes) = s.app.reports().tracking_book_pdf(&actor, &q).await?;
            Ok(pdf(&name, bytes))
        }
        Some("xlsx") => {
            let (name, bytes) = s.app.reports().tracking_book_xlsx(&actor, &q).await?;
            Ok(workbook(&name, bytes))
        }
        Some(other) => Err(ApiError(Error::field(
            "format",
            format!("«{other}» không phải là định dạng của sổ (pdf hoặc xlsx)."),
        ))),
    }
}
