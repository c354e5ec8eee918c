//! Prometheus metrics: requests and latency by route, the database pool, and
//! SQLite's group commit.

use std::sync::atomic::AtomicI64;
use std::time::Instant;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_store::Db;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    pool_open: Gauge<i64, AtomicI64>,
    pool_idle: Gauge<i64, AtomicI64>,
    writer_units: Gauge<i64, AtomicI64>,
    writer_commits: Gauge<i64, AtomicI64>,
    db: Db,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms … ~8 s: page and API latencies live at the low end.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

impl Metrics {
    pub fn new(db: Db) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = LatencyFamily::new_with_constructor(latency_histogram);
        let pool_open = Gauge::<i64, AtomicI64>::default();
        let pool_idle = Gauge::<i64, AtomicI64>::default();
        let writer_units = Gauge::<i64, AtomicI64>::default();
        let writer_commits = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by method and route",
            latency.clone(),
        );
        registry.register(
            "db_pool_connections_open",
            "Database connections open in the pool",
            pool_open.clone(),
        );
        registry.register(
            "db_pool_connections_idle",
            "Database connections idle in the pool",
            pool_idle.clone(),
        );
        registry.register(
            "db_sqlite_writer_units",
            "Write transactions committed by SQLite's writer since the start (0 on PostgreSQL)",
            writer_units.clone(),
        );
        registry.register(
            "db_sqlite_writer_commits",
            "SQLite commits that held them: several transactions share one under load (group commit)",
            writer_commits.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            pool_open,
            pool_idle,
            writer_units,
            writer_commits,
            db,
        }
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    let m = &state.metrics;
    m.latency
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// Headers a reverse proxy adds: a request that carries one came from outside, even
/// when the proxy itself connects from the loopback interface.
const FORWARDED: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];

/// `/metrics` tells routes, traffic and pool sizes: served to the configured token
/// (`MOTCUA_METRICS_TOKEN`), else only to a local peer that no proxy forwarded.
/// `None` when the request may read them, else the refusal to send.
fn refusal(state: &AppState, req: &Request) -> Option<Response> {
    let headers = req.headers();
    if let Some(expected) = &state.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if given.is_some_and(|g| motcua_app::secrets::same_secret(expected, g)) {
            return None;
        }
        if given.is_some() {
            return Some(
                (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Bearer")],
                    "wrong metrics token\n",
                )
                    .into_response(),
            );
        }
    }
    let local = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ci| ci.0.ip().is_loopback())
        && !FORWARDED.iter().any(|h| headers.contains_key(*h));
    if local {
        None
    } else {
        Some(
            (
                StatusCode::FORBIDDEN,
                "metrics are served to the local host or with MOTCUA_METRICS_TOKEN\n",
            )
                .into_response(),
        )
    }
}

pub async fn render(State(state): State<AppState>, req: Request) -> Response {
    if let Some(refused) = refusal(&state, &req) {
        return refused;
    }
    let m = &state.metrics;
    let (open, idle) = m.db.pool_state();
    m.pool_open.set(i64::from(open));
    m.pool_idle.set(idle as i64);
    let (units, commits) = m.db.writer_commits().unwrap_or_default();
    m.writer_units.set(i64::try_from(units).unwrap_or(i64::MAX));
    m.writer_commits
        .set(i64::try_from(commits).unwrap_or(i64::MAX));
    let mut body = String::new();
    if let Err(e) = encode(&mut body, &m.registry) {
        tracing::error!(error = %e, "metrics encoding failed");
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
