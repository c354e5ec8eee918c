//! The signed-in person's own account: who they are, their API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use motcua_app::auth::TokenInfo;
use motcua_app::{Actor, Principal};
use serde::Deserialize;

use super::sign_in::CsrfOnly;
use super::{datetime_vn, Chrome};
use crate::error::{detail_of, render, PageError};
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
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    new_token: Option<String>,
    error: Option<String>,
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
            new_token,
            error,
        },
    ))
}

pub async fn show(State(state): State<AppState>, s: SignedIn) -> Result<Response, PageError> {
    page(&state, &s, None, None, StatusCode::OK).await
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
        Ok(token) => page(&state, &s, Some(token), None, StatusCode::OK).await,
        Err(e @ motcua_app::Error::Invalid(_)) => {
            page(
                &state,
                &s,
                None,
                Some(detail_of(&e)),
                StatusCode::BAD_REQUEST,
            )
            .await
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
