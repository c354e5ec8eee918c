//! Public tracking of a dossier by its code (`/tra-cuu`): the state and appointment
//! for anyone holding the code; the name, missing papers and history only with the
//! last four digits of the applicant's phone or ID number.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use motcua_app::Error;
use motcua_domain::dossier::{Status, Timeliness};
use motcua_domain::rating::{Attitude, RatingInput, Verdict};
use serde::{Deserialize, Serialize};

use super::form_data::{FormData, Values};
use super::intake_form::return_method_label;
use super::{datetime_vn, FormErrors};
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
    rating: Option<GivenLine>,
    can_rate: bool,
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
    rating: RatingForm,
}

/// The rating card under a dossier's details: the rating given, or the form.
#[derive(Default)]
struct RatingForm {
    /// What the person typed, shown again with the errors.
    values: Values,
    errors: FormErrors,
    /// Just recorded: say thank you.
    thanks: bool,
}

#[derive(Deserialize, Serialize)]
pub struct TrackQuery {
    #[serde(default)]
    ma: String,
    #[serde(default)]
    so: String,
    #[serde(default, rename = "co-quan")]
    co_quan: String,
    /// Set by the redirect after a rating was recorded.
    #[serde(
        default,
        rename = "da-danh-gia",
        skip_serializing_if = "String::is_empty"
    )]
    da_danh_gia: String,
}

/// The rating as the page shows it.
struct GivenLine {
    verdict: &'static str,
    attitude: &'static str,
    return_visits: u8,
    comment: Option<String>,
    at: String,
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
    let rating = RatingForm {
        thanks: !q.da_danh_gia.is_empty(),
        ..RatingForm::default()
    };
    page(&state, &signed_in, &who, q, rating, StatusCode::OK).await
}

async fn page(
    state: &AppState,
    signed_in: &MaybeSignedIn,
    who: &str,
    q: TrackQuery,
    rating: RatingForm,
    found_status: StatusCode,
) -> Result<Response, PageError> {
    let ma = q.ma.trim().to_owned();
    let so = q.so.trim().to_owned();
    let co_quan = q.co_quan.trim().to_owned();
    let chrome = Chrome::for_maybe(signed_in, "/tra-cuu");
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
                rating,
            },
        ));
    }
    let digits = Some(so.as_str()).filter(|s| !s.is_empty());
    let agency = Some(co_quan.as_str()).filter(|s| !s.is_empty());
    match state.app.dossiers().track(&ma, digits, agency, who).await {
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
                rating: d.rating.map(|g| GivenLine {
                    verdict: g.rating.verdict.label_vi(),
                    attitude: g.rating.attitude.label_vi(),
                    return_visits: g.rating.return_visits,
                    comment: g.rating.comment,
                    at: datetime_vn(g.rated_at),
                }),
                can_rate: d.can_rate,
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
                found_status,
                &TrackingPage {
                    chrome,
                    ma,
                    so,
                    co_quan,
                    found: Some(found),
                    error: None,
                    rating,
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
                    rating,
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

/// The rating form's answer: recorded, back to the tracking page (the address
/// bar holds no action URL); otherwise the page again with every message and
/// what was chosen.
pub async fn rate(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
    ClientIp(who): ClientIp,
    form: FormData,
) -> Result<Response, PageError> {
    let v = form.values;
    let q = TrackQuery {
        ma: v.get("ma").trim().to_owned(),
        so: v.get("so").trim().to_owned(),
        co_quan: v.get("co-quan").trim().to_owned(),
        da_danh_gia: String::new(),
    };
    let input = RatingInput {
        verdict: Verdict::parse(v.get("muc-do")),
        attitude: Attitude::parse(v.get("thai-do")),
        return_visits: v.get("so-lan").trim().parse().ok(),
        comment: v.opt("gop-y"),
    };
    let agency = Some(q.co_quan.as_str()).filter(|s| !s.is_empty());
    let result = state
        .app
        .ratings()
        .rate(&q.ma, Some(q.so.as_str()), agency, &who, input)
        .await;
    match result {
        Ok(_) => {
            let done = TrackQuery {
                da_danh_gia: "1".into(),
                ..q
            };
            let query = serde_urlencoded::to_string(&done).unwrap_or_default();
            Ok(Redirect::to(&format!("/tra-cuu?{query}#danh-gia")).into_response())
        }
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            let rating = RatingForm {
                values: v,
                errors: FormErrors::from_error(e).unwrap_or_default(),
                thanks: false,
            };
            page(&state, &signed_in, &who, q, rating, StatusCode::BAD_REQUEST).await
        }
        // Not found, wrong digits, too many attempts: the tracking page's own
        // answers, with the code as typed.
        Err(e) => {
            let chrome = Chrome::for_maybe(&signed_in, "/tra-cuu");
            match e {
                Error::NotFound(_) | Error::Throttled { .. } => Ok(render(
                    crate::error::status_of(&e),
                    &TrackingPage {
                        chrome,
                        ma: q.ma,
                        so: q.so,
                        co_quan: q.co_quan,
                        found: None,
                        error: Some(e.message_vi()),
                        rating: RatingForm::default(),
                    },
                )),
                error => Err(PageError {
                    error,
                    chrome: Box::new(chrome),
                }),
            }
        }
    }
}
