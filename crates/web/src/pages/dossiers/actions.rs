//! An action on the dossier page: done, or the page again saying why not.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::dossiers::{ActionInput, Upload};
use motcua_app::Error;
use motcua_domain::dossier::Verb;

use super::page_err;
use super::view::{dossier_page, Failure};
use crate::error::PageError;
use crate::pages::form_data::FormData;
use crate::pages::FormErrors;
use crate::session::SignedIn;
use crate::AppState;

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn act(
    State(state): State<AppState>,
    s: SignedIn,
    Path((code, verb_name)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, PageError> {
    let v = &data.values;
    s.check_csrf(v.get("_csrf"))?;
    let Some(verb) = Verb::parse(&verb_name) else {
        return Err(page_err(&s)(Error::NotFound(
            "Không có thao tác này trên hồ sơ.".into(),
        )));
    };
    let result = if verb == Verb::AttachResult {
        let file = data.files_of("result_file").next();
        let name = v
            .opt("result_name")
            .or_else(|| file.map(|f| f.file_name.clone()))
            .unwrap_or_default();
        (file.is_some() || !name.is_empty()).then(|| Upload {
            name,
            content_type: file.and_then(|f| f.content_type.clone()),
            bytes: file.map(|f| f.bytes.to_vec()).unwrap_or_default(),
        })
    } else {
        None
    };
    let input = ActionInput {
        version: v.opt("version").and_then(|x| x.parse().ok()),
        reason: v.opt("reason"),
        assignee: v.opt("assignee"),
        missing: (verb == Verb::RequestSupplement).then(|| lines(v.get("missing"))),
        new_due_date: v.opt("new_due_date"),
        result,
        collector_name: v.opt("collector_name"),
        collector_id: v.opt("collector_id"),
        tracking_number: v.opt("tracking_number"),
    };
    let key = v.opt("_idem");
    match state
        .app
        .dossiers()
        .act(&s.actor, &code, verb, &input, key.as_deref())
        .await
    {
        Ok(d) => Ok(Redirect::to(&format!(
            "/ho-so/{}?ok={}#trang-thai",
            d.code,
            verb.as_str()
        ))
        .into_response()),
        Err(Error::Conflict(message)) => {
            dossier_page(
                &state,
                &s,
                &code,
                None,
                None,
                Some(message),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(Error::Invalid(errors)) => {
            let failure = Failure {
                verb: verb.as_str().to_owned(),
                values: data.values.clone(),
                errors: FormErrors::from_fields(errors.0),
            };
            dossier_page(
                &state,
                &s,
                &code,
                None,
                Some(failure),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(page_err(&s)(e)),
    }
}
