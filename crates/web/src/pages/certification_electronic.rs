//! The electronic certified copy at the counter (`/chung-thuc/ban-sao-dien-tu`):
//! upload the scan of the original with the requester and document, get the
//! signed copy's number, its PDF and its public verification link.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::certifications::{ElectronicCopy, ElectronicInput};
use motcua_app::dossiers::Upload;
use motcua_app::Error;

use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::form_data::{idempotency_key, FormData, Values};
use crate::pages::FormErrors;
use crate::session::SignedIn;
use crate::AppState;

#[derive(Template)]
#[template(path = "certification_electronic.html")]
struct ElectronicPage {
    chrome: Chrome,
    idem: String,
    form: Values,
    errors: FormErrors,
    done: Option<ElectronicCopy>,
}

fn fresh_form() -> Values {
    let mut form = Values::default();
    form.set("copies", "1");
    form.set("signer_title", "Chủ tịch");
    form
}

fn page(
    s: &SignedIn,
    form: Values,
    errors: FormErrors,
    done: Option<ElectronicCopy>,
    status: StatusCode,
) -> Response {
    render(
        status,
        &ElectronicPage {
            chrome: Chrome::for_user(s, "/chung-thuc"),
            idem: idempotency_key(),
            form,
            errors,
            done,
        },
    )
}

pub async fn show(s: SignedIn) -> Response {
    page(
        &s,
        fresh_form(),
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
}

pub async fn submit(
    State(state): State<AppState>,
    s: SignedIn,
    data: FormData,
) -> Result<Response, PageError> {
    s.check_csrf(data.values.get("_csrf"))?;
    let scan = data.files_of("scan").next().map(|f| Upload {
        name: f.file_name.clone(),
        content_type: f.content_type.clone(),
        bytes: f.bytes.to_vec(),
    });
    let form = data.values;
    let copies = form.opt("copies").map(|c| c.parse::<i64>().unwrap_or(0));
    let input = ElectronicInput {
        requester_name: form.get("requester_name").to_owned(),
        requester_id: form.get("requester_id").to_owned(),
        document_name: form.get("document_name").to_owned(),
        copies,
        signer: None,
        signer_title: form.opt("signer_title"),
    };
    let result = match &scan {
        None => Err(Error::field(
            "scan",
            "Chọn tệp bản chụp bản chính (PDF, JPEG hoặc PNG).",
        )),
        Some(scan) => {
            state
                .app
                .certifications()
                .record_electronic(&s.actor, &input, scan, form.opt("_idem").as_deref())
                .await
        }
    };
    match result {
        Ok(copy) => Ok(page(
            &s,
            fresh_form(),
            FormErrors::default(),
            Some(copy),
            StatusCode::OK,
        )),
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(|error| PageError {
                error,
                chrome: Box::new(Chrome::for_user(&s, "")),
            })?;
            Ok(page(&s, form, errors, None, StatusCode::BAD_REQUEST))
        }
    }
}

/// The signed copy's PDF for the signed-in officer.
pub async fn copy_pdf(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (name, pdf) = state
        .app
        .certifications()
        .copy_pdf(&s.actor, &id)
        .await
        .map_err(|error| PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, "")),
        })?;
    Ok(crate::api::pdf_response(&name, pdf))
}
