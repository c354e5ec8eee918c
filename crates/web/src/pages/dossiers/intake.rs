//! Intake at the counter: the procedure picker, its checklist, and receiving
//! the dossier.

use askama::Template;
use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::Error;
use motcua_domain::dossier::Channel;
use motcua_domain::procedure::Procedure;
use motcua_domain::user::Role;
use serde::Deserialize;

use super::page_err;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::pages::form_data::{idempotency_key, FormData, Values};
use crate::pages::intake_form::{
    attach_doc_errors, doc_rows, fee_facts, intake_input_and_errors, proc_info, DocRow, ProcInfo,
    ProcedureFragment, SEXES,
};
use crate::pages::FormErrors;
use crate::session::SignedIn;
use crate::AppState;

/// A group of the procedure picker: a sector and its procedures (code, name).
pub struct ProcedureGroup {
    pub sector: String,
    pub items: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "_procedure_options.html")]
pub struct ProcedureOptions {
    pub groups: Vec<ProcedureGroup>,
    pub selected: String,
}

/// The procedures an agency performs whose name or code matches `query` (with or
/// without diacritics), grouped by sector; the selected one always stays listed.
pub async fn procedure_groups(
    state: &AppState,
    agency_code: &str,
    query: &str,
    selected: &str,
    online_only: bool,
) -> Result<Vec<ProcedureGroup>, Error> {
    let sectors = state.app.catalogue_sectors().await?;
    let mut found = state
        .app
        .search_procedures(query, None, Some(agency_code), 2000)
        .await?;
    if !selected.is_empty() && !found.iter().any(|e| e.procedure.code == selected) {
        if let Some(e) = state
            .app
            .search_procedures("", None, Some(agency_code), 2000)
            .await?
            .into_iter()
            .find(|e| e.procedure.code == selected)
        {
            found.push(e);
        }
    }
    let mut groups: Vec<ProcedureGroup> = Vec::new();
    for e in found {
        let p = e.procedure;
        if online_only && p.online == motcua_domain::procedure::OnlineAvailability::None {
            continue;
        }
        let sector = sectors
            .iter()
            .find(|s| s.0 == p.sector)
            .map_or_else(|| p.sector.clone(), |s| s.1.clone());
        match groups.iter_mut().find(|g| g.sector == sector) {
            Some(g) => g.items.push((p.code, p.name)),
            None => groups.push(ProcedureGroup {
                sector,
                items: vec![(p.code, p.name)],
            }),
        }
    }
    Ok(groups)
}

#[derive(Template)]
#[template(path = "dossier_intake.html")]
struct IntakePage {
    chrome: Chrome,
    idem: String,
    groups: Vec<ProcedureGroup>,
    selected: String,
    channels: Vec<(&'static str, &'static str)>,
    sexes: [(&'static str, &'static str); 2],
    proc_info: Option<ProcInfo>,
    docs: Vec<DocRow>,
    form: Values,
    errors: FormErrors,
    online: bool,
}

fn require_counter(s: &SignedIn) -> Result<(), PageError> {
    if s.actor.has(Role::CounterOfficer) {
        Ok(())
    } else {
        Err(page_err(s)(Error::Forbidden(
            "Chỉ cán bộ tiếp nhận (bộ phận một cửa) được tiếp nhận hồ sơ.".into(),
        )))
    }
}

/// The procedure in force, when the code names one.
async fn chosen_procedure(state: &AppState, code: &str) -> Option<Procedure> {
    let code = code.trim();
    if code.is_empty() {
        return None;
    }
    state.app.procedure(code).await.ok().map(|e| e.procedure)
}

async fn intake_page(
    state: &AppState,
    s: &SignedIn,
    mut form: Values,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let selected = form.get("procedure").trim().to_owned();
    let groups = procedure_groups(
        state,
        &s.actor.agency.code,
        form.get("tim"),
        &selected,
        false,
    )
    .await
    .map_err(page_err(s))?;
    let procedure = chosen_procedure(state, &selected).await;
    let mut docs = doc_rows(&form, procedure.as_ref());
    attach_doc_errors(&mut docs, &errors);
    if let Some(p) = &procedure {
        // The checklist now on the page is this procedure's.
        form.set("documents_for", p.code.clone());
    }
    let idem = form.opt("_idem").unwrap_or_else(idempotency_key);
    Ok(render(
        status,
        &IntakePage {
            chrome: Chrome::for_user(s, "/ho-so/tiep-nhan"),
            idem,
            groups,
            selected,
            channels: Channel::ALL
                .into_iter()
                .filter(|c| *c != Channel::Online)
                .map(|c| (c.as_str(), c.label_vi()))
                .collect(),
            sexes: SEXES,
            proc_info: procedure.as_ref().map(|p| {
                let mut info = proc_info(p, false);
                let today = state
                    .app
                    .now()
                    .to_zoned(motcua_domain::calendar::vietnam_time_zone())
                    .date();
                fee_facts(&mut info, p, &mut form.clone(), today, false);
                info
            }),
            docs,
            form,
            errors,
            online: false,
        },
    ))
}

#[derive(Deserialize)]
pub struct IntakeQuery {
    #[serde(default, rename = "thu-tuc")]
    thu_tuc: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    tim: String,
}

