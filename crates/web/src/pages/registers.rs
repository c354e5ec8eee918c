//! The register search page (`/ho-tich`) and an entry's page, for officers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_app::registers::{Entry, SearchPage, SearchQuery};
use motcua_app::Principal;
use motcua_domain::civil::Kind;

use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::form_data::FormData;
use crate::session::SignedIn;
use crate::AppState;

#[derive(Template)]
#[template(path = "registers.html")]
struct SearchView {
    chrome: Chrome,
    q: SearchQuery,
    kinds: Vec<(&'static str, &'static str)>,
    page: Option<SearchPage>,
    next_link: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "register_entry.html")]
struct EntryView {
    chrome: Chrome,
    e: Entry,
    /// The extract's fee for one copy ("8.000 đ").
    fee_per_copy: String,
    copies: String,
    error: Option<String>,
}

/// Formatting the templates call (askama resolves bare calls on the view).
trait Formats {
    fn dmy(&self, d: &jiff::civil::Date) -> String {
        d.strftime("%d/%m/%Y").to_string()
    }

    fn opt_dmy(&self, d: &Option<jiff::civil::Date>) -> String {
        d.as_ref().map(|d| self.dmy(d)).unwrap_or_default()
    }

    fn val<'a>(&self, s: &'a Option<String>) -> &'a str {
        s.as_deref().unwrap_or_default()
    }
}

impl Formats for SearchView {}
impl Formats for EntryView {}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub async fn search(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let chrome = Chrome::for_user(&s, "/ho-tich");
    let asked = [
        &q.q,
        &q.kind,
        &q.born,
        &q.mother,
        &q.father,
        &q.book,
        &q.personal_id,
    ]
    .iter()
    .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
        || q.year.is_some()
        || q.number.is_some();
    let (page, error) = if asked {
        match state
            .app
            .registers()
            .search(&Principal::User(s.actor.clone()), &q)
            .await
        {
            Ok(p) => (Some(p), None),
            Err(e) if !e.is_internal() => (None, Some(e.message_vi())),
            Err(error) => {
                return Err(PageError {
                    error,
                    chrome: Box::new(chrome),
                })
            }
        }
    } else {
        (None, None)
    };
    let next_link = page.as_ref().and_then(|p| p.next.as_ref()).map(|next| {
        let mut link = String::from("/ho-tich?");
        for (k, v) in [
            ("q", q.q.clone()),
            ("kind", q.kind.clone()),
            ("born", q.born.clone()),
            ("mother", q.mother.clone()),
            ("father", q.father.clone()),
            ("book", q.book.clone()),
            ("personal_id", q.personal_id.clone()),
            ("year", q.year.map(|y| y.to_string())),
            ("number", q.number.map(|n| n.to_string())),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                link.push_str(&format!("{k}={}&", enc(&v)));
            }
        }
        link.push_str(&format!("after={}", enc(next)));
        link
    });
    Ok(render(
        StatusCode::OK,
        &SearchView {
            chrome,
            q,
            kinds: Kind::ALL
                .iter()
                .map(|k| (k.as_str(), k.label_vi()))
                .collect(),
            page,
            next_link,
            error,
        },
    ))
}

pub async fn entry(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    entry_page(&state, &s, &id, "1".into(), None).await
}

async fn entry_page(
    state: &AppState,
    s: &SignedIn,
    id: &str,
    copies: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let chrome = Chrome::for_user(s, "/ho-tich");
    let regs = state.app.registers();
    let found = regs.entry_as(&Principal::User(s.actor.clone()), id).await;
    let fee = regs.extract_fee(1).await;
    match found.and_then(|e| fee.map(|f| (e, f))) {
        Ok((e, fee)) => Ok(render(
            if error.is_some() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            },
            &EntryView {
                chrome,
                e,
                fee_per_copy: motcua_domain::text::money(fee.total),
                copies,
                error,
            },
        )),
        Err(error) => Err(PageError {
            error,
            chrome: Box::new(chrome),
        }),
    }
}

/// Issues a certified extract of the entry and answers its PDF; a bad number of
/// copies shows the entry page again with the message.
pub async fn extract(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    data: FormData,
) -> Result<Response, PageError> {
    s.check_csrf(data.values.get("_csrf"))?;
    let copies = data.values.get("copies").trim().to_owned();
    let Ok(n) = copies.parse::<i64>() else {
        return entry_page(
            &state,
            &s,
            &id,
            copies,
            Some("Số bản sao phải là một số nguyên, ví dụ 2.".into()),
        )
        .await;
    };
    match state
        .app
        .registers()
        .issue_extract(&Principal::User(s.actor.clone()), &id, n)
        .await
    {
        Ok(x) => Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{}\"", x.file_name),
                ),
            ],
            x.pdf,
        )
            .into_response()),
        Err(e) if !e.is_internal() && !matches!(e, motcua_app::Error::NotFound(_)) => {
            entry_page(&state, &s, &id, copies, Some(e.message_vi())).await
        }
        Err(error) => Err(PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, "/ho-tich")),
        }),
    }
}
