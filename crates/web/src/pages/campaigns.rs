//! Campaign pages: the list (`/chien-dich`), a new campaign with its list of
//! people uploaded (`/chien-dich/moi`), a campaign's progress
//! (`/chien-dich/{id}`) and its workbook.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_app::campaigns::{CampaignInfo, CampaignProgress, NewCampaign};
use motcua_app::registers::MAX_WORKBOOK_BYTES;
use motcua_domain::access::Action;
use motcua_domain::campaign::Stage;
use serde::Deserialize;

use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::form_data::{FormData, Values};
use crate::pages::{datetime_vn, FormErrors};
use crate::session::SignedIn;
use crate::AppState;

const HERE: &str = "/chien-dich";

fn dmy(d: &jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

fn count(n: u64) -> String {
    motcua_docs::format::count(n)
}

fn period(c: &CampaignInfo) -> String {
    match &c.ends_on {
        Some(end) => format!("{} – {}", dmy(&c.starts_on), dmy(end)),
        None => format!("từ {}", dmy(&c.starts_on)),
    }
}

fn chrome(s: &SignedIn) -> Chrome {
    Chrome::for_user(s, HERE)
}

fn page_error(s: &SignedIn, error: motcua_app::Error) -> PageError {
    PageError {
        error,
        chrome: Box::new(chrome(s)),
    }
}

pub struct ListRow {
    pub href: String,
    pub name: String,
    pub agency_name: String,
    pub period: String,
    pub targets: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListView {
    chrome: Chrome,
    rows: Vec<ListRow>,
    can_create: bool,
}

pub async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, PageError> {
    let items = state
        .app
        .campaigns()
        .list(&s.actor)
        .await
        .map_err(|e| page_error(&s, e))?;
    let view = ListView {
        chrome: chrome(&s),
        can_create: s.actor.may(Action::ManageCampaigns, &s.actor.agency.path),
        rows: items
            .iter()
            .map(|c| ListRow {
                href: format!("{HERE}/{}", c.id),
                name: c.name.clone(),
                agency_name: c.agency_name.clone(),
                period: period(c),
                targets: count(c.targets),
                created: datetime_vn(c.created_at),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "campaign_new.html")]
struct NewView {
    chrome: Chrome,
    errors: FormErrors,
    values: Values,
    /// The agency's procedures: (code, name).
    procedures: Vec<(String, String)>,
    max_mb: usize,
}

async fn new_view(
    state: &AppState,
    s: &SignedIn,
    values: Values,
    errors: FormErrors,
) -> Result<NewView, PageError> {
    let app = &state.app;
    let codes = app
        .enabled_procedures(&s.actor, &s.actor.agency.code)
        .await
        .map_err(|e| page_error(s, e))?;
    let mut procedures = Vec::with_capacity(codes.len());
    for code in codes {
        // A procedure withdrawn from the public catalogue is not offered.
        if let Ok(entry) = app.procedure(&code).await {
            procedures.push((code, entry.procedure.name.clone()));
        }
    }
    procedures.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(NewView {
        chrome: chrome(s),
        errors,
        values,
        procedures,
        max_mb: MAX_WORKBOOK_BYTES / (1024 * 1024),
    })
}

fn may_create(s: &SignedIn) -> Result<(), PageError> {
    if s.actor.may(Action::ManageCampaigns, &s.actor.agency.path) {
        Ok(())
    } else {
        Err(page_error(s, motcua_app::Error::forbidden()))
    }
}

pub async fn new_form(State(state): State<AppState>, s: SignedIn) -> Result<Response, PageError> {
    may_create(&s)?;
    let mut values = Values::default();
    values.set(
        "starts_on",
        dmy(&state
            .app
            .now()
            .to_zoned(motcua_domain::calendar::vietnam_time_zone())
            .date()),
    );
    let view = new_view(&state, &s, values, FormErrors::default()).await?;
    Ok(render(StatusCode::OK, &view))
}

pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    form: FormData,
) -> Result<Response, PageError> {
    may_create(&s)?;
    s.check_csrf(form.values.get("_csrf"))?;
    let file = form.files_of("tep").next();
    let input = NewCampaign {
        name: form.values.get("name").to_owned(),
        procedures: form.values.all("procedures"),
        starts_on: form.values.get("starts_on").to_owned(),
        ends_on: form.values.get("ends_on").to_owned(),
        file_name: file.map(|f| f.file_name.clone()).unwrap_or_default(),
        workbook: file.map(|f| f.bytes.to_vec()).unwrap_or_default(),
    };
    match state.app.campaigns().create(&s.actor, input).await {
        Ok(c) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("{HERE}/{}", c.id))],
        )
            .into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(|e| page_error(&s, e))?;
            let view = new_view(&state, &s, form.values, errors).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
    }
}

