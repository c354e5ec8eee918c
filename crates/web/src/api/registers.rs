//! Civil-status registers: search (keyset-paged) and one entry with its history.

use axum::extract::State;
use axum::Json;
use motcua_app::registers::{Entry, SearchPage, SearchQuery};
use motcua_app::Principal;

use super::{ApiPath, ApiQuery};
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
