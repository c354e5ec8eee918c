//! Users, their roles and their sectors.

use crate::{flag, from_millis, Conn, Engine, Result};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub agency_id: String,
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub active: bool,
    pub failed_logins: i64,
    pub last_failed_at: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Read by hand: the 0/1 and millisecond columns become a bool and instants here.
impl FromRow<'_, AnyRow> for UserRow {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(UserRow {
            id: r.try_get("id")?,
            agency_id: r.try_get("agency_id")?,
            username: r.try_get("username")?,
            full_name: r.try_get("full_name")?,
            password_hash: r.try_get("password_hash")?,
            active: flag(r.try_get("active")?),
            failed_logins: r.try_get("failed_logins")?,
            last_failed_at: r.try_get("last_failed_at")?,
            created_at: from_millis(r.try_get("created_at")?),
            updated_at: from_millis(r.try_get("updated_at")?),
        })
    }
}

const SELECT: &str = "SELECT id, agency_id, username, full_name, password_hash, active, \
     failed_logins, last_failed_at, created_at, updated_at FROM users";

pub async fn by_username(conn: &mut Conn, username: &str) -> Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE username = $1"))
        .bind(username)
        .fetch_optional(conn)
        .await
}

pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The full name and roles of each of the users `ids` that exists, in one read
/// (a dossier's history names a handful of people).
pub async fn names_and_roles(
    conn: &mut Conn,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, (String, Vec<String>)>> {
    let mut people = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(people);
    }
    let sql = format!(
        "SELECT u.id, u.full_name, r.role FROM users u \
         LEFT JOIN user_roles r ON r.user_id = u.id \
         WHERE u.id IN ({}) ORDER BY u.id, r.role",
        crate::marks(1, ids.len())
    );
    let mut query = sqlx::query_as::<_, (String, String, Option<String>)>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    for (id, name, role) in query.fetch_all(conn).await? {
        let (_, roles) = people.entry(id).or_insert_with(|| (name, Vec::new()));
        roles.extend(role);
    }
    Ok(people)
}

pub async fn by_agency(conn: &mut Conn, agency_id: &str) -> Result<Vec<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE agency_id = $1 ORDER BY username"))
        .bind(agency_id)
        .fetch_all(conn)
        .await
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub agency_id: &'a str,
    pub username: &'a str,
    pub full_name: &'a str,
    pub password_hash: &'a str,
    pub now: i64,
}

