//! What can go wrong in a use case, in terms a person (or an API client) can act on.
//! The web layer turns each variant into a page or a problem+json response.

use motcua_domain::validation::{Errors, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input breaks a rule; each field says what is wrong, in Vietnamese.
    #[error("invalid input: {0:?}")]
    Invalid(Errors),
    /// Nothing by that name (message in Vietnamese).
    #[error("not found: {0}")]
    NotFound(String),
    /// Signed in, but not allowed to do this here.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Not signed in, wrong credentials, or an expired session.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// The request clashes with the current state (a name already taken…).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Too many attempts; try again after this many seconds.
    #[error("throttled for {retry_after_secs}s")]
    Throttled {
        retry_after_secs: i64,
        message: String,
    },
    /// A fault of ours; the person is told to try again, the log gets the detail.
    #[error("internal: {0}")]
    Internal(String),
    /// A fault of ours that keeps its cause (a database error…), so that the one
    /// log line at the web edge can show the whole chain. Build it with
    /// [`Error::internal`]; shown to people exactly as [`Error::Internal`].
    #[error("internal: {context}: {source}")]
    Fault {
        context: String,
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A fault of ours, keeping its cause: `.map_err(|e| Error::internal("PDF", e))`.
    pub fn internal(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Error::Fault {
            context: context.into(),
            source: source.into(),
        }
    }

    /// A fault of ours rather than of the request: a 500, logged at the edge.
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Internal(_) | Error::Fault { .. })
    }

    pub fn forbidden() -> Self {
        Error::Forbidden("Bạn không có quyền thực hiện thao tác này tại cơ quan này.".into())
    }

    /// What a person reads: Vietnamese, saying what to do. Internal details stay in
    /// the log.
    pub fn message_vi(&self) -> String {
        match self {
            Error::Invalid(errors) => {
                let parts: Vec<&str> = errors.0.iter().map(|f| f.message.as_str()).collect();
                if parts.is_empty() {
                    "Dữ liệu không hợp lệ.".into()
                } else {
                    parts.join(" ")
                }
            }
            Error::NotFound(m) | Error::Forbidden(m) | Error::Unauthenticated(m) | Error::Conflict(m) => {
                m.clone()
            }
            Error::Throttled { message, .. } => message.clone(),
            Error::Internal(_) | Error::Fault { .. } => "Hệ thống gặp sự cố khi xử lý yêu cầu. Dữ liệu chưa bị thay đổi; vui lòng thử lại sau ít phút.".into(),
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid(FieldError::new(field, message).into())
    }
}

impl From<Errors> for Error {
    fn from(e: Errors) -> Self {
        Error::Invalid(e)
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Invalid(e.into())
    }
}

/// Not logged here: the web edge logs each fault once, with the request it failed.
impl From<motcua_store::StoreError> for Error {
    fn from(e: motcua_store::StoreError) -> Self {
        Error::internal("database", e)
    }
}
