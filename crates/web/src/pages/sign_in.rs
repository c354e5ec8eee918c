//! Signing in and out.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::Cookie;
use axum_extra::extract::{CookieJar, Form};
use serde::Deserialize;

use crate::error::{detail_of, status_of, PageError};
use crate::layout::{render, Chrome};
use crate::session::{self, ClientIp, MaybeSignedIn, SignedIn, SESSION_COOKIE, SIGNIN_CSRF_COOKIE};
use crate::AppState;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    csrf: String,
    username: String,
    error: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: MaybeSignedIn,
    jar: CookieJar,
) -> Response {
    if signed_in.0.is_some() {
        return Redirect::to("/").into_response();
    }
    page(&state, jar, String::new(), None, StatusCode::OK)
}

fn page(
    state: &AppState,
    jar: CookieJar,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let csrf = motcua_app::secrets::random_token();
    let jar = jar.add(session::signin_csrf_cookie(
        csrf.clone(),
        state.config.secure_cookies,
    ));
    let body = render(
        status,
        &SignInPage {
            chrome: Chrome::anonymous(),
            csrf,
            username,
            error,
        },
    );
    (jar, body).into_response()
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Response {
    let cookie_csrf = jar
        .get(SIGNIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if cookie_csrf.is_empty() || !motcua_app::secrets::same_secret(&cookie_csrf, &form.csrf) {
        return page(
            &state,
            jar,
            form.username,
            Some("Phiên của trang đăng nhập đã hết hạn. Vui lòng đăng nhập lại.".into()),
            StatusCode::FORBIDDEN,
        );
    }
    if form.username.trim().is_empty() || form.password.is_empty() {
        return page(
            &state,
            jar,
            form.username,
            Some("Vui lòng nhập tên đăng nhập và mật khẩu.".into()),
            StatusCode::BAD_REQUEST,
        );
    }
    match state
        .app
        .sign_in(&form.username, &form.password, Some(&ip))
        .await
    {
        Ok(signed) => {
            let jar = jar
                .remove(Cookie::build(SIGNIN_CSRF_COOKIE).path("/dang-nhap"))
                .add(session::session_cookie(
                    signed.session_token,
                    state.config.secure_cookies,
                    motcua_app::auth::SESSION_HOURS,
                ));
            (jar, Redirect::to("/")).into_response()
        }
        Err(e) => {
            let status = status_of(&e);
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                return PageError::from(e).into_response();
            }
            let mut response = page(&state, jar, form.username, Some(detail_of(&e)), status);
            crate::error::set_retry_after(&mut response, &e);
            response
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    signed_in: SignedIn,
    jar: CookieJar,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        state.app.sign_out(&token).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/dang-nhap")).into_response())
}
