//! Cleaning input at the edge, before any handler reads it: no control character in
//! a request's path, query or form body, and an oversized body answered in
//! Vietnamese (problem+json under `/api`, a page elsewhere) instead of axum's plain
//! text.
//!
//! PostgreSQL cannot store U+0000 and answered 500 where SQLite stored it; every
//! route that reads a path segment, a query parameter or a form field is covered
//! here at once, so both engines answer 400 alike. JSON bodies are checked by
//! [`crate::api::ApiJson`], multipart forms by the pages' `FormData`; the use cases
//! check each field again with its own bounds (`motcua_domain::limits`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_domain::text::is_forbidden_control;
use motcua_domain::validation::control_message;

use crate::error::{problem, status_page as page, ProblemField};

/// Body limits per route, derived from the use cases' bounds
/// (`motcua_domain::limits`): what a real request needs, with room for its text.
pub mod body_limit {
    use motcua_domain::limits;

    const MIB: usize = 1024 * 1024;

    /// Anonymous requests that carry a few words at most: signing in, tracking,
    /// the calendar. Far below everything else, since anyone may send them.
    pub const ANONYMOUS: usize = 16 * 1024;
    /// A citizen's rating: its comment of up to `FREE_TEXT_CHARS` characters, up
    /// to 3 bytes each in UTF-8 and 3 characters a byte once URL-encoded.
    pub const RATING: usize = limits::FREE_TEXT_CHARS * 9 + 4 * 1024;
    /// An online submission as JSON: its files in base64 (4 bytes per 3) and its text.
    pub const ONLINE_JSON: usize = limits::ONLINE_FILES_TOTAL_BYTES / 3 * 4 + MIB;
    /// An online submission from the page (multipart: files as they are).
    pub const ONLINE_FORM: usize = limits::ONLINE_FILES_TOTAL_BYTES + MIB;
    /// An officer's intake or result as JSON, files in base64.
    pub const OFFICER_JSON: usize = limits::FILES_TOTAL_BYTES / 3 * 4 + 2 * MIB;
    /// An officer's intake or result from the pages (multipart).
    pub const OFFICER_FORM: usize = limits::FILES_TOTAL_BYTES + MIB;
    /// The scan of an original for an electronic certified copy (multipart).
    pub const SCAN_FORM: usize = limits::SCAN_BYTES + MIB;
}

/// Anonymous submissions carry up to [`body_limit::ONLINE_JSON`] each and are
/// decoded into several copies while checked; this many are read at once, the
/// others wait their turn (well within the request timeout: each takes a fraction
/// of a second). Memory then stays bounded whatever the number of senders; how
/// often one sender may submit is the rate limiter's business.
const ANONYMOUS_UPLOADS_AT_ONCE: usize = 4;

pub async fn one_upload_of_few(req: Request, next: Next) -> Response {
    static SLOTS: tokio::sync::Semaphore =
        tokio::sync::Semaphore::const_new(ANONYMOUS_UPLOADS_AT_ONCE);
    match SLOTS.acquire().await {
        Ok(_slot) => next.run(req).await,
        // Never closed; answer rather than panic if it ever were.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// URL-encoded forms carry no files: the largest (a procedure's text edited by an
/// administrator) is a few tens of kilobytes. They are read here whole, before the
/// route's own (smaller or equal) limit applies again.
const FORM_BODY_LIMIT: usize = 1024 * 1024;

pub async fn guard(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    if let Some((field, c)) = uri_control(req.uri()) {
        return invalid(api, &field, c);
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let req = if form {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > FORM_BODY_LIMIT) {
            return too_large(api);
        }
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, FORM_BODY_LIMIT).await else {
            return too_large(api);
        };
        // Text areas send line breaks (CR LF) and may hold tabs.
        if let Some((field, c)) = pairs_control(&bytes, true) {
            return invalid(api, &field, c);
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    let response = next.run(req).await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_ours(&response) {
        return too_large(api);
    }
    response
}

/// Whether an answer was already written for a person (problem+json or a page),
/// rather than by an extractor in plain text.
fn is_ours(r: &Response) -> bool {
    r.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json") || v.starts_with("text/html"))
}

/// The first forbidden control character of the path or the query, with where it is.
fn uri_control(uri: &axum::http::Uri) -> Option<(String, char)> {
    if let Some(c) = decode(uri.path().as_bytes())
        .into_iter()
        .find(|&b| is_forbidden_control(b as char, false))
    {
        return Some(("path".into(), c as char));
    }
    // No query parameter is multi-line text.
    pairs_control(uri.query().unwrap_or_default().as_bytes(), false)
}

/// The first forbidden control character of `a=b&c=d` (percent-decoded), with the
/// name of its field.
fn pairs_control(encoded: &[u8], multiline: bool) -> Option<(String, char)> {
    for pair in encoded.split(|&b| b == b'&') {
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let key = decode(key);
        let name = String::from_utf8_lossy(&key).into_owned();
        for text in [&key, &decode(value)] {
            if let Some(&b) = text
                .iter()
                .find(|&&b| is_forbidden_control(b as char, multiline))
            {
                // The name itself may hold the character: show it escaped.
                return Some((name.escape_default().to_string(), b as char));
            }
        }
    }
    None
}

/// Percent-decoding (and `+` as a space), byte for byte: control characters are
/// ASCII, so they are found whatever the encoding of the rest.
fn decode(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' if i + 2 < s.len() => match (hex(s[i + 1]), hex(s[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn invalid(api: bool, field: &str, c: char) -> Response {
    let label = if field == "path" {
        "Địa chỉ yêu cầu".to_owned()
    } else {
        format!("Trường «{field}»")
    };
    let detail = control_message(&label, c);
    if api {
        problem(
            StatusCode::BAD_REQUEST,
            "invalid-input",
            "Dữ liệu không hợp lệ",
            detail.clone(),
            vec![ProblemField {
                field: field.to_owned(),
                message: detail,
            }],
        )
    } else {
        page(StatusCode::BAD_REQUEST, "Dữ liệu không hợp lệ", detail)
    }
}

/// A body over the route's limit.
pub fn too_large(api: bool) -> Response {
    let detail = "Nội dung gửi lên vượt quá giới hạn cho phép của chức năng này. Hãy bớt tệp đính kèm hoặc giảm dung lượng tệp (quét ở độ phân giải thấp hơn) rồi gửi lại.";
    if api {
        problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Nội dung quá lớn",
            detail.into(),
            Vec::new(),
        )
    } else {
        page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Nội dung quá lớn",
            detail.into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_found_after_decoding_with_their_field() {
        assert_eq!(
            pairs_control(b"agency=a%00b&x=1", false),
            Some(("agency".into(), '\0'))
        );
        assert_eq!(pairs_control(b"note=a%0D%0Ab&x=%E1%BB%85", true), None);
        assert_eq!(
            pairs_control(b"note=a%0D%0Ab", false),
            Some(("note".into(), '\r'))
        );
        assert_eq!(pairs_control(b"q=100%25+ok&r=%zz&s=%", false), None);
        assert_eq!(
            pairs_control(b"a%7Fb=1", false),
            Some(("a\\u{7f}b".into(), '\u{7f}'))
        );
        let uri: axum::http::Uri = "/api/v1/dossiers/X%00Y".parse().expect("uri");
        assert_eq!(uri_control(&uri), Some(("path".into(), '\0')));
    }
}
