//! Use cases on users: who works where, with which roles and sectors.

use std::collections::HashMap;

use motcua_domain::access::Action;
use motcua_domain::user::{FullName, NewPassword, Role, SectorCode, Username};
use motcua_domain::validation::Errors;
use motcua_store::users::{self as store, UserRow};
use motcua_store::{sessions, Conn};
use serde::{Deserialize, Serialize};

use crate::agencies::load_for;
use crate::error::{Error, Result};
use crate::principal::{Actor, Principal};
use crate::secrets::hash_password;
use crate::App;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub agency_code: String,
    pub agency_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, example = json!(["specialist"])))]
    pub roles: Vec<Role>,
    pub sectors: Vec<String>,
    pub active: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: jiff::Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: jiff::Timestamp,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub password: String,
    pub roles: Vec<String>,
    #[serde(default)]
    pub sectors: Vec<String>,
}

/// Only the fields given change.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserUpdate {
    pub full_name: Option<String>,
    pub roles: Option<Vec<String>>,
    pub sectors: Option<Vec<String>>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

fn user_not_found(username: &str) -> Error {
    Error::NotFound(format!("Không tìm thấy người dùng «{}».", username.trim()))
}

fn parse_roles(
    items: &[String],
) -> std::result::Result<Vec<Role>, motcua_domain::validation::FieldError> {
    Role::parse_list(items.iter().map(String::as_str))
}

fn parse_sectors(items: &[String], errors: &mut Errors) -> Vec<SectorCode> {
    let mut out: Vec<SectorCode> = items
        .iter()
        .filter(|s| !s.trim().is_empty())
        .filter_map(|s| errors.take(SectorCode::parse(s)))
        .collect();
    out.sort();
    out.dedup();
    out
}

async fn check_sectors_exist(conn: &mut Conn, sectors: &[SectorCode]) -> Result<()> {
    if sectors.is_empty() {
        return Ok(());
    }
    let known = motcua_store::sectors::all(conn).await?;
    let mut errors = Errors::new();
    for s in sectors {
        if !known.iter().any(|k| k.code == s.as_str()) {
            errors.push(
                "sectors",
                format!("Lĩnh vực «{}» không có trong danh mục.", s.as_str()),
            );
        }
    }
    Ok(errors.into_result()?)
}

