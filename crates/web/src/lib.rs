//! The web layer: HTML pages (askama, htmx) and the JSON API under `/api/v1`. It only
//! translates HTTP into calls of `motcua_app` and their results back into HTTP.

mod api;
mod assets;
mod client_ip;
mod deadline;
mod error;
mod flash;
mod import_jobs;
mod input_guard;
mod layout;
mod metrics;
mod pages;
mod request_id;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{middleware, Router};
use motcua_app::App;
use tower_http::set_header::SetResponseHeaderLayer;

pub use client_ip::TrustedProxies;
pub use metrics::Metrics;

#[derive(Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure`: on whenever the site is served over HTTPS.
    pub secure_cookies: bool,
    /// The address citizens reach the site at, for QR codes and printed links,
    /// e.g. `https://motcua.phohien.gov.vn`.
    pub public_url: String,
    /// `/metrics` is served to this bearer token, or else only to a peer on the
    /// loopback interface that no proxy forwarded.
    pub metrics_token: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client
    /// (`MOTCUA_TRUSTED_PROXIES`); empty: the socket's peer is the client.
    pub trusted_proxies: TrustedProxies,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: WebConfig,
    pub metrics: Arc<Metrics>,
    /// Failed forms waiting for the page they redirect to.
    pub flash: Arc<flash::Flash>,
    /// Register imports the upload page is following.
    pub(crate) imports: Arc<import_jobs::ImportJobs>,
}

pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        metrics: Arc::new(Metrics::new(app.db.clone())),
        flash: Arc::default(),
        imports: Arc::default(),
        app,
        config,
    };
    let routes = Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .merge(assets::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .fallback(pages::not_found)
        .layer(middleware::from_fn(no_store_when_personal))
        .layer(DefaultBodyLimit::max(2 * 1024 * 1024))
        // Outside the routes, so that it sees every request (unknown routes too) and
        // every 413 an extractor answers.
        .layer(middleware::from_fn(input_guard::guard))
        .layer(middleware::from_fn_with_state(
            deadline::REQUEST_TIMEOUT,
            deadline::limit,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ));
    // Outermost, so that every answer (a timeout's too) carries the request's id.
    request_id::layer(routes).with_state(state)
}

/// A request that carries a credential (a session cookie or a bearer token) is
/// answered for that person alone: no browser or proxy cache may keep the answer,
/// which could show a dossier to the next person at a shared counter computer. So is
/// an answer that sets a cookie. Shared content (static assets, marked `public`)
/// keeps its caching; the public catalogue and calendar asked without a credential
/// stay cacheable.
async fn no_store_when_personal(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let headers = req.headers();
    let personal = headers.contains_key(header::AUTHORIZATION)
        || axum_extra::extract::CookieJar::from_headers(headers)
            .get(session::SESSION_COOKIE)
            .is_some();
    let mut response = next.run(req).await;
    let shared = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("public"));
    if (personal && !shared) || response.headers().contains_key(header::SET_COOKIE) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.app.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unreachable",
            )
                .into_response()
        }
    }
}

/// Serves until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(app, config);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
