//! Certification (chứng thực): the fee of a request, recording a certification at
//! the counter, the book (JSON or .xlsx), counts, the printed statement, and
//! revoking an issued document.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use motcua_app::certifications::{
    Certification, CertificationInput, CertificationQuery, ClosedBook, CountQuery, CountRow,
    ElectronicCopy, ElectronicInput, Fee, Verification,
};
use motcua_app::dossiers::Upload;
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

/// The electronic copy's form, as the OpenAPI document describes it.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Read field by field from the multipart body.
pub struct ElectronicForm {
    /// The scan of the original: one PDF (any number of pages), JPEG or PNG,
    /// at most 50 MB.
    #[schema(value_type = String, format = Binary)]
    pub scan: Vec<u8>,
    pub requester_name: String,
    /// The requester's 12-digit personal identification number.
    pub requester_id: String,
    /// The document certified, e.g. "Bằng tốt nghiệp trung học phổ thông".
    pub document_name: String,
    /// Copies charged; 1 when absent.
    pub copies: Option<i64>,
    /// Username of the leader who signs; the agency's first leader when absent.
    pub signer: Option<String>,
    /// "Chủ tịch" when absent.
    pub signer_title: Option<String>,
}

/// A multipart body read into the use case's input and the scan; problem+json
/// for anything unreadable.
async fn electronic_form(
    req: axum::extract::Request,
    state: &AppState,
) -> ApiResult<(ElectronicInput, Option<Upload>)> {
    use axum::extract::FromRequest;
    let unreadable = |status: axum::http::StatusCode| -> ApiError {
        if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError(Error::field(
                "scan",
                format!(
                    "Tệp bản chụp vượt quá {} MB.",
                    motcua_domain::limits::megabytes(motcua_domain::limits::SCAN_BYTES)
                ),
            ))
        } else {
            ApiError(Error::field(
                "scan",
                "Gửi bản chụp và các thông tin dưới dạng multipart/form-data (trường scan là tệp).",
            ))
        }
    };
    let mut parts = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|e| unreadable(e.status()))?;
    let mut input = ElectronicInput::default();
    let mut scan = None;
    let mut errors = Errors::new();
    while let Some(field) = parts
        .next_field()
        .await
        .map_err(|e| unreadable(e.status()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "scan" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let content_type = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|e| unreadable(e.status()))?;
            scan = Some(Upload {
                name: file_name,
                content_type,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let text = field.text().await.map_err(|e| unreadable(e.status()))?;
        if let Some(c) = motcua_domain::text::forbidden_control(&text, true) {
            errors.push(
                &name,
                motcua_domain::validation::control_message(&format!("«{name}»"), c),
            );
            continue;
        }
        match name.as_str() {
            "requester_name" => input.requester_name = text,
            "requester_id" => input.requester_id = text,
            "document_name" => input.document_name = text,
            "copies" => input.copies = count("copies", "bản", Some(&text), &mut errors),
            "signer" => input.signer = Some(text),
            "signer_title" => input.signer_title = Some(text),
            // Unknown fields are ignored, as in JSON bodies.
            _ => {}
        }
    }
    errors.into_result().map_err(|e| ApiError(e.into()))?;
    Ok((input, scan))
}

/// Certifies an electronic copy from the scan of its original (chứng thực bản
/// sao điện tử từ bản chính): the next number of the book, the copy (the scan's
/// pages and a certification page with a QR code to `/xac-minh/{token}`),
/// signed with the leader's certificate (a PDF signature `pdfsig` verifies),
/// stored; `file_url` downloads it. Send an `Idempotency-Key` so that a retry
/// never takes a second number.
#[utoipa::path(post, path = "/api/v1/certifications/electronic", tag = "certification",
    request_body(content = ElectronicForm, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Khóa chống gửi trùng")),
    responses(
        (status = 201, body = ElectronicCopy),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn electronic(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let (input, scan) = electronic_form(req, &s).await?;
    let scan = scan.ok_or_else(|| {
        ApiError(Error::field(
            "scan",
            "Chọn tệp bản chụp bản chính (PDF, JPEG hoặc PNG).",
        ))
    })?;
    let copy = s
        .app
        .certifications()
        .record_electronic(&actor, &input, &scan, key.as_deref())
        .await?;
    Ok(created(
        format!("/api/v1/certifications/{}", copy.certification.id),
        copy,
    ))
}

/// The signed PDF of an electronic certified copy.
#[utoipa::path(get, path = "/api/v1/certifications/{id}/copy.pdf", tag = "certification",
    params(("id" = String, Path, description = "Mã bản ghi chứng thực")),
    responses(
        (status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn copy_pdf(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let (name, pdf) = s.app.certifications().copy_pdf(&actor, &id).await?;
    Ok(pdf_response(&name, pdf))
}

/// A PDF to show in the browser.
pub(crate) fn pdf_response(name: &str, pdf: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        pdf,
    )
        .into_response()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseBookJson {
    /// A kind of the book to close: copy (also electronic copies), signature,
    /// contract, …
    pub kind: String,
}

/// Closes this year's open certification book of a kind at the leader's
/// agency (khóa sổ): it takes no new number, and the next certification opens
/// the next volume.
#[utoipa::path(post, path = "/api/v1/certifications/books/close", tag = "certification", request_body = CloseBookJson,
    responses(
        (status = 200, body = ClosedBook),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn close_book(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<CloseBookJson>,
) -> ApiResult<Json<ClosedBook>> {
    Ok(Json(
        s.app
            .certifications()
            .close_book(&actor, &body.kind)
            .await?,
    ))
}
