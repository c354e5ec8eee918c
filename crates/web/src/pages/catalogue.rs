//! Public procedure pages: the searchable list and each procedure's page with its QR.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::catalogue::CatalogueEntry;
use motcua_domain::procedure::{plain, time_limit_label_vi, Procedure};
use serde::Deserialize;

use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::session::MaybeSignedIn;
use crate::AppState;

struct Row {
    code: String,
    name: String,
    sector_name: String,
    limit: String,
    online: &'static str,
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    sector: String,
    sectors: Vec<(String, String)>,
    items: Vec<Row>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "linh-vuc")]
    sector: String,
}

fn sector_name(sectors: &[(String, String)], code: &str) -> String {
    sectors
        .iter()
        .find(|s| s.0 == code)
        .map_or_else(|| code.to_owned(), |s| s.1.clone())
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let sectors = state.app.catalogue_sectors().await?;
    let found = state
        .app
        .search_procedures(&q.q, Some(&q.sector), None, 500)
        .await?;
    let items = found
        .into_iter()
        .map(|e| Row {
            sector_name: sector_name(&sectors, &e.procedure.sector),
            limit: time_limit_label_vi(e.procedure.committed_limit),
            online: e.procedure.online.label_vi(),
            code: e.procedure.code,
            name: e.procedure.name,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::for_maybe(&signed_in, "/thu-tuc"),
            q: q.q,
            sector: q.sector,
            sectors,
            items,
        },
    ))
}

struct DocumentView {
    name: String,
    amount: String,
    form: Option<String>,
    /// Where the form can be downloaded, when the procedure gives one.
    form_url: Option<String>,
    note: Option<String>,
}

struct ProcedureView {
    code: String,
    name: String,
    sector_name: String,
    version: i64,
    effective_from: String,
    committed: String,
    statutory: Option<String>,
    verification: Option<String>,
    time_note: Option<String>,
    documents: Vec<DocumentView>,
    /// (name, in plain sentences).
    fees: Vec<(String, String)>,
    /// (who, what, about how long).
    steps: Vec<(&'static str, String, String)>,
    results: Vec<String>,
    online: &'static str,
    /// Offered online somewhere: the page links to the online form.
    online_form: bool,
    return_methods: String,
    linked: Vec<String>,
    legal_basis: String,
}

fn view(entry: CatalogueEntry, sectors: &[(String, String)]) -> ProcedureView {
    let p: Procedure = entry.procedure;
    ProcedureView {
        sector_name: sector_name(sectors, &p.sector),
        version: entry.version,
        effective_from: p.effective_from.strftime("%d/%m/%Y").to_string(),
        committed: time_limit_label_vi(p.committed_limit),
        statutory: (p.statutory_limit != p.committed_limit)
            .then(|| time_limit_label_vi(p.statutory_limit)),
        verification: p.verification_limit.map(time_limit_label_vi),
        time_note: p.time_limit_note.as_deref().and_then(plain::public_note),
        documents: p
            .documents
            .iter()
            .map(|d| DocumentView {
                name: d.name.clone(),
                amount: format!("{:02} {}", d.count, d.kind.label_vi().to_lowercase()),
                form: d.form_name.clone(),
                form_url: d.form_url.clone().filter(|u| {
                    u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/')
                }),
                note: d.note.as_deref().and_then(plain::public_note),
            })
            .collect(),
        fees: p
            .fees
            .iter()
            .map(|f| (f.name.clone(), plain::fee_sentence_vi(f)))
            .collect(),
        steps: p
            .steps
            .iter()
            .map(|s| {
                (
                    plain::step_who_vi(s.role),
                    s.name.clone(),
                    plain::step_time_vi(p.committed_limit, s.share),
                )
            })
            .collect(),
        results: p.results.iter().map(|r| r.name.clone()).collect(),
        online: p.online.label_vi(),
        online_form: false,
        return_methods: p
            .return_methods
            .iter()
            .map(|m| m.label_vi())
            .collect::<Vec<_>>()
            .join(", "),
        linked: p
            .linked
            .iter()
            .map(|l| format!("{} ({})", l.name, l.agency_kind.label_vi()))
            .collect(),
        legal_basis: p.legal_basis.clone(),
        code: p.code,
        name: p.name,
    }
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct DetailPage {
    chrome: Chrome,
    p: ProcedureView,
    qr_svg: String,
}

pub fn page_url(state: &AppState, code: &str) -> String {
    format!(
        "{}/thu-tuc/{}",
        state.config.public_url.trim_end_matches('/'),
        code
    )
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let entry = state.app.procedure(&code).await?;
    let sectors = state.app.catalogue_sectors().await?;
    let qr_svg = state.app.qr_svg(&page_url(&state, &entry.procedure.code))?;
    let online_form = entry.procedure.online != motcua_domain::procedure::OnlineAvailability::None
        && !state
            .app
            .public_agencies(Some(&entry.procedure.code))
            .await?
            .is_empty();
    let mut p = view(entry, &sectors);
    p.online_form = online_form;
    Ok(render(
        StatusCode::OK,
        &DetailPage {
            chrome: Chrome::for_maybe(&signed_in, "/thu-tuc"),
            p,
            qr_svg,
        },
    ))
}

#[derive(Deserialize)]
pub struct PosterQuery {
    #[serde(default, rename = "co-quan")]
    agency: String,
}

/// The poster names the commune given as `co-quan`, or else the signed-in
/// officer's own.
pub async fn poster(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
    Path(code): Path<String>,
    Query(q): Query<PosterQuery>,
) -> Result<Response, PageError> {
    use axum::response::IntoResponse;
    let entry = state.app.procedure(&code).await?;
    let agency = Some(q.agency.trim().to_owned())
        .filter(|a| !a.is_empty())
        .or_else(|| signed_in.0.as_ref().map(|s| s.actor.agency.code.clone()));
    let pdf = state
        .app
        .procedure_poster(
            &entry.procedure.code,
            &page_url(&state, &entry.procedure.code),
            agency.as_deref(),
        )
        .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"thu-tuc-{}.pdf\"", entry.procedure.code),
            ),
        ],
        pdf,
    )
        .into_response())
}
