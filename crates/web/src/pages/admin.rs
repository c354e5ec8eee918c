//! Administration of agencies and users.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use motcua_app::agencies::{Agency, AgencyUpdate, Level, NewAgency};
use motcua_app::auto_assign::SectorAssignment;
use motcua_app::users::{NewUser, User, UserUpdate};
use motcua_app::Principal;
use motcua_domain::access::Action;
use motcua_domain::user::Role;
use serde::Deserialize;

use super::FormErrors;
use crate::error::PageError;
use crate::layout::{render, Chrome};
use crate::session::SignedIn;
use crate::AppState;

/// Adds the page chrome to an error so the person keeps their navigation.
fn page_err(s: &SignedIn) -> impl Fn(motcua_app::Error) -> PageError + '_ {
    move |error| PageError {
        error,
        chrome: Box::new(Chrome::for_user(s, "")),
    }
}

struct AgencyRowView {
    code: String,
    name: String,
    depth: usize,
    level_name: String,
    active: bool,
    can_manage: bool,
}

#[derive(Default, Deserialize)]
pub struct AgencyForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    parent_code: String,
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct AgenciesPage {
    chrome: Chrome,
    agencies: Vec<AgencyRowView>,
    levels: Vec<Level>,
    can_create: bool,
    form: AgencyForm,
    errors: FormErrors,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct Notice {
    #[serde(default)]
    ok: Option<String>,
}

fn notice_text(n: &Notice) -> Option<String> {
    match n.ok.as_deref() {
        Some("tao") => Some("Đã thêm.".into()),
        Some("luu") => Some("Đã lưu thay đổi.".into()),
        Some("phan-cong") => Some("Đã lưu cách phân công hồ sơ khi tiếp nhận.".into()),
        _ => None,
    }
}

async fn agencies_page(
    state: &AppState,
    s: &SignedIn,
    form: AgencyForm,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let list = state
        .app
        .list_agencies(&s.actor)
        .await
        .map_err(page_err(s))?;
    let levels = state.app.agency_levels().await.map_err(page_err(s))?;
    let agencies: Vec<AgencyRowView> = list
        .into_iter()
        .map(|a: Agency| AgencyRowView {
            can_manage: s.actor.may(Action::ManageAgency, &a.path),
            code: a.code,
            name: a.name,
            depth: a.depth.min(3),
            level_name: a.level_name,
            active: a.active,
        })
        .collect();
    let can_create = agencies.iter().any(|a| a.can_manage);
    Ok(render(
        status,
        &AgenciesPage {
            chrome: Chrome::for_user(s, "/quan-tri/co-quan"),
            agencies,
            levels,
            can_create,
            form,
            errors,
            notice,
        },
    ))
}

pub async fn agencies(
    State(state): State<AppState>,
    s: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    let form = AgencyForm {
        level: "commune".into(),
        ..Default::default()
    };
    agencies_page(
        &state,
        &s,
        form,
        FormErrors::default(),
        notice_text(&n),
        StatusCode::OK,
    )
    .await
}

pub async fn create_agency(
    State(state): State<AppState>,
    s: SignedIn,
    Form(form): Form<AgencyForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&form.csrf)?;
    let input = NewAgency {
        code: form.code.clone(),
        name: form.name.clone(),
        level: form.level.clone(),
        parent_code: Some(form.parent_code.clone()),
    };
    match state
        .app
        .create_agency(&Principal::from(&s.actor), input)
        .await
    {
        Ok(a) => Ok(Redirect::to(&format!("/quan-tri/co-quan/{}?ok=tao", a.code)).into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(page_err(&s))?;
            agencies_page(&state, &s, form, errors, None, StatusCode::BAD_REQUEST).await
        }
    }
}

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    chrome: Chrome,
    agency: Agency,
    users: Option<Vec<User>>,
    /// Sector names by code, for the users' sectors.
    sector_names: std::collections::HashMap<String, String>,
    assignments: Vec<SectorAssignment>,
    /// The sector whose rule was refused, and what was chosen: shown again there.
    refused: Option<AutoAssignForm>,
    can_manage: bool,
    errors: FormErrors,
    notice: Option<String>,
}

