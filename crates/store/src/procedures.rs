//! The procedure catalogue: one row per procedure pointing at its current version,
//! every version kept whole as JSON.

use crate::{Conn, Result};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct ProcedureRow {
    pub code: String,
    pub name: String,
    pub sector: String,
    pub level: String,
    pub online: String,
    pub current_version: i64,
    pub body: String,
    pub effective_from: String,
}

const SELECT: &str = "SELECT p.code, p.name, p.sector, p.level, p.online, p.current_version, \
     v.body, v.effective_from FROM procedures p \
     JOIN procedure_versions v ON v.code = p.code AND v.version = p.current_version";

pub async fn by_code(conn: &mut Conn, code: &str) -> Result<Option<ProcedureRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE p.code = $1"))
        .bind(code)
        .fetch_optional(conn)
        .await
}

/// For every procedure, the version in force on `date` (YYYY-MM-DD): the newest
/// whose effective date is not after it, or the first version when all are still to
/// come. By sector and code.
pub async fn in_force(conn: &mut Conn, date: &str) -> Result<Vec<ProcedureRow>> {
    sqlx::query_as(
        "SELECT p.code, p.name, p.sector, p.level, p.online, v.version AS current_version, \
         v.body, v.effective_from FROM procedures p JOIN procedure_versions v ON v.code = p.code \
         WHERE v.version = COALESCE( \
           (SELECT MAX(v2.version) FROM procedure_versions v2 WHERE v2.code = p.code AND v2.effective_from <= $1), \
           (SELECT MIN(v3.version) FROM procedure_versions v3 WHERE v3.code = p.code)) \
         ORDER BY p.sector, p.code",
    )
    .bind(date)
    .fetch_all(conn)
    .await
}

/// The latest version of every procedure, by sector and code.
pub async fn current(conn: &mut Conn) -> Result<Vec<ProcedureRow>> {
    sqlx::query_as(&format!("{SELECT} ORDER BY p.sector, p.code"))
        .fetch_all(conn)
        .await
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM procedures")
        .fetch_one(conn)
        .await
}

pub struct NewVersion<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub sector: &'a str,
    pub level: &'a str,
    pub online: &'a str,
    pub effective_from: &'a str,
    pub body: &'a str,
    pub now: i64,
    pub by: &'a str,
}

/// Writes a new version and makes it current; returns its number.
pub async fn add_version(conn: &mut Conn, v: &NewVersion<'_>) -> Result<i64> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM procedure_versions WHERE code = $1")
            .bind(v.code)
            .fetch_one(&mut *conn)
            .await?;
    let version = last.unwrap_or(0) + 1;
    if version == 1 {
        sqlx::query(
            "INSERT INTO procedures (code, name, sector, level, online, current_version, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6)",
        )
        .bind(v.code)
        .bind(v.name)
        .bind(v.sector)
        .bind(v.level)
        .bind(v.online)
        .bind(v.now)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO procedure_versions (code, version, effective_from, body, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(v.code)
    .bind(version)
    .bind(v.effective_from)
    .bind(v.body)
    .bind(v.now)
    .bind(v.by)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE procedures SET name = $1, sector = $2, level = $3, online = $4, \
         current_version = $5, updated_at = $6 WHERE code = $7",
    )
    .bind(v.name)
    .bind(v.sector)
    .bind(v.level)
    .bind(v.online)
    .bind(version)
    .bind(v.now)
    .bind(v.code)
    .execute(&mut *conn)
    .await?;
    Ok(version)
}

#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub version: i64,
    pub effective_from: String,
    pub created_at: i64,
    pub created_by: String,
}

pub async fn versions(conn: &mut Conn, code: &str) -> Result<Vec<VersionRow>> {
    sqlx::query_as(
        "SELECT version, effective_from, created_at, created_by FROM procedure_versions \
         WHERE code = $1 ORDER BY version DESC",
    )
    .bind(code)
    .fetch_all(conn)
    .await
}

/// The body of the version in force on `date` (YYYY-MM-DD): the newest version whose
/// effective date is not after it.
pub async fn body_in_force(
    conn: &mut Conn,
    code: &str,
    date: &str,
) -> Result<Option<(i64, String)>> {
    sqlx::query_as(
        "SELECT version, body FROM procedure_versions WHERE code = $1 AND effective_from <= $2 \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(code)
    .bind(date)
    .fetch_optional(conn)
    .await
}

/// The body of one version: what a dossier received under it follows.
pub async fn body_of_version(conn: &mut Conn, code: &str, version: i64) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT body FROM procedure_versions WHERE code = $1 AND version = $2")
        .bind(code)
        .bind(version)
        .fetch_optional(conn)
        .await
}

pub async fn enable(conn: &mut Conn, agency_id: &str, code: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO agency_procedures (agency_id, code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(agency_id)
    .bind(code)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn disable(conn: &mut Conn, agency_id: &str, code: &str) -> Result<()> {
    sqlx::query("DELETE FROM agency_procedures WHERE agency_id = $1 AND code = $2")
        .bind(agency_id)
        .bind(code)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn enabled_codes(conn: &mut Conn, agency_id: &str) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT code FROM agency_procedures WHERE agency_id = $1 ORDER BY code")
        .bind(agency_id)
        .fetch_all(conn)
        .await
}

/// (procedure code, agency name) for every active agency strictly below `path`
/// that performs a procedure: which communes of a province perform what.
pub async fn performers_below(conn: &mut Conn, path: &str) -> Result<Vec<(String, String)>> {
    let (from, to) = crate::agencies::subtree_range(path);
    sqlx::query_as(
        "SELECT ap.code, a.name FROM agency_procedures ap JOIN agencies a ON a.id = ap.agency_id \
         WHERE a.path > $1 AND a.path < $2 AND a.active = 1 ORDER BY a.path",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// Enables, for one agency, every procedure performed at its level.
pub async fn enable_all_of_level(conn: &mut Conn, agency_id: &str, level: &str) -> Result<u64> {
    Ok(sqlx::query(
        "INSERT INTO agency_procedures (agency_id, code) SELECT $1, code FROM procedures \
         WHERE level = $2 ON CONFLICT DO NOTHING",
    )
    .bind(agency_id)
    .bind(level)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Enables one procedure for every agency of the given level.
pub async fn enable_level_for_code(conn: &mut Conn, code: &str, level: &str) -> Result<u64> {
    Ok(sqlx::query(
        "INSERT INTO agency_procedures (agency_id, code) SELECT id, $1 FROM agencies \
         WHERE level = $2 ON CONFLICT DO NOTHING",
    )
    .bind(code)
    .bind(level)
    .execute(conn)
    .await?
    .rows_affected())
}
