//! Who is asking: a browser session (cookie) for pages, a bearer token for the API.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use motcua_app::{Actor, Error};

use crate::error::{ApiError, PageError};
use crate::layout::Chrome;
use crate::AppState;

pub const SESSION_COOKIE: &str = "motcua_session";
/// Double-submit CSRF token for the sign-in form, before any session exists.
pub const SIGNIN_CSRF_COOKIE: &str = "motcua_csrf";

/// The caller's address: the socket's peer, or what a trusted reverse proxy says
/// (see `crate::client_ip`); `None` when the server was started without
/// connection info.
pub fn client_ip(parts: &Parts, state: &AppState) -> Option<String> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ci| {
        state
            .config
            .trusted_proxies
            .client(ci.0.ip(), &parts.headers)
            .to_string()
    })
}

/// The caller's address, for limits on sign-in, public look-ups and submissions
/// ("unknown" when the server was started without connection info).
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            client_ip(parts, state).unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// The chrome of pages follows the session: who is signed in, or nobody.
impl Chrome {
    pub fn for_user(s: &SignedIn, current: &str) -> Self {
        Chrome::for_actor(&s.actor, &s.csrf, current)
    }

    pub fn for_maybe(s: &MaybeSignedIn, current: &str) -> Self {
        match &s.0 {
            Some(s) => Chrome::for_user(s, current),
            None => {
                let mut c = Chrome::anonymous();
                for item in &mut c.nav {
                    item.current = item.href == current;
                }
                c
            }
        }
    }
}

/// A signed-in person on a page, with the CSRF token their forms must carry.
pub struct SignedIn {
    pub actor: Actor,
    pub csrf: String,
}

impl SignedIn {
    /// Every state-changing form carries the session's CSRF token; a forged form
    /// from another site cannot know it.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if motcua_app::secrets::same_secret(&self.csrf, submitted) {
            Ok(())
        } else {
            Err(PageError {
                error: Error::Forbidden(
                    "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại."
                        .into(),
                ),
                chrome: Box::new(Chrome::for_user(self, "")),
            })
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        MaybeSignedIn::from_request_parts(parts, state)
            .await?
            .0
            .ok_or_else(|| PageError::from(Error::Unauthenticated("Vui lòng đăng nhập.".into())))
    }
}

pub struct MaybeSignedIn(pub Option<SignedIn>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
            return Ok(MaybeSignedIn(None));
        };
        let ip = client_ip(parts, state);
        // From the cache for writes too: each write transaction checks the person
        // again under its hold on the session (`App::begin_write_as`).
        let found = state.app.session(&token, ip.as_deref()).await?;
        Ok(MaybeSignedIn(
            found.map(|(actor, csrf)| SignedIn { actor, csrf }),
        ))
    }
}

/// The person behind `Authorization: Bearer <token>`.
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let missing = || {
            ApiError(Error::Unauthenticated(
                "Thiếu hoặc sai mã truy cập (Authorization: Bearer <mã>).".into(),
            ))
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(missing)?;
        let ip = client_ip(parts, state);
        let found = state.app.token_actor(token, ip.as_deref()).await?;
        found.map(ApiUser).ok_or_else(missing)
    }
}

pub fn session_cookie(value: String, secure: bool, max_age_hours: i64) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time_hours(max_age_hours))
        .build()
}

pub fn signin_csrf_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SIGNIN_CSRF_COOKIE, value))
        .path("/dang-nhap")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

fn time_hours(h: i64) -> cookie::time::Duration {
    cookie::time::Duration::hours(h)
}
