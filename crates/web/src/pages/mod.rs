//! HTML pages. Handlers parse the request, call one use case, and render.

mod account;
mod admin;
mod audit;
mod calendar;
mod catalogue;
mod dossiers;
mod form_data;
mod home;
mod intake_form;
mod online;
mod procedures_admin;
mod sign_in;
mod tracking;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use motcua_domain::access::Action;
use motcua_domain::user::Role;
use motcua_domain::validation::FieldError;

use crate::error::{render, ErrorPage};
use crate::session::{MaybeSignedIn, SignedIn};
use crate::AppState;

/// Scans and result files come with these forms: more than the 2 MB elsewhere.
const UPLOAD_LIMIT: usize = 30 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route(
            "/ho-so/tiep-nhan",
            get(dossiers::intake_form)
                .post(dossiers::intake_submit)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/ho-so/tiep-nhan/thu-tuc",
            get(dossiers::intake_procedure_options),
        )
        .route("/ho-so/tiep-nhan/giay-to", get(dossiers::intake_documents))
        .route("/ho-so/{code}", get(dossiers::show))
        .route(
            "/ho-so/{code}/thao-tac/{verb}",
            post(dossiers::act).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/ho-so/{code}/tep/{id}", get(dossiers::file))
        .route("/ho-so/{code}/mau/{file}", get(dossiers::form_pdf))
        .route("/tra-cuu", get(tracking::show))
        .route(
            "/nop-truc-tuyen",
            get(online::form)
                .post(online::submit)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/nop-truc-tuyen/thu-tuc", get(online::procedure_options))
        .route("/thu-tuc", get(catalogue::list))
        .route("/thu-tuc/{code}", get(catalogue::show))
        .route("/thu-tuc/{code}/poster.pdf", get(catalogue::poster))
        .route("/dang-nhap", get(sign_in::form).post(sign_in::submit))
        .route("/dang-xuat", post(sign_in::sign_out))
        .route(
            "/quan-tri/co-quan",
            get(admin::agencies).post(admin::create_agency),
        )
        .route(
            "/quan-tri/co-quan/{code}",
            get(admin::agency).post(admin::update_agency),
        )
        .route(
            "/quan-tri/co-quan/{code}/nguoi-dung-moi",
            get(admin::new_user_form),
        )
        .route(
            "/quan-tri/co-quan/{code}/nguoi-dung",
            post(admin::create_user),
        )
        .route(
            "/quan-tri/nguoi-dung/{username}",
            get(admin::edit_user_form).post(admin::update_user),
        )
        .route("/quan-tri/nhat-ky", get(audit::show))
        .route("/quan-tri/lich", get(calendar::show).post(calendar::save))
        .route("/quan-tri/lich/gio-lam-viec", post(calendar::save_sessions))
        .route("/quan-tri/thu-tuc", get(procedures_admin::list))
        .route("/quan-tri/thu-tuc/nhap", post(procedures_admin::upload))
        .route("/quan-tri/danh-muc/{file}", get(procedures_admin::download))
        .route(
            "/quan-tri/thu-tuc/{code}",
            get(procedures_admin::edit).post(procedures_admin::save),
        )
        .route(
            "/quan-tri/thu-tuc/{code}/ap-dung",
            post(procedures_admin::enable),
        )
        .route("/tai-khoan", get(account::show))
        .route("/tai-khoan/mat-khau", post(account::change_password))
        .route("/tai-khoan/ma-truy-cap", post(account::create_token))
        .route(
            "/tai-khoan/ma-truy-cap/{id}/thu-hoi",
            post(account::revoke_token),
        )
}

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

    pub fn for_user(s: &SignedIn, current: &str) -> Self {
        let a = &s.actor;
        let mut nav = vec![("/".to_owned(), "Việc cần làm")];
        let path = &a.agency.path;
        if a.may(Action::ReadDossier, path) {
            nav.push(("/?ds=all".into(), "Hồ sơ"));
        }
        if a.has(Role::CounterOfficer) {
            nav.push(("/ho-so/tiep-nhan".into(), "Tiếp nhận"));
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
            csrf: s.csrf.clone(),
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

    pub fn for_maybe(s: &MaybeSignedIn, current: &str) -> Self {
        match &s.0 {
            Some(s) => Chrome::for_user(s, current),
            None => {
                let mut c = Chrome::anonymous();
                for item in &mut c.nav {
                    item.current = item.href == current;
                }
                c
            }
        }
    }
}

/// Field messages for re-showing a form next to what the person typed.
#[derive(Default)]
pub struct FormErrors {
    fields: Vec<FieldError>,
    general: Option<String>,
}

impl FormErrors {
    pub fn from_fields(fields: Vec<FieldError>) -> Self {
        FormErrors {
            fields,
            general: None,
        }
    }

    pub fn with_general(message: impl Into<String>) -> Self {
        FormErrors {
            fields: Vec::new(),
            general: Some(message.into()),
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }

    pub fn general(&self) -> Option<&str> {
        self.general.as_deref()
    }

    pub fn all(&self) -> &[FieldError] {
        &self.fields
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }

    /// Errors a person can fix in the form stay on the form; anything else (no
    /// permission, a fault) becomes an error page.
    pub fn from_error(e: motcua_app::Error) -> Result<FormErrors, motcua_app::Error> {
        match e {
            motcua_app::Error::Invalid(errors) => Ok(FormErrors {
                fields: errors.0,
                general: None,
            }),
            motcua_app::Error::Conflict(message) => Ok(FormErrors {
                fields: Vec::new(),
                general: Some(message),
            }),
            other => Err(other),
        }
    }
}

/// Instants on pages are Vietnamese local time, `14:05 05/03/2026`.
pub fn datetime_vn(t: jiff::Timestamp) -> String {
    t.to_zoned(motcua_domain::calendar::vietnam_time_zone())
        .strftime("%H:%M %d/%m/%Y")
        .to_string()
}

pub async fn not_found(signed_in: MaybeSignedIn, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        use axum::response::IntoResponse;
        return crate::error::ApiError(motcua_app::Error::NotFound(
            "Không có địa chỉ API này.".into(),
        ))
        .into_response();
    }
    render(
        StatusCode::NOT_FOUND,
        &ErrorPage {
            chrome: Chrome::for_maybe(&signed_in, ""),
            title: "Không tìm thấy trang".into(),
            detail: "Trang bạn tìm không tồn tại hoặc đã được chuyển đi.".into(),
        },
    )
}
