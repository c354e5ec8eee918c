//! An action on the dossier page: done, or the page again saying why not — by a
//! redirect in both cases, so that the address bar never stays on the action.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::dossiers::{ActionInput, Upload};
use motcua_app::Error;
use motcua_domain::dossier::Verb;

use super::page_err;
use super::view::Failure;
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
    // The code goes back into a redirect: only a code's own characters.
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let Some(verb) = Verb::parse(&verb_name).filter(|_| code.trim().chars().all(plain)) else {
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
    let working_files = data
        .files_of("working_files")
        .map(|f| Upload {
            name: f.file_name.clone(),
            content_type: f.content_type.clone(),
            bytes: f.bytes.to_vec(),
        })
        .collect();
    let back = |failure: Failure| {
        let anchor = if failure.conflict.is_some() {
            "xung-dot".to_owned()
        } else {
            format!("thao-tac-{}", failure.verb)
        };
        let token = state.flash.put(&s.actor.user_id, failure);
        Ok(Redirect::to(&format!("/ho-so/{}?loi={token}#{anchor}", code.trim())).into_response())
    };
    // Refusing, withdrawing, extending cannot be undone: the form asks to confirm.
    if verb.needs_confirmation() && v.get("confirm") != "1" {
        return back(Failure {
            verb: verb.as_str().to_owned(),
            values: data.values.clone(),
            errors: FormErrors::from_fields(vec![motcua_domain::validation::FieldError {
                field: "confirm".into(),
                message: format!(
                    "Đánh dấu ô xác nhận để «{}»: thao tác này không hoàn tác được.",
                    verb.label_vi()
                ),
            }]),
            conflict: None,
        });
    }
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
        opinion: v.opt("opinion"),
        draft_result: v.opt("draft_result"),
        working_files,
        civil: (verb == Verb::RecordCivil)
            .then(|| crate::pages::intake_form::civil_facts(v))
            .flatten(),
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
        Err(Error::Conflict(message)) => back(Failure {
            verb: verb.as_str().to_owned(),
            values: data.values.clone(),
            errors: FormErrors::default(),
            conflict: Some(message),
        }),
        Err(Error::Invalid(errors)) => back(Failure {
            verb: verb.as_str().to_owned(),
            values: data.values.clone(),
            errors: FormErrors::from_fields(errors.0),
            conflict: None,
        }),
        Err(e) => Err(page_err(&s)(e)),
    }
}
