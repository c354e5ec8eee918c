//! A request that takes too long is stopped (its future dropped, so a database
//! query or a render waiting for its turn goes no further) and answered in
//! Vietnamese: problem+json under `/api`, a page elsewhere. tower-http's
//! `TimeoutLayer` answers with an empty body, which a client can neither parse nor
//! show to a person.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{problem, status_page};

/// What every request gets, pages and API alike.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

pub async fn limit(State(within): State<Duration>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    match tokio::time::timeout(within, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(seconds = within.as_secs_f64(), "request timed out");
            let detail = format!(
                "Yêu cầu không được xử lý xong trong {} giây nên đã dừng; dữ liệu chưa bị thay đổi nếu chưa có thông báo thành công. Vui lòng thử lại sau ít phút.",
                within.as_secs()
            );
            if api {
                problem(
                    StatusCode::REQUEST_TIMEOUT,
                    "timeout",
                    "Quá thời gian xử lý",
                    detail,
                    Vec::new(),
                )
            } else {
                status_page(StatusCode::REQUEST_TIMEOUT, "Quá thời gian xử lý", detail)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::{middleware, Router};
    use tower::ServiceExt;

    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "done"
    }

    fn app() -> Router {
        Router::new()
            .route("/api/v1/slow", get(slow))
            .route("/slow", get(slow))
            .route("/fast", get(|| async { "ok" }))
            .layer(middleware::from_fn_with_state(
                Duration::from_millis(50),
                limit,
            ))
    }

    async fn call(path: &str) -> (StatusCode, String, String) {
        let r = app()
            .oneshot(Request::get(path).body(Body::empty()).expect("request"))
            .await
            .expect("answer");
        let status = r.status();
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = axum::body::to_bytes(r.into_body(), 1 << 20)
            .await
            .expect("body");
        (status, kind, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn too_slow_is_a_vietnamese_408() {
        let (status, kind, body) = call("/api/v1/slow").await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(kind, "application/problem+json");
        assert!(body.contains("Quá thời gian xử lý"), "{body}");
        let (status, kind, body) = call("/slow").await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert!(kind.starts_with("text/html"), "{kind}");
        assert!(body.contains("Quá thời gian xử lý"), "{body}");
        let (status, _, body) = call("/fast").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    }
}
