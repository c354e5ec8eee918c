//! A dossier's files and its printed forms (mẫu 01–06) as PDF.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use motcua_app::dossiers::Form;
use motcua_app::Error;

use super::page_err;
use crate::error::PageError;
use crate::session::SignedIn;
use crate::AppState;

/// `filename` for the header: printable ASCII only, and the UTF-8 name beside it.
fn content_disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::pages::form_data::query_value(name)
    )
}

pub async fn file(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (f, bytes) = state
        .app
        .dossiers()
        .file(&s.actor, &code, &id)
        .await
        .map_err(page_err(&s))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition("attachment", &f.name),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn form_pdf(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let number = file.strip_suffix(".pdf").unwrap_or_default();
    let Some(form) = Form::parse(number).filter(|_| number.len() == 2) else {
        return Err(page_err(&s)(Error::NotFound(
            "Không có mẫu phiếu này (các mẫu từ 01 đến 06).".into(),
        )));
    };
    let pdf = state
        .app
        .dossiers()
        .form_pdf(&s.actor, &code, form)
        .await
        .map_err(page_err(&s))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition("inline", &format!("{}-mau-{number}.pdf", code.trim())),
            ),
        ],
        pdf,
    )
        .into_response())
}
