//! HTML pages. Handlers parse the request, call one use case, and render.

mod account;
mod admin;
mod audit;
mod calendar;
mod campaigns;
mod catalogue;
mod certification;
mod certification_book;
mod certification_electronic;
mod dossiers;
mod form_data;
mod home;
mod intake_form;
mod online;
mod procedure_form;
mod procedures_admin;
mod register_import;
mod registers;
mod reports;
mod sign_in;
mod tracking;
mod verification;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler as _;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use motcua_domain::validation::FieldError;

use crate::layout::{render, Chrome, ErrorPage};
use crate::session::MaybeSignedIn;
use crate::AppState;

use crate::input_guard::body_limit;

/// Scans and result files come with the officers' forms: more than the 2 MB elsewhere.
const UPLOAD_LIMIT: usize = body_limit::OFFICER_FORM;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .merge(dossiers::routes())
        .merge(reports::routes())
        .route(
            "/tra-cuu",
            get(tracking::show).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/tra-cuu/danh-gia",
            post(tracking::rate).layer(DefaultBodyLimit::max(body_limit::RATING)),
        )
        .route(
            "/nop-truc-tuyen",
            get(online::form).post(
                online::submit
                    .layer(DefaultBodyLimit::max(body_limit::ONLINE_FORM))
                    .layer(axum::middleware::from_fn(
                        crate::input_guard::one_upload_of_few,
                    )),
            ),
        )
        .route("/nop-truc-tuyen/thu-tuc", get(online::procedure_options))
        .route(
            "/chung-thuc",
            get(certification::show)
                .post(certification::submit)
                .layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route("/chung-thuc/le-phi", get(certification::fee))
        .route("/chung-thuc/so", get(certification_book::show))
        .route(
            "/chung-thuc/so/so-chung-thuc.xlsx",
            get(certification_book::workbook),
        )
        .route(
            "/chung-thuc/so/khoa",
            post(certification_book::close).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/chung-thuc/ban-sao-dien-tu",
            get(certification_electronic::show)
                .post(certification_electronic::submit)
                .layer(DefaultBodyLimit::max(body_limit::SCAN_FORM)),
        )
        .route(
            "/chung-thuc/{id}/ban-sao.pdf",
            get(certification_electronic::copy_pdf),
        )
        .route(
            "/chung-thuc/{id}/loi-chung.pdf",
            get(certification::statement),
        )
        .route(
            "/xac-minh/{token}",
            get(verification::show).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route("/thu-tuc", get(catalogue::list))
        .route("/thu-tuc/{code}", get(catalogue::show))
        .route("/thu-tuc/{code}/poster.pdf", get(catalogue::poster))
        .route(
            "/dang-nhap",
            get(sign_in::form)
                .post(sign_in::submit)
                .layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
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
            "/quan-tri/co-quan/{code}/phan-cong-tu-dong",
            post(admin::save_auto_assignment),
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
        .route("/chien-dich", get(campaigns::list))
        .route(
            "/chien-dich/moi",
            get(campaigns::new_form)
                .post(campaigns::create)
                .layer(DefaultBodyLimit::max(
                    motcua_app::registers::MAX_WORKBOOK_BYTES + 64 * 1024,
                )),
        )
        .route("/chien-dich/{id}", get(campaigns::show))
        .route("/chien-dich/{id}/tien-do.xlsx", get(campaigns::workbook))
        .route("/ho-tich", get(registers::search))
        .route(
            "/ho-tich/them",
            get(registers::new_entry_form).post(registers::new_entry),
        )
        .route("/ho-tich/so", get(registers::books))
        .route("/ho-tich/so/khoa", post(registers::close_book))
        .route("/ho-tich/so/mo-tiep", post(registers::open_next_book))
        .route("/ho-tich/nhap/{job}", get(register_import::import_job))
        .route(
            "/ho-tich/nhap",
            get(register_import::import_form)
                .post(register_import::import_upload)
                // The workbook and the multipart framing around it.
                .layer(DefaultBodyLimit::max(
                    motcua_app::registers::MAX_WORKBOOK_BYTES + 64 * 1024,
                )),
        )
        .route("/ho-tich/{id}", get(registers::entry))
        .route(
            "/ho-tich/{id}/ghi-chu",
            post(registers::add_note).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/ho-tich/{id}/trich-luc",
            post(registers::extract).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route("/quan-tri/lich", get(calendar::show).post(calendar::save))
        .route("/quan-tri/lich/gio-lam-viec", post(calendar::save_sessions))
        .route("/quan-tri/thu-tuc", get(procedures_admin::list))
        .route("/quan-tri/thu-tuc/nhap", post(procedures_admin::upload))
        .route("/quan-tri/linh-vuc", post(procedures_admin::save_sector))
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

/// Field messages for re-showing a form next to what the person typed.
#[derive(Default, Clone)]
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
            request_id: None,
        },
    )
}