impl AgencyPage {
    fn sector_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.sector_names.get(code).map_or(code, String::as_str)
    }

    /// The rule shown as chosen for a sector: what was sent when it was refused,
    /// the stored one otherwise.
    fn chosen_rule<'a>(&'a self, a: &'a SectorAssignment) -> &'a str {
        match &self.refused {
            Some(f) if f.sector == a.sector => f.rule.as_str(),
            _ => a.rule.as_str(),
        }
    }

    fn chosen_assignee<'a>(&'a self, a: &'a SectorAssignment) -> &'a str {
        match &self.refused {
            Some(f) if f.sector == a.sector => f.assignee.as_str(),
            _ => a.assignee.as_ref().map_or("", |p| p.username.as_str()),
        }
    }

    fn refused_here(&self, a: &SectorAssignment) -> bool {
        self.refused.as_ref().is_some_and(|f| f.sector == a.sector)
    }
}

async fn agency_page(
    state: &AppState,
    s: &SignedIn,
    code: &str,
    errors: FormErrors,
    notice: Option<String>,
    refused: Option<AutoAssignForm>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let agency = state
        .app
        .agency(&s.actor, code)
        .await
        .map_err(page_err(s))?;
    let users = if s.actor.may(Action::ReadUsers, &agency.path) {
        Some(
            state
                .app
                .list_users(&s.actor, code)
                .await
                .map_err(page_err(s))?,
        )
    } else {
        None
    };
    let assignments = if users.is_some() {
        state
            .app
            .auto_assignments(&s.actor, code)
            .await
            .map_err(page_err(s))?
    } else {
        Vec::new()
    };
    let sector_names = assignments
        .iter()
        .map(|a| (a.sector.clone(), a.sector_name.clone()))
        .collect();
    let can_manage = s.actor.may(Action::ManageUsers, &agency.path);
    Ok(render(
        status,
        &AgencyPage {
            chrome: Chrome::for_user(s, "/quan-tri/co-quan"),
            agency,
            users,
            sector_names,
            assignments,
            refused,
            can_manage,
            errors,
            notice,
        },
    ))
}

