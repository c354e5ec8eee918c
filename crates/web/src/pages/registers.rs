//! The register search page (`/ho-tich`), an entry's page, the books and the
//! forms that write entries and notes by hand, for officers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use motcua_app::registers::{Book, Entry, SearchPage, SearchQuery};
use motcua_app::Principal;
use motcua_domain::access::Action;
use motcua_domain::civil::{Cell, Kind, NoteKind};

use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::form_data::{query_value, FormData};
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
    can_import: bool,
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
    /// The note form, for those who may write the registers.
    can_write: bool,
    note_kinds: [(&'static str, &'static str); 3],
    note_fields: Vec<(&'static str, &'static str)>,
    note: NoteForm,
    note_error: Option<String>,
}

/// The note form as typed, shown again with its message when refused.
#[derive(Default)]
struct NoteForm {
    kind: String,
    on: String,
    field: String,
    value: String,
    reason: String,
    basis: String,
}

impl NoteForm {
    fn of(data: &FormData) -> NoteForm {
        let get = |k: &str| data.values.get(k).to_owned();
        NoteForm {
            kind: get("note_kind"),
            on: get("on"),
            field: get("field"),
            value: get("value"),
            reason: get("reason"),
            basis: get("basis"),
        }
    }
}

/// What the entry page shows besides the entry: the forms' input and messages.
#[derive(Default)]
struct EntryForms {
    copies: String,
    error: Option<String>,
    note: NoteForm,
    note_error: Option<String>,
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
            can_import: s.actor.may(Action::WriteRegister, &s.actor.agency.path),
        },
    ))
}

pub async fn entry(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let forms = EntryForms {
        copies: "1".into(),
        ..Default::default()
    };
    entry_page(&state, &s, &id, forms).await
}

async fn entry_page(
    state: &AppState,
    s: &SignedIn,
    id: &str,
    forms: EntryForms,
) -> Result<Response, PageError> {
    let chrome = Chrome::for_user(s, "/ho-tich");
    let regs = state.app.registers();
    let found = regs.entry_as(&Principal::User(s.actor.clone()), id).await;
    let fee = regs.extract_fee(1).await;
    match found.and_then(|e| fee.map(|f| (e, f))) {
        Ok((e, fee)) => {
            let note_fields = Kind::parse(&e.kind)
                .map(motcua_app::registers::fields_for)
                .unwrap_or_default()
                .into_iter()
                .map(|f| (f.as_str(), f.label_vi()))
                .collect();
            Ok(render(
                if forms.error.is_some() || forms.note_error.is_some() {
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::OK
                },
                &EntryView {
                    chrome,
                    e,
                    fee_per_copy: motcua_domain::text::money(fee.total),
                    copies: forms.copies,
                    error: forms.error,
                    can_write: s.actor.may(Action::WriteRegister, &s.actor.agency.path),
                    note_kinds: [NoteKind::Correction, NoteKind::Change, NoteKind::Supplement]
                        .map(|k| (k.as_str(), k.label_vi())),
                    note_fields,
                    note: forms.note,
                    note_error: forms.note_error,
                },
            ))
        }
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
        let forms = EntryForms {
            copies,
            error: Some("Số bản sao phải là một số nguyên, ví dụ 2.".into()),
            ..Default::default()
        };
        return entry_page(&state, &s, &id, forms).await;
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
            let forms = EntryForms {
                copies,
                error: Some(e.message_vi()),
                ..Default::default()
            };
            entry_page(&state, &s, &id, forms).await
        }
        Err(error) => Err(PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, "/ho-tich")),
        }),
    }
}

/// Adds a dated note (one field) to the entry, then shows the entry with it; a
/// refused note shows the form again with its message.
pub async fn add_note(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    data: FormData,
) -> Result<Response, PageError> {
    s.check_csrf(data.values.get("_csrf"))?;
    let note = NoteForm::of(&data);
    let cells = [(note.field.trim().to_owned(), Cell::Text(note.value.clone()))]
        .into_iter()
        .filter(|(f, _)| !f.is_empty())
        .collect();
    let basis = Some(note.basis.trim()).filter(|b| !b.is_empty());
    match state
        .app
        .registers()
        .add_note(
            &Principal::User(s.actor.clone()),
            &id,
            &note.kind,
            &note.on,
            &cells,
            &note.reason,
            basis,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/ho-tich/{}#lich-su", enc(&id))).into_response()),
        Err(e) if !e.is_internal() && !matches!(e, motcua_app::Error::NotFound(_)) => {
            let forms = EntryForms {
                copies: "1".into(),
                note,
                note_error: Some(e.message_vi()),
                ..Default::default()
            };
            entry_page(&state, &s, &id, forms).await
        }
        Err(error) => Err(PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, "/ho-tich")),
        }),
    }
}

/// Officers who may write the registers: import, enter by hand, add notes.
pub(super) fn may_import(s: &SignedIn) -> Result<(), PageError> {
    if s.actor.may(Action::WriteRegister, &s.actor.agency.path) {
        Ok(())
    } else {
        Err(PageError {
            error: motcua_app::Error::forbidden(),
            chrome: Box::new(Chrome::for_user(s, "/ho-tich")),
        })
    }
}

#[derive(Template)]
#[template(path = "register_books.html")]
struct BooksView {
    chrome: Chrome,
    books: Vec<Book>,
    can_manage: bool,
    message: String,
}

#[derive(serde::Deserialize)]
pub struct BooksParams {
    #[serde(default)]
    message: String,
}

