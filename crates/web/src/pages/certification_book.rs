//! The certification book's counts (`/chung-thuc/so`): requests, copies and
//! fees per day or month and kind, for the agency or (a supervisor) every unit
//! below; the book of each kind as .xlsx for the period; closing a book (a
//! leader).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::certifications::{CertificationQuery, CountQuery, CountRow};
use motcua_domain::certification::{Kind, BOOKS};
use motcua_domain::text;
use motcua_domain::user::Role;
use serde::Deserialize;

use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::form_data::{query_value, FormData};
use crate::session::SignedIn;
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct BookQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    kind: String,
    /// A message after closing a book.
    #[serde(default)]
    closed: String,
}

struct Row {
    period: String,
    kind: String,
    requests: i64,
    copies: i64,
    fees: String,
}

#[derive(Template)]
#[template(path = "certification_book.html")]
struct BookPage {
    chrome: Chrome,
    from: String,
    to: String,
    by_month: bool,
    subtree: bool,
    supervisor: bool,
    leader: bool,
    rows: Vec<Row>,
    total_requests: i64,
    total_fees: String,
    /// (label, link to the workbook)
    downloads: Vec<(String, String)>,
    books: Vec<(&'static str, &'static str)>,
    error: String,
    closed: String,
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// The first and last day of the current month when none is given.
fn default_period(state: &AppState) -> (String, String) {
    let today = state.app.today();
    let first = today.first_of_month();
    (first.to_string(), today.to_string())
}

pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<BookQuery>,
) -> Response {
    let (from_default, to_default) = default_period(&state);
    let from = opt(&q.from).unwrap_or(from_default);
    let to = opt(&q.to).unwrap_or(to_default);
    let by_month = q.by == "month";
    let subtree = q.scope == "subtree";
    let counts = state
        .app
        .certifications()
        .counts(
            &s.actor,
            &CountQuery {
                agency: None,
                from: Some(from.clone()),
                to: Some(to.clone()),
                by: Some(if by_month { "month" } else { "day" }.to_owned()),
                scope: Some(if subtree { "subtree" } else { "self" }.to_owned()),
            },
        )
        .await;
    let (rows, error): (Vec<CountRow>, String) = match counts {
        Ok(rows) => (rows, String::new()),
        Err(motcua_app::Error::Invalid(e)) => (
            Vec::new(),
            e.0.iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(e) => (Vec::new(), e.message_vi()),
    };
    let total_requests = rows.iter().map(|r| r.requests).sum();
    let total_fees = text::money(rows.iter().map(|r| r.fees).sum());
    let period = format!("from={}&to={}", query_value(&from), query_value(&to));
    let mut downloads = vec![(
        "Tất cả các sổ".to_owned(),
        format!("/chung-thuc/so/so-chung-thuc.xlsx?{period}"),
    )];
    downloads.extend(Kind::ALL.into_iter().map(|k| {
        (
            k.label_vi().to_owned(),
            format!(
                "/chung-thuc/so/so-chung-thuc.xlsx?{period}&kind={}",
                k.as_str()
            ),
        )
    }));
    render(
        StatusCode::OK,
        &BookPage {
            chrome: Chrome::for_user(&s, "/chung-thuc"),
            supervisor: s.actor.has(Role::Supervisor),
            leader: s.actor.has(Role::Leader),
            rows: rows
                .into_iter()
                .map(|r| Row {
                    period: r.period,
                    kind: r.kind_label,
                    requests: r.requests,
                    copies: r.copies,
                    fees: text::money(r.fees),
                })
                .collect(),
            total_requests,
            total_fees,
            downloads,
            books: BOOKS
                .iter()
                .filter_map(|b| {
                    Kind::ALL
                        .into_iter()
                        .find(|k| k.book_code() == b.code)
                        .map(|k| (k.as_str(), b.name))
                })
                .collect(),
            from,
            to,
            by_month,
            subtree,
            error,
            closed: q.closed.chars().take(200).collect(),
        },
    )
}

/// The book of one kind (all when none) for the period, as .xlsx.
pub async fn workbook(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<BookQuery>,
) -> Result<Response, PageError> {
    let (name, bytes) = state
        .app
        .certifications()
        .book_workbook(
            &s.actor,
            &CertificationQuery {
                agency: None,
                from: opt(&q.from),
                to: opt(&q.to),
                kind: opt(&q.kind),
            },
        )
        .await
        .map_err(|error| PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, "")),
        })?;
    Ok(crate::api::reports::workbook(&name, bytes))
}

/// Closes a book (a leader), then back to the counts with what happened.
pub async fn close(
    State(state): State<AppState>,
    s: SignedIn,
    data: FormData,
) -> Result<Response, PageError> {
    s.check_csrf(data.values.get("_csrf"))?;
    let message = match state
        .app
        .certifications()
        .close_book(&s.actor, data.values.get("kind"))
        .await
    {
        Ok(b) => format!(
            "Đã khóa quyển {} ({}) ở số {}; việc chứng thực tiếp theo vào quyển {}.",
            b.book, b.book_name, b.last_number, b.next_book
        ),
        Err(e) => e.message_vi(),
    };
    Ok(Redirect::to(&format!("/chung-thuc/so?closed={}", query_value(&message))).into_response())
}