pub async fn insert(conn: &mut Conn, u: &NewUser<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, agency_id, username, full_name, password_hash, active, \
         failed_logins, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, 0, $6, $6)",
    )
    .bind(u.id)
    .bind(u.agency_id)
    .bind(u.username)
    .bind(u.full_name)
    .bind(u.password_hash)
    .bind(u.now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_profile(
    conn: &mut Conn,
    id: &str,
    full_name: &str,
    active: bool,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE users SET full_name = $1, active = $2, updated_at = $3 WHERE id = $4")
        .bind(full_name)
        .bind(i64::from(active))
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_password(conn: &mut Conn, id: &str, hash: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, failed_logins = 0, last_failed_at = NULL, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(hash)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_failed_login(conn: &mut Conn, id: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE users SET failed_logins = failed_logins + 1, last_failed_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn reset_failed_logins(conn: &mut Conn, id: &str) -> Result<()> {
    sqlx::query("UPDATE users SET failed_logins = 0, last_failed_at = NULL WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn roles(conn: &mut Conn, user_id: &str) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
        .bind(user_id)
        .fetch_all(conn)
        .await
}

pub async fn sectors(conn: &mut Conn, user_id: &str) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT sector_code FROM user_sectors WHERE user_id = $1 ORDER BY sector_code",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// (user id, role) for every user of an agency: one query for a whole list page.
pub async fn roles_in_agency(conn: &mut Conn, agency_id: &str) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT r.user_id, r.role FROM user_roles r JOIN users u ON u.id = r.user_id \
         WHERE u.agency_id = $1 ORDER BY r.role",
    )
    .bind(agency_id)
    .fetch_all(conn)
    .await
}

pub async fn sectors_in_agency(conn: &mut Conn, agency_id: &str) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT s.user_id, s.sector_code FROM user_sectors s JOIN users u ON u.id = s.user_id \
         WHERE u.agency_id = $1 ORDER BY s.sector_code",
    )
    .bind(agency_id)
    .fetch_all(conn)
    .await
}

/// The active specialists of an agency with their sectors, in one read: (username,
/// full name, sector or `None`), by username then sector.
pub async fn specialists_in_agency(
    conn: &mut Conn,
    agency_id: &str,
) -> Result<Vec<(String, String, Option<String>)>> {
    sqlx::query_as(
        "SELECT u.username, u.full_name, s.sector_code FROM users u \
         JOIN user_roles r ON r.user_id = u.id AND r.role = 'specialist' \
         LEFT JOIN user_sectors s ON s.user_id = u.id \
         WHERE u.agency_id = $1 AND u.active = 1 \
         ORDER BY u.username, s.sector_code",
    )
    .bind(agency_id)
    .fetch_all(conn)
    .await
}

pub async fn set_roles(conn: &mut Conn, user_id: &str, roles: &[&str]) -> Result<()> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for role in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(user_id)
            .bind(*role)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn set_sectors(conn: &mut Conn, user_id: &str, sectors: &[&str]) -> Result<()> {
    sqlx::query("DELETE FROM user_sectors WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for sector in sectors {
        sqlx::query("INSERT INTO user_sectors (user_id, sector_code) VALUES ($1, $2)")
            .bind(user_id)
            .bind(*sector)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Everything a request needs about a person, in one query: the user and their
/// agency. Authentication runs on every request, so it is kept to two queries.
#[derive(Debug, Clone, FromRow)]
pub struct PrincipalRow {
    pub user_id: String,
    pub username: String,
    pub full_name: String,
    pub agency_id: String,
    pub agency_code: String,
    pub agency_name: String,
    pub agency_level: String,
    pub agency_path: String,
}

const PRINCIPAL: &str = "SELECT u.id AS user_id, u.username, u.full_name, a.id AS agency_id, \
     a.code AS agency_code, a.name AS agency_name, a.level AS agency_level, a.path AS agency_path \
     FROM users u JOIN agencies a ON a.id = u.agency_id";

/// A person as a write transaction finds them under its hold on their credential
/// ([`crate::sessions::hold`], [`crate::tokens::hold`]): the principal with their
/// roles and sectors, each list newline-separated in no particular order. One
/// statement, so that checking a write's author again costs no more than
/// holding the credential did.
#[derive(Debug, Clone, FromRow)]
pub struct HeldPrincipal {
    #[sqlx(flatten)]
    pub principal: PrincipalRow,
    pub roles: String,
    pub sectors: String,
}

/// `PRINCIPAL` with the roles and sectors aggregated, joined to `credential`
/// (`api_tokens t` or `sessions s`, with its join on `u`) and ending in `filter`,
/// holding the credential's row and the user's where the engine has row locks.
pub(crate) fn held_principal_sql(engine: Engine, credential: &str, filter: &str) -> String {
    let (agg, newline, lock) = match engine {
        Engine::Postgres => ("string_agg", "chr(10)", " FOR SHARE OF c, u"),
        Engine::Sqlite => ("group_concat", "char(10)", ""),
    };
    format!(
        "SELECT u.id AS user_id, u.username, u.full_name, a.id AS agency_id, \
         a.code AS agency_code, a.name AS agency_name, a.level AS agency_level, \
         a.path AS agency_path, \
         COALESCE((SELECT {agg}(role, {newline}) FROM user_roles WHERE user_id = u.id), '') AS roles, \
         COALESCE((SELECT {agg}(sector_code, {newline}) FROM user_sectors WHERE user_id = u.id), '') \
         AS sectors \
         FROM {credential} JOIN users u ON u.id = c.user_id JOIN agencies a ON a.id = u.agency_id \
         WHERE {filter} AND u.active = 1{lock}"
    )
}

pub async fn principal(conn: &mut Conn, user_id: &str) -> Result<Option<PrincipalRow>> {
    sqlx::query_as(&format!("{PRINCIPAL} WHERE u.id = $1 AND u.active = 1"))
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

/// The person behind a live API token (not revoked, user active).
pub async fn principal_by_token(conn: &mut Conn, token_hash: &str) -> Result<Option<PrincipalRow>> {
    sqlx::query_as(&format!(
        "{PRINCIPAL} JOIN api_tokens t ON t.user_id = u.id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// Roles (`kind` = "role") and sectors (`kind` = "sector") of a user in one query.
pub async fn roles_and_sectors(conn: &mut Conn, user_id: &str) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT 'role' AS kind, role AS value FROM user_roles WHERE user_id = $1 \
         UNION ALL SELECT 'sector' AS kind, sector_code AS value FROM user_sectors WHERE user_id = $1 \
         ORDER BY 1, 2",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}
