//! What surrounds every page: the chrome (who is signed in, the navigation), the
//! error page, and rendering a template. Pages and the error responses both build
//! on it, so it depends on neither.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use motcua_app::Actor;
use motcua_domain::access::Action;
use motcua_domain::user::Role;

pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

pub struct ChromeUser {
    pub full_name: String,
    pub agency_name: String,
    pub role_labels: String,
}

/// What every page around its content needs: who is signed in, the CSRF token for
/// the sign-out form, the navigation for their roles.
pub struct Chrome {
    pub user: Option<ChromeUser>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

impl Chrome {
    pub fn anonymous() -> Self {
        Chrome {
            user: None,
            csrf: String::new(),
            nav: vec![
                NavItem {
                    href: "/".into(),
                    label: "Trang chủ",
                    current: false,
                },
                NavItem {
                    href: "/thu-tuc".into(),
                    label: "Thủ tục hành chính",
                    current: false,
                },
                NavItem {
                    href: "/tra-cuu".into(),
                    label: "Tra cứu hồ sơ",
                    current: false,
                },
                NavItem {
                    href: "/nop-truc-tuyen".into(),
                    label: "Nộp hồ sơ trực tuyến",
                    current: false,
                },
            ],
        }
    }

    /// The chrome of a signed-in person: their name and agency, the navigation their
    /// roles open, and the CSRF token of the session for the sign-out form.
    pub fn for_actor(a: &Actor, csrf: &str, current: &str) -> Self {
        let mut nav = vec![("/".to_owned(), "Việc cần làm")];
        let path = &a.agency.path;
        if a.may(Action::ReadDossier, path) {
            nav.push(("/?ds=all".into(), "Hồ sơ"));
        }
        if a.has(Role::CounterOfficer) {
            nav.push(("/ho-so/tiep-nhan".into(), "Tiếp nhận"));
        }
        if a.may(Action::Certify, path) {
            nav.push(("/chung-thuc".into(), "Chứng thực"));
        }
        if a.may(Action::ReadDossier, path) {
            nav.push(("/bang-dieu-khien".into(), "Bảng điều khiển"));
            nav.push(("/bao-cao".into(), "Báo cáo"));
            nav.push(("/chien-dich".into(), "Chiến dịch"));
        }
        if a.may(Action::ManageAgency, path) || a.has(Role::Supervisor) {
            nav.push(("/quan-tri/co-quan".into(), "Cơ quan, đơn vị"));
        } else if a.may(Action::ReadUsers, path) {
            nav.push((format!("/quan-tri/co-quan/{}", a.agency.code), "Cán bộ"));
        }
        if a.may(Action::ManageAgency, path) {
            nav.push(("/quan-tri/thu-tuc".into(), "Danh mục thủ tục"));
            nav.push(("/quan-tri/lich".into(), "Lịch làm việc"));
        }
        if a.may(Action::ReadAudit, path) {
            nav.push(("/quan-tri/nhat-ky".into(), "Nhật ký"));
        }
        nav.push(("/thu-tuc".into(), "Thủ tục"));
        nav.push(("/tai-khoan".into(), "Tài khoản"));
        Chrome {
            user: Some(ChromeUser {
                full_name: a.full_name.clone(),
                agency_name: a.agency.name.clone(),
                role_labels: a
                    .roles
                    .iter()
                    .map(|r| r.label_vi())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            csrf: csrf.to_owned(),
            nav: nav
                .into_iter()
                .map(|(href, label)| NavItem {
                    current: href == current,
                    href,
                    label,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub title: String,
    pub detail: String,
    /// Shown on a fault of ours, so that support can find the request in the log.
    pub request_id: Option<String>,
}

/// Renders a template; a template failure is our bug, logged, and shown as a plain
/// Vietnamese apology rather than a blank page.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            let mut html = "<!doctype html><meta charset=utf-8><p>Hệ thống gặp sự cố khi hiển thị trang. Vui lòng thử lại.</p>".to_owned();
            if let Some(id) = crate::request_id::current() {
                html.push_str(&format!("<p>{}</p>", escape(&support_line(&id))));
            }
            (StatusCode::INTERNAL_SERVER_ERROR, Html(html)).into_response()
        }
    }
}

/// What a person reads beside a fault: the id that finds the request in the log.
fn support_line(request_id: &str) -> String {
    format!("Mã yêu cầu: {request_id} — vui lòng cung cấp mã này khi liên hệ hỗ trợ.")
}

/// For the one page written without a template: an id from outside may hold `<`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