impl App {
    pub async fn list_users(&self, actor: &Actor, agency_code: &str) -> Result<Vec<User>> {
        let mut conn = self.db.read().await?;
        let agency = load_for(&mut conn, &actor.into(), agency_code, Action::ReadUsers).await?;
        let rows = store::by_agency(&mut conn, &agency.id).await?;
        let mut roles: HashMap<String, Vec<Role>> = HashMap::new();
        for (user_id, role) in store::roles_in_agency(&mut conn, &agency.id).await? {
            if let Ok(r) = Role::parse(&role) {
                roles.entry(user_id).or_default().push(r);
            }
        }
        let mut sectors: HashMap<String, Vec<String>> = HashMap::new();
        for (user_id, sector) in store::sectors_in_agency(&mut conn, &agency.id).await? {
            sectors.entry(user_id).or_default().push(sector);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let user_roles = roles.remove(&r.id).unwrap_or_default();
                let user_sectors = sectors.remove(&r.id).unwrap_or_default();
                to_user(r, &agency.code, &agency.name, user_roles, user_sectors)
            })
            .collect())
    }

    pub async fn user(&self, actor: &Actor, username: &str) -> Result<User> {
        let mut conn = self.db.read().await?;
        let (row, _) = load_user_for(&mut conn, &actor.into(), username, Action::ReadUsers).await?;
        full_user(&mut conn, row).await
    }

    pub async fn create_user(
        &self,
        by: &Principal,
        agency_code: &str,
        input: NewUser,
    ) -> Result<User> {
        let mut errors = Errors::new();
        let username = errors.take(Username::parse(&input.username));
        let full_name = errors.take(FullName::parse(&input.full_name));
        let password = errors.take(NewPassword::parse(&input.password));
        let roles = errors.take(parse_roles(&input.roles));
        let sectors = parse_sectors(&input.sectors, &mut errors);
        let (Some(username), Some(full_name), Some(password), Some(roles)) =
            (username, full_name, password, roles)
        else {
            return Err(errors.into());
        };
        errors.into_result()?;
        // Hash before the transaction: Argon2 is slow by design, and a write
        // transaction on SQLite holds the database lock.
        let hash = hash_password(password.expose()).await?;

        let mut tx = self.begin_write_by(by).await?;
        let agency = load_for(&mut tx, by, agency_code, Action::ManageUsers).await?;
        check_sectors_exist(&mut tx, &sectors).await?;
        if store::by_username(&mut tx, username.as_str())
            .await?
            .is_some()
        {
            return Err(Error::Conflict(format!(
                "Tên đăng nhập «{username}» đã có người dùng."
            )));
        }
        let id = crate::named_id("user", username.as_str());
        store::insert(
            &mut tx,
            &store::NewUser {
                id: &id,
                agency_id: &agency.id,
                username: username.as_str(),
                full_name: full_name.as_str(),
                password_hash: &hash,
                now: self.now_ms(),
            },
        )
        .await
        .map_err(|e| {
            if motcua_store::is_unique_violation(&e) {
                Error::Conflict(format!("Tên đăng nhập «{username}» đã có người dùng."))
            } else {
                e.into()
            }
        })?;
        let role_names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        let sector_names: Vec<&str> = sectors.iter().map(|s| s.as_str()).collect();
        store::set_roles(&mut tx, &id, &role_names).await?;
        store::set_sectors(&mut tx, &id, &sector_names).await?;
        self.record_audit(
            &mut tx,
            by,
            Some(&agency.id),
            "user.create",
            username.as_str(),
            serde_json::json!({
                "full_name": full_name.as_str(),
                "roles": role_names,
                "sectors": sector_names,
            }),
        )
        .await?;
        let row = store::by_id(&mut tx, &id)
            .await?
            .ok_or_else(|| Error::Internal("user vanished after insert".into()))?;
        let user = full_user(&mut tx, row).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Edits a user. Deactivating ends every session of that user at once; their
    /// API tokens stop working because authentication requires an active user. A new
    /// password (a reset by the administrator) ends every session and revokes every
    /// API token: whoever knew the old password may have made one.
    pub async fn update_user(
        &self,
        by: &Principal,
        username: &str,
        input: UserUpdate,
    ) -> Result<User> {
        let mut errors = Errors::new();
        let full_name = input
            .full_name
            .as_deref()
            .and_then(|n| errors.take(FullName::parse(n)));
        let roles = input
            .roles
            .as_deref()
            .and_then(|r| errors.take(parse_roles(r)));
        let sectors = input
            .sectors
            .as_deref()
            .map(|s| parse_sectors(s, &mut errors));
        let password = input
            .password
            .as_deref()
            .filter(|p| !p.is_empty())
            .and_then(|p| errors.take(NewPassword::parse(p)));
        errors.into_result()?;
        let hash = match &password {
            Some(p) => Some(hash_password(p.expose()).await?),
            None => None,
        };

        let mut tx = self.begin_write_by(by).await?;
        let (row, agency_id) = load_user_for(&mut tx, by, username, Action::ManageUsers).await?;
        let active = input.active.unwrap_or(row.active);
        if by.user_id() == Some(row.id.as_str()) {
            if !active {
                return Err(Error::field(
                    "active",
                    "Bạn không thể tự vô hiệu hóa tài khoản của chính mình.",
                ));
            }
            if roles.as_ref().is_some_and(|r| !r.contains(&Role::Admin)) {
                return Err(Error::field(
                    "roles",
                    "Bạn không thể tự bỏ vai trò quản trị của chính mình.",
                ));
            }
        }
        let before_roles = store::roles(&mut tx, &row.id).await?;
        let before_sectors = store::sectors(&mut tx, &row.id).await?;
        let new_name = full_name
            .as_ref()
            .map_or(row.full_name.as_str(), |n| n.as_str());
        let now = self.now_ms();
        store::update_profile(&mut tx, &row.id, new_name, active, now).await?;
        if let Some(roles) = &roles {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            store::set_roles(&mut tx, &row.id, &names).await?;
        }
        if let Some(sectors) = &sectors {
            check_sectors_exist(&mut tx, sectors).await?;
            let names: Vec<&str> = sectors.iter().map(|s| s.as_str()).collect();
            store::set_sectors(&mut tx, &row.id, &names).await?;
        }
        if let Some(hash) = &hash {
            store::set_password(&mut tx, &row.id, hash, now).await?;
            // A reset is how an officer locked out by someone else's guesses gets
            // back in at once.
            crate::throttle::clear_sign_in_counters(&mut tx, &row.username).await?;
        }
        let mut ended_sessions = 0;
        if !active || hash.is_some() {
            ended_sessions = sessions::delete_for_user(&mut tx, &row.id).await?;
        }
        let mut revoked_tokens = 0;
        if hash.is_some() {
            revoked_tokens = motcua_store::tokens::revoke_for_user(&mut tx, &row.id, now).await?;
        }
        self.record_audit(
            &mut tx,
            by,
            Some(&agency_id),
            "user.update",
            &row.username,
            serde_json::json!({
                "before": {
                    "full_name": row.full_name,
                    "active": row.active,
                    "roles": before_roles,
                    "sectors": before_sectors,
                },
                "after": {
                    "full_name": new_name,
                    "active": active,
                    "roles": roles.as_ref().map(|r| r.iter().map(|x| x.as_str()).collect::<Vec<_>>()),
                    "sectors": sectors.as_ref().map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>()),
                },
                "password_changed": hash.is_some(),
                "sessions_ended": ended_sessions,
                "tokens_revoked": revoked_tokens,
            }),
        )
        .await?;
        let row = store::by_id(&mut tx, &row.id)
            .await?
            .ok_or_else(|| user_not_found(username))?;
        let user = full_user(&mut tx, row).await?;
        tx.commit().await?;
        self.auth.clear();
        Ok(user)
    }
}

