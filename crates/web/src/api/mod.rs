//! The JSON API under `/api/v1`: bearer-token authentication, problem+json errors,
//! and an OpenAPI 3 document describing every endpoint.

mod admin;
mod dossiers;
mod json;
mod public;
mod wire;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;

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
    ),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    modifiers(&BearerAuth),
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

use crate::input_guard::body_limit;

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
}
