//! Public verification of an issued document (`/xac-minh/{token}`, no sign-in):
//! who issued it, when, its number and book, the hash of its file, and whether it
//! was revoked; for a civil-status extract also the registrant's name and date of
//! birth, only what is needed to compare it with the paper. An unknown token is a
//! 404 page saying so.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::datetime_vn;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::AppState;

struct Shown {
    title: String,
    agency: String,
    issued_by: String,
    issued_at: String,
    number: Option<i64>,
    book: Option<String>,
    sha256: Option<String>,
    /// "Số chứng thực" or "Số đăng ký": what the number counts.
    number_label: &'static str,
    /// A civil-status extract: (full name, date of birth dd/mm/yyyy, copies).
    subject: Option<(String, String, String)>,
    /// (when, reason)
    revoked: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "verification.html")]
struct VerificationPage {
    chrome: Chrome,
    found: Option<Shown>,
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let found = state.app.certifications().verify(&token).await?;
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let found = found.map(|v| Shown {
        number_label: if v.kind == "civil_extract" {
            "Số đăng ký"
        } else {
            "Số chứng thực"
        },
        subject: v.subject_name.map(|name| {
            (
                name,
                v.subject_born
                    .map(|d| d.strftime("%d/%m/%Y").to_string())
                    .unwrap_or_default(),
                v.copies.map(|c| c.to_string()).unwrap_or_default(),
            )
        }),
        title: v.title,
        agency: v.agency_name,
        issued_by: v.issued_by,
        issued_at: datetime_vn(v.issued_at),
        number: v.number,
        book: v.book,
        sha256: v.sha256,
        revoked: v
            .revoked_at
            .map(|at| (datetime_vn(at), v.revocation_reason.unwrap_or_default())),
    });
    Ok(render(
        status,
        &VerificationPage {
            chrome: Chrome::anonymous(),
            found,
        },
    ))
}
