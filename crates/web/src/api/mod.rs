//! The JSON API under `/api/v1`: bearer-token authentication, problem+json errors,
//! and an OpenAPI 3 document describing every endpoint.

mod admin;
mod campaigns;
mod certifications;
mod dossiers;
mod extract;
mod json;
mod public;
mod registers;
pub(crate) mod reports;
mod wire;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::input_guard::body_limit;
use crate::AppState;

pub(crate) use certifications::pdf_response;
pub use extract::{ApiPath, ApiQuery};
pub use json::ApiJson;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Một cửa điện tử: API cho phần mềm kết nối. Lỗi trả về theo RFC 9457 (application/problem+json), `detail` bằng tiếng Việt.",
        version = "1"
    ),
    paths(
        admin::me,
        admin::list_agencies,
        admin::create_agency,
        admin::get_agency,
        admin::update_agency,
        admin::list_users,
        admin::create_user,
        admin::get_user,
        admin::update_user,
        admin::list_tokens,
        admin::create_token,
        admin::revoke_token,
        admin::audit,
        public::lunar,
        public::days,
        public::due,
        public::procedures,
        public::procedure,
        dossiers::receive,
        dossiers::submit,
        dossiers::list,
        dossiers::get,
        dossiers::act,
        dossiers::events,
        dossiers::receipt,
        dossiers::form,
        dossiers::track,
        dossiers::rate,
        reports::ii06a,
        reports::ii06a_dossiers,
        reports::units,
        reports::service_index,
        reports::service_index_dossiers,
        reports::tracking_book,
        campaigns::list,
        campaigns::get,
        certifications::fee,
        certifications::record,
        certifications::list,
        certifications::counts,
        certifications::get,
        certifications::statement,
        certifications::revoke,
        certifications::certify,
        certifications::electronic,
        certifications::copy_pdf,
        certifications::close_book,
        registers::search,
        registers::get,
        registers::extract,
        registers::create,
        registers::add_note,
        registers::books,
        registers::close_book,
        registers::open_next_book,
    ),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    modifiers(&BearerAuth, &CommonProblems),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The answers every operation of a kind can give, added to each one here so that
/// none is forgotten: 401 wherever a token is needed, 400 wherever the client sends
/// parameters or a body (a malformed query string, a path that is not UTF-8, a body
/// that is not JSON are refused before the handler runs).
struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::SecurityRequirement;
        let anonymous = SecurityRequirement::default();
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let authenticated = match &op.security {
                    None => true,
                    Some(reqs) => reqs.iter().any(|r| *r != anonymous),
                };
                if authenticated {
                    add_problem(op, "401", "Thiếu hoặc sai mã truy cập");
                }
                let has_input = op.request_body.is_some()
                    || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                if has_input {
                    add_problem(op, "400", "Yêu cầu không hợp lệ");
                }
            }
        }
    }
}

fn add_problem(op: &mut utoipa::openapi::path::Operation, status: &str, description: &str) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
                .into()
        });
}

/// A method the route does not have: problem+json like every other API error, with
/// axum's `Allow` header still listing the methods it has.
async fn method_not_allowed() -> axum::response::Response {
    crate::error::problem(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Phương thức không được hỗ trợ",
        "Địa chỉ API này không nhận phương thức HTTP đã gửi; tiêu đề Allow liệt kê các phương thức được nhận.".into(),
        Vec::new(),
    )
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route("/me", get(admin::me))
        .route(
            "/dossiers",
            get(dossiers::list)
                .post(dossiers::receive)
                .layer(DefaultBodyLimit::max(body_limit::OFFICER_JSON)),
        )
        .route("/dossiers/{code}", get(dossiers::get))
        .route(
            "/dossiers/{code}/actions/{action}",
            post(dossiers::act).layer(DefaultBodyLimit::max(body_limit::OFFICER_JSON)),
        )
        .route("/dossiers/{code}/events", get(dossiers::events))
        .route("/dossiers/{code}/receipt.pdf", get(dossiers::receipt))
        .route("/dossiers/{code}/forms/{form}", get(dossiers::form))
        .route(
            "/public/submissions",
            post(dossiers::submit)
                .layer(DefaultBodyLimit::max(body_limit::ONLINE_JSON))
                .layer(axum::middleware::from_fn(
                    crate::input_guard::one_upload_of_few,
                )),
        )
        .route(
            "/public/dossiers/{code}",
            get(dossiers::track).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/public/dossiers/{code}/rating",
            post(dossiers::rate).layer(DefaultBodyLimit::max(body_limit::RATING)),
        )
        .route(
            "/agencies",
            get(admin::list_agencies).post(admin::create_agency),
        )
        .route(
            "/agencies/{code}",
            get(admin::get_agency).patch(admin::update_agency),
        )
        .route(
            "/agencies/{code}/users",
            get(admin::list_users).post(admin::create_user),
        )
        .route(
            "/users/{username}",
            get(admin::get_user).patch(admin::update_user),
        )
        .route("/tokens", get(admin::list_tokens).post(admin::create_token))
        .route("/tokens/{id}", axum::routing::delete(admin::revoke_token))
        .route("/audit", get(admin::audit))
        .route(
            "/calendar/lunar",
            get(public::lunar).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/calendar/days",
            get(public::days).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/calendar/due",
            get(public::due).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route("/procedures", get(public::procedures))
        .route("/procedures/{code}", get(public::procedure))
        .route("/reports/ii06a", get(reports::ii06a))
        .route("/reports/ii06a/dossiers", get(reports::ii06a_dossiers))
        .route("/reports/units", get(reports::units))
        .route("/reports/service-index", get(reports::service_index))
        .route(
            "/reports/service-index/dossiers",
            get(reports::service_index_dossiers),
        )
        .route("/reports/tracking-book", get(reports::tracking_book))
        .route("/campaigns", get(campaigns::list))
        .route("/campaigns/{id}", get(campaigns::get))
        .route(
            "/certification/fee",
            get(certifications::fee).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/certifications",
            get(certifications::list)
                .post(certifications::record)
                .layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/certifications/electronic",
            post(certifications::electronic).layer(DefaultBodyLimit::max(body_limit::SCAN_FORM)),
        )
        .route(
            "/certifications/{id}/copy.pdf",
            get(certifications::copy_pdf),
        )
        .route(
            "/certifications/books/close",
            post(certifications::close_book).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route("/certifications/counts", get(certifications::counts))
        .route("/certifications/{id}", get(certifications::get))
        .route(
            "/certifications/{id}/statement.pdf",
            get(certifications::statement),
        )
        .route(
            "/certifications/{id}/certify",
            post(certifications::certify).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/issued/{token}/revoke",
            post(certifications::revoke).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        .route(
            "/civil-events",
            get(registers::search).post(registers::create),
        )
        .route("/civil-events/{id}/notes", post(registers::add_note))
        .route("/civil-books", get(registers::books))
        .route("/civil-books/close", post(registers::close_book))
        .route("/civil-books/next", post(registers::open_next_book))
        .route("/civil-events/{id}", get(registers::get))
        .route(
            "/civil-events/{id}/extracts",
            post(registers::extract).layer(DefaultBodyLimit::max(body_limit::ANONYMOUS)),
        )
        // Last: it applies to the routes registered before it.
        .method_not_allowed_fallback(method_not_allowed)
}
