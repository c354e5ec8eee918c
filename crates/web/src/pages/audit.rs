//! The audit log page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::audit::AuditEntry;
use serde::Deserialize;

use super::datetime_vn;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::session::SignedIn;
use crate::AppState;

const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    /// (when, the entry, what, who by full name).
    entries: Vec<(String, AuditEntry, &'static str, String)>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct Cursor {
    truoc: Option<String>,
}

fn action_label(action: &str) -> &'static str {
    match action {
        "agency.create" => "Thêm cơ quan",
        "agency.update" => "Sửa cơ quan",
        "user.create" => "Thêm người dùng",
        "user.update" => "Sửa người dùng",
        "token.create" => "Cấp mã truy cập API",
        "token.revoke" => "Thu hồi mã truy cập API",
        "sector.save" => "Thêm, đổi tên lĩnh vực",
        "calendar.set_day" => "Sửa lịch làm việc",
        "procedure.enable" => "Thực hiện, ngừng thủ tục",
        _ => "Thao tác khác",
    }
}

pub async fn show(
    State(state): State<AppState>,
    s: SignedIn,
    Query(c): Query<Cursor>,
) -> Result<Response, PageError> {
    let entries = state
        .app
        .audit_log(&s.actor, c.truoc.as_deref(), PAGE)
        .await
        .map_err(|error| PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, "/quan-tri/nhat-ky")),
        })?;
    let next = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.id.clone()))
        .flatten();
    let names = state
        .app
        .full_names(entries.iter().map(|e| e.actor.clone()).collect())
        .await
        .map_err(|error| PageError {
            error,
            chrome: Box::new(Chrome::for_user(&s, "/quan-tri/nhat-ky")),
        })?;
    let entries = entries
        .into_iter()
        .map(|e| {
            let who = names.get(&e.actor).cloned().unwrap_or_default();
            (datetime_vn(e.at), action_label(&e.action), e, who)
        })
        .map(|(t, label, e, who)| (t, e, label, who))
        .collect();
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            chrome: Chrome::for_user(&s, "/quan-tri/nhat-ky"),
            entries,
            next,
        },
    ))
}
