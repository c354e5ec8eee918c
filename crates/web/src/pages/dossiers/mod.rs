//! Officers' dossier pages: intake at the counter, the dossier with its history and
//! the actions the person may take, its files and printed forms.

mod actions;
mod downloads;
mod intake;
mod view;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use motcua_app::Error;

pub use intake::{procedure_groups, ProcedureGroup, ProcedureOptions};

use super::UPLOAD_LIMIT;
use crate::error::PageError;
use crate::layout::Chrome;
use crate::session::SignedIn;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/ho-so/tiep-nhan",
            get(intake::intake_form)
                .post(intake::intake_submit)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/ho-so/tiep-nhan/thu-tuc",
            get(intake::intake_procedure_options),
        )
        .route("/ho-so/tiep-nhan/giay-to", get(intake::intake_documents))
        .route("/ho-so/{code}", get(view::show))
        .route(
            "/ho-so/{code}/thao-tac/{verb}",
            post(actions::act).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/ho-so/{code}/tep/{id}", get(downloads::file))
        .route("/ho-so/{code}/mau/{file}", get(downloads::form_pdf))
}

/// Adds the page chrome to an error so the person keeps their navigation.
fn page_err(s: &SignedIn) -> impl Fn(Error) -> PageError + '_ {
    move |error| PageError {
        error,
        chrome: Box::new(Chrome::for_user(s, "")),
    }
}