/// The agency's books, with closing and the next volume for leaders.
pub async fn books(
    State(state): State<AppState>,
    s: SignedIn,
    Query(p): Query<BooksParams>,
) -> Result<Response, PageError> {
    let books = state
        .app
        .registers()
        .books(&Principal::User(s.actor.clone()), None)
        .await
        .map_err(|error| PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, "/ho-tich")),
        })?;
    Ok(render(
        StatusCode::OK,
        &BooksView {
            chrome: Chrome::for_user(&s, "/ho-tich"),
            books,
            can_manage: s.actor.may(Action::ManageRegister, &s.actor.agency.path),
            message: p.message.chars().take(300).collect(),
        },
    ))
}

/// The books page again, saying what a leader's action did.
fn back_to_books(message: &str) -> Response {
    Redirect::to(&format!("/ho-tich/so?message={}", query_value(message))).into_response()
}

/// Closes a book at the end of its year (a leader), then back to the books.
pub async fn close_book(
    State(state): State<AppState>,
    s: SignedIn,
    data: FormData,
) -> Result<Response, PageError> {
    s.check_csrf(data.values.get("_csrf"))?;
    let year = data.values.get("year").trim().parse::<i64>().unwrap_or(0);
    let message = match state
        .app
        .registers()
        .close_book(
            &Principal::User(s.actor.clone()),
            &s.actor.agency.code,
            data.values.get("kind"),
            year,
            data.values.get("label"),
        )
        .await
    {
        Ok(b) => format!(
            "Đã khóa {} quyển {} ở số {}: sổ năm {} không ghi thêm.",
            b.kind_label.to_lowercase(),
            b.label,
            b.last_number,
            b.year
        ),
        Err(e) => e.message_vi(),
    };
    Ok(back_to_books(&message))
}

/// Follows a full book with the next volume (a leader), then back to the books.
pub async fn open_next_book(
    State(state): State<AppState>,
    s: SignedIn,
    data: FormData,
) -> Result<Response, PageError> {
    s.check_csrf(data.values.get("_csrf"))?;
    let year = data.values.get("year").trim().parse::<i64>().unwrap_or(0);
    let message = match state
        .app
        .registers()
        .open_next_book(
            &Principal::User(s.actor.clone()),
            &s.actor.agency.code,
            data.values.get("kind"),
            year,
        )
        .await
    {
        Ok(b) => format!(
            "Đã mở {} quyển {}: số tiếp theo là {}.",
            b.kind_label.to_lowercase(),
            b.label,
            b.last_number + 1
        ),
        Err(e) => e.message_vi(),
    };
    Ok(back_to_books(&message))
}

/// The form of an entry entered by hand (`/ho-tich/them?kind=`): a historical
/// one copied from a paper register with its book and number, or a new one.
#[derive(Template)]
#[template(path = "register_new.html")]
struct NewEntryView {
    chrome: Chrome,
    kinds: Vec<(&'static str, &'static str)>,
    kind: &'static str,
    re_registration: bool,
    /// (field name, label, value as typed).
    fields: Vec<(&'static str, &'static str, String)>,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct NewEntryParams {
    #[serde(default)]
    kind: String,
}

fn new_entry_view(s: &SignedIn, kind: Kind, data: Option<&FormData>) -> NewEntryView {
    let typed = |name: &str| {
        data.map(|d| d.values.get(&format!("f.{name}")).to_owned())
            .unwrap_or_default()
    };
    let fields = motcua_domain::civil::columns::entry_columns(kind)
        .into_iter()
        .filter(|(name, _)| *name != motcua_domain::civil::RE_REGISTRATION)
        .map(|(name, label)| (name, label, typed(name)))
        .collect();
    NewEntryView {
        chrome: Chrome::for_user(s, "/ho-tich"),
        kinds: Kind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_vi()))
            .collect(),
        kind: kind.as_str(),
        re_registration: data.is_some_and(|d| !d.values.get("re_registration").is_empty()),
        fields,
        error: None,
    }
}

pub async fn new_entry_form(
    s: SignedIn,
    Query(p): Query<NewEntryParams>,
) -> Result<Response, PageError> {
    may_import(&s)?;
    let kind = Kind::parse(p.kind.trim()).unwrap_or(Kind::Birth);
    Ok(render(StatusCode::OK, &new_entry_view(&s, kind, None)))
}

/// Writes the entry and shows it; a refused one shows the form again as typed,
/// with the message.
pub async fn new_entry(
    State(state): State<AppState>,
    s: SignedIn,
    data: FormData,
) -> Result<Response, PageError> {
    may_import(&s)?;
    s.check_csrf(data.values.get("_csrf"))?;
    let kind = Kind::parse(data.values.get("kind").trim()).unwrap_or(Kind::Birth);
    let mut view = new_entry_view(&s, kind, Some(&data));
    let cells = view
        .fields
        .iter()
        .filter(|(_, _, v)| !v.trim().is_empty())
        .map(|(name, _, v)| ((*name).to_owned(), Cell::Text(v.clone())))
        .collect();
    match state
        .app
        .registers()
        .create(
            &Principal::User(s.actor.clone()),
            &s.actor.agency.code,
            kind.as_str(),
            view.re_registration,
            &cells,
        )
        .await
    {
        Ok(e) => Ok(Redirect::to(&format!("/ho-tich/{}", enc(&e.id))).into_response()),
        Err(e) if !e.is_internal() => {
            view.error = Some(e.message_vi());
            Ok(render(StatusCode::BAD_REQUEST, &view))
        }
        Err(error) => Err(PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, "/ho-tich")),
        }),
    }
}
