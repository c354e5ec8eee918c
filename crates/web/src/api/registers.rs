//! Civil-status registers: search (keyset-paged), one entry with its history,
//! entries and notes by hand, books, and the certified extract.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use motcua_app::registers::{Book, Entry, SearchPage, SearchQuery};
use motcua_app::Principal;
use motcua_domain::civil::Cell;

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

/// A value of an entry's field as JSON carries it: text (dates dd/mm/yyyy or
/// YYYY-MM-DD) or a whole number (an entry's number, a year).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum FieldJson {
    Text(String),
    Number(i64),
}

fn cells(fields: BTreeMap<String, FieldJson>) -> BTreeMap<String, Cell> {
    fields
        .into_iter()
        .map(|(k, v)| {
            let cell = match v {
                FieldJson::Text(s) => Cell::Text(s),
                FieldJson::Number(n) => Cell::Integer(n),
            };
            (k, cell)
        })
        .collect()
}

/// The agency a request names, or the person's own.
fn agency_or_own(agency: &Option<String>, actor: &motcua_app::Actor) -> String {
    agency.clone().unwrap_or_else(|| actor.agency.code.clone())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewEntryJson {
    /// The agency's identifier code; the person's own when absent.
    pub agency: Option<String>,
    /// birth | death | marriage | recognition | marital_status | guardianship
    pub kind: String,
    #[serde(default)]
    pub re_registration: bool,
    /// The entry's fields by name (`full_name`, `date_of_birth`, `registered_on`…),
    /// with `book` and `number` for a historical entry copied from a paper
    /// register (and `book_year` when the book's year differs from the year of
    /// registration); without them the entry is numbered next in the current book.
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, FieldJson>,
}

/// Enters an entry by hand: a historical one keeps its book and number (a
/// number already taken is refused with 409, never overwritten); a new one is
/// numbered next in the year's current book.
#[utoipa::path(post, path = "/api/v1/civil-events", tag = "registers", request_body = NewEntryJson,
    responses(
        (status = 201, body = Entry),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<NewEntryJson>,
) -> ApiResult<(axum::http::StatusCode, Json<Entry>)> {
    let agency = agency_or_own(&input.agency, &actor);
    let entry = s
        .app
        .registers()
        .create(
            &Principal::User(actor),
            &agency,
            &input.kind,
            input.re_registration,
            &cells(input.fields),
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(entry)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NoteJson {
    /// change (thay đổi) | correction (cải chính) | supplement (bổ sung)
    pub kind: String,
    /// The note's date, dd/mm/yyyy.
    pub on: String,
    /// The fields the note sets, by name; an empty text clears a field.
    #[schema(value_type = Object)]
    pub changes: BTreeMap<String, FieldJson>,
    pub reason: String,
    /// The decision or document it rests on.
    pub basis: Option<String>,
}

/// Adds a dated note of change, correction or supplement to an entry; the
/// entry's original values stay, its current values and history show the note.
#[utoipa::path(post, path = "/api/v1/civil-events/{id}/notes", tag = "registers", request_body = NoteJson,
    params(("id" = String, Path, description = "Mã mục đăng ký")),
    responses(
        (status = 201, body = Entry),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_note(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<NoteJson>,
) -> ApiResult<(axum::http::StatusCode, Json<Entry>)> {
    let entry = s
        .app
        .registers()
        .add_note(
            &Principal::User(actor),
            &id,
            &input.kind,
            &input.on,
            &cells(input.changes),
            &input.reason,
            input.basis.as_deref(),
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(entry)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BooksQuery {
    /// The agency's identifier code; the person's own when absent.
    pub agency: Option<String>,
}

/// An agency's register books (quyển), the latest year first.
#[utoipa::path(get, path = "/api/v1/civil-books", tag = "registers", params(BooksQuery),
    responses(
        (status = 200, body = Vec<Book>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn books(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<BooksQuery>,
) -> ApiResult<Json<Vec<Book>>> {
    Ok(Json(
        s.app
            .registers()
            .books(&Principal::User(actor), q.agency.as_deref())
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BookJson {
    /// The agency's identifier code; the person's own when absent.
    pub agency: Option<String>,
    pub kind: String,
    pub year: i64,
    /// The book to close (quyển số, e.g. "01/2026" or "01"); for `next`, unused.
    pub label: Option<String>,
}

/// Closes a book at the end of its year (khóa sổ; leaders): neither it nor its
/// year's register of that kind takes a new entry afterwards.
#[utoipa::path(post, path = "/api/v1/civil-books/close", tag = "registers", request_body = BookJson,
    responses(
        (status = 200, body = Book),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn close_book(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<BookJson>,
) -> ApiResult<Json<Book>> {
    let agency = agency_or_own(&input.agency, &actor);
    let label = input.label.as_deref().unwrap_or_default();
    Ok(Json(
        s.app
            .registers()
            .close_book(
                &Principal::User(actor),
                &agency,
                &input.kind,
                input.year,
                label,
            )
            .await?,
    ))
}

/// The current book is full: it is closed and the next volume of its year
/// opened, in which the numbers go on from the last one written (leaders).
#[utoipa::path(post, path = "/api/v1/civil-books/next", tag = "registers", request_body = BookJson,
    responses(
        (status = 201, body = Book),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn open_next_book(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<BookJson>,
) -> ApiResult<(axum::http::StatusCode, Json<Book>)> {
    let agency = agency_or_own(&input.agency, &actor);
    let book = s
        .app
        .registers()
        .open_next_book(&Principal::User(actor), &agency, &input.kind, input.year)
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(book)))
}
