//! Administration of the working calendar's special days.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use motcua_app::{Error, Principal};
use motcua_domain::access::Action;
use serde::Deserialize;

use crate::error::PageError;
use crate::layout::{render, Chrome};
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
    /// Morning start/end, afternoon start/end, Saturday morning; for an agency layer.
    sessions: Option<(String, String, String, String, bool)>,
    notice: Option<String>,
    error: Option<String>,
    /// The year shown, the years one may pick, and that year's days off and
    /// make-up working days (dd/mm/yyyy, weekday, kind, name).
    year: i16,
    years: Vec<i16>,
    year_days: Vec<(String, &'static str, &'static str, String)>,
    /// What was typed in the day form: kept when it is refused.
    typed: DayForm,
}

#[derive(Deserialize)]
pub struct LayerQuery {
    #[serde(default, rename = "co-quan")]
    agency: String,
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    nam: Option<i16>,
}

fn weekday_vi(d: jiff::civil::Date) -> &'static str {
    use jiff::civil::Weekday::*;
    match d.weekday() {
        Monday => "Thứ Hai",
        Tuesday => "Thứ Ba",
        Wednesday => "Thứ Tư",
        Thursday => "Thứ Năm",
        Friday => "Thứ Sáu",
        Saturday => "Thứ Bảy",
        Sunday => "Chủ nhật",
    }
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

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    s: &SignedIn,
    agency: &str,
    year: Option<i16>,
    typed: DayForm,
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
    let sessions = if agency.is_empty() {
        None
    } else {
        let w = state.app.working_sessions(agency).await.map_err(err)?;
        let hm = |t: jiff::civil::Time| t.strftime("%H:%M").to_string();
        let monday = &w.weekdays[0];
        match (monday.first(), monday.get(1)) {
            (Some(m), Some(a)) => Some((
                hm(m.start),
                hm(m.end),
                hm(a.start),
                hm(a.end),
                !w.weekdays[5].is_empty(),
            )),
            _ => None,
        }
    };
    let this_year = state
        .app
        .now()
        .to_zoned(motcua_domain::calendar::vietnam_time_zone())
        .year();
    let year = year
        .filter(|y| (2000..=2060).contains(y))
        .unwrap_or(this_year);
    let years: Vec<i16> = (this_year - 1..=this_year + 1)
        .chain(std::iter::once(year))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // Every day off of the year from the calendar in force (the statutory
    // holidays computed from the rules, the government's days off and make-up
    // days, the agency's own), not only the days someone stored.
    let year_days = match (
        jiff::civil::Date::new(year, 1, 1),
        jiff::civil::Date::new(year, 12, 31),
    ) {
        (Ok(from), Ok(to)) => state
            .app
            .calendar_days(Some(agency).filter(|a| !a.is_empty()), from, to)
            .await
            .map_err(err)?
            .into_iter()
            .filter(|d| !matches!(d.kind.as_str(), "working" | "weekend") || d.name.is_some())
            .map(|d| {
                (
                    d.date.strftime("%d/%m/%Y").to_string(),
                    weekday_vi(d.date),
                    kind_label(&d.kind),
                    d.name.unwrap_or_default(),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
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
            sessions,
            notice,
            error,
            year,
            years,
            year_days,
            typed,
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<LayerQuery>,
) -> Result<Response, PageError> {
    let notice = q.ok.map(|_| "Đã lưu lịch làm việc.".to_owned());
    let typed = DayForm {
        loai: "day_off".into(),
        ..DayForm::default()
    };
    page(
        &state,
        &s,
        &q.agency,
        q.nam,
        typed,
        notice,
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
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
            let agency = f.agency.clone();
            page(
                &state,
                &s,
                &agency,
                None,
                f,
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

#[derive(Deserialize)]
pub struct SessionsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default, rename = "co-quan")]
    agency: String,
    #[serde(default)]
    sang_bd: String,
    #[serde(default)]
    sang_kt: String,
    #[serde(default)]
    chieu_bd: String,
    #[serde(default)]
    chieu_kt: String,
    #[serde(default)]
    thu_bay: Option<String>,
}

fn parse_time(field: &str, label: &str, value: &str) -> Result<jiff::civil::Time, Error> {
    let v = value.trim().replace('h', ":");
    let v = if v.ends_with(':') {
        format!("{v}00")
    } else {
        v
    };
    jiff::civil::Time::strptime("%H:%M", &v).map_err(|_| {
        Error::field(
            field,
            format!(
                "Giờ {label} «{}» không hợp lệ; ghi theo dạng 07:30.",
                value.trim()
            ),
        )
    })
}

pub async fn save_sessions(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<SessionsForm>,
) -> Result<Response, PageError> {
    use motcua_domain::calendar::{Session, WorkingSessions};
    s.check_csrf(&f.csrf)?;
    let parsed = (|| {
        Ok::<_, Error>(WorkingSessions::office(
            Session::new(
                parse_time("sang_bd", "bắt đầu buổi sáng", &f.sang_bd)?,
                parse_time("sang_kt", "kết thúc buổi sáng", &f.sang_kt)?,
            ),
            Session::new(
                parse_time("chieu_bd", "bắt đầu buổi chiều", &f.chieu_bd)?,
                parse_time("chieu_kt", "kết thúc buổi chiều", &f.chieu_kt)?,
            ),
            f.thu_bay.is_some(),
            WorkingSessions::default().same_day_cutoff,
        ))
    })();
    let result = match parsed {
        Ok(w) => {
            state
                .app
                .set_working_sessions(&Principal::from(&s.actor), &f.agency, &w)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/quan-tri/lich?co-quan={}&ok=1", f.agency.trim()))
                .into_response(),
        ),
        Err(e @ Error::Invalid(_)) => {
            page(
                &state,
                &s,
                &f.agency,
                None,
                DayForm::default(),
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
