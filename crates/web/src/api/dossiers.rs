//! Dossier endpoints: counter intake, online submission, worklists, one dossier,
//! its actions, history and printed forms, and public tracking.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use motcua_app::dossiers::{Dossier, DossierPage, Event, Form, TrackedDossier, WorklistQuery};
use motcua_app::Error;
use motcua_domain::dossier::Verb;
use motcua_domain::rating::{Attitude, RatingInput, Verdict};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::admin::created;
use super::wire::{ActionJson, IntakeJson};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::error::{ApiError, Problem};
use crate::session::{ApiUser, ClientIp};
use crate::AppState;

type ApiResult<T> = Result<T, ApiError>;

/// The client's key for a request that must not happen twice.
pub(super) fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.trim().to_owned()))
            .map_err(|_| ApiError::bad_request("Tiêu đề Idempotency-Key chỉ gồm ký tự ASCII.")),
    }
}

/// Counter intake (also by post, at home, by a helper team): the dossier is
/// received now; the answer holds its `code` and `due_at`. Send an
/// `Idempotency-Key` header so that a retried request never creates two dossiers.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = IntakeJson,
    params(("Idempotency-Key" = Option<String>, Header, description = "Khóa chống gửi trùng")),
    responses(
        (status = 201, body = Dossier),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn receive(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<IntakeJson>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let input = input.into_input()?;
    let d = s
        .app
        .dossiers()
        .receive(&actor, &input, key.as_deref())
        .await?;
    Ok(created(format!("/api/v1/dossiers/{}", d.code), d))
}

/// Online submission by a citizen (no sign-in): the dossier waits as `submitted`
/// until the counter accepts it; the answer's `code` tracks it.
#[utoipa::path(post, path = "/api/v1/public/submissions", tag = "public", request_body = IntakeJson,
    params(("Idempotency-Key" = Option<String>, Header, description = "Khóa chống gửi trùng")),
    security(()),
    responses(
        (status = 201, body = Dossier),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Giây cần chờ trước khi gửi lại"))),
    ))]
pub async fn submit(
    State(s): State<AppState>,
    ClientIp(who): ClientIp,
    headers: HeaderMap,
    ApiJson(input): ApiJson<IntakeJson>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let input = input.into_input()?;
    let d = s
        .app
        .dossiers()
        .submit_online(&input, key.as_deref(), &who)
        .await?;
    Ok(created(format!("/tra-cuu?ma={}", d.code), d))
}

