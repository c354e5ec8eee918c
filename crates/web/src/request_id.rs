//! One request, one id. Every response carries `X-Request-Id`: the caller's own when
//! it is sane, else a fresh UUIDv7. The id is a field of the request's tracing span,
//! so every log line of the request carries it, and a fault's page or problem+json
//! shows it, so that what a person reads out to support finds the log.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnFailure, TraceLayer};

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longer ids are refused: they would bloat every log line of the request.
const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being served, for error responses built far from the
/// request (`IntoResponse` sees no request). `None` outside a request.
pub fn current() -> Option<String> {
    CURRENT
        .try_with(Clone::clone)
        .ok()
        .filter(|id| !id.is_empty())
}

/// Visible ASCII only (no spaces, no control characters), 1 to 128 bytes: an id
/// taken from outside goes into logs and pages, so it must not forge a log line or
/// carry markup-looking noise of unbounded length.
pub fn is_sane(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty() && bytes.len() <= MAX_LEN && bytes.iter().all(u8::is_ascii_graphic)
}

#[derive(Clone, Copy, Default)]
struct MakeUuidV7;

impl MakeRequestId for MakeUuidV7 {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        // Time-ordered like the database keys: ids sort by when the request came.
        HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
            .ok()
            .map(RequestId::new)
    }
}

/// `SetRequestIdLayer` keeps any id the request brings; an insane one (or several)
/// is dropped first so that a fresh one replaces it.
async fn drop_insane_id(mut req: Request) -> Request {
    let mut given = req.headers().get_all(&X_REQUEST_ID).iter();
    let sane = matches!((given.next(), given.next()), (Some(v), None) if is_sane(v));
    if !sane {
        req.headers_mut().remove(&X_REQUEST_ID);
    }
    req
}

fn id_of<B>(req: &axum::http::Request<B>) -> &str {
    req.extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default()
}

async fn scope_id(req: Request, next: Next) -> Response {
    let id = id_of(&req).to_owned();
    CURRENT.scope(id, next.run(req)).await
}

/// Wraps every route (and the fallback) of `router`: ids in and out, the request's
/// span, the id in scope for error responses. Call after all routes are added.
pub fn layer<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &axum::http::Request<_>| {
            // The path only: a query string may hold a citizen's personal number.
            tracing::info_span!(
                "request",
                request_id = %id_of(req),
                method = %req.method(),
                route = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str),
                path = %req.uri().path(),
            )
        })
        // A fault is logged once, with its cause, where it becomes a response; the
        // layer's own line about the 500 is there only when asked for.
        .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG));
    // Outermost last: drop an insane id, set one, copy it to the response, then the
    // span and the task-local see it.
    router
        .layer(middleware::from_fn(scope_id))
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeUuidV7))
        .layer(middleware::map_request(drop_insane_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids() {
        let ok = |s: &str| is_sane(&HeaderValue::from_str(s).expect("header value"));
        assert!(ok("0192f0c4-3b7e-7c1a-9f00-0123456789ab"));
        assert!(ok("lb-7f3a:42"));
        assert!(ok(&"a".repeat(128)));
        assert!(!ok(&"a".repeat(129)));
        assert!(!ok(""));
        assert!(!ok("two words"));
        assert!(!ok("tab\there"));
        assert!(!is_sane(
            &HeaderValue::from_bytes("mã".as_bytes()).expect("opaque bytes")
        ));
    }
}
