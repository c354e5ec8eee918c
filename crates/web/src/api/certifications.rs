//! Certification (chứng thực): the fee of a request, recording a certification at
//! the counter, the book (JSON or .xlsx), counts, the printed statement, and
//! revoking an issued document.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use motcua_app::certifications::{
    Certification, CertificationInput, CertificationQuery, CountQuery, CountRow, Fee, Verification,
};
use motcua_app::Error;
use motcua_domain::validation::Errors;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::admin::{created, List};
use super::dossiers::idempotency_key;
use super::reports::workbook;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::error::{ApiError, Problem};
use crate::session::ApiUser;
use crate::AppState;

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeeQuery {
    /// copy, signature, contract, contract_amendment, contract_correction, electronic_copy
    pub kind: Option<String>,
    /// Pages of the original, 1–10.000 (required for copies).
    pub pages: Option<String>,
    /// Copies (for signatures: cases), 1–1.000; 1 when absent.
    pub copies: Option<String>,
}

/// A count as typed in the query string: an integer, or a Vietnamese message.
fn count(field: &str, label: &str, value: Option<&str>, errors: &mut Errors) -> Option<i64> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    match value.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(field, format!("Số {label} phải là một số nguyên, ví dụ 3."));
            // Checked again by the use case as out of range, so every error shows.
            Some(0)
        }
    }
}

/// The fee of a certification request, from the procedure's fee rules
/// (TT 226/2016/TT-BTC): its total in đồng, the breakdown and the total in words.
#[utoipa::path(get, path = "/api/v1/certification/fee", tag = "certification", params(FeeQuery),
    security(()),
    responses(
        (status = 200, body = Fee),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn fee(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<FeeQuery>,
) -> ApiResult<Json<Fee>> {
    let mut errors = Errors::new();
    let pages = count("pages", "trang", q.pages.as_deref(), &mut errors);
    let copies = count("copies", "bản", q.copies.as_deref(), &mut errors);
    let kind = q.kind.unwrap_or_default();
    match s.app.certifications().fee(&kind, pages, copies).await {
        Ok(fee) if errors.is_empty() => Ok(Json(fee)),
        Ok(_) => Err(ApiError(errors.into())),
        Err(Error::Invalid(more)) => {
            for e in more.0 {
                if !errors.0.iter().any(|x| x.field == e.field) {
                    errors.0.push(e);
                }
            }
            Err(ApiError(errors.into()))
        }
        Err(e) => Err(ApiError(e)),
    }
}

/// Records a certification at the person's counter. Received by 15:00 and not
/// large, it is certified now: the answer holds its `number` and `book` ("Quyển số
/// 01/2026-SCT/BS") and the statement to print. Received after 15:00 or with many
/// pages or copies, it becomes an ordinary dossier (`dossier_code`, `due_at`). Send
/// an `Idempotency-Key` so that a retry never takes a second number.
#[utoipa::path(post, path = "/api/v1/certifications", tag = "certification", request_body = CertificationInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Khóa chống gửi trùng")),
    responses(
        (status = 201, body = Certification),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn record(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<CertificationInput>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let c = s
        .app
        .certifications()
        .record(&actor, &input, key.as_deref())
        .await?;
    Ok(created(format!("/api/v1/certifications/{}", c.id), c))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Format {
    /// `json` (default) or `xlsx`: the certification book as a workbook.
    pub format: Option<String>,
}

/// The certification book of an agency for a period (today by default), of one
/// kind or all; with `format=xlsx`, the book as a workbook.
#[utoipa::path(get, path = "/api/v1/certifications", tag = "certification", params(CertificationQuery, Format),
    responses(
        (status = 200, description = "The entries; with `format=xlsx` the book as a workbook",
            content((List<Certification> = "application/json"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<CertificationQuery>,
    ApiQuery(f): ApiQuery<Format>,
) -> ApiResult<Response> {
    match f.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => {
            let items = s.app.certifications().list(&actor, &q).await?;
            Ok(Json(List { items }).into_response())
        }
        Some("xlsx") => {
            let (name, bytes) = s.app.certifications().book_workbook(&actor, &q).await?;
            Ok(workbook(&name, bytes))
        }
        Some(_) => Err(ApiError(Error::field(
            "format",
            "Định dạng là json hoặc xlsx.",
        ))),
    }
}

/// Requests, copies and fees collected per day or month and kind, for an agency
/// or (`scope=subtree`, a supervisor) every unit below it.
#[utoipa::path(get, path = "/api/v1/certifications/counts", tag = "certification", params(CountQuery),
    responses(
        (status = 200, body = List<CountRow>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn counts(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<CountQuery>,
) -> ApiResult<Json<List<CountRow>>> {
    let items = s.app.certifications().counts(&actor, &q).await?;
    Ok(Json(List { items }))
}

/// One certification.
#[utoipa::path(get, path = "/api/v1/certifications/{id}", tag = "certification",
    params(("id" = String, Path, description = "Mã bản ghi chứng thực")),
    responses(
        (status = 200, body = Certification),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Certification>> {
    Ok(Json(s.app.certifications().get(&actor, &id).await?))
}

/// The certification statement as a PDF, laid out to print onto the bottom of
/// the copy.
#[utoipa::path(get, path = "/api/v1/certifications/{id}/statement.pdf", tag = "certification",
    params(("id" = String, Path, description = "Mã bản ghi chứng thực")),
    responses(
        (status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn statement(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let (name, pdf) = s.app.certifications().statement_pdf(&actor, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        pdf,
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeJson {
    /// Why the document is revoked (shown on the verification page).
    pub reason: String,
}

/// Revokes an issued document (a leader of its agency): its public verification
/// page then says it was revoked, when and why.
#[utoipa::path(post, path = "/api/v1/issued/{token}/revoke", tag = "certification", request_body = RevokeJson,
    params(("token" = String, Path, description = "Mã xác minh")),
    responses(
        (status = 200, body = Verification),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<RevokeJson>,
) -> ApiResult<Json<Verification>> {
    Ok(Json(
        s.app
            .certifications()
            .revoke(&actor, &token, &body.reason)
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CertifyJson {
    /// Username of the leader who signs; the agency's first leader when absent.
    pub signer: Option<String>,
    /// "Chủ tịch" when absent.
    pub signer_title: Option<String>,
}

/// Certifies a request that became a dossier (received after 15:00, or large):
/// it takes the next number of its book now.
#[utoipa::path(post, path = "/api/v1/certifications/{id}/certify", tag = "certification", request_body = CertifyJson,
    params(("id" = String, Path, description = "Mã bản ghi chứng thực")),
    responses(
        (status = 200, body = Certification),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn certify(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CertifyJson>,
) -> ApiResult<Json<Certification>> {
    Ok(Json(
        s.app
            .certifications()
            .certify_waiting(
                &actor,
                &id,
                body.signer.as_deref(),
                body.signer_title.as_deref(),
            )
            .await?,
    ))
}