/// A worklist of the person's agency: `list` names it; keyset pages through `after`.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(WorklistQuery),
    responses(
        (status = 200, body = DossierPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<WorklistQuery>,
) -> ApiResult<Json<DossierPage>> {
    Ok(Json(s.app.dossiers().worklist(&actor, &q).await?))
}

/// One dossier.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    responses(
        (status = 200, body = Dossier),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Dossier>> {
    Ok(Json(s.app.dossiers().get(&actor, &code).await?))
}

/// Takes an action: accept, not_accept, assign, start, request_supplement,
/// supplement_received, pause, resume, extend, reject, record_review, record_civil,
/// submit_for_approval, approve, send_back, attach_result, mark_ready, return, withdraw. Give the
/// dossier's `version` to be refused (409) if someone changed it meanwhile.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/actions/{action}", tag = "dossiers",
    request_body = ActionJson,
    params(
        ("code" = String, Path, description = "Mã hồ sơ"),
        ("action" = String, Path, description = "Thao tác"),
        ("Idempotency-Key" = Option<String>, Header, description = "Khóa chống gửi trùng"),
    ),
    responses(
        (status = 200, body = Dossier),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn act(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((code, action)): ApiPath<(String, String)>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ActionJson>,
) -> ApiResult<Json<Dossier>> {
    let verb = Verb::parse(&action).ok_or_else(|| {
        ApiError(Error::NotFound(format!(
            "Không có thao tác «{action}» trên hồ sơ."
        )))
    })?;
    let key = idempotency_key(&headers)?;
    let input = input.into_input()?;
    Ok(Json(
        s.app
            .dossiers()
            .act(&actor, &code, verb, &input, key.as_deref())
            .await?,
    ))
}

/// The dossier's history, oldest first, each event chained to the previous by hash.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/events", tag = "dossiers",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    responses(
        (status = 200, body = Vec<Event>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn events(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Vec<Event>>> {
    Ok(Json(s.app.dossiers().events(&actor, &code).await?))
}

fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The receipt (form 01) with the QR code of the tracking page.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/receipt.pdf", tag = "dossiers",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    responses(
        (status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn receipt(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let bytes = s
        .app
        .dossiers()
        .form_pdf(&actor, &code, Form::Receipt)
        .await?;
    Ok(pdf(bytes, &format!("{}-tiep-nhan.pdf", code.trim())))
}

/// Any of the forms 01–06 of TT 03/2025/TT-VPCP that applies to the dossier.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/forms/{form}", tag = "dossiers",
    params(
        ("code" = String, Path, description = "Mã hồ sơ"),
        ("form" = String, Path, description = "01.pdf … 06.pdf"),
    ),
    responses(
        (status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn form(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((code, form)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let number = form.trim_end_matches(".pdf");
    let which = Form::parse(number)
        .ok_or_else(|| ApiError(Error::NotFound(format!("Không có mẫu số «{number}»."))))?;
    let bytes = s.app.dossiers().form_pdf(&actor, &code, which).await?;
    Ok(pdf(bytes, &format!("{}-mau-{number}.pdf", code.trim())))
}

#[derive(Debug, Deserialize, IntoParams)]
// The extractor is ApiQuery, which utoipa cannot recognise as a query string.
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    /// The last four digits of the applicant's phone or personal ID number.
    pub digits: Option<String>,
    /// The agency's code, when `code` is the short form `yyMMdd-NNNN`.
    pub agency: Option<String>,
}

/// Public tracking: state and appointment by code (full, or short `yyMMdd-NNNN`
/// when unambiguous, or within `agency`); the applicant's details only with the
/// last four digits of their phone or ID number.
#[utoipa::path(get, path = "/api/v1/public/dossiers/{code}", tag = "public",
    params(("code" = String, Path, description = "Mã hồ sơ"), TrackQuery),
    security(()),
    responses(
        (status = 200, body = TrackedDossier),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn track(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<TrackQuery>,
) -> ApiResult<Json<TrackedDossier>> {
    Ok(Json(
        s.app
            .dossiers()
            .track(&code, q.digits.as_deref(), q.agency.as_deref(), &ip)
            .await?,
    ))
}

/// The citizen's rating of a dossier, as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RatingJson {
    /// The last four digits of the applicant's phone or personal ID number.
    #[schema(max_length = 4)]
    pub digits: Option<String>,
    /// The agency's code, when the path's code is the short form `yyMMdd-NNNN`.
    pub agency: Option<String>,
    /// `very_satisfied`, `satisfied` or `dissatisfied`.
    #[schema(value_type = Option<String>)]
    pub verdict: Option<Verdict>,
    /// The staff's attitude: `courteous`, `ordinary` or `poor`.
    #[schema(value_type = Option<String>)]
    pub attitude: Option<Attitude>,
    /// How many times the applicant had to come back (0 when none).
    #[schema(maximum = 20)]
    pub return_visits: Option<u8>,
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// A rating as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingAnswer {
    pub verdict: String,
    pub attitude: String,
    pub return_visits: u8,
    pub comment: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub rated_at: jiff::Timestamp,
}

/// The citizen rates the handling of a dossier that has its answer (returned or
/// refused), once, with its code and the applicant's last four digits.
#[utoipa::path(post, path = "/api/v1/public/dossiers/{code}/rating", tag = "public",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    request_body = RatingJson,
    security(()),
    responses(
        (status = 201, body = RatingAnswer),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn rate(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<RatingJson>,
) -> ApiResult<Response> {
    let given = s
        .app
        .ratings()
        .rate(
            &code,
            body.digits.as_deref(),
            body.agency.as_deref(),
            &ip,
            RatingInput {
                verdict: body.verdict,
                attitude: body.attitude,
                return_visits: body.return_visits,
                comment: body.comment,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RatingAnswer {
            verdict: given.rating.verdict.as_str().into(),
            attitude: given.rating.attitude.as_str().into(),
            return_visits: given.rating.return_visits,
            comment: given.rating.comment,
            rated_at: given.rated_at,
        }),
    )
        .into_response())
}
