//! Endpoints for the signed-in identity, agencies, users, tokens and the audit log.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use motcua_app::agencies::{Agency, AgencyUpdate, NewAgency};
use motcua_app::audit::AuditEntry;
use motcua_app::auth::TokenInfo;
use motcua_app::users::{NewUser, User, UserUpdate};
use motcua_app::{Actor, Principal};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiPath, ApiQuery};
use crate::error::{ApiError, Problem};
use crate::session::ApiUser;
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct List<T: ToSchema> {
    pub items: Vec<T>,
}

type ApiResult<T> = Result<T, ApiError>;

/// The person behind the token.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses(
        (status = 200, body = Actor),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(ApiUser(actor): ApiUser) -> Json<Actor> {
    Json(actor)
}

/// Every agency the person may see, in tree order.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies",
    responses(
        (status = 200, body = List<Agency>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_agencies(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<List<Agency>>> {
    Ok(Json(List {
        items: s.app.list_agencies(&actor).await?,
    }))
}

/// Creates an agency below `parent_code` (administrators of that parent or above).
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies", request_body = NewAgency,
    responses(
        (status = 201, body = Agency),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_agency(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<NewAgency>,
) -> ApiResult<Response> {
    let agency = s.app.create_agency(&Principal::User(actor), input).await?;
    Ok(created(format!("/api/v1/agencies/{}", agency.code), agency))
}

/// One agency by its identifier code.
#[utoipa::path(get, path = "/api/v1/agencies/{code}", tag = "agencies",
    params(("code" = String, Path, description = "Mã định danh, e.g. 000.00.06.H56")),
    responses(
        (status = 200, body = Agency),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_agency(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Agency>> {
    Ok(Json(s.app.agency(&actor, &code).await?))
}

/// Renames or (de)activates an agency.
#[utoipa::path(patch, path = "/api/v1/agencies/{code}", tag = "agencies", request_body = AgencyUpdate,
    params(("code" = String, Path)),
    responses(
        (status = 200, body = Agency),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_agency(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<AgencyUpdate>,
) -> ApiResult<Json<Agency>> {
    Ok(Json(
        s.app
            .update_agency(&Principal::User(actor), &code, input)
            .await?,
    ))
}

/// The users of an agency.
#[utoipa::path(get, path = "/api/v1/agencies/{code}/users", tag = "users",
    params(("code" = String, Path)),
    responses(
        (status = 200, body = List<User>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_users(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<List<User>>> {
    Ok(Json(List {
        items: s.app.list_users(&actor, &code).await?,
    }))
}

/// Creates a user in an agency.
#[utoipa::path(post, path = "/api/v1/agencies/{code}/users", tag = "users", request_body = NewUser,
    params(("code" = String, Path)),
    responses(
        (status = 201, body = User),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<NewUser>,
) -> ApiResult<Response> {
    let user = s
        .app
        .create_user(&Principal::User(actor), &code, input)
        .await?;
    Ok(created(format!("/api/v1/users/{}", user.username), user))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{username}", tag = "users",
    params(("username" = String, Path)),
    responses(
        (status = 200, body = User),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_user(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(username): ApiPath<String>,
) -> ApiResult<Json<User>> {
    Ok(Json(s.app.user(&actor, &username).await?))
}

/// Edits a user; `"active": false` deactivates and ends their sessions at once.
#[utoipa::path(patch, path = "/api/v1/users/{username}", tag = "users", request_body = UserUpdate,
    params(("username" = String, Path)),
    responses(
        (status = 200, body = User),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(username): ApiPath<String>,
    ApiJson(input): ApiJson<UserUpdate>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        s.app
            .update_user(&Principal::User(actor), &username, input)
            .await?,
    ))
}

/// The caller's own API tokens (never the secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = List<TokenInfo>)))]
pub async fn list_tokens(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<List<TokenInfo>>> {
    Ok(Json(List {
        items: s.app.list_tokens(&actor).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    /// Whose token; the caller's own when absent (administrators may name a user
    /// they manage).
    pub username: Option<String>,
    #[serde(default)]
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    /// The bearer token. Shown this once: only its hash is stored.
    pub token: String,
}

/// Creates an API token.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken,
    responses(
        (status = 201, body = CreatedToken),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<NewToken>,
) -> ApiResult<Response> {
    let username = input.username.unwrap_or_else(|| actor.username.clone());
    let token = s
        .app
        .create_token(&Principal::User(actor), &username, &input.label)
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token })).into_response())
}

/// Revokes a token: the caller's own, or one of a user they manage.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path)),
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    s.app.revoke_token(&Principal::User(actor), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
// The extractor is ApiQuery, which utoipa cannot recognise as a query string.
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Keyset cursor: the `id` of the last entry of the previous page.
    pub before: Option<String>,
    /// At most 500; 100 when absent.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The administrative audit log over the caller's agency and those below, newest
/// first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, body = List<AuditEntry>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn audit(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<List<AuditEntry>>> {
    Ok(Json(List {
        items: s
            .app
            .audit_log(&actor, q.before.as_deref(), q.limit.unwrap_or(100))
            .await?,
    }))
}

pub(super) fn created(location: String, body: impl Serialize) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
        .into_response()
}