pub async fn agency(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    agency_page(
        &state,
        &s,
        &code,
        FormErrors::default(),
        notice_text(&n),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct AgencyEditForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    active: Option<String>,
}

pub async fn update_agency(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<AgencyEditForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&form.csrf)?;
    let input = AgencyUpdate {
        name: Some(form.name),
        active: Some(form.active.is_some()),
    };
    match state
        .app
        .update_agency(&Principal::from(&s.actor), &code, input)
        .await
    {
        Ok(a) => Ok(Redirect::to(&format!("/quan-tri/co-quan/{}?ok=luu", a.code)).into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(page_err(&s))?;
            agency_page(
                &state,
                &s,
                &code,
                errors,
                None,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

#[derive(Default, Clone, Deserialize)]
pub struct AutoAssignForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    assignee: String,
}

/// Sets how a sector's dossiers are assigned at intake (the agency page's
/// «Phân công hồ sơ khi tiếp nhận» section). The use case reads the assignee for
/// the default-assignee rule only.
pub async fn save_auto_assignment(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<AutoAssignForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&form.csrf)?;
    match state
        .app
        .set_auto_assignment(
            &Principal::from(&s.actor),
            &code,
            &form.sector,
            &form.rule,
            Some(form.assignee.as_str()),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/quan-tri/co-quan/{}?ok=phan-cong#phan-cong-{}",
            code.trim().to_ascii_uppercase(),
            form.sector
        ))
        .into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(page_err(&s))?;
            agency_page(
                &state,
                &s,
                &code,
                errors,
                None,
                Some(form),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

#[derive(Default, Deserialize)]
pub struct UserForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    sectors: Vec<String>,
    #[serde(default)]
    active: Option<String>,
}

struct UserFormValues {
    username: String,
    full_name: String,
    roles: Vec<String>,
    sectors: Vec<String>,
    active: bool,
}

impl UserFormValues {
    fn has_role(&self, r: &str) -> bool {
        self.roles.iter().any(|x| x == r)
    }
    fn has_sector(&self, s: &str) -> bool {
        self.sectors.iter().any(|x| x == s)
    }
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct UserFormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    is_new: bool,
    agency_code: String,
    agency_name: String,
    form: UserFormValues,
    all_roles: [Role; 5],
    sectors: Vec<(String, String)>,
    errors: FormErrors,
    notice: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn user_form_page(
    state: &AppState,
    s: &SignedIn,
    agency: &Agency,
    existing: bool,
    form: UserFormValues,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let sectors = state.app.sectors().await.map_err(page_err(s))?;
    let (heading, action) = if existing {
        (
            format!("Người dùng {}", form.username),
            format!("/quan-tri/nguoi-dung/{}", form.username),
        )
    } else {
        (
            "Thêm người dùng".to_owned(),
            format!("/quan-tri/co-quan/{}/nguoi-dung", agency.code),
        )
    };
    Ok(render(
        status,
        &UserFormPage {
            chrome: Chrome::for_user(s, "/quan-tri/co-quan"),
            heading,
            action,
            is_new: !existing,
            agency_code: agency.code.clone(),
            agency_name: agency.name.clone(),
            form,
            all_roles: Role::ALL,
            sectors,
            errors,
            notice,
        },
    ))
}

pub async fn new_user_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let agency = state
        .app
        .agency(&s.actor, &code)
        .await
        .map_err(page_err(&s))?;
    s.actor
        .require(Action::ManageUsers, &agency.path)
        .map_err(page_err(&s))?;
    let form = UserFormValues {
        username: String::new(),
        full_name: String::new(),
        roles: Vec::new(),
        sectors: Vec::new(),
        active: true,
    };
    user_form_page(
        &state,
        &s,
        &agency,
        false,
        form,
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create_user(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(form): Form<UserForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&form.csrf)?;
    let input = NewUser {
        username: form.username.clone(),
        full_name: form.full_name.clone(),
        password: form.password.clone(),
        roles: form.roles.clone(),
        sectors: form.sectors.clone(),
    };
    match state
        .app
        .create_user(&Principal::from(&s.actor), &code, input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/quan-tri/co-quan/{code}?ok=tao")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(page_err(&s))?;
            let agency = state
                .app
                .agency(&s.actor, &code)
                .await
                .map_err(page_err(&s))?;
            let values = UserFormValues {
                username: form.username,
                full_name: form.full_name,
                roles: form.roles,
                sectors: form.sectors,
                active: true,
            };
            user_form_page(
                &state,
                &s,
                &agency,
                false,
                values,
                errors,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

fn values_of(u: &User) -> UserFormValues {
    UserFormValues {
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        roles: u.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        sectors: u.sectors.clone(),
        active: u.active,
    }
}

pub async fn edit_user_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path(username): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    let user = state
        .app
        .user(&s.actor, &username)
        .await
        .map_err(page_err(&s))?;
    let agency = state
        .app
        .agency(&s.actor, &user.agency_code)
        .await
        .map_err(page_err(&s))?;
    s.actor
        .require(Action::ManageUsers, &agency.path)
        .map_err(page_err(&s))?;
    user_form_page(
        &state,
        &s,
        &agency,
        true,
        values_of(&user),
        FormErrors::default(),
        notice_text(&n),
        StatusCode::OK,
    )
    .await
}

pub async fn update_user(
    State(state): State<AppState>,
    s: SignedIn,
    Path(username): Path<String>,
    Form(form): Form<UserForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&form.csrf)?;
    let input = UserUpdate {
        full_name: Some(form.full_name.clone()),
        roles: Some(form.roles.clone()),
        sectors: Some(form.sectors.clone()),
        active: Some(form.active.is_some()),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
    };
    match state
        .app
        .update_user(&Principal::from(&s.actor), &username, input)
        .await
    {
        Ok(u) => Ok(
            Redirect::to(&format!("/quan-tri/nguoi-dung/{}?ok=luu", u.username)).into_response(),
        ),
        Err(e) => {
            let errors = FormErrors::from_error(e).map_err(page_err(&s))?;
            let user = state
                .app
                .user(&s.actor, &username)
                .await
                .map_err(page_err(&s))?;
            let agency = state
                .app
                .agency(&s.actor, &user.agency_code)
                .await
                .map_err(page_err(&s))?;
            let values = UserFormValues {
                username: user.username,
                full_name: form.full_name,
                roles: form.roles,
                sectors: form.sectors,
                active: form.active.is_some(),
            };
            user_form_page(
                &state,
                &s,
                &agency,
                true,
                values,
                errors,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}
