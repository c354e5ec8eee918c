//! A JSON body extractor whose failures are problem+json in Vietnamese, not axum's
//! plain-text rejections.

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use motcua_domain::text::is_forbidden_control;
use motcua_domain::validation::{control_message, Errors};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // Read once under the route's limit; the bytes are shared, not copied, when
        // handed on to the JSON reader.
        let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), state).await
        {
            Ok(b) => b,
            Err(BytesRejection::FailedToBufferBody(e))
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                return Err(crate::input_guard::too_large(true));
            }
            Err(other) => {
                return Err(ApiError::bad_request(format!(
                    "Không đọc được nội dung yêu cầu (chi tiết: {}).",
                    other.body_text()
                ))
                .into_response())
            }
        };
        if escapes_control(&bytes) {
            if let Some(errors) = control_fields(&bytes) {
                return Err(ApiError(errors.into()).into_response());
            }
        }
        let req = Request::from_parts(parts, Body::from(bytes));
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError::bad_request(match rejection {
                JsonRejection::MissingJsonContentType(_) => {
                    "Yêu cầu phải gửi nội dung JSON với tiêu đề Content-Type: application/json."
                        .to_owned()
                }
                JsonRejection::JsonSyntaxError(e) => {
                    format!(
                        "Nội dung không phải JSON hợp lệ (chi tiết: {}).",
                        e.body_text()
                    )
                }
                JsonRejection::JsonDataError(e) => {
                    format!(
                        "Nội dung JSON thiếu trường hoặc sai kiểu dữ liệu (chi tiết: {}).",
                        e.body_text()
                    )
                }
                other => format!(
                    "Không đọc được nội dung yêu cầu (chi tiết: {}).",
                    other.body_text()
                ),
            })
            .into_response()),
        }
    }
}

/// Whether a JSON text may hold a control character other than tab and line breaks:
/// in valid JSON they only appear escaped (`\u0000`), so a scan of the escapes finds
/// them without parsing. Tabs and line breaks pass here (notes and reasons are
/// multi-line); the use cases refuse them in one-line fields.
fn escapes_control(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json.get(i + 1) == Some(&b'u') {
                let code = json
                    .get(i + 2..i + 6)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok());
                if code
                    .and_then(char::from_u32)
                    .is_some_and(|c| is_forbidden_control(c, true))
                {
                    return true;
                }
                i += 6;
            } else {
                // `\\`, `\"`, `\n`…: the next byte is not an escape of its own.
                i += 2;
            }
        } else {
            i += 1;
        }
    }
    false
}

/// Every string (and key) of the JSON holding a forbidden control character, named
/// by its path, e.g. `applicant.full_name` or `documents[3].name`. `None` when the
/// text is not JSON at all: the JSON reader then says so.
fn control_fields(json: &[u8]) -> Option<Errors> {
    let value: serde_json::Value = serde_json::from_slice(json).ok()?;
    let mut errors = Errors::new();
    walk(&value, &mut String::new(), &mut errors);
    (!errors.is_empty()).then_some(errors)
}

fn walk(v: &serde_json::Value, path: &mut String, errors: &mut Errors) {
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match v {
        serde_json::Value::String(s) => {
            if let Some(c) = s.chars().find(|&c| is_forbidden_control(c, true)) {
                let name = field(path);
                errors.push(&name, control_message(&format!("Trường «{name}»"), c));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, errors);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&k.escape_default().to_string());
                if let Some(c) = k.chars().find(|&c| is_forbidden_control(c, true)) {
                    let name = field(path);
                    errors.push(&name, control_message(&format!("Trường «{name}»"), c));
                }
                walk(item, path, errors);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_controls_are_found_with_their_path() {
        assert!(escapes_control(br#"{"a":"x\u0000"}"#));
        assert!(escapes_control(br#"{"a":"x\u001B"}"#));
        assert!(escapes_control(br#"{"a":"x\u007f"}"#));
        assert!(!escapes_control(br#"{"a":"x\\u0000 \n\t\r \u00e9"}"#));
        let errors = control_fields(br#"{"applicant":{"full_name":"A\u0000"},"documents":[{"name":"ok"},{"name":"\u0001"}]}"#)
            .expect("errors");
        let fields: Vec<&str> = errors.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["applicant.full_name", "documents[1].name"]);
    }
}
