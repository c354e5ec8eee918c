//! Static files compiled into the binary, so that a commune's server needs no CDN
//! and works on a closed network.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

macro_rules! asset {
    ($name:literal, $mime:literal) => {
        (
            $name,
            $mime,
            include_bytes!(concat!("../assets/", $name)).as_slice(),
        )
    };
}

const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("fonts.css", "text/css; charset=utf-8"),
    asset!("htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("fonts/be-vietnam-pro-latin-400-normal.woff2", "font/woff2"),
    asset!("fonts/be-vietnam-pro-latin-600-normal.woff2", "font/woff2"),
    asset!(
        "fonts/be-vietnam-pro-latin-ext-400-normal.woff2",
        "font/woff2"
    ),
    asset!(
        "fonts/be-vietnam-pro-latin-ext-600-normal.woff2",
        "font/woff2"
    ),
    asset!(
        "fonts/be-vietnam-pro-vietnamese-400-normal.woff2",
        "font/woff2"
    ),
    asset!(
        "fonts/be-vietnam-pro-vietnamese-600-normal.woff2",
        "font/woff2"
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{*path}", get(serve))
}

async fn serve(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == path) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                // Assets change only with a new release; a day is a safe cache.
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
