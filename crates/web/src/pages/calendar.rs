//! Administration of the working calendar's special days.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use motcua_app::{Error, Principal};
use motcua_domain::access::Action;
use serde::Deserialize;

use super::Chrome;
use crate::error::{render, PageError};
use crate::session::SignedIn;
use crate::AppState;

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    layer_name: String,
    agency_code: String,
    layers: Vec<(Option<String>, String)>,
    days: Vec<(String, &'static str, String, String)>,
    can_edit: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LayerQuery {
    #[serde(default, rename = "co-quan")]
    agency: String,
    #[serde(default)]
    ok: Option<String>,
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "holiday" => "Ngày lễ, Tết",
        "day_off" => "Ngày nghỉ",
        "makeup_working" => "Ngày làm bù",
        "weekend" => "Ngày nghỉ cuối tuần",
        _ => "Ngày làm việc",
    }
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let err = |error| PageError {
        error,
        chrome: Box::new(Chrome::for_user(s, "/quan-tri/lich")),
    };
    let agency = agency.trim();
    let (layer_name, can_edit) = if agency.is_empty() {
        let top = s.actor.may(Action::ManageAgency, &s.actor.agency.path)
            && !s.actor.agency.path[1..].contains('/');
        ("toàn quốc".to_owned(), top)
    } else {
        let a = state.app.agency(&s.actor, agency).await.map_err(err)?;
        let can = s.actor.may(Action::ManageAgency, &a.path);
        (a.name, can)
    };
    let days = state
        .app
        .special_days(Some(agency).filter(|a| !a.is_empty()))
        .await
        .map_err(err)?
        .into_iter()
        .map(|d| {
            let shown = d
                .date
                .parse::<jiff::civil::Date>()
                .map(|x| x.strftime("%d/%m/%Y").to_string())
                .unwrap_or_else(|_| d.date.clone());
            (
                shown,
                kind_label(&d.kind),
                d.name.unwrap_or_default(),
                d.date,
            )
        })
        .collect();
    let layers = vec![
        (None, "Toàn quốc".to_owned()),
        (
            Some(s.actor.agency.code.clone()),
            s.actor.agency.name.clone(),
        ),
    ];
    Ok(render(
        status,
        &CalendarPage {
            chrome: Chrome::for_user(s, "/quan-tri/lich"),
            layer_name,
            agency_code: agency.to_owned(),
            layers,
            days,
            can_edit,
            notice,
            error,
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<LayerQuery>,
) -> Result<Response, PageError> {
    let notice = q.ok.map(|_| "Đã lưu lịch làm việc.".to_owned());
    page(&state, &s, &q.agency, notice, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct DayForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default, rename = "co-quan")]
    agency: String,
    #[serde(default)]
    ngay: String,
    #[serde(default)]
    loai: String,
    #[serde(default)]
    ten: String,
}

pub async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<DayForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let agency = Some(f.agency.trim()).filter(|a| !a.is_empty());
    let kind = Some(f.loai.trim()).filter(|k| !k.is_empty());
    let result = state
        .app
        .set_special_day(
            &Principal::from(&s.actor),
            agency,
            &f.ngay,
            kind,
            Some(&f.ten),
        )
        .await;
    match result {
        Ok(()) => {
            let back = match agency {
                Some(a) => format!("/quan-tri/lich?co-quan={a}&ok=1"),
                None => "/quan-tri/lich?ok=1".to_owned(),
            };
            Ok(Redirect::to(&back).into_response())
        }
        Err(e @ Error::Invalid(_)) => {
            page(
                &state,
                &s,
                &f.agency,
                None,
                Some(e.message_vi()),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(PageError {
            error: e,
            chrome: Box::new(Chrome::for_user(&s, "/quan-tri/lich")),
        }),
    }
}
