//! Turning use-case errors into HTTP: problem+json for the API (RFC 9457), a
//! Vietnamese page for people.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::Error;
use serde::Serialize;
use utoipa::ToSchema;

use crate::layout::{render, Chrome, ErrorPage};

/// An API error body, `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:motcua:problem:invalid-input`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, in Vietnamese, for a person.
    pub detail: String,
    /// Per-field messages when the input was invalid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
}

pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Invalid(_) => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The Vietnamese sentence a person reads.
pub fn detail_of(e: &Error) -> String {
    e.message_vi()
}

fn kind_of(e: &Error) -> (&'static str, &'static str) {
    match e {
        Error::Invalid(_) => ("invalid-input", "Dữ liệu không hợp lệ"),
        Error::NotFound(_) => ("not-found", "Không tìm thấy"),
        Error::Forbidden(_) => ("forbidden", "Không có quyền"),
        Error::Unauthenticated(_) => ("unauthenticated", "Chưa xác thực"),
        Error::Conflict(_) => ("conflict", "Xung đột dữ liệu"),
        Error::Throttled { .. } => ("too-many-attempts", "Thử quá nhiều lần"),
        Error::Internal(_) => ("internal", "Lỗi hệ thống"),
    }
}

pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError(Error::Invalid(
            motcua_domain::validation::FieldError::new("body", detail).into(),
        ))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(&e);
        let (kind, title) = kind_of(&e);
        let errors = match &e {
            Error::Invalid(errors) => errors
                .0
                .iter()
                .map(|f| ProblemField {
                    field: f.field.clone(),
                    message: f.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let body = Problem {
            kind: format!("urn:motcua:problem:{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail_of(&e),
            errors,
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match &e {
            Error::Unauthenticated(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Error::Throttled {
                retry_after_secs, ..
            } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        response
    }
}

/// An error on a page: shown as a Vietnamese page, or, when the person is not signed
/// in, a redirect to the sign-in page.
pub struct PageError {
    pub error: Error,
    pub chrome: Box<Chrome>,
}

impl From<Error> for PageError {
    fn from(error: Error) -> Self {
        PageError {
            error,
            chrome: Box::new(Chrome::anonymous()),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let Error::Unauthenticated(_) = self.error {
            return Redirect::to("/dang-nhap").into_response();
        }
        let status = status_of(&self.error);
        let (_, title) = kind_of(&self.error);
        let page = ErrorPage {
            chrome: *self.chrome,
            title: title.into(),
            detail: detail_of(&self.error),
        };
        render(status, &page)
    }
}
