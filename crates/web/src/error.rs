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
    /// The request's `X-Request-Id`, as `urn:motcua:request:<id>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request's `X-Request-Id`: quote it to support; the log has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
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
        Error::Internal(_) | Error::Fault { .. } => StatusCode::INTERNAL_SERVER_ERROR,
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
        Error::Internal(_) | Error::Fault { .. } => ("internal", "Lỗi hệ thống"),
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

/// The error and every cause under it, on one line. A cause whose text its parent
/// already quotes (`database: … no such table`) is not repeated.
pub fn report(e: &(dyn std::error::Error + 'static)) -> String {
    let mut line = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = c.source();
    }
    line
}

/// The one log line of a fault, inside the request's span (id, method, route).
/// Errors of the request itself (invalid, not found…) are answers, not faults.
fn log_fault(e: &Error) {
    if e.is_internal() {
        tracing::error!(error = ?report(e), "request failed");
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        log_fault(&e);
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
        let mut response = problem(status, kind, title, detail_of(&e), errors);
        let headers = response.headers_mut();
        if let Error::Unauthenticated(_) = &e {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        set_retry_after(&mut response, &e);
        response
    }
}

/// `Retry-After` on the answer to a throttled request, API or page.
pub fn set_retry_after(response: &mut Response, e: &Error) {
    if let Error::Throttled {
        retry_after_secs, ..
    } = e
    {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
}

/// A problem+json answer for an error that is no use case's: the request's own
/// shape (a method the route does not have) rather than what it asked for.
pub fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: String,
    errors: Vec<ProblemField>,
) -> Response {
    let request_id = crate::request_id::current();
    let body = Problem {
        kind: format!("urn:motcua:problem:{kind}"),
        title: title.into(),
        status: status.as_u16(),
        detail,
        errors,
        instance: request_id
            .as_ref()
            .map(|id| format!("urn:motcua:request:{id}")),
        request_id,
    };
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// A Vietnamese page for an answer that is no use case's (a body too large, a
/// request that took too long), for a person who may not be signed in.
pub fn status_page(status: StatusCode, title: &str, detail: String) -> Response {
    render(
        status,
        &ErrorPage {
            chrome: Chrome::anonymous(),
            title: title.into(),
            detail,
            request_id: crate::request_id::current(),
        },
    )
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
        log_fault(&self.error);
        let status = status_of(&self.error);
        let (_, title) = kind_of(&self.error);
        let page = ErrorPage {
            chrome: *self.chrome,
            title: title.into(),
            detail: detail_of(&self.error),
            request_id: self
                .error
                .is_internal()
                .then(crate::request_id::current)
                .flatten(),
        };
        let mut response = render(status, &page);
        set_retry_after(&mut response, &self.error);
        response
    }
}
