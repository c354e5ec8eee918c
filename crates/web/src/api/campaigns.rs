//! Campaigns: the list, and one campaign's progress person by person.

use axum::extract::{Path, State};
use axum::Json;
use motcua_app::campaigns::{CampaignInfo, CampaignProgress};
use motcua_app::Error;
use motcua_domain::campaign::Stage;
use serde::Deserialize;
use utoipa::IntoParams;

use super::admin::List;
use super::extract::ApiQuery;
use crate::error::{ApiError, Problem};
use crate::session::ApiUser;
use crate::AppState;

type ApiResult<T> = Result<T, ApiError>;

/// The campaigns the caller may follow: their agency's, and for a supervisor
/// every agency's below, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "reports",
    responses(
        (status = 200, body = List<CampaignInfo>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<List<CampaignInfo>>> {
    let items = s.app.campaigns().list(&actor).await?;
    Ok(Json(List { items }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// Only the people at this stage: `done`, `in_progress`, `stopped` or `not_filed`.
    pub stage: Option<String>,
}

/// A campaign's progress: how many people on its list have a dossier of its
/// procedures that reached its result, and each person's stage and dossier.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "reports",
    params(("id" = String, Path, description = "The campaign's id"), ProgressQuery),
    responses(
        (status = 200, body = CampaignProgress),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> ApiResult<Json<CampaignProgress>> {
    let stage = match q.stage.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(Stage::parse(s).ok_or_else(|| {
            ApiError(Error::field(
                "stage",
                format!("«{s}» không phải là tình trạng (done, in_progress, stopped, not_filed)."),
            ))
        })?),
    };
    Ok(Json(s.app.campaigns().progress(&actor, &id, stage).await?))
}
