//! Public tracking of a dossier by its code (`/tra-cuu`): the state and appointment
//! for anyone holding the code; the name, missing papers and history only with the
//! last four digits of the applicant's phone or ID number.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_app::Error;
use motcua_domain::dossier::{Status, Timeliness};
use serde::Deserialize;

use super::datetime_vn;
use super::intake_form::return_method_label;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::session::{ClientIp, MaybeSignedIn};
use crate::AppState;

struct EventLine {
    at: String,
    action: String,
    status: String,
    reason: Option<String>,
}

struct Details {
    applicant: String,
    missing: Vec<String>,
    return_method: &'static str,
    timeliness: Option<&'static str>,
    events: Vec<EventLine>,
}

struct Found {
    code: String,
    agency: String,
    procedure: String,
    status: String,
    status_label: String,
    received: String,
    due: String,
    returned: String,
    details: Option<Details>,
}

#[derive(Template)]
#[template(path = "tracking.html")]
struct TrackingPage {
    chrome: Chrome,
    ma: String,
    so: String,
    /// The agency of a short code, carried from the submission page.
    co_quan: String,
    found: Option<Found>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct TrackQuery {
    #[serde(default)]
    ma: String,
    #[serde(default)]
    so: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
}

fn status_label(s: &str) -> String {
    Status::parse(s).map_or_else(|| s.to_owned(), |x| x.label_vi().to_owned())
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
    ClientIp(who): ClientIp,
    Query(q): Query<TrackQuery>,
) -> Result<Response, PageError> {
    let ma = q.ma.trim().to_owned();
    let so = q.so.trim().to_owned();
    let co_quan = q.co_quan.trim().to_owned();
    let chrome = Chrome::for_maybe(&signed_in, "/tra-cuu");
    if ma.is_empty() {
        let error = (!so.is_empty()).then(|| "Vui lòng nhập mã hồ sơ.".to_owned());
        let status = if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        return Ok(render(
            status,
            &TrackingPage {
                chrome,
                ma,
                so,
                co_quan,
                found: None,
                error,
            },
        ));
    }
    let digits = Some(so.as_str()).filter(|s| !s.is_empty());
    let agency = Some(co_quan.as_str()).filter(|s| !s.is_empty());
    match state.app.dossiers().track(&ma, digits, agency, &who).await {
        Ok(t) => {
            let details = t.details.map(|d| Details {
                applicant: d.applicant_name,
                missing: d.missing,
                return_method: return_method_label(&d.return_method),
                timeliness: d
                    .timeliness
                    .as_deref()
                    .and_then(Timeliness::parse)
                    .map(Timeliness::label_vi),
                events: d
                    .events
                    .into_iter()
                    .map(|e| EventLine {
                        at: datetime_vn(e.at),
                        action: e.action_label,
                        status: status_label(&e.to_status),
                        reason: e.reason,
                    })
                    .collect(),
            });
            let found = Found {
                code: t.code,
                agency: t.agency_name,
                procedure: t.procedure_name,
                status: t.status,
                status_label: t.status_label,
                received: t.received_at.map(datetime_vn).unwrap_or_default(),
                due: t.due_at.map(datetime_vn).unwrap_or_default(),
                returned: t.returned_at.map(datetime_vn).unwrap_or_default(),
                details,
            };
            Ok(render(
                StatusCode::OK,
                &TrackingPage {
                    chrome,
                    ma,
                    so,
                    co_quan,
                    found: Some(found),
                    error: None,
                },
            ))
        }
        Err(e @ (Error::NotFound(_) | Error::Throttled { .. } | Error::Invalid(_))) => {
            let status = crate::error::status_of(&e);
            let retry = match &e {
                Error::Throttled {
                    retry_after_secs, ..
                } => Some(*retry_after_secs),
                _ => None,
            };
            let mut response = render(
                status,
                &TrackingPage {
                    chrome,
                    ma,
                    so,
                    co_quan,
                    found: None,
                    error: Some(e.message_vi()),
                },
            );
            if let Some(secs) = retry {
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            Ok(response.into_response())
        }
        Err(error) => Err(PageError {
            error,
            chrome: Box::new(chrome),
        }),
    }
}
