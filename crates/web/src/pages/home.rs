//! The home page: for a visitor, the public entrance; for an officer, what to do next.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::access::Action;
use motcua_domain::user::Role;

use super::Chrome;
use crate::error::{render, PageError};
use crate::session::MaybeSignedIn;
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

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    greeting_name: String,
    agency_name: String,
    today: String,
    panels: Vec<Panel>,
}

fn worklist(title: &'static str, empty: &'static str) -> Panel {
    Panel {
        title,
        count: Some(0),
        items: Vec::new(),
        empty,
    }
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
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
    // Dossier worklists are empty until dossiers exist; each role sees its own.
    if a.has(Role::CounterOfficer) {
        panels.push(worklist(
            "Hồ sơ trực tuyến chờ tiếp nhận",
            "Không có hồ sơ nào chờ tiếp nhận.",
        ));
        panels.push(worklist(
            "Kết quả chờ trả cho công dân",
            "Không có kết quả nào chờ trả.",
        ));
    }
    if a.has(Role::Specialist) {
        panels.push(worklist(
            "Hồ sơ tôi đang xử lý",
            "Không có hồ sơ nào được giao.",
        ));
        panels.push(worklist(
            "Sắp đến hạn (trong 1 ngày)",
            "Không có hồ sơ nào sắp đến hạn.",
        ));
    }
    if a.has(Role::Leader) {
        panels.push(worklist(
            "Hồ sơ chờ tôi phê duyệt",
            "Không có hồ sơ nào chờ phê duyệt.",
        ));
    }
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
    let today = jiff::Timestamp::now()
        .to_zoned(motcua_domain::calendar::vietnam_time_zone())
        .strftime("%d/%m/%Y")
        .to_string();
    Ok(render(
        StatusCode::OK,
        &Home {
            chrome: Chrome::for_user(s, "/"),
            greeting_name: a.full_name.clone(),
            agency_name: a.agency.name.clone(),
            today,
            panels,
        },
    ))
}
