//! A submitted form, URL-encoded or multipart alike: its text fields, kept in order
//! so that a form shown again holds exactly what the person typed, and its files.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use motcua_app::Error;
use motcua_domain::validation::FieldError;

use crate::error::PageError;
use crate::AppState;

/// One uploaded file.
pub struct Upload {
    pub field: String,
    pub file_name: String,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// What a person typed, by field name; an empty set for a fresh form.
#[derive(Default, Clone)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    /// The first value of a field, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The value trimmed, `None` when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        let v = self.get(name).trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    /// Whether the field holds this value (a selected option, a checked box).
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }

    /// Whether any field whose name starts with `prefix` holds a non-blank value.
    pub fn any_with_prefix(&self, prefix: &str) -> bool {
        self.0
            .iter()
            .any(|(k, v)| k.starts_with(prefix) && !v.trim().is_empty())
    }

    /// Every value of a field sent several times, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The files a refused form kept on the server: (token, "name (size)").
    pub fn kept_files(&self) -> Vec<(String, String)> {
        self.all("pending_files")
            .into_iter()
            .zip(self.all("pending_name"))
            .collect()
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }
}

pub struct FormData {
    pub values: Values,
    pub files: Vec<Upload>,
}

impl FormData {
    /// The files actually chosen in the input `field` (browsers send an empty part
    /// for an input left empty).
    pub fn files_of<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a Upload> + 'a {
        self.files
            .iter()
            .filter(move |f| f.field == field && !(f.file_name.is_empty() && f.bytes.is_empty()))
    }
}

/// A form that could not be read: over the route's limit (413, in Vietnamese), or
/// cut off.
fn unreadable(status: axum::http::StatusCode, detail: impl std::fmt::Display) -> Response {
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return crate::input_guard::too_large(false);
    }
    tracing::info!(error = ?detail.to_string(), "unreadable form");
    PageError::from(Error::Invalid(
        FieldError::new(
            "files",
            "Không đọc được dữ liệu gửi lên: tệp quá lớn (tối đa 30 MB mỗi lần gửi) hoặc đường truyền bị gián đoạn. Vui lòng quay lại và gửi lại.",
        )
        .into(),
    ))
    .into_response()
}

impl FromRequest<AppState> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let mut values = Values::default();
        let mut files = Vec::new();
        if multipart {
            let mut parts = Multipart::from_request(req, state)
                .await
                .map_err(|e| unreadable(e.status(), e.body_text()))?;
            while let Some(field) = parts
                .next_field()
                .await
                .map_err(|e| unreadable(e.status(), e))?
            {
                let name = field.name().unwrap_or_default().to_owned();
                match field.file_name().map(str::to_owned) {
                    Some(file_name) => {
                        let content_type = field.content_type().map(str::to_owned);
                        let bytes = field.bytes().await.map_err(|e| unreadable(e.status(), e))?;
                        files.push(Upload {
                            field: name,
                            file_name,
                            content_type,
                            bytes,
                        });
                    }
                    None => {
                        let text = field.text().await.map_err(|e| unreadable(e.status(), e))?;
                        values.0.push((name, text));
                    }
                }
            }
        } else {
            let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(|e| unreadable(e.status(), e.body_text()))?;
            values.0 = pairs;
        }
        // URL-encoded forms were checked by the input guard; a multipart form's
        // fields and file names are checked here, before any use case reads them.
        let mut errors = motcua_domain::validation::Errors::new();
        for (name, text) in &values.0 {
            if let Some(c) = motcua_domain::text::forbidden_control(text, true) {
                errors.push(name, control_message(name, c));
            }
        }
        for f in &files {
            if let Some(c) = motcua_domain::text::forbidden_control(&f.file_name, false) {
                errors.push(&f.field, control_message("Tên tệp", c));
            }
        }
        errors
            .into_result()
            .map_err(|e| PageError::from(Error::Invalid(e)).into_response())?;
        Ok(FormData { values, files })
    }
}

/// The message for a control character in a form's field or file name.
fn control_message(what: &str, c: char) -> String {
    motcua_domain::validation::control_message(&format!("«{}»", what.escape_default()), c)
}

/// A value for a URL's query string: everything but the unreserved characters
/// percent-encoded.
pub fn query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A random key for a form: sent back with it, so that a double click or a
/// resubmitted page acts once.
pub fn idempotency_key() -> String {
    motcua_app::secrets::random_token()
}
