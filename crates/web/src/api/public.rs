//! Public endpoints, no token needed: the working calendar and the procedure
//! catalogue are what every citizen may know.

use axum::extract::State;
use axum::Json;
use jiff::civil::Date;
use jiff::Timestamp;
use motcua_app::calendar::{DayInfo, LunarInfo};
use motcua_app::Error;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::admin::List;
use super::{ApiPath, ApiQuery};
use crate::error::{ApiError, Problem};
use crate::AppState;

type ApiResult<T> = Result<T, ApiError>;

fn bad(field: &str, message: String) -> ApiError {
    ApiError(Error::field(field, message))
}

fn parse_date(field: &str, value: Option<&str>) -> ApiResult<Date> {
    let value = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| bad(field, format!("Thiếu tham số «{field}» (YYYY-MM-DD).")))?;
    value.parse().map_err(|_| {
        bad(
            field,
            format!("«{value}» không phải là ngày có thật (định dạng YYYY-MM-DD)."),
        )
    })
}

#[derive(Deserialize, IntoParams)]
// The extractor is ApiQuery, which utoipa cannot recognise as a query string.
#[into_params(parameter_in = Query)]
pub struct LunarQuery {
    /// A solar date, YYYY-MM-DD.
    // Optional in Rust so that a missing one gets the Vietnamese message below
    // rather than serde's; required in the document, which is what clients read.
    #[param(required = true, value_type = String, format = Date)]
    pub date: Option<String>,
}

/// The lunar date (Vietnamese calendar, UTC+7) of a solar date.
#[utoipa::path(get, path = "/api/v1/calendar/lunar", tag = "calendar", params(LunarQuery), security(()),
    responses((status = 200, body = LunarInfo), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn lunar(ApiQuery(q): ApiQuery<LunarQuery>) -> ApiResult<Json<LunarInfo>> {
    let date = parse_date("date", q.date.as_deref())?;
    Ok(Json(motcua_app::calendar::lunar_of(date)?))
}

#[derive(Deserialize, IntoParams)]
// The extractor is ApiQuery, which utoipa cannot recognise as a query string.
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// Agency identifier code; the national calendar when absent.
    pub agency: Option<String>,
    /// The first day, YYYY-MM-DD.
    #[param(required = true, value_type = String, format = Date)]
    pub from: Option<String>,
    /// The last day, YYYY-MM-DD (included).
    #[param(required = true, value_type = String, format = Date)]
    pub to: Option<String>,
}

/// One entry per day: working, weekend, holiday, day off or make-up working day.
#[utoipa::path(get, path = "/api/v1/calendar/days", tag = "calendar", params(DaysQuery), security(()),
    responses((status = 200, body = List<DayInfo>), (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn days(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DaysQuery>,
) -> ApiResult<Json<List<DayInfo>>> {
    let from = parse_date("from", q.from.as_deref())?;
    let to = parse_date("to", q.to.as_deref())?;
    Ok(Json(List {
        items: s.app.calendar_days(q.agency.as_deref(), from, to).await?,
    }))
}

#[derive(Deserialize, IntoParams)]
// The extractor is ApiQuery, which utoipa cannot recognise as a query string.
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Agency identifier code; the national calendar when absent.
    pub agency: Option<String>,
    /// RFC 3339 instant, e.g. 2026-02-13T10:00:00+07:00.
    #[param(required = true, value_type = String, format = DateTime)]
    pub received_at: Option<String>,
    /// `immediate`, `same_day`, `Nwd` (working days), `Nwh` (working hours) or
    /// `Ncd` (calendar days).
    #[param(required = true, value_type = String, example = "3wd",
        pattern = r"^(immediate|same_day|[0-9]{1,5}(wd|wh|cd))$")]
    pub limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Due {
    /// RFC 3339, in Vietnam's offset.
    pub due_at: String,
}

/// The due instant of a time limit counted from receipt, on the agency's calendar.
#[utoipa::path(get, path = "/api/v1/calendar/due", tag = "calendar", params(DueQuery), security(()),
    responses((status = 200, body = Due), (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn due(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> ApiResult<Json<Due>> {
    let raw = q.received_at.as_deref().map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Err(bad(
            "received_at",
            "Thiếu tham số «received_at» (RFC 3339).".into(),
        ));
    }
    let received_at: Timestamp = raw
        .parse()
        .map_err(|_| bad("received_at", format!("«{raw}» không phải là thời điểm hợp lệ (RFC 3339, ví dụ 2026-02-13T10:00:00+07:00).")))?;
    let limit = q
        .limit
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| bad("limit", "Thiếu tham số «limit».".into()))?;
    let due = s
        .app
        .due_at(q.agency.as_deref(), received_at, limit)
        .await?;
    let local = due.to_zoned(motcua_domain::calendar::vietnam_time_zone());
    Ok(Json(Due {
        due_at: local
            .timestamp()
            .display_with_offset(local.offset())
            .to_string(),
    }))
}

#[derive(Deserialize, IntoParams)]
// The extractor is ApiQuery, which utoipa cannot recognise as a query string.
#[into_params(parameter_in = Query)]
pub struct ProcedureQuery {
    /// Words to find, with or without diacritics.
    pub q: Option<String>,
    /// Sector code, e.g. ho-tich.
    pub sector: Option<String>,
    /// Only procedures this agency performs.
    pub agency: Option<String>,
}

/// Search the procedure catalogue.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures", params(ProcedureQuery), security(()),
    responses((status = 200, description = "{\"items\": [Procedure…]} in the catalogue's JSON shape"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn procedures(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ProcedureQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let items = s
        .app
        .search_procedures(
            q.q.as_deref().unwrap_or_default(),
            // `?agency=` from an emptied form field means no filter, not an agency
            // whose code is empty.
            q.sector.as_deref(),
            q.agency.as_deref().filter(|v| !v.trim().is_empty()),
            1000,
        )
        .await?;
    Ok(Json(serde_json::json!({ "items": items })))
}

/// One procedure with its current version: documents, limits, fees, steps, results.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures", security(()),
    params(("code" = String, Path, description = "National procedure code, e.g. 1.001193")),
    responses((status = 200, description = "The procedure in the catalogue's JSON shape, with `version`"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn procedure(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let entry = s.app.procedure(&code).await?;
    Ok(Json(serde_json::to_value(entry).map_err(|e| {
        ApiError(Error::internal("the procedure as JSON", e))
    })?))
}
