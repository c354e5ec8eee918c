//! The home page: for a visitor, the public entrance; for an officer, what to do next.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::dossiers::{Worklist, WorklistQuery};
use motcua_domain::access::Action;
use motcua_domain::user::Role;
use serde::Deserialize;

use super::datetime_vn;
use super::form_data::query_value;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::session::{MaybeSignedIn, SignedIn};
use crate::AppState;

#[derive(Template)]
#[template(path = "home_public.html")]
struct PublicHome {
    chrome: Chrome,
}

struct Panel {
    title: &'static str,
    count: Option<usize>,
    items: Vec<(String, String)>,
    empty: &'static str,
}

struct Tab {
    href: String,
    label: &'static str,
    current: bool,
}

struct Row {
    code: String,
    procedure_name: String,
    applicant: String,
    status: String,
    channel_online: bool,
    received: String,
    due: String,
    overdue: bool,
}

/// The current worklist: its tabs, filters and one page of it.
struct Lists {
    tabs: Vec<Tab>,
    current: &'static str,
    current_label: &'static str,
    sector: String,
    procedure: String,
    sectors: Vec<(String, String)>,
    procedures: Vec<(String, String)>,
    rows: Vec<Row>,
    next_href: Option<String>,
    first_href: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    greeting_name: String,
    agency_name: String,
    today: String,
    can_receive: bool,
    lists: Option<Lists>,
    panels: Vec<Panel>,
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    #[serde(default)]
    ds: String,
    #[serde(default, rename = "linh-vuc")]
    sector: String,
    #[serde(default, rename = "thu-tuc")]
    procedure: String,
    #[serde(default)]
    sau: String,
}

/// The tab's name: the app's, but for the leader's list, said in full.
fn tab_label(w: Worklist) -> &'static str {
    match w {
        Worklist::AwaitingApproval => "Hồ sơ chờ tôi phê duyệt",
        other => other.label_vi(),
    }
}

fn list_href(list: Worklist, sector: &str, procedure: &str, after: Option<&str>) -> String {
    let mut href = format!("/?ds={}", list.as_str());
    if !sector.is_empty() {
        href.push_str(&format!("&linh-vuc={}", query_value(sector)));
    }
    if !procedure.is_empty() {
        href.push_str(&format!("&thu-tuc={}", query_value(procedure)));
    }
    if let Some(a) = after {
        href.push_str(&format!("&sau={}", query_value(a)));
    }
    href
}

async fn lists(state: &AppState, s: &SignedIn, q: HomeQuery) -> Result<Option<Lists>, PageError> {
    let a = &s.actor;
    let available = Worklist::for_roles(&a.roles);
    let Some(first) = available.first().copied() else {
        return Ok(None);
    };
    let current = Worklist::parse(q.ds.trim())
        .filter(|w| available.contains(w))
        .unwrap_or(first);
    let sector = q.sector.trim().to_owned();
    let procedure = q.procedure.trim().to_owned();
    let err = |error| PageError {
        error,
        chrome: Box::new(Chrome::for_user(s, "/")),
    };
    let sectors = state.app.catalogue_sectors().await.map_err(err)?;
    let procedures = state
        .app
        .search_procedures("", Some(&sector), Some(&a.agency.code), 2000)
        .await
        .map_err(err)?
        .into_iter()
        .map(|e| (e.procedure.code, e.procedure.name))
        .collect();
    let query = WorklistQuery {
        list: Some(current.as_str().to_owned()),
        agency: None,
        sector: Some(sector.clone()).filter(|x| !x.is_empty()),
        procedure: Some(procedure.clone()).filter(|x| !x.is_empty()),
        after: Some(q.sau.clone()).filter(|x| !x.is_empty()),
        limit: Some(50),
    };
    let (rows, next, error) = match state.app.dossiers().worklist(a, &query).await {
        Ok(page) => (page.items, page.next, None),
        Err(motcua_app::Error::Invalid(e)) => (
            Vec::new(),
            None,
            Some(motcua_app::Error::Invalid(e).message_vi()),
        ),
        Err(e) => return Err(err(e)),
    };
    Ok(Some(Lists {
        tabs: available
            .iter()
            .map(|w| Tab {
                href: list_href(*w, &sector, &procedure, None),
                label: tab_label(*w),
                current: *w == current,
            })
            .collect(),
        current: current.as_str(),
        current_label: tab_label(current),
        rows: rows
            .into_iter()
            .map(|r| Row {
                code: r.code,
                procedure_name: r.procedure_name,
                applicant: r.applicant_name,
                status: r.status_label,
                channel_online: r.channel == "online",
                received: r.received_at.map(datetime_vn).unwrap_or_default(),
                due: r.due_at.map(datetime_vn).unwrap_or_default(),
                overdue: r.overdue,
            })
            .collect(),
        next_href: next.map(|n| list_href(current, &sector, &procedure, Some(&n))),
        first_href: (!q.sau.is_empty()).then(|| list_href(current, &sector, &procedure, None)),
        sector,
        procedure,
        sectors,
        procedures,
        error,
    }))
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
    Query(q): Query<HomeQuery>,
) -> Result<Response, PageError> {
    let Some(s) = &signed_in.0 else {
        return Ok(render(
            StatusCode::OK,
            &PublicHome {
                chrome: Chrome::anonymous(),
            },
        ));
    };
    let a = &s.actor;
    let mut panels = Vec::new();
    let lists = lists(&state, s, q).await?;
    if a.has(Role::Supervisor) || a.may(Action::ManageAgency, &a.agency.path) {
        let agencies = state.app.list_agencies(a).await?;
        let below: Vec<(String, String)> = agencies
            .iter()
            .filter(|x| x.depth > 0)
            .take(8)
            .map(|x| (format!("/quan-tri/co-quan/{}", x.code), x.name.clone()))
            .collect();
        panels.push(Panel {
            title: "Đơn vị trực thuộc",
            count: Some(agencies.iter().filter(|x| x.depth > 0).count()),
            items: below,
            empty: "Chưa có đơn vị trực thuộc.",
        });
    }
    if a.has(Role::Admin) {
        panels.push(Panel {
            title: "Quản trị",
            count: None,
            items: vec![
                (
                    "/quan-tri/co-quan".into(),
                    "Cơ quan, đơn vị và người dùng".into(),
                ),
                ("/quan-tri/nhat-ky".into(), "Nhật ký quản trị".into()),
            ],
            empty: "",
        });
    }
    let today = state
        .app
        .now()
        .to_zoned(motcua_domain::calendar::vietnam_time_zone())
        .strftime("%d/%m/%Y")
        .to_string();
    Ok(render(
        StatusCode::OK,
        &Home {
            chrome: Chrome::for_user(
                s,
                if lists.as_ref().is_some_and(|l| l.current == "all") {
                    "/?ds=all"
                } else {
                    "/"
                },
            ),
            greeting_name: a.full_name.clone(),
            agency_name: a.agency.name.clone(),
            today,
            can_receive: a.has(Role::CounterOfficer),
            lists,
            panels,
        },
    ))
}
