//! The certification counter (`/chung-thuc`): one keyboard-first screen. The fee
//! follows pages and copies as they are typed (htmx asks `/chung-thuc/le-phi`);
//! without JavaScript "Tính lệ phí" and the answer page show it, computed by the
//! server. After a certification: its number, book, statement and fee, the PDF to
//! print onto the copy, and "Việc tiếp theo" with the focus on it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use motcua_app::certifications::{Certification, CertificationInput};
use motcua_app::Error;
use motcua_domain::certification::{Kind, SignatureMode};
use motcua_domain::text;
use serde::Deserialize;

use super::datetime_vn;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::form_data::{idempotency_key, FormData, Values};
use crate::pages::FormErrors;
use crate::session::SignedIn;
use crate::AppState;

struct Done {
    id: String,
    number: Option<i64>,
    book: String,
    statement: Vec<String>,
    fee: String,
    fee_words: String,
    dossier: String,
    due: String,
    message: String,
}

#[derive(Template)]
#[template(path = "certification_counter.html")]
struct CounterPage {
    chrome: Chrome,
    idem: String,
    kinds: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    form: Values,
    errors: FormErrors,
    fee: String,
    done: Option<Done>,
}

fn page_err(s: &SignedIn) -> impl Fn(Error) -> PageError + '_ {
    move |error| PageError {
        error,
        chrome: Box::new(Chrome::for_user(s, "")),
    }
}

fn count(v: &str) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        None
    } else {
        // Not a number: out of range, so the use case says what is expected.
        Some(v.parse().unwrap_or(0))
    }
}

/// The fee as the page shows it, or what is missing for it.
async fn fee_text(state: &AppState, kind: &str, pages: &str, copies: &str) -> String {
    match state
        .app
        .certifications()
        .fee(kind, count(pages), count(copies))
        .await
    {
        Ok(f) => format!("{} ({})", text::money(f.total), f.in_words),
        Err(Error::Invalid(e)) => e.0.first().map_or_else(String::new, |f| f.message.clone()),
        Err(_) => "Chưa tính được lệ phí.".to_owned(),
    }
}

async fn counter_page(
    state: &AppState,
    s: &SignedIn,
    form: Values,
    errors: FormErrors,
    done: Option<Done>,
    status: StatusCode,
) -> Response {
    let fee = fee_text(
        state,
        form.get("kind"),
        form.get("pages"),
        form.get("copies"),
    )
    .await;
    render(
        status,
        &CounterPage {
            chrome: Chrome::for_user(s, "/chung-thuc"),
            idem: idempotency_key(),
            kinds: Kind::ALL
                .into_iter()
                // Electronic copies are made by the signing module, not at this form.
                .filter(|k| *k != Kind::ElectronicCopy)
                .map(|k| (k.as_str(), k.label_vi()))
                .collect(),
            modes: [
                SignatureMode::Signed,
                SignatureMode::Fingerprint,
                SignatureMode::NeitherSignNorFingerprint,
            ]
            .into_iter()
            .map(|m| (m.as_str(), m.label_vi()))
            .collect(),
            form,
            errors,
            fee,
            done,
        },
    )
}

fn fresh_form() -> Values {
    let mut form = Values::default();
    form.set("kind", "copy");
    form.set("pages", "1");
    form.set("copies", "1");
    form.set("signer_title", "Chủ tịch");
    form
}

pub async fn show(State(state): State<AppState>, s: SignedIn) -> Response {
    counter_page(
        &state,
        &s,
        fresh_form(),
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct FeeQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    pages: String,
    #[serde(default)]
    copies: String,
}

/// htmx: the fee for what is typed now.
pub async fn fee(
    State(state): State<AppState>,
    _s: SignedIn,
    Query(q): Query<FeeQuery>,
) -> Response {
    Html(
        askama::filters::escape(
            fee_text(&state, &q.kind, &q.pages, &q.copies).await,
            askama::filters::Html,
        )
        .map(|e| e.to_string())
        .unwrap_or_default(),
    )
    .into_response()
}

fn done(c: Certification) -> Done {
    Done {
        id: c.id,
        number: c.number,
        book: c.book.unwrap_or_default(),
        statement: c.statement,
        fee: text::money(c.fee.total),
        fee_words: c.fee.in_words,
        dossier: c.dossier_code.unwrap_or_default(),
        due: c.due_at.map(datetime_vn).unwrap_or_default(),
        message: c.message,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    s: SignedIn,
    data: FormData,
) -> Result<Response, PageError> {
    s.check_csrf(data.values.get("_csrf"))?;
    let form = data.values;
    if form.get("_buoc") == "tinh-le-phi" {
        return Ok(counter_page(
            &state,
            &s,
            form,
            FormErrors::default(),
            None,
            StatusCode::OK,
        )
        .await);
    }
    let input = CertificationInput {
        kind: form.get("kind").to_owned(),
        signature_mode: form.opt("signature_mode"),
        requester_name: form.get("requester_name").to_owned(),
        requester_id: form.get("requester_id").to_owned(),
        document_name: form.get("document_name").to_owned(),
        pages: count(form.get("pages")),
        copies: count(form.get("copies")),
        signer: None,
        signer_title: form.opt("signer_title"),
    };
    let key = form.opt("_idem");
    match state
        .app
        .certifications()
        .record(&s.actor, &input, key.as_deref())
        .await
    {
        Ok(c) => Ok(counter_page(
            &state,
            &s,
            fresh_form(),
            FormErrors::default(),
            Some(done(c)),
            StatusCode::OK,
        )
        .await),
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(page_err(&s))?;
            Ok(counter_page(&state, &s, form, errors, None, StatusCode::BAD_REQUEST).await)
        }
    }
}

/// The statement's PDF for the signed-in officer.
pub async fn statement(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (name, pdf) = state
        .app
        .certifications()
        .statement_pdf(&s.actor, &id)
        .await
        .map_err(page_err(&s))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        pdf,
    )
        .into_response())
}
