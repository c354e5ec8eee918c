//! The signed-in person's own account: who they are, their API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use motcua_app::auth::TokenInfo;
use motcua_app::{Actor, Principal};
use serde::Deserialize;

use super::datetime_vn;
use super::sign_in::CsrfOnly;
use crate::error::{detail_of, PageError};
use crate::layout::{render, Chrome};
use crate::session::SignedIn;
use crate::AppState;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    actor: Actor,
    tokens: Vec<(TokenInfo, String)>,
    new_token: Option<String>,
    error: Option<String>,
    password_notice: Option<String>,
    password_error: Option<String>,
}

/// What to say on the page after an action.
#[derive(Default)]
struct Outcome {
    new_token: Option<String>,
    error: Option<String>,
    password_notice: Option<String>,
    password_error: Option<String>,
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    outcome: Outcome,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tokens = state.app.list_tokens(&s.actor).await?;
    Ok(render(
        status,
        &AccountPage {
            chrome: Chrome::for_user(s, "/tai-khoan"),
            actor: s.actor.clone(),
            tokens: tokens
                .into_iter()
                .map(|t| {
                    let at = datetime_vn(t.created_at);
                    (t, at)
                })
                .collect(),
            new_token: outcome.new_token,
            error: outcome.error,
            password_notice: outcome.password_notice,
            password_error: outcome.password_error,
        },
    ))
}

pub async fn show(State(state): State<AppState>, s: SignedIn) -> Result<Response, PageError> {
    page(&state, &s, Outcome::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    label: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    s: SignedIn,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&form.csrf)?;
    match state
        .app
        .create_token(&Principal::from(&s.actor), &s.actor.username, &form.label)
        .await
    {
        Ok(token) => {
            let outcome = Outcome {
                new_token: Some(token),
                ..Default::default()
            };
            page(&state, &s, outcome, StatusCode::OK).await
        }
        Err(e @ motcua_app::Error::Invalid(_)) => {
            let outcome = Outcome {
                error: Some(detail_of(&e)),
                ..Default::default()
            };
            page(&state, &s, outcome, StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    s.check_csrf(&form.csrf)?;
    state
        .app
        .revoke_token(&Principal::from(&s.actor), &id)
        .await?;
    Ok(Redirect::to("/tai-khoan").into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    s: SignedIn,
    jar: axum_extra::extract::CookieJar,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&form.csrf)?;
    let session = jar
        .get(crate::session::SESSION_COOKIE)
        .map(|c| c.value().to_owned());
    match state
        .app
        .change_own_password(
            &s.actor,
            &form.current_password,
            &form.new_password,
            session.as_deref(),
        )
        .await
    {
        Ok(()) => {
            let outcome = Outcome {
                password_notice: Some(
                    "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.".into(),
                ),
                ..Default::default()
            };
            page(&state, &s, outcome, StatusCode::OK).await
        }
        Err(e @ motcua_app::Error::Invalid(_)) => {
            let outcome = Outcome {
                password_error: Some(detail_of(&e)),
                ..Default::default()
            };
            page(&state, &s, outcome, StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}