pub struct StageTile {
    pub label: &'static str,
    pub value: String,
    pub href: String,
    pub current: bool,
}

pub struct TargetRow {
    pub line: u32,
    pub full_name: String,
    pub date_of_birth: String,
    pub personal_id: String,
    pub address: String,
    pub stage: &'static str,
    pub stage_key: &'static str,
    pub dossier_code: Option<String>,
    pub dossier_status: String,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct ProgressView {
    chrome: Chrome,
    p: CampaignProgress,
    period: String,
    /// "3.522/3.522".
    headline: String,
    percent: String,
    /// Width of the done part of the bar, in percent of the whole.
    bar: String,
    tiles: Vec<StageTile>,
    filter: Option<&'static str>,
    rows: Vec<TargetRow>,
}

#[derive(Deserialize)]
pub struct ProgressQuery {
    /// A stage (`done`, `in_progress`, `stopped`, `not_filed`) to list alone.
    #[serde(rename = "tinh-trang")]
    stage: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<ProgressQuery>,
) -> Result<Response, PageError> {
    // An unknown stage lists everyone rather than nobody.
    let filter = q.stage.as_deref().and_then(Stage::parse);
    let p = state
        .app
        .campaigns()
        .progress(&s.actor, &id, filter)
        .await
        .map_err(|e| page_error(&s, e))?;
    let base = format!("{HERE}/{}", p.campaign.id);
    let tiles = Stage::ALL
        .into_iter()
        .map(|st| StageTile {
            label: st.label_vi(),
            value: count(p.summary.count(st)),
            href: format!("{base}?tinh-trang={}", st.as_str()),
            current: filter == Some(st),
        })
        .collect();
    let percent = p
        .percent_done
        .map_or_else(|| "—".to_owned(), |x| format!("{x:.1}%").replace('.', ","));
    let view = ProgressView {
        chrome: chrome(&s),
        period: period(&p.campaign),
        headline: format!("{}/{}", count(p.summary.done), count(p.summary.total)),
        bar: format!("{:.1}", p.percent_done.unwrap_or(0.0)),
        percent,
        tiles,
        filter: filter.map(Stage::as_str),
        rows: p
            .targets
            .iter()
            .map(|t| TargetRow {
                line: t.line,
                full_name: t.full_name.clone(),
                date_of_birth: t.date_of_birth.as_ref().map(dmy).unwrap_or_default(),
                personal_id: t.personal_id.clone().unwrap_or_default(),
                address: t.address.clone().unwrap_or_default(),
                stage: t.stage.label_vi(),
                stage_key: t.stage.as_str(),
                dossier_code: t.dossier_code.clone(),
                dossier_status: t.dossier_status.clone().unwrap_or_default(),
            })
            .collect(),
        p,
    };
    Ok(render(StatusCode::OK, &view))
}

pub async fn workbook(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let bytes = state
        .app
        .campaigns()
        .workbook(&s.actor, &id)
        .await
        .map_err(|e| page_error(&s, e))?;
    Ok(crate::api::reports::workbook("tien-do-chien-dich.xlsx", bytes).into_response())
}
