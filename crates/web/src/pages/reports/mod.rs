//! The report pages: form II.06a for an agency and period with every figure linked
//! to the dossiers it counts, and its downloads.

mod dashboard;
mod ii06a;
mod service_index;

use axum::routing::get;
use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bao-cao", get(ii06a::show))
        .route("/bang-dieu-khien", get(dashboard::show))
        .route("/bao-cao/ho-so", get(ii06a::dossiers))
        .route("/bao-cao/ii06a.xlsx", get(ii06a::xlsx))
        .route("/bao-cao/ii06a.pdf", get(ii06a::pdf))
        .route("/chi-so-phuc-vu", get(service_index::show))
        .route("/chi-so-phuc-vu/ho-so", get(service_index::dossiers))
        .route(
            "/quan-tri/chi-so-phuc-vu",
            get(service_index::weights).post(service_index::save_weights),
        )
        .route("/bao-cao/so-theo-doi.pdf", get(ii06a::book_pdf))
        .route("/bao-cao/so-theo-doi.xlsx", get(ii06a::book_xlsx))
}

/// A query string of `pairs`, encoded (values come from the person's form).
pub(crate) fn query_string(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}