/// Loads a user by username for `action` over the user's agency; returns the row and
/// the agency id.
pub(crate) async fn load_user_for(
    conn: &mut Conn,
    by: &Principal,
    username: &str,
    action: Action,
) -> Result<(UserRow, String)> {
    let key = username.trim().to_ascii_lowercase();
    let row = store::by_username(conn, &key)
        .await?
        .ok_or_else(|| user_not_found(username))?;
    let agency = motcua_store::agencies::by_id(conn, &row.agency_id)
        .await?
        .ok_or_else(|| Error::Internal("user without agency".into()))?;
    by.require(action, &agency.path)?;
    Ok((row, agency.id))
}

async fn full_user(conn: &mut Conn, row: UserRow) -> Result<User> {
    let agency = motcua_store::agencies::by_id(conn, &row.agency_id)
        .await?
        .ok_or_else(|| Error::Internal("user without agency".into()))?;
    let roles = store::roles(conn, &row.id)
        .await?
        .iter()
        .filter_map(|r| Role::parse(r).ok())
        .collect();
    let sectors = store::sectors(conn, &row.id).await?;
    Ok(to_user(row, &agency.code, &agency.name, roles, sectors))
}

fn to_user(
    r: UserRow,
    agency_code: &str,
    agency_name: &str,
    roles: Vec<Role>,
    sectors: Vec<String>,
) -> User {
    User {
        id: r.id,
        username: r.username,
        full_name: r.full_name,
        agency_code: agency_code.to_owned(),
        agency_name: agency_name.to_owned(),
        roles,
        sectors,
        active: r.active,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// A specialist a dossier can be assigned to, for the assignment picker.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignable {
    pub username: String,
    pub full_name: String,
    pub sectors: Vec<String>,
}

impl App {
    /// The active specialists of the person's own agency: whom a counter officer or
    /// a leader may assign a dossier to. Officers who handle dossiers may ask; the
    /// full user list stays with those who may read users.
    pub async fn assignable_specialists(&self, actor: &Actor) -> Result<Vec<Assignable>> {
        actor.require(Action::HandleDossier, &actor.agency.path)?;
        let mut conn = self.db.read().await?;
        // One read (the dossier page asks on every view): a row per sector.
        let mut out: Vec<Assignable> = Vec::new();
        for (username, full_name, sector) in
            store::specialists_in_agency(&mut conn, &actor.agency.id).await?
        {
            if out.last().is_none_or(|a| a.username != username) {
                out.push(Assignable {
                    username,
                    full_name,
                    sectors: Vec::new(),
                });
            }
            if let (Some(s), Some(a)) = (sector, out.last_mut()) {
                a.sectors.push(s);
            }
        }
        Ok(out)
    }
}

impl App {
    /// People's full names by username, for pages that show who did something
    /// ("Hệ thống" for the command line and the seed; the username itself when
    /// the account is gone).
    pub async fn full_names(&self, usernames: Vec<String>) -> Result<HashMap<String, String>> {
        let mut conn = self.db.read().await?;
        let mut names = HashMap::new();
        for username in usernames {
            if names.contains_key(&username) {
                continue;
            }
            let name = match store::by_username(&mut conn, &username).await? {
                Some(u) => u.full_name,
                None if username.starts_with("system") => "Hệ thống".to_owned(),
                None => username.clone(),
            };
            names.insert(username, name);
        }
        Ok(names)
    }
}
