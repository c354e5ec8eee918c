//! Civil-status registers: search (keyset-paged), one entry with its history, and
//! its certified extract.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use motcua_app::registers::{Entry, SearchPage, SearchQuery};
use motcua_app::Principal;

use serde::Deserialize;
use utoipa::ToSchema;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::error::{ApiError, Problem};
use crate::session::ApiUser;
use crate::AppState;

type ApiResult<T> = Result<T, ApiError>;

/// Searches an agency's civil-status registers. Names match with or without
/// diacritics, in any case, precomposed or combining; results come in Vietnamese
/// alphabetical order; `next` is the `after` of the following page.
#[utoipa::path(get, path = "/api/v1/civil-events", tag = "registers", params(SearchQuery),
    responses(
        (status = 200, body = SearchPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn search(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchPage>> {
    Ok(Json(
        s.app
            .registers()
            .search(&Principal::User(actor), &q)
            .await?,
    ))
}

/// One entry: its current values (original values with its notes applied in
/// order), its original values, and the history of its notes.
#[utoipa::path(get, path = "/api/v1/civil-events/{id}", tag = "registers",
    params(("id" = String, Path, description = "Mã mục đăng ký")),
    responses(
        (status = 200, body = Entry),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Entry>> {
    Ok(Json(
        s.app
            .registers()
            .entry_as(&Principal::User(actor), &id)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ExtractJson {
    /// Copies to issue, 1–1.000 (the fee is 8.000 đ a copy by default).
    pub copies: i64,
}

/// Issues a certified extract (trích lục, bản sao) of the entry with its current
/// values, book and number, and a QR code to its public verification page
/// `/xac-minh/{token}`. The answer is the PDF; `X-Verification-Url` names the page,
/// `X-Fee-Total` the fee to collect in đồng.
#[utoipa::path(post, path = "/api/v1/civil-events/{id}/extracts", tag = "registers", request_body = ExtractJson,
    params(("id" = String, Path, description = "Mã mục đăng ký")),
    responses(
        (status = 201, content_type = "application/pdf", body = Vec<u8>,
            headers(("X-Verification-Url" = String), ("X-Fee-Total" = i64))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn extract(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ExtractJson>,
) -> ApiResult<Response> {
    let x = s
        .app
        .registers()
        .issue_extract(&Principal::User(actor), &id, input.copies)
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", x.file_name),
            ),
            (
                header::HeaderName::from_static("x-verification-url"),
                x.verification_url,
            ),
            (
                header::HeaderName::from_static("x-fee-total"),
                x.fee.total.to_string(),
            ),
        ],
        x.pdf,
    )
        .into_response())
}
