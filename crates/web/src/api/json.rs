//! A JSON body extractor whose failures are problem+json in Vietnamese, not axum's
//! plain-text rejections.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
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
            })),
        }
    }
}