pub async fn intake_form(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<IntakeQuery>,
) -> Result<Response, PageError> {
    require_counter(&s)?;
    let mut form = Values::default();
    form.set("channel", "counter");
    form.set("return_method", "counter");
    form.set("sets", "1");
    let code = if q.thu_tuc.is_empty() {
        q.procedure
    } else {
        q.thu_tuc
    };
    form.set("procedure", code);
    form.set("tim", q.tim);
    intake_page(&state, &s, form, FormErrors::default(), StatusCode::OK).await
}

/// htmx: the picker's options for what was typed in the search box.
pub async fn intake_procedure_options(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<IntakeQuery>,
) -> Result<Response, PageError> {
    let selected = if q.procedure.is_empty() {
        q.thu_tuc
    } else {
        q.procedure
    };
    let groups = procedure_groups(&state, &s.actor.agency.code, &q.tim, &selected, false)
        .await
        .map_err(page_err(&s))?;
    Ok(render(
        StatusCode::OK,
        &ProcedureOptions { groups, selected },
    ))
}

/// htmx: the chosen procedure's summary, documents checklist, fee and return.
pub async fn intake_documents(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    headers: axum::http::HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    // htmx names the field that changed: a new day proposes an exemption, a new
    // choice of exemption only recomputes the fee.
    let propose = headers.get("hx-trigger-name").is_some_and(|v| {
        matches!(
            v.as_bytes(),
            b"event_date" | b"civil.date_of_birth" | b"civil.date_of_death"
        )
    });
    // The whole fragment comes back when a fact changes (the day of birth), so
    // that what was ticked and typed stays; a new procedure starts afresh.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or_default()).unwrap_or_default();
    let mut form = Values(pairs);
    let code = match form.opt("thu-tuc") {
        Some(c) => c,
        None => form.get("procedure").to_owned(),
    };
    let procedure = chosen_procedure(&state, &code).await;
    let refresh = procedure
        .as_ref()
        .is_some_and(|p| form.get("documents_for") == p.code);
    if !refresh {
        form = Values::default();
        form.set("return_method", "counter");
    }
    let today = state
        .app
        .now()
        .to_zoned(motcua_domain::calendar::vietnam_time_zone())
        .date();
    let proc_info = procedure.as_ref().map(|p| {
        let mut info = proc_info(p, false);
        fee_facts(&mut info, p, &mut form, today, refresh && propose);
        info
    });
    Ok(render(
        StatusCode::OK,
        &ProcedureFragment {
            proc_info,
            docs: doc_rows(&form, procedure.as_ref()),
            form,
            errors: FormErrors::default(),
            online: false,
        },
    ))
}

pub async fn intake_submit(
    State(state): State<AppState>,
    s: SignedIn,
    data: FormData,
) -> Result<Response, PageError> {
    s.check_csrf(data.values.get("_csrf"))?;
    require_counter(&s)?;
    let form = data.values.clone();
    if form.get("_buoc") == "chon-thu-tuc" {
        // Without JavaScript: the person chose a procedure; show its checklist.
        return intake_page(&state, &s, form, FormErrors::default(), StatusCode::OK).await;
    }
    let procedure = chosen_procedure(&state, form.get("procedure")).await;
    let (mut input, fields) = intake_input_and_errors(&data, procedure.as_ref(), false);
    // Files kept from a refused attempt come back with the form, before the new ones.
    let tokens: Vec<String> = form
        .0
        .iter()
        .filter(|(k, _)| k == "pending_files")
        .map(|(_, v)| v.clone())
        .collect();
    let kept = state
        .app
        .pending_uploads(&s.actor.user_id, &tokens)
        .map_err(page_err(&s))?;
    let fresh = std::mem::take(&mut input.files);
    input.files = kept
        .iter()
        .map(|(_, u)| u.clone())
        .chain(fresh.iter().cloned())
        .collect();
    // A refused form keeps its files on the server for the retry.
    let keep_files = |form: &mut Values| -> Result<(), PageError> {
        let stashed = state
            .app
            .stash_uploads(&s.actor.user_id, &fresh)
            .map_err(page_err(&s))?;
        form.0
            .retain(|(k, _)| k != "pending_files" && k != "pending_name");
        for f in kept.iter().map(|(f, _)| f).chain(stashed.iter()) {
            form.0.push(("pending_files".into(), f.token.clone()));
            form.0.push((
                "pending_name".into(),
                format!("{} ({} KB)", f.name, f.size.div_ceil(1024)),
            ));
        }
        Ok(())
    };
    if !fields.is_empty() {
        // The form's own mistakes and every one the use case finds, in one answer.
        let all = state
            .app
            .dossiers()
            .with_intake_errors(
                &s.actor,
                &input,
                Error::Invalid(motcua_domain::validation::Errors(fields)),
            )
            .await;
        let errors = FormErrors::from_error(all).map_err(page_err(&s))?;
        let mut form = form;
        keep_files(&mut form)?;
        return intake_page(&state, &s, form, errors, StatusCode::BAD_REQUEST).await;
    }
    let key = form.opt("_idem");
    match state
        .app
        .dossiers()
        .receive(&s.actor, &input, key.as_deref())
        .await
    {
        Ok(d) => {
            // The files are the dossier's now; their kept copies go.
            if let Err(e) = state.app.drop_pending(&s.actor.user_id, &tokens) {
                tracing::warn!(error = %e, "dropping the files kept for a retry");
            }
            Ok(Redirect::to(&format!("/ho-so/{}?ok=tiep-nhan", d.code)).into_response())
        }
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(page_err(&s))?;
            let mut form = form;
            keep_files(&mut form)?;
            intake_page(&state, &s, form, errors, StatusCode::BAD_REQUEST).await
        }
    }
}
