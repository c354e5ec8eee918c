//! Query-string and path extractors whose failures are problem+json in Vietnamese,
//! like `ApiJson` for bodies: axum's own rejections are plain English text, which a
//! client of the API could neither parse nor show to a person.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use motcua_app::Error;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Query<T>` answering a malformed query string with a 400 problem.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(query_problem(&rejection)),
        }
    }
}

fn query_problem(rejection: &QueryRejection) -> ApiError {
    // serde_urlencoded names neither field nor position in a structured way; its
    // text (e.g. "limit: invalid digit found in string") is kept as the detail's
    // technical part, after a sentence a person can act on.
    let technical = match rejection {
        QueryRejection::FailedToDeserializeQueryString(e) => e.body_text(),
        other => other.body_text(),
    };
    let technical = technical
        .trim_start_matches("Failed to deserialize query string: ")
        .to_owned();
    let message = if technical.contains("duplicate field") {
        format!("Mỗi tham số truy vấn chỉ được gửi một lần (chi tiết: {technical}).")
    } else {
        format!("Tham số truy vấn không hợp lệ hoặc sai kiểu dữ liệu (chi tiết: {technical}).")
    };
    ApiError(Error::field("query", message))
}

/// `Path<T>` answering an undecodable path segment with a 400 problem.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(rejection) => Err(path_problem(rejection)),
        }
    }
}

fn path_problem(rejection: PathRejection) -> ApiError {
    match rejection {
        PathRejection::FailedToDeserializePathParams(e) => match e.into_kind() {
            ErrorKind::InvalidUtf8InPathParam { key } => ApiError(Error::field(
                &key,
                format!("Đường dẫn có phần «{key}» chứa ký tự không hợp lệ (không phải UTF-8)."),
            )),
            other => ApiError(Error::field(
                "path",
                format!("Đường dẫn không hợp lệ (chi tiết: {other})."),
            )),
        },
        // A route whose handler asks for parameters the route does not have: our
        // bug, not the client's.
        other => ApiError(Error::Internal(other.body_text())),
    }
}
